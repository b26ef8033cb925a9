//! Hostile inputs that cannot be committed as golden files (generated at test time):
//! a 50 MB pipeline file, a FIFO, a sparse multi-gigabyte `.wasm`, symlink loops, a
//! compose killed at random moments. Each must end with a clear message, a non-zero
//! exit and no output file — and never hang (a watchdog kills a run after 120 s and
//! fails the test; that is a hang check, not a timing assertion).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `witpipe ARGS` in `dir`: (exit code, stderr). Fails the test if it hangs.
fn witpipe(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_witpipe"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("witpipe {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A folder with `pipeline.yaml` naming `x.wasm`, and the committed `tokenize` stage
/// beside it as `ok.wasm`.
fn case(pipeline: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pipeline.yaml"), pipeline).unwrap();
    std::fs::copy(
        root().join("pipelines/wordfreq/components/tokenize.wasm"),
        dir.path().join("ok.wasm"),
    )
    .unwrap();
    dir
}

const NAMES_X: &str = "version: 1\ncomponents:\n  x: x.wasm\n  ok: ok.wasm\n";

/// `witpipe compose` fails with `want` in its message and writes nothing.
fn refused(dir: &Path, want: &str) {
    let (code, err) = witpipe(dir, &["compose", "pipeline.yaml", "-o", "out.wasm"]);
    assert_eq!(code, 1, "{err}");
    // Messages wrap at 100 columns: compare words.
    let words = |s: &str| {
        s.split_whitespace()
            .filter(|w| *w != "│")
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        words(&err).contains(&words(want)),
        "expected `{want}` in:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dir.join("out.wasm").exists());
}

#[test]
fn a_50_mb_pipeline_file_and_a_too_big_one_are_refused_promptly() {
    // 50 MB of well-formed YAML: a comment line repeated, then a huge pipe.
    let mut text = String::from("version: 1\ncomponents:\n  ok: ok.wasm\npipe: [");
    while text.len() < 50 << 20 {
        text.push_str("ok, ");
    }
    text.push_str("ok]\n");
    let dir = case(&text);
    refused(dir.path(), "a pipeline file may be at most 16777216 bytes");
    // Under the size cap, the parser's budget stops a file with too many values.
    text.truncate(4 << 20);
    text.push_str("ok]\n");
    std::fs::write(dir.path().join("pipeline.yaml"), &text).unwrap();
    refused(
        dir.path(),
        "this file holds more YAML than a pipeline file may",
    );
}

#[test]
fn a_fifo_is_not_read() {
    let dir = case(NAMES_X);
    let fifo = dir.path().join("x.wasm");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // Nothing ever writes to it: reading it would block forever.
    refused(
        dir.path(),
        "it is not a regular file (a pipe, socket or device)",
    );
}

#[test]
fn a_huge_wasm_file_is_not_read() {
    let dir = case(NAMES_X);
    // Sparse: 8 GB on paper, nothing on disk.
    let file = std::fs::File::create(dir.path().join("x.wasm")).unwrap();
    file.set_len(8 << 30).unwrap();
    refused(dir.path(), "more than the");
}

#[test]
fn symlink_loops_and_paths_through_files_are_reported() {
    let dir = case(NAMES_X);
    std::os::unix::fs::symlink("y.wasm", dir.path().join("x.wasm")).unwrap();
    std::os::unix::fs::symlink("x.wasm", dir.path().join("y.wasm")).unwrap();
    refused(dir.path(), "cannot read component file");
    // A path that goes through a file (not a directory) cannot be read either.
    let dir = case("version: 1\ncomponents:\n  x: ok.wasm/x.wasm\n");
    refused(dir.path(), "cannot read component file");
}

#[test]
fn an_unwritable_output_directory_is_reported() {
    let dir = case("version: 1\ncomponents:\n  ok: ok.wasm\n");
    // /proc refuses new files, even to root.
    let (code, err) = witpipe(
        dir.path(),
        &["compose", "pipeline.yaml", "-o", "/proc/witpipe-out.wasm"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot write /proc/witpipe-out.wasm"), "{err}");
}

#[test]
fn a_killed_compose_never_leaves_a_partial_output() {
    // A 300-stage chain: large enough that a kill lands mid-compose.
    let mut text = String::from("version: 1\ncomponents:\n  lines: lines.wasm\n");
    let mut pipe = vec!["lines".to_string()];
    for i in 0..300 {
        text.push_str(&format!("  f{i}: frame.wasm\n"));
        pipe.push(format!("f{i}"));
    }
    text.push_str("  upper: upper.wasm\n");
    pipe.push("upper".into());
    text.push_str(&format!(
        "defaults: {{ stdio: allow }}\npipe: [{}]\n",
        pipe.join(", ")
    ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pipeline.yaml"), text).unwrap();
    for stage in ["lines", "frame", "upper"] {
        std::fs::copy(
            root().join(format!("pipelines/shout/components/{stage}.wasm")),
            dir.path().join(format!("{stage}.wasm")),
        )
        .unwrap();
    }
    let (code, err) = witpipe(
        dir.path(),
        &["compose", "pipeline.yaml", "-o", "whole.wasm"],
    );
    assert_eq!(code, 0, "{err}");
    let whole = std::fs::read(dir.path().join("whole.wasm")).unwrap();
    let started = Instant::now();
    let mut killed_midway = 0;
    for round in 0..20u64 {
        let out = dir.path().join("out.wasm");
        let _ = std::fs::remove_file(&out);
        let mut child = Command::new(env!("CARGO_BIN_EXE_witpipe"))
            .args(["compose", "pipeline.yaml", "-o", "out.wasm"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kills over the run: 0 to ~60 ms.
        std::thread::sleep(Duration::from_millis(round * 3));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !status.success() {
            killed_midway += 1;
        }
        // Either nothing, or the whole component: never a prefix of it.
        if let Ok(bytes) = std::fs::read(&out) {
            assert_eq!(bytes, whole, "round {round}: a partial output");
        }
        assert!(started.elapsed() < Duration::from_secs(300), "compose hung");
    }
    assert!(killed_midway > 0, "no kill landed before compose finished");
    // Killed runs may leave their hidden temporary files, never a visible output.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name.ends_with(".wasm") || name.ends_with(".yaml") || name.starts_with(".witpipe-"),
            "unexpected file {name}"
        );
    }
}

#[test]
fn a_pipeline_argument_that_never_ends_is_read_only_to_the_limit() {
    let dir = case(NAMES_X);
    // A device and a pipe: neither has a length to check first.
    for endless in ["/dev/zero", "/dev/urandom"] {
        let (code, err) = witpipe(dir.path(), &["check", endless]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("more than 16777216 bytes"), "{err}");
    }
    let yes = Command::new("bash")
        .args([
            "-c",
            &format!("{} check <(yes)", env!("CARGO_BIN_EXE_witpipe")),
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&yes.stderr);
    assert_eq!(yes.status.code(), Some(1), "{err}");
    assert!(err.contains("more than 16777216 bytes"), "{err}");
}

/// `witpipe compose pipeline.yaml -o OUT` in `dir`: (exit code, stderr).
fn compose_to(dir: &Path, out: &str) -> (i32, String) {
    witpipe(dir, &["compose", "pipeline.yaml", "-o", out])
}

#[test]
fn outputs_go_into_devices_and_pipes_never_over_them() {
    use std::os::unix::fs::FileTypeExt;
    let dir = case("version: 1\ncomponents:\n  ok: ok.wasm\n");
    let p = dir.path();
    // A symbolic link to /dev/null: written into; the link and the device stay.
    std::os::unix::fs::symlink("/dev/null", p.join("null.wasm")).unwrap();
    let (code, err) = compose_to(p, "null.wasm");
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::symlink_metadata(p.join("null.wasm"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    // A FIFO: its reader gets the component; the FIFO stays a FIFO.
    let fifo = p.join("fifo.wasm");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let (code, err) = compose_to(p, "fifo.wasm");
    assert_eq!(code, 0, "{err}");
    assert!(reader.join().unwrap().starts_with(b"\0asm"));
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    // A symbolic link to a regular file: the file is replaced, the link stays.
    std::fs::write(p.join("real.wasm"), b"old").unwrap();
    std::os::unix::fs::symlink("real.wasm", p.join("link.wasm")).unwrap();
    let (code, err) = compose_to(p, "link.wasm");
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read(p.join("real.wasm"))
        .unwrap()
        .starts_with(b"\0asm"));
    assert!(std::fs::symlink_metadata(p.join("link.wasm"))
        .unwrap()
        .file_type()
        .is_symlink());
    // A directory, and a link that leads nowhere: refused.
    std::fs::create_dir(p.join("dir.wasm")).unwrap();
    let (code, err) = compose_to(p, "dir.wasm");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("it is a directory"), "{err}");
    std::os::unix::fs::symlink("nowhere/x.wasm", p.join("dangling.wasm")).unwrap();
    let (code, err) = compose_to(p, "dangling.wasm");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("symbolic link to nothing"), "{err}");
}

#[test]
fn the_output_never_overwrites_an_input() {
    let pipeline = "version: 1\ncomponents:\n  ok: ok.wasm\n";
    let dir = case(pipeline);
    let p = dir.path();
    let component = std::fs::read(p.join("ok.wasm")).unwrap();
    std::os::unix::fs::symlink("ok.wasm", p.join("alias.wasm")).unwrap();
    for (out, what) in [
        ("pipeline.yaml", "the pipeline file"),
        ("ok.wasm", "the component file of `ok`"),
        ("./sub/../ok.wasm", "the component file of `ok`"),
        ("alias.wasm", "the component file of `ok`"),
    ] {
        std::fs::create_dir_all(p.join("sub")).unwrap();
        let (code, err) = compose_to(p, out);
        assert_eq!(code, 1, "{out}: {err}");
        assert!(err.contains(what), "{out}: {err}");
    }
    // `name:` chooses the default output: one that is an input's name is refused too.
    std::fs::write(p.join("pipeline.yaml"), format!("name: ok\n{pipeline}")).unwrap();
    let (code, err) = witpipe(p, &["compose", "pipeline.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the component file of `ok`"), "{err}");
    assert_eq!(std::fs::read(p.join("ok.wasm")).unwrap(), component);
    assert!(std::fs::read_to_string(p.join("pipeline.yaml"))
        .unwrap()
        .starts_with("name: ok"));
}
