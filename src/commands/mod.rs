//! One file per subcommand: an `Args` struct and its `exec`.

pub mod check;
pub mod compose;
pub mod graph;
pub mod inspect;
pub mod migrate;
pub mod run;

use crate::diagnostics::{report_failure, report_warnings, Reported};
use std::path::Path;
use witpipe_compose::{Composition, Pipeline};

/// Loads and composes a pipeline in memory, printing problems as it goes.
pub fn compose_pipeline(path: &Path) -> Result<Composition, Reported> {
    let composition = Pipeline::open(path)
        .and_then(Pipeline::compose)
        .map_err(|f| report_failure(&f))?;
    let p = &composition.pipeline;
    report_warnings(
        &p.path.display().to_string(),
        &p.source,
        &composition.warnings,
    );
    Ok(composition)
}
