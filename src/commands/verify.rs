//! `witpipe verify OUT.wasm [PIPELINE]`: the policy an output carries agrees with the
//! output, and (given the pipeline) composing again gives the same bytes.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;
use witpipe_compose::cache::sha256_hex;
use witpipe_compose::policy_section::{check_against, PolicySection};

/// Check an output: its `witpipe-policy` section names exactly its imports and
/// exports, and with the pipeline file, composing it again gives the same bytes.
#[derive(clap::Args)]
pub struct Args {
    /// The composed output (`.wasm`).
    output: PathBuf,
    /// The pipeline file it was composed from: compose it again and compare.
    pipeline: Option<PathBuf>,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let name = self.output.display().to_string();
        let max = witpipe_compose::load::MAX_COMPONENT_BYTES;
        let bytes = witpipe_compose::load::read_at_most(&self.output, max)
            .map_err(|e| report_plain(format!("cannot read {name}: {e}")))?;
        let section = PolicySection::read(&bytes)
            .map_err(|e| report_plain(format!("{name} does not verify: {e}")))?;
        let problems = check_against(&section, &bytes);
        if !problems.is_empty() {
            for p in &problems {
                eprintln!("  {p}");
            }
            return Err(report_plain(format!(
                "{name} does not verify: its policy section and its imports or exports disagree ({} problem{}); the output was changed after composing, or its section was",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            )));
        }
        let mut said = format!(
            "ok: {name} carries its policy ({} components, {} imports for the host), and its imports and exports agree with it",
            section.components.len(),
            section.contract.imports.len()
        );
        if let Some(pipeline) = &self.pipeline {
            let again = super::compose_pipeline(pipeline)?;
            if again.bytes != bytes {
                let theirs = PolicySection::read(&again.bytes).ok();
                let part = if theirs.as_ref() != Some(&section) {
                    "its policy section differs from the one the pipeline gives"
                } else {
                    "its components differ (the policy section is the same)"
                };
                return Err(report_plain(format!(
                    "{name} does not verify: composing {} again gives other bytes (sha256 {} here, {} now): {part}; the output, the pipeline file or a component changed since, or another witpipe composed it (this is {}, the output says {})",
                    pipeline.display(),
                    sha256_hex(&bytes),
                    sha256_hex(&again.bytes),
                    env!("CARGO_PKG_VERSION"),
                    section.witpipe
                )));
            }
            said.push_str(&format!(
                ", and composing {} again gives the same bytes (sha256 {})",
                pipeline.display(),
                sha256_hex(&bytes)
            ));
        }
        println!("{said}");
        Ok(())
    }
}
