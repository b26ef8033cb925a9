//! `witpipe migrate [CONFIG] --root ROOT.wasm [-o OUT]`: from `wasm-tools compose`.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;
use witpipe_compose::migrate::from_wasm_compose;

/// Turn a `wasm-tools compose` configuration into a witpipe pipeline file.
#[derive(clap::Args)]
pub struct Args {
    /// The wasm-compose YAML configuration (`wasm-tools compose -c`); without one, as
    /// with `wasm-tools compose`, dependencies are looked for beside the root.
    config: Option<PathBuf>,
    /// The root component (the one `wasm-tools compose` was given).
    #[arg(long)]
    root: PathBuf,
    /// Write the pipeline here (atomically) instead of printing it.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let out_dir = match &self.output {
            Some(o) => o.parent().map(PathBuf::from).unwrap_or_default(),
            None => PathBuf::from("."),
        };
        let out_dir = if out_dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            out_dir
        };
        let migrated = from_wasm_compose(self.config.as_deref(), &self.root, &out_dir)
            .map_err(|e| report_plain(format!("{e}\n  help: {}", e.help)))?;
        for note in &migrated.notes {
            eprintln!("note: {note}");
        }
        super::print_or_write(self.output.as_deref(), &migrated.yaml, |out| {
            println!(
                "wrote {}; check it with `witpipe check {}`",
                out.display(),
                out.display()
            )
        })
    }
}
