//! Entry points for the fuzz targets (`fuzz/`) and for the test that replays their
//! corpora (`tests/fuzz_corpus.rs`): each takes arbitrary bytes and must return, never
//! panic, whatever the bytes hold.

use crate::{Failure, Pipeline};
use miette::Diagnostic;
use std::path::{Path, PathBuf};

/// Pipeline text → checked pipeline → (if it checks) composed component. Component
/// paths resolve against `base_dir`, so an input can name real components there.
/// Returns what happened, as the codes of the errors and warnings found (`composed`
/// when it composed): inputs with the same outcome exercise the same paths, which is
/// what choosing a seed set by outcome relies on.
pub fn pipeline_text(data: &[u8], base_dir: &Path) -> String {
    let Ok(text) = std::str::from_utf8(data) else {
        return "not UTF-8".into();
    };
    let failure =
        match Pipeline::from_source(PathBuf::from("fuzz.yaml"), text.to_string(), base_dir) {
            Ok(pipeline) => match pipeline.compose() {
                Ok(composition) => {
                    let mut codes = codes(&composition.warnings);
                    codes.insert(0, "composed".into());
                    return codes.join(" ");
                }
                Err(failure) => failure,
            },
            Err(failure) => failure,
        };
    let _ = failure.to_string();
    outcome(&failure)
}

/// The sorted, distinct kinds of `items`: each one's code and its message as a template
/// (what is quoted or counted left out), so that two inputs that fail the same way
/// with other names count once.
fn codes<D: Diagnostic>(items: &[D]) -> Vec<String> {
    let template = |text: String| {
        let mut out = String::new();
        let mut quoted = false;
        for c in text.chars() {
            match c {
                '`' => quoted = !quoted,
                _ if quoted => {}
                '0'..='9' => {
                    if !out.ends_with('0') {
                        out.push('0');
                    }
                }
                _ => out.push(c),
            }
        }
        out
    };
    let mut codes: Vec<String> = items
        .iter()
        .map(|d| {
            let code = d.code().map_or_else(|| "?".into(), |c| c.to_string());
            format!("{code}: {}", template(d.to_string()))
        })
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// A failure's error and warning codes.
fn outcome(failure: &Failure) -> String {
    let mut codes = codes(&failure.errors);
    codes.extend(codes_of_warnings(failure));
    codes.join(" ")
}

fn codes_of_warnings(failure: &Failure) -> Vec<String> {
    codes(&failure.warnings)
        .into_iter()
        .map(|c| format!("warning:{c}"))
        .collect()
}

/// Arbitrary bytes as a component, written to `scratch/fuzzed.wasm` and composed in a
/// pipe with `partner` (a real component that may satisfy or need its imports).
/// Returns both outcomes (see [`pipeline_text`]).
pub fn component_bytes(data: &[u8], scratch: &Path, partner: &Path) -> String {
    let file = scratch.join("fuzzed.wasm");
    if std::fs::write(&file, data).is_err() {
        return "unwritable".into();
    }
    let text = format!(
        "version: 1\ncomponents:\n  fuzzed: fuzzed.wasm\n  partner: {}\npipe: [fuzzed, partner]\n",
        partner.display()
    );
    let piped = pipeline_text(text.as_bytes(), scratch);
    // And alone: its own imports and exports, no links.
    let alone = "version: 1\ncomponents:\n  fuzzed: fuzzed.wasm\n";
    format!("{piped} | {}", pipeline_text(alone.as_bytes(), scratch))
}
