//! `witpipe cache dir|usage|clean`: the folder where compiled code, compositions and
//! pulled components are kept.

use crate::diagnostics::{report_plain, Reported};
use witpipe_compose::cache::{dir, housekeeping};

/// Show or empty witpipe's cache (compiled components, compositions, pulled
/// components). It is pruned to `WITPIPE_CACHE_MAX` (default 1G), least recently used
/// first, after each compile.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Print the cache folder (`WITPIPE_CACHE_DIR`, else the platform's cache folder).
    Dir,
    /// Print how much the cache holds, and its budget.
    Usage,
    /// Remove every entry (only files witpipe names; the folder stays).
    Clean,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let dir = dir().ok_or_else(|| {
            report_plain("no cache folder: set WITPIPE_CACHE_DIR (no home or platform cache folder was found)")
        })?;
        match self.action {
            Action::Dir => println!("{}", dir.display()),
            Action::Usage => {
                let entries = housekeeping::usage(&dir);
                let bytes: u64 = entries.iter().map(|e| e.bytes).sum();
                let budget = housekeeping::budget().map_err(report_plain)?;
                println!(
                    "{}: {} entries, {} bytes (budget {budget} bytes, WITPIPE_CACHE_MAX)",
                    dir.display(),
                    entries.len(),
                    bytes
                );
            }
            Action::Clean => {
                let removed = housekeeping::clean(&dir);
                println!(
                    "removed {} entries ({} bytes) from {}",
                    removed.files,
                    removed.bytes,
                    dir.display()
                );
            }
        }
        Ok(())
    }
}
