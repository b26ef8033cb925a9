//! Denied means denied: the hostile probe (`tests/guests/probe`) runs composed under
//! each policy in `tests/policy/`, in wasmtime, against a honeypot host that grants
//! everything (secrets in the environment and arguments, data on stdin, real clocks
//! and randomness, exit). Each test asserts exactly what the probe could see. The store
//! probe (`tests/guests/store-probe`) does the same for key-value buckets and
//! configuration values.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use wasmtime::component::{Component, Val};
use wasmtime::Engine;
use wasmtime_wasi::filesystem::FsPerms;
use wasmtime_wasi::p2::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxBuilder};

/// A loopback HTTP server that answers every request with a secret and counts them.
struct Server {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nSECRET",
                );
            }
        });
        Server { port, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// The allowed and the denied honeypot servers, shared by the tests.
fn servers() -> &'static (Server, Server) {
    static SERVERS: OnceLock<(Server, Server)> = OnceLock::new();
    SERVERS.get_or_init(|| (Server::start(), Server::start()))
}

/// What one call of the probe came to.
#[derive(Debug)]
struct Outcome {
    /// What `run` returned, or why the instance stopped.
    result: Result<String, String>,
    /// The exit status it asked the host for, if any.
    exit: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn value(&self) -> &str {
        match &self.result {
            Ok(v) => v,
            Err(e) => panic!("probe trapped: {e}"),
        }
    }
    fn trapped(&self) -> bool {
        self.result.is_err() && self.exit.is_none()
    }
}

/// The honeypot's files: a secret at its root, a granted-looking `data/` with a
/// symlink back out to the secret, and a sub-directory.
fn honeypot() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let p = root.path();
    std::fs::write(p.join("secret.txt"), "TOPSECRET").unwrap();
    std::fs::create_dir_all(p.join("data/sub")).unwrap();
    std::fs::write(p.join("data/public.txt"), "hello").unwrap();
    std::fs::write(p.join("data/sub/note.txt"), "note").unwrap();
    std::os::unix::fs::symlink("../secret.txt", p.join("data/link")).unwrap();
    root
}

/// Copies `tests/policy/NAME` into the honeypot (so `host: ./data` means the
/// honeypot's `data/`), with the probe paths made absolute, and composes it.
fn compose_in_honeypot(name: &str, honeypot: &Path) -> witpipe_compose::Composition {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/policy").join(name))
        .unwrap()
        .replace(
            "../../pipelines/",
            &format!("{}/pipelines/", root.display()),
        )
        .replace("../guests/", &format!("{}/tests/guests/", root.display()))
        .replace("${ALLOWED_PORT}", &servers().0.port.to_string());
    let path = honeypot.join(name);
    std::fs::write(&path, text).unwrap();
    witpipe_compose::compose_file(&path).unwrap_or_else(|f| panic!("{f}"))
}

/// A composed pipeline, ready to run under the honeypot.
struct Probe {
    engine: Engine,
    component: Component,
    honeypot: tempfile::TempDir,
}

impl Probe {
    fn compose(pipeline: &str) -> Probe {
        let honeypot = honeypot();
        let composed = compose_in_honeypot(pipeline, honeypot.path());
        Probe::of(composed.bytes, honeypot)
    }

    /// A guest of `tests/guests/components/` run as it is, with no pipeline: what the
    /// honeypot offers a component nobody wrapped.
    fn unwrapped(guest: &str) -> Probe {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(root.join("tests/guests/components").join(guest)).unwrap();
        Probe::of(bytes, honeypot())
    }

    fn of(bytes: Vec<u8>, honeypot: tempfile::TempDir) -> Probe {
        let engine = Engine::default();
        let component = Component::new(&engine, &bytes).expect("output loads in wasmtime");
        Probe {
            engine,
            component,
            honeypot,
        }
    }

