//! The `grants:` and `defaults:` blocks: what a component may touch.
//!
//! Each key belongs to a capability family, whose module holds its grammar (its value
//! type and checks), how it overlays and what `deny:` takes back
//! ([`crate::families`]); the block's types are assembled in `crate::registry`. This
//! file reads a block key by key and holds the rules of the block itself: `imports:`,
//! `inside:`, `deny:` and how `defaults:` and a component's own block combine.

use crate::error::PolicyError;
use crate::registry::{block_keys, inside_capabilities, owner};
pub use crate::registry::{capabilities, Grants, GrantsSpec};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;

impl<'de> Deserialize<'de> for GrantsSpec {
    /// Reads a grants block key by key, each into the family that owns it.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Block;
        impl<'de> Visitor<'de> for Block {
            type Value = GrantsSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a grants block: a mapping of grant keys such as `stdio: allow`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GrantsSpec, A::Error> {
                let mut spec = GrantsSpec::default();
                let mut seen: Vec<&'static str> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let Some(known) = block_keys().iter().find(|k| **k == key) else {
                        return Err(de::Error::unknown_field(&key, block_keys()));
                    };
                    if seen.contains(known) {
                        return Err(de::Error::duplicate_field(known));
                    }
                    seen.push(known);
                    spec.read_key(&key, &mut map)?;
                }
                Ok(spec)
            }
        }
        d.deserialize_struct("GrantsSpec", block_keys(), Block)
    }
}

/// The keys of `blocks` (a component's `defaults:` and own `grants:`) that let the
/// import `name` through to the host, for pictures and reports: the keys its family
/// reads that the blocks set (for a standard stream, `stdio` and its own key only),
/// `imports` for a non-WASI import the blocks name; empty for an import that carries
/// no authority.
pub fn granted_by(name: &str, blocks: &[&GrantsSpec]) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = match crate::name::split(name) {
        Some(("wasi", package, interface, _)) => match owner(package, interface) {
            Some((family, capability)) => {
                let own = match capability {
                    crate::capability::Capability::Stdin => Some("stdin"),
                    crate::capability::Capability::Stdout => Some("stdout"),
                    crate::capability::Capability::Stderr => Some("stderr"),
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

impl Grants {
    /// Overlays `spec` on `self` (a key in `spec` replaces the same key here).
    pub fn overlay(&mut self, spec: &GrantsSpec) {
        self.overlay_families(spec);
        if let Some(i) = &spec.imports {
            self.imports.extend(i.value.iter().map(|s| s.value.clone()));
        }
        if let Some(i) = &spec.inside {
            self.inside.extend(i.value.iter().map(|s| s.value.clone()));
            self.inside.sort();
            self.inside.dedup();
        }
    }

    /// Applies a `deny:` list (unknown names are reported by [`GrantsSpec::problems`]).
    pub fn deny(&mut self, names: &[String]) {
        for name in names {
            self.deny_key(name);
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
    /// Problems visible in a grants block alone: entries that break their key's
    /// grammar, unknown `deny:` names.
    pub fn problems(&self) -> Vec<PolicyError> {
        let mut out = Vec::new();
        self.family_problems(&mut out);
        let imports = self.imports.iter().flat_map(|i| i.value.iter());
        let bad_import = |name: &String, why, span| PolicyError::BadImportGrant {
            name: name.clone(),
            why,
            span,
        };
        crate::families::refused(imports, |n| check_import_grant(n), bad_import, &mut out);
        let inside = self.inside.iter().flat_map(|i| i.value.iter());
        let not_inside = |name: &String, why, span| PolicyError::NotInside {
            name: name.clone(),
            why,
            span,
        };
        crate::families::refused(inside, |n| check_inside(n), not_inside, &mut out);
        for name in self.deny.iter().flat_map(|d| d.value.iter()) {
            if !capabilities().any(|c| c == name.value) {
                out.push(PolicyError::UnknownCapability {
                    name: name.value.clone(),
                    span: name.span,
                });
            }
        }
        out
    }
}

/// Checks an `inside:` entry: a capability witpipe can serve inside the output.
fn check_inside(name: &str) -> Result<(), String> {
    match name {
        n if inside_capabilities().any(|c| c == n) => Ok(()),
        n if capabilities().any(|c| c == n) => Err(format!("`{n}` is the host's authority over the machine, which only the host can give; grant it under `{n}:`")),
        _ => {
            let inside: Vec<&str> = inside_capabilities().collect();
            Err(format!("not a capability; expected one of: {}", inside.join(", ")))
        }
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
        let key = owner(package, interface).map(|(family, _)| family.keys().join("`, `"));
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
