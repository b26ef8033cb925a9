//! A key prefix in front of a component's key-value store (a layer on its
//! `wasi:keyvalue/*` edge): every key it names is stored as `PREFIX` + key, with the
//! `prefix` it reads through `wasi:config`, and listing shows it only the keys under
//! that prefix, with the prefix taken off. Components sharing a bucket then each have
//! their own keys.

wit_bindgen::generate!({
    path: "../../../wit/counter",
    world: "key-prefix",
    generate_all,
});

use exports::wasi::keyvalue::atomics::Guest as AtomicsGuest;
use exports::wasi::keyvalue::store::{
    Bucket as BucketHandle, BucketBorrow, Error, Guest, GuestBucket, KeyResponse,
};
use wasi::config::store as config;
use wasi::keyvalue::{atomics, store};

struct Prefix;

/// One of the component's buckets: the store's bucket behind it.
struct Bucket(store::Bucket);

/// The prefix every key gets (empty when none is granted: keys pass unchanged).
fn prefix() -> String {
    config::get("prefix").ok().flatten().unwrap_or_default()
}

fn key(k: &str) -> String {
    format!("{}{k}", prefix())
}

/// The store's error as the component's.
fn error(e: store::Error) -> Error {
    match e {
        store::Error::NoSuchStore => Error::NoSuchStore,
        store::Error::AccessDenied => Error::AccessDenied,
        store::Error::Other(why) => Error::Other(why),
    }
}

impl Guest for Prefix {
    type Bucket = Bucket;

    fn open(identifier: String) -> Result<BucketHandle, Error> {
        let bucket = store::open(&identifier).map_err(error)?;
        Ok(BucketHandle::new(Bucket(bucket)))
    }
}

impl GuestBucket for Bucket {
    fn get(&self, k: String) -> Result<Option<Vec<u8>>, Error> {
        self.0.get(&key(&k)).map_err(error)
    }

    fn set(&self, k: String, value: Vec<u8>) -> Result<(), Error> {
        self.0.set(&key(&k), &value).map_err(error)
    }

    fn delete(&self, k: String) -> Result<(), Error> {
        self.0.delete(&key(&k)).map_err(error)
    }

    fn exists(&self, k: String) -> Result<bool, Error> {
        self.0.exists(&key(&k)).map_err(error)
    }

    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let page = self.0.list_keys(cursor).map_err(error)?;
        let prefix = prefix();
        let mine = page.keys.iter().filter_map(|k| k.strip_prefix(&prefix));
        Ok(KeyResponse {
            keys: mine.map(str::to_string).collect(),
            cursor: page.cursor,
        })
    }
}

impl AtomicsGuest for Prefix {
    fn increment(bucket: BucketBorrow<'_>, k: String, delta: u64) -> Result<u64, Error> {
        let bucket = &bucket.get::<Bucket>().0;
        atomics::increment(bucket, &key(&k), delta).map_err(error)
    }
}

export!(Prefix);
