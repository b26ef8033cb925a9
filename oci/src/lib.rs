//! Pushing and pulling components as standard Wasm OCI artifacts (the layout `wkg`,
//! `wash` and wasmCloud read: an OCI image manifest, a
//! `application/vnd.wasm.config.v0+json` config, one `application/wasm` layer), and the
//! [`Fetcher`] that brings components named by `oci://` reference in pipeline files.
//! Shared by `run` (which may need a component from a registry) and `push`/`pull`;
//! no runtime and no deployment code here.
#![deny(missing_docs)]

use oci_client::secrets::RegistryAuth;
use oci_client::Reference;
use serde_json::json;
mod blob;
mod digest;
mod registry;

pub use blob::{Blob, Content};
pub use digest::Digest;
pub use registry::Limits;
use registry::Registry;

/// The media type of a Wasm artifact's config.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The media type of the component layer.
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";

/// What keeps a push or pull from happening.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OciError {
    /// The text is not an OCI reference.
    #[error("{0}")]
    Reference(String),
    /// The registry refused or could not be reached.
    #[error("{0}")]
    Registry(String),
}

fn fail(what: &str, reference: &str, e: impl std::fmt::Display) -> OciError {
    OciError::Registry(format!("cannot {what} {reference}: {e}"))
}

fn reference(text: &str) -> Result<Reference, OciError> {
    text.parse::<Reference>().map_err(|e| {
        OciError::Reference(format!(
            "`{text}` is not an OCI reference such as 127.0.0.1:5000/team/app:1.0 ({e})"
        ))
    })
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, OciError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| OciError::Registry(format!("cannot start the network client: {e}")))
}

/// Credentials for `registry` (host[:port]): `WITPIPE_REGISTRY_USERNAME` and
/// `WITPIPE_REGISTRY_PASSWORD` when both are set, else what Docker's `config.json`
/// (`$DOCKER_CONFIG`, else `~/.docker`) gives for it, read as Docker reads it (with
/// `docker_credential`): a `credHelpers` entry or the `credsStore` helper
/// (`docker-credential-NAME get`, as Docker Desktop, ECR and GCR logins set up), an
/// identity token, or `auths`; else anonymous. Returns also where they came from, for
/// messages (a helper that fails is named there).
pub(crate) fn registry_auth(registry: &str) -> (RegistryAuth, String) {
    if let (Ok(user), Ok(password)) = (
        std::env::var("WITPIPE_REGISTRY_USERNAME"),
        std::env::var("WITPIPE_REGISTRY_PASSWORD"),
    ) {
        return (
            RegistryAuth::Basic(user, password),
            "WITPIPE_REGISTRY_USERNAME".into(),
        );
    }
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".docker")));
    let Some(config) = dir.and_then(|d| std::fs::File::open(d.join("config.json")).ok()) else {
        return (RegistryAuth::Anonymous, "anonymous".into());
    };
    docker_auth(
        std::io::Read::take(config, MAX_DOCKER_CONFIG_BYTES),
        registry,
    )
}

/// The largest Docker `config.json` read.
const MAX_DOCKER_CONFIG_BYTES: u64 = 1 << 20;

/// `registry_auth` from a Docker `config.json`'s text.
fn docker_auth(config: impl std::io::Read, registry: &str) -> (RegistryAuth, String) {
    use docker_credential::{CredentialRetrievalError as Why, DockerCredential};
    match docker_credential::get_credential_from_reader(config, registry) {
        Ok(DockerCredential::UsernamePassword(user, password)) => (
            RegistryAuth::Basic(user, password),
            "Docker's config.json".into(),
        ),
        Ok(DockerCredential::IdentityToken(token)) => (
            RegistryAuth::Bearer(token),
            "an identity token in Docker's config.json".into(),
        ),
        Err(Why::NoCredentialConfigured) => (RegistryAuth::Anonymous, "anonymous".into()),
        Err(Why::HelperFailure { helper, .. }) => (
            RegistryAuth::Anonymous,
            format!("anonymous: Docker's credential helper `docker-credential-{helper}` failed (is it installed and logged in?)"),
        ),
        Err(e) => (
            RegistryAuth::Anonymous,
            format!("anonymous: Docker's config.json gave none ({e})"),
        ),
    }
}

