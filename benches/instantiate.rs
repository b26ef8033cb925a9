//! Cost of least privilege: instantiation time and size of components with and without
//! witpipe's wrappers (on-demand and pooling allocators), and the per-call cost of a
//! call answered by a wrapper instead of the host.
//! `cargo bench --bench instantiate` prints Markdown tables (medians); BENCHMARKS.md
//! records them. Timing lives here, never in tests.

#[path = "../tests/support/http.rs"]
mod http;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmtime::component::{Component, TypedFunc};
use wasmtime::Engine;
use wasmtime_wasi::WasiCtx;
use witpipe_host::EngineOptions;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Which host a component runs on: the synchronous one (WASI 0.2), or the concurrent
/// one (WASI 0.3, async exports), which instantiates and calls through futures.
#[derive(Clone, Copy, PartialEq)]
enum On {
    Sync,
    Concurrent,
}

/// Runs `future` on a runtime of this thread.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(future)
}

/// Median time to instantiate `bytes` from an `InstancePre` (store creation excluded).
fn instantiate(engine: &Engine, bytes: &[u8], on: On) -> Duration {
    let component = Component::new(engine, bytes).unwrap();
    let linker = match on {
        On::Sync => witpipe_host::linker(engine),
        On::Concurrent => witpipe_host::concurrent_linker(engine),
    }
    .unwrap();
    let pre = linker.instantiate_pre(&component).unwrap();
    let mut times = Vec::new();
    for _ in 0..500 {
        let mut store = witpipe_host::store(engine, WasiCtx::builder());
        store.set_epoch_deadline(u64::MAX / 2);
        let start = Instant::now();
        match on {
            On::Sync => drop(pre.instantiate(&mut store).unwrap()),
            On::Concurrent => drop(block_on(pre.instantiate_async(&mut store)).unwrap()),
        }
        times.push(start.elapsed());
    }
    median(times)
}

/// Per-call time of the probe's `run("<mode> N")`: N calls of one import in a loop, on a
/// host with eleven environment variables (`SAFE` among them) and open HTTP.
fn per_call(engine: &Engine, bytes: &[u8], mode: &str, n: u32, on: On) -> Duration {
    per_run(engine, bytes, &format!("{mode} {n}"), on) / n
}

