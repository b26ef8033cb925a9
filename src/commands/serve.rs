//! `witpipe serve FILE --listen ADDR`: serve a pipeline's `wasi:http/incoming-handler` (or
//! `wasi:http/handler` at WASI 0.3).

use crate::diagnostics::Reported;
use crate::runtime::RuntimeArgs;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Serve HTTP with a pipeline (composed in memory) or a component that exports
/// `wasi:http/incoming-handler` (or, WASI 0.3, `wasi:http/handler`): a fresh instance
/// per request, many at once, stopped
/// cleanly by Ctrl-C or SIGTERM.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file, or a component (`.wasm`, `.cwasm`).
    file: PathBuf,
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, visible_alias = "addr", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Requests served at once; instance slots for them are reserved up front.
    #[arg(long, default_value_t = 256)]
    max_instances: u32,
    /// Seconds that shutdown waits for requests in flight.
    #[arg(long, default_value_t = 10.0)]
    drain: f64,
    /// Connections open at once; at the limit a new one closes the connection idle
    /// longest. Default: the open-file limit less 64.
    #[arg(long)]
    max_connections: Option<usize>,
    /// Seconds a connection may go without a request in progress (headers not yet
    /// complete, or idle between keep-alive requests) before it is closed.
    #[arg(long, default_value_t = 10.0)]
    idle_timeout: f64,
    #[command(flatten)]
    runtime: RuntimeArgs,
}

impl Args {
    /// Runs the server until it is told to stop.
    pub fn exec(self) -> Result<(), Reported> {
        let target = self.runtime.load(&self.file)?;
        target.exports(&["wasi:http/incoming-handler@", "wasi:http/handler@0.3"])?;
        let (engine, component) = self.runtime.prepare(&target, Some(self.max_instances))?;
        let grants = target.grants(&[]);
        let options = witpipe_host::ServeOptions {
            listen: self.listen,
            limits: self.runtime.limits(crate::runtime::SERVE_LIMITS),
            drain: Duration::try_from_secs_f64(self.drain).unwrap_or(Duration::from_secs(10)),
            max_instances: self.max_instances,
            max_connections: self
                .max_connections
                .unwrap_or_else(witpipe_host::default_max_connections),
            idle_timeout: Duration::try_from_secs_f64(self.idle_timeout)
                .unwrap_or(Duration::from_secs(10)),
            trap_site: target.report.clone().map(|report| {
                let verbose = target.verbose;
                std::sync::Arc::new(move |e: &witpipe_host::HostError| {
                    crate::runtime::trap_note(&report, e, verbose)
                }) as witpipe_host::TrapSite
            }),
        };
        let report = witpipe_host::serve(
            &engine,
            &component,
            &grants,
            &options,
            |addr| {
                // Scripts wait for this line: keep its shape.
                eprintln!("witpipe serve: listening on http://{addr}/");
            },
            witpipe_host::shutdown_signal(),
        )
        .map_err(|e| target.fail(e))?;
        eprintln!(
            "witpipe serve: stopped after {} requests ({} failed)",
            report.answered + report.failed,
            report.failed
        );
        Ok(())
    }
}
