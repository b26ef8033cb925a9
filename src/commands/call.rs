//! `witpipe call FILE 'name(args…)'`: call an exported function, WAVE in and out.

use crate::diagnostics::{report_plain, Reported};
use crate::runtime::RuntimeArgs;
use serde::ser::{Serialize, SerializeMap, Serializer};
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
                    serde_json::to_string_pretty(&Json(r)).expect("JSON of values")
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

/// A component value as JSON: records become objects with their fields in WIT order,
/// lists and tuples arrays, variants `{"case": payload}`, options `null` or the value,
/// results `{"ok": …}` / `{"err": …}`, flags a list of the set ones.
struct Json<'a>(&'a Val);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// A one-entry object: a variant's case, a result's `ok` or `err`.
        fn case<S: Serializer>(s: S, name: &str, payload: Option<&Val>) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry(name, &payload.map(Json))?;
            map.end()
        }
        match self.0 {
            Val::Bool(b) => s.serialize_bool(*b),
            Val::S8(n) => s.serialize_i8(*n),
            Val::U8(n) => s.serialize_u8(*n),
            Val::S16(n) => s.serialize_i16(*n),
            Val::U16(n) => s.serialize_u16(*n),
            Val::S32(n) => s.serialize_i32(*n),
            Val::U32(n) => s.serialize_u32(*n),
            Val::S64(n) => s.serialize_i64(*n),
            Val::U64(n) => s.serialize_u64(*n),
            Val::Float32(n) => s.serialize_f32(*n),
            Val::Float64(n) => s.serialize_f64(*n),
            Val::Char(c) => s.serialize_char(*c),
            Val::String(text) => s.serialize_str(text),
            Val::List(items) | Val::Tuple(items) => s.collect_seq(items.iter().map(Json)),
            // In the record's own field order (a JSON object of serde_json's would sort).
            Val::Record(fields) => s.collect_map(fields.iter().map(|(k, v)| (k, Json(v)))),
            Val::Variant(name, payload) => case(s, name, payload.as_deref()),
            Val::Enum(name) => s.serialize_str(name),
            Val::Option(o) => match o.as_deref() {
                Some(v) => Json(v).serialize(s),
                None => s.serialize_none(),
            },
            Val::Result(Ok(v)) => case(s, "ok", v.as_deref()),
            Val::Result(Err(v)) => case(s, "err", v.as_deref()),
            Val::Flags(flags) => s.collect_seq(flags),
            other => s.serialize_str(&format!("{other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_their_wit_field_order() {
        let record = Val::Record(vec![
            ("zeta".into(), Val::U32(1)),
            ("alpha".into(), Val::Option(None)),
            (
                "mid".into(),
                Val::Variant("some-case".into(), Some(Box::new(Val::String("s".into())))),
            ),
        ]);
        let text = serde_json::to_string(&Json(&record)).unwrap();
        assert_eq!(text, r#"{"zeta":1,"alpha":null,"mid":{"some-case":"s"}}"#);
        let result = Val::Result(Err(Some(Box::new(Val::Flags(vec![
            "b".into(),
            "a".into(),
        ])))));
        assert_eq!(
            serde_json::to_string(&Json(&result)).unwrap(),
            r#"{"err":["b","a"]}"#
        );
    }
}