thread_local! {
    /// A host directory every bench host preopens read-only as `/data`, if set.
    static DATA: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// Median time of the probe's `run(argument)` (7 runs) in one instance.
fn per_run(engine: &Engine, bytes: &[u8], argument: &str, on: On) -> Duration {
    let mode = argument;
    let component = Component::new(engine, bytes).unwrap();
    let mut env = WasiCtx::builder();
    for i in 0..10 {
        env.env(format!("HOST_VARIABLE_{i}"), "some value of a usual length");
    }
    env.env("SAFE", "1");
    // A stdout that takes every byte (7 runs of `stdout-bytes 1048576` fit).
    env.stdout(wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(8 << 20));
    if let Some(data) = DATA.with(|d| d.borrow().clone()) {
        let perms = wasmtime_wasi::FsPerms::ReadOnly;
        env.preopened_dir(data, "/data", perms).unwrap();
    }
    let mut store = witpipe_host::store(engine, env);
    store.set_epoch_deadline(u64::MAX / 2);
    let mut times = Vec::new();
    let check = |said: String| {
        assert!(
            !said.contains("refused")
                && !said.contains("Err(")
                && !said.starts_with("error")
                && !said.starts_with("unknown mode"),
            "{mode}: {said}"
        )
    };
    match on {
        On::Sync => {
            let linker = witpipe_host::linker(engine).unwrap();
            let instance = linker.instantiate(&mut store, &component).unwrap();
            let run: TypedFunc<(String,), (String,)> =
                instance.get_typed_func(&mut store, "run").unwrap();
            for _ in 0..7 {
                let start = Instant::now();
                let (said,) = run.call(&mut store, (argument.to_string(),)).unwrap();
                times.push(start.elapsed());
                check(said);
            }
        }
        On::Concurrent => block_on(async {
            let linker = witpipe_host::concurrent_linker(engine).unwrap();
            let instance = linker
                .instantiate_async(&mut store, &component)
                .await
                .unwrap();
            let run: TypedFunc<(String,), (String,)> =
                instance.get_typed_func(&mut store, "run").unwrap();
            for _ in 0..7 {
                let start = Instant::now();
                let (said,) = run
                    .call_async(&mut store, (argument.to_string(),))
                    .await
                    .unwrap();
                times.push(start.elapsed());
                check(said);
            }
        }),
    }
    median(times)
}

/// A copy of `tests/policy/<policy>.yaml` (or any pipeline) that works from a temp dir.
fn pipeline(root: &Path, dir: &Path, file: &str, grants: Option<&str>) -> PathBuf {
    let source = root.join(file);
    let text = std::fs::read_to_string(&source).unwrap();
    // Component paths made absolute; granted directories stay relative to `dir`.
    let mut text = if file.starts_with("tests/policy/") {
        text.replace("../guests/", &format!("{}/tests/guests/", root.display()))
    } else {
        text.replace(
            "components/",
            &format!("{}/components/", source.parent().unwrap().display()),
        )
    };
    // The policy tests' port placeholder: any port does for timing.
    text = text.replace("${ALLOWED_PORT}", "80");
    if let Some(g) = grants {
        text.push_str(g);
    }
    let name = format!(
        "{}-{}.yaml",
        file.replace('/', "_"),
        grants.map_or(0, |g| g.len())
    );
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn compose(path: &Path) -> Vec<u8> {
    witpipe_compose::compose_file(path)
        .unwrap_or_else(|f| panic!("{f}"))
        .bytes
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let on_demand = witpipe_host::engine(EngineOptions::default()).unwrap();
    let pooling = witpipe_host::engine(EngineOptions {
        fuel: false,
        pooling: Some(64),
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data/sub")).unwrap();

    println!("### Instantiation\n");
    println!(
        "| component | size (bytes) | on-demand (µs) | pooling (µs) | pooling vs. unwrapped |"
    );
    println!("|---|---:|---:|---:|---:|");
    let raw = std::fs::read(root.join("tests/guests/components/probe.wasm")).unwrap();
    let base = instantiate(&pooling, &raw, On::Sync);
    let row_on = |on: On, name: &str, bytes: &[u8], base: Duration| {
        let p = instantiate(&pooling, bytes, on);
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:+.1} µs |",
            bytes.len(),
            micros(instantiate(&on_demand, bytes, on)),
            micros(p),
            micros(p) - micros(base)
        );
        p
    };
    let row = |name: &str, bytes: &[u8], base: Duration| row_on(On::Sync, name, bytes, base);
    let _ = row("probe, unwrapped", &raw, base);
    for policy in ["deny-all", "narrow", "allow-all", "fs-ro", "two-probes"] {
        let path = pipeline(
            root,
            dir.path(),
            &format!("tests/policy/{policy}.yaml"),
            None,
        );
        let _ = row(&format!("probe under `{policy}`"), &compose(&path), base);
    }
    // The examples as shipped (and wordfreq with nothing granted) vs. the same pipeline
    // with every capability granted, so that the host serves all and no wrapper remains.
    let everything = "defaults: { env: all, args: inherit, cwd: inherit, stdio: allow, exit: allow, clocks: allow, random: allow }\n";
    for example in ["wordfreq", "shout", "counter"] {
        let file = format!("pipelines/{example}/pipeline.yaml");
        // The counter's own grants call for its portability wrappers (a key-value
        // bucket, configuration inside); its twin with the host serving both:
        let all = match example {
            "counter" => compose(&root.join("tests/e2e/counter-host-config.yaml")),
            _ => compose(&pipeline(root, dir.path(), &file, Some(everything))),
        };
        let shipped = compose(&pipeline(root, dir.path(), &file, None));
        let base = instantiate(&pooling, &all, On::Sync);
        let _ = row(
            &format!("{example}, everything granted (host serves all)"),
            &all,
            base,
        );
        let _ = row(&format!("{example} as shipped"), &shipped, base);
        if example == "wordfreq" {
            let text = std::fs::read_to_string(root.join(&file))
                .unwrap()
                .replace(
                    "      stdio: allow\n      args: inherit\n",
                    "      deny: [stdio]\n",
                )
                .replace(
                    "components/",
                    &format!("{}/pipelines/wordfreq/components/", root.display()),
                );
            let path = dir.path().join("wordfreq-none.yaml");
            std::fs::write(&path, text).unwrap();
            let _ = row("wordfreq, nothing granted", &compose(&path), base);
        }
    }

    // The WASI 0.3 examples, on the concurrent host, likewise.
    for example in ["logstats", "greet"] {
        let file = format!("pipelines/{example}/pipeline.yaml");
        let all = compose(&pipeline(root, dir.path(), &file, Some(everything)));
        let shipped = compose(&pipeline(root, dir.path(), &file, None));
        let base = instantiate(&pooling, &all, On::Concurrent);
        let what = format!("{example} (WASI 0.3), every capability granted by `defaults:`");
        let _ = row_on(On::Concurrent, &what, &all, base);
        let what = format!("{example} (WASI 0.3) as shipped");
        let _ = row_on(On::Concurrent, &what, &shipped, base);
    }
    // WASI 0.3: the probe rebuilt with the `wasip3` crate, on the concurrent host.
    let raw3 = std::fs::read(root.join("tests/guests/components/probe-p3.wasm")).unwrap();
    let base3 = instantiate(&pooling, &raw3, On::Concurrent);
    let _ = row_on(On::Concurrent, "WASI 0.3 probe, unwrapped", &raw3, base3);
    for policy in ["p3-deny-all", "p3-narrow", "p3-allow-all"] {
        let file = format!("tests/policy/{policy}.yaml");
        let bytes = compose(&pipeline(root, dir.path(), &file, None));
        let _ = row_on(
            On::Concurrent,
            &format!("WASI 0.3 probe under `{policy}`"),
            &bytes,
            base3,
        );
    }

    println!("\n### Per call: an import answered by a wrapper vs. by the host\n");
    println!("| call | host (ns) | wrapper (ns) | overhead (ns) |");
    println!("|---|---:|---:|---:|");
    let allow = compose(&pipeline(
        root,
        dir.path(),
        "tests/policy/allow-all.yaml",
        None,
    ));
    let narrow = compose(&pipeline(
        root,
        dir.path(),
        "tests/policy/narrow.yaml",
        None,
    ));
    for (mode, what) in [
        (
            "random-calls",
            "`get-random-u64` (guard: deterministic generator)",
        ),
        ("clock-calls", "monotonic `now` (guard: fixed clock)"),
    ] {
        calls(what, (&allow, &narrow), mode, 200_000);
    }
    calls(
        "`get-environment` (env-filter: `SAFE` of 11 host variables, plus a fixed `MODE`)",
        (&allow, &narrow),
        "env-calls",
        200_000,
    );
    // An allowed HTTP request: the unwrapped probe (host only) vs. under an `http:` grant
    // (http-guard checks the destination, then hands the request to the host).
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", server.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut conn in server.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = conn.read(&mut request);
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    let guarded = compose(&pipeline(
        root,
        dir.path(),
        "tests/policy/narrow.yaml",
        Some(&format!(
            "      http: [\"{}\"]\n",
            url.trim_end_matches('/')
        )),
    ));
    calls(
        "an allowed HTTP GET to a loopback server (http-guard)",
        (&raw, &guarded),
        &format!("http-calls {url}"),
        300,
    );

    // A layer on the environment edge (`tests/policy/layer-env.yaml`: the env-layer
    // guest passes the list on and adds one entry, reading its own guard's clock)
    // against the same probe and grants without it.
    println!("\n### A layer on an edge: per call and at instantiation\n");
    let layered = pipeline(root, dir.path(), "tests/policy/layer-env.yaml", None);
    let text = std::fs::read_to_string(&layered).unwrap();
    let plain = dir.path().join("layer-env-none.yaml");
    std::fs::write(&plain, &text[..text.find("layers:").unwrap()]).unwrap();
    let (plain, layered) = (compose(&plain), compose(&layered));
    println!("| call | without the layer (ns) | through the layer (ns) | difference (ns) |");
    println!("|---|---:|---:|---:|");
    calls(
        "`get-environment` through `env-layer` (then the probe's env-filter)",
        (&plain, &layered),
        "env-calls",
        200_000,
    );
    println!(
        "\n| instantiation (on demand) | without the layer (µs) | with it (µs) | difference (µs) |"
    );
    println!("|---|---:|---:|---:|");
    // Twice, interleaved, keeping the second pair: the first component timed pays for
    // warming the engine's code and the allocator.
    let mut pair = (Duration::ZERO, Duration::ZERO);
    for _ in 0..2 {
        pair = (
            instantiate(&on_demand, &plain, On::Sync),
            instantiate(&on_demand, &layered, On::Sync),
        );
    }
    let (a, b) = pair;
    println!(
        "| the probe, `env: [SAFE]`, `clocks: allow` | {:.1} | {:.1} | {:.1} |",
        micros(a),
        micros(b),
        micros(b) - micros(a)
    );

    // WASI 0.3: the same calls from the 0.3 probe's async `run`, host (`p3-allow-all`)
    // vs. wrapper (`p3-narrow`), and 1 MiB written to a granted stdout in one stream,
    // unwrapped vs. composed with the guard (the stream is the host's in both).
    println!("\n### WASI 0.3, per call: from async code, an import answered by a wrapper vs. by the host\n");
    println!("| call | host (ns) | wrapper (ns) | overhead (ns) |");
    println!("|---|---:|---:|---:|");
    let p3 = |policy: &str| {
        let file = format!("tests/policy/{policy}.yaml");
        compose(&pipeline(root, dir.path(), &file, None))
    };
    let (allow3, narrow3) = (p3("p3-allow-all"), p3("p3-narrow"));
    for (mode, what) in [
        (
            "random-calls",
            "`get-random-u64` (guard-p3: deterministic generator)",
        ),
        ("clock-calls", "monotonic `now` (guard-p3: fixed clock)"),
        (
            "env-calls",
            "`get-environment` (env-filter-p3: `SAFE` of 11, plus `MODE`)",
        ),
    ] {
        calls_on(On::Concurrent, what, (&allow3, &narrow3), mode, 200_000);
    }
    println!("\n| 1 MiB to a granted stdout, one `stream<u8>` | unwrapped probe (µs) | under `p3-narrow` (µs) | difference (µs) |");
    println!("|---|---:|---:|---:|");
    let engine = witpipe_host::engine(EngineOptions::default()).unwrap();
    let mib = |bytes: &[u8]| per_run(&engine, bytes, "stdout-bytes 1048576", On::Concurrent);
    let (bare, guarded) = (mib(&raw3), mib(&narrow3));
    println!(
        "| stdout, host stream in both | {:.0} | {:.0} | {:+.0} |",
        micros(bare),
        micros(guarded),
        micros(guarded) - micros(bare)
    );

    // A stream that does pass through a wrapper: a 1 MiB file read through
    // fs-guard-p3 (`p3-fs-ro`: it hands the host's stream on), and an async call it
    // forwards (`stat`), against the unwrapped probe on the same host.
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("big.bin"), vec![7u8; 1 << 20]).unwrap();
    DATA.with(|d| *d.borrow_mut() = Some(data));
    let fs_ro = p3("p3-fs-ro");
    let read = |bytes: &[u8]| per_run(&engine, bytes, "count /data/big.bin", On::Concurrent);
    let (bare, guarded) = (read(&raw3), read(&fs_ro));
    println!(
        "| a 1 MiB file read as one `stream<u8>` through fs-guard-p3 | {:.0} | {:.0} | {:+.0} |",
        micros(bare),
        micros(guarded),
        micros(guarded) - micros(bare)
    );
    println!("\n| async call | host (ns) | forwarded by fs-guard-p3 (ns) | overhead (ns) |");
    println!("|---|---:|---:|---:|");
    let what = "`stat` on `/data` (async, forwarded to the host)";
    calls_on(On::Concurrent, what, (&raw3, &fs_ro), "stat-calls", 20_000);
    // The floor of an async call between two components: lookup-deny-p3 answers
    // `resolve-addresses` at once (`p3-sockets`: lookup not granted), against the
    // host's lookup of `localhost` for the unwrapped probe.
    let sockets = p3("p3-sockets");
    let what = "`resolve-addresses` (async; lookup-deny-p3 answers, the host resolves)";
    calls_on(
        On::Concurrent,
        what,
        (&raw3, &sockets),
        "lookup-calls",
        20_000,
    );

    // Layers at WASI 0.3, pass-through guests written by `witpipe layer new`
    // (`tests/guests/clock-pass-p3`, `client-pass-p3`): an async call through one, and
    // a 64 KiB POST (the body a stream, the request a resource handed on) through two.
    println!("\n### Layers at WASI 0.3: per call\n");
    println!("| call | without layers (ns) | through them (ns) | difference (ns) |");
    println!("|---|---:|---:|---:|");
    let probe3 = root.join("tests/guests/components/probe-p3.wasm");
    let layered = |name: &str, grants: &str, layers: &str| {
        let head = format!(
            "version: 1\ncomponents:\n  probe:\n    path: {}\n    grants: {grants}\n",
            probe3.display()
        );
        let plain = dir.path().join(format!("{name}-none.yaml"));
        std::fs::write(&plain, &head).unwrap();
        let with = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&with, format!("{head}{layers}")).unwrap();
        (compose(&plain), compose(&with))
    };
    let pass = |file: &str| {
        root.join("tests/guests/components")
            .join(file)
            .display()
            .to_string()
    };
    let (plain, with) = layered(
        "clock-p3",
        "{ clocks: allow }",
        &format!(
            "  pass: {}\nlayers:\n  - import: wasi:clocks/monotonic-clock\n    chain: [pass]\n",
            pass("clock-pass-p3.wasm")
        ),
    );
    let what = "`wait-for(0)`, an async function, through one layer";
    calls_on(On::Concurrent, what, (&plain, &with), "wait-calls", 100_000);
    let url = body_sink();
    let (plain, with) = layered(
        "post-p3",
        &format!("{{ http: [\"{}\"] }}", url.trim_end_matches('/')),
        &format!(
            "  one: {p}\n  two: {p}\nlayers:\n  - import: wasi:http/client\n    chain: [one, two]\n",
            p = pass("client-pass-p3.wasm")
        ),
    );
    let what = "a 64 KiB POST to a loopback server, through two HTTP client layers";
    calls_on(
        On::Concurrent,
        what,
        (&plain, &with),
        &format!("post-calls {url}"),
        300,
    );
}

/// A loopback HTTP server that reads each request whole (by length, or chunked) and
/// answers `ok`; its URL.
fn body_sink() -> String {
    use std::io::Write;
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", server.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut conn in server.incoming().flatten() {
            let _ = http::read_request(&mut conn);
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    url
}

/// One row: the per-call time of `mode` under `host` and under `wrapped`.
fn calls(what: &str, (host, wrapped): (&[u8], &[u8]), mode: &str, n: u32) {
    calls_on(On::Sync, what, (host, wrapped), mode, n)
}

/// [`calls`] on the given host.
fn calls_on(on: On, what: &str, (host, wrapped): (&[u8], &[u8]), mode: &str, n: u32) {
    let engine = witpipe_host::engine(EngineOptions {
        fuel: false,
        pooling: Some(8),
    })
    .unwrap();
    let host = per_call(&engine, host, mode, n, on);
    let wrapped = per_call(&engine, wrapped, mode, n, on);
    println!(
        "| {what} | {:.0} | {:.0} | {:+.0} |",
        host.as_secs_f64() * 1e9,
        wrapped.as_secs_f64() * 1e9,
        (wrapped.as_secs_f64() - host.as_secs_f64()) * 1e9
    );
}
