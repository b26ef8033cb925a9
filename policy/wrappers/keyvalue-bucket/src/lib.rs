//! One bucket of the host's key-value store. The component's default bucket (`""`) is
//! the host bucket named by the `bucket=NAME` setting; where the host answers
//! `no-such-store` for that name (wasmtime's in-memory store serves only `""`), its
//! default bucket. Any other bucket the component names is refused with
//! `access-denied` before the host is asked, so the component reaches exactly one
//! bucket whatever the host serves.
//!
//! Keys are stored under names every store accepts: a byte other than an ASCII letter,
//! digit, `-`, `_` or `/` is written `=XX` (hex), so `hits:/a.b` is `hits=3A/a=2Eb`.
//! NATS JetStream, behind wasmCloud's stores, refuses `:` and a leading or doubled
//! `.`; wasmtime's and witpipe's stores take any key. `list-keys` gives the
//! component its own names back.

#[path = "../../settings.rs"]
mod settings;
#[path = "../../unescape.rs"]
mod unescape;

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/keyvalue-bucket",
    generate_all,
});

use exports::wasi::keyvalue::{atomics, store};
use settings::{keys, Settings};
use store::{BucketBorrow, Error, KeyResponse};
use wasi::keyvalue::{atomics as host_atomics, store as host};

/// A bucket handed to the component: the host's bucket behind it.
struct Bucket(host::Bucket);

/// `key` as stored: every byte but `[A-Za-z0-9_/-]` as `=XX`.
fn stored(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-_/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

/// The host's error, as the component's.
fn error(e: host::Error) -> Error {
    match e {
        host::Error::NoSuchStore => Error::NoSuchStore,
        host::Error::AccessDenied => Error::AccessDenied,
        host::Error::Other(why) => Error::Other(why),
    }
}

struct KeyValueBucket;

impl store::Guest for KeyValueBucket {
    type Bucket = Bucket;

    fn open(identifier: String) -> Result<store::Bucket, Error> {
        if !identifier.is_empty() {
            return Err(Error::AccessDenied);
        }
        let name = Settings::parse(&witpipe::policy::settings::get())
            .get(keys::BUCKET)
            .unwrap_or_default()
            .to_string();
        let bucket = match host::open(&name) {
            Err(host::Error::NoSuchStore) if !name.is_empty() => host::open(""),
            opened => opened,
        };
        Ok(store::Bucket::new(Bucket(bucket.map_err(error)?)))
    }
}

impl store::GuestBucket for Bucket {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, Error> {
        self.0.get(&stored(&key)).map_err(error)
    }

    fn set(&self, key: String, value: Vec<u8>) -> Result<(), Error> {
        self.0.set(&stored(&key), &value).map_err(error)
    }

    fn delete(&self, key: String) -> Result<(), Error> {
        self.0.delete(&stored(&key)).map_err(error)
    }

    fn exists(&self, key: String) -> Result<bool, Error> {
        self.0.exists(&stored(&key)).map_err(error)
    }

    fn list_keys(&self, cursor: Option<u64>) -> Result<KeyResponse, Error> {
        let keys = self.0.list_keys(cursor).map_err(error)?;
        Ok(KeyResponse {
            keys: keys
                .keys
                .iter()
                .map(|k| unescape::unescape(k, b'='))
                .collect(),
            cursor: keys.cursor,
        })
    }
}

impl atomics::Guest for KeyValueBucket {
    fn increment(bucket: BucketBorrow<'_>, key: String, delta: u64) -> Result<u64, Error> {
        let bucket = bucket.get::<Bucket>();
        host_atomics::increment(&bucket.0, &stored(&key), delta).map_err(error)
    }
}

export!(KeyValueBucket);
