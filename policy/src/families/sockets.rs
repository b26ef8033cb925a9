//! Sockets (`wasi:sockets`): key `sockets:`, `{ connect: [ADDRESS[/PREFIX]:PORT, ...],
//! lookup: allow }`.
//!
//! Nothing granted → the `sockets-deny` wrapper (every socket and lookup refused with
//! `access-denied`); some → the `sockets-guard` wrapper (TCP connections to the listed
//! addresses only, UDP always denied) and, unless `lookup: allow`, `lookup-deny`.

use super::{Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grammar::ConnectRule;
use crate::grants::{Access, Grants, GrantsSpec};
use crate::plan::{Plan, Route};
use crate::settings::Setting;
use crate::span::At;
use crate::wrappers::Wrapper;
use crate::PolicyError;
use serde::Deserialize;

/// Network access: outgoing TCP to listed addresses, and name lookup.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SocketsGrant {
    /// `ADDRESS[/PREFIX]:PORT` (`[v6]:PORT`; `*` for any address or port).
    #[serde(default)]
    pub connect: Vec<At<String>>,
    /// Name lookup (`allow` or `deny`, the default).
    #[serde(default)]
    pub lookup: Access,
}

/// The family of `wasi:sockets`.
pub(crate) struct Sockets;

impl Family for Sockets {
    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[
            ("sockets", "network", Capability::Network),
            ("sockets", "instance-network", Capability::Network),
            ("sockets", "ip-name-lookup", Capability::NameLookup),
            ("sockets", "udp*", Capability::Udp),
            ("sockets", "*", Capability::Tcp),
        ]
    }

    fn problems(&self, spec: &GrantsSpec, out: &mut Vec<PolicyError>) {
        let refused = |rule: &String, why, span| PolicyError::BadConnectRule {
            rule: rule.clone(),
            why,
            span,
        };
        let rules = spec.sockets.iter().flat_map(|s| s.value.connect.iter());
        super::refused(rules, |r: &String| check_connect_rule(r), refused, out);
    }

    fn keys(&self) -> &'static [&'static str] {
        &["sockets"]
    }

    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec) {
        if let Some(so) = &spec.sockets {
            grants.connect = super::parsed(&so.value.connect, ConnectRule::parse);
            grants.lookup = so.value.lookup;
        }
    }

    fn deny(&self, grants: &mut Grants, _: &str) {
        grants.connect.clear();
        grants.lookup = Access::Deny;
    }

    fn named(&self, own: &GrantsSpec) -> Vec<&'static str> {
        own.sockets
            .as_ref()
            .map(|_| "sockets")
            .into_iter()
            .collect()
    }

    fn route(&self, grants: &Grants, what: Capability, _: &str) -> Result<Routed, PolicyError> {
        let lookup = grants.lookup == Access::Allow;
        let route = if grants.connect.is_empty() && !lookup {
            Route::Wrapper(Wrapper::SocketsDeny)
        } else {
            match what {
                // A network handle grants nothing by itself.
                Capability::Network => Route::Host,
                Capability::NameLookup if lookup => Route::Host,
                Capability::NameLookup => Route::Wrapper(Wrapper::LookupDeny),
                _ => Route::Wrapper(Wrapper::SocketsGuard),
            }
        };
        Ok(Routed::new(route, self.keys()))
    }

    fn settings(&self, grants: &Grants, wrapper: Wrapper, _: &Plan, out: &mut Vec<Setting>) {
        if wrapper == Wrapper::SocketsGuard {
            out.extend(grants.connect.iter().cloned().map(Setting::Connect));
        }
    }

    fn wasmtime_flags(&self, contract: &HostContract, out: &mut Vec<String>) {
        if contract.has(Capability::Tcp) {
            out.push("-S inherit-network".into());
        }
        if contract.has(Capability::NameLookup) {
            out.push("-S allow-ip-name-lookup".into());
        }
    }
}

/// Checks a `connect:` rule against its grammar ([`ConnectRule`]).
fn check_connect_rule(rule: &str) -> Result<(), String> {
    ConnectRule::parse(rule).map(drop)
}

#[cfg(test)]
mod tests {
    use super::check_connect_rule;
    use crate::testing::{route_of, wrapper_settings};
    use crate::{Access, Grants, Route, Wrapper};

    #[test]
    fn sockets_deny_guard_and_lookup() {
        let tcp = "wasi:sockets/tcp@0.2.6";
        let lookup = "wasi:sockets/ip-name-lookup@0.2.6";
        assert_eq!(
            route_of(&Grants::default(), tcp),
            Route::Wrapper(Wrapper::SocketsDeny)
        );
        let g = Grants {
            connect: vec![crate::grammar::ConnectRule::parse("127.0.0.1:80").unwrap()],
            ..Grants::default()
        };
        assert_eq!(route_of(&g, tcp), Route::Wrapper(Wrapper::SocketsGuard));
        assert_eq!(route_of(&g, "wasi:sockets/network@0.2.6"), Route::Host);
        assert_eq!(route_of(&g, lookup), Route::Wrapper(Wrapper::LookupDeny));
        assert_eq!(
            wrapper_settings(&g, tcp, Wrapper::SocketsGuard),
            "connect=127.0.0.1:80\n"
        );
        let named = Grants {
            lookup: Access::Allow,
            ..Grants::default()
        };
        assert_eq!(route_of(&named, lookup), Route::Host);
    }

    #[test]
    fn the_connect_grammar() {
        assert!(check_connect_rule("10.0.0.0/8:443").is_ok());
        assert!(check_connect_rule("[::1]:80").is_ok());
        assert!(check_connect_rule("*:*").is_ok());
        assert!(check_connect_rule("example.com:80").is_err());
        assert!(check_connect_rule("10.0.0.0/33:80").is_err());
        assert!(check_connect_rule("127.0.0.1").is_err());
        assert!(check_connect_rule("[::1/64]:80").is_ok());
        // An unbracketed IPv6 address is ambiguous (`::1:80` could be `[::1:80]`).
        let why = check_connect_rule("::1:80").unwrap_err();
        assert!(why.contains("`[::1]:PORT`"), "{why}");
        assert!(check_connect_rule("fe80::1/64:443").is_err());
        assert!(check_connect_rule("[127.0.0.1]:80").is_err());
    }
}
