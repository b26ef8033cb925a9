//! Entry points for the fuzz targets (`fuzz/`) and for the test that replays their
//! corpora (`tests/fuzz_corpus.rs`): each takes arbitrary bytes and must return, never
//! panic, whatever the bytes hold.

use crate::Pipeline;
use std::path::{Path, PathBuf};

/// Pipeline text → checked pipeline → (if it checks) composed component. Component
/// paths resolve against `base_dir`, so an input can name real components there.
pub fn pipeline_text(data: &[u8], base_dir: &Path) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Pipeline::from_source(PathBuf::from("fuzz.yaml"), text.to_string(), base_dir) {
        Ok(pipeline) => {
            if let Err(failure) = pipeline.compose() {
                let _ = failure.to_string();
            }
        }
        Err(failure) => {
            let _ = failure.to_string();
        }
    }
}

/// Arbitrary bytes as a component, written to `scratch/fuzzed.wasm` and composed in a
/// pipe with `partner` (a real component that may satisfy or need its imports).
pub fn component_bytes(data: &[u8], scratch: &Path, partner: &Path) {
    let file = scratch.join("fuzzed.wasm");
    if std::fs::write(&file, data).is_err() {
        return;
    }
    let text = format!(
        "version: 1\ncomponents:\n  fuzzed: fuzzed.wasm\n  partner: {}\npipe: [fuzzed, partner]\n",
        partner.display()
    );
    pipeline_text(text.as_bytes(), scratch);
    // And alone: its own imports and exports, no links.
    let alone = "version: 1\ncomponents:\n  fuzzed: fuzzed.wasm\n";
    pipeline_text(alone.as_bytes(), scratch);
}
