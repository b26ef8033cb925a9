//! A key-value store inside the output: every bucket the component opens is a map in
//! this instance's memory. Nothing is asked of the host, so nothing of the host's is
//! reachable; the store lives as long as the instance.

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/keyvalue-memory",
    generate_all,
});

use exports::wasi::keyvalue::{atomics, batch, store};
use std::cell::RefCell;
use std::collections::BTreeMap;
use store::{BucketBorrow, Error, KeyResponse};

/// Keys per bucket name.
type Buckets = BTreeMap<String, BTreeMap<String, Vec<u8>>>;

thread_local! {
    static BUCKETS: RefCell<Buckets> = const { RefCell::new(BTreeMap::new()) };
}

/// An open bucket: its name.
struct Bucket(String);

impl Bucket {
    /// `f` on this bucket's keys.
    fn with<R>(&self, f: impl FnOnce(&mut BTreeMap<String, Vec<u8>>) -> R) -> R {
        BUCKETS.with(|b| f(b.borrow_mut().entry(self.0.clone()).or_default()))
    }
}

struct KeyValueMemory;

impl store::Guest for KeyValueMemory {
    type Bucket = Bucket;

    fn open(identifier: String) -> Result<store::Bucket, Error> {
        Ok(store::Bucket::new(Bucket(identifier)))
    }
}

impl store::GuestBucket for Bucket {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.with(|keys| keys.get(&key).cloned()))
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        self.with(|keys| keys.insert(key, value));
        Ok(())
    }

    fn delete(&self, key: String) -> Result<(), Error> {
        self.with(|keys| keys.remove(&key));
        Ok(())
    }

    fn exists(&self, key: String) -> Result<bool, Error> {
        Ok(self.with(|keys| keys.contains_key(&key)))
    }

    fn list_keys(&self, _cursor: Option<u64>) -> Result<KeyResponse, Error> {
        // Every key at once: no cursor to resume from.
        let keys = self.with(|keys| keys.keys().cloned().collect());
        Ok(KeyResponse { keys, cursor: None })
    }
}

impl atomics::Guest for KeyValueMemory {
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        bucket.get::<Bucket>().with(|keys| {
            // Decimal text, as witpipe's host, Redis and NATS key-value stores keep it.
            let old = match keys.get(&key) {
                None => 0,
                Some(v) => std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or_else(|| {
                        Error::Other(format!("the value under `{key}` is not a counter"))
                    })?,
            };
            let new = old
                .checked_add(delta)
                .ok_or_else(|| Error::Other(format!("incrementing `{key}` overflows")))?;
            keys.insert(key, new.to_string().into_bytes());
            Ok(new)
        })
    }
}

impl batch::Guest for KeyValueMemory {
    fn get_many(
        bucket: BucketBorrow<'_>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, Error> {
        Ok(bucket.get::<Bucket>().with(|stored| {
            let found = |k: String| stored.get(&k).map(|v| (k.clone(), v.clone()));
            keys.into_iter().map(found).collect()
        }))
    }

    fn set_many(bucket: BucketBorrow<'_>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), Error> {
        bucket
            .get::<Bucket>()
            .with(|stored| stored.extend(key_values));
        Ok(())
    }

    fn delete_many(bucket: BucketBorrow<'_>, keys: Vec<String>) -> Result<(), Error> {
        bucket
            .get::<Bucket>()
            .with(|stored| keys.iter().for_each(|k| drop(stored.remove(k))));
        Ok(())
    }
}

export!(KeyValueMemory);
