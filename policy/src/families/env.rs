//! Environment variables, arguments and the initial working directory
//! (`wasi:cli/environment`): keys `env:`, `args:`, `cwd:`.
//!
//! Everything of the host's → the host; some of it → the `env-filter` wrapper (host
//! values filtered by an allow-list, plus fixed ones); none of the host's → the guard
//! (fixed values only).

use super::{Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grants::{Grants, GrantsSpec};
use crate::plan::{Plan, Route};
use crate::settings::Setting;
use crate::wrappers::Wrapper;
use crate::PolicyError;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

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

/// The family of `wasi:cli/environment`.
pub(crate) struct Environment;

impl Environment {
    /// Whether some of the host's environment is granted (else fixed values only).
    fn filtered(grants: &Grants) -> bool {
        !grants.env.allow.is_empty()
            || grants.args == ArgsGrant::Inherit
            || grants.cwd.as_deref() == Some("inherit")
    }

    /// Whether all of it is.
    fn whole(grants: &Grants) -> bool {
        grants.env.allow.iter().any(|a| a == "*")
            && grants.args == ArgsGrant::Inherit
            && grants.cwd.as_deref() == Some("inherit")
    }

    /// The fixed variables.
    fn fixed_env(grants: &Grants, out: &mut Vec<Setting>) {
        let set = grants.env.set.iter();
        out.extend(set.map(|(k, v)| Setting::Env(k.clone(), v.clone())));
    }
}

impl Family for Environment {
    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[("cli", "environment", Capability::Environment)]
    }

    fn keys(&self) -> &'static [&'static str] {
        &["env", "args", "cwd"]
    }

    fn problems(&self, spec: &GrantsSpec, out: &mut Vec<PolicyError>) {
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

    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec) {
        if let Some(e) = &spec.env {
            grants.env = e.value.clone();
        }
        if let Some(a) = &spec.args {
            grants.args = a.value.clone();
        }
        if let Some(c) = &spec.cwd {
            grants.cwd = Some(c.value.clone());
        }
    }

    fn deny(&self, grants: &mut Grants, key: &str) {
        match key {
            "env" => grants.env = EnvGrant::default(),
            "args" => grants.args = ArgsGrant::Fixed(Vec::new()),
            _ => grants.cwd = None,
        }
    }

    fn named(&self, own: &GrantsSpec) -> Vec<&'static str> {
        [
            ("env", own.env.is_some()),
            ("args", own.args.is_some()),
            ("cwd", own.cwd.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }

    fn route(&self, grants: &Grants, _: Capability, _: &str) -> Result<Routed, PolicyError> {
        let route = if Self::whole(grants) {
            Route::Host
        } else if Self::filtered(grants) {
            Route::Wrapper(Wrapper::EnvFilter)
        } else {
            Route::Wrapper(Wrapper::Guard)
        };
        Ok(Routed::new(route, self.keys()))
    }

    fn settings(&self, grants: &Grants, wrapper: Wrapper, plan: &Plan, out: &mut Vec<Setting>) {
        match wrapper {
            // The guard answers the environment only when no env-filter does.
            Wrapper::Guard if !plan.uses(Wrapper::EnvFilter) => {
                Self::fixed_env(grants, out);
                if let ArgsGrant::Fixed(args) = &grants.args {
                    out.extend(args.iter().cloned().map(Setting::Arg));
                }
                if let Some(cwd) = grants.cwd.as_deref().filter(|c| *c != "inherit") {
                    out.push(Setting::Cwd(cwd.into()));
                }
            }
            Wrapper::EnvFilter => {
                out.extend(grants.env.allow.iter().cloned().map(Setting::AllowEnv));
                Self::fixed_env(grants, out);
                match &grants.args {
                    ArgsGrant::Inherit => out.push(Setting::InheritArgs),
                    ArgsGrant::Fixed(args) => out.extend(args.iter().cloned().map(Setting::Arg)),
                }
                if let Some(cwd) = &grants.cwd {
                    out.push(Setting::Cwd(cwd.clone()));
                }
            }
            _ => {}
        }
    }

    fn host_needs(&self, grants: &Grants, plan: &mut Plan) {
        let routed = plan.route_of(Capability::Environment);
        if routed.is_some_and(|r| !r.plays(Wrapper::Guard)) {
            plan.host_env = grants.env.allow.clone();
            plan.host_args = grants.args == ArgsGrant::Inherit;
        }
    }

    fn wasmtime_flags(&self, contract: &HostContract, out: &mut Vec<String>) {
        if contract.env.iter().any(|e| e == "*") {
            out.push("-S inherit-env".into());
        } else {
            out.extend(
                contract
                    .env
                    .iter()
                    .map(|var| format!("--env {}", super::shell_word(var))),
            );
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
    use crate::testing::{route_of, wrapper_settings};
    use crate::{ArgsGrant, EnvGrant, Grants, Route, Wrapper};

    const ENV: &str = "wasi:cli/environment@0.2.6";

    #[test]
    fn nothing_granted_is_answered_by_the_guard_with_fixed_values() {
        let mut g = Grants::default();
        g.env.set = vec![("MODE".into(), "a\nb".into())];
        g.args = ArgsGrant::Fixed(vec!["x".into()]);
        assert_eq!(route_of(&g, ENV), Route::Wrapper(Wrapper::Guard));
        let text = wrapper_settings(&g, ENV, Wrapper::Guard);
        assert!(text.starts_with("env=MODE=a\\nb\narg=x\n"), "{text}");
    }

    #[test]
    fn some_of_the_host_goes_through_the_filter() {
        let g = Grants {
            env: EnvGrant {
                allow: vec!["HOME".into()],
                set: vec![],
            },
            ..Grants::default()
        };
        assert_eq!(route_of(&g, ENV), Route::Wrapper(Wrapper::EnvFilter));
        assert_eq!(
            wrapper_settings(&g, ENV, Wrapper::EnvFilter),
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
        let g = Grants {
            env: EnvGrant {
                allow: vec!["*".into()],
                set: vec![],
            },
            args: ArgsGrant::Inherit,
            cwd: Some("inherit".into()),
            ..Grants::default()
        };
        assert_eq!(route_of(&g, ENV), Route::Host);
    }
}
