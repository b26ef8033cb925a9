//! witpipe's embedded host: runs a composed component on wasmtime, granting exactly
//! the host contract its pipeline's policy names (defence in depth: the wrappers
//! inside the component enforce the same policy on any host).
//!
//! This crate is the only one that compiles wasmtime; `witpipe-compose` and
//! `witpipe-policy` stay runtime-free.
#![deny(missing_docs)]

mod call;

pub use call::{call, callable};
pub use wasmtime::component::Val;

use std::path::PathBuf;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder, Trap};
use wasmtime_wasi::filesystem::FsPerms;
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::{I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// What the host hands the component: nothing unless named here.
#[derive(Debug, Clone, Default)]
pub struct HostGrants {
    /// Host environment variables passed in (`*` for all).
    pub env: Vec<String>,
    /// Arguments passed to the component (argv[0] first), if it may read the host's.
    pub args: Option<Vec<String>>,
    /// Inherit stdin, stdout, stderr.
    pub stdin: bool,
    /// See `stdin`.
    pub stdout: bool,
    /// See `stdin`.
    pub stderr: bool,
    /// Directories to preopen: host path, guest path, read-only.
    pub dirs: Vec<(PathBuf, String, bool)>,
    /// TCP (the component's own wrapper narrows it to its rules).
    pub tcp: bool,
    /// Name lookup.
    pub lookup: bool,
}

impl HostGrants {
    /// A WASI context builder granting exactly these grants.
    pub fn builder(&self) -> Result<WasiCtxBuilder, HostError> {
        let grants = self;
        let mut builder = WasiCtx::builder();
        if grants.env.iter().any(|e| e == "*") {
            builder.inherit_env();
        } else {
            for name in &grants.env {
                if let Ok(value) = std::env::var(name) {
                    builder.env(name, value);
                }
            }
        }
        if let Some(args) = &grants.args {
            builder.args(args);
        }
        if grants.stdin {
            builder.inherit_stdin();
        }
        if grants.stdout {
            builder.inherit_stdout();
        }
        if grants.stderr {
            builder.inherit_stderr();
        }
        for (host, guest, read_only) in &grants.dirs {
            let perms = if *read_only {
                FsPerms::ReadOnly
            } else {
                FsPerms::ReadWrite
            };
            builder
                .preopened_dir(host, guest, perms)
                .map_err(|source| HostError::Dir {
                    path: host.clone(),
                    source,
                })?;
        }
        if grants.tcp {
            builder.inherit_network().allow_tcp(true);
        }
        builder.allow_ip_name_lookup(grants.lookup);
        Ok(builder)
    }
}

/// Resource limits for one run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Wall-clock time the component may run for.
    pub timeout: Option<std::time::Duration>,
    /// Bytes of linear memory the component's instances may hold in total.
    pub max_memory: Option<usize>,
}

/// What can go wrong while running.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The component does not load, or needs an import the host does not grant.
    #[error("cannot start the component: {0:#}")]
    Start(wasmtime::Error),
    /// A granted directory could not be opened.
    #[error("cannot preopen {}: {source:#}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: wasmtime::Error,
    },
    /// The component trapped.
    #[error("the component trapped: {0:#}")]
    Trap(wasmtime::Error),
    /// A call that cannot be made as written.
    #[error("{0}")]
    Call(String),
    /// The component ran past `--timeout`.
    #[error("the component ran longer than the {0:?} timeout and was stopped")]
    Timeout(std::time::Duration),
    /// The component asked for more memory than `--max-memory`.
    #[error("the component needed more than the {0} bytes of memory it may use (--max-memory) and was stopped")]
    Memory(usize),
}

/// A store's data: the WASI contexts and the resource table.
pub struct Host {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    limits: StoreLimits,
}

/// A store granting exactly what `builder` grants.
pub fn store(engine: &Engine, mut builder: WasiCtxBuilder) -> Store<Host> {
    Store::new(
        engine,
        Host {
            ctx: builder.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            limits: StoreLimits::default(),
        },
    )
}

/// A linker with WASI 0.2 and WASI HTTP; what a component may use is decided by the
/// store's contexts (and, inside the component, by its wrappers).
pub fn linker(engine: &Engine) -> Result<Linker<Host>, wasmtime::Error> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker)?;
    Ok(linker)
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for Host {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: wasmtime_wasi_http::default_hooks(),
        }
    }
}

/// Runs a component that exports `wasi:cli/run`; returns its exit status (0 for
/// success, 1 for `run` returning an error, or the status it exited with).
pub fn run(bytes: &[u8], grants: &HostGrants, limits: Limits) -> Result<i32, HostError> {
    let mut config = Config::new();
    config.epoch_interruption(limits.timeout.is_some());
    let engine = Engine::new(&config).map_err(HostError::Start)?;
    let component = Component::new(&engine, bytes).map_err(HostError::Start)?;
    let linker = linker(&engine).map_err(HostError::Start)?;
    let builder = grants.builder()?;
    let mut store = store(&engine, builder);
    if let Some(max) = limits.max_memory {
        store.data_mut().limits = StoreLimitsBuilder::new()
            .memory_size(max)
            .trap_on_grow_failure(true)
            .build();
        store.limiter(|host| &mut host.limits);
    }
    // One tick per timeout: the component is interrupted at the first tick.
    let _ticker = limits.timeout.map(|timeout| {
        store.set_epoch_deadline(1);
        let engine = engine.clone();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if stopped.recv_timeout(timeout).is_err() {
                engine.increment_epoch();
            }
        });
        stop
    });
    let command =
        Command::instantiate(&mut store, &component, &linker).map_err(HostError::Start)?;
    match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => Ok(0),
        Ok(Err(())) => Ok(1),
        Err(e) => match (e.downcast_ref::<I32Exit>(), e.downcast_ref::<Trap>()) {
            (Some(exit), _) => Ok(exit.0),
            (None, Some(Trap::Interrupt)) => {
                Err(HostError::Timeout(limits.timeout.unwrap_or_default()))
            }
            (None, _)
                if limits.max_memory.is_some()
                    && format!("{e:#}").contains("forcing trap when growing memory") =>
            {
                Err(HostError::Memory(limits.max_memory.unwrap_or_default()))
            }
            _ => Err(HostError::Trap(e)),
        },
    }
}
