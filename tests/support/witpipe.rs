//! The witpipe binary under test.

use std::path::Path;
use std::process::Command;

/// The witpipe binary, with a compile cache of the tests' own.
pub fn witpipe() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_witpipe"));
    cmd.env(
        "WITPIPE_CACHE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
    );
    cmd
}

/// Runs `cmd` to the end: (exit code, stdout, stderr).
#[allow(dead_code)] // not every test file runs commands this way
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}
