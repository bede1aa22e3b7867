//! The proxy's own refusals: who may spend the credits, and answers it cannot vouch for.
//!
//! The proxy writes each in its dialect's error shape (Kling's `{code, message, request_id}` or
//! Modellix's `{code, message}`) and adds `"error": "<word>"`, which no provider sends. The word
//! tells a client what to do whatever the dialect: a `token_*` word means the person must sign in
//! again (the host site mints a new token); a `quota_*` word carries a sentence to show as it is;
//! `outcome_unknown` means a create may have made its task.

use super::ErrorCategory;

/// One of the proxy's refusals, named by the word in the answer's `error` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// No access token came with the request.
    TokenMissing,
    /// The token's `exp` has passed: ask the host site for a new one and repeat the request.
    TokenExpired,
    /// The token is malformed, forged, or signed with a secret the proxy does not hold.
    TokenInvalid,
    /// The token was minted for another service (`aud` is not `kling-expand`).
    TokenAudience,
    /// The token is bound to another page origin than the one calling.
    TokenOrigin,
    /// The token's own `creates` allowance, or the caller's creates for the period, are used.
    QuotaCreates,
    /// The caller's images for the period (each create counts its `n`) are used.
    QuotaImages,
    /// The caller has as many tasks running as it may.
    QuotaInFlight,
    /// The whole proxy's images for the day are used (the operator's kill switch).
    QuotaBudget,
    /// The proxy's state store cannot be reached; nothing was forwarded.
    StoreUnavailable,
    /// A create got no definite answer from the provider: the task may exist.
    OutcomeUnknown,
}

impl Refusal {
    pub const ALL: [Refusal; 11] = [
        Refusal::TokenMissing,
        Refusal::TokenExpired,
        Refusal::TokenInvalid,
        Refusal::TokenAudience,
        Refusal::TokenOrigin,
        Refusal::QuotaCreates,
        Refusal::QuotaImages,
        Refusal::QuotaInFlight,
        Refusal::QuotaBudget,
        Refusal::StoreUnavailable,
        Refusal::OutcomeUnknown,
    ];

    /// The word in the answer's `error` field.
    pub const fn word(self) -> &'static str {
        match self {
            Refusal::TokenMissing => "token_missing",
            Refusal::TokenExpired => "token_expired",
            Refusal::TokenInvalid => "token_invalid",
            Refusal::TokenAudience => "token_audience",
            Refusal::TokenOrigin => "token_origin",
            Refusal::QuotaCreates => "quota_creates",
            Refusal::QuotaImages => "quota_images",
            Refusal::QuotaInFlight => "quota_in_flight",
            Refusal::QuotaBudget => "quota_budget",
            Refusal::StoreUnavailable => "store_unavailable",
            Refusal::OutcomeUnknown => "outcome_unknown",
        }
    }

    pub fn from_word(word: &str) -> Option<Refusal> {
        Refusal::ALL.into_iter().find(|r| r.word() == word)
    }

    /// The refusal an answer's body names, if any (any dialect's error shape).
    pub fn in_body(body: &str) -> Option<Refusal> {
        let value = crate::json::Value::parse(body).ok()?;
        value.get("error")?.as_str().and_then(Refusal::from_word)
    }

    /// The HTTP status the proxy answers with. An unknown outcome is a 502; the proxy answers
    /// 504 instead when the provider timed out.
    pub const fn http_status(self) -> u16 {
        match self {
            Refusal::TokenMissing
            | Refusal::TokenExpired
            | Refusal::TokenInvalid
            | Refusal::TokenAudience
            | Refusal::TokenOrigin => 401,
            Refusal::QuotaCreates
            | Refusal::QuotaImages
            | Refusal::QuotaInFlight
            | Refusal::QuotaBudget => 429,
            Refusal::StoreUnavailable => 503,
            Refusal::OutcomeUnknown => 502,
        }
    }

    /// How a client treats it.
    pub const fn category(self) -> ErrorCategory {
        match self {
            Refusal::TokenMissing
            | Refusal::TokenExpired
            | Refusal::TokenInvalid
            | Refusal::TokenAudience
            | Refusal::TokenOrigin => ErrorCategory::SignIn,
            Refusal::QuotaCreates
            | Refusal::QuotaImages
            | Refusal::QuotaInFlight
            | Refusal::QuotaBudget => ErrorCategory::Quota,
            Refusal::StoreUnavailable => ErrorCategory::Server,
            Refusal::OutcomeUnknown => ErrorCategory::Network,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_and_is_unique() {
        for refusal in Refusal::ALL {
            assert_eq!(Refusal::from_word(refusal.word()), Some(refusal));
        }
        let mut words: Vec<_> = Refusal::ALL.iter().map(|r| r.word()).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), Refusal::ALL.len());
        assert_eq!(Refusal::from_word("token"), None);
    }

    #[test]
    fn a_body_names_its_refusal() {
        assert_eq!(
            Refusal::in_body(r#"{"code":401,"message":"expired","error":"token_expired"}"#),
            Some(Refusal::TokenExpired)
        );
        assert_eq!(
            Refusal::in_body(r#"{"code":1004,"message":"expired"}"#),
            None
        );
        assert_eq!(Refusal::in_body("<html>"), None);
    }
}