    /// A file of the honeypot, as the host sees it.
    fn host_file(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.honeypot.path().join(path)).ok()
    }

    /// A host that grants everything: secrets in the environment and arguments, data
    /// on stdin, the network, the whole honeypot read-write as `/`, its `data/` as
    /// `/data` and `data/sub` as `/scratch`; with the pipes that catch stdout, stderr.
    fn everything(&self) -> (WasiCtxBuilder, MemoryOutputPipe, MemoryOutputPipe) {
        let stdout = MemoryOutputPipe::new(1 << 16);
        let stderr = MemoryOutputPipe::new(1 << 16);
        let mut builder = WasiCtx::builder();
        builder
            .env("SECRET", "hunter2")
            .env("SAFE", "ok")
            .args(&["host-arg0", "--host-secret"])
            .stdin(MemoryInputPipe::new("host stdin secret"))
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .inherit_network()
            .allow_tcp(true)
            .allow_udp(true)
            .allow_ip_name_lookup(true);
        let root = self.honeypot.path();
        builder
            .preopened_dir(root, "/", FsPerms::ReadWrite)
            .unwrap()
            .preopened_dir(root.join("data"), "/data", FsPerms::ReadWrite)
            .unwrap()
            .preopened_dir(root.join("data/sub"), "/scratch", FsPerms::ReadWrite)
            .unwrap();
        (builder, stdout, stderr)
    }

    /// Calls the exported function `func` with `mode` in a fresh instance, with a host
    /// that grants everything.
    fn run(&self, func: &str, mode: &str) -> Outcome {
        self.run_on(func, mode, &witpipe_host::Shared::default())
    }

    /// As [`Probe::run`], on a host whose key-value store and configuration are
    /// `shared`.
    fn run_on(&self, func: &str, mode: &str, shared: &witpipe_host::Shared) -> Outcome {
        let linker = witpipe_host::linker(&self.engine).unwrap();
        let (builder, stdout, stderr) = self.everything();
        let mut store =
            wasmtime::Store::new(&self.engine, witpipe_host::Host::new(builder, shared));
        let instance = linker
            .instantiate(&mut store, &self.component)
            .expect("instantiates");
        let f = instance
            .get_func(&mut store, func)
            .expect("probe function exported");
        let mut results = [Val::Bool(false)];
        let call = f.call(&mut store, &[Val::String(mode.into())], &mut results);
        Outcome::of(call.map(|()| results), &stdout, &stderr)
    }

    /// As [`Probe::run`], for the WASI 0.3 probe: its async `run` on the concurrent
    /// host (WASI 0.2 and 0.3), which grants everything.
    fn run_p3(&self, mode: &str) -> Outcome {
        let linker = witpipe_host::concurrent_linker(&self.engine).unwrap();
        let (builder, stdout, stderr) = self.everything();
        let mut store = witpipe_host::store(&self.engine, builder);
        let runtime = current_thread();
        let call = runtime.block_on(async {
            let instance = linker
                .instantiate_async(&mut store, &self.component)
                .await
                .expect("instantiates");
            let f = instance
                .get_func(&mut store, "run")
                .expect("probe function exported");
            let mut results = [Val::Bool(false)];
            let params = [Val::String(mode.into())];
            let call = f.call_async(&mut store, &params, &mut results).await;
            call.map(|()| results)
        });
        Outcome::of(call, &stdout, &stderr)
    }
}

impl Probe {
    /// Runs the output's `wasi:cli/run@0.3` (a command pipe) to its end on the host that
    /// grants everything; returns what `run` returned (or why it stopped) and stdout.
    fn run_command_p3(&self) -> (Result<Result<(), ()>, String>, String) {
        use wasmtime_wasi::p3::bindings::Command;
        let linker = witpipe_host::concurrent_linker(&self.engine).unwrap();
        let (builder, stdout, _stderr) = self.everything();
        let mut store = witpipe_host::store(&self.engine, builder);
        let runtime = current_thread();
        let ended = runtime.block_on(async {
            let command = Command::instantiate_async(&mut store, &self.component, &linker)
                .await
                .expect("instantiates");
            store
                .run_concurrent(async move |a| command.wasi_cli_run().call_run(a).await)
                .await
                .and_then(|r| r)
        });
        let out = String::from_utf8_lossy(&stdout.contents()).into_owned();
        (ended.map_err(|e| format!("{e:#}")), out)
    }
}

/// A single-threaded runtime for one run on the concurrent host.
fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

impl Outcome {
    /// What one call of the probe came to.
    fn of(
        call: wasmtime::Result<[Val; 1]>,
        stdout: &MemoryOutputPipe,
        stderr: &MemoryOutputPipe,
    ) -> Outcome {
        let exit = call
            .as_ref()
            .err()
            .and_then(|e| e.downcast_ref::<I32Exit>())
            .map(|e| e.0);
        let result = call.map_err(|e| format!("{e:#}")).map(|[r]| match r {
            Val::String(s) => s,
            other => format!("{other:?}"),
        });
        let text = |p: &MemoryOutputPipe| String::from_utf8_lossy(&p.contents()).into_owned();
        Outcome {
            result,
            exit,
            stdout: text(stdout),
            stderr: text(stderr),
        }
    }
}

/// Rust std's `current_dir` does not consult `initial-cwd` on wasm32-wasip2, so the
/// working directory is probed through the legacy probe's direct bindings.
#[test]
fn no_grants_means_no_authority() {
    let p = Probe::compose("deny-all.yaml");
    assert_eq!(p.run("run", "env").value(), "");
    assert_eq!(p.run("run", "secret").value(), "none");
    assert_eq!(p.run("run", "args").value(), "");
    // The epoch, not the host's time.
    assert_eq!(p.run("run", "clock").value(), "0");
    for path in ["/secret.txt", "/data/public.txt", "/scratch/note.txt"] {
        let out = p.run("run", &format!("read {path}"));
        assert!(out.value().starts_with("error"), "{path}: {out:?}");
    }
    assert!(p.run("run", "list /").value().starts_with("error"));
    assert!(p
        .run("run", "write /data/new.txt")
        .value()
        .starts_with("error"));
    assert_eq!(p.host_file("data/new.txt"), None);
    for mode in ["stdout", "stderr", "stdin", "random", "exit"] {
        let out = p.run("run", mode);
        assert!(out.trapped(), "{mode} must be refused, got {out:?}");
        assert_eq!(out.stdout, "", "{mode}: nothing reaches the host's stdout");
        assert_eq!(out.stderr, "", "{mode}: nothing reaches the host's stderr");
        assert_eq!(
            out.exit, None,
            "{mode}: the probe could not exit with its own status"
        );
    }
}

