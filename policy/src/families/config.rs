//! Configuration values (`wasi:config/store`): key `config:`, a map of values. By
//! default the host hands them over: a host service with no authority over the
//! machine, and the output has one store, so every component importing it must be
//! granted the same values. With `inside: [config]` a `config-store` wrapper answers
//! the component with its own values, and the output imports no configuration at all:
//! it then runs on hosts that serve no `wasi:config`, or another version of it.

use super::{Family, Keys, Output, WrapperSetting};
use crate::capability::Capability;
use crate::error::PolicyError;
use crate::route::{Route, Routed, Routes};
use crate::settings_keys as keys;
use crate::wrappers::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// `wasi:config/store` values: `(key, value)`, sorted by key.
pub type Values = Vec<(String, String)>;

grant_keys! {
    /// `config:` as written.
    ConfigSpec {
        /// `config:` — the `wasi:config/store` values the host hands the component.
        config: BTreeMap<String, String>,
    }
}

/// What configuration asks of the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigHost {
    /// The `wasi:config/store` values the host serves, if a component imports the
    /// store from the host.
    #[serde(rename = "config")]
    pub values: Option<Values>,
}

/// What the `config-store` is told: one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigValue(pub String, pub String);

impl WrapperSetting for ConfigValue {
    fn line(&self) -> String {
        keys::line(keys::CONFIG, &[&self.0, &self.1])
    }
}

/// `wasi:config/store` answered with the granted values (`inside: [config]`).
pub static CONFIG_STORE: Role = crate::proposal_role!("config-store", "0.2.0-rc.1", settings: true);

/// The family of `wasi:config`.
pub struct Config;

impl Family for Config {
    type Spec = ConfigSpec;
    type Grant = Option<Values>;
    type Host = ConfigHost;
    type Setting = ConfigValue;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] =
        &[("config", "*", Capability::Config)];
    const WRAPPED: bool = false;
    const SERVED_INSIDE: bool = true;
    const ROLES: &'static [&'static Role] = &[&CONFIG_STORE];

    fn overlay(grant: &mut Option<Values>, spec: &ConfigSpec) {
        if let Some(c) = &spec.config {
            let merged = grant.get_or_insert_with(Vec::new);
            for (key, value) in &c.value {
                merged.retain(|(k, _)| k != key);
                merged.push((key.clone(), value.clone()));
            }
            merged.sort();
        }
    }

    fn deny(grant: &mut Option<Values>, _: &str) {
        *grant = None;
    }

    fn named(own: &ConfigSpec) -> Vec<&'static str> {
        own.config.as_ref().map(|_| "config").into_iter().collect()
    }

    fn route(
        grant: &Option<Values>,
        inside: bool,
        _: Capability,
        import: &str,
    ) -> Result<Routed, PolicyError> {
        if grant.is_none() {
            return Err(PolicyError::HostCapability {
                import: import.into(),
                key: "config",
                fix: "grant the configuration it may read, e.g. `grants: { config: { greeting: hello } }` (an empty map `{}` grants the store with no values)",
            });
        }
        if inside {
            if !matches!(crate::name::split(import), Some((_, _, "store", _))) {
                return Err(PolicyError::NotServableInside {
                    import: import.into(),
                });
            }
            return Ok(Routed::new(
                Route::Wrapper(CONFIG_STORE.p2()),
                ConfigSpec::KEYS,
            ));
        }
        Ok(Routed::new(Route::Host, ConfigSpec::KEYS))
    }

    fn settings(grant: &Option<Values>, role: &Role, _: Routes, out: &mut Vec<ConfigValue>) {
        if role.is(&CONFIG_STORE) {
            for (key, value) in grant.iter().flatten() {
                out.push(ConfigValue(key.clone(), value.clone()));
            }
        }
    }

    fn host_needs(grant: &Option<Values>, routes: Routes) -> ConfigHost {
        let host = routes.of(Capability::Config) == Some(Route::Host);
        ConfigHost {
            values: if host { grant.clone() } else { None },
        }
    }

    fn gather(parts: &[&ConfigHost], _: &Path) -> ConfigHost {
        ConfigHost {
            values: merged(parts).ok().flatten(),
        }
    }

    fn wasmtime_flags(host: &ConfigHost, _: &Output, out: &mut Vec<String>) {
        if let Some(config) = &host.values {
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

/// The configuration the output's one `wasi:config/store` import serves. That store is
/// shared by every component that imports it, so all of them must be granted the same
/// values (else one would read what only another was granted): `Err((key, first,
/// second))` (indexes into `parts`) names a key where two grants differ.
pub fn merged(parts: &[&ConfigHost]) -> Result<Option<Values>, (String, usize, usize)> {
    let mut granted = parts
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.values.as_ref().map(|c| (i, c)));
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
    use crate::families::config::CONFIG_STORE;
    use crate::testing::plan_for;
    use crate::{Grants, PolicyError, Route};

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
        assert_eq!(plan.host.config.values, g.config);
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
        assert_eq!(plan.routes[0].route, Route::Wrapper(CONFIG_STORE.p2()));
        assert_eq!(plan.host.config.values, None);
        assert!(plan.host_imports().is_empty(), "{:?}", plan.host_imports());
        assert_eq!(plan.version_for(CONFIG_STORE.p2()), Some("0.2.0-draft"));
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
