//! `witpipe run FILE.yaml [-- ARGS…]`: compose in memory and run on embedded wasmtime.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;
use witpipe_host::HostGrants;

/// Compose a pipeline in memory and run it (it must export `wasi:cli/run`), granting
/// exactly its host contract.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
    /// Arguments for the component (it sees them only if its grants say `args: inherit`).
    #[arg(last = true)]
    args: Vec<String>,
}

impl Args {
    /// Runs the command; the component's exit status becomes the process's.
    pub fn exec(self) -> Result<i32, Reported> {
        let composition = super::compose_pipeline(&self.file)?;
        let summary = composition.summary();
        if !summary
            .exports
            .iter()
            .any(|(name, _, _)| name.starts_with("wasi:cli/run@"))
        {
            let names: Vec<&str> = summary.exports.iter().map(|(n, _, _)| n.as_str()).collect();
            return Err(report_plain(format!(
                "{}: the composed component exports no `wasi:cli/run`, so there is nothing to run (it exports {}); export a command instance with `exports:`",
                self.file.display(),
                names.join(", ")
            )));
        }
        let imports = |prefix: &str| summary.imports.iter().any(|(n, _)| n.starts_with(prefix));
        let argv0 = composition
            .pipeline
            .default_output()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let grants = HostGrants {
            env: summary.host_env.clone(),
            args: summary.host_args.then(|| {
                std::iter::once(argv0)
                    .chain(self.args.iter().cloned())
                    .collect()
            }),
            stdin: imports("wasi:cli/stdin@"),
            stdout: imports("wasi:cli/stdout@"),
            stderr: imports("wasi:cli/stderr@"),
            dirs: summary
                .host_dirs
                .iter()
                .map(|(host, guest, ro)| (PathBuf::from(host), guest.clone(), *ro))
                .collect(),
            tcp: imports("wasi:sockets/tcp"),
            lookup: imports("wasi:sockets/ip-name-lookup"),
        };
        witpipe_host::run(&composition.bytes, &grants)
            .map_err(|e| report_plain(format!("{}: {e}", self.file.display())))
    }
}