#[test]
fn narrow_grants_let_through_exactly_what_they_name() {
    let p = Probe::compose("narrow.yaml");
    assert_eq!(p.run("run", "env").value(), "MODE=test;SAFE=ok");
    assert_eq!(p.run("run", "secret").value(), "none");
    assert_eq!(p.run("run", "args").value(), "probe --fixed");
    // Deterministic time: 2000-01-01T00:00:00Z on every run.
    assert_eq!(p.run("run", "clock").value(), "946684800");
    let first = p.run("run", "random");
    assert_eq!(first.value().len(), 16);
    assert_eq!(
        first.value(),
        p.run("run", "random").value(),
        "seeded: the same on every run"
    );
    let out = p.run("run", "stdout");
    assert_eq!(out.value(), "stdout: Ok(())");
    assert_eq!(out.stdout, "probe wrote to stdout\n");
    // Not granted: still refused.
    for mode in ["stderr", "stdin", "exit"] {
        let out = p.run("run", mode);
        assert!(out.trapped(), "{mode} must be refused, got {out:?}");
        assert_eq!(out.stderr, "");
    }
}

/// Grant values written to add settings lines (`allow-env=*`, `args=inherit`) are
/// only values: the probe sees them as written and nothing more of the host.
#[test]
fn a_grant_value_cannot_rewrite_the_policy() {
    let p = Probe::compose("injected.yaml");
    assert_eq!(p.run("run", "secret").value(), "none");
    assert_eq!(
        p.run("run", "env").value(),
        "MODE=x\nallow-env=*\nargs=inherit;SAFE=ok"
    );
    assert_eq!(
        p.run("run", "args").value(),
        "a\nallow-env=* b\\nallow-env=*"
    );
}

#[test]
fn allow_all_shows_the_honeypot_is_real() {
    let p = Probe::compose("allow-all.yaml");
    assert_eq!(p.run("run", "secret").value(), "hunter2");
    assert_eq!(p.run("run", "args").value(), "host-arg0 --host-secret");
    assert_eq!(p.run("run", "stdin").value(), "stdin: host stdin secret");
    assert_eq!(p.run("run", "stderr").stderr, "probe wrote to stderr\n");
    let now: u64 = p.run("run", "clock").value().parse().unwrap();
    assert!(now > 1_700_000_000, "the host's clock");
    assert_ne!(
        p.run("run", "random").value(),
        p.run("run", "random").value()
    );
    // WASI 0.2's `exit` carries only success or failure: Rust's `exit(3)` arrives as 1.
    assert_eq!(p.run("run", "exit").exit, Some(1));
}

#[test]
fn an_explicit_deny_beats_the_defaults() {
    let p = Probe::compose("deny-beats-defaults.yaml");
    assert_eq!(p.run("run", "secret").value(), "none");
    assert_eq!(p.run("run", "env").value(), "");
    let out = p.run("run", "stdout");
    assert!(out.trapped());
    assert_eq!(out.stdout, "");
    // Granted by the defaults and not denied.
    assert_eq!(p.run("run", "stderr").stderr, "probe wrote to stderr\n");
}

#[test]
fn two_instances_of_one_component_are_isolated() {
    let p = Probe::compose("two-probes.yaml");
    assert_eq!(p.run("run-trusted", "secret").value(), "hunter2");
    assert_eq!(p.run("run-trusted", "env").value(), "SECRET=hunter2");
    assert_eq!(p.run("run-untrusted", "secret").value(), "none");
    assert_eq!(p.run("run-untrusted", "env").value(), "");
}

#[test]
fn an_older_wasi_importer_is_wrapped_at_its_own_version() {
    let p = Probe::compose("legacy.yaml");
    assert_eq!(p.run("run", "env").value(), "SAFE=ok");
    assert_eq!(p.run("run", "secret").value(), "none");
    assert_eq!(p.run("run", "cwd").value(), "/virtual");
    assert_eq!(p.run("run", "args").value(), "");
    let random = p.run("run", "random");
    assert_eq!(random.value(), p.run("run", "random").value());
}

#[test]
fn an_older_wasi_importer_without_grants_sees_nothing() {
    let p = Probe::compose("legacy-deny.yaml");
    assert_eq!(p.run("run", "env").value(), "");
    assert_eq!(p.run("run", "cwd").value(), "none");
    assert_eq!(p.run("run", "args").value(), "");
    assert!(p.run("run", "random").trapped());
}

