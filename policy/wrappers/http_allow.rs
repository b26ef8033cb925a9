//! The allow-list of outgoing HTTP destinations, shared by both WASI lines' http-guard
//! (through `#[path]`).
//!
//! Settings: one `allow=SCHEME://HOST:PORT` per line, where each part may be `*` and
//! the host may start with `*.` (any subdomain), read with the checker's own grammar
//! (`policy/src/grammar/http_pattern.rs`). A request may go to the host only if its
//! scheme, host and port (the scheme's default when the authority has none) match an
//! entry.

use crate::settings;

#[path = "authority.rs"]
mod authority;

#[path = "../src/grammar/http_pattern.rs"]
mod http_pattern;
use http_pattern::{default_port, HttpPattern};

thread_local! {
    static ALLOWED: Vec<HttpPattern> = settings::Settings::parse(&crate::witpipe::policy::settings::get())
        .all(settings::keys::ALLOW_HTTP)
        .filter_map(|text| HttpPattern::parse(text).ok())
        .collect();
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
