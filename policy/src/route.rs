//! Deciding, per import of a component, who serves it.

use crate::grants::{
    Access, ArgsGrant, ClockMode, FsMode, FsMount, Grants, GrantsSpec, RandomMode, CAPABILITIES,
};
use crate::wrappers::Wrapper;
use serde_saphyr::Location;
use std::fmt::Write;

/// Who serves one import of a guarded component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The host: granted, or carries no authority (`wasi:io`).
    Host,
    /// One of the component's wrapper instances.
    Wrapper(Wrapper),
}

/// A wrapper instance a component needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrapperUse {
    /// Which wrapper.
    pub wrapper: Wrapper,
    /// Whether it reads the component's settings ([`Plan::settings`]).
    pub needs_settings: bool,
}

/// What the composer must build for one component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every unlinked import of the component and who serves it.
    pub routes: Vec<(String, Route)>,
    /// The wrapper instances it needs, in a fixed order.
    pub wrappers: Vec<WrapperUse>,
    /// The settings its wrappers read, one provider instance for all of them: each
    /// wrapper reads only its own keys.
    pub settings: Option<String>,
    /// Directories the host must preopen: `(host path as written, guest path, mode)`.
    pub host_dirs: Vec<FsMount>,
    /// The WASI 0.2 version the component imports (wrappers are retargeted to it).
    pub wasi_version: Option<String>,
    /// Capabilities its own grants name that it never imports.
    pub unused_grants: Vec<&'static str>,
    /// Host environment variables it may read (`*` for all).
    pub host_env: Vec<String>,
    /// Whether it receives the host's arguments.
    pub host_args: bool,
    /// Whether the host serves it `wasi:keyvalue`.
    pub host_keyvalue: bool,
    /// The `wasi:config/store` values the host serves it, if it imports the store.
    pub host_config: Option<Vec<(String, String)>>,
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
    /// An `http:` entry that is not `scheme://host[:port]`.
    #[error("`{pattern}` is not an HTTP destination: {why}")]
    BadHttpPattern {
        /// The entry.
        pattern: String,
        /// What is wrong.
        why: String,
        /// Where.
        location: Location,
    },
    /// A `sockets: connect:` entry that is not `ADDRESS[/PREFIX]:PORT`.
    #[error("`{rule}` is not a TCP destination: {why}")]
    BadConnectRule {
        /// The entry.
        rule: String,
        /// What is wrong.
        why: String,
        /// Where.
        location: Location,
    },
    /// HTTP granted to a component that does not import `wasi:http/outgoing-handler`.
    #[error("is granted `http:` but does not import `wasi:http/outgoing-handler`")]
    HttpNotImported,
    /// A `deny:` entry that names no capability.
    #[error("`{name}` is not a capability")]
    UnknownCapability {
        /// The name.
        name: String,
        /// Where.
        location: Location,
    },
    /// The component imports an interface whose policy is not enforced yet.
    #[error("imports `{import}`, which no {what} policy of this witpipe covers yet")]
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
    /// A host capability (key-value store, configuration) the grants do not name.
    #[error("imports `{import}` but its grants do not say `{key}:`")]
    HostCapability {
        /// The import.
        import: String,
        /// The grant key that would allow it.
        key: &'static str,
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
        for pattern in self.http.iter().flat_map(|h| h.value.iter()) {
            if let Err(why) = check_http_pattern(&pattern.value) {
                out.push(PolicyError::BadHttpPattern {
                    pattern: pattern.value.clone(),
                    why,
                    location: pattern.referenced,
                });
            }
        }
        for rule in self.sockets.iter().flat_map(|s| s.value.connect.iter()) {
            if let Err(why) = check_connect_rule(&rule.value) {
                out.push(PolicyError::BadConnectRule {
                    rule: rule.value.clone(),
                    why,
                    location: rule.referenced,
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
pub fn split(name: &str) -> Option<(&str, &str, &str, Option<&str>)> {
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
            // Host services with no ambient authority over the machine: the host serves
            // them when granted, nothing does otherwise.
            Some(("wasi", pkg @ ("keyvalue" | "config"), _, _)) => {
                used.push(if pkg == "config" {
                    "config"
                } else {
                    "keyvalue"
                });
                let granted = match pkg {
                    "keyvalue" => grants.keyvalue == Access::Allow,
                    _ => grants.config.is_some(),
                };
                if !granted {
                    errors.push(PolicyError::HostCapability {
                        import: import.clone(),
                        key: if pkg == "config" {
                            "config"
                        } else {
                            "keyvalue"
                        },
                    });
                    continue;
                }
                if pkg == "keyvalue" {
                    plan.host_keyvalue = true;
                } else {
                    plan.host_config = grants.config.clone();
                }
                Route::Host
            }
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
                let guard = Route::Wrapper(Wrapper::Guard);
                let allow = |a: Access| {
                    if a == Access::Allow {
                        Route::Host
                    } else {
                        guard
                    }
                };
                match (pkg, iface) {
                    ("io", _) => Route::Host,
                    ("cli", "environment") => {
                        used.extend(["env", "args", "cwd"]);
                        if env_host {
                            Route::Host
                        } else if env_filtered {
                            Route::Wrapper(Wrapper::EnvFilter)
                        } else {
                            guard
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
                            guard
                        }
                    }
                    ("clocks", "wall-clock" | "monotonic-clock") => {
                        used.push("clocks");
                        if grants.clocks == ClockMode::Allow {
                            Route::Host
                        } else {
                            guard
                        }
                    }
                    ("random", "random" | "insecure" | "insecure-seed") => {
                        used.push("random");
                        if grants.random == RandomMode::Allow {
                            Route::Host
                        } else {
                            guard
                        }
                    }
                    ("filesystem", "preopens") => {
                        used.push("fs");
                        if grants.fs.is_empty() {
                            Route::Wrapper(Wrapper::FsDeny)
                        } else {
                            Route::Wrapper(Wrapper::FsGuard)
                        }
                    }
                    ("filesystem", "types") if grants.fs.is_empty() => {
                        Route::Wrapper(Wrapper::FsDeny)
                    }
                    ("filesystem", "types") => Route::Wrapper(Wrapper::FsGuard),
                    ("http", "outgoing-handler") => {
                        used.push("http");
                        if grants.http.is_empty() {
                            Route::Wrapper(Wrapper::HttpDeny)
                        } else {
                            Route::Wrapper(Wrapper::HttpGuard)
                        }
                    }
                    // Building requests and reading responses needs no authority.
                    ("http", "types") => Route::Host,
                    ("sockets", iface) => {
                        used.push("sockets");
                        if grants.connect.is_empty() && grants.lookup == Access::Deny {
                            Route::Wrapper(Wrapper::SocketsDeny)
                        } else {
                            match iface {
                                // A network handle grants nothing by itself.
                                "network" | "instance-network" => Route::Host,
                                "ip-name-lookup" if grants.lookup == Access::Allow => Route::Host,
                                "ip-name-lookup" => Route::Wrapper(Wrapper::LookupDeny),
                                _ => Route::Wrapper(Wrapper::SocketsGuard),
                            }
                        }
                    }
                    ("filesystem", _) | ("http", _) => {
                        // One error per package is enough.
                        if errors.iter().any(|e| matches!(e, PolicyError::NotEnforced { import: i, .. } if split(i).map(|p| p.1) == Some(pkg))) {
                            continue;
                        }
                        errors.push(PolicyError::NotEnforced {
                            import: import.clone(),
                            what: match pkg {
                                "filesystem" => "filesystem",
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
    if own.is_some_and(|o| o.http.as_ref().is_some_and(|h| !h.value.is_empty()))
        && !used.contains(&"http")
    {
        return Err(vec![PolicyError::HttpNotImported]);
    }
    for wrapper in Wrapper::ALL {
        if plan
            .routes
            .iter()
            .any(|(_, r)| *r == Route::Wrapper(wrapper))
        {
            // The guard answers the environment only when no env-filter does.
            let env_filtered = plan
                .routes
                .iter()
                .any(|(_, r)| *r == Route::Wrapper(Wrapper::EnvFilter));
            let section = match wrapper {
                Wrapper::Guard => Some(guard_settings(grants, !env_filtered)),
                Wrapper::EnvFilter => Some(env_settings(grants)),
                Wrapper::FsGuard => Some(fs_settings(grants)),
                Wrapper::HttpGuard => Some(http_settings(grants)),
                Wrapper::SocketsGuard => Some(connect_settings(grants)),
                Wrapper::FsDeny
                | Wrapper::HttpDeny
                | Wrapper::SocketsDeny
                | Wrapper::LookupDeny => None,
            };
            plan.wrappers.push(WrapperUse {
                wrapper,
                needs_settings: section.is_some(),
            });
            if let Some(section) = section {
                plan.settings
                    .get_or_insert_with(String::new)
                    .push_str(&section);
            }
        }
    }
    let env_routed = plan
        .routes
        .iter()
        .find(|(i, _)| i.starts_with("wasi:cli/environment@"));
    if let Some((_, route)) = env_routed {
        if *route != Route::Wrapper(Wrapper::Guard) {
            plan.host_env = grants.env.allow.clone();
            plan.host_args = grants.args == ArgsGrant::Inherit;
        }
    }
    if plan.wrappers.iter().any(|w| w.wrapper == Wrapper::FsGuard) {
        plan.host_dirs = grants.fs.clone();
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
            ("fs", own.fs.as_ref().is_some_and(|s| !s.value.is_empty())),
            ("sockets", own.sockets.is_some()),
            (
                "keyvalue",
                own.keyvalue
                    .as_ref()
                    .is_some_and(|s| s.value == Access::Allow),
            ),
            ("config", own.config.is_some()),
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

/// The guard's settings: clocks and randomness, and (when it answers the
/// environment) fixed variables, arguments and cwd.
fn guard_settings(grants: &Grants, environment: bool) -> String {
    let mut out = String::new();
    if environment {
        fixed_env(grants, &mut out);
        if let ArgsGrant::Fixed(args) = &grants.args {
            for a in args {
                let _ = writeln!(out, "arg={}", a.replace('\n', " "));
            }
        }
        if let Some(cwd) = grants.cwd.as_deref().filter(|c| *c != "inherit") {
            let _ = writeln!(out, "cwd={cwd}");
        }
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

/// The fs-guard's settings: one `mount=GUEST|ro` or `mount=GUEST|rw` per directory.
fn fs_settings(grants: &Grants) -> String {
    let mut out = String::new();
    for m in &grants.fs {
        let mode = match m.mode {
            FsMode::Ro => "ro",
            FsMode::Rw => "rw",
        };
        let _ = writeln!(out, "mount={}|{mode}", m.guest);
    }
    out
}

/// The http-guard's settings: one `allow=PATTERN` per destination.
fn http_settings(grants: &Grants) -> String {
    grants.http.iter().map(|p| format!("allow={p}\n")).collect()
}

/// Checks an `http:` entry: `scheme://host[:port]`, scheme `http`, `https` or `*`,
/// host a name, an IP literal, `*` or `*.domain`, port a number or `*`.
fn check_http_pattern(p: &str) -> Result<(), String> {
    let (scheme, rest) = p
        .split_once("://")
        .ok_or("expected `scheme://host[:port]`, e.g. `https://api.example.com`")?;
    if !matches!(scheme, "http" | "https" | "*") {
        return Err(format!("scheme `{scheme}` is not `http`, `https` or `*`"));
    }
    if rest.contains('/') {
        return Err("a destination has no path; write only `scheme://host[:port]`".into());
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') || h.ends_with(']') => (h, Some(port)),
        _ => (rest, None),
    };
    let wildcard_ok = host == "*"
        || host
            .strip_prefix("*.")
            .is_some_and(|base| !base.contains('*'));
    if host.is_empty() || (host.contains('*') && !wildcard_ok) {
        return Err(format!(
            "host `{host}` must be a name, an address, `*` or `*.domain`"
        ));
    }
    if let Some(port) = port {
        if port != "*" && port.parse::<u16>().is_err() {
            return Err(format!("port `{port}` is not a number or `*`"));
        }
    }
    Ok(())
}

/// The sockets-guard's settings: one `connect=RULE` per allowed destination.
fn connect_settings(grants: &Grants) -> String {
    grants
        .connect
        .iter()
        .map(|c| format!("connect={c}\n"))
        .collect()
}

/// Checks a `connect:` entry: `ADDRESS[/PREFIX]:PORT`, `[IPV6][/PREFIX]:PORT` or
/// `*:PORT`, the port a number or `*`.
fn check_connect_rule(rule: &str) -> Result<(), String> {
    let (addr, port) = if let Some(rest) = rule.strip_prefix('[') {
        rest.split_once("]:").ok_or("expected `[ipv6]:port`")?
    } else {
        rule.rsplit_once(':')
            .ok_or("expected `address:port`, e.g. `127.0.0.1:8080` or `10.0.0.0/8:443`")?
    };
    if port != "*" && port.parse::<u16>().is_err() {
        return Err(format!("port `{port}` is not a number or `*`"));
    }
    if addr == "*" {
        return Ok(());
    }
    let (ip, prefix) = match addr.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (addr, None),
    };
    let ip: std::net::IpAddr = ip.parse().map_err(|_| {
        format!("`{ip}` is not an IP address (host names cannot be checked at connect time; use an address or a CIDR range)")
    })?;
    if let Some(p) = prefix {
        let max = if ip.is_ipv4() { 32 } else { 128 };
        match p.parse::<u8>() {
            Ok(n) if n <= max => {}
            _ => return Err(format!("prefix `/{p}` is not between 0 and {max}")),
        }
    }
    Ok(())
}
