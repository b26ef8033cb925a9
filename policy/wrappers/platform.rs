//! What both guards (WASI 0.2 and 0.3) answer the same way: the settings, denials,
//! the fixed clock and the seeded generator (shared through `#[path]`; the crate
//! generates `witpipe::policy::settings` at its root).

use crate::settings::{keys, Settings};
use std::cell::Cell;

thread_local! {
    pub static SETTINGS: Settings = Settings::parse(&crate::witpipe::policy::settings::get());
    static RNG: Cell<Option<u64>> = const { Cell::new(None) };
    /// The clocks' fixed time, read from the settings once (a clock is read often).
    static FIXED_TIME: u64 = setting(keys::CLOCK)
        .and_then(|c| c.strip_prefix("fixed:").and_then(|n| n.parse().ok()))
        .unwrap_or(0);
}

/// The last value of settings key `key`.
pub fn setting(key: &str) -> Option<String> {
    SETTINGS.with(|s| s.get(key).map(str::to_string))
}

/// Stops the instance: used where the WIT leaves no way to say "denied". The trap
/// happens in the settings component, which names the instance and `what`.
pub fn deny(what: &str) -> ! {
    if let Some(code) = keys::DENIALS.iter().position(|d| *d == what) {
        crate::witpipe::policy::settings::deny(code as u32);
    }
    unreachable!()
}

/// Nanoseconds since the epoch that the clocks report.
pub fn fixed_time() -> u64 {
    FIXED_TIME.with(|t| *t)
}

/// The next value of the seeded generator (splitmix64); traps when random is denied.
pub fn next_u64() -> u64 {
    RNG.with(|state| {
        let s = match state.get() {
            Some(s) => s,
            None => setting(keys::RANDOM)
                .and_then(|r| r.strip_prefix("seed:").and_then(|n| n.parse().ok()))
                .unwrap_or_else(|| deny("random")),
        };
        let s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        state.set(Some(s));
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

/// `len` bytes of the seeded generator.
pub fn bytes(len: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len as usize);
    while (out.len() as u64) < len {
        out.extend_from_slice(&next_u64().to_le_bytes());
    }
    out.truncate(len as usize);
    out
}

/// The exports both guards answer alike (environment, exit, terminals, `random`,
/// `insecure`), written once for each crate's own bindings: the `exports::wasi::*`
/// paths and these functions are the same at WASI 0.2 and 0.3, but for the name of
/// the working-directory function (`$cwd`).
macro_rules! answered_alike {
    ($guard:ident, $cwd:ident) => {
        impl crate::exports::wasi::cli::environment::Guest for $guard {
            fn get_environment() -> Vec<(String, String)> {
                crate::platform::SETTINGS.with(crate::settings::Settings::fixed_env)
            }
            fn get_arguments() -> Vec<String> {
                crate::platform::SETTINGS.with(crate::settings::Settings::fixed_args)
            }
            fn $cwd() -> Option<String> {
                crate::platform::setting(crate::settings::keys::CWD)
            }
        }

        impl crate::exports::wasi::cli::exit::Guest for $guard {
            fn exit(_status: Result<(), ()>) {
                crate::platform::deny("exit")
            }
            fn exit_with_code(_code: u8) {
                crate::platform::deny("exit")
            }
        }

        /// A terminal that is never handed out.
        pub struct NoTerminal;

        impl crate::exports::wasi::cli::terminal_input::Guest for $guard {
            type TerminalInput = NoTerminal;
        }
        impl crate::exports::wasi::cli::terminal_input::GuestTerminalInput for NoTerminal {}
        impl crate::exports::wasi::cli::terminal_output::Guest for $guard {
            type TerminalOutput = NoTerminal;
        }
        impl crate::exports::wasi::cli::terminal_output::GuestTerminalOutput for NoTerminal {}

        impl crate::exports::wasi::cli::terminal_stdin::Guest for $guard {
            fn get_terminal_stdin(
            ) -> Option<crate::exports::wasi::cli::terminal_input::TerminalInput> {
                None
            }
        }
        impl crate::exports::wasi::cli::terminal_stdout::Guest for $guard {
            fn get_terminal_stdout(
            ) -> Option<crate::exports::wasi::cli::terminal_output::TerminalOutput> {
                None
            }
        }
        impl crate::exports::wasi::cli::terminal_stderr::Guest for $guard {
            fn get_terminal_stderr(
            ) -> Option<crate::exports::wasi::cli::terminal_output::TerminalOutput> {
                None
            }
        }

        impl crate::exports::wasi::random::random::Guest for $guard {
            fn get_random_bytes(len: u64) -> Vec<u8> {
                crate::platform::bytes(len)
            }
            fn get_random_u64() -> u64 {
                crate::platform::next_u64()
            }
        }

        impl crate::exports::wasi::random::insecure::Guest for $guard {
            fn get_insecure_random_bytes(len: u64) -> Vec<u8> {
                crate::platform::bytes(len)
            }
            fn get_insecure_random_u64() -> u64 {
                crate::platform::next_u64()
            }
        }
    };
}
pub(crate) use answered_alike;
