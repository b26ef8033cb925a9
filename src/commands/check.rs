//! `witpipe check FILE`: everything but writing.

use crate::diagnostics::Reported;
use std::path::PathBuf;
use witpipe_compose::wit::ExportedFunction;

/// Check a pipeline: load, link, type-check and compose in memory; write nothing.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let composition = super::compose_pipeline(&self.file)?;
        print!("{}", composition.report());
        let out = composition.pipeline.default_output();
        let contract = &composition.contract;
        // Only an output that is neither a command nor a service is run with --invoke.
        let invoked = !contract.runs() && !contract.serves_http();
        let functions = match invoked {
            true => witpipe_compose::wit::callable(&composition.bytes).unwrap_or_default(),
            false => Vec::new(),
        };
        let invoke = invoke_example(&functions);
        let command = contract.wasmtime_command(&out.display().to_string(), invoke.as_deref());
        println!("stock wasmtime equivalent (after `witpipe compose`): {command}");
        if contract.serves_http() && contract.has(witpipe_policy::Capability::KeyValue) {
            println!("  (`wasmtime serve` gives each request a fresh instance and a fresh in-memory key-value store, so nothing stored outlives a request; `witpipe serve` and wasmCloud keep the store)");
        }
        if invoked {
            let names: Vec<&str> = functions.iter().map(|f| f.name.as_str()).collect();
            let args = invoke.as_deref().is_some_and(|i| !i.ends_with("()"));
            match (names.len(), args) {
                (0, _) => println!("  (the output exports no function a host can call: export one with `exports:`)"),
                (1, false) => {}
                (1, true) => println!("  (write the arguments in WAVE)"),
                (_, _) => println!(
                    "  ({}the functions: {})",
                    if args { "write the arguments in WAVE; " } else { "" },
                    names.join(", ")
                ),
            }
        }
        println!(
            "ok: {} composes ({} bytes)",
            self.file.display(),
            composition.bytes.len()
        );
        Ok(())
    }
}

/// A `--invoke` call for `wasmtime run`, which takes a function's bare name: the first
/// exported function whose name no other export shares, its parameters as upper-case
/// placeholders. Functions of unpackaged interfaces come last: they are more likely a
/// toolchain's hook (componentize-py's `exports#init`).
fn invoke_example(functions: &[ExportedFunction]) -> Option<String> {
    let bare = |f: &ExportedFunction| f.name.rsplit('#').next().unwrap_or(&f.name).to_string();
    let mut ordered: Vec<&ExportedFunction> = functions.iter().collect();
    ordered.sort_by_key(|f| f.name.contains('#') && !f.name.contains(':'));
    let chosen = ordered
        .into_iter()
        .find(|f| functions.iter().filter(|g| bare(g) == bare(f)).count() == 1)?;
    let params: Vec<String> = chosen.params.iter().map(|p| p.to_uppercase()).collect();
    Some(format!("{}({})", bare(chosen), params.join(", ")))
}
