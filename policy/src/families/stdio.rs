//! Standard streams and terminals (`wasi:cli/std{in,out,err}`, `terminal-*`): keys
//! `stdio:` (all three at once), `stdin:`, `stdout:`, `stderr:`.
//!
//! A granted stream comes from the host; a denied one is answered by the guard, which
//! traps when the stream is asked for (WASI 0.2 has no way to say no). Terminals are
//! the host's only when all three streams are.

use super::{host_if, Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grants::{Access, Grants, GrantsSpec};
use crate::wrappers::Wrapper;
use crate::PolicyError;

/// The family of the standard streams.
pub(crate) struct Stdio;

impl Family for Stdio {
    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[
            ("cli", "stdin", Capability::Stdin),
            ("cli", "stdout", Capability::Stdout),
            ("cli", "stderr", Capability::Stderr),
            ("cli", "terminal-*", Capability::Terminal),
        ]
    }

    fn keys(&self) -> &'static [&'static str] {
        &["stdio", "stdin", "stdout", "stderr"]
    }

    fn denials(&self) -> &'static [super::Denial] {
        use super::Denial;
        &[
            Denial {
                code: "stdin",
                asked: "its standard input (`wasi:cli/stdin`)",
                grant: "stdin: allow",
                instead: "`stdio: allow` grants all three streams",
            },
            Denial {
                code: "stdout",
                asked: "its standard output (`wasi:cli/stdout`)",
                grant: "stdout: allow",
                instead: "`stdio: allow` grants all three streams",
            },
            Denial {
                code: "stderr",
                asked: "its standard error (`wasi:cli/stderr`)",
                grant: "stderr: allow",
                instead: "`stdio: allow` grants all three streams",
            },
        ]
    }

    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec) {
        if let Some(s) = &spec.stdio {
            (grants.stdin, grants.stdout, grants.stderr) = (s.value, s.value, s.value);
        }
        for (field, value) in [
            (&mut grants.stdin, &spec.stdin),
            (&mut grants.stdout, &spec.stdout),
            (&mut grants.stderr, &spec.stderr),
        ] {
            if let Some(v) = value {
                *field = v.value;
            }
        }
    }

    fn deny(&self, grants: &mut Grants, key: &str) {
        match key {
            "stdin" => grants.stdin = Access::Deny,
            "stdout" => grants.stdout = Access::Deny,
            "stderr" => grants.stderr = Access::Deny,
            _ => (grants.stdin, grants.stdout, grants.stderr) = Default::default(),
        }
    }

    fn named(&self, own: &GrantsSpec) -> Vec<&'static str> {
        let allowed =
            |a: &Option<crate::At<Access>>| a.as_ref().is_some_and(|s| s.value == Access::Allow);
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

    fn route(&self, grants: &Grants, what: Capability, _: &str) -> Result<Routed, PolicyError> {
        let allowed = |a: Access| a == Access::Allow;
        Ok(match what {
            Capability::Stdin => Routed::new(
                host_if(allowed(grants.stdin), Wrapper::Guard),
                &["stdin", "stdio"],
            ),
            Capability::Stdout => Routed::new(
                host_if(allowed(grants.stdout), Wrapper::Guard),
                &["stdout", "stdio"],
            ),
            Capability::Stderr => Routed::new(
                host_if(allowed(grants.stderr), Wrapper::Guard),
                &["stderr", "stdio"],
            ),
            _ => {
                let all = [grants.stdin, grants.stdout, grants.stderr]
                    .into_iter()
                    .all(allowed);
                Routed::new(host_if(all, Wrapper::Guard), &[])
            }
        })
    }

    fn wasmtime_flags(&self, _: &HostContract, _: &mut Vec<String>) {
        // `wasmtime run` inherits the standard streams; the guard keeps denied ones out.
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::route_of;
    use crate::{Access, Grants, Route, Wrapper};

    #[test]
    fn each_stream_on_its_own_grant_and_terminals_only_with_all_three() {
        let g = Grants {
            stdout: Access::Allow,
            ..Grants::default()
        };
        assert_eq!(route_of(&g, "wasi:cli/stdout@0.2.6"), Route::Host);
        assert_eq!(
            route_of(&g, "wasi:cli/stdin@0.2.6"),
            Route::Wrapper(Wrapper::Guard)
        );
        assert_eq!(
            route_of(&g, "wasi:cli/terminal-stdout@0.2.6"),
            Route::Wrapper(Wrapper::Guard)
        );
        let all = Grants {
            stdin: Access::Allow,
            stdout: Access::Allow,
            stderr: Access::Allow,
            ..Grants::default()
        };
        assert_eq!(
            route_of(&all, "wasi:cli/terminal-stdout@0.2.6"),
            Route::Host
        );
    }
}
