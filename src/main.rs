//! The `witpipe` command line. Each subcommand lives in `commands/`; the work lives
//! in the `witpipe-compose` and `witpipe-policy` libraries.

mod commands;
mod diagnostics;
mod runtime;

use clap::Parser;
use std::process::ExitCode;

/// Compose WebAssembly components from a declarative YAML pipeline file.
#[derive(Parser)]
#[command(name = "witpipe", version, about, propagate_version = true)]
enum Cli {
    Check(commands::check::Args),
    Compose(commands::compose::Args),
    Inspect(commands::inspect::Args),
    Graph(commands::graph::Args),
    Migrate(commands::migrate::Args),
    Run(commands::run::Args),
    Call(commands::call::Args),
    Serve(commands::serve::Args),
    Compile(commands::compile::Args),
    Deploy(commands::deploy::Args),
    Push(commands::push::PushArgs),
    Pull(commands::push::PullArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse() {
        Cli::Check(args) => args.exec().map(|()| 0),
        Cli::Compose(args) => args.exec().map(|()| 0),
        Cli::Inspect(args) => args.exec().map(|()| 0),
        Cli::Graph(args) => args.exec().map(|()| 0),
        Cli::Migrate(args) => args.exec().map(|()| 0),
        Cli::Run(args) => args.exec(),
        Cli::Call(args) => args.exec().map(|()| 0),
        Cli::Serve(args) => args.exec().map(|()| 0),
        Cli::Compile(args) => args.exec().map(|()| 0),
        Cli::Deploy(args) => args.exec().map(|()| 0),
        Cli::Push(args) => args.exec().map(|()| 0),
        Cli::Pull(args) => args.exec().map(|()| 0),
    };
    match result {
        Ok(status) => ExitCode::from(u8::try_from(status).unwrap_or(1)),
        Err(diagnostics::Reported) => ExitCode::FAILURE,
    }
}
