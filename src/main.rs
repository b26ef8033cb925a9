//! The `witpipe` command line. Each subcommand lives in `commands/`; the work lives
//! in the `witpipe-compose` and `witpipe-policy` libraries.
//!
//! Cargo features choose what the executable carries: `run` (the embedded wasmtime:
//! `run`, `call`, `serve`, `compile`), `oci` (`push`, `pull`, `oci://` references),
//! `deploy` (manifests, `--apply`) and `migrate` (`wasm-tools compose` configurations).
//! All are on by default; `--no-default-features` builds the lean composer (`check`,
//! `compose`, `inspect`, `graph`) for build machines and CI.

mod commands;
mod diagnostics;
#[cfg(feature = "run")]
mod runtime;

use clap::Parser;
use std::process::ExitCode;

/// `witpipe --version`: the release, the commit, and the embedded wasmtime.
fn version() -> &'static str {
    let runtime = if cfg!(feature = "run") {
        runtime_version()
    } else {
        "no embedded wasmtime".into()
    };
    let text = format!(
        "{} (commit {}, {runtime})",
        env!("CARGO_PKG_VERSION"),
        env!("WITPIPE_COMMIT")
    );
    Box::leak(text.into_boxed_str())
}

#[cfg(feature = "run")]
fn runtime_version() -> String {
    format!("wasmtime {}", witpipe_host::WASMTIME_VERSION)
}

#[cfg(not(feature = "run"))]
fn runtime_version() -> String {
    String::new()
}

/// Compose WebAssembly components from a declarative YAML pipeline file.
#[derive(Parser)]
#[command(name = "witpipe", version = version(), about, propagate_version = true)]
enum Cli {
    Check(commands::check::Args),
    Compose(commands::compose::Args),
    Inspect(commands::inspect::Args),
    Graph(commands::graph::Args),
    Layer(commands::layer::Args),
    Verify(commands::verify::Args),
    #[cfg(feature = "migrate")]
    Migrate(commands::migrate::Args),
    Completion(commands::completion::Args),
    Cache(commands::cache::Args),
    #[cfg(feature = "run")]
    Run(commands::run::Args),
    #[cfg(feature = "run")]
    Call(commands::call::Args),
    #[cfg(feature = "run")]
    Serve(commands::serve::Args),
    #[cfg(feature = "run")]
    Compile(commands::compile::Args),
    #[cfg(feature = "deploy")]
    Deploy(commands::deploy::Args),
    #[cfg(feature = "oci")]
    Push(commands::push::Args),
    #[cfg(feature = "oci")]
    Pull(commands::pull::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse() {
        Cli::Check(args) => args.exec().map(|()| 0),
        Cli::Compose(args) => args.exec().map(|()| 0),
        Cli::Inspect(args) => args.exec().map(|()| 0),
        Cli::Graph(args) => args.exec().map(|()| 0),
        Cli::Layer(args) => args.exec().map(|()| 0),
        Cli::Verify(args) => args.exec().map(|()| 0),
        #[cfg(feature = "migrate")]
        Cli::Migrate(args) => args.exec().map(|()| 0),
        Cli::Completion(args) => args.exec().map(|()| 0),
        Cli::Cache(args) => args.exec().map(|()| 0),
        #[cfg(feature = "run")]
        Cli::Run(args) => args.exec(),
        #[cfg(feature = "run")]
        Cli::Call(args) => args.exec().map(|()| 0),
        #[cfg(feature = "run")]
        Cli::Serve(args) => args.exec().map(|()| 0),
        #[cfg(feature = "run")]
        Cli::Compile(args) => args.exec().map(|()| 0),
        #[cfg(feature = "deploy")]
        Cli::Deploy(args) => args.exec().map(|()| 0),
        #[cfg(feature = "oci")]
        Cli::Push(args) => args.exec().map(|()| 0),
        #[cfg(feature = "oci")]
        Cli::Pull(args) => args.exec().map(|()| 0),
    };
    match result {
        Ok(status) => ExitCode::from(u8::try_from(status).unwrap_or(1)),
        Err(diagnostics::Reported) => ExitCode::FAILURE,
    }
}
