//! The plumbing of command pipes: the guest components that join one `wasi:cli`
//! command's stdout to the next one's stdin and run both (in `compose/plumbing/`, their
//! own workspace, built like the wrappers), the interfaces that wire them, and the
//! shape of a pipe's plumbing: which instances are the stages and which are the pipes
//! and drivers witpipe adds for each `|` (inserted by `joint`, wired by
//! [`crate::graph`], reported by `check`). The components hold no authority: their only
//! import from the host is `wasi:cli/types`, which holds types only.

use crate::span::Span;
use witpipe_policy::retarget;

/// One `|` of a command pipe.
#[derive(Debug, Clone)]
pub struct Joint {
    /// The stage left of the `|`: its stdout feeds the pipe.
    pub left_stage: usize,
    /// Whose `run` is the driver's left side: the first stage, or the driver before.
    pub left: usize,
    /// The stage right of the `|`: it reads the pipe as its stdin.
    pub right: usize,
    /// The pipe instance.
    pub pipe: usize,
    /// The driver instance.
    pub driver: usize,
    /// The right stage's entry in `pipe:`.
    pub span: Span,
}

/// A `pipe:` of commands, with the plumbing witpipe added for it.
#[derive(Debug, Clone)]
pub struct CommandPipe {
    /// The stages, in pipe order.
    pub stages: Vec<usize>,
    /// One per `|`, in pipe order; the last one's driver is the output's `run`.
    pub joints: Vec<Joint>,
}

impl CommandPipe {
    /// The plumbing instances: each `|`'s pipe and driver.
    pub fn plumbing(&self) -> impl Iterator<Item = usize> + '_ {
        self.joints.iter().flat_map(|j| [j.pipe, j.driver])
    }
}

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
        include_bytes!("../plumbing/components/pipe.wasm"),
        JOINT_BUILT_FOR,
        version,
    )
}

/// The driver of one `|`, retargeted to WASI `version`: it exports `wasi:cli/run`.
pub fn driver_component(version: &str) -> Result<Vec<u8>, String> {
    retarget(
        include_bytes!("../plumbing/components/driver.wasm"),
        JOINT_BUILT_FOR,
        version,
    )
}
