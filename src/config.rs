//! Where the widget sends its requests, read from the host element's data attributes.

use kling_expand_core::dialect::Dialect;

/// The API base the widget talks to when the host element names none: the proxy's route.
pub const DEFAULT_ENDPOINT: &str = "/api/kling";

/// The widget's configuration: `data-endpoint` and `data-dialect` on the host element.
#[derive(Clone, Debug, PartialEq)]
pub struct WidgetConfig {
    /// Base URL of the proxy (absolute, or relative to the page), without a trailing slash.
    pub endpoint: String,
    /// Which provider's paths and shapes the endpoint speaks.
    pub dialect: Dialect,
}

impl Default for WidgetConfig {
    fn default() -> Self {
        Self {
            endpoint: DEFAULT_ENDPOINT.to_owned(),
            dialect: Dialect::Kling,
        }
    }
}

impl WidgetConfig {
    /// Reads the two attributes; a missing or blank one takes its default. An unknown dialect
    /// keeps the default and comes back as a message for the page's author.
    pub fn from_attributes(
        endpoint: Option<&str>,
        dialect: Option<&str>,
    ) -> (Self, Option<String>) {
        let mut config = Self::default();
        if let Some(endpoint) = endpoint.map(str::trim).filter(|e| !e.is_empty()) {
            config.endpoint = endpoint.trim_end_matches('/').to_owned();
        }
        let mut warning = None;
        if let Some(word) = dialect.map(str::trim).filter(|d| !d.is_empty()) {
            match word.parse::<Dialect>() {
                Ok(dialect) => config.dialect = dialect,
                Err(_) => {
                    let known: Vec<&str> = Dialect::ALL.iter().map(|d| d.as_str()).collect();
                    warning = Some(format!(
                        "This page sets data-dialect=\"{word}\", which the widget does not know; \
                         it uses \"kling\". Known dialects: {}.",
                        known.join(", ")
                    ));
                }
            }
        }
        (config, warning)
    }

    /// The URL of a path of the dialect (such as its create path) under the endpoint.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.endpoint, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_the_proxy_route_and_the_official_dialect() {
        let (config, warning) = WidgetConfig::from_attributes(None, None);
        assert_eq!(config.endpoint, "/api/kling");
        assert_eq!(config.dialect, Dialect::Kling);
        assert!(warning.is_none());
    }

    #[test]
    fn reads_both_attributes_and_drops_a_trailing_slash() {
        let (config, warning) =
            WidgetConfig::from_attributes(Some("https://example.test/kling/"), Some("modellix"));
        assert_eq!(config.endpoint, "https://example.test/kling");
        assert_eq!(config.dialect, Dialect::Modellix);
        assert!(warning.is_none());
        assert_eq!(config.url("/x"), "https://example.test/kling/x");
    }

    #[test]
    fn an_unknown_dialect_keeps_the_default_and_says_so() {
        let (config, warning) = WidgetConfig::from_attributes(Some(" "), Some("openai"));
        assert_eq!(config, WidgetConfig::default());
        let warning = warning.expect("a message for the page author");
        assert!(
            warning.contains("openai") && warning.contains("cometapi"),
            "{warning}"
        );
    }
}
