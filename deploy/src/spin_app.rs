//! A Spin application for an OCI registry, laid out as `spin registry push` writes one
//! (what SpinKube and `spin up --from` pull): an OCI image manifest whose config says
//! `architecture: wasm`, `os: Wasip1` and names the locked application's digest in the
//! label `com.fermyon.spin.lockedAppDigest`; one `application/vnd.wasm.content.layer.
//! v1+wasm` layer with the composed component; a `…+data` layer per static file (files
//! of at most 128 bytes are inlined in the locked application instead, as Spin does);
//! and last the locked application (`application/vnd.fermyon.spin.application.v1+config`).
//!
//! The locked application has one HTTP trigger (route `/...`) for the output's
//! `wasi:http/incoming-handler`, one component whose `allowed_outbound_hosts` are the
//! `http:` grants, whose read-only `fs:` grants become its static files, and whose
//! `config:` grants become application variables the component's config refers to.
//! Nothing in it depends on the time or the machine: the same output is the same
//! artifact.

use crate::{spinkube, DeployError};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use witpipe_policy::HostContract;

/// The media type of the component layer.
pub const WASM_LAYER: &str = "application/vnd.wasm.content.layer.v1+wasm";
/// The media type of a static file's layer.
pub const DATA_LAYER: &str = "application/vnd.wasm.content.layer.v1+data";
/// The media type of the locked application, the last layer.
pub const LOCKED_APP_LAYER: &str = "application/vnd.fermyon.spin.application.v1+config";
/// The media type of the image config.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
/// Content up to this size is inlined in the locked application, not pushed as a layer.
const INLINE_AT_MOST: usize = 128;

/// Where a layer's bytes are: in memory, or in a static file that is streamed when
/// pushed (never read whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerData {
    /// In memory.
    Bytes(Vec<u8>),
    /// In this file.
    File(PathBuf),
}

/// One layer of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Its bytes.
    pub data: LayerData,
    /// Its digest, `sha256:<hex>`.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its media type.
    pub media_type: &'static str,
}

/// A Spin application, ready to push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinApplication {
    /// The layers, in order: the component, static files, the locked application.
    pub layers: Vec<Layer>,
    /// The image config (JSON, [`CONFIG_MEDIA_TYPE`]).
    pub config: Vec<u8>,
    /// The manifest's annotations.
    pub annotations: BTreeMap<String, String>,
    /// How each import of the output is served, one line each.
    pub mapping: Vec<String>,
}

/// The Spin application `name` at `version` for the composed `component` with
/// `contract`. Refuses what Spin cannot serve (imports by name, a read-write
/// directory, a variable name Spin does not accept, an output that serves no HTTP).
pub fn spin_application(
    component: &[u8],
    contract: &HostContract,
    name: &str,
    version: &str,
) -> Result<SpinApplication, DeployError> {
    let mapping = spinkube::served(contract, "a Spin application")?;
    if let Some(rw) = contract.needs.fs.dirs.iter().find(|d| !d.read_only) {
        return Err(DeployError::Unsupported {
            target: "a Spin application",
            imports: vec![format!("(read-write directory {})", rw.guest)],
            why: "a Spin application's files are read-only: grant the directory with `mode: ro`, or deploy to wasmtime or wasmCloud v2".into(),
        });
    }
    let mut layers = vec![Layer::bytes(component.to_vec(), WASM_LAYER)];
    let mut files = Vec::new();
    for dir in &contract.needs.fs.dirs {
        for (path, file) in static_files(Path::new(&dir.host), &dir.guest)? {
            let (mut entry, layer) = static_file(&file)?;
            entry["path"] = json!(path);
            files.push(entry);
            layers.extend(layer);
        }
    }
    let mut variables = Map::new();
    let mut config = Map::new();
    for (key, value) in contract.needs.config.values.iter().flatten() {
        if !is_variable_name(key) {
            return Err(DeployError::Options(format!(
                "config key `{key}` cannot be a Spin variable: use lowercase letters, digits and `_`, starting with a letter"
            )));
        }
        variables.insert(key.clone(), json!({ "default": value }));
        config.insert(key.clone(), json!(format!("{{{{ {key} }}}}")));
    }
    let mut component = json!({
        "id": name,
        "source": {
            "content_type": "application/wasm",
            "digest": digest(component),
        },
    });
    if !contract.needs.http.allowed.is_empty() {
        component["metadata"] = json!({ "allowed_outbound_hosts": contract.needs.http.allowed });
    }
    if !files.is_empty() {
        component["files"] = Value::Array(files);
    }
    if !config.is_empty() {
        component["config"] = Value::Object(config);
    }
    let mut locked = json!({
        "spin_lock_version": 0,
        "metadata": {
            "name": name,
            "version": version,
            "trigger": { "type": "http" },
            "triggers": { "http": {} },
        },
        "triggers": [{
            "id": format!("trigger-{name}"),
            "trigger_type": "http",
            "trigger_config": { "component": name, "route": "/..." },
        }],
        "components": [component],
    });
    if !variables.is_empty() {
        locked["variables"] = Value::Object(variables);
    }
    let locked = Layer::bytes(serde_json::to_vec(&locked).expect("JSON"), LOCKED_APP_LAYER);
    let locked_digest = locked.digest.clone();
    layers.push(locked);
    let config = json!({
        "architecture": "wasm",
        "os": "Wasip1",
        "config": { "Labels": { "com.fermyon.spin.lockedAppDigest": locked_digest } },
        "rootfs": { "type": "layers", "diff_ids": [] },
    });
    let annotations = BTreeMap::from([
        (
            "org.opencontainers.image.title".to_string(),
            name.to_string(),
        ),
        (
            "org.opencontainers.image.version".to_string(),
            version.to_string(),
        ),
    ]);
    Ok(SpinApplication {
        layers,
        config: serde_json::to_vec(&config).expect("JSON"),
        annotations,
        mapping,
    })
}

