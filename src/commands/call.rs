//! `witpipe call FILE 'name(args…)'`: call an exported function, WAVE in and out.

use crate::diagnostics::{report_plain, Reported};
use crate::runtime::RuntimeArgs;
use serde_json::{json, Value};
use std::path::PathBuf;
use witpipe_host::Val;

/// Call an exported function of a composed pipeline with WAVE arguments
/// (`'analyze("a b a", 2)'`, `'witpipe:text/analyze@0.1.0#analyze("…", 3)'`).
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file, or a component (`.wasm`, `.cwasm`).
    file: PathBuf,
    /// The call, in WAVE: `name(arg, …)`; functions of exported interfaces are
    /// `interface#name`.
    call: String,
    /// Print the results as JSON instead of WAVE.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    runtime: RuntimeArgs,
}

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        // Checked before anything is compiled: a misspelt name or a broken argument
        // list is known from the call and the component's exports alone.
        witpipe_host::check_call_syntax(&self.call).map_err(|e| self.refuse(e))?;
        let target = self.runtime.load(&self.file)?;
        if let Ok(functions) = witpipe_compose::wit::callable(&target.bytes) {
            let names: Vec<String> = functions.into_iter().map(|f| f.name).collect();
            let (wanted, _, _) = witpipe_host::split_call(&self.call);
            witpipe_host::resolve_function(&names, wanted).map_err(|e| self.refuse(e))?;
        }
        let (engine, component) = self.runtime.prepare(&target, None)?;
        let grants = target.grants(&[]);
        let results = witpipe_host::call(
            &engine,
            &component,
            &grants,
            self.runtime.limits(crate::runtime::COMMAND_LIMITS),
            &self.call,
        )
        .map_err(|e| target.fail(e))?;
        for r in &results {
            if self.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&to_json(r)).expect("JSON of values")
                );
            } else {
                println!(
                    "{}",
                    r.to_wave()
                        .map_err(|e| report_plain(format!("cannot print a result: {e}")))?
                );
            }
        }
        Ok(())
    }

    /// A call refused before anything runs, named with the file.
    fn refuse(&self, why: impl std::fmt::Display) -> Reported {
        report_plain(format!("{}: {why}", self.file.display()))
    }
}

/// A component value as JSON: records become objects, lists and tuples arrays,
/// variants `{"case": payload}`, options `null` or the value, results `{"ok": …}` /
/// `{"err": …}`.
fn to_json(v: &Val) -> Value {
    match v {
        Val::Bool(b) => json!(b),
        Val::S8(n) => json!(n),
        Val::U8(n) => json!(n),
        Val::S16(n) => json!(n),
        Val::U16(n) => json!(n),
        Val::S32(n) => json!(n),
        Val::U32(n) => json!(n),
        Val::S64(n) => json!(n),
        Val::U64(n) => json!(n),
        Val::Float32(n) => json!(n),
        Val::Float64(n) => json!(n),
        Val::Char(c) => json!(c.to_string()),
        Val::String(s) => json!(s),
        Val::List(items) | Val::Tuple(items) => Value::Array(items.iter().map(to_json).collect()),
        Val::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
        Val::Variant(case, payload) => json!({ case: payload.as_deref().map(to_json) }),
        Val::Enum(case) => json!(case),
        Val::Option(o) => o.as_deref().map_or(Value::Null, to_json),
        Val::Result(Ok(v)) => json!({ "ok": v.as_deref().map(to_json) }),
        Val::Result(Err(v)) => json!({ "err": v.as_deref().map(to_json) }),
        Val::Flags(flags) => json!(flags),
        other => json!(format!("{other:?}")),
    }
}
