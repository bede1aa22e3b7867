//! Access tokens: short-lived HS256 JWTs the host site's server mints for its signed-in users
//! with a secret it shares with the proxy (`KLING_EXPAND_TOKEN_SECRET`; a previous secret is
//! accepted during rotation). Verified with the `jsonwebtoken` crate.
//!
//! Claims: `sub` (the site's user, required), `exp` (required, at most 24 h ahead), `iat`,
//! `aud` = `kling-expand`, and optional limits: `creates` (tasks this token may start),
//! `max_n`, `origin` (the page origin it is valid from), `jti`.

use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use kling_expand_core::dialect::Refusal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::secret::Secret;

/// The `aud` every token must carry.
pub const AUDIENCE: &str = "kling-expand";
/// The longest a token may live, counted from now.
pub const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// The shortest secret accepted, in bytes (HS256's key is as strong as its secret).
pub const MIN_SECRET_BYTES: usize = 32;
/// Clock skew tolerated between the site's server and the proxy.
pub const LEEWAY_SECS: u64 = 5;

/// The secrets tokens are checked with: the current one, and the previous one while the site
/// rotates to the current.
#[derive(Clone, Debug)]
pub struct TokenKeys {
    current: Secret,
    previous: Option<Secret>,
}

impl TokenKeys {
    pub fn new(current: Secret, previous: Option<Secret>) -> Result<TokenKeys, String> {
        for (name, secret) in [
            ("KLING_EXPAND_TOKEN_SECRET", Some(&current)),
            ("KLING_EXPAND_TOKEN_SECRET_PREVIOUS", previous.as_ref()),
        ] {
            if let Some(secret) = secret {
                if secret.expose().len() < MIN_SECRET_BYTES {
                    return Err(format!(
                        "{name} is {} bytes long; it must have at least {MIN_SECRET_BYTES} (for example the output of `openssl rand -hex 32`)",
                        secret.expose().len()
                    ));
                }
            }
        }
        Ok(TokenKeys { current, previous })
    }

    /// Signs a token with the current secret.
    pub fn mint(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(self.current.expose().as_bytes()),
        )
        .expect("HS256 signing cannot fail")
    }

    /// Checks a token at `now` (Unix seconds) for a request from `origin` (the page's origin,
    /// when the browser said it).
    pub fn verify(
        &self,
        token: &str,
        now: u64,
        origin: Option<&str>,
    ) -> Result<Verified, Rejected> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        // The clock is checked below against `now`, so that one clock rules every check.
        validation.validate_exp = false;
        let decoded = jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(self.current.expose().as_bytes()),
            &validation,
        )
        .or_else(|error| match (&self.previous, error.kind()) {
            (Some(previous), ErrorKind::InvalidSignature) => jsonwebtoken::decode::<Claims>(
                token,
                &DecodingKey::from_secret(previous.expose().as_bytes()),
                &validation,
            ),
            _ => Err(error),
        })
        .map_err(|error| match error.kind() {
            ErrorKind::InvalidAudience => Rejected::Audience,
            ErrorKind::InvalidSignature => Rejected::Invalid("its signature does not match"),
            ErrorKind::MissingRequiredClaim(_) => Rejected::Invalid("it lacks sub, exp or aud"),
            ErrorKind::InvalidAlgorithm => Rejected::Invalid("it is not signed with HS256"),
            ErrorKind::ImmatureSignature => Rejected::Invalid("its nbf is in the future"),
            _ => Rejected::Invalid("it is not a well-formed JWT"),
        })?;
        let claims = decoded.claims;
        if claims.exp + LEEWAY_SECS <= now {
            return Err(Rejected::Expired);
        }
        if claims.sub.is_empty() {
            return Err(Rejected::Invalid("its sub is empty"));
        }
        if claims.exp > now + MAX_LIFETIME.as_secs() + LEEWAY_SECS {
            return Err(Rejected::Invalid("its exp is more than 24 h ahead"));
        }
        if let Some(allowed) = &claims.origin {
            if origin != Some(allowed.as_str()) {
                return Err(Rejected::Origin {
                    allowed: allowed.clone(),
                    seen: origin.map(str::to_owned),
                });
            }
        }
        let id = match &claims.jti {
            Some(jti) if !jti.is_empty() => format!("jti:{jti}"),
            _ => {
                let digest = Sha256::digest(token.as_bytes());
                format!(
                    "sha:{}",
                    digest[..12]
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>()
                )
            }
        };
        Ok(Verified { claims, id })
    }
}

/// What a token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default = "audience")]
    pub aud: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creates: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_n: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

fn audience() -> String {
    AUDIENCE.to_owned()
}

impl Claims {
    /// A token for `sub`, valid for `ttl` from `now`.
    pub fn new(sub: &str, now: u64, ttl: Duration) -> Claims {
        Claims {
            sub: sub.to_owned(),
            exp: now + ttl.as_secs(),
            iat: Some(now),
            aud: AUDIENCE.to_owned(),
            creates: None,
            max_n: None,
            origin: None,
            jti: None,
        }
    }
}

/// A token that passed.
#[derive(Clone, Debug)]
pub struct Verified {
    pub claims: Claims,
    /// Names the token itself (its `jti`, or a digest of it), for its `creates` count.
    pub id: String,
}

