//! Outgoing HTTP (`wasi:http/outgoing-handler`; at WASI 0.3 `wasi:http/client`): key
//! `http:`, a list of
//! `scheme://host[:port]` destinations with `*` wildcards (Spin's grammar).
//!
//! Nothing granted → the `http-deny` wrapper (every request refused with
//! `HTTP-request-denied`); some destinations → the `http-guard` wrapper, which lets
//! only those leave. Building requests and reading responses (`wasi:http/types`)
//! carries no authority. An exported `incoming-handler` (0.3: `handler`) is what the
//! output offers, not a capability it asks for; an *imported* 0.3 `handler` (a
//! middleware's downstream) is refused, not enforced.

use super::{Family, Keys, Output, WrapperSetting};
use crate::capability::Capability;
use crate::error::PolicyError;
use crate::grammar::HttpPattern;
use crate::route::{Route, Routed, Routes};
use crate::settings_keys as keys;
use crate::wrappers::Role;
use serde::{Deserialize, Serialize};
use std::path::Path;

grant_keys! {
    /// `http:` as written.
    HttpSpec {
        /// `http:` — allowed outgoing destinations, `scheme://host[:port]` with `*`.
        http: Vec<crate::span::At<String>>,
    }
}

/// What outgoing HTTP asks of the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpHost {
    /// The destinations some component may reach (sorted), when it imports outgoing
    /// HTTP: the wrappers enforce them inside the output; a deployment target that
    /// keeps an allow-list of its own gets them as a second line of defence.
    #[serde(rename = "http", default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<HttpPattern>,
}

/// What the `http-guard` is told: one allowed destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowHttp(pub HttpPattern);

impl WrapperSetting for AllowHttp {
    fn line(&self) -> String {
        keys::line(keys::ALLOW_HTTP, &[&self.0.to_string()])
    }
}

/// Outgoing HTTP to allowed destinations only.
pub static HTTP_GUARD: Role = crate::wasi_role!("http-guard", settings: true);
/// No outgoing HTTP.
pub static HTTP_DENY: Role = crate::wasi_role!("http-deny", settings: false);

/// The family of `wasi:http`'s outgoing side.
pub struct Http;

impl Family for Http {
    type Spec = HttpSpec;
    type Grant = Vec<HttpPattern>;
    type Host = HttpHost;
    type Setting = AllowHttp;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] = &[
        ("http", "outgoing-handler", Capability::HttpOutgoing),
        ("http", "client", Capability::HttpOutgoing),
        ("http", "types", Capability::HttpTypes),
        ("http", "*", Capability::Other),
    ];
    const ROLES: &'static [&'static Role] = &[&HTTP_GUARD, &HTTP_DENY];

    fn problems(spec: &HttpSpec, out: &mut Vec<PolicyError>) {
        let refused = |pattern: &String, why, span| PolicyError::BadHttpPattern {
            pattern: pattern.clone(),
            why,
            span,
        };
        let patterns = spec.http.iter().flat_map(|h| h.value.iter());
        super::refused(patterns, |p: &String| check_pattern(p), refused, out);
    }

    fn overlay(grant: &mut Vec<HttpPattern>, spec: &HttpSpec) {
        if let Some(h) = &spec.http {
            *grant = super::parsed(&h.value, HttpPattern::parse);
        }
    }

    fn deny(grant: &mut Vec<HttpPattern>, _: &str) {
        grant.clear();
    }

    fn named(own: &HttpSpec) -> Vec<&'static str> {
        let set = own.http.as_ref().is_some_and(|h| !h.value.is_empty());
        set.then_some("http").into_iter().collect()
    }

    fn unused_is_error() -> Option<PolicyError> {
        Some(PolicyError::HttpNotImported)
    }

    fn route(
        grant: &Vec<HttpPattern>,
        _: bool,
        what: Capability,
        import: &str,
    ) -> Result<Routed, PolicyError> {
        let wrapper = match grant.is_empty() {
            true => HTTP_DENY.p2(),
            false => HTTP_GUARD.p2(),
        };
        match what {
            Capability::HttpOutgoing => Ok(Routed::new(Route::Wrapper(wrapper), HttpSpec::KEYS)),
            Capability::HttpTypes => Ok(Routed::new(Route::Host, &[])),
            _ => Err(PolicyError::NotEnforced {
                import: import.into(),
                what: "HTTP",
            }),
        }
    }

    fn settings(grant: &Vec<HttpPattern>, role: &Role, _: Routes, out: &mut Vec<AllowHttp>) {
        if role.is(&HTTP_GUARD) {
            out.extend(grant.iter().cloned().map(AllowHttp));
        }
    }

    fn host_needs(grant: &Vec<HttpPattern>, routes: Routes) -> HttpHost {
        let outgoing = routes.of(Capability::HttpOutgoing).is_some();
        HttpHost {
            allowed: if outgoing { grant.clone() } else { Vec::new() },
        }
    }

    fn gather(parts: &[&HttpHost], _: &Path) -> HttpHost {
        let mut allowed: Vec<_> = parts.iter().flat_map(|p| p.allowed.clone()).collect();
        allowed.sort_by_key(|p| p.to_string());
        allowed.dedup();
        HttpHost { allowed }
    }

    fn wasmtime_flags(_: &HttpHost, output: &Output, out: &mut Vec<String>) {
        // `wasmtime serve` links WASI HTTP itself.
        let http = output.has(Capability::HttpOutgoing) || output.has(Capability::HttpTypes);
        if http && !output.serves_http {
            out.push("-S http".into());
        }
    }
}

