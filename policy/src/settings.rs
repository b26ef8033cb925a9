//! What a wrapper instance is told: typed settings, written as `key=value` lines into
//! the tiny settings component the wrapper imports (keys in [`crate::settings_keys`],
//! shared with the wrappers' source).

use crate::families::fs::FsMode;
use crate::settings_keys as keys;

/// What a clock reports when the host's is not granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The epoch, and a monotonic clock that stays at zero.
    Zero,
    /// This many nanoseconds since the epoch.
    Fixed(u64),
}

/// Where random numbers come from when the host's are not granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Randomness {
    /// Asking traps.
    Deny,
    /// A generator with this seed.
    Seed(u64),
}

/// One setting of a wrapper instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// A fixed environment variable.
    Env(String, String),
    /// A fixed argument.
    Arg(String),
    /// The host's arguments.
    InheritArgs,
    /// The initial working directory (or `inherit`).
    Cwd(String),
    /// A host variable passed through (`*` for all).
    AllowEnv(String),
    /// The clocks.
    Clock(Clock),
    /// Randomness.
    Random(Randomness),
    /// A granted directory.
    Mount {
        /// Where the component sees it.
        guest: String,
        /// Read-only or read-write.
        mode: FsMode,
    },
    /// An allowed HTTP destination.
    AllowHttp(String),
    /// An allowed TCP destination.
    Connect(String),
    /// A configuration value served inside the output: key, value.
    Config(String, String),
    /// The host bucket behind the component's default key-value bucket.
    Bucket(String),
}

impl Setting {
    /// The `key=value` line (with its newline); values are one line each.
    pub fn line(&self) -> String {
        let one_line = |v: &str| v.replace('\n', " ");
        let (key, value) = match self {
            Setting::Env(name, value) => (keys::ENV, format!("{name}={}", one_line(value))),
            Setting::Arg(arg) => (keys::ARG, one_line(arg)),
            Setting::InheritArgs => (keys::ARGS, "inherit".into()),
            Setting::Cwd(cwd) => (keys::CWD, cwd.clone()),
            Setting::AllowEnv(name) => (keys::ALLOW_ENV, name.clone()),
            Setting::Clock(Clock::Zero) => (keys::CLOCK, "zero".into()),
            Setting::Clock(Clock::Fixed(ns)) => (keys::CLOCK, format!("fixed:{ns}")),
            Setting::Random(Randomness::Deny) => (keys::RANDOM, "deny".into()),
            Setting::Random(Randomness::Seed(seed)) => (keys::RANDOM, format!("seed:{seed}")),
            Setting::Mount { guest, mode } => {
                let mode = match mode {
                    FsMode::Ro => "ro",
                    FsMode::Rw => "rw",
                };
                (keys::MOUNT, format!("{guest}|{mode}"))
            }
            Setting::AllowHttp(pattern) => (keys::ALLOW_HTTP, pattern.clone()),
            Setting::Connect(rule) => (keys::CONNECT, rule.clone()),
            Setting::Config(key, value) => (
                keys::CONFIG,
                format!("{}={}", keys::escape(key), keys::escape(value)),
            ),
            Setting::Bucket(name) => (keys::BUCKET, name.clone()),
        };
        format!("{key}={value}\n")
    }
}

/// The settings text of a wrapper instance.
pub fn text(settings: &[Setting]) -> String {
    settings.iter().map(Setting::line).collect()
}
