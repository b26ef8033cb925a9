//! The host's key-value store (`wasi:keyvalue`): key `keyvalue:`. `allow` lets the host
//! serve it as it is; `{ bucket: NAME }` puts a `keyvalue-bucket` wrapper between the
//! component and the host, which gives the component one bucket of the host's — its
//! default bucket `""` is the host's bucket NAME (or the host's default bucket where
//! the host has no bucket of that name), any other is refused. That is what lets one
//! output count in the same place on wasmtime (whose in-memory store serves only `""`)
//! and on wasmCloud v2 (whose NATS store cannot open `""`). With `inside: [keyvalue]`
//! a `keyvalue-memory` wrapper serves a store in the instance's memory instead and
//! the host serves nothing. Otherwise the import is refused: there is no store to fake.

use super::{Family, NoHost, Output, WrapperSetting};
use crate::capability::Capability;
use crate::error::PolicyError;
use crate::route::{Route, Routed, Routes};
use crate::settings_keys as keys;
use crate::wrappers::Role;
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

grant_keys! {
    /// `keyvalue:` as written.
    KeyValueSpec {
        /// `keyvalue:` — `allow` lets the host serve `wasi:keyvalue` (its store);
        /// `{ bucket: NAME }` one bucket of it.
        keyvalue: KeyValueGrant,
    }
}

/// What the `keyvalue-bucket` is told: the host bucket behind the component's default
/// bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket(pub String);

impl WrapperSetting for Bucket {
    fn line(&self) -> String {
        keys::line(keys::BUCKET, &[&self.0])
    }
}

/// One bucket of the host's key-value store (`keyvalue: { bucket: NAME }`).
pub static KEYVALUE_BUCKET: Role =
    crate::proposal_role!("keyvalue-bucket", "0.2.0-draft", settings: true);
/// A key-value store in the instance's memory (`inside: [keyvalue]`).
pub static KEYVALUE_MEMORY: Role =
    crate::proposal_role!("keyvalue-memory", "0.2.0-draft", settings: false);

/// The family of `wasi:keyvalue`.
pub struct KeyValue;

impl Family for KeyValue {
    type Spec = KeyValueSpec;
    type Grant = KeyValueGrant;
    type Host = NoHost;
    type Setting = Bucket;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] =
        &[("keyvalue", "*", Capability::KeyValue)];
    const WRAPPED: bool = false;
    const SERVED_INSIDE: bool = true;
    const ROLES: &'static [&'static Role] = &[&KEYVALUE_BUCKET, &KEYVALUE_MEMORY];

    one_key!(keyvalue, denied: KeyValueGrant::Deny, grants: |g| *g != KeyValueGrant::Deny);

    fn problems(spec: &KeyValueSpec, out: &mut Vec<PolicyError>) {
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

    fn route(
        grant: &KeyValueGrant,
        inside: bool,
        _: Capability,
        import: &str,
    ) -> Result<Routed, PolicyError> {
        let keys: &'static [&'static str] = &["keyvalue"];
        match grant {
            KeyValueGrant::Deny => Err(PolicyError::HostCapability {
                import: import.into(),
                key: "keyvalue",
                fix: "give it one bucket of the host's store with `grants: { keyvalue: { bucket: NAME } }` (or the whole store with `keyvalue: allow`)",
            }),
            _ if inside => {
                Ok(Routed::new(Route::Wrapper(KEYVALUE_MEMORY.p2()), keys))
            }
            KeyValueGrant::Allow => Ok(Routed::new(Route::Host, keys)),
            // The wrapper serves the store and its atomics; batches would bypass it.
            KeyValueGrant::Bucket(_)
                if !matches!(crate::name::split(import), Some((_, _, "store" | "atomics", _))) =>
            {
                Err(PolicyError::NotInBucket {
                    import: import.into(),
                })
            }
            KeyValueGrant::Bucket(_) => Ok(Routed::new(Route::Wrapper(KEYVALUE_BUCKET.p2()), keys)),
        }
    }

    fn settings(grant: &KeyValueGrant, role: &Role, _: Routes, out: &mut Vec<Bucket>) {
        if let (true, KeyValueGrant::Bucket(name)) = (role.is(&KEYVALUE_BUCKET), grant) {
            out.push(Bucket(name.clone()));
        }
    }

    fn wasmtime_flags(_: &NoHost, output: &Output, out: &mut Vec<String>) {
        if output.has(Capability::KeyValue) {
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
                match super::Access::deserialize(de::value::StrDeserializer::<E>::new(s)) {
                    Ok(super::Access::Allow) => Ok(KeyValueGrant::Allow),
                    Ok(super::Access::Deny) => Ok(KeyValueGrant::Deny),
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
    use crate::families::keyvalue::KEYVALUE_BUCKET;
    use crate::families::keyvalue::KEYVALUE_MEMORY;
    use crate::testing::plan_for;
    use crate::{Grants, PolicyError, Route};

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
        assert_eq!(plan.host_imports(), [store]);
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
        let wrapped = Route::Wrapper(KEYVALUE_BUCKET.p2());
        assert!(plan.routes.iter().all(|r| r.route == wrapped));
        let host = plan.host_imports();
        assert!(
            host.iter().all(|i| i.starts_with("wasi:keyvalue/")) && !host.is_empty(),
            "the wrapper's own imports are the host's: {host:?}"
        );
        assert_eq!(plan.settings.as_deref(), Some("bucket=counter\n"));
        assert_eq!(plan.version_for(KEYVALUE_BUCKET.p2()), Some("0.2.0-draft"));
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
        let memory = Route::Wrapper(KEYVALUE_MEMORY.p2());
        assert!(plan.routes.iter().all(|r| r.route == memory));
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
