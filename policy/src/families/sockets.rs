//! Sockets (`wasi:sockets`): key `sockets:`, `{ connect: [ADDRESS[/PREFIX]:PORT, ...],
//! lookup: allow }`.
//!
//! Nothing granted → the `sockets-deny` wrapper (every socket and lookup refused with
//! `access-denied`); some → the `sockets-guard` wrapper (TCP connections to the listed
//! addresses only, UDP always denied) and, unless `lookup: allow`, `lookup-deny`.

use super::{Access, Family, Keys, NoHost, Output, WrapperSetting};
use crate::capability::Capability;
use crate::error::PolicyError;
use crate::grammar::ConnectRule;
use crate::route::{Route, Routed, Routes};
use crate::settings_keys as keys;
use crate::span::At;
use crate::wrappers::Role;
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

grant_keys! {
    /// `sockets:` as written.
    SocketsSpec {
        /// `sockets:` — `{ connect: [ADDR[/PREFIX]:PORT, ...], lookup: allow }`.
        sockets: SocketsGrant,
    }
}

/// What a component is granted of the network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SocketsGrants {
    /// Allowed outgoing TCP destinations.
    pub connect: Vec<ConnectRule>,
    /// Name lookup.
    pub lookup: Access,
}

/// What the `sockets-guard` is told: one allowed TCP destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect(pub ConnectRule);

impl WrapperSetting for Connect {
    fn line(&self) -> String {
        keys::line(keys::CONNECT, &[&self.0.to_string()])
    }
}

/// No sockets and no name lookup.
pub static SOCKETS_DENY: Role = crate::wasi_role!("sockets-deny", settings: false);
/// TCP connections to allowed addresses only; no UDP.
pub static SOCKETS_GUARD: Role = crate::wasi_role!("sockets-guard", settings: true);
/// No name lookup.
pub static LOOKUP_DENY: Role = crate::wasi_role!("lookup-deny", settings: false);

/// The family of `wasi:sockets`.
pub struct Sockets;

impl Family for Sockets {
    type Spec = SocketsSpec;
    type Grant = SocketsGrants;
    type Host = NoHost;
    type Setting = Connect;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] = &[
        ("sockets", "network", Capability::Network),
        ("sockets", "instance-network", Capability::Network),
        ("sockets", "ip-name-lookup", Capability::NameLookup),
        ("sockets", "udp*", Capability::Udp),
        ("sockets", "*", Capability::Tcp),
    ];
    const ROLES: &'static [&'static Role] = &[&SOCKETS_DENY, &SOCKETS_GUARD, &LOOKUP_DENY];

    fn problems(spec: &SocketsSpec, out: &mut Vec<PolicyError>) {
        let refused = |rule: &String, why, span| PolicyError::BadConnectRule {
            rule: rule.clone(),
            why,
            span,
        };
        let rules = spec.sockets.iter().flat_map(|s| s.value.connect.iter());
        super::refused(rules, |r: &String| check_connect_rule(r), refused, out);
    }

    fn overlay(grant: &mut SocketsGrants, spec: &SocketsSpec) {
        if let Some(so) = &spec.sockets {
            grant.connect = super::parsed(&so.value.connect, ConnectRule::parse);
            grant.lookup = so.value.lookup;
        }
    }

    fn deny(grant: &mut SocketsGrants, _: &str) {
        *grant = SocketsGrants::default();
    }

    fn named(own: &SocketsSpec) -> Vec<&'static str> {
        own.sockets
            .as_ref()
            .map(|_| "sockets")
            .into_iter()
            .collect()
    }

    fn route(
        grant: &SocketsGrants,
        _: bool,
        what: Capability,
        _: &str,
    ) -> Result<Routed, PolicyError> {
        let lookup = grant.lookup == Access::Allow;
        let route = if grant.connect.is_empty() && !lookup {
            Route::Wrapper(SOCKETS_DENY.p2())
        } else {
            match what {
                // A network handle grants nothing by itself.
                Capability::Network => Route::Host,
                Capability::NameLookup if lookup => Route::Host,
                Capability::NameLookup => Route::Wrapper(LOOKUP_DENY.p2()),
                _ => Route::Wrapper(SOCKETS_GUARD.p2()),
            }
        };
        Ok(Routed::new(route, SocketsSpec::KEYS))
    }

    fn settings(grant: &SocketsGrants, role: &Role, _: Routes, out: &mut Vec<Connect>) {
        if role.is(&SOCKETS_GUARD) {
            out.extend(grant.connect.iter().cloned().map(Connect));
        }
    }

    fn wasmtime_flags(_: &NoHost, output: &Output, out: &mut Vec<String>) {
        if output.has(Capability::Tcp) {
            out.push("-S inherit-network".into());
        }
        if output.has(Capability::NameLookup) {
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
    use crate::families::sockets::LOOKUP_DENY;
    use crate::families::sockets::SOCKETS_DENY;
    use crate::families::sockets::SOCKETS_GUARD;
    use crate::testing::{route_of, wrapper_settings};
    use crate::{Access, Grants, Route};

    #[test]
    fn sockets_deny_guard_and_lookup() {
        let tcp = "wasi:sockets/tcp@0.2.6";
        let lookup = "wasi:sockets/ip-name-lookup@0.2.6";
        assert_eq!(
            route_of(&Grants::default(), tcp),
            Route::Wrapper(SOCKETS_DENY.p2())
        );
        let g = Grants {
            sockets: crate::families::sockets::SocketsGrants {
                connect: vec![crate::grammar::ConnectRule::parse("127.0.0.1:80").unwrap()],
                lookup: crate::Access::Deny,
            },
            ..Grants::default()
        };
        assert_eq!(route_of(&g, tcp), Route::Wrapper(SOCKETS_GUARD.p2()));
        assert_eq!(route_of(&g, "wasi:sockets/network@0.2.6"), Route::Host);
        assert_eq!(route_of(&g, lookup), Route::Wrapper(LOOKUP_DENY.p2()));
        assert_eq!(
            wrapper_settings(&g, tcp, SOCKETS_GUARD.p2()),
            "connect=127.0.0.1:80\n"
        );
        let named = Grants {
            sockets: crate::families::sockets::SocketsGrants {
                connect: vec![],
                lookup: Access::Allow,
            },
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
