//! The host's key-value store (`wasi:keyvalue`): key `keyvalue:`. `allow` lets the host
//! serve it as it is; `{ bucket: NAME }` puts a `keyvalue-bucket` wrapper between the
//! component and the host, which gives the component one bucket of the host's — its
//! default bucket `""` is the host's bucket NAME (or the host's default bucket where
//! the host has no bucket of that name), any other is refused. That is what lets one
//! output count in the same place on wasmtime (whose in-memory store serves only `""`)
//! and on wasmCloud v2 (whose NATS store cannot open `""`). With `inside: [keyvalue]`
//! a `keyvalue-memory` wrapper serves a store in the instance's memory instead and
//! the host serves nothing. Otherwise the import is refused: there is no store to fake.

use super::{Family, Routed};
use crate::contract::{Capability, HostContract};
use crate::grants::{Access, Grants, GrantsSpec};
use crate::plan::{Plan, Route};
use crate::settings::Setting;
use crate::wrappers::Wrapper;
use crate::PolicyError;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// What `keyvalue:` grants.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum KeyValueGrant {
    /// No store.
    #[default]
    Deny,
    /// The host's store as it is.
    Allow,
    /// One bucket of the host's store, by this name.
    Bucket(String),
}

/// The family of `wasi:keyvalue`.
pub(crate) struct KeyValue;

impl Family for KeyValue {
    one_key!("keyvalue", keyvalue, denied: KeyValueGrant::Deny, grants: |g| *g != KeyValueGrant::Deny);

    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[("keyvalue", "*", Capability::KeyValue)]
    }

    fn wrapped(&self) -> bool {
        false
    }

    fn problems(&self, spec: &GrantsSpec, out: &mut Vec<PolicyError>) {
        let Some(grant) = &spec.keyvalue else { return };
        if let KeyValueGrant::Bucket(name) = &grant.value {
            if let Err(why) = check_bucket(name) {
                out.push(PolicyError::BadBucket {
                    name: name.clone(),
                    why,
                    span: grant.span,
                });
            }
        }
    }

    fn route(&self, grants: &Grants, _: Capability, import: &str) -> Result<Routed, PolicyError> {
        let inside = grants.serves_inside("keyvalue");
        match &grants.keyvalue {
            KeyValueGrant::Deny => Err(PolicyError::HostCapability {
                import: import.into(),
                key: "keyvalue",
                fix: "give it one bucket of the host's store with `grants: { keyvalue: { bucket: NAME } }` (or the whole store with `keyvalue: allow`)",
            }),
            _ if inside => Ok(Routed::new(
                Route::Wrapper(Wrapper::KeyValueMemory),
                self.keys(),
            )),
            KeyValueGrant::Allow => Ok(Routed::new(Route::Host, self.keys())),
            // The wrapper serves the store and its atomics; batches would bypass it.
            KeyValueGrant::Bucket(_)
                if !matches!(crate::name::split(import), Some((_, _, "store" | "atomics", _))) =>
            {
                Err(PolicyError::NotInBucket {
                    import: import.into(),
                })
            }
            KeyValueGrant::Bucket(_) => {
                Ok(Routed::new(Route::Wrapper(Wrapper::KeyValueBucket), self.keys()))
            }
        }
    }

    fn settings(&self, grants: &Grants, wrapper: Wrapper, _: &Plan, out: &mut Vec<Setting>) {
        if let (Wrapper::KeyValueBucket, KeyValueGrant::Bucket(name)) = (wrapper, &grants.keyvalue)
        {
            out.push(Setting::Bucket(name.clone()));
        }
    }

    fn host_needs(&self, _: &Grants, plan: &mut Plan) {
        let route = plan.route_of(Capability::KeyValue);
        plan.host_keyvalue = route.is_some_and(|r| r != Route::Wrapper(Wrapper::KeyValueMemory));
    }

    fn wasmtime_flags(&self, contract: &HostContract, out: &mut Vec<String>) {
        if contract.has(Capability::KeyValue) {
            out.push("-S keyvalue".into());
        }
    }
}

