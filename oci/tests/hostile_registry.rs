//! A hostile registry on loopback against the fetcher of `oci://` references: a digest
//! header that names a file, bodies larger than they say or than the limits, a layer
//! that is not what its manifest says, a registry that drips or goes silent, an
//! oversized token. Each is refused with a message that says so, leaves the cache as
//! it was, and a good pull right after works.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use witpipe_compose::load::Fetch;
use witpipe_oci::{Digest, Fetcher, Limits};

/// What the registry answers to one request.
enum Reply {
    /// A status, headers and a whole body.
    Full(u16, Vec<(String, String)>, Vec<u8>),
    /// Headers, then one byte every 100 ms, forever.
    Drip,
    /// Headers, then nothing.
    Silent,
    /// Headers, then bytes without end.
    Endless,
}

type Handler = dyn Fn(&str) -> Reply + Send + Sync;

/// A registry on a loopback port answering with whatever `handler` says now.
struct Hostile {
    port: u16,
    handler: Arc<Mutex<Arc<Handler>>>,
    requests: Arc<AtomicUsize>,
}

impl Hostile {
    fn start() -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handler: Arc<Mutex<Arc<Handler>>> =
            Arc::new(Mutex::new(Arc::new(|_: &str| Reply::Silent)));
        let requests = Arc::new(AtomicUsize::new(0));
        let (h, r) = (handler.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = h.lock().unwrap().clone();
                r.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || serve(stream, &*handler));
            }
        });
        Hostile {
            port,
            handler,
            requests,
        }
    }

    fn answer(&self, handler: impl Fn(&str) -> Reply + Send + Sync + 'static) {
        *self.handler.lock().unwrap() = Arc::new(handler);
    }

    fn reference(&self, tail: &str) -> String {
        format!("127.0.0.1:{}/team/app{tail}", self.port)
    }
}

fn serve(mut stream: TcpStream, handler: &Handler) {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split(' ').nth(1).unwrap_or("").to_string();
    let headers = |status: u16, extra: &[(String, String)], len: Option<usize>| {
        let mut h = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
        for (k, v) in extra {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(len) = len {
            h.push_str(&format!("Content-Length: {len}\r\n"));
        }
        h.push_str("\r\n");
        h.into_bytes()
    };
    let _ = match handler(&path) {
        Reply::Full(status, extra, body) => stream
            .write_all(&headers(status, &extra, Some(body.len())))
            .and_then(|_| stream.write_all(&body)),
        Reply::Drip => (|| {
            stream.write_all(&headers(200, &[], None))?;
            loop {
                stream.write_all(b"{")?;
                std::thread::sleep(Duration::from_millis(100));
            }
        })(),
        Reply::Silent => (|| {
            stream.write_all(&headers(200, &[], None))?;
            std::thread::sleep(Duration::from_secs(30));
            Ok(())
        })(),
        Reply::Endless => (|| {
            stream.write_all(&headers(200, &[], None))?;
            let chunk = vec![b' '; 64 << 10];
            loop {
                stream.write_all(&chunk)?;
            }
        })(),
    };
}

fn manifest(layer: &[u8], declared: usize) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.wasm.config.v0+json", "digest": format!("{}", Digest::sha256_of(b"{}")), "size": 2 },
        "layers": [{ "mediaType": "application/wasm", "digest": format!("{}", Digest::sha256_of(layer)), "size": declared }],
    }))
    .unwrap()
}

