//! `witpipe run FILE [-- ARGS…]`: compose in memory (or read a component) and run it
//! on embedded wasmtime.

use crate::diagnostics::Reported;
use crate::runtime::RuntimeArgs;
use std::path::PathBuf;

/// Run a pipeline (composed in memory) or a component that exports `wasi:cli/run`,
/// granting exactly the pipeline's host contract.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file, or a component (`.wasm`, or `.cwasm` from `witpipe compile`).
    file: PathBuf,
    #[command(flatten)]
    runtime: RuntimeArgs,
    /// Arguments for the component (it sees them only if its grants say `args: inherit`).
    #[arg(last = true)]
    args: Vec<String>,
}

impl Args {
    /// Runs the command; the component's exit status becomes the process's.
    pub fn exec(self) -> Result<i32, Reported> {
        let target = self.runtime.load(&self.file)?;
        target.exports(&["wasi:cli/run@"])?;
        let (engine, component) = self.runtime.prepare(&target, None)?;
        let grants = target.grants(&self.args);
        witpipe_host::run(&engine, &component, &grants, self.runtime.limits())
            .map_err(|e| target.fail(e))
    }
}
