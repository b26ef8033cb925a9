//! Cost of least privilege at instantiation: how long wasmtime takes to instantiate a
//! component with and without witpipe's wrappers, and how large the outputs are.
//! `cargo bench --bench instantiate` prints a Markdown table (medians of 300 runs);
//! BENCHMARKS.md records it. Timing lives here, never in tests.

use std::path::Path;
use std::time::{Duration, Instant};
use wasmtime::component::Component;
use wasmtime::{Config, Engine};
use wasmtime_wasi::WasiCtx;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Median instantiation time of `bytes` (on-demand allocator, pre-instantiated).
fn instantiate(bytes: &[u8]) -> Duration {
    let engine = Engine::new(&Config::new()).unwrap();
    let component = Component::new(&engine, bytes).unwrap();
    let linker = witpipe_host::linker(&engine).unwrap();
    let pre = linker.instantiate_pre(&component).unwrap();
    let mut times = Vec::new();
    for _ in 0..300 {
        let mut store = witpipe_host::store(&engine, WasiCtx::builder());
        let start = Instant::now();
        pre.instantiate(&mut store).unwrap();
        times.push(start.elapsed());
    }
    median(times)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read(root.join("tests/guests/components/probe.wasm")).unwrap();
    let base = instantiate(&raw);
    println!("| component | size (bytes) | instantiate (median, µs) | vs. unwrapped |");
    println!("|---|---:|---:|---:|");
    println!(
        "| probe, unwrapped | {} | {:.1} | |",
        raw.len(),
        base.as_secs_f64() * 1e6
    );
    let honeypot = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(honeypot.path().join("data/sub")).unwrap();
    for policy in ["deny-all", "narrow", "allow-all", "fs-ro", "two-probes"] {
        let text = std::fs::read_to_string(root.join(format!("tests/policy/{policy}.yaml")))
            .unwrap()
            .replace("../guests/", &format!("{}/tests/guests/", root.display()));
        let path = honeypot.path().join(format!("{policy}.yaml"));
        std::fs::write(&path, text).unwrap();
        let composed = witpipe_compose::compose_file(&path).unwrap_or_else(|f| panic!("{f}"));
        let t = instantiate(&composed.bytes);
        println!(
            "| probe under `{policy}` | {} | {:.1} | +{:.1} µs |",
            composed.bytes.len(),
            t.as_secs_f64() * 1e6,
            (t.as_secs_f64() - base.as_secs_f64()) * 1e6
        );
    }
}
