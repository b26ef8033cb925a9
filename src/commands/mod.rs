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
pub mod runtime;
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
        &p.path.display().to_string(),
        &p.source,
        &composition.warnings,
    );
    Ok(composition)
}

/// What the embedded host grants a composed pipeline: exactly its host contract.
/// `args` (argv[0] first) reach the component only if its grants inherit them.
pub fn host_grants(
    summary: &witpipe_compose::Summary,
    args: Vec<String>,
) -> witpipe_host::HostGrants {
    let imports = |prefix: &str| summary.imports.iter().any(|(n, _)| n.starts_with(prefix));
    witpipe_host::HostGrants {
        env: summary.host_env.clone(),
        args: summary.host_args.then_some(args),
        stdin: imports("wasi:cli/stdin@"),
        stdout: imports("wasi:cli/stdout@"),
        stderr: imports("wasi:cli/stderr@"),
        dirs: summary
            .host_dirs
            .iter()
            .map(|(host, guest, ro)| (std::path::PathBuf::from(host), guest.clone(), *ro))
            .collect(),
        tcp: imports("wasi:sockets/tcp"),
        lookup: imports("wasi:sockets/ip-name-lookup"),
        keyvalue: summary.host_keyvalue,
        config: summary.host_config.clone(),
    }
}
