//! Deciding, per import of a component, who serves it: the family that owns the import
//! decides ([`crate::families`]); this module walks the imports, collects the wrappers
//! and their settings, and notes what the host must provide.

use crate::capability::Capability;
use crate::error::PolicyError;
use crate::grants::{Grants, GrantsSpec};
use crate::name::{granted, no_authority, split};
use crate::registry::{owner, settings_of, HostNeeds, Setting, FAMILIES};
use crate::route::{Route, Routed, RoutedImport, Routes};
use crate::wrappers::{served_by, Role, Wrapper, WASI_SERVED};

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
    /// The WASI versions the component imports, one per line of
    /// [`crate::WASI_SERVED`] (the first seen of each): its wrappers of that line are
    /// retargeted to it.
    pub wasi_versions: Vec<String>,
    /// Capabilities its own grants name that it never imports.
    pub unused_grants: Vec<&'static str>,
    /// What the host must provide for it, family by family (directories with their
    /// host paths as granted).
    pub host: HostNeeds,
}

impl Plan {
    /// Whether some import is routed to a wrapper playing `role`, at any WASI line.
    pub fn uses(&self, role: &Role) -> bool {
        Routes(&self.routes).uses(role)
    }

    /// Who serves the first import that is a `capability`, if the component has one.
    pub fn route_of(&self, capability: Capability) -> Option<Route> {
        Routes(&self.routes).of(capability)
    }

    /// The imports routed to `route`.
    pub fn routed_to(&self, route: Route) -> impl Iterator<Item = &str> {
        let routes = self.routes.iter().filter(move |r| r.route == route);
        routes.map(|r| r.import.as_str())
    }

    /// The version `wrapper` is retargeted to for this component: the one it imports
    /// of the wrapper's WASI line, or of the wrapper's own package.
    pub fn version_for(&self, wrapper: Wrapper) -> Option<&str> {
        if wrapper.own_package() {
            let mut imports = self.routed_to(Route::Wrapper(wrapper));
            return imports
                .next()
                .and_then(|i| i.rsplit_once('@'))
                .map(|(_, v)| v);
        }
        let mut versions = self.wasi_versions.iter().map(String::as_str);
        versions.find(|v| served_by(v) == Some(wrapper.built_for()))
    }

