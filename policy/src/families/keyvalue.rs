//! The host's key-value store (`wasi:keyvalue`): key `keyvalue: allow`. A host
//! service with no authority over the machine: the host serves it when granted;
//! otherwise the import is refused (there is no store to fake).

use super::{Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grants::{Access, Grants};
use crate::plan::{Plan, Route};
use crate::PolicyError;

/// The family of `wasi:keyvalue`.
pub(crate) struct KeyValue;

impl Family for KeyValue {
    one_key!("keyvalue", keyvalue, denied: Access::Deny, grants: |a| *a == Access::Allow);

    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[("keyvalue", "*", Capability::KeyValue)]
    }

    fn wrapped(&self) -> bool {
        false
    }

    fn route(&self, grants: &Grants, _: Capability, import: &str) -> Result<Routed, PolicyError> {
        if grants.keyvalue != Access::Allow {
            return Err(PolicyError::HostCapability {
                import: import.into(),
                key: "keyvalue",
                fix: "let the host's key-value store serve it with `grants: { keyvalue: allow }`",
            });
        }
        Ok(Routed::new(Route::Host, self.keys()))
    }

    fn host_needs(&self, _: &Grants, plan: &mut Plan) {
        plan.host_keyvalue = plan.route_of(Capability::KeyValue).is_some();
    }

    fn wasmtime_flags(&self, contract: &HostContract, out: &mut Vec<String>) {
        if contract.has(Capability::KeyValue) {
            out.push("-S keyvalue".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::plan_for;
    use crate::{Access, Grants, PolicyError};

    #[test]
    fn the_store_only_when_granted() {
        let store = "wasi:keyvalue/store@0.2.0-draft";
        let denied = plan_for(&Grants::default(), &[store]).unwrap_err();
        assert!(matches!(
            denied[0],
            PolicyError::HostCapability {
                key: "keyvalue",
                ..
            }
        ));
        let g = Grants {
            keyvalue: Access::Allow,
            ..Grants::default()
        };
        assert!(plan_for(&g, &[store]).unwrap().host_keyvalue);
    }
}
