//! How the HTTP guards read a request's authority: `host[:port]` and nothing else,
//! read the way the host that sends the request reads it (`http::uri::Authority`, then
//! a TCP connection to `host:port`). Shared through `#[path]` by `http_allow.rs` and by
//! `witpipe-host`'s fuzz entry, which checks the two readings agree.

/// The destination `authority` names: its host (lower case, an IPv6 address without
/// its brackets) and its port if it has one. `None` for anything that is not plainly
/// `host[:port]`: user info (`a@b`), an empty host or port, a port that is not a
/// number below 65536, a path, spaces, percent-escapes or any other character a host
/// name, an IPv4 address or a bracketed IPv6 address does not hold. A port has no
/// leading zero.
pub fn destination(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => {
            let (v6, tail) = rest.split_once(']')?;
            v6.parse::<std::net::Ipv6Addr>().ok()?;
            (v6, port_of(tail)?)
        }
        None => {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
            if host.is_empty() || !host.chars().all(name_char) {
                return None;
            }
            (host, port.map(number).map_or(Some(None), |p| p.map(Some))?)
        }
    };
    Some((host.to_ascii_lowercase(), port))
}

/// The port after a bracketed IPv6 address: nothing, or `:` and a number.
fn port_of(tail: &str) -> Option<Option<u16>> {
    match tail {
        "" => Some(None),
        _ => number(tail.strip_prefix(':')?).map(Some),
    }
}

/// A port: 1 to 5 ASCII digits without a leading zero, below 65536 (`022` is refused:
/// the host would connect to the text as written, which must be what the guard read).
fn number(text: &str) -> Option<u16> {
    let digits = !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit());
    let plain = text == "0" || !text.starts_with('0');
    (digits && plain).then(|| text.parse().ok()).flatten()
}
