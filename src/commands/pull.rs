//! `witpipe pull REF -o FILE`: a component from an OCI registry.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;

/// Pull a component from an OCI registry.
#[derive(clap::Args)]
pub struct Args {
    /// What to pull: `registry/repository:tag` or `…@sha256:…`.
    reference: String,
    /// Where to write the component.
    #[arg(short, long)]
    output: PathBuf,
    /// Speak plain HTTP to this registry (one on loopback, or listed in
    /// WITPIPE_INSECURE_REGISTRIES, is spoken to in plain HTTP anyway).
    #[arg(long)]
    insecure: bool,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let bytes = witpipe_oci::pull(&self.reference, self.insecure)
            .map_err(|e| report_plain(e.to_string()))?;
        witpipe_compose::emit::write_atomically(&self.output, &bytes)
            .map_err(|e| report_plain(format!("{}: {e}", self.output.display())))?;
        eprintln!(
            "pulled {} into {} ({} bytes)",
            self.reference,
            self.output.display(),
            bytes.len()
        );
        Ok(())
    }
}
