//! The grammar of a `sockets: connect:` rule, `ADDRESS[/PREFIX]:PORT` (`[v6]:PORT`
//! for IPv6, `*` for any address or port): one type, [`ConnectRule`], parsed by one
//! function. The policy checker refuses what [`ConnectRule::parse`] refuses (with its
//! reason), and the socket guards of both WASI lines decide connections with
//! [`ConnectRule::allows`] (this file is compiled into them through `#[path]`, so it
//! uses `std` alone).

use std::fmt;
use std::net::IpAddr;

/// One `connect:` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectRule {
    /// The network (an address and the length of its prefix), `None` for `*`.
    pub net: Option<(IpAddr, u8)>,
    /// The port, `None` for `*`.
    pub port: Option<u16>,
}

impl ConnectRule {
    /// Reads a rule; every rule refused here is one the guard could not apply as
    /// meant, and the error says why.
    pub fn parse(rule: &str) -> Result<ConnectRule, String> {
        let bracketed = rule.starts_with('[');
        let (addr, port) = match rule.strip_prefix('[') {
            Some(rest) => rest.split_once("]:").ok_or("expected `[ipv6]:port`")?,
            None => rule
                .rsplit_once(':')
                .ok_or("expected `address:port`, e.g. `127.0.0.1:8080` or `10.0.0.0/8:443`")?,
        };
        let ip_part = addr.split('/').next().unwrap_or(addr);
        if !bracketed && ip_part.contains(':') {
            return Err(format!(
                "an IPv6 address is written in brackets, as `[{ip_part}]:PORT`; without them `{rule}` is ambiguous"
            ));
        }
        if bracketed && ip_part.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!(
                "brackets hold an IPv6 address, and `{ip_part}` is not one (write IPv4 addresses without brackets)"
            ));
        }
        let port = match port {
            "*" => None,
            p => Some(
                p.parse::<u16>()
                    .map_err(|_| format!("port `{p}` is not a number or `*`"))?,
            ),
        };
        if addr == "*" {
            return Ok(ConnectRule { net: None, port });
        }
        let (ip, prefix) = match addr.split_once('/') {
            Some((ip, p)) => (ip, Some(p)),
            None => (addr, None),
        };
        let ip: IpAddr = ip.parse().map_err(|_| {
            format!("`{ip}` is not an IP address (host names cannot be checked at connect time; use an address or a CIDR range)")
        })?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => return Err(format!("prefix `/{p}` is not between 0 and {max}")),
            },
        };
        Ok(ConnectRule {
            net: Some((ip, prefix)),
            port,
        })
    }

    /// Whether the rule allows a connection to `ip`, `port`.
    pub fn allows(&self, ip: IpAddr, port: u16) -> bool {
        let port_ok = self.port.is_none_or(|p| p == port);
        let net_ok = match (self.net, ip) {
            (None, _) => true,
            (Some((IpAddr::V4(n), prefix)), IpAddr::V4(a)) => {
                prefix_match(&n.octets(), &a.octets(), prefix)
            }
            (Some((IpAddr::V6(n), prefix)), IpAddr::V6(a)) => {
                prefix_match(&n.octets(), &a.octets(), prefix)
            }
            _ => false,
        };
        port_ok && net_ok
    }
}

impl fmt::Display for ConnectRule {
    /// The rule in canonical form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.net {
            None => f.write_str("*")?,
            Some((IpAddr::V4(a), 32)) => write!(f, "{a}")?,
            Some((IpAddr::V6(a), 128)) => write!(f, "[{a}]")?,
            Some((IpAddr::V4(a), p)) => write!(f, "{a}/{p}")?,
            Some((IpAddr::V6(a), p)) => write!(f, "[{a}/{p}]")?,
        }
        match self.port {
            None => f.write_str(":*"),
            Some(p) => write!(f, ":{p}"),
        }
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
