//! The `grants:` and `defaults:` blocks: what a component may touch.
//!
//! One key per capability family; each key's grammar (its value type and checks),
//! how it overlays and what `deny:` takes back live in the family's module
//! ([`crate::families`]). This file only gathers them into a block.

use crate::families::keyvalue::KeyValueGrant;
use crate::families::{self, clocks::ClockMode, env::ArgsGrant, env::EnvGrant};
use crate::families::{fs::FsMount, random::RandomMode, sockets::SocketsGrant};
use crate::span::At;
use serde::Deserialize;

/// Allowed or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// The host serves it.
    Allow,
    /// Nothing is served.
    #[default]
    Deny,
}

/// One grants block as written, with locations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GrantsSpec {
    /// `env:` — a list of host variables, `all`, or `{ allow: [...], set: {...} }`.
    pub env: Option<At<EnvGrant>>,
    /// `args:` — `inherit` or a list.
    pub args: Option<At<ArgsGrant>>,
    /// `cwd:` — `inherit` or a path.
    pub cwd: Option<At<String>>,
    /// `stdio:` — all three streams at once.
    pub stdio: Option<At<Access>>,
    /// `stdin:`.
    pub stdin: Option<At<Access>>,
    /// `stdout:`.
    pub stdout: Option<At<Access>>,
    /// `stderr:`.
    pub stderr: Option<At<Access>>,
    /// `exit:`.
    pub exit: Option<At<Access>>,
    /// `clocks:`.
    pub clocks: Option<At<ClockMode>>,
    /// `random:`.
    pub random: Option<At<RandomMode>>,
    /// `imports:` — non-WASI imports the host may serve.
    pub imports: Option<At<Vec<At<String>>>>,
    /// `deny:` — capabilities denied whatever else says (beats `defaults:`).
    pub deny: Option<At<Vec<At<String>>>>,
    /// `inside:` — capabilities the output serves itself instead of its host
    /// (`config`, `keyvalue`), so that no host needs to serve them.
    pub inside: Option<At<Vec<At<String>>>>,
    /// `fs:` — directories: `[{ host: ./data, guest: /data, mode: ro }]`.
    pub fs: Option<At<Vec<At<FsMount>>>>,
    /// `http:` — allowed outgoing destinations, `scheme://host[:port]` with `*`.
    pub http: Option<At<Vec<At<String>>>>,
    /// `sockets:` — `{ connect: [ADDR[/PREFIX]:PORT, ...], lookup: allow }`.
    pub sockets: Option<At<SocketsGrant>>,
    /// `keyvalue:` — `allow` lets the host serve `wasi:keyvalue` (its store); `{ bucket:
    /// NAME }` one bucket of it.
    pub keyvalue: Option<At<KeyValueGrant>>,
    /// `config:` — the `wasi:config/store` values the host hands the component.
    pub config: Option<At<std::collections::BTreeMap<String, String>>>,
}

/// The grants in force for one component: `defaults:` overlaid by its own block,
/// with every `deny:` applied last. Nothing is granted unless a block says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    /// Environment variables.
    pub env: EnvGrant,
    /// Arguments.
    pub args: ArgsGrant,
    /// Initial working directory: `None` none, `Some("inherit")` the host's.
    pub cwd: Option<String>,
    /// Standard input.
    pub stdin: Access,
    /// Standard output.
    pub stdout: Access,
    /// Standard error.
    pub stderr: Access,
    /// Exiting with a status.
    pub exit: Access,
    /// Clocks.
    pub clocks: ClockMode,
    /// Randomness.
    pub random: RandomMode,
    /// Non-WASI imports the host may serve.
    pub imports: Vec<String>,
    /// Granted directories.
    pub fs: Vec<FsMount>,
    /// Allowed outgoing HTTP destinations.
    pub http: Vec<crate::grammar::HttpPattern>,
    /// Allowed outgoing TCP destinations.
    pub connect: Vec<crate::grammar::ConnectRule>,
    /// Name lookup.
    pub lookup: Access,
    /// `wasi:keyvalue`: the host's store, one bucket of it, or none.
    pub keyvalue: KeyValueGrant,
    /// `wasi:config/store` values, if the component may read configuration.
    pub config: Option<Vec<(String, String)>>,
    /// Capabilities served inside the output (`inside:`), sorted.
    pub inside: Vec<String>,
}

impl Default for Grants {
    /// Deny by default: no environment, arguments, cwd, stdio, exit, clocks or randomness.
    fn default() -> Self {
        Grants {
            env: EnvGrant::default(),
            args: ArgsGrant::Fixed(Vec::new()),
            cwd: None,
            stdin: Access::Deny,
            stdout: Access::Deny,
            stderr: Access::Deny,
            exit: Access::Deny,
            clocks: ClockMode::Deny,
            random: RandomMode::Deny,
            imports: Vec::new(),
            fs: Vec::new(),
            http: Vec::new(),
            connect: Vec::new(),
            lookup: Access::Deny,
            keyvalue: KeyValueGrant::Deny,
            config: None,
            inside: Vec::new(),
        }
    }
}