/// The WASI 0.3 probe (`tests/guests/probe-p3`, built with the `wasip3` crate) with no
/// grants: where WASI 0.3 can say no it says so (an empty stdin, stdout and stderr
/// that end in `pipe`), and it stops the probe only where the WIT has no answer.
#[test]
fn wasi_0_3_no_grants_means_no_authority() {
    let p = Probe::compose("p3-deny-all.yaml");
    assert_eq!(p.run_p3("env").value(), "");
    assert_eq!(p.run_p3("secret").value(), "none");
    assert_eq!(p.run_p3("args").value(), "");
    assert_eq!(p.run_p3("cwd").value(), "None");
    assert_eq!(p.run_p3("clock").value(), "0");
    assert_eq!(p.run_p3("monotonic").value(), "0");
    for stream in ["stdout", "stderr"] {
        let out = p.run_p3(stream);
        let said = out.value();
        assert!(said.starts_with(&format!("{stream}: Err(")), "{said}");
        assert!(said.contains("Pipe"), "{said}");
        assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));
    }
    assert_eq!(p.run_p3("stdin").value(), "stdin: 0 bytes \"\", Ok(())");
    assert_eq!(
        p.run_p3("dirs").value(),
        "",
        "fs-deny-p3: no directory at all"
    );
    let refused = "error: ErrorCode::AccessDenied";
    assert_eq!(p.run_p3("tcp any").value(), refused, "sockets-deny-p3");
    assert_eq!(p.run_p3("lookup localhost").value(), refused);
    for mode in ["random", "insecure", "wait", "exit"] {
        let out = p.run_p3(mode);
        assert!(out.trapped(), "{mode} must be refused, got {out:?}");
        assert_eq!(out.exit, None, "{mode}: no exit status of its own");
        assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));
    }
}

/// The same narrow grants as `narrow.yaml` mean the same for the WASI 0.3 probe.
#[test]
fn wasi_0_3_narrow_grants_let_through_exactly_what_they_name() {
    let p = Probe::compose("p3-narrow.yaml");
    assert_eq!(p.run_p3("env").value(), "MODE=test;SAFE=ok");
    assert_eq!(p.run_p3("secret").value(), "none");
    assert_eq!(p.run_p3("args").value(), "probe --fixed");
    assert_eq!(p.run_p3("cwd").value(), "Some(\"/virtual\")");
    assert_eq!(p.run_p3("clock").value(), "946684800");
    let first = p.run_p3("random");
    assert_eq!(first.value().len(), 32);
    assert_eq!(first.value(), p.run_p3("random").value(), "seeded");
    let out = p.run_p3("stdout");
    assert_eq!(out.value(), "stdout: Ok(()), 0 bytes unwritten");
    assert_eq!(out.stdout, "probe wrote to stdout\n");
    let out = p.run_p3("stderr");
    assert!(out.value().starts_with("stderr: Err("), "{out:?}");
    assert_eq!(out.stderr, "");
    assert_eq!(p.run_p3("stdin").value(), "stdin: 0 bytes \"\", Ok(())");
    assert!(p.run_p3("exit").trapped());
    assert!(
        p.run_p3("wait").trapped(),
        "a deterministic clock cannot be waited on"
    );
}

/// Everything granted: the WASI 0.3 probe sees the honeypot's secrets, so the tests
/// above are not passing for want of a working host.
#[test]
fn wasi_0_3_allow_all_shows_the_honeypot_is_real() {
    let p = Probe::compose("p3-allow-all.yaml");
    assert_eq!(p.run_p3("secret").value(), "hunter2");
    assert_eq!(p.run_p3("args").value(), "host-arg0 --host-secret");
    assert_eq!(
        p.run_p3("stdin").value(),
        "stdin: 17 bytes \"host stdin secret\", Ok(())"
    );
    assert_eq!(p.run_p3("stderr").stderr, "probe wrote to stderr\n");
    let now: u64 = p.run_p3("clock").value().parse().unwrap();
    assert!(now > 1_700_000_000, "the host's clock");
    assert_ne!(p.run_p3("random").value(), p.run_p3("random").value());
    assert_eq!(p.run_p3("wait").value(), "waited 1 ms");
    assert_eq!(p.run_p3("exit").exit, Some(1));
    // No grant passes directories at 0.3; unwrapped, the probe sees the honeypot's.
    assert_eq!(p.run_p3("dirs").value(), "");
    let bare = Probe::unwrapped("probe-p3.wasm");
    assert_eq!(bare.run_p3("dirs").value(), "/,/data,/scratch");
    assert_eq!(bare.run_p3("tcp any").value(), "created a socket");
    assert!(bare
        .run_p3("lookup localhost")
        .value()
        .starts_with("resolved"));
}

/// WASI 0.3 HTTP (`wasi:http/client`): an allowed request is handed to the host as it
/// is; any other is refused before the host sees it, and with no `http:` grant every
/// one is.
#[test]
fn wasi_0_3_http_reaches_only_allowed_destinations() {
    let (allowed, denied) = servers();
    let p = Probe::compose("p3-http.yaml");
    let before = (allowed.hits(), denied.hits());
    let ok = p.run_p3(&format!("http http://127.0.0.1:{}/", allowed.port));
    assert_eq!(ok.value(), "status 200: SECRET");
    let refused = "refused: ErrorCode::HttpRequestDenied";
    for url in [
        format!("http://127.0.0.1:{}/", denied.port),
        format!("http://localhost:{}/", allowed.port),
        format!("https://127.0.0.1:{}/", allowed.port),
    ] {
        assert_eq!(p.run_p3(&format!("http {url}")).value(), refused, "{url}");
    }
    let none = Probe::compose("p3-deny-all.yaml");
    let url = format!("http://127.0.0.1:{}/", allowed.port);
    assert_eq!(none.run_p3(&format!("http {url}")).value(), refused);
    assert_eq!(
        denied.hits(),
        before.1,
        "the denied server saw nothing at all"
    );
    assert!(allowed.hits() > before.0, "the allowed request arrived");
}

