//! Environment variables, arguments and the initial working directory
//! (`wasi:cli/environment`): keys `env:`, `args:`, `cwd:`.
//!
//! Everything of the host's → the host; some of it → the `env-filter` wrapper (host
//! values filtered by an allow-list, plus fixed ones); none of the host's → the guard
//! (fixed values only).

use super::guard::GUARD;
use super::{Family, Keys, WrapperSetting};
use crate::capability::Capability;
use crate::error::PolicyError;
use crate::route::{Route, Routed, Routes};
use crate::settings_keys as keys;
use crate::wrappers::Role;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// Environment variables: passed through from the host and/or set to fixed values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvGrant {
    /// Host variables passed through (`*` for all).
    pub allow: Vec<String>,
    /// Fixed `NAME=VALUE` pairs, baked into the output.
    pub set: Vec<(String, String)>,
}

/// Command-line arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsGrant {
    /// The host's arguments.
    Inherit,
    /// Fixed arguments, baked into the output.
    Fixed(Vec<String>),
}

grant_keys! {
    /// `env:`, `args:` and `cwd:` as written.
    EnvSpec {
        /// `env:` — a list of host variables, `all`, or `{ allow: [...], set: {...} }`.
        env: EnvGrant,
        /// `args:` — `inherit` or a list.
        args: ArgsGrant,
        /// `cwd:` — `inherit` or a path.
        cwd: String,
    }
}

/// What a component is granted of its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvGrants {
    /// Environment variables.
    pub env: EnvGrant,
    /// Arguments.
    pub args: ArgsGrant,
    /// Initial working directory: `None` none, `Some("inherit")` the host's.
    pub cwd: Option<String>,
}

impl Default for EnvGrants {
    /// No variables, no arguments, no working directory.
    fn default() -> Self {
        EnvGrants {
            env: EnvGrant::default(),
            args: ArgsGrant::Fixed(Vec::new()),
            cwd: None,
        }
    }
}

/// What the environment asks of the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvHost {
    /// Host environment variables some component may read (`*` for all).
    pub env: Vec<String>,
    /// Whether some component receives the host's arguments.
    pub args: bool,
}

/// What the guard and the `env-filter` are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvSetting {
    /// A fixed environment variable.
    Env(String, String),
    /// A fixed argument.
    Arg(String),
    /// The host's arguments.
    InheritArgs,
    /// The initial working directory (or `inherit`).
    Cwd(String),
    /// A host variable passed through (`*` for all).
    AllowEnv(String),
}

impl WrapperSetting for EnvSetting {
    fn line(&self) -> String {
        match self {
            EnvSetting::Env(name, value) => keys::line(keys::ENV, &[name, value]),
            EnvSetting::Arg(arg) => keys::line(keys::ARG, &[arg]),
            EnvSetting::InheritArgs => keys::line(keys::ARGS, &["inherit"]),
            EnvSetting::Cwd(cwd) => keys::line(keys::CWD, &[cwd]),
            EnvSetting::AllowEnv(name) => keys::line(keys::ALLOW_ENV, &[name]),
        }
    }
}

/// Host environment filtered by an allow-list, plus fixed values.
pub static ENV_FILTER: Role = crate::wasi_role!("env-filter", settings: true);

/// The family of `wasi:cli/environment`.
pub struct Environment;

impl Environment {
    /// Whether some of the host's environment is granted (else fixed values only).
    fn filtered(grant: &EnvGrants) -> bool {
        !grant.env.allow.is_empty()
            || grant.args == ArgsGrant::Inherit
            || grant.cwd.as_deref() == Some("inherit")
    }

    /// Whether all of it is.
    fn whole(grant: &EnvGrants) -> bool {
        grant.env.allow.iter().any(|a| a == "*")
            && grant.args == ArgsGrant::Inherit
            && grant.cwd.as_deref() == Some("inherit")
    }

    /// The fixed variables.
    fn fixed_env(grant: &EnvGrants, out: &mut Vec<EnvSetting>) {
        let set = grant.env.set.iter();
        out.extend(set.map(|(k, v)| EnvSetting::Env(k.clone(), v.clone())));
    }
}

