//! Configuration values (`wasi:config/store`): key `config:`, a map of values. By
//! default the host hands them over: a host service with no authority over the
//! machine, and the output has one store, so every component importing it must be
//! granted the same values. With `inside: [config]` a `config-store` wrapper answers
//! the component with its own values, and the output imports no configuration at all:
//! it then runs on hosts that serve no `wasi:config`, or another version of it.

use super::{Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grants::{Grants, GrantsSpec};
use crate::plan::{Plan, Route};
use crate::settings::Setting;
use crate::wrappers::Wrapper;
use crate::PolicyError;

/// The family of `wasi:config`.
pub(crate) struct Config;

impl Family for Config {
    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[("config", "*", Capability::Config)]
    }

    fn keys(&self) -> &'static [&'static str] {
        &["config"]
    }

    fn wrapped(&self) -> bool {
        false
    }

    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec) {
        if let Some(c) = &spec.config {
            let merged = grants.config.get_or_insert_with(Vec::new);
            for (key, value) in &c.value {
                merged.retain(|(k, _)| k != key);
                merged.push((key.clone(), value.clone()));
            }
            merged.sort();
        }
    }

    fn deny(&self, grants: &mut Grants, _: &str) {
        grants.config = None;
    }

    fn named(&self, own: &GrantsSpec) -> Vec<&'static str> {
        own.config.as_ref().map(|_| "config").into_iter().collect()
    }

    fn route(&self, grants: &Grants, _: Capability, import: &str) -> Result<Routed, PolicyError> {
        if grants.config.is_none() {
            return Err(PolicyError::HostCapability {
                import: import.into(),
                key: "config",
                fix: "grant the configuration it may read, e.g. `grants: { config: { greeting: hello } }` (an empty map `{}` grants the store with no values)",
            });
        }
        if grants.serves_inside("config") {
            if !matches!(crate::name::split(import), Some((_, _, "store", _))) {
                return Err(PolicyError::NotServableInside {
                    import: import.into(),
                });
            }
            return Ok(Routed::new(
                Route::Wrapper(Wrapper::ConfigStore),
                self.keys(),
            ));
        }
        Ok(Routed::new(Route::Host, self.keys()))
    }

    fn settings(&self, grants: &Grants, wrapper: Wrapper, _: &Plan, out: &mut Vec<Setting>) {
        if wrapper == Wrapper::ConfigStore {
            for (key, value) in grants.config.iter().flatten() {
                out.push(Setting::Config(key.clone(), value.clone()));
            }
        }
    }

    fn host_needs(&self, grants: &Grants, plan: &mut Plan) {
        if plan.route_of(Capability::Config) == Some(Route::Host) {
            plan.host_config = grants.config.clone();
        }
    }

    fn wasmtime_flags(&self, contract: &HostContract, out: &mut Vec<String>) {
        if let Some(config) = &contract.config {
            out.push("-S config".into());
            for (key, value) in config {
                out.push(format!(
                    "-S config-var={}={}",
                    super::shell_word(key),
                    super::shell_word(value)
                ));
            }
        }
    }
}

/// `wasi:config/store` values: `(key, value)`, sorted by key.
pub type Values = Vec<(String, String)>;

/// The configuration the output's one `wasi:config/store` import serves. That store is
/// shared by every component that imports it, so all of them must be granted the same
/// values (else one would read what only another was granted): `Err((key, first,
/// second))` (indexes into `plans`) names a key where two grants differ.
pub fn merged(plans: &[&Plan]) -> Result<Option<Values>, (String, usize, usize)> {
    let mut granted = plans
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.host_config.as_ref().map(|c| (i, c)));
    let Some((first, config)) = granted.next() else {
        return Ok(None);
    };
    for (other, theirs) in granted {
        let differs = config
            .iter()
            .chain(theirs.iter())
            .find(|kv| !config.contains(kv) || !theirs.contains(kv));
        if let Some((key, _)) = differs {
            return Err((key.clone(), first, other));
        }
    }
    Ok(Some(config.clone()))
}

#[cfg(test)]
mod tests {
    use crate::testing::plan_for;
    use crate::{Grants, PolicyError, Route, Wrapper};

    #[test]
    fn the_store_serves_exactly_the_granted_values() {
        let store = "wasi:config/store@0.2.0-draft";
        let denied = plan_for(&Grants::default(), &[store]).unwrap_err();
        assert!(matches!(
            denied[0],
            PolicyError::HostCapability { key: "config", .. }
        ));
        let g = Grants {
            config: Some(vec![("greeting".into(), "hi".into())]),
            ..Grants::default()
        };
        let plan = plan_for(&g, &[store]).unwrap();
        assert_eq!(plan.host_config, g.config);
    }

    #[test]
    fn inside_the_values_are_the_wrappers_and_the_host_serves_nothing() {
        let store = "wasi:config/store@0.2.0-draft";
        let g = Grants {
            config: Some(vec![("greeting".into(), "hi\nthere=1".into())]),
            inside: vec!["config".into()],
            ..Grants::default()
        };
        let plan = plan_for(&g, &[store]).unwrap();
        assert_eq!(plan.routes[0].route, Route::Wrapper(Wrapper::ConfigStore));
        assert_eq!(plan.host_config, None);
        assert!(plan.host_imports().is_empty(), "{:?}", plan.host_imports());
        assert_eq!(plan.version_for(Wrapper::ConfigStore), Some("0.2.0-draft"));
        // One line per value, escaped (a value may hold newlines and `=`).
        assert_eq!(
            plan.settings.as_deref(),
            Some("config=greeting=hi\\nthere\\e1\n")
        );
        // Only the store interface, and only at a version the wrapper can take.
        let runtime = plan_for(&g, &["wasi:config/runtime@0.2.0-draft"]).unwrap_err();
        assert!(matches!(runtime[0], PolicyError::NotServableInside { .. }));
        let unversioned = plan_for(&g, &["wasi:config/store"]).unwrap_err();
        assert!(matches!(unversioned[0], PolicyError::Unversioned { .. }));
        // Still only what is granted: no `config:` grant, no store.
        let bare = Grants {
            inside: vec!["config".into()],
            ..Grants::default()
        };
        assert!(plan_for(&bare, &[store]).is_err());
    }
}
