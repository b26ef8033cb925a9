//! One file per subcommand: an `Args` struct and its `exec`.

pub mod call;
pub mod check;
pub mod compile;
pub mod compose;
pub mod deploy;
pub mod graph;
pub mod inspect;
pub mod migrate;
pub mod push;
pub mod run;
pub mod serve;

use crate::diagnostics::{report_failure, report_warnings, Reported};
use std::path::Path;
use witpipe_compose::{Composition, Pipeline};

/// Prints `text` to standard output, or writes it whole to `output` and says so with
/// `wrote` (given the path). Errors name the file.
pub fn print_or_write(
    output: Option<&Path>,
    text: &str,
    wrote: impl FnOnce(&Path),
) -> Result<(), Reported> {
    match output {
        None => print!("{text}"),
        Some(out) => {
            witpipe_compose::emit::write_atomically(out, text.as_bytes())
                .map_err(|e| crate::diagnostics::report_plain(format!("{e}")))?;
            wrote(out);
        }
    }
    Ok(())
}

/// Pulls (and caches) components a pipeline names by OCI reference.
pub fn fetcher() -> witpipe_deploy::Fetcher {
    witpipe_deploy::Fetcher {
        on_pull: |line| eprintln!("witpipe: {line}"),
    }
}

/// Loads and composes a pipeline in memory, printing problems as it goes.
pub fn compose_pipeline(path: &Path) -> Result<Composition, Reported> {
    let composition = Pipeline::open_with(path, &fetcher())
        .and_then(Pipeline::compose)
        .map_err(|f| report_failure(&f))?;
    let p = &composition.pipeline;
    report_warnings(
        &p.path().display().to_string(),
        p.source(),
        &composition.warnings,
    );
    Ok(composition)
}
