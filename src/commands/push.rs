//! `witpipe push FILE REF` and `witpipe pull REF -o FILE`: components to and from OCI
//! registries, as standard Wasm OCI artifacts.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;

/// Push a pipeline (composed in memory) or a component to an OCI registry.
#[derive(clap::Args)]
pub struct PushArgs {
    /// The pipeline file, or a component (`.wasm`).
    file: PathBuf,
    /// Where to push: `registry/repository:tag`.
    reference: String,
    /// Speak plain HTTP (a registry on loopback without TLS).
    #[arg(long)]
    insecure: bool,
}

/// Pull a component from an OCI registry.
#[derive(clap::Args)]
pub struct PullArgs {
    /// What to pull: `registry/repository:tag` or `…@sha256:…`.
    reference: String,
    /// Where to write the component.
    #[arg(short, long)]
    output: PathBuf,
    /// Speak plain HTTP (a registry on loopback without TLS).
    #[arg(long)]
    insecure: bool,
}

impl PushArgs {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let bytes = if self.file.extension().is_some_and(|e| e == "wasm") {
            std::fs::read(&self.file).map_err(|e| {
                report_plain(format!(
                    "{}: cannot read the component: {e}",
                    self.file.display()
                ))
            })?
        } else {
            super::compose_pipeline(&self.file)?.bytes
        };
        let url = witpipe_deploy::push(&bytes, &self.reference, self.insecure)
            .map_err(|e| report_plain(format!("{}: {e}", self.file.display())))?;
        eprintln!("pushed {} ({} bytes) to {url}", self.reference, bytes.len());
        Ok(())
    }
}

impl PullArgs {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let bytes = witpipe_deploy::pull(&self.reference, self.insecure)
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
