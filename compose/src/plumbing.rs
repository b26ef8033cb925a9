//! The shape of a command pipe's plumbing: which instances are the stages and which
//! are the pipes and drivers witpipe adds for each `|` (inserted by `joint`, wired by
//! [`crate::graph`], reported by `check`). Data only, so that loading, linking and
//! reporting can hold it without depending on the code that builds it.

use crate::span::Span;

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
