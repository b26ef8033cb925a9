//! Deciding, per import of a component, who serves it.

use crate::grants::{Access, ArgsGrant, ClockMode, Grants, GrantsSpec, RandomMode, CAPABILITIES};
use serde_saphyr::Location;
use std::fmt::Write;

/// Who serves one import of a guarded component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The host: granted, or carries no authority (`wasi:io`).
    Host,
    /// The virtual platform wrapper (`guard`).
    Guard,
    /// The environment filter wrapper (`env-filter`).
    EnvFilter,
}

/// What the composer must build for one component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every unlinked import of the component and who serves it.
    pub routes: Vec<(String, Route)>,
    /// Settings of the component's `guard` instance, if any import goes there.
    pub guard_settings: Option<String>,
    /// Settings of its `env-filter` instance, if the environment goes there.
    pub env_settings: Option<String>,
    /// The WASI 0.2 version the component imports (wrappers are retargeted to it).
    pub wasi_version: Option<String>,
    /// Capabilities its own grants name that it never imports.
    pub unused_grants: Vec<&'static str>,
    /// Host environment variables it may read (`*` for all).
    pub host_env: Vec<String>,
    /// Whether it receives the host's arguments.
    pub host_args: bool,
}

/// A grant that cannot be honoured, or an import that no grant covers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A grant key reserved for a later version.
    #[error("`{key}:` grants are not enforced yet")]
    Reserved {
        /// The key.
        key: &'static str,
        /// Where.
        location: Location,
    },
    /// A `deny:` entry that names no capability.
    #[error("`{name}` is not a capability")]
    UnknownCapability {
        /// The name.
        name: String,
        /// Where.
        location: Location,
    },
    /// The component imports an interface whose policy is not enforced yet.
    #[error("imports `{import}`, and {what} policy is not enforced yet")]
    NotEnforced {
        /// The import.
        import: String,
        /// filesystem, sockets, http, ...
        what: &'static str,
    },
    /// A non-WASI import that no link satisfies and no grant lets through.
    #[error("imports `{import}`, which no link satisfies and no grant lets the host serve")]
    Ungranted {
        /// The import.
        import: String,
    },
    /// A WASI version the wrappers cannot serve.
    #[error("imports `{import}`; witpipe's wrappers serve WASI 0.2.x only")]
    UnsupportedWasi {
        /// The import.
        import: String,
    },
}

impl GrantsSpec {
    /// Problems visible in a grants block alone: reserved keys, unknown `deny:` names.
    pub fn problems(&self) -> Vec<PolicyError> {
        let mut out = Vec::new();
        for (key, v) in [
            ("fs", &self.fs),
            ("http", &self.http),
            ("sockets", &self.sockets),
        ] {
            if let Some(v) = v {
                out.push(PolicyError::Reserved {
                    key,
                    location: v.referenced,
                });
            }
        }
        for name in self.deny.iter().flat_map(|d| d.value.iter()) {
            if !CAPABILITIES.contains(&name.value.as_str()) {
                out.push(PolicyError::UnknownCapability {
                    name: name.value.clone(),
                    location: name.referenced,
                });
            }
        }
        out
    }
}

/// `ns:pkg/iface@version` split up; `None` for plain (function) names.
fn split(name: &str) -> Option<(&str, &str, &str, Option<&str>)> {
    let (ns, rest) = name.split_once(':')?;
    let (pkg, rest) = rest.split_once('/')?;
    let (iface, version) = match rest.split_once('@') {
        Some((i, v)) => (i, Some(v)),
        None => (rest, None),
    };
    Some((ns, pkg, iface, version))
}

/// Whether `import` matches a granted name (versions compatible within 0.x minor or x major).
fn granted(import: &str, grants: &[String]) -> bool {
    let base = |n: &str| n.split('@').next().unwrap_or(n).to_string();
    grants.iter().any(|g| {
        g == import || (!g.contains('@') && base(import) == *g) || track(g) == track(import)
    })
}

