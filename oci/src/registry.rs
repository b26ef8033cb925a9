//! Pulling a component from a registry with every byte bounded: the manifest and any
//! token are read up to a size limit and within a time limit, the layer streams
//! through its digest check into its destination, no larger than the manifest says it
//! is, and a connection that goes quiet is dropped. Nothing the registry says names a
//! file: the only registry text that reaches a path is a [`Digest`], parsed strictly.

use crate::digest::Digest;
use oci_client::secrets::RegistryAuth;
use oci_client::Reference;
use std::time::{Duration, Instant};

/// The bounds on what a registry may send; [`Limits::default`] is what witpipe uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest manifest read, in bytes (default 4 MiB).
    pub manifest_bytes: u64,
    /// The largest token response read, in bytes (default 64 KiB).
    pub token_bytes: u64,
    /// The largest component layer pulled, in bytes (default 512 MiB).
    pub layer_bytes: u64,
    /// How long connecting may take (default 10 s).
    pub connect: Duration,
    /// How long a connection may stay silent mid-transfer (default 30 s).
    pub idle: Duration,
    /// How long a manifest or token transfer may take in all (default 60 s).
    pub document: Duration,
    /// The slowest average rate a layer may arrive at, in bytes per second, after the
    /// first [`Limits::document`] (default 64 KiB/s): a layer of N bytes may take
    /// `document + N / layer_rate` in all.
    pub layer_rate: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            manifest_bytes: 4 << 20,
            token_bytes: 64 << 10,
            layer_bytes: 512 << 20,
            connect: Duration::from_secs(10),
            idle: Duration::from_secs(30),
            document: Duration::from_secs(60),
            layer_rate: 64 << 10,
        }
    }
}

/// The media type of the manifests witpipe pushes.
const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// The media types of image manifests witpipe reads.
const MANIFEST_TYPES: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// A component's manifest as pulled: its digest (computed here) and its one layer.
pub(crate) struct Manifest {
    /// The digest of the manifest's bytes.
    pub digest: Digest,
    /// The component layer's digest.
    pub layer: Digest,
    /// The component layer's size, as the manifest declares it.
    pub size: u64,
}

/// One registry conversation, blocking on its own runtime.
pub(crate) struct Registry {
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    base: String,
    repository: String,
    auth: RegistryAuth,
    /// Where the credentials came from, for messages.
    source: String,
    limits: Limits,
    /// What the token asks to do: `pull`, or `pull,push`.
    actions: &'static str,
    /// The `Authorization` header once a challenge has been answered.
    authorization: std::cell::RefCell<Option<String>>,
}

/// What went wrong, as one line.
type Fail = String;

