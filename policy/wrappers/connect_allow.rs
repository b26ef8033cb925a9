//! The TCP allow-list of the socket guards of both WASI lines: `connect=` settings,
//! `ADDRESS[/PREFIX]:PORT` (`[v6]:PORT` for IPv6, `*` for any address or port).

use crate::settings;
use std::net::IpAddr;

/// `address/prefix:port` or `*:port` / `address:*`.
struct Rule {
    net: Option<(IpAddr, u8)>,
    port: Option<u16>,
}

impl Rule {
    fn parse(text: &str) -> Option<Rule> {
        let (addr, port) = if let Some(rest) = text.strip_prefix('[') {
            let (a, p) = rest.split_once("]:")?;
            (a, p)
        } else {
            text.rsplit_once(':')?
        };
        let port = if port == "*" {
            None
        } else {
            Some(port.parse().ok()?)
        };
        let net = if addr == "*" {
            None
        } else {
            let (ip, prefix) = match addr.split_once('/') {
                Some((ip, p)) => (ip.parse::<IpAddr>().ok()?, p.parse().ok()?),
                None => {
                    let ip: IpAddr = addr.parse().ok()?;
                    (ip, if ip.is_ipv4() { 32 } else { 128 })
                }
            };
            Some((ip, prefix))
        };
        Some(Rule { net, port })
    }

    fn allows(&self, ip: IpAddr, port: u16) -> bool {
        let port_ok = self.port.is_none_or(|p| p == port);
        let net_ok = match self.net {
            None => true,
            Some((IpAddr::V4(n), prefix)) => match ip {
                IpAddr::V4(a) => prefix_match(&n.octets(), &a.octets(), prefix),
                IpAddr::V6(_) => false,
            },
            Some((IpAddr::V6(n), prefix)) => match ip {
                IpAddr::V6(a) => prefix_match(&n.octets(), &a.octets(), prefix),
                IpAddr::V4(_) => false,
            },
        };
        port_ok && net_ok
    }
}

/// Whether the first `prefix` bits of `a` and `b` agree.
fn prefix_match(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let mut bits = prefix as usize;
    for (x, y) in a.iter().zip(b) {
        if bits == 0 {
            return true;
        }
        let take = bits.min(8);
        let mask = (0xffu16 << (8 - take)) as u8;
        if x & mask != y & mask {
            return false;
        }
        bits -= take;
    }
    true
}

thread_local! {
    static RULES: Vec<Rule> = settings::Settings::parse(&crate::witpipe::policy::settings::get())
        .all(settings::keys::CONNECT)
        .filter_map(Rule::parse)
        .collect();
}

/// Whether the settings allow a connection to `ip`, `port`.
pub fn allowed(ip: IpAddr, port: u16) -> bool {
    RULES.with(|rules| rules.iter().any(|r| r.allows(ip, port)))
}

/// Whether the settings allow a connection to a WASI `ip-socket-address` (either
/// line's bindings: `$ty` is its Rust type).
macro_rules! allowed_address {
    ($addr:expr, $ty:ident) => {{
        let (ip, port) = match $addr {
            $ty::Ipv4(a) => {
                let (x, y, z, w) = a.address;
                (std::net::IpAddr::from([x, y, z, w]), a.port)
            }
            $ty::Ipv6(a) => {
                let (p0, p1, p2, p3, p4, p5, p6, p7) = a.address;
                (
                    std::net::IpAddr::from([p0, p1, p2, p3, p4, p5, p6, p7]),
                    a.port,
                )
            }
        };
        $crate::connect_allow::allowed(ip, port)
    }};
}
pub(crate) use allowed_address;