/// The semver track of a versioned name: `a:b/c@0.2` for `@0.2.x`, `a:b/c@1` for `@1.x`.
fn track(name: &str) -> Option<String> {
    let (base, v) = name.split_once('@')?;
    let mut parts = v.split('.');
    let major = parts.next()?;
    if v.contains('-') {
        return Some(name.to_string());
    }
    Some(if major == "0" {
        format!("{base}@0.{}", parts.next()?)
    } else {
        format!("{base}@{major}")
    })
}

/// Decides who serves each unlinked import of a component under `grants`, and what
/// the wrappers must be told. `own` is the component's own block (for warnings).
pub fn plan(
    grants: &Grants,
    own: Option<&GrantsSpec>,
    imports: &[String],
) -> Result<Plan, Vec<PolicyError>> {
    let mut plan = Plan::default();
    let mut errors = Vec::new();
    let all_stdio = [grants.stdin, grants.stdout, grants.stderr]
        .iter()
        .all(|a| *a == Access::Allow);
    let env_host = grants.env.allow.iter().any(|a| a == "*")
        && grants.args == ArgsGrant::Inherit
        && grants.cwd.as_deref() == Some("inherit");
    let env_filtered = !grants.env.allow.is_empty()
        || grants.args == ArgsGrant::Inherit
        || grants.cwd.as_deref() == Some("inherit");
    let mut used: Vec<&'static str> = Vec::new();
    for import in imports {
        let route = match split(import) {
            Some(("wasi", pkg, iface, version)) => {
                match version {
                    Some(v) if v.starts_with("0.2.") => {
                        plan.wasi_version.get_or_insert_with(|| v.to_string());
                    }
                    _ => {
                        errors.push(PolicyError::UnsupportedWasi {
                            import: import.clone(),
                        });
                        continue;
                    }
                }
                let allow = |a: Access| {
                    if a == Access::Allow {
                        Route::Host
                    } else {
                        Route::Guard
                    }
                };
                match (pkg, iface) {
                    ("io", _) => Route::Host,
                    ("cli", "environment") => {
                        used.extend(["env", "args", "cwd"]);
                        if env_host {
                            Route::Host
                        } else if env_filtered {
                            Route::EnvFilter
                        } else {
                            Route::Guard
                        }
                    }
                    ("cli", "exit") => {
                        used.push("exit");
                        allow(grants.exit)
                    }
                    ("cli", "stdin") => {
                        used.extend(["stdin", "stdio"]);
                        allow(grants.stdin)
                    }
                    ("cli", "stdout") => {
                        used.extend(["stdout", "stdio"]);
                        allow(grants.stdout)
                    }
                    ("cli", "stderr") => {
                        used.extend(["stderr", "stdio"]);
                        allow(grants.stderr)
                    }
                    ("cli", t) if t.starts_with("terminal-") => {
                        if all_stdio {
                            Route::Host
                        } else {
                            Route::Guard
                        }
                    }
                    ("clocks", "wall-clock" | "monotonic-clock") => {
                        used.push("clocks");
                        if grants.clocks == ClockMode::Allow {
                            Route::Host
                        } else {
                            Route::Guard
                        }
                    }
                    ("random", "random" | "insecure" | "insecure-seed") => {
                        used.push("random");
                        if grants.random == RandomMode::Allow {
                            Route::Host
                        } else {
                            Route::Guard
                        }
                    }
                    ("filesystem", _) | ("sockets", _) | ("http", _) => {
                        errors.push(PolicyError::NotEnforced {
                            import: import.clone(),
                            what: match pkg {
                                "filesystem" => "filesystem",
                                "sockets" => "socket",
                                _ => "HTTP",
                            },
                        });
                        continue;
                    }
                    _ if granted(import, &grants.imports) => Route::Host,
                    _ => {
                        errors.push(PolicyError::Ungranted {
                            import: import.clone(),
                        });
                        continue;
                    }
                }
            }
            _ if granted(import, &grants.imports) => Route::Host,
            _ => {
                errors.push(PolicyError::Ungranted {
                    import: import.clone(),
                });
                continue;
            }
        };
        plan.routes.push((import.clone(), route));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if plan.routes.iter().any(|(_, r)| *r == Route::Guard) {
        plan.guard_settings = Some(guard_settings(grants));
    }
    let env_routed = plan
        .routes
        .iter()
        .find(|(i, _)| i.starts_with("wasi:cli/environment@"));
    if let Some((_, route)) = env_routed {
        if *route == Route::EnvFilter {
            plan.env_settings = Some(env_settings(grants));
        }
        if *route != Route::Guard {
            plan.host_env = grants.env.allow.clone();
            plan.host_args = grants.args == ArgsGrant::Inherit;
        }
    }
    if let Some(own) = own {
        let named = [
            ("env", own.env.is_some()),
            ("args", own.args.is_some()),
            ("cwd", own.cwd.is_some()),
            (
                "stdio",
                own.stdio.as_ref().is_some_and(|s| s.value == Access::Allow),
            ),
            (
                "stdin",
                own.stdin.as_ref().is_some_and(|s| s.value == Access::Allow),
            ),
            (
                "stdout",
                own.stdout
                    .as_ref()
                    .is_some_and(|s| s.value == Access::Allow),
            ),
            (
                "stderr",
                own.stderr
                    .as_ref()
                    .is_some_and(|s| s.value == Access::Allow),
            ),
            (
                "exit",
                own.exit.as_ref().is_some_and(|s| s.value == Access::Allow),
            ),
            (
                "clocks",
                own.clocks
                    .as_ref()
                    .is_some_and(|s| s.value != ClockMode::Deny),
            ),
            (
                "random",
                own.random
                    .as_ref()
                    .is_some_and(|s| s.value != RandomMode::Deny),
            ),
        ];
        plan.unused_grants = named
            .into_iter()
            .filter(|(cap, set)| *set && !used.contains(cap))
            .map(|(cap, _)| cap)
            .collect();
    }
    Ok(plan)
}

fn fixed_env(grants: &Grants, out: &mut String) {
    for (k, v) in &grants.env.set {
        let _ = writeln!(out, "env={k}={}", v.replace('\n', " "));
    }
}

/// The guard's settings: fixed environment, arguments, cwd, clocks and randomness.
fn guard_settings(grants: &Grants) -> String {
    let mut out = String::new();
    fixed_env(grants, &mut out);
    if let ArgsGrant::Fixed(args) = &grants.args {
        for a in args {
            let _ = writeln!(out, "arg={}", a.replace('\n', " "));
        }
    }
    if let Some(cwd) = grants.cwd.as_deref().filter(|c| *c != "inherit") {
        let _ = writeln!(out, "cwd={cwd}");
    }
    out.push_str(match grants.clocks {
        // 2000-01-01T00:00:00Z: an obviously fixed time.
        ClockMode::Deterministic => "clock=fixed:946684800000000000\n",
        _ => "clock=zero\n",
    });
    out.push_str(match grants.random {
        RandomMode::Deterministic => "random=seed:0\n",
        _ => "random=deny\n",
    });
    out
}

/// The env-filter's settings: allowed host variables, fixed ones, args and cwd.
fn env_settings(grants: &Grants) -> String {
    let mut out = String::new();
    for a in &grants.env.allow {
        let _ = writeln!(out, "allow-env={a}");
    }
    fixed_env(grants, &mut out);
    match &grants.args {
        ArgsGrant::Inherit => out.push_str("args=inherit\n"),
        ArgsGrant::Fixed(args) => {
            for a in args {
                let _ = writeln!(out, "arg={}", a.replace('\n', " "));
            }
        }
    }
    if let Some(cwd) = &grants.cwd {
        let _ = writeln!(out, "cwd={cwd}");
    }
    out
}
