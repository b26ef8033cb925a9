//! `witpipe compile FILE -o OUT.cwasm`: ahead-of-time compilation.

use crate::diagnostics::{report_plain, Reported};
use crate::runtime::LoadArgs;
use std::path::PathBuf;

/// Compile a pipeline (composed in memory) or a component to machine code for this
/// machine and this witpipe; `run`, `serve` and `call` start it without compiling.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file, or a component (`.wasm`).
    file: PathBuf,
    /// Where to write the precompiled component.
    #[arg(short, long, value_name = "OUT.cwasm")]
    output: PathBuf,
    /// Compile in fuel metering, for `run`, `serve` and `call --fuel` (code compiled
    /// with it runs only with `--fuel`, code without it only without).
    #[arg(long)]
    fuel: bool,
    #[command(flatten)]
    load: LoadArgs,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let input = [(self.file.as_path(), "the file being compiled".to_string())];
        witpipe_compose::emit::refuse_inputs(&self.output, input)
            .map_err(|e| report_plain(format!("{}: {e}", self.output.display())))?;
        let target = self.load.load(&self.file)?;
        let engine = self.load.engine(&target, None, self.fuel)?;
        let code = witpipe_host::precompile(&engine, &target.bytes).map_err(|e| target.fail(e))?;
        witpipe_compose::emit::write_atomically(&self.output, &code)
            .map_err(|e| report_plain(format!("{}: {e}", self.output.display())))?;
        eprintln!(
            "wrote {} ({} bytes of machine code; it runs only on this kind of machine, with this witpipe)",
            self.output.display(),
            code.len()
        );
        Ok(())
    }
}
