//! Pushing and pulling components as standard Wasm OCI artifacts (the layout `wkg`,
//! `wash` and wasmCloud read: an OCI image manifest, a
//! `application/vnd.wasm.config.v0+json` config, one `application/wasm` layer).

use crate::DeployError;
use oci_client::client::{ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The media type of a Wasm artifact's config.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The media type of the component layer.
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";

fn fail(what: &str, reference: &str, e: impl std::fmt::Display) -> DeployError {
    DeployError::Registry(format!("cannot {what} {reference}: {e}"))
}

fn client(insecure: bool) -> Client {
    Client::new(ClientConfig {
        protocol: if insecure {
            ClientProtocol::Http
        } else {
            ClientProtocol::Https
        },
        ..ClientConfig::default()
    })
}

fn reference(text: &str) -> Result<Reference, DeployError> {
    text.parse::<Reference>().map_err(|e| {
        DeployError::Options(format!(
            "`{text}` is not an OCI reference such as 127.0.0.1:5000/team/app:1.0 ({e})"
        ))
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, DeployError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DeployError::Registry(format!("cannot start the network client: {e}")))
}

/// Pushes `bytes` to `reference`; returns the manifest's URL. `insecure` speaks plain
/// HTTP (a registry on loopback). Anonymous access only, for now.
pub fn push(bytes: &[u8], reference_text: &str, insecure: bool) -> Result<String, DeployError> {
    let image = reference(reference_text)?;
    let digest = format!("sha256:{:x}", Sha256::digest(bytes));
    let (imports, exports) = witpipe_compose::wit::top_level_names(bytes);
    // A fixed creation time keeps the artifact (and its digest) reproducible.
    let config = json!({
        "created": "1970-01-01T00:00:00Z",
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [digest],
        "component": { "imports": imports, "exports": exports },
    });
    let config = Config::new(
        serde_json::to_vec(&config).expect("JSON"),
        CONFIG_MEDIA_TYPE.to_string(),
        None,
    );
    let layer = ImageLayer::new(bytes.to_vec(), LAYER_MEDIA_TYPE.to_string(), None);
    let client = client(insecure);
    let pushed = runtime()?
        .block_on(client.push(&image, &[layer], config, &RegistryAuth::Anonymous, None))
        .map_err(|e| fail("push to", reference_text, e))?;
    Ok(pushed.manifest_url)
}

/// Pulls the component at `reference`.
pub fn pull(reference_text: &str, insecure: bool) -> Result<Vec<u8>, DeployError> {
    let image = reference(reference_text)?;
    let client = client(insecure);
    let data = runtime()?
        .block_on(client.pull(&image, &RegistryAuth::Anonymous, vec![LAYER_MEDIA_TYPE]))
        .map_err(|e| fail("pull", reference_text, e))?;
    let mut layers = data.layers.into_iter();
    match (layers.next(), layers.next()) {
        (Some(layer), None) => Ok(layer.data),
        _ => Err(DeployError::Registry(format!(
            "{reference_text} is not a Wasm component artifact (expected exactly one `{LAYER_MEDIA_TYPE}` layer)"
        ))),
    }
}
