//! `witpipe run FILE.yaml [-- ARGS…]`: compose in memory and run on embedded wasmtime.

use crate::diagnostics::{report_plain, Reported};
use std::path::PathBuf;

/// Compose a pipeline in memory and run it (it must export `wasi:cli/run`), granting
/// exactly its host contract.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
    /// Stop the component after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Linear memory the component may use, in bytes (suffixes K, M, G allowed).
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    max_memory: Option<usize>,
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
        let argv0 = composition
            .pipeline
            .default_output()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let args = std::iter::once(argv0)
            .chain(self.args.iter().cloned())
            .collect();
        let grants = super::host_grants(&summary, args);
        let limits = witpipe_host::Limits {
            timeout: self.timeout.map(std::time::Duration::from_secs_f64),
            max_memory: self.max_memory,
        };
        witpipe_host::run(&composition.bytes, &grants, limits)
            .map_err(|e| report_plain(format!("{}: {e}", self.file.display())))
    }
}

/// `1048576`, `64K`, `16M`, `1G`.
fn parse_size(text: &str) -> Result<usize, String> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 64M"))?;
    let scale = match unit
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("`{text}`: the unit must be K, M or G")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("`{text}` is too large"))
}