    /// What this component gets from the host: its host-routed imports plus what its
    /// wrappers import (the host environment for an `env-filter`; `wasi:io` types).
    pub fn host_imports(&self) -> Vec<String> {
        let mut out: Vec<String> = self.routed_to(Route::Host).map(str::to_string).collect();
        for w in &self.wrappers {
            if let Some(v) = self.version_for(w.wrapper) {
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
        match route(grants, import, &mut plan.wasi_versions) {
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
        for family in FAMILIES {
            for key in family.named(own).into_iter().filter(|k| !used.contains(k)) {
                match family.unused_is_error() {
                    Some(e) => return Err(vec![e]),
                    None => plan.unused_grants.push(key),
                }
            }
        }
    }
    let routed = |w: Wrapper| plan.routes.iter().any(|r| r.route == Route::Wrapper(w));
    let used_wrappers: Vec<Wrapper> = Wrapper::all().filter(|w| routed(*w)).collect();
    for wrapper in used_wrappers {
        let needs_settings = wrapper.reads_settings();
        if needs_settings {
            let text: String = section(grants, &plan, wrapper)
                .iter()
                .map(Setting::line)
                .collect();
            plan.settings
                .get_or_insert_with(String::new)
                .push_str(&text);
        }
        plan.wrappers.push(WrapperUse {
            wrapper,
            needs_settings,
        });
    }
    plan.host = HostNeeds::of(grants, Routes(&plan.routes));
    Ok(plan)
}

/// What every family tells `wrapper` (by its role: both guards are told the same).
pub(crate) fn section(grants: &Grants, plan: &Plan, wrapper: Wrapper) -> Vec<Setting> {
    settings_of(grants, wrapper.role(), Routes(&plan.routes))
}

/// Who serves one import; a WASI import's version is noted in `versions` (the first
/// of each line).
fn route(
    grants: &Grants,
    import: &str,
    versions: &mut Vec<String>,
) -> Result<(Capability, Routed), PolicyError> {
    let mut line = None;
    let owner = match split(import) {
        Some(("wasi", package, interface, v)) => {
            let owner = owner(package, interface);
            if owner.is_none_or(|(family, _)| family.wrapped()) {
                let Some((v, built_for)) = v.and_then(|v| Some((v, served_by(v)?))) else {
                    return Err(PolicyError::UnsupportedWasi {
                        import: import.into(),
                        served: WASI_SERVED.join(" and "),
                    });
                };
                if !versions.iter().any(|o| served_by(o) == Some(built_for)) {
                    versions.push(v.to_string());
                }
                line = Some(built_for);
            }
            if no_authority(package, interface) {
                return Ok((Capability::Io, Routed::new(Route::Host, &[])));
            }
            owner
        }
        _ => None,
    };
    match owner {
        Some((family, capability)) => {
            let mut routed = family.route(grants, capability, import)?;
            // A wrapper of a proposal is retargeted to the import's version: without
            // one there is nothing to retarget to, and the host must not serve it
            // past the wrapper.
            if let Route::Wrapper(w) = routed.route {
                if w.own_package() && split(import).and_then(|p| p.3).is_none() {
                    return Err(PolicyError::Unversioned {
                        import: import.into(),
                        wrapper: w.name(),
                    });
                }
            }
            // The family names the role; the wrapper of the import's line plays it.
            if let (Route::Wrapper(w), Some(line)) = (routed.route, line) {
                let Some(at_line) = w.at_line(line) else {
                    return Err(PolicyError::NotWrappedAtLine {
                        import: import.into(),
                        wrapper: w.name(),
                    });
                };
                routed.route = Route::Wrapper(at_line);
            }
            Ok((capability, routed))
        }
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
    use crate::families::guard::GUARD;
    use crate::families::sockets::LOOKUP_DENY;
    use crate::families::sockets::SOCKETS_DENY;
    use crate::families::sockets::SOCKETS_GUARD;
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
    fn wasi_versions_past_the_newest_served_are_refused_naming_it() {
        for import in [
            "wasi:cli/stdout@0.3.3",
            "wasi:cli/stdout@0.4.0",
            "wasi:cli/stdout@1.0.0",
        ] {
            let refused = plan_for(&Grants::default(), &[import]).unwrap_err();
            let PolicyError::UnsupportedWasi { served, .. } = &refused[0] else {
                panic!("{import}: {refused:?}");
            };
            assert!(refused[0].to_string().contains("0.3.2"), "{}", refused[0]);
            assert_eq!(served, "0.2.12 and 0.3.2");
        }
        let rc = plan_for(&Grants::default(), &["wasi:cli/stdout@0.3.0-rc-2025-09-16"]);
        assert!(matches!(
            rc.unwrap_err()[0],
            PolicyError::UnsupportedWasi { .. }
        ));
    }

    #[test]
    fn each_wasi_line_gets_its_own_guard_retargeted_to_its_version() {
        let imports = [
            "wasi:cli/environment@0.2.6",
            "wasi:cli/stdout@0.3.0",
            "wasi:cli/types@0.3.0",
            "wasi:random/random@0.3.0",
        ];
        let plan = plan_for(&Grants::default(), &imports).unwrap();
        assert_eq!(plan.wasi_versions, ["0.2.6", "0.3.0"]);
        let route = |i: usize| plan.routes[i].route;
        assert_eq!(route(0), Route::Wrapper(GUARD.p2()));
        assert_eq!(route(1), Route::Wrapper(GUARD.p3()));
        assert_eq!(
            route(2),
            Route::Host,
            "a type-only interface carries no authority"
        );
        assert_eq!(route(3), Route::Wrapper(GUARD.p3()));
        assert_eq!(plan.version_for(GUARD.p3()), Some("0.3.0"));
        assert_eq!(plan.version_for(GUARD.p2()), Some("0.2.6"));
        // Both guards read the same settings: one provider.
        assert!(plan.wrappers.iter().all(|w| w.needs_settings));
    }

    #[test]
    fn a_0_3_import_gets_the_wrapper_of_its_own_line() {
        let tcp = Grants {
            sockets: crate::families::sockets::SocketsGrants {
                connect: vec![crate::grammar::ConnectRule::parse("127.0.0.1:80").unwrap()],
                lookup: crate::Access::Deny,
            },
            ..Grants::default()
        };
        let imports = [
            "wasi:sockets/types@0.3.2",
            "wasi:sockets/ip-name-lookup@0.3.2",
        ];
        let plan = plan_for(&tcp, &imports).unwrap();
        assert_eq!(plan.routes[0].route, Route::Wrapper(SOCKETS_GUARD.p3()));
        assert_eq!(plan.routes[1].route, Route::Wrapper(LOOKUP_DENY.p3()));
        // Nothing granted: denied at 0.3 as at 0.2.
        let denied = plan_for(&Grants::default(), &imports[..1]).unwrap();
        assert_eq!(denied.routes[0].route, Route::Wrapper(SOCKETS_DENY.p3()));
    }

    #[test]
    fn a_proposal_wrapper_needs_the_imports_version() {
        let g = Grants {
            keyvalue: crate::KeyValueGrant::Bucket("b".into()),
            ..Grants::default()
        };
        let refused = plan_for(&g, &["wasi:keyvalue/store"]).unwrap_err();
        assert!(
            matches!(
                &refused[0],
                PolicyError::Unversioned {
                    wrapper: "keyvalue-bucket",
                    ..
                }
            ),
            "{refused:?}"
        );
        assert!(plan_for(&g, &["wasi:keyvalue/store@0.2.0-draft"]).is_ok());
    }

    #[test]
    fn one_not_enforced_error_per_package() {
        let imports = ["wasi:filesystem/x@0.2.6", "wasi:filesystem/y@0.2.6"];
        assert_eq!(plan_for(&Grants::default(), &imports).unwrap_err().len(), 1);
    }
}
