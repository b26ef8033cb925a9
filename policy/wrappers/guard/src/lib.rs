//! The virtual platform for one guarded component.
//!
//! Routed here are only the WASI interfaces a component may *not* use from the host
//! (or uses deterministically); allowed ones bypass this wrapper entirely, so it
//! imports nothing from the host but `wasi:io` resource types. How each denial looks:
//!
//! - environment: the fixed variables, arguments and cwd of the settings (default none);
//! - exit: traps (the instance stops; the WIT has no error to return);
//! - stdin/stdout/stderr: trap when the component first asks for the stream (the WIT
//!   has no error and a stream can only come from the host);
//! - terminals: none;
//! - clocks: `clock=zero` gives the epoch and a zero monotonic clock, `clock=fixed:N`
//!   gives N nanoseconds; waiting on a clock traps;
//! - random: `random=deny` traps (zero bytes would be a silent hazard),
//!   `random=seed:N` gives a deterministic sequence.

#[path = "../../platform.rs"]
mod platform;
#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/guard",
    generate_all,
});

use exports::wasi::cli;
use exports::wasi::clocks;
use exports::wasi::random;
use platform::{deny, fixed_time, next_u64};
use wasi::io::poll::Pollable;
use wasi::io::streams::{InputStream, OutputStream};

struct Guard;

impl cli::stdin::Guest for Guard {
    fn get_stdin() -> InputStream {
        deny("stdin")
    }
}

impl cli::stdout::Guest for Guard {
    fn get_stdout() -> OutputStream {
        deny("stdout")
    }
}

impl cli::stderr::Guest for Guard {
    fn get_stderr() -> OutputStream {
        deny("stderr")
    }
}

impl clocks::monotonic_clock::Guest for Guard {
    fn now() -> u64 {
        fixed_time()
    }
    fn resolution() -> u64 {
        1
    }
    fn subscribe_instant(_when: u64) -> Pollable {
        deny("clock-wait")
    }
    fn subscribe_duration(_when: u64) -> Pollable {
        deny("clock-wait")
    }
}

impl clocks::wall_clock::Guest for Guard {
    fn now() -> clocks::wall_clock::Datetime {
        let t = fixed_time();
        clocks::wall_clock::Datetime {
            seconds: t / 1_000_000_000,
            nanoseconds: (t % 1_000_000_000) as u32,
        }
    }
    fn resolution() -> clocks::wall_clock::Datetime {
        clocks::wall_clock::Datetime {
            seconds: 0,
            nanoseconds: 1,
        }
    }
}

impl random::insecure_seed::Guest for Guard {
    fn insecure_seed() -> (u64, u64) {
        (next_u64(), next_u64())
    }
}

platform::answered_alike!(Guard, initial_cwd);

export!(Guard);
