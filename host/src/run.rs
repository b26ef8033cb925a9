//! `run`: a component that exports `wasi:cli/run`, to completion.

use crate::limits::{exit_status, Ticker};
use crate::{granted_store, host_linker, HostError, HostGrants, Limits, Shared};
use wasmtime::component::Component;
use wasmtime::Engine;
use wasmtime_wasi::p2::bindings::sync::Command;

/// Runs a component that exports `wasi:cli/run`; returns its exit status (0 for
/// success, 1 for `run` returning an error, or the status it exited with).
/// `engine` must come from [`crate::engine`] (it relies on epoch interruption).
pub fn run(
    engine: &Engine,
    component: &Component,
    grants: &HostGrants,
    limits: Limits,
) -> Result<i32, HostError> {
    let linker = host_linker(engine, grants, false).map_err(HostError::Start)?;
    let mut store = granted_store(engine, grants, &Shared::new(grants), &limits, false)?;
    let _ticker = Ticker::start(engine, limits.timeout.is_some());
    let command = Command::instantiate(&mut store, component, &linker).map_err(HostError::Start)?;
    match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => Ok(0),
        Ok(Err(())) => Ok(1),
        Err(e) => match exit_status(&e) {
            Some(status) => Ok(status),
            None => Err(limits.classify(e)),
        },
    }
}