/// Checks an `http:` entry against its grammar ([`HttpPattern`]).
fn check_pattern(p: &str) -> Result<(), String> {
    HttpPattern::parse(p).map(drop)
}

#[cfg(test)]
mod tests {
    use super::check_pattern;
    use crate::families::http::HTTP_DENY;
    use crate::families::http::HTTP_GUARD;
    use crate::testing::{route_of, wrapper_settings};
    use crate::{Grants, Route};

    const OUT: &str = "wasi:http/outgoing-handler@0.2.6";

    #[test]
    fn requests_leave_only_through_a_wrapper() {
        assert_eq!(
            route_of(&Grants::default(), OUT),
            Route::Wrapper(HTTP_DENY.p2())
        );
        let g = Grants {
            http: vec![crate::grammar::HttpPattern::parse("https://*.example.com").unwrap()],
            ..Grants::default()
        };
        assert_eq!(route_of(&g, OUT), Route::Wrapper(HTTP_GUARD.p2()));
        assert_eq!(route_of(&g, "wasi:http/types@0.2.6"), Route::Host);
        assert_eq!(
            wrapper_settings(&g, OUT, HTTP_GUARD.p2()),
            "allow=https://*.example.com\n"
        );
    }

    #[test]
    fn the_destination_grammar() {
        assert!(check_pattern("https://api.example.com:443").is_ok());
        assert!(check_pattern("*://[::1]:8080").is_ok());
        assert!(check_pattern("ftp://x").is_err());
        assert!(check_pattern("https://x/path").is_err());
        assert!(check_pattern("https://a*b").is_err());
        assert!(check_pattern("https://x:port").is_err());
        assert!(check_pattern("https://[::1]").is_ok());
        assert!(check_pattern("*://*:*").is_ok());
        // Entries the wrapper could never match are refused.
        for never in [
            "https://x?q=1",
            "https://x#top",
            "https://bücher.example",
            "*://example.com",
            "https://::1",
            "https://user@x",
            "https://[::1",
            "https://[nope]:80",
            "https://a..b",
        ] {
            assert!(check_pattern(never).is_err(), "{never}");
        }
        assert!(check_pattern("*://example.com")
            .unwrap_err()
            .contains("no default port"));
    }
}
