//! Who is calling: the `sub` of a valid access token (`--auth token`), or the client's address
//! (`--auth none`). Every paid route runs behind [`identify`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::Api;
use crate::access::client;
use crate::access::token::{self, Verified};
use crate::config::Auth;
use crate::wire::{self, ApiFailure};

/// The caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    /// A digest of `sub:<sub>` or `ip:<address or /64>`: a fixed-length key for the store,
    /// which no `sub` can make collide with another's.
    pub owner: String,
    pub token: Option<Verified>,
}

impl Caller {
    fn new(identity: &str, token: Option<Verified>) -> Caller {
        let digest = Sha256::digest(identity.as_bytes());
        Caller {
            owner: digest[..12].iter().map(|b| format!("{b:02x}")).collect(),
            token,
        }
    }

    /// The prefix of this caller's external task ids at the upstream, so that one caller's ids
    /// can neither collide with nor find another's.
    pub fn namespace(&self) -> String {
        format!("{}-", &self.owner[..10])
    }
}

/// The client's address: the peer, or the forwarded client behind a trusted proxy.
pub fn client_ip(api: &Api, request: &Request) -> IpAddr {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    api.trusted.client_ip(peer, request.headers())
}

/// The page origin a browser said the request comes from (`Origin`, or the origin of
/// `Referer` for same-origin GETs, which carry no `Origin`).
fn page_origin(headers: &HeaderMap) -> Option<String> {
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return Some(origin.to_owned());
    }
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let url = reqwest::Url::parse(referer).ok()?;
    Some(url.origin().ascii_serialization())
}

/// The caller of `request`, or the refusal to answer.
pub fn resolve(api: &Api, request: &Request) -> Result<Caller, ApiFailure> {
    match &api.auth {
        Auth::None => {
            let ip = client_ip(api, request);
            Ok(Caller::new(&format!("ip:{}", client::group(ip)), None))
        }
        Auth::Token(keys) => {
            let headers = request.headers();
            let refuse = |r: token::Rejected| ApiFailure::refused(r.refusal(), r.message());
            let bearer = token::bearer(
                headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok()),
            )
            .map_err(refuse)?;
            let verified = keys
                .verify(bearer, wire::now_secs(), page_origin(headers).as_deref())
                .map_err(refuse)?;
            Ok(Caller::new(
                &format!("sub:{}", verified.claims.sub),
                Some(verified),
            ))
        }
    }
}

/// Puts the [`Caller`] in the request's extensions, or answers 401 without going further.
pub async fn identify(State(api): State<Arc<Api>>, mut request: Request, next: Next) -> Response {
    match resolve(&api, &request) {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(failure) => api.fail(failure),
    }
}