/// `sha256:<hex>` of `data`.
fn digest(data: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(data))
}

impl Layer {
    /// A layer of `data`.
    fn bytes(data: Vec<u8>, media_type: &'static str) -> Layer {
        Layer {
            digest: digest(&data),
            size: data.len() as u64,
            data: LayerData::Bytes(data),
            media_type,
        }
    }
}

/// A static file's content reference (its digest, and its bytes too when they are
/// small), and the layer that carries it when they are not. A large file is hashed in
/// chunks and stays on disk: pushing streams it.
fn static_file(file: &Path) -> Result<(Value, Option<Layer>), DeployError> {
    use base64::Engine as _;
    let unreadable = |e: std::io::Error| {
        DeployError::Options(format!(
            "cannot read {} for the Spin application's files: {e}",
            file.display()
        ))
    };
    use std::io::Read as _;
    let mut reader = std::fs::File::open(file).map_err(unreadable)?;
    let mut head = Vec::new();
    (&mut reader)
        .take(INLINE_AT_MOST as u64 + 1)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    if head.len() <= INLINE_AT_MOST {
        let inline = base64::engine::general_purpose::STANDARD.encode(&head);
        return Ok((json!({ "digest": digest(&head), "inline": inline }), None));
    }
    let mut hasher = Sha256::new();
    hasher.update(&head);
    let size = head.len() as u64 + std::io::copy(&mut reader, &mut hasher).map_err(unreadable)?;
    let layer = Layer {
        data: LayerData::File(file.to_path_buf()),
        digest: format!("sha256:{:x}", hasher.finalize()),
        size,
        media_type: DATA_LAYER,
    };
    Ok((json!({ "digest": layer.digest }), Some(layer)))
}

/// Every regular file under `host`, as (path in the application, file), sorted: the
/// path is the guest path joined with the file's, relative and with `/` separators.
fn static_files(host: &Path, guest: &str) -> Result<Vec<(String, PathBuf)>, DeployError> {
    let unreadable = |path: &Path, e: std::io::Error| {
        DeployError::Options(format!(
            "cannot read {} for the Spin application's files: {e}",
            path.display()
        ))
    };
    let mut out = Vec::new();
    let mut pending = vec![(host.to_path_buf(), guest.trim_matches('/').to_string())];
    while let Some((dir, at)) = pending.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| unreadable(&dir, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| unreadable(&dir, e))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = match at.is_empty() {
                true => name,
                false => format!("{at}/{name}"),
            };
            let kind = entry
                .file_type()
                .map_err(|e| unreadable(&entry.path(), e))?;
            if kind.is_dir() {
                pending.push((entry.path(), path));
            } else if kind.is_file() {
                out.push((path, entry.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether `key` is a name Spin accepts for a variable.
fn is_variable_name(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use witpipe_policy::{Capability, HostImport};

    /// An output serving HTTP that reads `config` through Spin's `wasi:config` version.
    fn contract(config: &[(&str, &str)]) -> HostContract {
        let mut contract = HostContract {
            imports: vec![HostImport {
                name: "wasi:config/store@0.2.0-draft-2024-09-27".into(),
                capability: Capability::Config,
                instances: vec!["render".into()],
                type_only: false,
            }],
            exports: vec!["wasi:http/incoming-handler@0.2.6".into()],
            ..HostContract::default()
        };
        let values = config.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        contract.needs.config.values = Some(values.collect());
        contract
    }

    fn locked(app: &SpinApplication) -> Value {
        let last = app.layers.last().expect("layers");
        assert_eq!(last.media_type, LOCKED_APP_LAYER);
        let LayerData::Bytes(data) = &last.data else {
            panic!("the locked application is in memory");
        };
        serde_json::from_slice(data).expect("JSON")
    }

    #[test]
    fn config_grants_become_variables_the_component_config_refers_to() {
        let app = spin_application(
            b"\0asm",
            &contract(&[("greeting", "Hello {you}")]),
            "app",
            "v1",
        )
        .expect("a Spin application");
        let locked = locked(&app);
        assert_eq!(
            locked["variables"],
            json!({ "greeting": { "default": "Hello {you}" } })
        );
        assert_eq!(
            locked["components"][0]["config"],
            json!({ "greeting": "{{ greeting }}" })
        );
        assert_eq!(
            app.layers.len(),
            2,
            "the component and the locked application"
        );
        assert!(
            app.mapping.iter().any(|l| l.contains("variables")),
            "{:?}",
            app.mapping
        );
    }

    #[test]
    fn what_spin_cannot_take_is_refused_by_name() {
        let bad_key = spin_application(b"\0asm", &contract(&[("Greeting", "x")]), "app", "v1");
        assert!(
            matches!(&bad_key, Err(DeployError::Options(m)) if m.contains("`Greeting`")),
            "{bad_key:?}"
        );
        let mut other_version = contract(&[]);
        other_version.imports[0].name = "wasi:config/store@0.2.0-rc.1".into();
        let refused = spin_application(b"\0asm", &other_version, "app", "v1");
        assert!(
            matches!(&refused, Err(DeployError::Unsupported { imports, .. }) if imports == &["wasi:config/store@0.2.0-rc.1"]),
            "{refused:?}"
        );
    }

    #[test]
    fn the_same_output_is_the_same_application() {
        let a = spin_application(b"\0asm", &contract(&[("a", "1")]), "app", "v1").unwrap();
        let b = spin_application(b"\0asm", &contract(&[("a", "1")]), "app", "v1").unwrap();
        assert_eq!(a, b);
    }
}