impl Registry {
    /// A conversation with the registry of `image` that may pull (`push`: and push).
    /// `insecure` (`--insecure`) speaks plain HTTP to any registry; see
    /// [`crate::plain_http`] for the ones spoken to in plain HTTP anyway.
    pub fn new(
        image: &Reference,
        insecure: bool,
        limits: Limits,
        push: bool,
    ) -> Result<Self, Fail> {
        let (auth, source) = crate::registry_auth(image.resolve_registry());
        let client = reqwest::Client::builder()
            .connect_timeout(limits.connect)
            .read_timeout(limits.idle)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| format!("cannot start the network client: {e}"))?;
        let scheme = match crate::plain_http(image, insecure) {
            true => "http",
            false => "https",
        };
        Ok(Registry {
            client,
            runtime: crate::runtime().map_err(|e| e.to_string())?,
            base: format!("{scheme}://{}", image.resolve_registry()),
            repository: image.repository().to_string(),
            auth,
            source,
            limits,
            actions: if push { "pull,push" } else { "pull" },
            authorization: std::cell::RefCell::new(None),
        })
    }

    /// Pulls and checks the manifest `reference` (a tag or a digest) names.
    pub fn manifest(&self, reference: &str, pinned: Option<&Digest>) -> Result<Manifest, Fail> {
        let url = format!("{}/v2/{}/manifests/{reference}", self.base, self.repository);
        self.runtime.block_on(async {
            let response = self.get(&url, Some(MANIFEST_TYPES)).await?;
            let header = response
                .headers()
                .get("docker-content-digest")
                .map(|h| h.to_str().map(str::to_string).unwrap_or_default());
            let limit = self.limits.manifest_bytes;
            let body = read_to_end(response, limit, self.limits.document, "manifest").await?;
            let digest = match pinned {
                Some(pinned) if pinned.matches(&body) => pinned.clone(),
                Some(pinned) => return Err(format!("the manifest the registry sent is not {pinned}")),
                None => Digest::sha256_of(&body),
            };
            if let Some(header) = header {
                let said = Digest::parse(&header)
                    .map_err(|e| format!("the registry's Docker-Content-Digest header: {e}"))?;
                if !said.matches(&body) {
                    return Err(format!("the registry's Docker-Content-Digest header says {said}, but the manifest it sent is {digest}"));
                }
            }
            parse_manifest(&body, digest, self.limits.layer_bytes)
        })
    }

    /// Streams the layer of `manifest` into `sink`, checking its size and digest as it
    /// arrives; an `Err` leaves part of it written (the caller discards the sink).
    pub fn layer(&self, manifest: &Manifest, sink: &mut dyn std::io::Write) -> Result<(), Fail> {
        let url = format!(
            "{}/v2/{}/blobs/{}",
            self.base, self.repository, manifest.layer
        );
        let deadline = self.limits.document
            + Duration::from_secs(manifest.size / self.limits.layer_rate.max(1));
        self.runtime.block_on(async {
            let response = self.get(&url, None).await?;
            let mut verifier = manifest.layer.verifier();
            let mut written = 0u64;
            stream(
                response,
                manifest.size,
                deadline,
                "component layer",
                |chunk| {
                    verifier.update(chunk);
                    written += chunk.len() as u64;
                    sink.write_all(chunk)
                        .map_err(|e| format!("cannot write the component: {e}"))
                },
            )
            .await?;
            if written != manifest.size {
                return Err(format!(
                    "the component layer is {written} bytes; its manifest says {}",
                    manifest.size
                ));
            }
            verifier.finish().map_err(|got| {
                format!(
                    "the component layer the registry sent is {got}, not {}",
                    manifest.layer
                )
            })
        })
    }

    /// GET `url`, answering one authentication challenge if the registry makes one;
    /// anything but a success is an error.
    async fn get(&self, url: &str, accept: Option<&str>) -> Result<reqwest::Response, Fail> {
        let response = self
            .send(|client| {
                let request = client.get(url);
                async move {
                    Ok(match accept {
                        Some(accept) => request.header("accept", accept),
                        None => request,
                    })
                }
            })
            .await?;
        self.success(response, url)
    }

    /// Sends the request `build` makes, with the credentials; on a first `401`, answers
    /// the registry's challenge and sends a request `build` makes again.
    async fn send<F, B>(&self, build: B) -> Result<reqwest::Response, Fail>
    where
        B: Fn(&reqwest::Client) -> F,
        F: std::future::Future<Output = Result<reqwest::RequestBuilder, Fail>>,
    {
        let reached = |e: reqwest::Error| format!("cannot reach the registry: {}", plain(&e));
        let known = self.authorization.borrow().clone();
        let with = |request: reqwest::RequestBuilder, authorization: &Option<String>| {
            match authorization {
                Some(a) => request.header("authorization", a),
                None => request,
            }
        };
        let response = with(build(&self.client).await?, &known)
            .send()
            .await
            .map_err(reached)?;
        if response.status() != reqwest::StatusCode::UNAUTHORIZED || known.is_some() {
            return Ok(response);
        }
        let challenge = response
            .headers()
            .get("www-authenticate")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_string();
        let authorization = Some(self.answer(&challenge).await?);
        self.authorization.replace(authorization.clone());
        with(build(&self.client).await?, &authorization)
            .send()
            .await
            .map_err(reached)
    }

    /// Where the credentials came from, and how to give others.
    fn credentials(&self) -> String {
        format!(
            "credentials: {}; set WITPIPE_REGISTRY_USERNAME and WITPIPE_REGISTRY_PASSWORD, or `docker login`",
            self.source
        )
    }

    /// `response` if it is a success, else what the registry said (its status, with a
    /// hint about credentials where they are the likely cause).
    fn success(&self, response: reqwest::Response, url: &str) -> Result<reqwest::Response, Fail> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let hint = match status.as_u16() {
            401 | 403 => format!(" ({})", self.credentials()),
            _ => String::new(),
        };
        Err(format!("the registry answered {status} for {url}{hint}"))
    }

    /// Pushes `image` under `reference` (a tag or digest): each blob the registry does
    /// not have yet, streamed, then the manifest. Returns the manifest's URL.
    pub fn push(&self, image: &crate::Image, reference: &str) -> Result<String, Fail> {
        self.runtime.block_on(async {
            for blob in image.layers.iter().chain([&image.config]) {
                self.push_blob(blob).await?;
            }
            let mut manifest = serde_json::json!({
                "schemaVersion": 2,
                "mediaType": MANIFEST_TYPE,
                "config": image.config.descriptor(),
                "layers": image.layers.iter().map(crate::Blob::descriptor).collect::<Vec<_>>(),
            });
            if let Some(annotations) = &image.annotations {
                manifest["annotations"] = serde_json::json!(annotations);
            }
            let body = serde_json::to_vec(&manifest).expect("JSON");
            let url = format!("{}/v2/{}/manifests/{reference}", self.base, self.repository);
            let response = self
                .send(|client| {
                    let request = client
                        .put(&url)
                        .header("content-type", MANIFEST_TYPE)
                        .body(body.clone());
                    async move { Ok(request) }
                })
                .await?;
            self.success(response, &url)?;
            Ok(url)
        })
    }

    /// Uploads `blob` unless the registry has it: one `POST` for an upload location on
    /// the registry itself, one `PUT` streaming the bytes.
    async fn push_blob(&self, blob: &crate::Blob) -> Result<(), Fail> {
        let url = format!("{}/v2/{}/blobs/{}", self.base, self.repository, blob.digest);
        let head = self
            .send(|client| {
                let request = client.head(&url);
                async move { Ok(request) }
            })
            .await?;
        if head.status().is_success() {
            return Ok(());
        }
        let uploads = format!("{}/v2/{}/blobs/uploads/", self.base, self.repository);
        let started = self
            .send(|client| {
                let request = client.post(&uploads).header("content-length", "0");
                async move { Ok(request) }
            })
            .await?;
        let started = self.success(started, &uploads)?;
        let location = started
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .ok_or("the registry gave no upload location")?;
        let mut upload = self.same_origin(location)?;
        upload
            .query_pairs_mut()
            .append_pair("digest", &blob.digest.to_string());
        let response = self
            .send(|client| {
                let request = client
                    .put(upload.clone())
                    .header("content-type", "application/octet-stream")
                    .header("content-length", blob.size.to_string());
                async move {
                    let body = blob
                        .body()
                        .await
                        .map_err(|e| format!("cannot read {}: {e}", blob.digest))?;
                    Ok(request.body(body))
                }
            })
            .await?;
        self.success(response, upload.as_str())?;
        Ok(())
    }

    /// `location` (absolute or relative to the registry) if it is on the registry
    /// itself: no upload, and no credentials, go anywhere else.
    fn same_origin(&self, location: &str) -> Result<reqwest::Url, Fail> {
        let base = reqwest::Url::parse(&self.base).map_err(|e| e.to_string())?;
        let url = base
            .join(location)
            .map_err(|e| format!("the registry's upload location is not a URL: {e}"))?;
        if url.origin() != base.origin() {
            return Err(format!(
                "the registry's upload location {url} is not on the registry ({})",
                self.base
            ));
        }
        Ok(url)
    }

    /// The `Authorization` header that answers `challenge`: Basic with the
    /// credentials, or a Bearer token from the challenge's realm (bounded like
    /// everything else).
    async fn answer(&self, challenge: &str) -> Result<String, Fail> {
        use base64::Engine as _;
        let basic = match &self.auth {
            RegistryAuth::Basic(user, password) => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )),
            _ => None,
        };
        let Some(params) = challenge.strip_prefix("Bearer ") else {
            return basic.ok_or_else(|| {
                format!("the registry asks for credentials ({})", self.credentials())
            });
        };
        let params = challenge_params(params);
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let realm = param("realm").ok_or("the registry's challenge names no token realm")?;
        let realm = reqwest::Url::parse(realm)
            .map_err(|e| format!("the registry's token realm is not a URL: {e}"))?;
        if !matches!(realm.scheme(), "https" | "http") {
            return Err(format!(
                "the registry's token realm is not HTTP(S): {realm}"
            ));
        }
        let scope = format!("repository:{}:{}", self.repository, self.actions);
        let mut query = vec![("scope", scope.as_str())];
        if let Some(service) = param("service") {
            query.push(("service", service));
        }
        let request = match (&self.auth, basic) {
            // Docker's identity token is an OAuth2 refresh token, exchanged at the realm.
            (RegistryAuth::Bearer(refresh), _) => {
                query.extend([
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.as_str()),
                    ("client_id", "witpipe"),
                ]);
                self.client.post(realm).form(&query)
            }
            (_, Some(basic)) => self
                .client
                .get(realm)
                .query(&query)
                .header("authorization", basic),
            (_, None) => self.client.get(realm).query(&query),
        };
        let response = request
            .send()
            .await
            .map_err(|e| format!("cannot reach the registry's token service: {}", plain(&e)))?;
        if !response.status().is_success() {
            return Err(format!(
                "the registry's token service answered {} (credentials: {})",
                response.status(),
                self.source
            ));
        }
        let body = read_to_end(
            response,
            self.limits.token_bytes,
            self.limits.document,
            "token",
        )
        .await?;
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| format!("the registry's token is not JSON: {e}"))?;
        let token = json["token"]
            .as_str()
            .or_else(|| json["access_token"].as_str());
        let token = token.ok_or("the registry's token response holds no token")?;
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the registry's token is not a header value".into());
        }
        Ok(format!("Bearer {token}"))
    }
}

