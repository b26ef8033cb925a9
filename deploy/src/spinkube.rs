//! A SpinKube `SpinApp` resource (`core.spinkube.dev/v1alpha1`).
//!
//! What the Spin runtime (3.x) serves: WASI 0.2 `cli`, `clocks`, `random`, `io` and
//! `http/types`, `wasi:keyvalue@0.2.0-draft2` and `wasi:config/store@0.2.0-draft-2024-09-27`.

use crate::{exports_http, map_imports, wasi_0_2, yaml, DeployError, Manifest, Options};
use serde_json::{json, Value};
use witpipe_compose::Summary;

const WHY: &str = "the Spin runtime (3.x) serves WASI 0.2 cli, clocks, random, io and http types, wasi:keyvalue@0.2.0-draft2 and wasi:config/store@0.2.0-draft-2024-09-27; take the grant out of the pipeline or build the component against the versions named";

pub(crate) fn manifest(summary: &Summary, options: &Options) -> Result<Manifest, DeployError> {
    if !exports_http(summary) {
        return Err(DeployError::Unsupported {
            target: "SpinKube",
            imports: vec!["(no wasi:http/incoming-handler export)".into()],
            why: "a SpinApp runs HTTP-triggered components; export the instance that serves HTTP"
                .into(),
        });
    }
    let mapping = map_imports(summary, "SpinKube", WHY, |pkg, iface, v| {
        match (pkg, iface) {
        ("cli" | "clocks" | "random" | "io", _) | ("http", "types") if wasi_0_2(v) => {
            Some("provided by the Spin runtime")
        }
        ("http", "outgoing-handler") if wasi_0_2(v) => Some(
            "Spin's outbound HTTP (list the origins in the application's `allowed_outbound_hosts`; the wrappers inside decide too)",
        ),
        ("config", "store") if v == "0.2.0-draft-2024-09-27" => {
            Some("Spin application variables (the SpinApp's `variables`)")
        }
        ("keyvalue", _) if v == "0.2.0-draft2" => Some(
            "Spin's key-value store (declare `key_value_stores` in the application's spin.toml)",
        ),
        _ => None,
    }
    })?;
    let mut spec = json!({
        "image": options.image,
        "executor": "containerd-shim-spin",
        "replicas": options.replicas,
    });
    if let Some(config) = &summary.host_config {
        spec["variables"] = Value::Array(
            config
                .iter()
                .map(|(k, v)| json!({ "name": k, "value": v }))
                .collect(),
        );
    }
    let doc = json!({
        "apiVersion": "core.spinkube.dev/v1alpha1",
        "kind": "SpinApp",
        "metadata": { "name": options.name },
        "spec": spec,
    });
    Ok(Manifest {
        yaml: yaml(&doc),
        mapping,
    })
}
