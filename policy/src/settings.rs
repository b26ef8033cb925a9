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
    AllowHttp(crate::grammar::HttpPattern),
    /// An allowed TCP destination.
    Connect(crate::grammar::ConnectRule),
    /// A configuration value served inside the output: key, value.
    Config(String, String),
    /// The host bucket behind the component's default key-value bucket.
    Bucket(String),
}

impl Setting {
    /// The settings line (with its newline): a key and its fields, each escaped
    /// (`keys::line`), so that a value cannot end its line or start another.
    pub fn line(&self) -> String {
        let owned: String;
        let (key, fields): (&str, Vec<&str>) = match self {
            Setting::Env(name, value) => (keys::ENV, vec![name, value]),
            Setting::Arg(arg) => (keys::ARG, vec![arg]),
            Setting::InheritArgs => (keys::ARGS, vec!["inherit"]),
            Setting::Cwd(cwd) => (keys::CWD, vec![cwd]),
            Setting::AllowEnv(name) => (keys::ALLOW_ENV, vec![name]),
            Setting::Clock(Clock::Zero) => (keys::CLOCK, vec!["zero"]),
            Setting::Clock(Clock::Fixed(ns)) => {
                owned = format!("fixed:{ns}");
                (keys::CLOCK, vec![&owned])
            }
            Setting::Random(Randomness::Deny) => (keys::RANDOM, vec!["deny"]),
            Setting::Random(Randomness::Seed(seed)) => {
                owned = format!("seed:{seed}");
                (keys::RANDOM, vec![&owned])
            }
            Setting::Mount { guest, mode } => {
                let mode = match mode {
                    FsMode::Ro => "ro",
                    FsMode::Rw => "rw",
                };
                (keys::MOUNT, vec![guest, mode])
            }
            Setting::AllowHttp(pattern) => {
                owned = pattern.to_string();
                (keys::ALLOW_HTTP, vec![&owned])
            }
            Setting::Connect(rule) => {
                owned = rule.to_string();
                (keys::CONNECT, vec![&owned])
            }
            Setting::Config(key, value) => (keys::CONFIG, vec![key, value]),
            Setting::Bucket(name) => (keys::BUCKET, vec![name]),
        };
        keys::line(key, &fields)
    }
}

/// The settings text of a wrapper instance.
pub fn text(settings: &[Setting]) -> String {
    settings.iter().map(Setting::line).collect()
}
