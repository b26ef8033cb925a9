//! witpipe's embedded host: runs a composed component on wasmtime, granting exactly
//! the host contract its pipeline's policy names (defence in depth: the wrappers
//! inside the component enforce the same policy on any host).
//!
//! The flow: [`engine`] → [`cached`] or [`compile`] → [`run`], [`serve`] or [`call`].
//! This crate is the only one that compiles wasmtime; `witpipe-compose` and
//! `witpipe-policy` stay runtime-free.
#![deny(missing_docs)]

mod call;
mod engine;
#[doc(hidden)]
pub mod fuzzing;
mod keyvalue;
mod limits;
mod run;
mod serve;

pub use call::{call, callable, check_call_syntax, resolve_function, split_call};
pub use engine::{cached, compile, engine, precompile, EngineOptions};
pub use keyvalue::KeyValueStore;
pub use limits::{trap_frames, Limits, TrapFrame};
pub use run::{run, Exit};
pub use serve::{
    default_max_connections, serve, shutdown_signal, ServeOptions, ServeReport, TrapNote, TrapSite,
};
pub use wasmtime::component::{Component, Val};

/// The version of the embedded wasmtime (the workspace pins it exactly; a test checks
/// this against `Cargo.lock`).
pub const WASMTIME_VERSION: &str = "48.0.8";
pub use wasmtime::Engine;

use std::path::PathBuf;
use std::sync::Arc;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime::Store;
use wasmtime_wasi::filesystem::FsPerms;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// What the host hands the component: nothing unless named here.
#[derive(Debug, Clone, Default)]
pub struct HostGrants {
    /// Host environment variables passed in (`*` for all).
    pub env: Vec<String>,
    /// Environment variables set to these values (after `env`, so they win).
    pub env_values: Vec<(String, String)>,
    /// Arguments passed to the component (`argv[0]` first), if it may read the host's.
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
    /// `wasi:keyvalue`, served from [`KeyValueStore`].
    pub keyvalue: bool,
    /// `wasi:config/store` and its values.
    pub config: Option<Vec<(String, String)>>,
    /// Outgoing HTTP requests (`wasi:http/outgoing-handler`, `wasi:http/client`): sent
    /// by the host when granted (a composed output's http-guard has checked them
    /// already), refused with `HTTP-request-denied` otherwise.
    pub http_outgoing: bool,
}

impl HostGrants {
    /// Exactly what `contract` asks of the host. `argv` (`argv[0]` first) reaches the
    /// component only if the contract passes the host's arguments.
    pub fn from_contract(contract: &witpipe_policy::HostContract, argv: Vec<String>) -> Self {
        use witpipe_policy::Capability;
        HostGrants {
            env: contract.needs.environment.env.clone(),
            env_values: Vec::new(),
            args: contract.needs.environment.args.then_some(argv),
            stdin: contract.has(Capability::Stdin),
            stdout: contract.has(Capability::Stdout),
            stderr: contract.has(Capability::Stderr),
            dirs: contract
                .needs
                .fs
                .dirs
                .iter()
                .map(|d| (PathBuf::from(&d.host), d.guest.clone(), d.read_only))
                .collect(),
            tcp: contract.has(Capability::Tcp),
            lookup: contract.has(Capability::NameLookup),
            keyvalue: contract.has(Capability::KeyValue),
            config: contract.needs.config.values.clone(),
            http_outgoing: contract.has(Capability::HttpOutgoing),
        }
    }

