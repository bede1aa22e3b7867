//! Where the proxy itself may connect when a request makes it fetch something: the local
//! engine's image downloads and callbacks, and the result copies of provider links. The one
//! place that says which addresses are public ([`is_public`]).
//!
//! Every connect address is checked, not the host name: a name is resolved by
//! [`GuardedResolver`] and only public addresses are kept; an address written in the URL (which
//! reqwest connects to without resolving) is checked by [`Egress::check_url`] before the
//! request and on every redirect hop, by the redirect policy of [`Egress::client`]. Refused:
//! loopback, private, link-local, CGNAT, unique-local, IPv4-mapped (and the other IPv6 forms
//! that carry an IPv4 address), multicast, documentation, reserved and unspecified addresses, and
//! every port but 80 and 443. System proxies are not used (they would connect elsewhere).
//! `--engine-allow-private-urls` turns the address and port checks off (for tests and closed
//! networks).
//!
//! Every fetcher goes through [`Egress::client`]: the engine's downloads and callbacks
//! (`--engine-allow-private-urls`) and the API's result copies (`--allow-private-results`).
//! `client.get(url)?` checks the URL before any request, redirects are refused (0) or checked
//! (n), and names resolve to public addresses only. Say nothing more than [`Refused`]'s
//! sentence to the caller; the details go to the log.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{redirect, Url};

/// The connection rules for fetches made on a client's behalf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Egress {
    allow_private: bool,
}

/// Why a fetch was not made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not an absolute http(s) URL.
    NotHttp,
    /// A port other than 80 and 443.
    Port(u16),
    /// An address that is not on the public internet.
    Address(IpAddr),
    /// The name resolves to no public address.
    NoPublicAddress,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::NotHttp => f.write_str("only http:// and https:// addresses are fetched"),
            Refused::Port(port) => write!(
                f,
                "port {port} is not fetched; only the standard ports 80 (http) and 443 (https) are"
            ),
            Refused::Address(_) => f.write_str(
                "the address is not on the public internet (loopback, private, link-local or reserved), and such addresses are not fetched",
            ),
            Refused::NoPublicAddress => f.write_str("the host has no public address"),
        }
    }
}

impl Error for Refused {}

/// Is this an address on the public internet?
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                    // "this network", unspecified
        || a == 10                              // private
        || a == 127                             // loopback
        || (a == 100 && (64..128).contains(&b)) // CGNAT, 100.64.0.0/10
        || (a == 169 && b == 254)               // link-local (cloud metadata lives here)
        || (a == 172 && (16..32).contains(&b))  // private
        || (a == 192 && b == 0 && c == 0)       // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)       // documentation
        || (a == 192 && b == 88 && c == 99)     // 6to4 relay anycast
        || (a == 192 && b == 168)               // private
        || (a == 198 && (b == 18 || b == 19))   // benchmarking
        || (a == 198 && b == 51 && c == 100)    // documentation
        || (a == 203 && b == 0 && c == 113)     // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || (s[0..5] == [0, 0, 0, 0, 0] && (s[5] == 0 || s[5] == 0xffff)) // IPv4-compatible, -mapped
        || (s[0] == 0x64 && s[1] == 0xff9b)      // NAT64
        || (s[0] == 0x2001 && s[1] == 0)         // Teredo
        || (s[0] == 0x2001 && s[1] == 0xdb8)     // documentation
        || s[0] == 0x2002                        // 6to4
        || (s[0] & 0xfe00) == 0xfc00             // unique-local
        || (s[0] & 0xffc0) == 0xfe80             // link-local
        || (s[0] & 0xffc0) == 0xfec0             // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00) // multicast
}

impl Egress {
    pub fn new(allow_private: bool) -> Egress {
        Egress { allow_private }
    }

    /// Checks what can be checked from the URL alone: http(s), port 80 or 443, and an address
    /// written in it. Names are checked when they are resolved.
    pub fn check_url(&self, url: &Url) -> Result<(), Refused> {
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(Refused::NotHttp);
        }
        if self.allow_private {
            return Ok(());
        }
        let port = url.port_or_known_default().ok_or(Refused::NotHttp)?;
        if port != 80 && port != 443 {
            return Err(Refused::Port(port));
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(Refused::NotHttp),
        };
        match literal {
            Some(ip) if !is_public(ip) => Err(Refused::Address(ip)),
            _ => Ok(()),
        }
    }

    /// Parses and checks a URL given as text.
    pub fn check(&self, url: &str) -> Result<Url, Refused> {
        let parsed = Url::parse(url).map_err(|_| Refused::NotHttp)?;
        self.check_url(&parsed)?;
        Ok(parsed)
    }

    /// Finishes `builder` into a client whose every connect is checked: names resolve to public
    /// addresses only, at most `max_redirects` redirects are followed and each is checked like
    /// the first URL, and no system proxy is used.
    pub fn client(
        &self,
        builder: reqwest::ClientBuilder,
        max_redirects: usize,
    ) -> reqwest::Result<GuardedClient> {
        let egress = *self;
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                attempt.error(TooManyRedirects)
            } else if let Err(refused) = egress.check_url(attempt.url()) {
                attempt.error(refused)
            } else {
                attempt.follow()
            }
        });
        let mut builder = builder.redirect(policy).no_proxy();
        if !self.allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        Ok(GuardedClient {
            client: builder.build()?,
            egress,
        })
    }
}