/// `key="value",key=value` pairs of a challenge.
fn challenge_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some((key, tail)) = rest.split_once('=') {
        let (value, tail) = match tail.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').unwrap_or((quoted, "")),
            None => tail.split_once(',').unwrap_or((tail, "")),
        };
        out.push((key.trim().to_ascii_lowercase(), value.to_string()));
        rest = tail.trim_start_matches([',', ' ']);
    }
    out
}

/// The manifest of a component: one `application/wasm` layer, of a size within
/// `layer_limit`.
fn parse_manifest(body: &[u8], digest: Digest, layer_limit: u64) -> Result<Manifest, Fail> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the manifest is not JSON: {e}"))?;
    let media_type = json["mediaType"].as_str().unwrap_or_default();
    if media_type.contains("index")
        || media_type.contains("manifest.list")
        || json.get("manifests").is_some()
    {
        return Err("the reference names an image index, not a component's manifest; name the component's own manifest (by its digest)".into());
    }
    let not_component = || {
        format!(
            "it is not a Wasm component artifact (expected exactly one `{}` layer)",
            crate::LAYER_MEDIA_TYPE
        )
    };
    let layers = json["layers"].as_array().ok_or_else(not_component)?;
    let [layer] = layers.as_slice() else {
        return Err(not_component());
    };
    if layer["mediaType"].as_str() != Some(crate::LAYER_MEDIA_TYPE) {
        return Err(not_component());
    }
    let layer_digest = Digest::parse(layer["digest"].as_str().unwrap_or_default())
        .map_err(|e| format!("the manifest's layer: {e}"))?;
    let size = layer["size"]
        .as_u64()
        .ok_or("the manifest's layer has no size")?;
    if size > layer_limit {
        return Err(format!(
            "the component layer is {size} bytes, over the limit of {layer_limit}"
        ));
    }
    Ok(Manifest {
        digest,
        layer: layer_digest,
        size,
    })
}

