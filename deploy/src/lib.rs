//! Deployment manifests for a composed, policy-wrapped pipeline: a wasmCloud v1
//! application (wadm, `core.oam.dev/v1beta1`), a wasmCloud v2 `WorkloadDeployment`
//! (`runtime.wasmcloud.dev/v1alpha1`) or a SpinKube `SpinApp`, and `--apply` to a
//! wasmCloud v1 lattice. Pushing the component is `witpipe-oci`'s job.
//!
//! The manifest is derived from the pipeline's host contract ([`HostContract`]): every
//! import the output keeps is mapped to what the target provides, and an import the
//! target cannot provide is an error that names it — never silently dropped.
#![deny(missing_docs)]

mod checks;
mod nats;
mod spin_app;
mod spinkube;
mod wadm;
mod washlet;
mod wasmcloud;
mod wasmcloud_v2;

use serde_json::Value;
pub use spin_app::{
    spin_application, Layer, LayerData, SpinApplication,
    CONFIG_MEDIA_TYPE as SPIN_CONFIG_MEDIA_TYPE,
};
pub use wadm::{apply, Lattice};
pub use washlet::{start as start_on_v2_host, stop as stop_on_v2_host, V2Host};
use witpipe_policy::{Capability, HostContract};

/// Where the component is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A wasmCloud lattice managed by wadm (wasmCloud v1).
    WasmCloud,
    /// wasmCloud v2: a `WorkloadDeployment` for the v2 operator.
    WasmCloudV2,
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
    /// wasmCloud v2: the `Host` header the host's HTTP server routes to the component
    /// (default: the application's name).
    pub http_host: Option<String>,
    /// wasmCloud: the provider image serving `wasi:keyvalue` (none is built in).
    pub keyvalue_provider: Option<String>,
    /// wasmCloud: where instances go. Empty: anywhere, with an HTTP server on every host.
    pub spread: Vec<Spread>,
    /// The application's version (wadm keeps every version it is given). Derive it from
    /// the component's digest so that the same output is the same version.
    pub version: String,
}

/// wasmCloud: a group of hosts selected by one label, with an equal share of the
/// instances and, when the component serves HTTP, its own listen address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spread {
    /// The host label.
    pub label: String,
    /// The value hosts must have.
    pub value: String,
    /// The HTTP server's address on these hosts (default: [`Options::http_address`]).
    pub http_address: Option<String>,
}

impl std::str::FromStr for Spread {
    type Err = String;

    /// `LABEL=VALUE` or `LABEL=VALUE@ADDRESS`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (selector, address) = match text.split_once('@') {
            Some((s, a)) => (s, Some(a.to_string())),
            None => (text, None),
        };
        match selector.split_once('=') {
            Some((label, value)) if !label.is_empty() && !value.is_empty() => {
                let spread = Spread {
                    label: label.into(),
                    value: value.into(),
                    http_address: address,
                };
                checks::spread_parts(&spread)?;
                Ok(spread)
            }
            _ => Err(format!(
                "`{text}` is not a spread: write LABEL=VALUE or LABEL=VALUE@ADDRESS, e.g. zone=east@0.0.0.0:8080"
            )),
        }
    }
}

/// A generated manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The manifest, as a JSON value ([`Manifest::yaml`] renders it).
    pub doc: Value,
    /// How the output's imports were mapped, one line each.
    pub mapping: Vec<String>,
}

impl Manifest {
    /// The manifest as YAML: what is written, and what wadm reads.
    pub fn yaml(&self) -> String {
        serde_saphyr::to_string(&self.doc).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
    }
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
    /// The lattice (NATS, wadm) refused or could not be reached.
    #[error("{0}")]
    Lattice(String),
}

/// A manifest version derived from the component's bytes: the same output is the same
/// version, so applying an unchanged pipeline again changes nothing.
pub fn version_of(component: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = format!("{:x}", Sha256::digest(component));
    format!("witpipe-{}", &digest[..12])
}

/// The id a v2 workload of application `name` at `version` gets on a host started with
/// `--apply`: the same output is the same workload.
pub fn workload_id(name: &str, version: &str) -> String {
    format!("{name}-{}", version.trim_start_matches("witpipe-"))
}

/// The manifest for an output with `contract` under `options`.
pub fn manifest(contract: &HostContract, options: &Options) -> Result<Manifest, DeployError> {
    checks::options(options)?;
    match options.target {
        Target::WasmCloud => wasmcloud::manifest(contract, options),
        Target::WasmCloudV2 => wasmcloud_v2::manifest(contract, options),
        Target::SpinKube => spinkube::manifest(contract, options),
    }
}

/// How each import of the output is provided on `target`: `provided(capability,
/// version)` describes what serves a `wasi:` import of that capability at that version,
/// or `None`. Any import without a provider fails the whole manifest, naming every
/// such import and `why`.
fn map_imports(
    contract: &HostContract,
    target: &'static str,
    why: &str,
    provided: impl Fn(Capability, &str) -> Option<&'static str>,
) -> Result<Vec<String>, DeployError> {
    let mut mapping = Vec::new();
    let mut unsupported = Vec::new();
    for import in &contract.imports {
        let by = match witpipe_policy::split(&import.name) {
            Some(("wasi", _, _, Some(version))) => provided(import.capability, version),
            _ => None,
        };
        match by {
            Some(by) => mapping.push(format!("{}: {by}", import.name)),
            None => unsupported.push(import.name.clone()),
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

/// Whether `capability` is one every WASI 0.2 host serves itself: the command-line
/// world (environment, exit, stdio, terminals), clocks, random, `wasi:io` and the HTTP
/// types.
fn every_host_serves(capability: Capability) -> bool {
    use Capability::*;
    matches!(
        capability,
        Environment | Exit | Stdin | Stdout | Stderr | Terminal | Clocks | Random | Io | HttpTypes
    )
}

/// Whether `version` is a WASI 0.2 release (`0.2.x`, no pre-release).
fn wasi_0_2(version: &str) -> bool {
    version
        .strip_prefix("0.2.")
        .is_some_and(|patch| patch.parse::<u32>().is_ok())
}
