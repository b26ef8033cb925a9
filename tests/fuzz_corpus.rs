//! Replays the fuzz corpora (`fuzz/corpus/`, grown by `cargo +nightly fuzz run`) on
//! stable: every input that ever found a problem, and every seed, must still end
//! without a panic.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("fuzz/corpus").join(target))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the {target} corpus is empty");
    files
}

#[test]
fn pipeline_corpus_replays_cleanly() {
    let base = root().join("pipelines/wordfreq");
    for file in inputs("pipeline") {
        // A running fuzzer may replace files under our feet.
        let Ok(data) = std::fs::read(&file) else {
            continue;
        };
        witpipe_compose::fuzzing::pipeline_text(&data, &base);
    }
}

#[test]
fn component_corpus_replays_cleanly() {
    let scratch = tempfile::tempdir().unwrap();
    let partner = root().join("pipelines/wordfreq/components/count.wasm");
    for file in inputs("component") {
        let Ok(data) = std::fs::read(&file) else {
            continue;
        };
        witpipe_compose::fuzzing::component_bytes(&data, scratch.path(), Path::new(&partner));
    }
}