/// The keys of `blocks` (a component's `defaults:` and own `grants:`) that let the
/// import `name` through to the host, for pictures and reports: the keys its family
/// reads that the blocks set (for a standard stream, `stdio` and its own key only),
/// `imports` for a non-WASI import the blocks name; empty for an import that carries
/// no authority.
pub fn granted_by(name: &str, blocks: &[&GrantsSpec]) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = match crate::name::split(name) {
        Some(("wasi", package, interface, _)) => match families::owner(package, interface) {
            Some((family, capability)) => {
                let own = match capability {
                    crate::Capability::Stdin => Some("stdin"),
                    crate::Capability::Stdout => Some("stdout"),
                    crate::Capability::Stderr => Some("stderr"),
                    _ => None,
                };
                let streams = ["stdin", "stdout", "stderr"];
                let fits = |k: &&str| own.is_none_or(|o| *k == o || !streams.contains(k));
                blocks
                    .iter()
                    .flat_map(|b| family.named(b))
                    .filter(fits)
                    .collect()
            }
            None => Vec::new(),
        },
        _ => {
            let named = |b: &&&GrantsSpec| b.imports.as_ref().is_some_and(|i| !i.value.is_empty());
            blocks
                .iter()
                .find(named)
                .map(|_| "imports")
                .into_iter()
                .collect()
        }
    };
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The capability names `deny:` accepts: every family's keys.
pub fn capabilities() -> impl Iterator<Item = &'static str> {
    families::ALL.iter().flat_map(|f| f.keys().iter().copied())
}

impl Grants {
    /// Overlays `spec` on `self` (a key in `spec` replaces the same key here).
    pub fn overlay(&mut self, spec: &GrantsSpec) {
        for family in families::ALL {
            family.overlay(self, spec);
        }
        if let Some(i) = &spec.imports {
            self.imports.extend(i.value.iter().map(|s| s.value.clone()));
        }
        if let Some(i) = &spec.inside {
            self.inside.extend(i.value.iter().map(|s| s.value.clone()));
            self.inside.sort();
            self.inside.dedup();
        }
    }

    /// Whether `inside:` names `capability`: the output serves it itself.
    pub fn serves_inside(&self, capability: &str) -> bool {
        self.inside.iter().any(|i| i == capability)
    }

    /// Applies a `deny:` list (unknown names are reported by [`GrantsSpec::problems`]).
    pub fn deny(&mut self, names: &[String]) {
        for name in names {
            if let Some(family) = families::ALL.iter().find(|f| f.keys().contains(&&**name)) {
                family.deny(self, name);
            }
        }
    }

    /// The grants for a component: defaults, then its own block, then both `deny:` lists.
    pub fn effective(defaults: Option<&GrantsSpec>, own: Option<&GrantsSpec>) -> Grants {
        let mut g = Grants::default();
        let mut denied = Vec::new();
        for spec in [defaults, own].into_iter().flatten() {
            g.overlay(spec);
            if let Some(d) = &spec.deny {
                denied.extend(d.value.iter().map(|s| s.value.clone()));
            }
        }
        g.deny(&denied);
        g
    }
}

impl GrantsSpec {
    /// Where the block grants `key` (`env`, `fs`…), if it does.
    pub fn span_of(&self, key: &str) -> Option<crate::Span> {
        match key {
            "env" => self.env.as_ref().map(|a| a.span),
            "args" => self.args.as_ref().map(|a| a.span),
            "cwd" => self.cwd.as_ref().map(|a| a.span),
            "stdio" => self.stdio.as_ref().map(|a| a.span),
            "stdin" => self.stdin.as_ref().map(|a| a.span),
            "stdout" => self.stdout.as_ref().map(|a| a.span),
            "stderr" => self.stderr.as_ref().map(|a| a.span),
            "exit" => self.exit.as_ref().map(|a| a.span),
            "clocks" => self.clocks.as_ref().map(|a| a.span),
            "random" => self.random.as_ref().map(|a| a.span),
            "imports" => self.imports.as_ref().map(|a| a.span),
            "inside" => self.inside.as_ref().map(|a| a.span),
            "fs" => self.fs.as_ref().map(|a| a.span),
            "http" => self.http.as_ref().map(|a| a.span),
            "sockets" => self.sockets.as_ref().map(|a| a.span),
            "keyvalue" => self.keyvalue.as_ref().map(|a| a.span),
            "config" => self.config.as_ref().map(|a| a.span),
            _ => None,
        }
    }

