//! The grammar of an `http:` grant entry, `scheme://host[:port]` with `*` wildcards
//! (Spin's grammar): one type, [`HttpPattern`], parsed by one function. The policy
//! checker refuses what [`HttpPattern::parse`] refuses (with its reason), the
//! `http-guard` wrappers of both WASI lines match requests with
//! [`HttpPattern::matches`] (this file is compiled into them through `#[path]`, so it
//! uses `std` alone), and the deploy targets derive their allow-lists from its parts.

use std::fmt;

/// The port part of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternPort {
    /// `:*`: any port.
    Any,
    /// No port: the scheme's default (80 for `http`, 443 for `https`).
    Default,
    /// `:N`.
    Number(u16),
}

/// One `http:` entry: the destinations a component may send requests to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPattern {
    /// `http`, `https` or `*`.
    pub scheme: String,
    /// A host name in lower case, `*`, `*.domain`, an IPv4 address, or an IPv6
    /// address (without its brackets).
    pub host: String,
    /// The port.
    pub port: PatternPort,
}

/// The default port of `scheme`, if it has one.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl HttpPattern {
    /// Reads an entry: scheme `http`, `https` or `*`; host an ASCII name, an IPv4
    /// address, a bracketed IPv6 address, `*` or `*.domain`; port a number or `*`
    /// (required with scheme `*`, which has no default port). Every entry refused
    /// here is one no request could match; the error says why.
    pub fn parse(text: &str) -> Result<HttpPattern, String> {
        let (scheme, rest) = text
            .split_once("://")
            .ok_or("expected `scheme://host[:port]`, e.g. `https://api.example.com`")?;
        if !matches!(scheme, "http" | "https" | "*") {
            return Err(format!("scheme `{scheme}` is not `http`, `https` or `*`"));
        }
        if let Some(c) = rest.chars().find(|c| matches!(c, '/' | '?' | '#')) {
            let what = match c {
                '/' => "path",
                '?' => "query",
                _ => "fragment",
            };
            return Err(format!(
                "a destination has no {what}; write only `scheme://host[:port]`"
            ));
        }
        if rest.contains('@') {
            return Err("a destination has no user name; write only `scheme://host[:port]`".into());
        }
        let (host, port) = match rest.strip_prefix('[') {
            Some(v6) => {
                let (addr, tail) = v6
                    .split_once(']')
                    .ok_or("an IPv6 address needs its closing `]`")?;
                if addr.parse::<std::net::Ipv6Addr>().is_err() {
                    return Err(format!("`[{addr}]` is not an IPv6 address"));
                }
                match tail {
                    "" => (addr, None),
                    _ => match tail.strip_prefix(':') {
                        Some(port) => (addr, Some(port)),
                        None => return Err(format!("expected `:PORT` after `[{addr}]`")),
                    },
                }
            }
            None => {
                let (host, port) = match rest.split_once(':') {
                    Some((h, port)) => (h, Some(port)),
                    None => (rest, None),
                };
                if port.is_some_and(|p| p.contains(':')) {
                    return Err(format!(
                        "an IPv6 address is written in brackets, as `{scheme}://[ADDRESS]:PORT`"
                    ));
                }
                check_host(host)?;
                (host, port)
            }
        };
        let port = match port {
            Some("*") => PatternPort::Any,
            Some(port) => PatternPort::Number(
                port.parse()
                    .map_err(|_| format!("port `{port}` is not a number or `*`"))?,
            ),
            None if scheme == "*" => {
                return Err(format!(
                    "scheme `*` has no default port, so `{text}` could never match: add one (`*://{host}:443`) or `:*` for any"
                ))
            }
            None => PatternPort::Default,
        };
        Ok(HttpPattern {
            scheme: scheme.to_string(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// Whether a request to `scheme` (lower case), `host` (lower case; an IPv6
    /// address without brackets) and `port` (the scheme's default when the request
    /// names none) may go.
    pub fn matches(&self, scheme: &str, host: &str, port: u16) -> bool {
        let scheme_ok = self.scheme == "*" || self.scheme == scheme;
        let host_ok = self.host == "*"
            || self.host == host
            || (self.host.strip_prefix("*."))
                .is_some_and(|base| host.strip_suffix(base).is_some_and(|s| s.ends_with('.')));
        let port_ok = match self.port {
            PatternPort::Any => true,
            PatternPort::Default => default_port(&self.scheme) == Some(port),
            PatternPort::Number(n) => n == port,
        };
        scheme_ok && host_ok && port_ok
    }

    /// The host as a URL writes it: an IPv6 address in brackets.
    pub fn host_in_url(&self) -> String {
        match self.host.contains(':') {
            true => format!("[{}]", self.host),
            false => self.host.clone(),
        }
    }
}

impl fmt::Display for HttpPattern {
    /// The entry as written, in canonical form (host in lower case).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host_in_url())?;
        match self.port {
            PatternPort::Any => f.write_str(":*"),
            PatternPort::Default => Ok(()),
            PatternPort::Number(n) => write!(f, ":{n}"),
        }
    }
}

/// A host name (`*`, `*.domain`, ASCII labels of letters, digits, `-` and `_`).
fn check_host(host: &str) -> Result<(), String> {
    if !host.is_ascii() {
        return Err(format!(
            "host `{host}` is not ASCII: write an international name in its ASCII (`xn--`) form, as requests carry it"
        ));
    }
    let name = match host {
        "*" => return Ok(()),
        _ => host.strip_prefix("*.").unwrap_or(host),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match name.split('.').all(label_ok) {
        true => Ok(()),
        false => Err(format!(
            "host `{host}` must be a name, an address, `*` or `*.domain`"
        )),
    }
}
