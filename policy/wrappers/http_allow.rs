//! The allow-list of outgoing HTTP destinations, shared by both WASI lines' http-guard
//! (through `#[path]`).
//!
//! Settings: one `allow=SCHEME://HOST:PORT` per line, where each part may be `*` and
//! the host may start with `*.` (any subdomain). A request may go to the host only if
//! its scheme, host and port (the scheme's default when the authority has none) match
//! an entry.

use crate::settings;

#[path = "authority.rs"]
mod authority;

thread_local! {
    static ALLOWED: Vec<Pattern> = settings::Settings::parse(&crate::witpipe::policy::settings::get())
        .all(settings::keys::ALLOW_HTTP)
        .filter_map(Pattern::parse)
        .collect();
}

/// `scheme://host:port`, each part possibly a wildcard.
struct Pattern {
    scheme: String,
    host: String,
    port: String,
}

impl Pattern {
    fn parse(text: &str) -> Option<Pattern> {
        let (scheme, rest) = text.split_once("://")?;
        let (host, port) = split_port(rest);
        Some(Pattern {
            scheme: scheme.to_ascii_lowercase(),
            host: host.to_ascii_lowercase(),
            port: port.unwrap_or("").to_string(),
        })
    }

    fn matches(&self, scheme: &str, host: &str, port: u16) -> bool {
        let scheme_ok = self.scheme == "*" || self.scheme == scheme;
        let host_ok = self.host == "*"
            || self.host == host
            || self
                .host
                .strip_prefix("*.")
                .is_some_and(|base| host.ends_with(&format!(".{base}")));
        let port_ok = match self.port.as_str() {
            "*" => true,
            "" => default_port(&self.scheme) == Some(port),
            p => p.parse() == Ok(port),
        };
        scheme_ok && host_ok && port_ok
    }
}

/// Splits `host:port` (with `[v6]:port` for IPv6 literals).
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[') {
        if let Some((host, tail)) = rest.split_once(']') {
            return (host, tail.strip_prefix(':'));
        }
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, Some(port)),
        _ => (authority, None),
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// Whether a request to `scheme` (lower case; `https` when the request has none) and
/// `authority` is on the allow-list. An authority that is not plainly `host[:port]`
/// ([`authority::destination`]) is refused: the guard must not read one destination
/// where the host would connect to another.
pub fn allowed(scheme: &str, authority: Option<String>) -> bool {
    let Some((host, port)) = authority.as_deref().and_then(authority::destination) else {
        return false;
    };
    let Some(port) = port.or_else(|| default_port(scheme)) else {
        return false;
    };
    ALLOWED.with(|list| list.iter().any(|p| p.matches(scheme, &host, port)))
}
