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

use super::{Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grammar::HttpPattern;
use crate::grants::{Grants, GrantsSpec};
use crate::plan::{Plan, Route};
use crate::settings::Setting;
use crate::wrappers::Wrapper;
use crate::PolicyError;

/// The family of `wasi:http`.
pub(crate) struct Http;

impl Family for Http {
    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[
            ("http", "outgoing-handler", Capability::HttpOutgoing),
            ("http", "client", Capability::HttpOutgoing),
            ("http", "types", Capability::HttpTypes),
            ("http", "*", Capability::Other),
        ]
    }

    fn problems(&self, spec: &GrantsSpec, out: &mut Vec<PolicyError>) {
        let refused = |pattern: &String, why, span| PolicyError::BadHttpPattern {
            pattern: pattern.clone(),
            why,
            span,
        };
        let patterns = spec.http.iter().flat_map(|h| h.value.iter());
        super::refused(patterns, |p: &String| check_pattern(p), refused, out);
    }

    fn keys(&self) -> &'static [&'static str] {
        &["http"]
    }

    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec) {
        if let Some(h) = &spec.http {
            grants.http = super::parsed(&h.value, HttpPattern::parse);
        }
    }

    fn deny(&self, grants: &mut Grants, _: &str) {
        grants.http.clear();
    }

    fn named(&self, own: &GrantsSpec) -> Vec<&'static str> {
        let set = own.http.as_ref().is_some_and(|h| !h.value.is_empty());
        set.then_some("http").into_iter().collect()
    }

    fn unused_is_error(&self) -> Option<PolicyError> {
        Some(PolicyError::HttpNotImported)
    }

    fn route(
        &self,
        grants: &Grants,
        what: Capability,
        import: &str,
    ) -> Result<Routed, PolicyError> {
        let wrapper = match grants.http.is_empty() {
            true => Wrapper::HttpDeny,
            false => Wrapper::HttpGuard,
        };
        match what {
            Capability::HttpOutgoing => Ok(Routed::new(Route::Wrapper(wrapper), self.keys())),
            Capability::HttpTypes => Ok(Routed::new(Route::Host, &[])),
            _ => Err(PolicyError::NotEnforced {
                import: import.into(),
                what: "HTTP",
            }),
        }
    }

    fn settings(&self, grants: &Grants, wrapper: Wrapper, _: &Plan, out: &mut Vec<Setting>) {
        if wrapper == Wrapper::HttpGuard {
            out.extend(grants.http.iter().cloned().map(Setting::AllowHttp));
        }
    }

    fn host_needs(&self, grants: &Grants, plan: &mut Plan) {
        if plan.route_of(Capability::HttpOutgoing).is_some() {
            plan.host_http = grants.http.clone();
        }
    }

    fn wasmtime_flags(&self, contract: &HostContract, out: &mut Vec<String>) {
        // `wasmtime serve` links WASI HTTP itself.
        let http = contract.has(Capability::HttpOutgoing) || contract.has(Capability::HttpTypes);
        if http && !contract.serves_http() {
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
    use crate::testing::{route_of, wrapper_settings};
    use crate::{Grants, Route, Wrapper};

    const OUT: &str = "wasi:http/outgoing-handler@0.2.6";

    #[test]
    fn requests_leave_only_through_a_wrapper() {
        assert_eq!(
            route_of(&Grants::default(), OUT),
            Route::Wrapper(Wrapper::HttpDeny)
        );
        let g = Grants {
            http: vec![crate::grammar::HttpPattern::parse("https://*.example.com").unwrap()],
            ..Grants::default()
        };
        assert_eq!(route_of(&g, OUT), Route::Wrapper(Wrapper::HttpGuard));
        assert_eq!(route_of(&g, "wasi:http/types@0.2.6"), Route::Host);
        assert_eq!(
            wrapper_settings(&g, OUT, Wrapper::HttpGuard),
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
