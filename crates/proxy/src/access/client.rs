//! Who a client is by address: the peer, or behind trusted reverse proxies the rightmost
//! untrusted hop of `X-Forwarded-For` / `Forwarded`; IPv6 clients grouped by /64 (one home or
//! one host gets a whole /64, so counting single addresses would let it take 2^64 of them).

use std::net::{IpAddr, Ipv6Addr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The reverse proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(blocks: Vec<IpNet>) -> TrustedProxies {
        TrustedProxies(blocks)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|block| block.contains(&ip))
    }

    /// The client's address: the peer itself unless the peer is trusted; then, walking the
    /// forwarded chain from the right, the first hop that is not trusted.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut hops = forwarded_hops(headers);
        let mut client = peer;
        while let Some(hop) = hops.pop() {
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

/// The addresses of `Forwarded: for=` (RFC 7239) or else `X-Forwarded-For`, leftmost first.
/// A hop that is not an address (`unknown`, an obfuscated name) ends the chain there: what is
/// left of it cannot be told apart.
fn forwarded_hops(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<String> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for")
                    .then(|| value.trim().trim_matches('"').to_owned())
            })
        })
        .collect();
    let raw: Vec<String> = if forwarded.is_empty() {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|hop| hop.trim().to_owned())
            .collect()
    } else {
        forwarded
    };
    let mut hops = Vec::new();
    for hop in raw {
        match parse_hop(&hop) {
            Some(ip) => hops.push(ip),
            // Only what is right of an unreadable hop is known.
            None => hops.clear(),
        }
    }
    hops
}

/// `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]`, `[2001:db8::1]:443`, `2001:db8::1`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    let (host, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok().map(canonical)
}

/// IPv4-mapped IPv6 addresses as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The name a client address is counted under: the IPv4 address, or the IPv6 /64.
pub fn group(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let network = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{network}/64")
        }
    }
}

/// The address the rate limiter counts: IPv6 clients by their /64.
pub fn group_ip(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn trusted(blocks: &[&str]) -> TrustedProxies {
        TrustedProxies::new(blocks.iter().map(|b| b.parse().unwrap()).collect())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        let h = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(trusted(&["10.0.0.0/8"]).client_ip(peer, &h), peer);
        assert_eq!(TrustedProxies::default().client_ip(peer, &h), peer);
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let proxies = trusted(&["10.0.0.0/8"]);
        // The client may put anything on the left; only the hop our proxy added counts.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.3")]);
        assert_eq!(
            proxies.client_ip(peer, &h),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        let h = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8:1:2::5]:4711\";proto=https",
        )]);
        assert_eq!(
            proxies.client_ip(peer, &h),
            "2001:db8:1:2::5".parse::<IpAddr>().unwrap()
        );
        // Nothing forwarded: the proxy itself.
        assert_eq!(proxies.client_ip(peer, &HeaderMap::new()), peer);
    }

    #[test]
    fn ipv6_clients_are_grouped_by_their_64() {
        let a: IpAddr = "2001:db8:aa:bb:1::1".parse().unwrap();
        let b: IpAddr = "2001:db8:aa:bb:ffff::9".parse().unwrap();
        assert_eq!(group(a), group(b));
        assert_eq!(group(a), "2001:db8:aa:bb::/64");
        assert_eq!(group("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1");
        assert_eq!(group_ip(a), group_ip(b));
    }
}
