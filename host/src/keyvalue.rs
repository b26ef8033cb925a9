//! `wasi:keyvalue@0.2.0-draft` (store, atomics, batch) backed by one in-process store
//! that every instance of a run or a server shares.
//!
//! wasmtime-wasi-keyvalue's in-memory provider copies its data into each bucket it
//! opens, so writes never reach the next instance; a counter served one request per
//! instance needs the writes to persist, hence this small store.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};

mod generated {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "witpipe:host/keyvalue",
        imports: { default: trappable },
        with: { "wasi:keyvalue/store.bucket": super::Bucket },
        trappable_error_type: { "wasi:keyvalue/store.error" => super::Error },
    });
}

use generated::wasi::keyvalue::{atomics, batch, store};

/// Keys per bucket, each bucket a name (`""` is the default bucket).
type Buckets = BTreeMap<String, BTreeMap<String, Vec<u8>>>;

/// The store every instance of one run or server shares. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct KeyValueStore(Arc<Mutex<Buckets>>);

impl KeyValueStore {
    /// The value under `key` in `bucket`, if any.
    pub fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.lock().get(bucket)?.get(key).cloned()
    }

    /// Stores `value` under `key` in `bucket` (what an embedder seeds the store with).
    pub fn set(&self, bucket: &str, key: &str, value: &[u8]) {
        let mut buckets = self.lock();
        let keys = buckets.entry(bucket.to_string()).or_default();
        keys.insert(key.to_string(), value.to_vec());
    }

    fn lock(&self) -> MutexGuard<'_, Buckets> {
        // A guest cannot panic the host while it holds the lock; recover anyway.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An open bucket: its name.
pub struct Bucket(String);

/// A store error before it is handed to the guest.
pub struct Error(String);

impl From<wasmtime::component::ResourceTableError> for Error {
    fn from(e: wasmtime::component::ResourceTableError) -> Self {
        Error(e.to_string())
    }
}

/// The view the bindings use: the shared store and the store's resource table.
pub struct KeyValueView<'a> {
    /// The shared store.
    pub store: &'a KeyValueStore,
    /// The resource table holding open buckets.
    pub table: &'a mut ResourceTable,
}

impl KeyValueView<'_> {
    fn bucket(&self, bucket: &Resource<Bucket>) -> Result<String, Error> {
        Ok(self.table.get(bucket)?.0.clone())
    }

    fn with<R>(
        &mut self,
        bucket: &Resource<Bucket>,
        f: impl FnOnce(&mut BTreeMap<String, Vec<u8>>) -> R,
    ) -> Result<R, Error> {
        let name = self.bucket(bucket)?;
        let mut buckets = self.store.lock();
        Ok(f(buckets.entry(name).or_default()))
    }
}

impl store::Host for KeyValueView<'_> {
    fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, Error> {
        Ok(self.table.push(Bucket(identifier))?)
    }

    fn convert_error(&mut self, err: Error) -> wasmtime::Result<store::Error> {
        Ok(store::Error::Other(err.0))
    }
}

impl store::HostBucket for KeyValueView<'_> {
    fn get(&mut self, bucket: Resource<Bucket>, key: String) -> Result<Option<Vec<u8>>, Error> {
        self.with(&bucket, |b| b.get(&key).cloned())
    }

    fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> Result<(), Error> {
        self.with(&bucket, |b| {
            b.insert(key, value);
        })
    }

    fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Result<(), Error> {
        self.with(&bucket, |b| {
            b.remove(&key);
        })
    }

    fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Result<bool, Error> {
        self.with(&bucket, |b| b.contains_key(&key))
    }

    fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        cursor: Option<u64>,
    ) -> Result<store::KeyResponse, Error> {
        // All keys in one page: the cursor is an offset into the sorted keys.
        let skip = usize::try_from(cursor.unwrap_or(0)).unwrap_or(usize::MAX);
        self.with(&bucket, |b| store::KeyResponse {
            keys: b.keys().skip(skip).cloned().collect(),
            cursor: None,
        })
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for KeyValueView<'_> {
    fn increment(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
        delta: u64,
    ) -> Result<u64, Error> {
        // Counters are stored as decimal text, as Redis and NATS key-value stores keep them.
        self.with(&bucket, |b| {
            let current = match b.get(&key) {
                None => 0,
                Some(bytes) => std::str::from_utf8(bytes)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or_else(|| Error(format!("the value under `{key}` is not a counter")))?,
            };
            let next = current
                .checked_add(delta)
                .ok_or_else(|| Error(format!("incrementing `{key}` overflows")))?;
            b.insert(key, next.to_string().into_bytes());
            Ok(next)
        })?
    }
}

impl batch::Host for KeyValueView<'_> {
    fn get_many(
        &mut self,
        bucket: Resource<Bucket>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        self.with(&bucket, |b| {
            keys.into_iter()
                .map(|k| b.get(&k).cloned().map(|v| (k, v)))
                .collect()
        })
    }

    fn set_many(
        &mut self,
        bucket: Resource<Bucket>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> Result<(), Error> {
        self.with(&bucket, |b| b.extend(key_values))
    }

    fn delete_many(&mut self, bucket: Resource<Bucket>, keys: Vec<String>) -> Result<(), Error> {
        self.with(&bucket, |b| {
            for k in keys {
                b.remove(&k);
            }
        })
    }
}

struct HasKeyValue;

impl HasData for HasKeyValue {
    type Data<'a> = KeyValueView<'a>;
}

/// Adds `wasi:keyvalue` store, atomics and batch to `linker`.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    view: fn(&mut T) -> KeyValueView<'_>,
) -> wasmtime::Result<()> {
    store::add_to_linker::<_, HasKeyValue>(linker, view)?;
    atomics::add_to_linker::<_, HasKeyValue>(linker, view)?;
    batch::add_to_linker::<_, HasKeyValue>(linker, view)?;
    Ok(())
}
