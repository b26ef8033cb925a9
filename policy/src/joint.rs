//! The plumbing of command pipes: the guest components that join one `wasi:cli`
//! command's stdout to the next one's stdin and run both (built like the wrappers, in
//! `joint/pipe` and `joint/driver`). They hold no authority: their
//! only import from the host is `wasi:cli/types`, which holds types only.

use crate::wrappers::retarget;

/// The WASI release the plumbing is built against.
pub const JOINT_BUILT_FOR: &str = "0.3.2";

/// The interface the left stage's `wasi:cli/stdout` import is linked to.
pub const UPSTREAM: &str = "witpipe:joint/upstream@0.1.0";
/// The interface the right stage's `wasi:cli/stdin` import is linked to.
pub const DOWNSTREAM: &str = "witpipe:joint/downstream@0.1.0";
/// What a driver asks of its pipe.
pub const CONTROL: &str = "witpipe:joint/control@0.1.0";
/// A driver's left side: the first stage's `run`, or the driver before.
pub const LEFT: &str = "witpipe:joint/left@0.1.0";
/// A driver's right side: the next stage's `run`.
pub const RIGHT: &str = "witpipe:joint/right@0.1.0";
/// Which stages failed: each driver exports it and imports the one before (the first
/// driver, its pipe's); the output exports the last driver's.
pub const STATUS: &str = "witpipe:joint/status@0.1.0";

/// The middle of one `|`, retargeted to WASI `version` (a 0.3 release it serves).
pub fn pipe_component(version: &str) -> Result<Vec<u8>, String> {
    retarget(
        include_bytes!("../joint/components/pipe.wasm"),
        JOINT_BUILT_FOR,
        version,
    )
}

/// The driver of one `|`, retargeted to WASI `version`: it exports `wasi:cli/run`.
pub fn driver_component(version: &str) -> Result<Vec<u8>, String> {
    retarget(
        include_bytes!("../joint/components/driver.wasm"),
        JOINT_BUILT_FOR,
        version,
    )
}