impl Family for Environment {
    type Spec = EnvSpec;
    type Grant = EnvGrants;
    type Host = EnvHost;
    type Setting = EnvSetting;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] =
        &[("cli", "environment", Capability::Environment)];
    const ROLES: &'static [&'static Role] = &[&ENV_FILTER];

    fn problems(spec: &EnvSpec, out: &mut Vec<PolicyError>) {
        if let Some(cwd) = &spec.cwd {
            let path = cwd.value.as_str();
            let not_absolute =
                (path != "inherit" && !path.starts_with('/')).then(|| PolicyError::BadPath {
                    what: "initial working directory (`cwd:`)",
                    path: path.escape_debug().to_string(),
                    why: "it is neither `inherit` nor an absolute path",
                    span: cwd.span,
                });
            let bad = super::bad_path("initial working directory (`cwd:`)", path, cwd.span);
            out.extend(bad.or(not_absolute));
        }
        let Some(env) = &spec.env else { return };
        let names = env.value.allow.iter().filter(|n| *n != "*");
        let set = env.value.set.iter().map(|(name, _)| name);
        for name in names.chain(set) {
            if let Some(why) = bad_env_name(name) {
                out.push(PolicyError::BadEnvName {
                    name: name.escape_debug().to_string(),
                    why,
                    span: env.span,
                });
            }
        }
    }

    fn overlay(grant: &mut EnvGrants, spec: &EnvSpec) {
        if let Some(e) = &spec.env {
            grant.env = e.value.clone();
        }
        if let Some(a) = &spec.args {
            grant.args = a.value.clone();
        }
        if let Some(c) = &spec.cwd {
            grant.cwd = Some(c.value.clone());
        }
    }

    fn deny(grant: &mut EnvGrants, key: &str) {
        match key {
            "env" => grant.env = EnvGrant::default(),
            "args" => grant.args = ArgsGrant::Fixed(Vec::new()),
            _ => grant.cwd = None,
        }
    }

    fn named(own: &EnvSpec) -> Vec<&'static str> {
        [
            ("env", own.env.is_some()),
            ("args", own.args.is_some()),
            ("cwd", own.cwd.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }

    fn route(grant: &EnvGrants, _: bool, _: Capability, _: &str) -> Result<Routed, PolicyError> {
        let route = if Self::whole(grant) {
            Route::Host
        } else if Self::filtered(grant) {
            Route::Wrapper(ENV_FILTER.p2())
        } else {
            Route::Wrapper(GUARD.p2())
        };
        Ok(Routed::new(route, EnvSpec::KEYS))
    }

    fn settings(grant: &EnvGrants, role: &Role, routes: Routes, out: &mut Vec<EnvSetting>) {
        // The guard answers the environment only when no env-filter does.
        if role.is(&GUARD) && !routes.uses(&ENV_FILTER) {
            Self::fixed_env(grant, out);
            if let ArgsGrant::Fixed(args) = &grant.args {
                out.extend(args.iter().cloned().map(EnvSetting::Arg));
            }
            if let Some(cwd) = grant.cwd.as_deref().filter(|c| *c != "inherit") {
                out.push(EnvSetting::Cwd(cwd.into()));
            }
        } else if role.is(&ENV_FILTER) {
            out.extend(grant.env.allow.iter().cloned().map(EnvSetting::AllowEnv));
            Self::fixed_env(grant, out);
            match &grant.args {
                ArgsGrant::Inherit => out.push(EnvSetting::InheritArgs),
                ArgsGrant::Fixed(args) => out.extend(args.iter().cloned().map(EnvSetting::Arg)),
            }
            if let Some(cwd) = &grant.cwd {
                out.push(EnvSetting::Cwd(cwd.clone()));
            }
        }
    }

    fn host_needs(grant: &EnvGrants, routes: Routes) -> EnvHost {
        match routes.of(Capability::Environment) {
            Some(route) if !route.plays(&GUARD) => EnvHost {
                env: grant.env.allow.clone(),
                args: grant.args == ArgsGrant::Inherit,
            },
            _ => EnvHost::default(),
        }
    }

    fn gather(parts: &[&EnvHost], _: &Path) -> EnvHost {
        let mut env: Vec<String> = parts.iter().flat_map(|p| p.env.clone()).collect();
        env.sort();
        env.dedup();
        EnvHost {
            env,
            args: parts.iter().any(|p| p.args),
        }
    }

    fn wasmtime_flags(host: &EnvHost, _: &super::Output, out: &mut Vec<String>) {
        if host.env.iter().any(|e| e == "*") {
            out.push("-S inherit-env".into());
        } else {
            let vars = host.env.iter();
            out.extend(vars.map(|var| format!("--env {}", super::shell_word(var))));
        }
    }
}

