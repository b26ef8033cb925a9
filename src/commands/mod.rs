//! One file per subcommand: an `Args` struct and its `exec`.

pub mod cache;
#[cfg(feature = "run")]
pub mod call;
pub mod check;
#[cfg(feature = "run")]
pub mod compile;
pub mod completion;
pub mod compose;
#[cfg(feature = "deploy")]
pub mod deploy;
pub mod graph;
pub mod inspect;
pub mod layer;
#[cfg(feature = "migrate")]
pub mod migrate;
#[cfg(feature = "oci")]
pub mod pull;
#[cfg(feature = "oci")]
pub mod push;
#[cfg(feature = "run")]
pub mod run;
#[cfg(feature = "run")]
pub mod serve;
pub mod verify;

use crate::diagnostics::{report_failure, report_warnings, Reported};
use std::path::Path;
use witpipe_compose::{Composition, Failure, Pipeline};

/// Prints `text` to standard output, or writes it whole to `output` and says so with
/// `wrote` (given the path). Errors name the file.
#[cfg(any(feature = "migrate", feature = "deploy"))]
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
#[cfg(feature = "oci")]
pub fn fetcher() -> witpipe_oci::Fetcher {
    witpipe_oci::Fetcher {
        on_pull: |line| eprintln!("witpipe: {line}"),
        limits: witpipe_oci::Limits::default(),
    }
}

/// A build without the `oci` feature names no registry: it says how to get one that does.
#[cfg(not(feature = "oci"))]
pub fn fetcher() -> NoRegistry {
    NoRegistry
}

/// The fetcher of a build without the `oci` feature.
#[cfg(not(feature = "oci"))]
pub struct NoRegistry;

#[cfg(not(feature = "oci"))]
impl witpipe_compose::load::Fetch for NoRegistry {
    fn fetch(&self, _reference: &str) -> Result<std::path::PathBuf, String> {
        Err("this witpipe was built without registry support (the lean composer, `--no-default-features`); pull the component with a full witpipe (`witpipe pull REF -o FILE`) and name the file, or build witpipe with `--features oci`".into())
    }
}

/// Loads and composes a pipeline in memory (pulling `oci://` components).
pub fn open_and_compose(path: &Path) -> Result<Composition, Failure> {
    Pipeline::open_with(path, &fetcher()).and_then(Pipeline::compose)
}

/// [`open_and_compose`], printing problems as it goes.
pub fn compose_pipeline(path: &Path) -> Result<Composition, Reported> {
    let composition = open_and_compose(path).map_err(|f| report_failure(&f))?;
    let p = &composition.pipeline;
    report_warnings(
        &p.path().display().to_string(),
        p.source(),
        &composition.warnings,
    );
    Ok(composition)
}