    /// Problems visible in a grants block alone: entries that break their key's
    /// grammar, unknown `deny:` names.
    pub fn problems(&self) -> Vec<crate::PolicyError> {
        let mut out = Vec::new();
        for family in families::ALL {
            family.problems(self, &mut out);
        }
        let imports = self.imports.iter().flat_map(|i| i.value.iter());
        let bad_import = |name: &String, why, span| crate::PolicyError::BadImportGrant {
            name: name.clone(),
            why,
            span,
        };
        families::refused(imports, |n| check_import_grant(n), bad_import, &mut out);
        let inside = self.inside.iter().flat_map(|i| i.value.iter());
        let not_inside = |name: &String, why, span| crate::PolicyError::NotInside {
            name: name.clone(),
            why,
            span,
        };
        families::refused(inside, |n| check_inside(n), not_inside, &mut out);
        for name in self.deny.iter().flat_map(|d| d.value.iter()) {
            if !capabilities().any(|c| c == name.value) {
                out.push(crate::PolicyError::UnknownCapability {
                    name: name.value.clone(),
                    span: name.span,
                });
            }
        }
        out
    }
}

/// The capabilities `inside:` can name.
pub const INSIDE: [&str; 2] = ["config", "keyvalue"];

/// Checks an `inside:` entry: a capability witpipe can serve inside the output.
fn check_inside(name: &str) -> Result<(), String> {
    match name {
        n if INSIDE.contains(&n) => Ok(()),
        n if capabilities().any(|c| c == n) => Err(format!("`{n}` is the host's authority over the machine, which only the host can give; grant it under `{n}:`")),
        _ => Err(format!("not a capability; expected one of: {}", INSIDE.join(", "))),
    }
}

/// Checks an `imports:` entry: one non-WASI import, named in full as a component
/// names it: an interface (`namespace:package/interface[@version]`), a plain name
/// (`logger`), or a dependency name (`locked-dep=<foo:add@1.0.0>`, matched exactly).
/// A WASI interface or a wildcard would silently do nothing (WASI imports are routed
/// by their family's key).
fn check_import_grant(name: &str) -> Result<(), String> {
    use wasmparser::names::{ComponentName, ComponentNameKind};
    const EXPECTED: &str = "expected an import name: an interface, `namespace:package/interface[@version]`, a plain name such as `logger`, or a dependency name such as `locked-dep=<foo:add@1.0.0>`";
    if name.contains('*') {
        return Err("`imports:` takes no wildcards: name each import in full, e.g. `namespace:package/interface[@version]`".into());
    }
    if let Some(("wasi", package, interface, _)) = crate::name::split(name) {
        let key = families::owner(package, interface).map(|(family, _)| family.keys().join("`, `"));
        return Err(match key {
            Some(key) => format!(
                "WASI interfaces are granted by their family's key, not by `imports:`: use `{key}:` (see docs/policy.md)"
            ),
            None => "WASI interfaces are granted by their family's key, not by `imports:` (see docs/policy.md)".into(),
        });
    }
    let parsed = ComponentName::new(name, 0).map_err(|_| EXPECTED.to_string())?;
    match parsed.kind() {
        ComponentNameKind::Interface(_)
        | ComponentNameKind::Label(_)
        | ComponentNameKind::Dependency(_) => Ok(()),
        _ => Err(EXPECTED.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::{check_import_grant, granted_by, GrantsSpec};

    #[test]
    fn granted_by_names_the_keys_that_let_an_import_through() {
        let block = |yaml: &str| serde_saphyr::from_str::<GrantsSpec>(yaml).unwrap();
        let defaults = block("{ stdio: allow, env: [HOME] }");
        let own = block("{ stdin: allow, imports: [acme:db/query] }");
        let both = [&defaults, &own];
        assert_eq!(granted_by("wasi:cli/stdout@0.2.6", &both), ["stdio"]);
        assert_eq!(
            granted_by("wasi:cli/stdin@0.2.6", &both),
            ["stdin", "stdio"]
        );
        assert_eq!(granted_by("wasi:cli/environment@0.2.6", &both), ["env"]);
        assert_eq!(granted_by("acme:db/query", &both), ["imports"]);
        assert!(granted_by("acme:db/query", &[&defaults]).is_empty());
        assert!(granted_by("wasi:io/streams@0.2.6", &both).is_empty());
    }

    #[test]
    fn imports_names_one_non_wasi_interface_in_full() {
        assert!(check_import_grant("acme:db/query@1.2.0").is_ok());
        assert!(check_import_grant("acme:db/query").is_ok());
        let wasi = check_import_grant("wasi:random/random@0.2.6").unwrap_err();
        assert!(wasi.contains("`random:`"), "{wasi}");
        assert!(check_import_grant("wasi:*").is_err());
        assert!(check_import_grant("acme:db/*").is_err());
        assert!(check_import_grant("query").is_ok());
        assert!(check_import_grant("locked-dep=<foo:add@1.0.0>").is_ok());
        assert!(check_import_grant("acme:db/").is_err());
        assert!(check_import_grant("Query Two").is_err());
        assert!(check_import_grant("[method]r.f").is_err());
        assert!(check_import_grant("url=<https://x>").is_err());
    }
}