/// Pushes `bytes` to `reference`; returns the manifest's URL. `insecure` speaks plain
/// HTTP (a registry on loopback). Credentials: the environment (`WITPIPE_REGISTRY_USERNAME`, `WITPIPE_REGISTRY_PASSWORD`), else Docker's logins (`registry_auth`).
pub fn push(bytes: &[u8], reference_text: &str, insecure: bool) -> Result<String, OciError> {
    let component = Blob::bytes(bytes.to_vec(), LAYER_MEDIA_TYPE);
    let (imports, exports) = witpipe_compose::wit::top_level_names(bytes);
    // A fixed creation time keeps the artifact (and its digest) reproducible.
    let config = json!({
        "created": "1970-01-01T00:00:00Z",
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [component.digest.to_string()],
        "component": { "imports": imports, "exports": exports },
    });
    let image = Image {
        layers: vec![component],
        config: Blob::bytes(
            serde_json::to_vec(&config).expect("JSON"),
            CONFIG_MEDIA_TYPE,
        ),
        annotations: None,
    };
    push_image(image, reference_text, insecure)
}

/// An OCI image to push: its layers in order, its config and the manifest's
/// annotations.
pub struct Image {
    /// The layers, in order.
    pub layers: Vec<Blob>,
    /// The config blob.
    pub config: Blob,
    /// The manifest's annotations.
    pub annotations: Option<std::collections::BTreeMap<String, String>>,
}

/// Pushes `image` to `reference` (an OCI image manifest over its layers and config),
/// streaming file-backed layers; returns the manifest's URL. `insecure` speaks plain
/// HTTP. Credentials: the environment (`WITPIPE_REGISTRY_USERNAME`, `WITPIPE_REGISTRY_PASSWORD`), else Docker's logins (`registry_auth`).
pub fn push_image(image: Image, reference_text: &str, insecure: bool) -> Result<String, OciError> {
    let target = reference(reference_text)?;
    let fail = |e: String| fail("push to", reference_text, e);
    let registry = Registry::new(&target, insecure, Limits::default(), true).map_err(fail)?;
    registry
        .push(&image, &tag_or_digest(&target).map_err(fail)?)
        .map_err(fail)
}

/// Pulls the component at `reference`, within [`Limits::default`]. Credentials:
/// the environment (`WITPIPE_REGISTRY_USERNAME`, `WITPIPE_REGISTRY_PASSWORD`), else Docker's logins (`registry_auth`).
pub fn pull(reference_text: &str, insecure: bool) -> Result<Vec<u8>, OciError> {
    let image = reference(reference_text)?;
    let fail = |e: String| fail("pull", reference_text, e);
    let registry = Registry::new(&image, insecure, Limits::default(), false).map_err(fail)?;
    let manifest = registry
        .manifest(
            &tag_or_digest(&image).map_err(fail)?,
            pinned(&image).map_err(fail)?.as_ref(),
        )
        .map_err(fail)?;
    let mut bytes = Vec::new();
    registry.layer(&manifest, &mut bytes).map_err(fail)?;
    Ok(bytes)
}

/// Whether to speak plain HTTP to the registry of `image`: when asked (`--insecure`),
/// for a registry on loopback (as Docker does), and for those listed in
/// `WITPIPE_INSECURE_REGISTRIES` (comma-separated `host[:port]`).
pub(crate) fn plain_http(image: &Reference, asked: bool) -> bool {
    let registry = image.resolve_registry();
    let host = registry.rsplit_once(':').map_or(registry, |(h, _)| h);
    let listed = std::env::var("WITPIPE_INSECURE_REGISTRIES")
        .unwrap_or_default()
        .split(',')
        .any(|r| r.trim() == registry);
    asked || listed || matches!(host, "localhost" | "[::1]") || host.starts_with("127.")
}