    /// What a bare component (no pipeline file, so no contract) gets: its standard
    /// streams and its arguments, nothing else.
    pub fn bare(argv: Vec<String>) -> Self {
        HostGrants {
            args: Some(argv),
            stdin: true,
            stdout: true,
            stderr: true,
            ..HostGrants::default()
        }
    }

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
        for (name, value) in &grants.env_values {
            builder.env(name, value);
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
    /// The component used up its `--fuel`.
    #[error("the component used up its {0} units of fuel (--fuel) and was stopped")]
    Fuel(u64),
    /// The server could not listen on its address.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server's threads could not start.
    #[error("cannot start the server's threads: {0}")]
    Threads(std::io::Error),
    /// A request came in while the server was stopping.
    #[error("the server is stopping")]
    Stopping,
    /// A precompiled file that this engine cannot load.
    #[error("cannot load the precompiled component: {0:#}; it was compiled by another witpipe or with other settings (e.g. --fuel): compile it again with `witpipe compile` (add `--fuel` to run it with `--fuel`)")]
    Precompiled(wasmtime::Error),
}

/// Services shared by every instance of one run or server.
#[derive(Debug, Clone, Default)]
pub struct Shared {
    /// The key-value store behind `wasi:keyvalue`.
    pub keyvalue: KeyValueStore,
    /// The `wasi:config/store` values.
    pub config: Arc<Vec<(String, String)>>,
}

impl Shared {
    /// Fresh services for one run or server under `grants`.
    pub fn new(grants: &HostGrants) -> Shared {
        Shared {
            keyvalue: KeyValueStore::default(),
            config: Arc::new(grants.config.clone().unwrap_or_default()),
        }
    }
}

/// A store granting exactly `grants`, sharing `shared`, within `limits`.
fn granted_store(
    engine: &Engine,
    grants: &HostGrants,
    shared: &Shared,
    limits: &Limits,
    yield_every_tick: bool,
) -> Result<Store<Host>, HostError> {
    let mut store = Store::new(engine, Host::new(grants.builder()?, shared));
    store.data_mut().http_outgoing = grants.http_outgoing;
    limits.apply(&mut store, yield_every_tick);
    Ok(store)
}

/// A store's data: the WASI contexts and the resource table.
pub struct Host {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    limits: limits::Limiter,
    keyvalue: KeyValueStore,
    config: WasiConfigVariables,
    /// Whether outgoing HTTP requests are sent ([`HostGrants::http_outgoing`]).
    http_outgoing: bool,
    /// The hooks that refuse them when not.
    deny_outgoing: DenyOutgoing,
}

impl Host {
    /// A store's data granting exactly what `builder` grants, sharing `shared`.
    pub fn new(mut builder: WasiCtxBuilder, shared: &Shared) -> Host {
        Host {
            ctx: builder.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            limits: limits::Limiter::default(),
            keyvalue: shared.keyvalue.clone(),
            config: shared.config.iter().cloned().collect(),
            http_outgoing: true,
            deny_outgoing: DenyOutgoing,
        }
    }
}

/// HTTP hooks that refuse every outgoing request with `HTTP-request-denied`, for a
/// store whose grants do not include outgoing HTTP (a bare component: there is no
/// wrapper inside it to ask).
struct DenyOutgoing;

impl wasmtime_wasi_http::WasiHttpHooks for DenyOutgoing {
    fn send_request(
        &mut self,
        _request: http::Request<wasmtime_wasi_http::WasiBody>,
        _options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn std::future::Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> Box<
        dyn std::future::Future<
                Output = wasmtime_wasi_http::Result<(
                    http::Response<wasmtime_wasi_http::WasiBody>,
                    Box<dyn std::future::Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
                )>,
            > + Send,
    > {
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

/// A store granting exactly what `builder` grants (a fresh key-value store, no config).
pub fn store(engine: &Engine, builder: WasiCtxBuilder) -> Store<Host> {
    Store::new(engine, Host::new(builder, &Shared::default()))
}

/// A synchronous linker with WASI 0.2, WASI HTTP, `wasi:keyvalue` and `wasi:config`;
/// what a component may use is decided by the store's contexts (and, inside the
/// component, by its wrappers).
pub fn linker(engine: &Engine) -> Result<Linker<Host>, wasmtime::Error> {
    every_service(engine, false)
}

/// As [`linker`], on the concurrent host: WASI 0.2 and 0.3 (instantiate and call with
/// the `_async` methods).
pub fn concurrent_linker(engine: &Engine) -> Result<Linker<Host>, wasmtime::Error> {
    every_service(engine, true)
}

/// A linker with every host service (the store's contexts decide what is granted).
fn every_service(engine: &Engine, is_async: bool) -> Result<Linker<Host>, wasmtime::Error> {
    let everything = HostGrants {
        keyvalue: true,
        config: Some(Vec::new()),
        ..HostGrants::default()
    };
    host_linker(engine, &everything, is_async)
}

/// Whether `component` needs the concurrent host: it imports a WASI 0.3 interface
/// (whose host functions are concurrent) or exports an async function.
pub fn concurrent(engine: &Engine, component: &Component) -> bool {
    use wasmtime::component::types::ComponentItem;
    let ty = component.component_type();
    let async_func = |item: &ComponentItem| match item {
        ComponentItem::ComponentFunc(f) => f.async_(),
        ComponentItem::ComponentInstance(i) => i
            .exports(engine)
            .any(|(_, e)| matches!(e.ty, ComponentItem::ComponentFunc(f) if f.async_())),
        _ => false,
    };
    let mut imports = ty.imports(engine);
    imports.any(|(name, _)| name.starts_with("wasi:") && name.contains("@0.3."))
        || ty.exports(engine).any(|(_, item)| async_func(&item.ty))
}

/// Whether `component` exports an interface whose name starts with `prefix`
/// (`wasi:cli/run@0.3`).
fn exports_interface(engine: &Engine, component: &Component, prefix: &str) -> bool {
    let ty = component.component_type();
    let mut exports = ty.exports(engine);
    exports.any(|(name, _)| name.starts_with(prefix))
}

/// A runtime on this thread for the concurrent host's futures. One serves an
/// instance's whole life: host resources made while instantiating (I/O tasks, timers)
/// belong to the runtime that made them.
fn runtime() -> Result<tokio::runtime::Runtime, HostError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| HostError::Start(e.into()))
}

/// Runs `future` to completion on a runtime of this thread (`run` waits for the
/// whole of a command's life in one future).
fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, HostError> {
    Ok(runtime()?.block_on(future))
}

/// A linker defining WASI 0.2 and WASI HTTP (and, when `is_async`, WASI 0.3 on the
/// concurrent host), plus the host services `grants` names: an import the grants
/// leave out fails at instantiation with its name.
/// The WASI packages whose every interface the host links (the grants decide, in
/// the store, what each call may do); `wasi:keyvalue` and `wasi:config` are linked only
/// when granted.
const LINKED_PACKAGES: &[&str] = &[
    "cli",
    "clocks",
    "filesystem",
    "http",
    "io",
    "random",
    "sockets",
];

/// Whether a host granting `grants` links WASI package `package`: what both
/// [`host_linker`] and [`unserved`] go by.
fn links(grants: &HostGrants, package: &str) -> bool {
    match package {
        "keyvalue" => grants.keyvalue,
        "config" => grants.config.is_some(),
        other => LINKED_PACKAGES.contains(&other),
    }
}

/// The imports among `imports` that a host granting `grants` does not serve, so that a
/// component importing them cannot start: non-WASI interfaces, `wasi:keyvalue` and
/// `wasi:config` when not granted, and WASI packages the host does not have.
pub fn unserved<'a>(
    grants: &HostGrants,
    imports: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let served = |name: &str| {
        let Some(rest) = name.strip_prefix("wasi:") else {
            return false;
        };
        links(grants, rest.split(['/', '@']).next().unwrap_or_default())
    };
    imports
        .into_iter()
        .filter(|i| !served(i))
        .map(str::to_string)
        .collect()
}

fn host_linker(
    engine: &Engine,
    grants: &HostGrants,
    is_async: bool,
) -> Result<Linker<Host>, wasmtime::Error> {
    let mut linker = Linker::new(engine);
    if is_async {
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        // WASI 0.3 HTTP types, the handler's and the client's; as for 0.2, outgoing
        // requests leave only through a composed output's http-guard.
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
    } else {
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker)?;
    }
    if links(grants, "keyvalue") {
        keyvalue::add_to_linker(&mut linker, |h: &mut Host| keyvalue::KeyValueView {
            store: &h.keyvalue,
            table: &mut h.table,
        })?;
    }
    if links(grants, "config") {
        wasmtime_wasi_config::add_to_linker(&mut linker, |h: &mut Host| {
            WasiConfig::new(&h.config)
        })?;
    }
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
            hooks: match self.http_outgoing {
                true => wasmtime_wasi_http::default_hooks(),
                false => &mut self.deny_outgoing,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unserved_imports_are_those_the_grants_or_the_host_lack() {
        let bare = super::HostGrants::bare(Vec::new());
        let imports = [
            "wasi:cli/stdout@0.2.6",
            "wasi:http/types@0.3.0-rc-2025-09-16",
            "wasi:keyvalue/store@0.2.0-draft",
            "wasi:config/store@0.2.0-rc.1",
            "wasi:nn/inference@0.2.0",
            "acme:db/query",
        ];
        assert_eq!(super::unserved(&bare, imports), &imports[2..]);
        let granted = super::HostGrants {
            keyvalue: true,
            config: Some(Vec::new()),
            ..bare
        };
        assert_eq!(super::unserved(&granted, imports), &imports[4..]);
    }

    #[test]
    fn the_named_wasmtime_version_is_the_locked_one() {
        let lock = include_str!("../../Cargo.lock");
        let entry = format!(
            "name = \"wasmtime\"\nversion = \"{}\"\n",
            super::WASMTIME_VERSION
        );
        assert!(
            lock.contains(&entry),
            "Cargo.lock locks another wasmtime than {}",
            super::WASMTIME_VERSION
        );
    }
}
