//! The hostile store probe: each call reaches for one bucket, key or configuration
//! value and returns what it saw, so the policy tests can show that a `bucket:` grant
//! gives exactly one bucket of the host's store and `inside: [config]` exactly the
//! granted values, on a host that serves every bucket and holds secret values.

wit_bindgen::generate!({ path: "../wit", world: "store-probe", generate_all });

use wasi::config::store as config;
use wasi::keyvalue::{atomics, store};

struct StoreProbe;

/// `-` is the default bucket `""`.
fn open(bucket: &str) -> Result<store::Bucket, String> {
    let name = if bucket == "-" { "" } else { bucket };
    store::open(name).map_err(|e| format!("error: {e:?}"))
}

fn attempt(mode: &str) -> Result<String, String> {
    let words: Vec<&str> = mode.split(' ').collect();
    let shown = |e| format!("error: {e:?}");
    match words.as_slice() {
        ["config-all"] => {
            let all = config::get_all().map_err(|e| format!("error: {e:?}"))?;
            let pairs: Vec<String> = all.iter().map(|(k, v)| format!("{k}={v}")).collect();
            Ok(pairs.join(";"))
        }
        ["config", key] => {
            let value = config::get(key).map_err(|e| format!("error: {e:?}"))?;
            Ok(value.unwrap_or_else(|| "none".into()))
        }
        ["get", bucket, key] => {
            let value = open(bucket)?.get(key).map_err(shown)?;
            Ok(value.map_or("none".into(), |v| String::from_utf8_lossy(&v).into_owned()))
        }
        ["incr", bucket, key] => {
            let count = atomics::increment(&open(bucket)?, key, 1).map_err(shown)?;
            Ok(count.to_string())
        }
        ["list", bucket] => {
            let keys = open(bucket)?.list_keys(None).map_err(shown)?;
            Ok(keys.keys.join(";"))
        }
        _ => Err(format!("unknown mode {mode}")),
    }
}

impl Guest for StoreProbe {
    fn run(mode: String) -> String {
        attempt(&mode).unwrap_or_else(|e| e)
    }
}

export!(StoreProbe);
