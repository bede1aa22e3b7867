//! HS256 JSON Web Tokens as the official Kling API uses them: header
//! `{"alg":"HS256","typ":"JWT"}`, claims `{"iss": AccessKey, "exp": now + 1800, "nbf": now - 30}`,
//! signed with the SecretKey. The proxy signs them ([`TokenSigner`]); the local engine can verify
//! them ([`verify`]) and answers Kling's 1000–1004 codes.

use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// Lifetime of a signed token, in seconds (Kling's documented example).
pub const TOKEN_LIFETIME_SECS: u64 = 1800;
/// Tokens are renewed when fewer than this many seconds remain.
pub const RENEW_BEFORE_SECS: u64 = 300;
/// `nbf` is set this far in the past to tolerate clock skew: a provider whose clock is behind
/// the proxy's must not see a token from its future (1003).
pub const NOT_BEFORE_SKEW_SECS: u64 = 30;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub exp: u64,
    pub nbf: u64,
}

fn mac(secret_key: &Secret) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    HmacSha256::new_from_slice(secret_key.expose().as_bytes()).expect("HMAC takes any key length")
}

/// Signs a token for `access_key` valid from `now - 30` to `now + 1800` (seconds since the epoch).
pub fn sign(access_key: &Secret, secret_key: &Secret, now: u64) -> String {
    let claims = Claims {
        iss: access_key.expose().to_owned(),
        exp: now + TOKEN_LIFETIME_SECS,
        nbf: now.saturating_sub(NOT_BEFORE_SKEW_SECS),
    };
    let claims = serde_json::to_vec(&claims).expect("claims serialize");
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let mut mac = mac(secret_key);
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Holds the current token and signs a new one when fewer than five minutes remain.
pub struct TokenSigner {
    access_key: Secret,
    secret_key: Secret,
    current: Mutex<Option<(String, u64)>>,
}

impl TokenSigner {
    pub fn new(access_key: Secret, secret_key: Secret) -> TokenSigner {
        TokenSigner {
            access_key,
            secret_key,
            current: Mutex::new(None),
        }
    }

    /// The token to send at `now` (seconds since the epoch).
    pub fn token(&self, now: u64) -> Secret {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        match &*current {
            Some((token, exp)) if now + RENEW_BEFORE_SECS < *exp => Secret::new(token.clone()),
            _ => {
                let token = sign(&self.access_key, &self.secret_key, now);
                *current = Some((token.clone(), now + TOKEN_LIFETIME_SECS));
                Secret::new(token)
            }
        }
    }
}

impl TokenSigner {
    /// Drops the cached token: the next call signs a new one (after the provider refused the
    /// cached one's time).
    pub fn renew(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner([redacted])")
    }
}

/// Why a bearer token was refused, with the Kling code each case is answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// 1001: no `Authorization` header, or an empty one.
    Missing,
    /// 1000: an `Authorization` header that is not `Bearer <token>`.
    NotBearer,
    /// 1002: not a well-formed HS256 token, a bad signature, or an unknown access key.
    Invalid(&'static str),
    /// 1003: `nbf` is in the future.
    NotYetValid { nbf: u64, now: u64 },
    /// 1004: `exp` has passed.
    Expired { exp: u64, now: u64 },
}

impl AuthFailure {
    pub fn code(&self) -> i64 {
        match self {
            AuthFailure::NotBearer => 1000,
            AuthFailure::Missing => 1001,
            AuthFailure::Invalid(_) => 1002,
            AuthFailure::NotYetValid { .. } => 1003,
            AuthFailure::Expired { .. } => 1004,
        }
    }

    pub fn message(&self) -> String {
        match self {
            AuthFailure::Missing => "Authorization header is empty: send `Authorization: Bearer <token>`".into(),
            AuthFailure::NotBearer => "Authorization failed: the header must be `Bearer <token>`".into(),
            AuthFailure::Invalid(why) => format!("Authorization is invalid: {why}"),
            AuthFailure::NotYetValid { nbf, now } => format!(
                "Authorization is not yet valid: the token's nbf is {} s in the future; check the signer's clock",
                nbf - now
            ),
            AuthFailure::Expired { exp, now } => format!(
                "Authorization has expired: the token's exp passed {} s ago; sign a new token",
                now - exp
            ),
        }
    }
}

/// Checks an `Authorization` header value against the expected access and secret key at `now`.
pub fn verify(
    authorization: Option<&str>,
    access_key: &Secret,
    secret_key: &Secret,
    now: u64,
) -> Result<Claims, AuthFailure> {
    let header = authorization.map(str::trim).unwrap_or("");
    if header.is_empty() {
        return Err(AuthFailure::Missing);
    }
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(AuthFailure::NotBearer),
    };
    if token.is_empty() {
        return Err(AuthFailure::Missing);
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthFailure::Invalid(
            "the token is not three dot-separated parts",
        ));
    };
    let header_json = URL_SAFE_NO_PAD
        .decode(header_b64)
        .map_err(|_| AuthFailure::Invalid("the token's header is not base64url"))?;
    let header: serde_json::Value = serde_json::from_slice(&header_json)
        .map_err(|_| AuthFailure::Invalid("the token's header is not JSON"))?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(AuthFailure::Invalid("the token is not signed with HS256"));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| AuthFailure::Invalid("the token's signature is not base64url"))?;
    let mut mac = mac(secret_key);
    mac.update(header_b64.as_bytes());
    mac.update(b".");
    mac.update(claims_b64.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| AuthFailure::Invalid("the signature does not match the secret key"))?;
    let claims_json = URL_SAFE_NO_PAD
        .decode(claims_b64)
        .map_err(|_| AuthFailure::Invalid("the token's claims are not base64url"))?;
    let claims: Claims = serde_json::from_slice(&claims_json)
        .map_err(|_| AuthFailure::Invalid("the token's claims need iss, exp and nbf"))?;
    if claims.iss != access_key.expose() {
        return Err(AuthFailure::Invalid(
            "the token's issuer is not a known access key",
        ));
    }
    if claims.nbf > now {
        return Err(AuthFailure::NotYetValid {
            nbf: claims.nbf,
            now,
        });
    }
    if claims.exp <= now {
        return Err(AuthFailure::Expired {
            exp: claims.exp,
            now,
        });
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (Secret, Secret) {
        (Secret::new("AK-example"), Secret::new("SK-example"))
    }

    #[test]
    fn signs_the_documented_claims() {
        let (ak, sk) = keys();
        let token = sign(&ak, &sk, 1_700_000_000);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, serde_json::json!({"alg": "HS256", "typ": "JWT"}));
        let claims: Claims =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            claims,
            Claims {
                iss: "AK-example".into(),
                exp: 1_700_001_800,
                nbf: 1_699_999_970
            }
        );
    }

    #[test]
    fn matches_a_token_computed_independently() {
        // Computed with Python's hmac/hashlib/base64 from the same header, claims and key.
        let (ak, sk) = keys();
        assert_eq!(
            sign(&ak, &sk, 1_700_000_000),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
             eyJpc3MiOiJBSy1leGFtcGxlIiwiZXhwIjoxNzAwMDAxODAwLCJuYmYiOjE2OTk5OTk5NzB9.\
             Y-Svn8VG6Fjke0wRTuHRvc99FPp1HaxRtQvHhbUmQTs"
        );
    }

    #[test]
    fn verifies_and_explains_each_failure() {
        let (ak, sk) = keys();
        let now = 1_700_000_000;
        let bearer = format!("Bearer {}", sign(&ak, &sk, now));
        assert!(verify(Some(&bearer), &ak, &sk, now).is_ok());
        assert_eq!(verify(None, &ak, &sk, now).unwrap_err().code(), 1001);
        assert_eq!(
            verify(Some("Basic abc"), &ak, &sk, now).unwrap_err().code(),
            1000
        );
        assert_eq!(
            verify(Some("Bearer a.b"), &ak, &sk, now)
                .unwrap_err()
                .code(),
            1002
        );
        let wrong_secret = Secret::new("SK-other");
        assert_eq!(
            verify(Some(&bearer), &ak, &wrong_secret, now)
                .unwrap_err()
                .code(),
            1002
        );
        let other_access = Secret::new("AK-other");
        assert_eq!(
            verify(Some(&bearer), &other_access, &sk, now)
                .unwrap_err()
                .code(),
            1002
        );
        let early = verify(Some(&bearer), &ak, &sk, now - 60).unwrap_err();
        assert_eq!(early.code(), 1003);
        let late = verify(Some(&bearer), &ak, &sk, now + 1800).unwrap_err();
        assert_eq!(late.code(), 1004);
        assert!(late.message().contains("expired"));
    }

    #[test]
    fn signer_reuses_then_renews_five_minutes_before_expiry() {
        let (ak, sk) = keys();
        let signer = TokenSigner::new(ak, sk);
        let first = signer.token(1000);
        assert_eq!(signer.token(1000 + 1800 - 301).expose(), first.expose());
        let renewed = signer.token(1000 + 1800 - 300);
        assert_ne!(renewed.expose(), first.expose());
        assert_eq!(signer.token(1000 + 1800 - 299).expose(), renewed.expose());
    }
}
