//! Deciding, per import of a component, who serves it: the family that owns the import
//! decides ([`crate::families`]); this module walks the imports, collects the wrappers
//! and their settings, and notes what the host must provide.

use crate::contract::Capability;
use crate::families::{self, Routed};
use crate::grants::{Grants, GrantsSpec};
use crate::name::{granted, split};
use crate::settings::{self, Setting};
use crate::wrappers::Wrapper;
use crate::{FsMount, PolicyError};

/// Who serves one import of a guarded component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The host: granted, or carries no authority (`wasi:io`).
    Host,
    /// One of the component's wrapper instances.
    Wrapper(Wrapper),
}

/// One unlinked import of a component, what it is and who serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutedImport {
    /// The import's name.
    pub import: String,
    /// What it is.
    pub capability: Capability,
    /// Who serves it.
    pub route: Route,
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
    pub routes: Vec<RoutedImport>,
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

impl Plan {
    /// Whether some import is routed to `wrapper`.
    pub fn uses(&self, wrapper: Wrapper) -> bool {
        self.routes
            .iter()
            .any(|r| r.route == Route::Wrapper(wrapper))
    }

    /// Who serves the first import that is a `capability`, if the component has one.
    pub fn route_of(&self, capability: Capability) -> Option<Route> {
        let mut routes = self.routes.iter();
        routes.find(|r| r.capability == capability).map(|r| r.route)
    }

    /// The imports routed to `route`.
    pub fn routed_to(&self, route: Route) -> impl Iterator<Item = &str> {
        let routes = self.routes.iter().filter(move |r| r.route == route);
        routes.map(|r| r.import.as_str())
    }

    /// What this component gets from the host: its host-routed imports plus what its
    /// wrappers import (the host environment for an `env-filter`; `wasi:io` types).
    pub fn host_imports(&self) -> Vec<String> {
        let mut out: Vec<String> = self.routed_to(Route::Host).map(str::to_string).collect();
        if let Some(v) = &self.wasi_version {
            for w in &self.wrappers {
                out.extend(w.wrapper.host_imports(v));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Decides who serves each unlinked import of a component under `grants`, and what
/// the wrappers must be told. `own` is the component's own block (for warnings).
pub fn plan(
    grants: &Grants,
    own: Option<&GrantsSpec>,
    imports: &[String],
) -> Result<Plan, Vec<PolicyError>> {
    let mut plan = Plan::default();
    let mut errors: Vec<PolicyError> = Vec::new();
    let mut used: Vec<&'static str> = Vec::new();
    for import in imports {
        match route(grants, import, &mut plan.wasi_version) {
            Ok((capability, routed)) => {
                used.extend(routed.uses);
                plan.routes.push(RoutedImport {
                    import: import.clone(),
                    capability,
                    route: routed.route,
                });
            }
            // One "not enforced" error per package is enough.
            Err(e @ PolicyError::NotEnforced { .. })
                if errors.iter().any(|o| same_package(o, &e)) => {}
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Some(own) = own {
        for family in families::ALL {
            for key in family.named(own).into_iter().filter(|k| !used.contains(k)) {
                match family.unused_is_error() {
                    Some(e) => return Err(vec![e]),
                    None => plan.unused_grants.push(key),
                }
            }
        }
    }
    let used_wrappers: Vec<Wrapper> = Wrapper::ALL.into_iter().filter(|w| plan.uses(*w)).collect();
    for wrapper in used_wrappers {
        let needs_settings = wrapper.reads_settings();
        if needs_settings {
            let text = settings::text(&section(grants, &plan, wrapper));
            plan.settings
                .get_or_insert_with(String::new)
                .push_str(&text);
        }
        plan.wrappers.push(WrapperUse {
            wrapper,
            needs_settings,
        });
    }
    for family in families::ALL {
        family.host_needs(grants, &mut plan);
    }
    Ok(plan)
}

/// What every family tells `wrapper`.
pub(crate) fn section(grants: &Grants, plan: &Plan, wrapper: Wrapper) -> Vec<Setting> {
    let mut out = Vec::new();
    for family in families::ALL {
        family.settings(grants, wrapper, plan, &mut out);
    }
    out
}

/// Who serves one import; a WASI import's version is noted in `version`.
fn route(
    grants: &Grants,
    import: &str,
    version: &mut Option<String>,
) -> Result<(Capability, Routed), PolicyError> {
    let owner = match split(import) {
        Some(("wasi", package, interface, v)) => {
            let owner = families::owner(package, interface);
            if owner.is_none_or(|(family, _)| family.wrapped()) {
                match v {
                    Some(v) if v.starts_with("0.2.") => {
                        version.get_or_insert_with(|| v.to_string());
                    }
                    _ => {
                        return Err(PolicyError::UnsupportedWasi {
                            import: import.into(),
                        })
                    }
                }
            }
            if package == "io" {
                return Ok((Capability::Io, Routed::new(Route::Host, &[])));
            }
            owner
        }
        _ => None,
    };
    match owner {
        Some((family, capability)) => Ok((capability, family.route(grants, capability, import)?)),
        None if granted(import, &grants.imports) => {
            Ok((Capability::Other, Routed::new(Route::Host, &[])))
        }
        None => Err(PolicyError::Ungranted {
            import: import.into(),
        }),
    }
}

/// Whether two errors are about imports of the same package.
fn same_package(a: &PolicyError, b: &PolicyError) -> bool {
    fn package(e: &PolicyError) -> Option<(&str, &str)> {
        match e {
            PolicyError::NotEnforced { import, .. } => split(import).map(|p| (p.0, p.1)),
            _ => None,
        }
    }
    package(a).is_some() && package(a) == package(b)
}

#[cfg(test)]
mod tests {
    use crate::testing::{plan_for, route_of};
    use crate::{Grants, PolicyError, Route};

    #[test]
    fn io_is_the_hosts_and_other_imports_need_a_grant() {
        let g = Grants {
            imports: vec!["acme:db/query@1.0.0".into()],
            ..Grants::default()
        };
        assert_eq!(route_of(&g, "wasi:io/streams@0.2.6"), Route::Host);
        assert_eq!(route_of(&g, "acme:db/query@1.2.0"), Route::Host);
        let refused = plan_for(&Grants::default(), &["acme:db/query@1.0.0"]).unwrap_err();
        assert!(matches!(refused[0], PolicyError::Ungranted { .. }));
    }

    #[test]
    fn other_wasi_versions_are_refused_by_name() {
        let refused = plan_for(&Grants::default(), &["wasi:cli/stdout@0.3.0"]).unwrap_err();
        assert!(matches!(refused[0], PolicyError::UnsupportedWasi { .. }));
    }

    #[test]
    fn one_not_enforced_error_per_package() {
        let imports = ["wasi:filesystem/x@0.2.6", "wasi:filesystem/y@0.2.6"];
        assert_eq!(plan_for(&Grants::default(), &imports).unwrap_err().len(), 1);
    }
}