fn ok(body: Vec<u8>) -> Reply {
    Reply::Full(200, vec![], body)
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn a_hostile_registry_is_refused_and_leaves_the_cache_as_it_was() {
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    // The only test of this binary: it alone sets the cache folder.
    std::env::set_var("WITPIPE_CACHE_DIR", &cache);
    let oci = cache.join("oci");
    let limits = Limits {
        manifest_bytes: 64 << 10,
        token_bytes: 1 << 10,
        layer_bytes: 1 << 20,
        connect: Duration::from_secs(2),
        idle: Duration::from_millis(500),
        document: Duration::from_secs(1),
        layer_rate: 1 << 20,
    };
    let fetcher = Fetcher {
        on_pull: |_| {},
        limits,
    };
    let registry = Hostile::start();
    let component = b"\0asm\x0d\0\x01\0".to_vec();
    let good_manifest = manifest(&component, component.len());

    // Refused: (what the registry does, what the message says).
    let evil = scratch.path().join("evil");
    std::fs::write(evil.with_extension("wasm"), b"the user's own file").unwrap();
    let evil_text = evil.display().to_string();
    let (m, c) = (good_manifest.clone(), component.clone());
    let cases: Vec<(&str, Box<Handler>, &str)> = vec![
        (
            "a digest header that names a file",
            Box::new(move |path: &str| match path.contains("/manifests/") {
                true => Reply::Full(
                    200,
                    vec![("Docker-Content-Digest".into(), evil_text.clone())],
                    m.clone(),
                ),
                false => ok(c.clone()),
            }),
            "Docker-Content-Digest header: `",
        ),
        (
            "a digest header that differs from the manifest",
            {
                let m = good_manifest.clone();
                let other = Digest::sha256_of(b"other").to_string();
                Box::new(move |_: &str| {
                    Reply::Full(
                        200,
                        vec![("Docker-Content-Digest".into(), other.clone())],
                        m.clone(),
                    )
                })
            },
            "but the manifest it sent is",
        ),
        (
            "a manifest without end",
            Box::new(|_: &str| Reply::Endless),
            "over the limit of 65536 bytes",
        ),
        (
            "a manifest that says it is too big",
            Box::new(|_: &str| ok(vec![b' '; 100 << 10])),
            "over the limit of 65536 bytes",
        ),
        (
            "a manifest dripped a byte at a time",
            Box::new(|_: &str| Reply::Drip),
            "took over 1 s",
        ),
        (
            "a registry gone silent",
            Box::new(|_: &str| Reply::Silent),
            "timed out",
        ),
        (
            "a layer larger than its manifest says",
            {
                let (m, c) = (manifest(&component, 4), component.clone());
                Box::new(move |path: &str| match path.contains("/manifests/") {
                    true => ok(m.clone()),
                    false => ok(c.clone()),
                })
            },
            "over the limit of 4 bytes",
        ),
        (
            "a layer over the limit",
            {
                let m = manifest(&component, 2 << 20);
                Box::new(move |_: &str| ok(m.clone()))
            },
            "over the limit of 1048576",
        ),
        (
            "a layer that is not the one its manifest names",
            {
                let m = good_manifest.clone();
                Box::new(move |path: &str| match path.contains("/manifests/") {
                    true => ok(m.clone()),
                    false => ok(b"\0asm\x0d\0\x01\x01".to_vec()),
                })
            },
            "the component layer the registry sent is sha256:",
        ),
        (
            "an endless layer",
            {
                let m = manifest(&component, component.len());
                Box::new(move |path: &str| match path.contains("/manifests/") {
                    true => ok(m.clone()),
                    false => Reply::Endless,
                })
            },
            "over the limit of 8 bytes",
        ),
        (
            "an oversized token",
            {
                let port = registry.port;
                Box::new(move |path: &str| match path.starts_with("/token") {
                    true => ok(format!("{{\"token\": \"{}\"}}", "t".repeat(4096)).into_bytes()),
                    false => Reply::Full(
                        401,
                        vec![(
                            "WWW-Authenticate".into(),
                            format!("Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"x\""),
                        )],
                        vec![],
                    ),
                })
            },
            "token over the limit of 1024 bytes",
        ),
        (
            "an image index",
            Box::new(|_: &str| {
                ok(br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.to_vec())
            }),
            "names an image index",
        ),
    ];
    for (what, handler, expected) in cases {
        registry.answer(handler);
        // The message says which limit ended it (a time limit included): no timing
        // is asserted here.
        let error = fetcher.fetch(&registry.reference(":1.0")).expect_err(what);
        assert!(error.contains(expected), "{what}: {error}");
        assert_eq!(
            files(&oci),
            Vec::<String>::new(),
            "{what}: the cache changed"
        );
        assert_eq!(
            std::fs::read(evil.with_extension("wasm")).unwrap(),
            b"the user's own file"
        );
        assert!(!evil.exists(), "{what}");
    }

    // A reference pinned to a manifest the registry does not send.
    let pinned_other = format!("@{}", Digest::sha256_of(b"another manifest"));
    let m = good_manifest.clone();
    registry.answer(move |_| ok(m.clone()));
    let error = fetcher
        .fetch(&registry.reference(&pinned_other))
        .unwrap_err();
    assert!(error.contains("is not sha256:"), "{error}");
    // A reference whose own digest is not one.
    let error = fetcher
        .fetch(&registry.reference("@sha256:../../x"))
        .unwrap_err();
    assert!(!error.is_empty());
    assert_eq!(files(&oci), Vec::<String>::new());

    // A good pull right after: the file is named by the manifest's own digest.
    let (m, c) = (good_manifest.clone(), component.clone());
    registry.answer(move |path| match path.contains("/manifests/") {
        true => ok(m.clone()),
        false => ok(c.clone()),
    });
    let file = fetcher.fetch(&registry.reference(":1.0")).unwrap();
    let digest = Digest::sha256_of(&good_manifest);
    assert_eq!(file, oci.join(format!("{}.wasm", digest.file_stem())));
    assert_eq!(std::fs::read(&file).unwrap(), component);
    assert_eq!(files(&oci), vec![format!("{}.wasm", digest.file_stem())]);
    // `pull` without `--insecure` speaks plain HTTP to a registry on loopback.
    let pulled = witpipe_oci::pull(&registry.reference(":1.0"), false).unwrap();
    assert_eq!(pulled, component);
    // Pinned by that digest, it is read from the cache without a request.
    let before = registry.requests.load(Ordering::SeqCst);
    let again = fetcher
        .fetch(&registry.reference(&format!("@{digest}")))
        .unwrap();
    assert_eq!(again, file);
    assert_eq!(registry.requests.load(Ordering::SeqCst), before);

    // A push is not sent (nor its credentials) where the registry's upload location
    // points elsewhere.
    registry.answer(|path| match path.contains("/blobs/uploads/") {
        true => Reply::Full(
            202,
            vec![("Location".into(), "http://127.0.0.2:9/steal".into())],
            vec![],
        ),
        false => Reply::Full(404, vec![], vec![]),
    });
    let error = witpipe_oci::push(&component, &registry.reference(":1.0"), true).unwrap_err();
    assert!(
        error.to_string().contains("is not on the registry"),
        "{error}"
    );
}
