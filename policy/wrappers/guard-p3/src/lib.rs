//! The virtual platform for one guarded component, at WASI 0.3.
//!
//! As the 0.2 guard (`../guard`), this answers only what a component may *not* take
//! from the host; granted interfaces bypass it. WASI 0.3 lets most denials be said
//! without stopping the component:
//!
//! - environment: the fixed variables, arguments and cwd of the settings;
//! - stdin: an empty stream, and the future says it ended without error;
//! - stdout/stderr: the component's stream is dropped unread (its writes see the
//!   reader gone) and the future says `pipe` (see `p3_future::ready` for how a
//!   synchronous function hands out a future with a value);
//! - terminals: none;
//! - clocks: the settings' fixed time; waiting on a clock traps (waiting would
//!   reveal real time);
//! - exit: traps (the WIT has no error to return);
//! - random: `random=deny` traps (zero bytes would be a silent hazard),
//!   `random=seed:N` gives a deterministic sequence.

#[path = "../../p3_future.rs"]
mod p3_future;
#[path = "../../platform.rs"]
mod platform;
#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/guard",
    generate_all,
});

use exports::wasi::cli;
use exports::wasi::clocks;
use exports::wasi::random;
use platform::{deny, fixed_time, next_u64};
use wasi::cli::types::ErrorCode;
use wit_bindgen::{FutureReader, StreamReader};

struct Guard;

/// A future that already holds `value` (see `p3_future::ready`).
fn ready(value: Result<(), ErrorCode>) -> FutureReader<Result<(), ErrorCode>> {
    p3_future::ready(
        <Result<(), ErrorCode> as wit_future::FuturePayload>::VTABLE,
        value,
    )
}

impl cli::stdin::Guest for Guard {
    fn read_via_stream() -> (StreamReader<u8>, FutureReader<Result<(), ErrorCode>>) {
        // An empty stream: its writer is dropped before anything is written.
        let (_writer, reader) = wit_stream::new::<u8>();
        (reader, ready(Ok(())))
    }
}

impl cli::stdout::Guest for Guard {
    fn write_via_stream(data: StreamReader<u8>) -> FutureReader<Result<(), ErrorCode>> {
        drop(data);
        ready(Err(ErrorCode::Pipe))
    }
}

impl cli::stderr::Guest for Guard {
    fn write_via_stream(data: StreamReader<u8>) -> FutureReader<Result<(), ErrorCode>> {
        drop(data);
        ready(Err(ErrorCode::Pipe))
    }
}

impl clocks::monotonic_clock::Guest for Guard {
    fn now() -> u64 {
        fixed_time()
    }
    fn get_resolution() -> u64 {
        1
    }
    async fn wait_until(_when: u64) {
        deny("clock-wait")
    }
    async fn wait_for(_how_long: u64) {
        deny("clock-wait")
    }
}

impl clocks::system_clock::Guest for Guard {
    fn now() -> clocks::system_clock::Instant {
        let t = fixed_time();
        clocks::system_clock::Instant {
            seconds: (t / 1_000_000_000) as i64,
            nanoseconds: (t % 1_000_000_000) as u32,
        }
    }
    fn get_resolution() -> u64 {
        1
    }
}

impl random::insecure_seed::Guest for Guard {
    fn get_insecure_seed() -> (u64, u64) {
        (next_u64(), next_u64())
    }
}

platform::answered_alike!(Guard, get_initial_cwd);

export!(Guard);