/// The whole body of `response`, refused past `limit` bytes or `time`.
async fn read_to_end(
    response: reqwest::Response,
    limit: u64,
    time: Duration,
    what: &str,
) -> Result<Vec<u8>, Fail> {
    let mut body = Vec::new();
    stream(response, limit, time, what, |chunk| {
        body.extend_from_slice(chunk);
        Ok(())
    })
    .await?;
    Ok(body)
}

/// Hands each chunk of `response` to `each`; refuses a body longer than `limit` (as
/// soon as it says so or sends the byte past it) or slower than `time` in all.
async fn stream(
    mut response: reqwest::Response,
    limit: u64,
    time: Duration,
    what: &str,
    mut each: impl FnMut(&[u8]) -> Result<(), Fail>,
) -> Result<(), Fail> {
    let too_big = || format!("the registry sent a {what} over the limit of {limit} bytes");
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(too_big());
    }
    let deadline = Instant::now() + time;
    let mut total = 0u64;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = match tokio::time::timeout(left, response.chunk()).await {
            Err(_) => {
                return Err(format!(
                    "the registry took over {} s to send a {what}",
                    time.as_secs()
                ))
            }
            Ok(Err(e)) => return Err(format!("the {what} transfer failed: {}", plain(&e))),
            Ok(Ok(None)) => return Ok(()),
            Ok(Ok(Some(chunk))) => chunk,
        };
        total += chunk.len() as u64;
        if total > limit {
            return Err(too_big());
        }
        each(&chunk)?;
    }
}

/// A reqwest error with its causes, timeouts named as such.
fn plain(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    if e.is_timeout() {
        return "the connection timed out".into();
    }
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}
