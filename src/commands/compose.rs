//! `witpipe compose FILE [-o OUT]`: write the composed component.

use crate::diagnostics::{report_failure, Reported};
use std::path::PathBuf;

/// Compose a pipeline into one component and write it atomically.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
    /// Where to write the component [default: `<name>.wasm` next to the pipeline file].
    #[arg(short, long)]
    output: Option<PathBuf>,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let composition = super::compose_pipeline(&self.file)?;
        let out = self
            .output
            .unwrap_or_else(|| composition.pipeline.default_output());
        let written = composition
            .pipeline
            .refuse_as_output(&out)
            .and_then(|()| witpipe_compose::emit::write_atomically(&out, &composition.bytes));
        if let Err(e) = written {
            return Err(report_failure(&composition.pipeline.failure(vec![e])));
        }
        let p = &composition.pipeline;
        println!(
            "wrote {} ({} bytes): {} instances, {} links, {} exports, {} imports left for the host",
            out.display(),
            composition.bytes.len(),
            p.spec().components.len(),
            p.links().links.len(),
            p.links().exports.len(),
            composition.contract.imports.len()
        );
        // The process ends next: freeing the graph, types and bytes one allocation at
        // a time would only cost time (~2% of composing a 300-stage chain).
        std::mem::forget(composition);
        Ok(())
    }
}