#[derive(Debug)]
struct TooManyRedirects;

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("too many redirects")
    }
}

impl Error for TooManyRedirects {}

/// A client made by [`Egress::client`]: requests are made only to URLs that pass
/// [`Egress::check_url`].
#[derive(Clone, Debug)]
pub struct GuardedClient {
    client: reqwest::Client,
    egress: Egress,
}

impl GuardedClient {
    pub fn get(&self, url: &str) -> Result<reqwest::RequestBuilder, Refused> {
        Ok(self.client.get(self.egress.check(url)?))
    }

    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, Refused> {
        Ok(self.client.post(self.egress.check(url)?))
    }
}

/// The innermost cause of a fetch's error, for the log (the outer ones name the URL, which may
/// carry a token).
pub fn cause_of(error: &reqwest::Error) -> String {
    let mut cause: &dyn Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Whether a fetch failed because these rules refused where it would connect (a redirect hop,
/// or a name with no public address).
pub fn was_refused(error: &reqwest::Error) -> bool {
    let mut cause: Option<&dyn Error> = Some(error);
    while let Some(current) = cause {
        if current.downcast_ref::<Refused>().is_some() {
            return true;
        }
        cause = current.source();
    }
    false
}

/// Resolves names with the system resolver and keeps only public addresses.
struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(Refused::NoPublicAddress) as Box<dyn Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> Option<Refused> {
        Egress::new(false).check(url).err()
    }

    #[test]
    fn private_and_special_addresses_are_refused_in_every_spelling() {
        for url in [
            "http://127.0.0.1/a.png",
            "http://127.1/a.png",
            "http://2130706433/a.png",
            "http://0x7f000001/a.png",
            "http://0.0.0.0/a.png",
            "http://10.1.2.3/a.png",
            "http://172.16.0.1/a.png",
            "http://172.31.255.255/a.png",
            "http://192.168.1.1/a.png",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/a.png",
            "http://100.127.255.255/a.png",
            "http://224.0.0.1/a.png",
            "http://255.255.255.255/a.png",
            "http://[::1]/a.png",
            "http://[::]/a.png",
            "http://[::ffff:127.0.0.1]/a.png",
            "http://[::ffff:169.254.169.254]/a.png",
            "http://[fc00::1]/a.png",
            "http://[fd12:3456::1]/a.png",
            "http://[fe80::1]/a.png",
            "http://[64:ff9b::a9fe:a9fe]/a.png",
            "http://[2002:7f00:1::]/a.png",
            "http://[ff02::1]/a.png",
        ] {
            assert!(
                matches!(refused(url), Some(Refused::Address(_))),
                "{url}: {:?}",
                refused(url)
            );
        }
    }

    #[test]
    fn public_addresses_on_standard_ports_pass() {
        for url in [
            "https://example.com/a.png",
            "http://example.com:80/a.png",
            "https://93.184.215.14/a.png",
            "https://100.128.0.1/a.png",
            "https://172.32.0.1/a.png",
            "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/a.png",
        ] {
            assert_eq!(refused(url), None, "{url}");
        }
    }

    #[test]
    fn only_ports_80_and_443_and_only_http() {
        assert_eq!(
            refused("http://example.com:8080/a.png"),
            Some(Refused::Port(8080))
        );
        assert_eq!(refused("https://example.com:22/"), Some(Refused::Port(22)));
        assert_eq!(refused("ftp://example.com/a.png"), Some(Refused::NotHttp));
        assert_eq!(refused("file:///etc/passwd"), Some(Refused::NotHttp));
        assert_eq!(refused("not a url"), Some(Refused::NotHttp));
    }

    #[test]
    fn allowing_private_urls_lifts_the_address_and_port_checks_only() {
        let open = Egress::new(true);
        assert!(open.check("http://127.0.0.1:9000/a.png").is_ok());
        assert_eq!(
            open.check("ftp://127.0.0.1/a.png").err(),
            Some(Refused::NotHttp)
        );
    }

    #[tokio::test]
    async fn names_resolve_to_public_addresses_only() {
        let resolved = GuardedResolver.resolve("localhost".parse().unwrap()).await;
        let error = resolved.err().expect("localhost is refused");
        assert_eq!(error.to_string(), Refused::NoPublicAddress.to_string());
    }

    #[tokio::test]
    async fn a_redirect_to_a_private_address_is_not_followed() {
        // A public-looking first hop cannot be served here; the policy is checked on a
        // loopback server allowed only for its first hop.
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(|| async {
                axum::response::Redirect::temporary("http://169.254.169.254/latest/meta-data/")
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        // Open for the first hop (a test server on loopback), closed for the redirect target:
        // a client with the closed rules but built to reach loopback once.
        let client = Egress::new(false)
            .client(reqwest::Client::builder(), 5)
            .unwrap();
        let first_hop = client.client.get(format!("http://{address}/"));
        let error = first_hop.send().await.unwrap_err();
        assert!(error.is_redirect(), "{error}");
        let mut cause: &dyn Error = &error;
        while let Some(next) = cause.source() {
            cause = next;
        }
        assert!(
            cause.to_string().contains("not on the public internet"),
            "{cause}"
        );
    }
}