/// Why a token was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    Missing,
    Expired,
    Invalid(&'static str),
    Audience,
    Origin {
        allowed: String,
        seen: Option<String>,
    },
}

impl Rejected {
    pub fn refusal(&self) -> Refusal {
        match self {
            Rejected::Missing => Refusal::TokenMissing,
            Rejected::Expired => Refusal::TokenExpired,
            Rejected::Invalid(_) => Refusal::TokenInvalid,
            Rejected::Audience => Refusal::TokenAudience,
            Rejected::Origin { .. } => Refusal::TokenOrigin,
        }
    }

    /// A sentence that says which, without the token.
    pub fn message(&self) -> String {
        match self {
            Rejected::Missing => "This proxy needs an access token from the site: send Authorization: Bearer <token>".into(),
            Rejected::Expired => "The access token has expired; ask the site for a new one".into(),
            Rejected::Invalid(why) => format!("The access token is not valid: {why}"),
            Rejected::Audience => format!("The access token was made for another service: its aud must be {AUDIENCE}"),
            Rejected::Origin { allowed, seen: Some(seen) } => {
                format!("The access token is valid only on pages of {allowed}, not {seen}")
            }
            Rejected::Origin { allowed, seen: None } => format!(
                "The access token is valid only on pages of {allowed}, and this request does not say which page sent it"
            ),
        }
    }
}

/// The bearer token of an `Authorization` header.
pub fn bearer(header: Option<&str>) -> Result<&str, Rejected> {
    let header = header.map(str::trim).unwrap_or("");
    if header.is_empty() {
        return Err(Rejected::Missing);
    }
    match header.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(Rejected::Invalid(
            "the Authorization header is not `Bearer <token>`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const OLD: &str = "fedcba9876543210fedcba9876543210";
    const NOW: u64 = 1_800_000_000;

    fn keys() -> TokenKeys {
        TokenKeys::new(Secret::new(SECRET), Some(Secret::new(OLD))).unwrap()
    }

    fn sign(secret: &str, claims: &Claims) -> String {
        TokenKeys::new(Secret::new(secret), None)
            .unwrap()
            .mint(claims)
    }

    #[test]
    fn a_short_secret_is_refused_without_showing_it() {
        let err = TokenKeys::new(Secret::new("short-secret"), None).unwrap_err();
        assert!(err.contains("at least 32"), "{err}");
        assert!(!err.contains("short-secret"));
    }

    #[test]
    fn a_good_token_passes_with_the_current_or_the_previous_secret() {
        let claims = Claims::new("alice", NOW, Duration::from_secs(600));
        for secret in [SECRET, OLD] {
            let verified = keys().verify(&sign(secret, &claims), NOW, None).unwrap();
            assert_eq!(verified.claims.sub, "alice");
        }
    }

    #[test]
    fn each_bad_token_is_refused_for_its_own_reason() {
        let good = Claims::new("alice", NOW, Duration::from_secs(600));
        let expired = Claims::new("alice", NOW - 7200, Duration::from_secs(600));
        assert_eq!(
            keys()
                .verify(&sign(SECRET, &expired), NOW, None)
                .unwrap_err(),
            Rejected::Expired
        );
        let forged = sign("another-secret-of-32-bytes-length!", &good);
        assert_eq!(
            keys().verify(&forged, NOW, None).unwrap_err().refusal(),
            Refusal::TokenInvalid
        );
        let mut other = good.clone();
        other.aud = "another-service".into();
        assert_eq!(
            keys().verify(&sign(SECRET, &other), NOW, None).unwrap_err(),
            Rejected::Audience
        );
        let far = Claims::new("alice", NOW, Duration::from_secs(3 * 86_400));
        assert_eq!(
            keys()
                .verify(&sign(SECRET, &far), NOW, None)
                .unwrap_err()
                .refusal(),
            Refusal::TokenInvalid
        );
        let mut bound = good.clone();
        bound.origin = Some("https://shop.example".into());
        let token = sign(SECRET, &bound);
        assert!(keys()
            .verify(&token, NOW, Some("https://shop.example"))
            .is_ok());
        assert_eq!(
            keys()
                .verify(&token, NOW, Some("https://evil.example"))
                .unwrap_err()
                .refusal(),
            Refusal::TokenOrigin
        );
        assert_eq!(
            keys().verify("not.a.jwt", NOW, None).unwrap_err().refusal(),
            Refusal::TokenInvalid
        );
    }

    #[test]
    fn the_bearer_header_is_read_strictly() {
        assert_eq!(bearer(None), Err(Rejected::Missing));
        assert_eq!(bearer(Some("  ")), Err(Rejected::Missing));
        assert_eq!(bearer(Some("Bearer abc")), Ok("abc"));
        assert!(bearer(Some("Basic abc")).is_err());
    }

    #[test]
    fn a_token_is_named_by_its_jti_or_a_digest() {
        let mut claims = Claims::new("alice", NOW, Duration::from_secs(600));
        let a = keys().verify(&sign(SECRET, &claims), NOW, None).unwrap();
        assert!(a.id.starts_with("sha:"));
        claims.jti = Some("t-1".into());
        let b = keys().verify(&sign(SECRET, &claims), NOW, None).unwrap();
        assert_eq!(b.id, "jti:t-1");
    }
}
