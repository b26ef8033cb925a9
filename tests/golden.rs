//! Golden-file tests: every folder under `tests/golden/` is one case.
//!
//! A case holds `pipeline.yaml` (and whatever else it needs), components as `.wit`
//! (a world, turned into a component in-process) or `.wat` (assembled in-process),
//! and optionally `cmd` (one `witpipe` command line per line; default `check
//! pipeline.yaml`, plus `inspect pipeline.yaml` when the check passes). The combined
//! output is compared with `expected.txt` when every command succeeds, else with
//! `error.txt`. `BLESS=1 cargo test --test golden` rewrites the expectations;
//! `cargo test --test golden err-cycle-two` runs the cases whose name contains it.
//! Every failing pipeline is also checked to leave no output file behind, and every
//! passing one to compose to a component that wasmtime compiles.

use std::path::{Path, PathBuf};
use std::process::Command;
#[path = "support/dummy.rs"]
mod dummy;
use dummy::component_from_wit;

/// Copies a case into a scratch folder, building `.wit`/`.wat` into `.wasm`.
fn stage(case: &Path, into: &Path) {
    for entry in std::fs::read_dir(case).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if path.is_dir() {
            std::fs::create_dir_all(into.join(&name)).unwrap();
            stage(&path, &into.join(&name));
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("wit") => std::fs::write(
                into.join(&name).with_extension("wasm"),
                component_from_wit(&path),
            )
            .unwrap(),
            // Kept as text too (`wasm-tools compose` reads `.wat`); one that does not
            // assemble is a case's deliberate mistake and stays text only.
            Some("wat") => {
                if let Ok(bytes) = wat::parse_file(&path) {
                    std::fs::write(into.join(&name).with_extension("wasm"), bytes).unwrap()
                }
                std::fs::copy(&path, into.join(&name)).unwrap();
            }
            _ if name == "expected.txt" || name == "error.txt" => {}
            _ => {
                std::fs::copy(&path, into.join(&name)).unwrap();
            }
        }
    }
}

/// Runs one command line in `dir`; returns (success, transcript).
fn run(dir: &Path, line: &str) -> (bool, String) {
    let args: Vec<&str> = line.split_whitespace().collect();
    let out = Command::new(env!("CARGO_BIN_EXE_witpipe"))
        .args(&args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let mut text = format!("$ witpipe {line}\n");
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text.push_str(&format!("[exit {}]\n", out.status.code().unwrap_or(-1)));
    // A panic is never an expected answer, not even one a `BLESS=1` run would record.
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked at"),
        "witpipe panicked:\n{text}"
    );
    (out.status.success(), text)
}

fn run_case(case: &Path) -> Result<(), String> {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    stage(case, dir);
    let commands: Vec<String> = match std::fs::read_to_string(case.join("cmd")) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect(),
        Err(_) => vec!["check pipeline.yaml".into(), "inspect pipeline.yaml".into()],
    };
    let mut transcript = String::new();
    let mut all_ok = true;
    for line in &commands {
        let (ok, text) = run(dir, line);
        transcript.push_str(&text);
        all_ok &= ok;
        if !ok {
            break;
        }
    }
    if all_ok && commands.iter().any(|c| c.starts_with("check ")) {
        // A passing pipeline's output is a component that wasmtime compiles.
        let (ok, text) = run(dir, "compose pipeline.yaml -o out.wasm");
        if !ok {
            return Err(format!("check passed but compose failed:\n{text}"));
        }
        let bytes = std::fs::read(dir.join("out.wasm")).unwrap();
        let engine = wasmtime::Engine::default();
        if let Err(e) = wasmtime::component::Component::new(&engine, &bytes) {
            return Err(format!("wasmtime rejects the output: {e:#}"));
        }
    }
    let default_commands = !case.join("cmd").exists();
    if !all_ok && default_commands {
        // A failing pipeline must not leave a composed file behind.
        let (_, compose) = run(dir, "compose pipeline.yaml -o out.wasm");
        if dir.join("out.wasm").exists() {
            return Err(format!("a failing case wrote out.wasm:\n{compose}"));
        }
        let stray: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        if !stray.is_empty() {
            return Err("a failing case left a temporary file behind".into());
        }
    }
    let (expected_file, other) = if all_ok {
        ("expected.txt", "error.txt")
    } else {
        ("error.txt", "expected.txt")
    };
    let expected_path = case.join(expected_file);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&expected_path, &transcript).unwrap();
        let _ = std::fs::remove_file(case.join(other));
        return Ok(());
    }
    if case.join(other).exists() {
        return Err(format!(
            "expected {other} outcome but got {expected_file}:\n{transcript}"
        ));
    }
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|_| format!("missing {expected_file}; run with BLESS=1. Output:\n{transcript}"))?;
    if expected != transcript {
        return Err(format!(
            "output differs from {expected_file}\n--- expected\n{expected}\n--- actual\n{transcript}"
        ));
    }
    Ok(())
}

/// One trial per case folder, so that `cargo test --test golden NAME` runs the cases
/// whose name contains NAME and cases run in parallel.
fn main() -> std::process::ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no golden cases found in {}",
        root.display()
    );
    let trials = cases
        .into_iter()
        .map(|case| {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            libtest_mimic::Trial::test(name, move || run_case(&case).map_err(Into::into))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}
