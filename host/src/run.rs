//! `run`: a component that exports `wasi:cli/run` (WASI 0.2 or 0.3), to completion.

use crate::limits::{bounded, exit_status, Ticker};
use crate::{block_on, concurrent, granted_store, host_linker, HostError, HostGrants, Limits};
use crate::{exports_interface, Host, Shared};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// How a run ended: the exit status, and for a command pipe whose `run` returned an
/// error, which stages failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    /// 0 for success, 1 for `run` returning an error, or the status it exited with.
    pub status: i32,
    /// For a command pipe that returned an error: the positions in the pipe (0 is the
    /// first stage) of the stages whose `run` returned one, read from the output's
    /// `witpipe:joint/status` export. Empty otherwise.
    pub failed_stages: Vec<u32>,
}

/// Runs a component that exports `wasi:cli/run` to completion and says how it ended.
/// `engine` must come from [`crate::engine`] (it relies on epoch interruption).
/// A component that needs WASI 0.3 or async calls ([`concurrent`]) runs on the
/// concurrent host, with the same grants and limits.
pub fn run(
    engine: &Engine,
    component: &Component,
    grants: &HostGrants,
    limits: Limits,
) -> Result<Exit, HostError> {
    started(engine, component, grants, limits).map_err(|e| limits.at_start(e))
}

/// [`run`], with errors as they come.
fn started(
    engine: &Engine,
    component: &Component,
    grants: &HostGrants,
    limits: Limits,
) -> Result<Exit, HostError> {
    let is_async = concurrent(engine, component);
    let linker = host_linker(engine, grants, is_async).map_err(HostError::Start)?;
    let mut store = granted_store(engine, grants, &Shared::new(grants), &limits, false)?;
    let _ticker = Ticker::start(engine, limits.timeout.is_some());
    let (ended, failed_stages) = match is_async {
        false => (run_sync(&mut store, component, &linker)?, Vec::new()),
        true => block_on(run_async(
            &mut store,
            engine,
            component,
            &linker,
            limits.timeout,
        ))??,
    };
    let status = match ended {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => match exit_status(&e) {
            Some(status) => status,
            None => return Err(limits.classify(e)),
        },
    };
    Ok(Exit {
        status,
        failed_stages,
    })
}

/// What `run` returned, or what stopped it.
type Ended = Result<Result<(), ()>, wasmtime::Error>;

/// WASI 0.2 on the synchronous host.
fn run_sync(
    store: &mut Store<Host>,
    component: &Component,
    linker: &Linker<Host>,
) -> Result<Ended, HostError> {
    use wasmtime_wasi::p2::bindings::sync::Command;
    let command = Command::instantiate(&mut *store, component, linker).map_err(HostError::Start)?;
    Ok(command.wasi_cli_run().call_run(store))
}

/// On the concurrent host: `wasi:cli/run@0.3` (an async function, run until it and
/// every task it left behind are done), or `@0.2` from a component that needs 0.3.
/// A 0.3 command pipe that returned an error is asked which stages failed.
async fn run_async(
    store: &mut Store<Host>,
    engine: &Engine,
    component: &Component,
    linker: &Linker<Host>,
    timeout: Option<std::time::Duration>,
) -> Result<(Ended, Vec<u32>), HostError> {
    if exports_interface(engine, component, "wasi:cli/run@0.3") {
        use wasmtime_wasi::p3::bindings::Command;
        let instance = linker
            .instantiate_async(&mut *store, component)
            .await
            .map_err(HostError::Start)?;
        let command = Command::new(&mut *store, &instance).map_err(HostError::Start)?;
        // Bounded by the wall clock too: a stage waiting on the host runs no wasm.
        let running = store.run_concurrent(async move |a| command.wasi_cli_run().call_run(a).await);
        let ended = bounded(timeout, running).await.and_then(|r| r);
        let failed = match ended {
            Ok(Err(())) => failed_stages(store, &instance).await,
            _ => Vec::new(),
        };
        Ok((ended, failed))
    } else {
        use wasmtime_wasi::p2::bindings::Command;
        let command = Command::instantiate_async(&mut *store, component, linker)
            .await
            .map_err(HostError::Start)?;
        let running = command.wasi_cli_run().call_run(store);
        Ok((bounded(timeout, running).await, Vec::new()))
    }
}

/// What a command pipe's `witpipe:joint/status` reports (see `policy/wit/p3`).
#[derive(wasmtime::component::ComponentType, wasmtime::component::Lift)]
#[component(record)]
struct Stages {
    #[allow(dead_code)]
    stages: u32,
    failed: Vec<u32>,
}

/// The positions of the stages a command pipe reports failed; none when the component
/// is not one (no `witpipe:joint/status` export) or the report cannot be read.
async fn failed_stages(
    store: &mut Store<Host>,
    instance: &wasmtime::component::Instance,
) -> Vec<u32> {
    let report = instance
        .get_export_index(&mut *store, None, "witpipe:joint/status@0.1.0")
        .and_then(|status| instance.get_export_index(&mut *store, Some(&status), "report"))
        .and_then(|f| {
            instance
                .get_typed_func::<(), (Stages,)>(&mut *store, &f)
                .ok()
        });
    match report {
        Some(f) => match f.call_async(&mut *store, ()).await {
            Ok((stages,)) => stages.failed,
            Err(_) => Vec::new(),
        },
        None => Vec::new(),
    }
}
