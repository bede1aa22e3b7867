//! How the fake checks the `Authorization` header: an API key, or Kling's HS256 JWT signed with
//! an AccessKey/SecretKey pair (checked here on its own, not with the proxy's code).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

#[derive(Clone, Debug)]
pub enum Expect {
    ApiKey(String),
    Jwt { access: String, secret: String },
}

/// Why a call is refused, as Kling's codes say it.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// 1001
    Missing,
    /// 1002
    Invalid,
    /// 1003
    NotYetValid,
    /// 1004
    Expired,
}

impl Refused {
    pub fn code(&self) -> i64 {
        match self {
            Refused::Missing => 1001,
            Refused::Invalid => 1002,
            Refused::NotYetValid => 1003,
            Refused::Expired => 1004,
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            Refused::Missing => "Authorization is empty",
            Refused::Invalid => "Authorization is invalid",
            Refused::NotYetValid => "Authorization is not yet valid",
            Refused::Expired => "Authorization has expired",
        }
    }
}

impl Expect {
    pub fn check(&self, authorization: Option<&str>, now_secs: u64) -> Result<(), Refused> {
        let Some(header) = authorization.filter(|h| !h.trim().is_empty()) else {
            return Err(Refused::Missing);
        };
        let token = header
            .strip_prefix("Bearer ")
            .ok_or(Refused::Invalid)?
            .trim();
        match self {
            Expect::ApiKey(key) => (token == key).then_some(()).ok_or(Refused::Invalid),
            Expect::Jwt { access, secret } => check_jwt(token, access, secret, now_secs),
        }
    }
}

fn check_jwt(token: &str, access: &str, secret: &str, now: u64) -> Result<(), Refused> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refused::Invalid);
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| Refused::Invalid)?;
    mac.update(format!("{header}.{claims}").as_bytes());
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| Refused::Invalid)?;
    mac.verify_slice(&signature).map_err(|_| Refused::Invalid)?;
    let header: Value = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(Refused::Invalid)?;
    if header["alg"] != "HS256" {
        return Err(Refused::Invalid);
    }
    let claims: Value = URL_SAFE_NO_PAD
        .decode(claims)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(Refused::Invalid)?;
    if claims["iss"] != access {
        return Err(Refused::Invalid);
    }
    let exp = claims["exp"].as_u64().ok_or(Refused::Invalid)?;
    let nbf = claims["nbf"].as_u64().ok_or(Refused::Invalid)?;
    if nbf > now {
        return Err(Refused::NotYetValid);
    }
    if exp <= now {
        return Err(Refused::Expired);
    }
    Ok(())
}
