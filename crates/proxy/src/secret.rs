//! Secrets read from the environment, wrapped so that no `Debug`, `Display` or log line can show
//! them.

use std::fmt;

/// A secret string. Formatting it prints `[redacted]`; only [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that must use it (a header or a signature).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Reads a secret from the environment variable `name`: `Ok(None)` when unset or empty, an error
/// (naming the variable, never the value) when it cannot be used in an HTTP header.
pub fn from_env(name: &str) -> Result<Option<Secret>, String> {
    match std::env::var(name) {
        Ok(value) => {
            let trimmed = value.trim();
            if trimmed.is_empty() {
                return Ok(None);
            }
            if trimmed
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
            {
                return Err(format!(
                    "{name} contains spaces, control or non-ASCII characters, which cannot go in an \
                     HTTP header; copy the key again from the provider's console"
                ));
            }
            Ok(Some(Secret::new(trimmed)))
        }
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!(
            "{name} is not valid UTF-8; copy the key again from the provider's console"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let secret = Secret::new("sk-very-secret");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some([redacted])");
        assert_eq!(secret.expose(), "sk-very-secret");
    }
}
