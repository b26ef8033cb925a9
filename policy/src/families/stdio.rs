//! Standard streams and terminals (`wasi:cli/std{in,out,err}`, `terminal-*`): keys
//! `stdio:` (all three at once), `stdin:`, `stdout:`, `stderr:`.
//!
//! A granted stream comes from the host; a denied one is answered by the guard, which
//! traps when the stream is asked for (WASI 0.2 has no way to say no). Terminals are
//! the host's only when all three streams are.

use super::guard::GUARD;
use super::{host_if, Access, Family, NoHost, NoSetting};
use crate::capability::Capability;
use crate::error::PolicyError;
use crate::route::Routed;

grant_keys! {
    /// `stdio:`, `stdin:`, `stdout:` and `stderr:` as written.
    StdioSpec {
        /// `stdio:` — all three streams at once.
        stdio: Access,
        /// `stdin:`.
        stdin: Access,
        /// `stdout:`.
        stdout: Access,
        /// `stderr:`.
        stderr: Access,
    }
}

/// Which standard streams a component is granted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StdioGrants {
    /// Standard input.
    pub stdin: Access,
    /// Standard output.
    pub stdout: Access,
    /// Standard error.
    pub stderr: Access,
}

/// The family of `wasi:cli/{stdin,stdout,stderr,terminal-*}`.
pub struct Stdio;

impl Family for Stdio {
    type Spec = StdioSpec;
    type Grant = StdioGrants;
    type Host = NoHost;
    type Setting = NoSetting;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] = &[
        ("cli", "stdin", Capability::Stdin),
        ("cli", "stdout", Capability::Stdout),
        ("cli", "stderr", Capability::Stderr),
        ("cli", "terminal-*", Capability::Terminal),
    ];

    const DENIALS: &'static [super::Denial] = &[
        super::Denial {
            code: "stdin",
            asked: "its standard input (`wasi:cli/stdin`)",
            grant: "stdin: allow",
            instead: "`stdio: allow` grants all three streams",
        },
        super::Denial {
            code: "stdout",
            asked: "its standard output (`wasi:cli/stdout`)",
            grant: "stdout: allow",
            instead: "`stdio: allow` grants all three streams",
        },
        super::Denial {
            code: "stderr",
            asked: "its standard error (`wasi:cli/stderr`)",
            grant: "stderr: allow",
            instead: "`stdio: allow` grants all three streams",
        },
    ];

    fn overlay(grant: &mut StdioGrants, spec: &StdioSpec) {
        if let Some(s) = &spec.stdio {
            (grant.stdin, grant.stdout, grant.stderr) = (s.value, s.value, s.value);
        }
        for (field, value) in [
            (&mut grant.stdin, &spec.stdin),
            (&mut grant.stdout, &spec.stdout),
            (&mut grant.stderr, &spec.stderr),
        ] {
            if let Some(v) = value {
                *field = v.value;
            }
        }
    }

    fn deny(grant: &mut StdioGrants, key: &str) {
        match key {
            "stdin" => grant.stdin = Access::Deny,
            "stdout" => grant.stdout = Access::Deny,
            "stderr" => grant.stderr = Access::Deny,
            _ => *grant = StdioGrants::default(),
        }
    }

    fn named(own: &StdioSpec) -> Vec<&'static str> {
        let allowed = |a: &Option<crate::span::At<Access>>| {
            a.as_ref().is_some_and(|s| s.value == Access::Allow)
        };
        [
            ("stdio", allowed(&own.stdio)),
            ("stdin", allowed(&own.stdin)),
            ("stdout", allowed(&own.stdout)),
            ("stderr", allowed(&own.stderr)),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }

    fn route(
        grant: &StdioGrants,
        _: bool,
        what: Capability,
        _: &str,
    ) -> Result<Routed, PolicyError> {
        let allowed = |a: Access| a == Access::Allow;
        let guard = GUARD.p2();
        Ok(match what {
            Capability::Stdin => {
                Routed::new(host_if(allowed(grant.stdin), guard), &["stdin", "stdio"])
            }
            Capability::Stdout => {
                Routed::new(host_if(allowed(grant.stdout), guard), &["stdout", "stdio"])
            }
            Capability::Stderr => {
                Routed::new(host_if(allowed(grant.stderr), guard), &["stderr", "stdio"])
            }
            _ => {
                let all = [grant.stdin, grant.stdout, grant.stderr];
                Routed::new(host_if(all.into_iter().all(allowed), guard), &[])
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Stdio, StdioSpec};
    use crate::families::guard::GUARD;
    use crate::families::Family;
    use crate::testing::route_of;
    use crate::{Access, Grants, Route};

    #[test]
    fn each_stream_on_its_own_grant_and_terminals_only_with_all_three() {
        let mut g = Grants::default();
        g.stdio.stdout = Access::Allow;
        assert_eq!(route_of(&g, "wasi:cli/stdout@0.2.6"), Route::Host);
        assert_eq!(
            route_of(&g, "wasi:cli/stdin@0.2.6"),
            Route::Wrapper(GUARD.p2())
        );
        assert_eq!(
            route_of(&g, "wasi:cli/terminal-stdout@0.2.6"),
            Route::Wrapper(GUARD.p2())
        );
        let mut all = Grants::default();
        Stdio::overlay(
            &mut all.stdio,
            &StdioSpec {
                stdio: Some(crate::At {
                    value: Access::Allow,
                    span: crate::Span::default(),
                }),
                ..StdioSpec::default()
            },
        );
        assert_eq!(
            route_of(&all, "wasi:cli/terminal-stdout@0.2.6"),
            Route::Host
        );
    }
}
