//! A wasmCloud capability provider serving `wasi:keyvalue` (store and atomics) from NATS
//! JetStream key-value buckets, built on `wasmcloud-provider-sdk`. The host starts it from
//! a provider archive (`lattice-node par`); every host's copy talks to the same JetStream,
//! so components on different hosts share their counts.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use async_nats::jetstream::{self, kv};
use bytes::Bytes;
use tokio::sync::Mutex;
use wasmcloud_provider_sdk::{
    get_connection, load_host_data, run_provider, serve_provider_exports,
};

#[path = "../../../../policy/wrappers/unescape.rs"]
mod unescape;

mod bindings {
    wit_bindgen_wrpc::generate!({ world: "provider", path: "wit/keyvalue", generate_all });
}
use bindings::exports::wrpc::keyvalue::{atomics, store};
use store::{Error, KeyResponse};

/// The provider: one JetStream context, buckets opened on first use.
#[derive(Clone, Default)]
struct KeyValueNats {
    jetstream: Arc<Mutex<Option<jetstream::Context>>>,
    buckets: Arc<Mutex<HashMap<String, kv::Store>>>,
}

impl wasmcloud_provider_sdk::Provider for KeyValueNats {}

impl KeyValueNats {
    /// The JetStream bucket behind a `wasi:keyvalue` bucket name (created on first use).
    async fn bucket(&self, name: &str) -> Result<kv::Store, Error> {
        let name: String = match name {
            "" => "default".into(),
            n => n
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect(),
        };
        let mut buckets = self.buckets.lock().await;
        if let Some(store) = buckets.get(&name) {
            return Ok(store.clone());
        }
        let js = self
            .jetstream
            .lock()
            .await
            .clone()
            .ok_or_else(|| Error::Other("not connected".into()))?;
        let store = match js.get_key_value(&name).await {
            Ok(store) => store,
            Err(_) => js
                .create_key_value(kv::Config {
                    bucket: name.clone(),
                    history: 1,
                    ..Default::default()
                })
                .await
                .map_err(|e| Error::Other(format!("cannot create bucket {name}: {e}")))?,
        };
        buckets.insert(name, store.clone());
        Ok(store)
    }
}

/// A `wasi:keyvalue` key as a NATS key (letters, digits, `-`, `_`, `/`; `=XX` for any
/// other byte, `=` included), so any key round-trips.
fn encode(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'/' => (b as char).to_string(),
            _ => format!("={b:02X}"),
        })
        .collect()
}

/// The reverse of [`encode`].
fn decode(key: &str) -> String {
    unescape::unescape(key, b'=')
}

fn other(e: impl std::fmt::Display) -> Error {
    Error::Other(e.to_string())
}

impl KeyValueNats {
    /// The value under `key`, if any.
    async fn value(&self, bucket: &str, key: &str) -> Result<Option<Bytes>, Error> {
        self.bucket(bucket)
            .await?
            .get(encode(key))
            .await
            .map_err(other)
    }

    /// Adds `delta` with a compare-and-set on the entry's revision until it sticks, so
    /// concurrent increments from every host are all counted.
    async fn add(&self, bucket: &str, key: &str, delta: u64) -> Result<u64, Error> {
        let b = self.bucket(bucket).await?;
        let key = encode(key);
        for _ in 0..1000 {
            let (current, revision) = match b.entry(&key).await.map_err(other)? {
                Some(e) if e.operation == kv::Operation::Put => {
                    let text = String::from_utf8_lossy(&e.value).into_owned();
                    (text.trim().parse::<u64>().unwrap_or(0), Some(e.revision))
                }
                Some(e) => (0, Some(e.revision)),
                None => (0, None),
            };
            let next = current.wrapping_add(delta);
            let value = Bytes::from(next.to_string());
            let written = match revision {
                Some(r) => b.update(&key, value, r).await.is_ok(),
                None => b.create(&key, value).await.is_ok(),
            };
            if written {
                return Ok(next);
            }
        }
        Err(Error::Other(format!("increment of {key} kept conflicting")))
    }
}

impl<Ctx: Send> store::Handler<Ctx> for KeyValueNats {
    async fn get(
        &self,
        _: Ctx,
        bucket: String,
        key: String,
    ) -> anyhow::Result<Result<Option<Bytes>, Error>> {
        Ok(self.value(&bucket, &key).await)
    }

    async fn set(
        &self,
        _: Ctx,
        bucket: String,
        key: String,
        value: Bytes,
    ) -> anyhow::Result<Result<(), Error>> {
        Ok(async {
            let b = self.bucket(&bucket).await?;
            b.put(encode(&key), value).await.map(|_| ()).map_err(other)
        }
        .await)
    }

    async fn delete(
        &self,
        _: Ctx,
        bucket: String,
        key: String,
    ) -> anyhow::Result<Result<(), Error>> {
        Ok(async {
            let b = self.bucket(&bucket).await?;
            b.delete(encode(&key)).await.map_err(other)
        }
        .await)
    }

    async fn exists(
        &self,
        _: Ctx,
        bucket: String,
        key: String,
    ) -> anyhow::Result<Result<bool, Error>> {
        Ok(self.value(&bucket, &key).await.map(|v| v.is_some()))
    }

    async fn list_keys(
        &self,
        _: Ctx,
        bucket: String,
        _cursor: Option<u64>,
    ) -> anyhow::Result<Result<KeyResponse, Error>> {
        use futures::TryStreamExt as _;
        Ok(async {
            let keys = self.bucket(&bucket).await?.keys().await.map_err(other)?;
            let keys = keys
                .map_ok(|k| decode(&k))
                .try_collect()
                .await
                .map_err(other)?;
            Ok(KeyResponse { keys, cursor: None })
        }
        .await)
    }
}

impl<Ctx: Send> atomics::Handler<Ctx> for KeyValueNats {
    async fn increment(
        &self,
        _: Ctx,
        bucket: String,
        key: String,
        delta: u64,
    ) -> anyhow::Result<Result<u64, Error>> {
        Ok(self.add(&bucket, &key, delta).await)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let provider = KeyValueNats::default();
    let shutdown = run_provider(provider.clone(), "witpipe-keyvalue-nats")
        .await
        .context("starting the provider")?;
    let host = load_host_data().context("host data")?;
    let nats = async_nats::connect(host.lattice_rpc_url.as_str())
        .await
        .context("connecting to NATS for key-value")?;
    *provider.jetstream.lock().await = Some(jetstream::new(nats));
    let connection = get_connection();
    let wrpc = connection
        .get_wrpc_client(connection.provider_key())
        .await
        .context("wRPC client")?;
    serve_provider_exports(&wrpc, provider, shutdown, bindings::serve).await
}