impl<'de> Deserialize<'de> for EnvGrant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Map {
            #[serde(default)]
            allow: Vec<String>,
            #[serde(default)]
            set: std::collections::BTreeMap<String, String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EnvGrant;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of host variables, `all`, or a mapping with `allow` and `set`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<EnvGrant, E> {
                match s {
                    "all" => Ok(EnvGrant {
                        allow: vec!["*".into()],
                        set: Vec::new(),
                    }),
                    "none" => Ok(EnvGrant::default()),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<EnvGrant, A::Error> {
                Ok(EnvGrant {
                    allow: collect(s)?,
                    set: Vec::new(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<EnvGrant, A::Error> {
                let map = Map::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(EnvGrant {
                    allow: map.allow,
                    set: map.set.into_iter().collect(),
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ArgsGrant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ArgsGrant;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`inherit` or a list of arguments")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ArgsGrant, E> {
                match s {
                    "inherit" => Ok(ArgsGrant::Inherit),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<ArgsGrant, A::Error> {
                collect(s).map(ArgsGrant::Fixed)
            }
        }
        d.deserialize_any(V)
    }
}

/// What makes `name` unusable as a variable name: a host cannot pass it (or the
/// stock-`wasmtime` line would pass another one).
fn bad_env_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.contains('=') {
        Some("it contains `=`, which ends a name")
    } else if name.chars().any(char::is_control) {
        Some("it contains a control character")
    } else {
        None
    }
}

/// Every string of a YAML sequence.
fn collect<'de, A: SeqAccess<'de>>(mut s: A) -> Result<Vec<String>, A::Error> {
    let mut out = Vec::new();
    while let Some(v) = s.next_element()? {
        out.push(v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::EnvGrants;
    use crate::families::env::ENV_FILTER;
    use crate::families::guard::GUARD;
    use crate::testing::{route_of, wrapper_settings};
    use crate::{ArgsGrant, EnvGrant, Grants, Route};

    const ENV: &str = "wasi:cli/environment@0.2.6";

    #[test]
    fn nothing_granted_is_answered_by_the_guard_with_fixed_values() {
        let mut g = Grants::default();
        g.environment.env.set = vec![("MODE".into(), "a\nb".into())];
        g.environment.args = ArgsGrant::Fixed(vec!["x".into()]);
        assert_eq!(route_of(&g, ENV), Route::Wrapper(GUARD.p2()));
        let text = wrapper_settings(&g, ENV, GUARD.p2());
        assert!(text.starts_with("env=MODE=a\\nb\narg=x\n"), "{text}");
    }

    #[test]
    fn some_of_the_host_goes_through_the_filter() {
        let mut g = Grants::default();
        g.environment.env.allow = vec!["HOME".into()];
        assert_eq!(route_of(&g, ENV), Route::Wrapper(ENV_FILTER.p2()));
        assert_eq!(
            wrapper_settings(&g, ENV, ENV_FILTER.p2()),
            "allow-env=HOME\n"
        );
    }

    #[test]
    fn names_no_host_could_pass_are_refused() {
        use super::bad_env_name;
        assert_eq!(bad_env_name("HOME"), None);
        assert!(bad_env_name("").is_some());
        assert!(bad_env_name("A=B").is_some());
        assert!(bad_env_name("A\0").is_some());
        assert!(bad_env_name("A\nB").is_some());
    }

    #[test]
    fn all_of_the_host_is_served_by_the_host() {
        let environment = EnvGrants {
            env: EnvGrant {
                allow: vec!["*".into()],
                set: vec![],
            },
            args: ArgsGrant::Inherit,
            cwd: Some("inherit".into()),
        };
        let g = Grants {
            environment,
            ..Grants::default()
        };
        assert_eq!(route_of(&g, ENV), Route::Host);
    }
}