/// The digest `image` is pinned to, if it is, parsed strictly.
fn pinned(image: &Reference) -> Result<Option<Digest>, String> {
    image.digest().map(Digest::parse).transpose()
}

/// What names the manifest in its URL: the digest, else the tag (`latest` if none).
fn tag_or_digest(image: &Reference) -> Result<String, String> {
    match pinned(image)? {
        Some(d) => Ok(d.to_string()),
        None => Ok(image.tag().unwrap_or("latest").to_string()),
    }
}

/// Brings components named by OCI reference in a pipeline file (`oci://REF`) into
/// witpipe's cache (`oci/` under [`witpipe_compose::cache::dir`]), keyed by the
/// manifest digest: a reference pinned by digest (`@sha256:…`) is read from the cache
/// without any network once pulled; a tag is resolved to its digest first. Registries on
/// loopback and those listed in `WITPIPE_INSECURE_REGISTRIES` (comma-separated) speak
/// plain HTTP. Credentials: the environment (`WITPIPE_REGISTRY_USERNAME`, `WITPIPE_REGISTRY_PASSWORD`), else Docker's logins (`registry_auth`).
pub struct Fetcher {
    /// Called with a line for every component actually pulled.
    pub on_pull: fn(&str),
    /// The bounds on what a registry may send.
    pub limits: Limits,
}

impl witpipe_compose::load::Fetch for Fetcher {
    fn fetch(&self, text: &str) -> Result<std::path::PathBuf, String> {
        let image = reference(text).map_err(|e| e.to_string())?;
        let fail = |e: String| fail("pull", text, e).to_string();
        let dir = witpipe_compose::cache::dir()
            .ok_or("no cache folder: set WITPIPE_CACHE_DIR")?
            .join("oci");
        let pinned = pinned(&image).map_err(fail)?;
        // Pinned and pulled before: no network at all.
        if let Some(d) = &pinned {
            let file = dir.join(format!("{}.wasm", d.file_stem()));
            if file.is_file() {
                return Ok(file);
            }
        }
        let registry = Registry::new(&image, false, self.limits, false).map_err(fail)?;
        let manifest = registry
            .manifest(&tag_or_digest(&image).map_err(fail)?, pinned.as_ref())
            .map_err(fail)?;
        // The file is named by the digest of the manifest witpipe read, never by
        // what the registry says.
        let file = dir.join(format!("{}.wasm", manifest.digest.file_stem()));
        if file.is_file() {
            return Ok(file);
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        // Streamed into a temporary file beside its final name: a refused transfer
        // leaves nothing behind, a good one appears whole.
        let mut part = tempfile::NamedTempFile::new_in(&dir)
            .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
        registry
            .layer(&manifest, part.as_file_mut())
            .map_err(fail)?;
        let size = manifest.size;
        part.persist(&file)
            .map_err(|e| format!("cannot write {}: {}", file.display(), e.error))?;
        (self.on_pull)(&format!(
            "pulled {text} ({}, {size} bytes)",
            manifest.digest
        ));
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(config: &str) -> (RegistryAuth, String) {
        docker_auth(config.as_bytes(), "r.example:5000")
    }

    #[test]
    fn docker_config_entries_are_read_as_docker_reads_them() {
        // "witpipe:hunter2"
        let basic = r#"{"auths":{"r.example:5000":{"auth":"d2l0cGlwZTpodW50ZXIy"}}}"#;
        assert_eq!(
            auth(basic).0,
            RegistryAuth::Basic("witpipe".into(), "hunter2".into())
        );
        let token = r#"{"auths":{"r.example:5000":{"identitytoken":"refresh-me"}}}"#;
        assert_eq!(auth(token).0, RegistryAuth::Bearer("refresh-me".into()));
        let other = r#"{"auths":{"elsewhere":{"auth":"d2l0cGlwZTpodW50ZXIy"}}}"#;
        assert_eq!(auth(other), (RegistryAuth::Anonymous, "anonymous".into()));
        let (anonymous, why) = auth("not json");
        assert_eq!(anonymous, RegistryAuth::Anonymous);
        assert!(why.contains("config.json gave none"), "{why}");
    }
}
