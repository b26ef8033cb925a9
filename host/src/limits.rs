//! Per-instance limits (time, memory, fuel) and how a stopped instance is reported.

use crate::{Host, HostError};
use std::time::{Duration, Instant};
use wasmtime::{
    Engine, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Trap, UpdateDeadline,
};
use wasmtime_wasi::I32Exit;

/// How often the epoch advances while something runs: the resolution of `timeout`
/// and, under `serve`, how often a long computation yields to other requests.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// How many core instances, memories and tables one store may hold (wasmtime's
/// default is 10,000 each).
pub const INSTANCES: usize = 100_000;

/// Resource limits for each instance of one run, or of each request under `serve`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Wall-clock time an instance may run for.
    pub timeout: Option<Duration>,
    /// Bytes each linear memory of the instance may grow to.
    pub max_memory: Option<usize>,
    /// Units of fuel (roughly, wasm instructions) an instance may use.
    pub fuel: Option<u64>,
}

impl Limits {
    /// Applies the limits to a fresh store. `yield_every_tick` lets a long computation
    /// give its thread to other requests (async stores only).
    pub(crate) fn apply(&self, store: &mut Store<Host>, yield_every_tick: bool) {
        // A composed pipeline is many instances: a command pipe of 1,000 stages
        // creates about 10,000 core instances, wasmtime's default ceiling.
        let counts = StoreLimitsBuilder::new()
            .instances(INSTANCES)
            .memories(INSTANCES)
            .tables(INSTANCES)
            .build();
        store.data_mut().limits = Limiter {
            counts,
            max_memory: self.max_memory,
        };
        store.limiter(|host| &mut host.limits);
        if let Some(fuel) = self.fuel {
            // Only fails when the engine was built without fuel, which `engine` avoids.
            let _ = store.set_fuel(fuel);
        }
        let timeout = self.timeout;
        if timeout.is_none() && !yield_every_tick {
            store.set_epoch_deadline(u64::MAX / 2);
            return;
        }
        let start = Instant::now();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if timeout.is_some_and(|t| start.elapsed() >= t) {
                return Err(Trap::Interrupt.into());
            }
            Ok(if yield_every_tick {
                UpdateDeadline::Yield(1)
            } else {
                UpdateDeadline::Continue(1)
            })
        });
    }

    /// `e`, or [`HostError::Memory`] when it is an instance that could not even start
    /// within `--max-memory` (its initial memory is larger).
    pub(crate) fn at_start(&self, e: HostError) -> HostError {
        match (e, self.max_memory) {
            (HostError::Start(e), Some(max)) if is_grow_failure(&e) => HostError::Memory(max),
            (e, _) => e,
        }
    }

    /// What stopped an instance: one of our limits, or a trap of its own.
    pub(crate) fn classify(&self, e: wasmtime::Error) -> HostError {
        match e.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => HostError::Timeout(self.timeout.unwrap_or_default()),
            Some(Trap::OutOfFuel) => HostError::Fuel(self.fuel.unwrap_or_default()),
            _ if self.max_memory.is_some() && is_grow_failure(&e) => {
                HostError::Memory(self.max_memory.unwrap_or_default())
            }
            _ => HostError::Trap(e),
        }
    }
}

/// Whether `e` is the store's limiter refusing a memory to grow.
fn is_grow_failure(e: &wasmtime::Error) -> bool {
    e.downcast_ref::<MemoryExceeded>().is_some()
}

/// A store's resource limiter: wasmtime's [`StoreLimits`] for the counts of
/// instances, memories and tables, and `--max-memory`, refused with a typed error
/// ([`MemoryExceeded`]) so that a stopped instance is told apart from a trap without
/// reading wasmtime's text.
#[derive(Default)]
pub(crate) struct Limiter {
    counts: StoreLimits,
    max_memory: Option<usize>,
}

/// A linear memory asked to grow past `--max-memory`.
#[derive(Debug, thiserror::Error)]
#[error("a linear memory may grow to at most {max} bytes (--max-memory)")]
pub(crate) struct MemoryExceeded {
    max: usize,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        match self.max_memory {
            Some(max) if desired > max => Err(MemoryExceeded { max }.into()),
            _ => self.counts.memory_growing(current, desired, maximum),
        }
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.counts.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.counts.instances()
    }

    fn tables(&self) -> usize {
        self.counts.tables()
    }

    fn memories(&self) -> usize {
        self.counts.memories()
    }
}

/// `task` (an instance's whole life, or a call) bounded by the wall clock. An
/// instance that waits on the host (a timer, a request body that never comes, a slow
/// destination) runs no wasm, so the epoch deadline cannot stop it; this does, with
/// the same error, and dropping the task frees its instance slot.
pub(crate) async fn bounded<T>(
    timeout: Option<std::time::Duration>,
    task: impl std::future::Future<Output = wasmtime::Result<T>>,
) -> wasmtime::Result<T> {
    match timeout {
        None => task.await,
        Some(t) => (tokio::time::timeout(t, task).await)
            .unwrap_or_else(|_| Err(wasmtime::Trap::Interrupt.into())),
    }
}

/// The exit status a `wasi:cli/exit` call carries, if that is what ended the run.
pub(crate) fn exit_status(e: &wasmtime::Error) -> Option<i32> {
    e.downcast_ref::<I32Exit>().map(|exit| exit.0)
}

/// Advances the engine's epoch every [`TICK`] until dropped.
pub(crate) struct Ticker {
    _stop: Option<std::sync::mpsc::Sender<()>>,
}

impl Ticker {
    /// Starts ticking `engine` (only when something needs the ticks).
    pub(crate) fn start(engine: &Engine, needed: bool) -> Ticker {
        if !needed {
            return Ticker { _stop: None };
        }
        let engine = engine.clone();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                engine.increment_epoch();
            }
        });
        Ticker { _stop: Some(stop) }
    }
}

/// One wasm frame of a trap, innermost first, as [`trap_frames`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapFrame {
    /// Its core module's name (from the name section), if it has one.
    pub module: Option<String>,
    /// The functions its core module exports (`interface#function` or `function`, as
    /// the canonical ABI names them), which tell whose code it is.
    pub exports: Vec<String>,
    /// The function's name, or `wasm function N` when the module carries no names.
    pub function: String,
    /// How many functions its core module defines.
    pub functions: usize,
}

/// The wasm frames of a trap, innermost first (empty if it has no backtrace).
pub fn trap_frames(e: &HostError) -> Vec<TrapFrame> {
    let HostError::Trap(e) = e else {
        return Vec::new();
    };
    let Some(trace) = e.downcast_ref::<wasmtime::WasmBacktrace>() else {
        return Vec::new();
    };
    trace
        .frames()
        .iter()
        .map(|frame| TrapFrame {
            module: frame.module().name().map(str::to_string),
            exports: frame
                .module()
                .exports()
                .filter(|export| matches!(export.ty(), wasmtime::ExternType::Func(_)))
                .map(|export| export.name().to_string())
                .filter(|name| !name.starts_with("cabi_") && !name.starts_with('_'))
                .collect(),
            function: match frame.func_name() {
                Some(name) => name.to_string(),
                None => format!("wasm function {}", frame.func_index()),
            },
            functions: frame.module().functions().len(),
        })
        .collect()
}
