//! `witpipe check FILE`: everything but writing.

use crate::diagnostics::{to_json, Reported};
use serde_json::{json, Value};
use std::path::PathBuf;
use witpipe_compose::wit::ExportedFunction;
use witpipe_compose::{Composition, Error, Warning};

/// Check a pipeline: load, link, type-check and compose in memory; write nothing.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
    /// Print one JSON document on stdout instead (schema/check-output.schema.json):
    /// errors and warnings with file, line and column, the links and the host
    /// contract. Exits non-zero when the pipeline does not compose.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        if self.json {
            return self.exec_json();
        }
        let composition = super::compose_pipeline(&self.file)?;
        print!("{}", composition.report());
        let stock = Stock::of(&composition);
        println!(
            "stock wasmtime equivalent (after `witpipe compose`): {}",
            stock.command
        );
        for note in &stock.notes {
            println!("  ({note})");
        }
        println!(
            "ok: {} composes ({} bytes)",
            self.file.display(),
            composition.bytes.len()
        );
        Ok(())
    }

    /// `check --json`: one document whether the pipeline composes or not.
    fn exec_json(self) -> Result<(), Reported> {
        let result = super::open_and_compose(&self.file);
        let diagnostics = |name: &str, source: &str, errors: &[Error], warnings: &[Warning]| {
            let errors = errors.iter().map(|e| to_json(name, source, e, "error"));
            let warnings = warnings.iter().map(|w| to_json(name, source, w, "warning"));
            (errors.collect::<Vec<_>>(), warnings.collect::<Vec<_>>())
        };
        let (doc, ok) = match &result {
            Ok(c) => {
                let name = c.pipeline.path().display().to_string();
                let (errors, warnings) = diagnostics(&name, c.pipeline.source(), &[], &c.warnings);
                let report = c.report();
                let stock = Stock::of(c);
                let composed = json!({
                    "bytes": c.bytes.len(),
                    "instances": report.instances.iter().map(|(name, path)| json!({ "name": name, "path": path })).collect::<Vec<_>>(),
                    "links": report.links,
                    "layers": report.chains,
                    "exports": report.exports.iter().map(|(name, instance, export)| json!({ "name": name, "instance": instance, "export": export })).collect::<Vec<_>>(),
                    "contract": report.contract,
                    "stock_command": stock.command,
                    "notes": stock.notes,
                });
                (document(&name, errors, warnings, composed), true)
            }
            Err(f) => {
                let name = f.path.display().to_string();
                let (errors, warnings) = diagnostics(&name, &f.source, &f.errors, &f.warnings);
                (document(&name, errors, warnings, Value::Null), false)
            }
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("JSON of plain values")
        );
        if ok {
            Ok(())
        } else {
            Err(Reported)
        }
    }
}

/// The top of `check --json`'s document.
fn document(file: &str, errors: Vec<Value>, warnings: Vec<Value>, composed: Value) -> Value {
    json!({
        "format": CHECK_JSON_FORMAT,
        "file": file,
        "ok": errors.is_empty(),
        "errors": errors,
        "warnings": warnings,
        "composed": composed,
    })
}

/// The version of `check --json`'s document (schema/check-output.schema.json).
const CHECK_JSON_FORMAT: u32 = 1;

/// How to run the output under stock `wasmtime`, and what to know about it.
struct Stock {
    command: String,
    notes: Vec<String>,
}

impl Stock {
    fn of(composition: &Composition) -> Stock {
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
        let mut notes = Vec::new();
        if contract.serves_http() && contract.has(witpipe_policy::Capability::KeyValue) {
            notes.push("`wasmtime serve` gives each request a fresh instance and a fresh in-memory key-value store, so nothing stored outlives a request; `witpipe serve` and wasmCloud keep the store".to_string());
        }
        if invoked {
            let names: Vec<&str> = functions.iter().map(|f| f.name.as_str()).collect();
            let args = invoke.as_deref().is_some_and(|i| !i.ends_with("()"));
            match (names.len(), args) {
                (0, _) => notes.push(
                    "the output exports no function a host can call: export one with `exports:`"
                        .into(),
                ),
                (1, false) => {}
                (1, true) => notes.push("write the arguments in WAVE".into()),
                (_, _) => notes.push(format!(
                    "{}the functions: {}",
                    if args {
                        "write the arguments in WAVE; "
                    } else {
                        ""
                    },
                    names.join(", ")
                )),
            }
        }
        Stock { command, notes }
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