/// A bucket name every host can open: 1 to 64 ASCII letters, digits, `-` and `_` (what
/// a NATS JetStream bucket, the strictest of them, may be called).
fn check_bucket(name: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || name.len() > 64 || !name.chars().all(allowed) {
        return Err("expected 1 to 64 ASCII letters, digits, `-` or `_` (a name every key-value host can open)".into());
    }
    Ok(())
}

impl<'de> Deserialize<'de> for KeyValueGrant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Map {
            bucket: String,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyValueGrant;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`allow`, `deny` or `{ bucket: NAME }`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<KeyValueGrant, E> {
                match Access::deserialize(de::value::StrDeserializer::<E>::new(s)) {
                    Ok(Access::Allow) => Ok(KeyValueGrant::Allow),
                    Ok(Access::Deny) => Ok(KeyValueGrant::Deny),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Str(s), &self)),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<KeyValueGrant, A::Error> {
                let map = Map::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(KeyValueGrant::Bucket(map.bucket))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::{check_bucket, KeyValueGrant};
    use crate::testing::plan_for;
    use crate::{Grants, PolicyError, Route, Wrapper};

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
            keyvalue: KeyValueGrant::Allow,
            ..Grants::default()
        };
        let plan = plan_for(&g, &[store]).unwrap();
        assert!(plan.host_keyvalue);
        assert_eq!(plan.routes[0].route, Route::Host);
    }

    #[test]
    fn a_bucket_grant_puts_the_bucket_wrapper_in_front_of_the_host() {
        let g = Grants {
            keyvalue: KeyValueGrant::Bucket("counter".into()),
            ..Grants::default()
        };
        let imports = [
            "wasi:keyvalue/store@0.2.0-draft",
            "wasi:keyvalue/atomics@0.2.0-draft",
        ];
        let plan = plan_for(&g, &imports).unwrap();
        let wrapped = Route::Wrapper(Wrapper::KeyValueBucket);
        assert!(plan.routes.iter().all(|r| r.route == wrapped));
        assert!(
            plan.host_keyvalue,
            "the wrapper's own imports are the host's"
        );
        assert_eq!(plan.settings.as_deref(), Some("bucket=counter\n"));
        assert_eq!(
            plan.version_for(Wrapper::KeyValueBucket),
            Some("0.2.0-draft")
        );
        let host = plan.host_imports();
        assert!(
            host.contains(&"wasi:keyvalue/store@0.2.0-draft".to_string()),
            "{host:?}"
        );
        // Batches would reach the host's buckets past the wrapper: refused by name.
        let batch = plan_for(&g, &["wasi:keyvalue/batch@0.2.0-draft"]).unwrap_err();
        assert!(batch[0].to_string().contains("batch"), "{}", batch[0]);
    }

    #[test]
    fn inside_the_store_is_the_instances_and_the_host_serves_nothing() {
        let g = Grants {
            keyvalue: KeyValueGrant::Allow,
            inside: vec!["keyvalue".into()],
            ..Grants::default()
        };
        let imports = [
            "wasi:keyvalue/store@0.2.0-draft",
            "wasi:keyvalue/batch@0.2.0-draft",
        ];
        let plan = plan_for(&g, &imports).unwrap();
        let memory = Route::Wrapper(Wrapper::KeyValueMemory);
        assert!(plan.routes.iter().all(|r| r.route == memory));
        assert!(!plan.host_keyvalue);
        assert!(plan.host_imports().is_empty(), "{:?}", plan.host_imports());
        // Still only with a grant.
        let bare = Grants {
            inside: vec!["keyvalue".into()],
            ..Grants::default()
        };
        assert!(plan_for(&bare, &imports[..1]).is_err());
    }

    #[test]
    fn bucket_names_are_ones_every_host_can_open() {
        assert!(check_bucket("counter_v2-1").is_ok());
        for bad in ["", "a.b", "a b", "ü", &"x".repeat(65)] {
            assert!(check_bucket(bad).is_err(), "{bad:?}");
        }
    }
}
