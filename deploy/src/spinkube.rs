//! A SpinKube `SpinApp` resource (`core.spinkube.dev/v1alpha1`).
//!
//! What the Spin runtime (3.x) serves: WASI 0.2 `cli`, `clocks`, `random`, `io` and
//! `http/types`, `wasi:keyvalue@0.2.0-draft2` and `wasi:config/store@0.2.0-draft-2024-09-27`.

use crate::{every_host_serves, map_imports, wasi_0_2, DeployError, Manifest, Options};
use serde_json::{json, Value};
use witpipe_policy::{Capability, HostContract};

const WHY: &str = "the Spin runtime (3.x) serves WASI 0.2 cli, clocks, random, io, http and read-only files, wasi:keyvalue@0.2.0-draft2 and wasi:config/store@0.2.0-draft-2024-09-27; take the grant out of the pipeline or build the component against the versions named";

pub(crate) fn manifest(
    contract: &HostContract,
    options: &Options,
) -> Result<Manifest, DeployError> {
    let mapping = served(contract, "SpinKube")?;
    let mut spec = json!({
        "image": options.image,
        "executor": "containerd-shim-spin",
        "replicas": options.replicas,
    });
    if let Some(config) = &contract.needs.config.values {
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
    Ok(Manifest { doc, mapping })
}

/// How Spin serves each import of the output, one line each; refuses an output that
/// serves no HTTP and imports Spin does not serve, by name, as `target` (what is being
/// written: a SpinApp for SpinKube, or a Spin application).
pub(crate) fn served(
    contract: &HostContract,
    target: &'static str,
) -> Result<Vec<String>, DeployError> {
    if !contract.serves_http() {
        return Err(DeployError::Unsupported {
            target,
            imports: vec!["(no wasi:http/incoming-handler export)".into()],
            why: "a SpinApp runs HTTP-triggered components; export the instance that serves HTTP"
                .into(),
        });
    }
    map_imports(contract, target, WHY, |capability, v| {
        match capability {
        c if every_host_serves(c) && wasi_0_2(v) => Some("provided by the Spin runtime"),
        Capability::HttpOutgoing if wasi_0_2(v) => Some(
            "Spin's outbound HTTP, to the application's `allowed_outbound_hosts` (`push --spin` writes the `http:` grants there; the wrappers inside decide too)",
        ),
        Capability::FsPreopens | Capability::FsTypes if wasi_0_2(v) => Some(
            "the application's static files, read-only (`push --spin` packs the `fs:` grants' directories)",
        ),
        Capability::Config if v == "0.2.0-draft-2024-09-27" => {
            Some("Spin application variables (the SpinApp's `variables`)")
        }
        Capability::KeyValue if v == "0.2.0-draft2" => Some(
            "Spin's key-value store (declare `key_value_stores` in the application's spin.toml)",
        ),
        _ => None,
    }
    })
}
