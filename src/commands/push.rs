//! `witpipe push FILE REF`: a pipeline (composed in memory) or a component to an OCI
//! registry, as a standard Wasm OCI artifact.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;

/// Push a pipeline (composed in memory) or a component to an OCI registry.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file, or a component (`.wasm`).
    file: PathBuf,
    /// Where to push: `registry/repository:tag`.
    reference: String,
    /// Speak plain HTTP (a registry on loopback without TLS).
    #[arg(long)]
    insecure: bool,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let bytes = if self.file.extension().is_some_and(|e| e == "wasm") {
            let max = witpipe_compose::load::MAX_COMPONENT_BYTES;
            witpipe_compose::load::read_at_most(&self.file, max).map_err(|e| {
                report_plain(format!(
                    "{}: cannot read the component: {e}",
                    self.file.display()
                ))
            })?
        } else {
            super::compose_pipeline(&self.file)?.bytes
        };
        let url = witpipe_oci::push(&bytes, &self.reference, self.insecure)
            .map_err(|e| report_plain(format!("{}: {e}", self.file.display())))?;
        eprintln!("pushed {} ({} bytes) to {url}", self.reference, bytes.len());
        Ok(())
    }
}
