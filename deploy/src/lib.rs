//! Pushing composed components to OCI registries ([`push`], [`pull`]) and deployment
//! manifests for a composed, policy-wrapped pipeline: a wasmCloud
//! application (wadm, `core.oam.dev/v1beta1`) or a SpinKube `SpinApp`.
//!
//! The manifest is derived from the pipeline's host contract ([`Summary`]): every
//! import the output keeps is mapped to what the target provides, and an import the
//! target cannot provide is an error that names it — never silently dropped.
#![deny(missing_docs)]

mod oci;

pub use oci::{pull, push, CONFIG_MEDIA_TYPE, LAYER_MEDIA_TYPE};
use serde_json::{json, Value};
use witpipe_compose::Summary;

/// Where the component is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A wasmCloud lattice managed by wadm.
    WasmCloud,
    /// Kubernetes with SpinKube's `SpinApp` resource.
    SpinKube,
}

/// What the manifest needs besides the pipeline.
#[derive(Debug, Clone)]
pub struct Options {
    /// The deployment target.
    pub target: Target,
    /// Application name (a DNS label).
    pub name: String,
    /// The OCI reference the composed component is (or will be) pushed to.
    pub image: String,
    /// Instances to run.
    pub replicas: u32,
    /// wasmCloud: the address the built-in HTTP server listens on.
    pub http_address: String,
    /// wasmCloud: the provider image serving `wasi:keyvalue` (none is built in).
    pub keyvalue_provider: Option<String>,
}

/// A generated manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The manifest, as YAML.
    pub yaml: String,
    /// How the output's imports were mapped, one line each.
    pub mapping: Vec<String>,
}

/// What keeps a manifest from being written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeployError {
    /// Imports of the output that the target cannot provide.
    #[error("{target} cannot provide {}: {why}", imports.join(", "))]
    Unsupported {
        /// The target's name.
        target: &'static str,
        /// The imports.
        imports: Vec<String>,
        /// Why, and what to do.
        why: String,
    },
    /// An option that cannot be used.
    #[error("{0}")]
    Options(String),
    /// The registry refused or could not be reached.
    #[error("{0}")]
    Registry(String),
}

/// The manifest for `summary` under `options`.
pub fn manifest(summary: &Summary, options: &Options) -> Result<Manifest, DeployError> {
    if options.name.is_empty()
        || !options
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(DeployError::Options(format!(
            "`{}` is not a valid application name: use lowercase letters, digits and `-` (set it with `name:` in the pipeline or `--name`)",
            options.name
        )));
    }
    match options.target {
        Target::WasmCloud => wasmcloud(summary, options),
        Target::SpinKube => spinkube(summary, options),
    }
}

/// How each import of the output is provided on `target`: `provided(pkg, iface)`
/// describes what serves a `wasi:` interface, or `None`. Any import without a provider
/// fails the whole manifest, naming every such import and `why`.
fn map_imports(
    summary: &Summary,
    target: &'static str,
    why: &str,
    provided: impl Fn(&str, &str) -> Option<&'static str>,
) -> Result<Vec<String>, DeployError> {
    let mut mapping = Vec::new();
    let mut unsupported = Vec::new();
    for (import, _) in &summary.imports {
        let by = match witpipe_policy::split(import) {
            Some(("wasi", pkg, iface, _)) => provided(pkg, iface),
            _ => None,
        };
        match by {
            Some(by) => mapping.push(format!("{import}: {by}")),
            None => unsupported.push(import.clone()),
        }
    }
    if unsupported.is_empty() {
        Ok(mapping)
    } else {
        Err(DeployError::Unsupported {
            target,
            imports: unsupported,
            why: why.into(),
        })
    }
}

fn exports_http(summary: &Summary) -> bool {
    summary
        .exports
        .iter()
        .any(|(n, _, _)| n.starts_with("wasi:http/incoming-handler@"))
}

fn yaml(value: &Value) -> String {
    serde_saphyr::to_string(value).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
}

