//! `witpipe run [OPTIONS] FILE [ARGS…]`: compose in memory (or read a component) and run it
//! on embedded wasmtime.

use crate::diagnostics::{report_plain, Reported};
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
    /// Everything after FILE is the component's, as with `wasmtime run`; witpipe's own
    /// options go before FILE. `--` still works.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

impl Args {
    /// Runs the command; the component's exit status becomes the process's. When a
    /// command pipe fails, says which stages did.
    pub fn exec(self) -> Result<i32, Reported> {
        let target = self.runtime.load(&self.file)?;
        target.exports(&["wasi:cli/run@"])?;
        let (engine, component) = self.runtime.prepare(&target, None)?;
        let grants = target.grants(&self.args);
        let exit = witpipe_host::run(
            &engine,
            &component,
            &grants,
            self.runtime.limits(crate::runtime::COMMAND_LIMITS),
        )
        .map_err(|e| target.fail(e))?;
        if !exit.failed_stages.is_empty() {
            let stages = target.report.as_ref().and_then(|r| r.command_pipe.as_ref());
            let named: Vec<String> = (exit.failed_stages.iter())
                .map(|&k| stage_name(stages.map(|c| c.stages.as_slice()), k))
                .collect();
            let them = match named.len() {
                1 => "stage",
                _ => "stages",
            };
            // Said as any error is; the exit status is still the pipeline's.
            let _ = report_plain(format!(
                "{}: the command pipe failed (exit status {}, as with `set -o pipefail`): {them} {} returned an error",
                self.file.display(),
                exit.status,
                named.join(", "),
            ));
        }
        Ok(exit.status)
    }
}

/// A failed stage by name and position (0-based `k`), or by position alone when the
/// pipeline's stages are not known (a component run without its pipeline file).
fn stage_name(stages: Option<&[String]>, k: u32) -> String {
    match stages {
        Some(names) => {
            let name = names.get(k as usize).map_or("?", String::as_str);
            format!("`{name}` ({} of {})", k + 1, names.len())
        }
        None => format!("{}", k + 1),
    }
}
