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
