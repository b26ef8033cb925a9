//! The wasmtime engine witpipe runs on, and the compile cache: a component is
//! compiled once per engine configuration and reused by `run`, `serve` and `call`.

use crate::HostError;
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Precompiled};

/// Bytes of each pooled memory and table reset in place rather than returned to the
/// kernel when an instance ends (see `engine`).
const KEEP_RESIDENT: usize = 2 << 20;

/// How to build the engine.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineOptions {
    /// Count fuel (needed by [`crate::Limits::fuel`]; compiled code differs).
    pub fuel: bool,
    /// Pre-reserve slots for this many instances at once (the pooling allocator), as a
    /// server wants; `None` allocates on demand.
    pub pooling: Option<u32>,
}

/// An engine with epoch interruption (for timeouts and fair serving) and, as asked,
/// fuel and the pooling allocator. Falls back to on-demand allocation when the
/// machine cannot reserve the pool's address space.
pub fn engine(options: EngineOptions) -> Result<Engine, HostError> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    // A call through a long pipeline nests one frame set per stage (and, with
    // component-model async on, per-call task bookkeeping): 1,000 stages need more than
    // wasmtime's default 512 KiB. The async stack must stay larger than this.
    config.max_wasm_stack(4 << 20);
    config.async_stack_size(6 << 20);
    config.consume_fuel(options.fuel);
    if let Some(instances) = options.pooling {
        let mut pool = PoolingAllocationConfig::default();
        // A composed pipeline holds many core instances and memories: every stage and
        // every policy wrapper has its own.
        pool.total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(64))
            .total_memories(instances.saturating_mul(32))
            .total_tables(instances.saturating_mul(32))
            .max_core_instances_per_component(256)
            .max_memories_per_component(128)
            .max_tables_per_component(128);
        // A served request ends by resetting every memory of its instance; each policy
        // wrapper has one. `madvise` per memory means a TLB shootdown per memory across
        // the server's threads (it halved the counter's requests/s, BENCHMARKS.md).
        // Where the kernel can say which pages were written (PAGEMAP_SCAN, Linux 6.7+)
        // only those are reset, with `memset`; elsewhere keeping memory resident would
        // `memset` all of it, so the default stays.
        if PoolingAllocationConfig::is_pagemap_scan_available() {
            pool.pagemap_scan(wasmtime::Enabled::Yes)
                .linear_memory_keep_resident(KEEP_RESIDENT)
                .table_keep_resident(KEEP_RESIDENT);
        }
        let mut pooled = config.clone();
        pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        if let Ok(engine) = Engine::new(&pooled) {
            return Ok(engine);
        }
    }
    Engine::new(&config).map_err(HostError::Start)
}

/// The cache file for `bytes` under `engine`: named by the component's SHA-256 and a
/// hash of everything in the engine that compiled code depends on.
fn cache_file(dir: &Path, engine: &Engine, bytes: &[u8]) -> PathBuf {
    let mut settings = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut settings);
    let mut digest = Sha256::new();
    digest.update(bytes);
    let hex: String = digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    dir.join(format!("{hex}-{:016x}.cwasm", settings.finish()))
}

/// The component from the cache, if it was compiled before with these settings.
/// An unreadable entry is dropped (and recompiled by [`compile`]).
pub fn cached(engine: &Engine, bytes: &[u8], dir: &Path) -> Option<Component> {
    let file = cache_file(dir, engine, bytes);
    if !file.is_file() {
        return None;
    }
    // SAFETY: only `compile` writes cache entries (whole, via rename), named by the
    // hash of the source and of the engine settings; wasmtime re-checks the header's
    // version and settings before using the code.
    match unsafe { Component::deserialize_file(engine, &file) } {
        Ok(component) => {
            // Used now: the cache's pruning drops the least recently used first.
            if let Ok(f) = std::fs::File::options().append(true).open(&file) {
                let _ = f.set_modified(std::time::SystemTime::now());
            }
            Some(component)
        }
        Err(_) => {
            let _ = std::fs::remove_file(&file);
            None
        }
    }
}

/// Compiles `bytes` (or loads them, if they are a component precompiled by
/// [`precompile`] for this engine) and keeps the result in `cache`, when given.
pub fn compile(
    engine: &Engine,
    bytes: &[u8],
    cache: Option<&Path>,
) -> Result<Component, HostError> {
    if let Some(Precompiled::Component) = Engine::detect_precompiled(bytes) {
        // SAFETY: the user handed us this precompiled file to run, as with
        // `wasmtime run --allow-precompiled`; wasmtime checks version and settings.
        return unsafe { Component::deserialize(engine, bytes) }.map_err(HostError::Precompiled);
    }
    let Some(dir) = cache else {
        return Component::new(engine, bytes).map_err(HostError::Start);
    };
    let code = engine
        .precompile_component(bytes)
        .map_err(HostError::Start)?;
    // A cache that cannot be written only costs the next start its speed.
    let _ = write_entry(&cache_file(dir, engine, bytes), &code);
    // SAFETY: `code` was produced just now by this engine.
    unsafe { Component::deserialize(engine, &code) }.map_err(HostError::Start)
}

/// Machine code for `bytes` under `engine`, for `witpipe compile`.
pub fn precompile(engine: &Engine, bytes: &[u8]) -> Result<Vec<u8>, HostError> {
    engine.precompile_component(bytes).map_err(HostError::Start)
}

/// Writes a cache entry whole or not at all.
fn write_entry(path: &Path, code: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, code)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
