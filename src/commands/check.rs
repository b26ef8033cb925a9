//! `witpipe check FILE`: everything but writing.

use crate::diagnostics::Reported;
use std::path::PathBuf;

/// Check a pipeline: load, link, type-check and compose in memory; write nothing.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let composition = super::compose_pipeline(&self.file)?;
        print!("{}", composition.report());
        let out = composition.pipeline.default_output();
        println!(
            "stock wasmtime equivalent (after `witpipe compose`): {}",
            composition
                .contract
                .wasmtime_command(&out.display().to_string())
        );
        println!(
            "ok: {} composes ({} bytes)",
            self.file.display(),
            composition.bytes.len()
        );
        Ok(())
    }
}
