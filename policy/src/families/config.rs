//! Configuration values (`wasi:config/store`): key `config:`, a map of values the host
//! hands the component. A host service with no authority over the machine; the output
//! has one store, so every component importing it must be granted the same values.

use super::{Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grants::{Grants, GrantsSpec};
use crate::plan::{Plan, Route};
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
        Ok(Routed::new(Route::Host, self.keys()))
    }

    fn host_needs(&self, grants: &Grants, plan: &mut Plan) {
        if plan.route_of(Capability::Config).is_some() {
            plan.host_config = grants.config.clone();
        }
    }

    fn wasmtime_flags(&self, contract: &HostContract, out: &mut Vec<String>) {
        if let Some(config) = &contract.config {
            out.push("-S config".into());
            for (key, value) in config {
                out.push(format!("-S config-var={key}={}", shell_word(value)));
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

/// `text` quoted for a POSIX shell when it needs to be.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::plan_for;
    use crate::{Grants, PolicyError};

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
}
