//! Replays the fuzz seeds (`fuzz/seeds/`) on stable: every input must end without a
//! panic. The seeds are a minimised set of the corpora `cargo +nightly fuzz run` grows
//! in `fuzz/corpus/` (not committed): the smallest input of each distinct outcome (the
//! codes of the errors and warnings it gives, or "composed"). `FUZZ_CORPUS=fuzz/corpus
//! cargo test --test fuzz_corpus -- --ignored` chooses them again from a full corpus.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

/// Every input of `target` in `dir` with its outcome. A running fuzzer may replace
/// files under our feet: those are skipped.
fn outcomes(target: &str, dir: &Path) -> Vec<(PathBuf, Vec<u8>, String)> {
    let scratch = tempfile::tempdir().unwrap();
    let base = root().join("pipelines/wordfreq");
    let partner = base.join("components/count.wasm");
    let mut out = Vec::new();
    for file in inputs(dir) {
        let Ok(data) = std::fs::read(&file) else {
            continue;
        };
        let outcome = match target {
            "pipeline" => witpipe_compose::fuzzing::pipeline_text(&data, &base),
            _ => witpipe_compose::fuzzing::component_bytes(&data, scratch.path(), &partner),
        };
        out.push((file, data, outcome));
    }
    out
}

#[test]
fn pipeline_seeds_replay_cleanly() {
    let seeds = outcomes("pipeline", &root().join("fuzz/seeds/pipeline"));
    // The seeds are chosen one per outcome: a replay that finds far fewer means the
    // seeds no longer reach what they were chosen for.
    let distinct: std::collections::BTreeSet<&String> = seeds.iter().map(|s| &s.2).collect();
    assert!(
        distinct.len() * 2 > seeds.len(),
        "{} outcomes from {} seeds",
        distinct.len(),
        seeds.len()
    );
}

#[test]
fn component_seeds_replay_cleanly() {
    outcomes("component", &root().join("fuzz/seeds/component"));
}

/// Every seed of `target` passes `check` (a fuzz target whose body returns an error
/// where it would panic).
fn replay(target: &str, check: fn(&[u8]) -> Result<(), String>) {
    for file in inputs(&root().join("fuzz/seeds").join(target)) {
        let data = std::fs::read(&file).unwrap();
        if let Err(e) = check(&data) {
            panic!("{}: {e}", file.display());
        }
    }
}

/// The settings round trip (`fuzz_targets/settings.rs`) holds for every seed.
#[test]
fn settings_seeds_round_trip() {
    replay("settings", witpipe_policy::fuzzing::settings_bytes);
}

/// The guard and the host read every seed's authority the same way
/// (`fuzz_targets/authority.rs`).
#[test]
fn authority_seeds_read_alike() {
    replay("authority", witpipe_host::fuzzing::authority_bytes);
}

/// Chooses the seeds again from the full corpora under `$FUZZ_CORPUS` (e.g.
/// `fuzz/corpus`): for each target, the smallest input of each outcome.
#[test]
#[ignore = "needs a full corpus: FUZZ_CORPUS=fuzz/corpus"]
fn choose_seeds() {
    let corpus = PathBuf::from(std::env::var("FUZZ_CORPUS").expect("set FUZZ_CORPUS"));
    for target in ["pipeline", "component"] {
        let mut best: BTreeMap<String, (PathBuf, Vec<u8>)> = BTreeMap::new();
        for (file, data, outcome) in outcomes(target, &corpus.join(target)) {
            let smaller = best.get(&outcome).is_none_or(|(_, d)| data.len() < d.len());
            if smaller {
                best.insert(outcome, (file, data));
            }
        }
        let seeds = root().join("fuzz/seeds").join(target);
        let _ = std::fs::remove_dir_all(&seeds);
        std::fs::create_dir_all(&seeds).unwrap();
        for (file, data) in best.values() {
            std::fs::write(seeds.join(file.file_name().unwrap()), data).unwrap();
        }
        println!("{target}: {} seeds", best.len());
    }
}