/// The composed component imports exactly the host contract `check` prints: nothing
/// the policy did not grant reaches the host, for every policy and both examples.
#[test]
fn output_imports_are_exactly_the_host_contract() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let honeypot = honeypot();
    let mut composed: Vec<(String, witpipe_compose::Composition)> =
        std::fs::read_dir(root.join("tests/policy"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .map(|name| (name.clone(), compose_in_honeypot(&name, honeypot.path())))
            .collect();
    for example in ["wordfreq", "shout", "counter"] {
        let path = root.join(format!("pipelines/{example}/pipeline.yaml"));
        composed.push((
            example.into(),
            witpipe_compose::compose_file(&path).unwrap_or_else(|f| panic!("{f}")),
        ));
    }
    for (path, composed) in composed {
        let (imports, _) = witpipe_compose::wit::world_items(&composed.bytes).unwrap();
        let mut actual: Vec<String> = imports.into_iter().map(|(n, _)| n).collect();
        actual.sort();
        let expected: Vec<String> = composed
            .contract
            .imports
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(actual, expected, "{path}");
    }
}

/// How a test calls a probe: the 0.2 probe's `run` export or the 0.3 probe's.
type Runner = fn(&Probe, &str) -> Outcome;
const P2: Runner = |p, mode| p.run("run", mode);
const P3: Runner = |p, mode| p.run_p3(mode);

/// Asserts that every mode in `attempts` ends in an error that shows no secret.
fn all_refused(p: &Probe, run: Runner, attempts: &[&str]) {
    for attempt in attempts {
        let out = run(p, attempt);
        assert!(out.value().starts_with("error"), "{attempt}: {out:?}");
        assert!(!out.value().contains("TOPSECRET"), "{attempt}: {out:?}");
    }
}

/// `fs-ro.yaml` (or its 0.3 twin): reads pass, every change and every escape fails.
fn read_only_directory_holds(pipeline: &str, run: Runner, more_changes: &[&str]) {
    let p = Probe::compose(pipeline);
    assert_eq!(run(&p, "read /data/public.txt").value(), "hello");
    assert_eq!(run(&p, "list /data").value(), "link,public.txt,sub");
    assert_eq!(run(&p, "read /data/sub/note.txt").value(), "note");
    // The host grants the directory read-write; the grant says read-only.
    let changes = [
        "write /data/new.txt",
        "write /data/public.txt",
        "mkdir /data/dir",
        "remove /data/public.txt",
    ];
    all_refused(&p, run, &changes);
    all_refused(&p, run, more_changes);
    assert_eq!(p.host_file("data/public.txt").as_deref(), Some("hello"));
    assert_eq!(p.host_file("data/new.txt"), None);
    assert!(!p.honeypot.path().join("data/dir").exists());
    // No way out: not `..`, not a symlink, not another preopen of the host's.
    let escapes = [
        "read /data/../secret.txt",
        "read /data/link",
        "read /secret.txt",
        "list /",
        "read /scratch/note.txt",
    ];
    all_refused(&p, run, &escapes);
}

/// `fs-rw.yaml` (or its 0.3 twin): the sub-directory is writable and still closed.
fn read_write_directory_holds(pipeline: &str, run: Runner) {
    let p = Probe::compose(pipeline);
    assert_eq!(run(&p, "read /scratch/note.txt").value(), "note");
    assert_eq!(run(&p, "write /scratch/new.txt").value(), "written");
    assert_eq!(
        p.host_file("data/sub/new.txt").as_deref(),
        Some("written by the probe")
    );
    let escapes = [
        "read /scratch/../public.txt",
        "read /scratch/../../secret.txt",
        "read /data/public.txt",
    ];
    all_refused(&p, run, &escapes);
}

#[test]
fn a_read_only_directory_stays_read_only_and_closed() {
    read_only_directory_holds("fs-ro.yaml", P2, &[]);
}

#[test]
fn a_read_write_sub_directory_is_writable_and_still_closed() {
    read_write_directory_holds("fs-rw.yaml", P2);
}

/// At WASI 0.3 the same: and a file opened for reading cannot be written through its
/// stream (the wrapper answers `read-only` without handing the stream to the host).
#[test]
fn wasi_0_3_a_read_only_directory_stays_read_only_and_closed() {
    read_only_directory_holds("p3-fs-ro.yaml", P3, &["write-ro /data/public.txt"]);
}

#[test]
fn wasi_0_3_a_read_write_sub_directory_is_writable_and_still_closed() {
    read_write_directory_holds("p3-fs-rw.yaml", P3);
}

/// The probe as the middle stage of a command pipe, between a stage that may read the
/// host's stdin and a directory and one that may write the host's stdout: it sees the
/// bytes piped to it and its own arguments, nothing of its neighbours' grants.
#[test]
fn a_stage_of_a_command_pipe_sees_only_its_own_grants() {
    let p = Probe::compose("p3-pipe.yaml");
    let (ended, out) = p.run_command_p3();
    assert_eq!(ended, Ok(Ok(())), "{out}");
    let seen: std::collections::BTreeMap<&str, &str> =
        out.lines().filter_map(|l| l.split_once(" => ")).collect();
    // What the pipe gives it: the host's stdin, through `cat`.
    assert_eq!(
        seen["stdin"],
        "stdin: 17 bytes \"host stdin secret\", Ok(())"
    );
    // Its own arguments; no environment, no directories (not `cat`'s), no network.
    assert!(seen["args"].starts_with("probe stdin args env"), "{out}");
    assert!(!seen["args"].contains("host-"), "{out}");
    assert_eq!(seen["env"], "", "{out}");
    assert_eq!(seen["secret"], "none", "{out}");
    assert_eq!(seen["dirs"], "", "{out}");
    let refused = [
        "read /data/public.txt",
        "read /data/../secret.txt",
        "read /secret.txt",
        "list /",
        "write /data/new.txt",
        "lookup localhost",
    ];
    for attempt in refused {
        assert!(seen[attempt].starts_with("error"), "{attempt}: {out}");
    }
    let tcp = seen
        .iter()
        .find(|(mode, _)| mode.starts_with("tcp "))
        .map(|(_, seen)| *seen)
        .unwrap();
    assert!(tcp.starts_with("error"), "{out}");
    assert!(
        !out.contains("TOPSECRET") && !out.contains("hunter2"),
        "{out}"
    );
    assert_eq!(p.host_file("data/new.txt"), None);
    assert_eq!(seen.len(), 14, "every attempt reported: {out}");
}

#[test]
fn a_directory_granted_to_one_instance_is_not_seen_by_another() {
    let p = Probe::compose("fs-two-probes.yaml");
    assert_eq!(
        p.run("run-reader", "read /data/public.txt").value(),
        "hello"
    );
    assert!(p
        .run("run-other", "read /data/public.txt")
        .value()
        .starts_with("error"));
    assert!(p.run("run-other", "list /").value().starts_with("error"));
}

#[test]
fn outgoing_http_reaches_only_allowed_destinations() {
    let (allowed, denied) = servers();
    let p = Probe::compose("http.yaml");
    let before = (allowed.hits(), denied.hits());
    let ok = p.run("run", &format!("http http://127.0.0.1:{}/", allowed.port));
    assert_eq!(ok.value(), "status 200: SECRET");
    for url in [
        format!("http://127.0.0.1:{}/", denied.port),
        format!("http://localhost:{}/", allowed.port),
        format!("https://127.0.0.1:{}/", allowed.port),
    ] {
        assert_eq!(
            p.run("run", &format!("http {url}")).value(),
            "refused: ErrorCode::HttpRequestDenied",
            "{url}"
        );
    }
    // Only the allowed request reached a server; the denied server saw nothing at all.
    assert_eq!(denied.hits(), before.1);
    assert!(allowed.hits() > before.0);
}

#[test]
fn no_http_grant_means_no_request_leaves() {
    let (allowed, _) = servers();
    let p = Probe::compose("deny-all.yaml");
    let out = p.run("run", &format!("http http://127.0.0.1:{}/", allowed.port));
    assert_eq!(out.value(), "refused: ErrorCode::HttpRequestDenied");
}

/// `deny-all.yaml` and `allow-all.yaml` (or their 0.3 twins): no connection, no lookup.
fn no_socket_reaches_the_network(deny_all: &str, allow_all: &str, run: Runner) {
    // A server of this test's own, so that no other test's traffic is counted.
    let server = Server::start();
    let tcp = format!("tcp 127.0.0.1:{}", server.port);
    let p = Probe::compose(deny_all);
    all_refused(&p, run, &[&tcp, "lookup localhost"]);
    // The same probe with every grant the pipeline format has but `sockets`.
    all_refused(&Probe::compose(allow_all), run, &[&tcp]);
    assert_eq!(server.hits(), 0, "no connection reached the server");
}

/// `sockets.yaml` (or its 0.3 twin): one port connects, another does not, no lookup.
fn tcp_reaches_only_allowed(pipeline: &str, run: Runner) -> Outcome {
    let (allowed, _) = servers();
    let other = Server::start();
    let p = Probe::compose(pipeline);
    let ok = run(&p, &format!("tcp 127.0.0.1:{}", allowed.port));
    assert!(ok.value().starts_with("connected"), "{ok:?}");
    let refused = format!("tcp 127.0.0.1:{}", other.port);
    all_refused(&p, run, &[&refused, "lookup localhost"]);
    assert_eq!(other.hits(), 0, "the port off the list saw no connection");
    ok
}

#[test]
fn no_socket_can_be_opened_and_no_name_resolved() {
    no_socket_reaches_the_network("deny-all.yaml", "allow-all.yaml", P2);
}

#[test]
fn tcp_reaches_only_allowed_addresses() {
    tcp_reaches_only_allowed("sockets.yaml", P2);
}

#[test]
fn wasi_0_3_no_socket_can_be_opened_and_no_name_resolved() {
    no_socket_reaches_the_network("p3-deny-all.yaml", "p3-allow-all.yaml", P3);
}

/// At WASI 0.3 the same, and the allowed connection's streams carry data both ways
/// through the wrapper (which hands them on).
#[test]
fn wasi_0_3_tcp_reaches_only_allowed_addresses() {
    let ok = tcp_reaches_only_allowed("p3-sockets.yaml", P3);
    assert_eq!(ok.value(), "connected, sent Ok(()), got \"SECRET\", Ok(())");
}

/// `lookup: allow` at WASI 0.3: the host resolves names beside the guarded sockets
/// (the component's address type comes from the wrapper, its lookup from the host).
#[test]
fn wasi_0_3_a_lookup_grant_resolves_names_and_nothing_more() {
    let p = Probe::compose("p3-lookup.yaml");
    assert_eq!(P3(&p, "lookup localhost").value(), "resolved: 1");
    let other = Server::start();
    all_refused(&p, P3, &[&format!("tcp 127.0.0.1:{}", other.port)]);
    assert_eq!(other.hits(), 0);
}

/// A host that serves every bucket and configuration value, with secrets in both: the
/// buckets `""`, `secret` and `granted` each hold `token`, and the configuration holds
/// `SECRET_CONFIG` and a `greeting` other than the granted one.
fn store_honeypot() -> witpipe_host::Shared {
    let grants = witpipe_host::HostGrants {
        keyvalue: true,
        config: Some(vec![
            ("SECRET_CONFIG".into(), "TOPSECRET-config".into()),
            ("greeting".into(), "TOPSECRET-host-greeting".into()),
        ]),
        ..witpipe_host::HostGrants::default()
    };
    let shared = witpipe_host::Shared::new(&grants);
    for bucket in ["", "secret", "granted"] {
        let value = format!("TOPSECRET-{bucket}");
        shared.keyvalue.set(bucket, "token", value.as_bytes());
    }
    shared
}

impl Probe {
    /// What the store probe's `run` with `mode` returns on a host serving `shared`.
    fn run_stores(&self, shared: &witpipe_host::Shared, mode: &str) -> String {
        self.run_on("run", mode, shared).value().to_string()
    }
}

#[test]
fn unwrapped_the_store_probe_reaches_every_secret() {
    // The honeypot is real: with nothing in between, every bucket and value is there.
    let p = Probe::unwrapped("store-probe.wasm");
    let shared = store_honeypot();
    assert_eq!(
        p.run_stores(&shared, "get secret token"),
        "TOPSECRET-secret"
    );
    assert_eq!(p.run_stores(&shared, "get - token"), "TOPSECRET-");
    assert!(p
        .run_stores(&shared, "config-all")
        .contains("TOPSECRET-config"));
}

#[test]
fn a_bucket_grant_gives_one_bucket_and_inside_config_only_the_granted_values() {
    let p = Probe::compose("stores.yaml");
    let shared = store_honeypot();
    let run = |mode: &str| p.run_stores(&shared, mode);
    // Configuration: exactly the granted values (one with `=` and a newline in it),
    // never the host's, although the host serves the same interface with secrets.
    assert_eq!(run("config-all"), "greeting=hello;multi=line=first\nsecond");
    assert_eq!(run("config greeting"), "hello");
    assert_eq!(run("config SECRET_CONFIG"), "none");
    // Key-value: any other bucket is refused before the host is asked.
    for bucket in ["secret", "granted", "other", "-x"] {
        assert_eq!(
            run(&format!("get {bucket} token")),
            "error: Error::AccessDenied",
            "{bucket}"
        );
    }
    // The default bucket is the host's `granted`: its data, not the host's default's.
    assert_eq!(run("get - token"), "TOPSECRET-granted");
    // Counts persist in the host's bucket, under a key every store accepts
    // (`:` is written `=3A`); the probe gets its own names back.
    assert_eq!(run("incr - hits:/a.b"), "1");
    assert_eq!(run("incr - hits:/a.b"), "2");
    assert!(shared.keyvalue.get("granted", "hits=3A/a=2Eb").is_some());
    assert!(shared.keyvalue.get("granted", "hits:/a.b").is_none());
    assert!(shared.keyvalue.get("", "hits=3A/a=2Eb").is_none());
    let listed = run("list -");
    assert!(
        listed.contains("hits:/a.b") && listed.contains("token"),
        "{listed}"
    );
    // Nothing else of the host's changed.
    assert_eq!(
        shared.keyvalue.get("secret", "token").as_deref(),
        Some(&b"TOPSECRET-secret"[..])
    );
}

#[test]
fn inside_the_key_value_store_is_the_instances_own() {
    let p = Probe::compose("stores-memory.yaml");
    let shared = store_honeypot();
    let run = |mode: &str| p.run_stores(&shared, mode);
    // None of the host's buckets, whatever the name; no configuration either.
    for bucket in ["-", "secret", "granted"] {
        assert_eq!(run(&format!("get {bucket} token")), "none", "{bucket}");
    }
    assert_eq!(run("config-all"), "");
    // Each call is a fresh instance: the store lives as long as the instance.
    assert_eq!(run("incr - hits"), "1");
    assert_eq!(run("incr - hits"), "1");
    assert_eq!(run("list secret"), "");
    // The host's store is untouched.
    assert!(shared.keyvalue.get("", "hits").is_none());
    assert_eq!(
        shared.keyvalue.get("secret", "token").as_deref(),
        Some(&b"TOPSECRET-secret"[..])
    );
}

#[test]
fn a_layer_reaches_its_edge_under_the_components_grant_and_has_nothing_of_its_own() {
    let p = Probe::compose("layer-env.yaml");
    // Through the layer (its mark is there), and only what the probe may see: the
    // honeypot's SECRET never reaches the layer. The layer's clock is the guard's
    // epoch although the probe's own is the host's.
    assert_eq!(p.run("run", "env").value(), "LAYER_CLOCK=0;SAFE=ok");
    assert_eq!(p.run("run", "secret").value(), "none");
    let clock: u64 = p.run("run", "clock").value().parse().unwrap();
    assert!(
        clock > 946_684_800,
        "the probe's own clock is the host's: {clock}"
    );
}

#[test]
fn a_layers_own_grants_never_widen_the_edge() {
    let p = Probe::compose("layer-env-granted.yaml");
    let env = p.run("run", "env").value().to_string();
    let vars: Vec<&str> = env.split(';').collect();
    assert_eq!(vars.len(), 2, "{env}");
    assert_eq!(vars[1], "SAFE=ok", "{env}");
    // Its own clock grant is its own: the host's time.
    let clock: u64 = vars[0]
        .strip_prefix("LAYER_CLOCK=")
        .unwrap()
        .parse()
        .unwrap();
    assert!(clock > 946_684_800, "{env}");
}

#[test]
fn components_behind_their_own_chains_see_only_their_own_grant() {
    let p = Probe::compose("layer-env-two.yaml");
    assert_eq!(p.run("run-a", "env").value(), "LAYER_CLOCK=0;SAFE=ok");
    assert_eq!(
        p.run("run-b", "env").value(),
        "LAYER_CLOCK=0;SECRET=hunter2"
    );
}

#[test]
fn at_wasi_0_3_a_layer_reaches_its_edge_under_the_components_grant_only() {
    let p = Probe::compose("layer-env-p3.yaml");
    assert_eq!(p.run_p3("env").value(), "LAYER_CLOCK=0;SAFE=ok");
    assert_eq!(p.run_p3("secret").value(), "none");
    let clock: u64 = p.run_p3("clock").value().parse().unwrap();
    assert!(
        clock > 946_684_800,
        "the probe's own clock is the host's: {clock}"
    );
}

#[test]
fn a_key_prefix_layer_keeps_its_components_keys_apart() {
    let p = Probe::compose("layer-kv-prefix.yaml");
    let shared = store_honeypot();
    let run = |func: &str, mode: &str| p.run_on(func, mode, &shared).value().to_string();
    assert_eq!(run("run-a", "incr - hits"), "1");
    assert_eq!(run("run-a", "incr - hits"), "2");
    // `b` counts its own `hits`: not `a`'s, which are under the prefix.
    assert_eq!(run("run-b", "incr - hits"), "1");
    assert!(shared.keyvalue.get("granted", "a/hits").is_some());
    // `a` sees only its own keys, under its own names; the bucket's token is not one.
    assert_eq!(run("run-a", "list -"), "hits");
    assert_eq!(run("run-a", "get - token"), "none");
    let listed = run("run-b", "list -");
    let keys: Vec<&str> = listed.split(';').collect();
    assert!(
        keys.contains(&"a/hits") && keys.contains(&"hits"),
        "{listed}"
    );
}

/// A layer on the WASI 0.3 HTTP client edge (the gateway example's `http-log`): it sees
/// and logs every request, and sends only where the probe may (the probe's http-guard stands behind it); the request and
/// its response are handed through, not copied.
#[test]
fn an_http_client_layer_logs_every_request_and_sends_only_where_the_component_may() {
    let (allowed, denied) = servers();
    let p = Probe::compose("layer-http-p3.yaml");
    let before = denied.hits();
    let ok = p.run_p3(&format!("http http://127.0.0.1:{}/x?y=1", allowed.port));
    assert_eq!(ok.value(), "status 200: SECRET");
    let line = format!("GET 127.0.0.1:{}/x?y=1 200 ", allowed.port);
    assert!(
        ok.stderr.starts_with(&line) && ok.stderr.ends_with(" ms (attempt 1 of 3)\n"),
        "{ok:?}"
    );
    let refused = p.run_p3(&format!("http http://127.0.0.1:{}/", denied.port));
    assert_eq!(refused.value(), "refused: ErrorCode::HttpRequestDenied");
    let line = format!(
        "GET 127.0.0.1:{}/ ErrorCode::HttpRequestDenied ",
        denied.port
    );
    // A refusal is final: the layer does not try again.
    assert!(
        refused.stderr.starts_with(&line) && refused.stderr.lines().count() == 1,
        "{refused:?}"
    );
    assert_eq!(denied.hits(), before, "the denied server was reached");
}
