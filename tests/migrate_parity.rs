//! `witpipe migrate` against wasm-compose itself: every golden migration case
//! (`tests/golden/*migrate*` with a `root.wat`) is composed by wasm-compose's own
//! composer and by `witpipe migrate` + `witpipe compose`, from the raw files (`.wat`
//! read as text, as `wasm-tools compose` reads them). Where wasm-compose composes, so
//! must witpipe, with the same import and export names; where it refuses, so must
//! witpipe.
//!
//! `WITPIPE_PARITY_DIR=DIR` runs the cases of another folder instead, such as
//! wasm-compose's own `tests/compositions` (a case expects an error when it holds
//! `error.txt`).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use wasm_compose::{composer::ComponentComposer, config::Config};

/// Copies a case folder as it is.
fn copy(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The top-level import and export names of a component.
fn names(bytes: &[u8]) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut imports, mut exports) = (BTreeSet::new(), BTreeSet::new());
    let mut depth = 0;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.unwrap() {
            wasmparser::Payload::ModuleSection { .. }
            | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ComponentImportSection(s) if depth == 0 => {
                imports.extend(s.into_iter().map(|i| i.unwrap().name.name.to_string()))
            }
            wasmparser::Payload::ComponentExportSection(s) if depth == 0 => {
                exports.extend(s.into_iter().map(|e| e.unwrap().name.name.to_string()))
            }
            _ => {}
        }
    }
    (imports, exports)
}

fn witpipe(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_witpipe"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn witpipe_composes_what_wasm_compose_composes_and_refuses_what_it_refuses() {
    let other = std::env::var_os("WITPIPE_PARITY_DIR").map(std::path::PathBuf::from);
    let root = other
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden"));
    let mut checked = 0;
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            (other.is_some() || p.to_string_lossy().contains("migrate"))
                && p.join("root.wat").is_file()
        })
        .collect();
    cases.sort();
    // Cases may name files of their neighbours (`../complex/a.wat`): copy them all.
    let scratch = tempfile::tempdir().unwrap();
    copy(&root, scratch.path());
    let mut failures = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expects_error = match other {
            Some(_) => case.join("error.txt").is_file(),
            None => name.starts_with("err-"),
        };
        let dir = &scratch.path().join(&name);
        let config_path = dir.join("config.yml");
        let config = if config_path.is_file() {
            Config::from_file(&config_path).unwrap()
        } else {
            Config {
                dir: dir.to_path_buf(),
                ..Default::default()
            }
        };
        // wasm-compose reads `search-paths` from the working directory, as `witpipe
        // migrate` (run in `dir`) does; this binary holds this one test.
        std::env::set_current_dir(dir).unwrap();
        let theirs = ComponentComposer::new(&dir.join("root.wat"), &config).compose();
        let mut args = vec!["migrate"];
        if config_path.is_file() {
            args.push("config.yml");
        }
        args.extend(["--root", "root.wat", "-o", "pipeline.yaml"]);
        let ours = witpipe(dir, &args)
            .and_then(|()| witpipe(dir, &["compose", "pipeline.yaml", "-o", "out.wasm"]))
            .map(|()| std::fs::read(dir.join("out.wasm")).unwrap());
        match (theirs, ours) {
            (Ok(theirs), Ok(ours)) if names(&ours) != names(&theirs) => failures.push(format!(
                "{name}: imports and exports differ: witpipe {:?}, wasm-compose {:?}",
                names(&ours),
                names(&theirs)
            )),
            (Ok(_), Ok(_)) if expects_error => failures.push(format!(
                "{name}: both compose, but the case expects an error"
            )),
            (Err(theirs), Err(_)) if !expects_error => failures.push(format!(
                "{name}: both refuse ({theirs:#}), but the case expects success"
            )),
            (Ok(_), Err(ours)) => failures.push(format!(
                "{name}: wasm-compose composes it, witpipe refuses:\n{ours}"
            )),
            (Err(theirs), Ok(_)) => failures.push(format!(
                "{name}: wasm-compose refuses it ({theirs:#}), witpipe composes it"
            )),
            _ => {}
        }
        checked += 1;
    }
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 8, "only {checked} migration cases found");
}
