//! `run`: a component that exports `wasi:cli/run` (WASI 0.2 or 0.3), to completion.

use crate::limits::{exit_status, Ticker};
use crate::{block_on, concurrent, granted_store, host_linker, HostError, HostGrants, Limits};
use crate::{exports_interface, Host, Shared};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// Runs a component that exports `wasi:cli/run`; returns its exit status (0 for
/// success, 1 for `run` returning an error, or the status it exited with).
/// `engine` must come from [`crate::engine`] (it relies on epoch interruption).
/// A component that needs WASI 0.3 or async calls ([`concurrent`]) runs on the
/// concurrent host, with the same grants and limits.
pub fn run(
    engine: &Engine,
    component: &Component,
    grants: &HostGrants,
    limits: Limits,
) -> Result<i32, HostError> {
    let is_async = concurrent(engine, component);
    let linker = host_linker(engine, grants, is_async).map_err(HostError::Start)?;
    let mut store = granted_store(engine, grants, &Shared::new(grants), &limits, false)?;
    let _ticker = Ticker::start(engine, limits.timeout.is_some());
    let ended = match is_async {
        false => run_sync(&mut store, component, &linker)?,
        true => block_on(run_async(&mut store, engine, component, &linker))??,
    };
    match ended {
        Ok(Ok(())) => Ok(0),
        Ok(Err(())) => Ok(1),
        Err(e) => match exit_status(&e) {
            Some(status) => Ok(status),
            None => Err(limits.classify(e)),
        },
    }
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
async fn run_async(
    store: &mut Store<Host>,
    engine: &Engine,
    component: &Component,
    linker: &Linker<Host>,
) -> Result<Ended, HostError> {
    if exports_interface(engine, component, "wasi:cli/run@0.3") {
        use wasmtime_wasi::p3::bindings::Command;
        let command = Command::instantiate_async(&mut *store, component, linker)
            .await
            .map_err(HostError::Start)?;
        let ended = store
            .run_concurrent(async move |a| command.wasi_cli_run().call_run(a).await)
            .await;
        Ok(ended.and_then(|r| r))
    } else {
        use wasmtime_wasi::p2::bindings::Command;
        let command = Command::instantiate_async(&mut *store, component, linker)
            .await
            .map_err(HostError::Start)?;
        Ok(command.wasi_cli_run().call_run(store).await)
    }
}
