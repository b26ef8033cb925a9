//! The keys of the `key=value` settings lines witpipe writes for its wrappers and the
//! wrappers read: one definition for both sides (the wrappers, Rust guests in
//! `policy/wrappers/`, include this file).
#![allow(dead_code)] // each side uses only some of them

/// A fixed environment variable, `NAME=VALUE` (guard, env-filter).
pub const ENV: &str = "env";
/// A fixed argument, one per line, in order (guard, env-filter).
pub const ARG: &str = "arg";
/// `inherit`: the host's arguments (env-filter).
pub const ARGS: &str = "args";
/// The initial working directory, or `inherit` (guard, env-filter).
pub const CWD: &str = "cwd";
/// A host variable the component may read, `*` for all (env-filter).
pub const ALLOW_ENV: &str = "allow-env";
/// `zero` or `fixed:NANOSECONDS` (guard).
pub const CLOCK: &str = "clock";
/// `deny` or `seed:N` (guard).
pub const RANDOM: &str = "random";
/// A granted directory, `GUEST|ro` or `GUEST|rw` (fs-guard).
pub const MOUNT: &str = "mount";
/// An allowed HTTP destination, `scheme://host[:port]` (http-guard).
pub const ALLOW_HTTP: &str = "allow";
/// An allowed TCP destination, `ADDRESS[/PREFIX]:PORT` (sockets-guard).
pub const CONNECT: &str = "connect";
/// A configuration value, `KEY=VALUE`, both [`escape`]d (config-store).
pub const CONFIG: &str = "config";
/// The host bucket behind the component's default bucket (keyvalue-bucket).
pub const BUCKET: &str = "bucket";

/// `text` as one line with no `=`: `\\`, `\n`, `\r` and `\e` (for `=`) stand for
/// themselves; [`unescape`] reverses it.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '=' => out.push_str("\\e"),
            c => out.push(c),
        }
    }
    out
}

/// The text [`escape`] made `line` from.
pub fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('e') => out.push('='),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// What the guard refuses by stopping the component (the WIT leaves it no error to
/// return). The guard calls `settings.deny(index)`; the settings component traps in a
/// function named after the entry, inside a module named [`DENIAL_MODULE`] + the
/// instance, so a host can say who was denied what.
pub const DENIALS: [&str; 6] = ["exit", "stdin", "stdout", "stderr", "clock-wait", "random"];

/// The name-section module name of a settings component, before the instance name.
pub const DENIAL_MODULE: &str = "witpipe-policy-of:";