fn wasmcloud(summary: &Summary, options: &Options) -> Result<Manifest, DeployError> {
    let mut mapping = map_imports(
        summary,
        "a wasmCloud host",
        "wasmCloud hosts give components no filesystem, sockets or outgoing HTTP without a capability provider, and witpipe maps only wasi:cli, clocks, random, io, http types, config and keyvalue; take the grant out of the pipeline or deploy to wasmtime",
        |pkg, iface| match (pkg, iface) {
            ("cli" | "clocks" | "random" | "io", _) | ("http", "types") => {
                Some("provided by every wasmCloud host")
            }
            ("config", "store") => {
                Some("the component's `config` (values from the pipeline's grants)")
            }
            ("keyvalue", _) => Some("linked to the key-value provider"),
            _ => None,
        },
    )?;
    let mut keyvalue_interfaces: Vec<&str> = summary
        .imports
        .iter()
        .filter_map(|(n, _)| match witpipe_policy::split(n) {
            Some(("wasi", "keyvalue", iface, _)) => Some(iface),
            _ => None,
        })
        .collect();
    let mut component = json!({
        "name": options.name,
        "type": "component",
        "properties": { "image": options.image },
        "traits": [
            { "type": "spreadscaler", "properties": { "instances": options.replicas } }
        ]
    });
    if let Some(config) = &summary.host_config {
        let properties: serde_json::Map<String, Value> = config
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        component["properties"]["config"] = json!([
            { "name": format!("{}-config", options.name), "properties": properties }
        ]);
    }
    let mut components = vec![];
    if !keyvalue_interfaces.is_empty() {
        keyvalue_interfaces.sort();
        keyvalue_interfaces.dedup();
        let Some(provider) = &options.keyvalue_provider else {
            return Err(DeployError::Unsupported {
                target: "a wasmCloud host",
                imports: summary
                    .imports
                    .iter()
                    .filter(|(n, _)| n.starts_with("wasi:keyvalue/"))
                    .map(|(n, _)| n.clone())
                    .collect(),
                why: "wasmCloud has no built-in key-value store: pass the provider's image with `--keyvalue-provider REF` (for example a Redis or NATS key-value provider)".into(),
            });
        };
        component["traits"]
            .as_array_mut()
            .expect("traits")
            .push(json!({
                "type": "link",
                "properties": {
                    "target": { "name": "keyvalue" },
                    "namespace": "wasi",
                    "package": "keyvalue",
                    "interfaces": keyvalue_interfaces,
                }
            }));
        components.push(json!({
            "name": "keyvalue",
            "type": "capability",
            "properties": { "image": provider },
        }));
    }
    if exports_http(summary) {
        mapping.push(format!(
            "exports wasi:http/incoming-handler: served by the host's built-in HTTP server on {}",
            options.http_address
        ));
        components.push(json!({
            "name": "httpserver",
            "type": "capability",
            "properties": { "image": "wasmcloud+builtin://http-server" },
            "traits": [{
                "type": "link",
                "properties": {
                    "target": { "name": options.name },
                    "namespace": "wasi",
                    "package": "http",
                    "interfaces": ["incoming-handler"],
                    "source": { "config": [{
                        "name": format!("{}-http", options.name),
                        "properties": { "address": options.http_address }
                    }] }
                }
            }]
        }));
    }
    components.insert(0, component);
    let doc = json!({
        "apiVersion": "core.oam.dev/v1beta1",
        "kind": "Application",
        "metadata": {
            "name": options.name,
            "annotations": {
                "version": "v0.1.0",
                "description": "composed and policy-wrapped by witpipe",
            }
        },
        "spec": { "components": components }
    });
    Ok(Manifest {
        yaml: yaml(&doc),
        mapping,
    })
}

fn spinkube(summary: &Summary, options: &Options) -> Result<Manifest, DeployError> {
    if !exports_http(summary) {
        return Err(DeployError::Unsupported {
            target: "SpinKube",
            imports: vec!["(no wasi:http/incoming-handler export)".into()],
            why: "a SpinApp runs HTTP-triggered components; export the instance that serves HTTP"
                .into(),
        });
    }
    let mapping = map_imports(
        summary,
        "SpinKube",
        "witpipe maps only wasi:cli, clocks, random, io, http types, config and keyvalue to Spin; take the grant out of the pipeline",
        |pkg, iface| match (pkg, iface) {
            ("cli" | "clocks" | "random" | "io", _) | ("http", "types") => {
                Some("provided by the Spin runtime")
            }
            ("config", "store") => {
                Some("Spin application variables (the SpinApp's `variables`)")
            }
            ("keyvalue", _) => Some(
                "Spin's key-value store (declare `key_value_stores` in the application's spin.toml)",
            ),
            _ => None,
        },
    )?;
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
