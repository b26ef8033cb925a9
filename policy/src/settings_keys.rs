//! The settings lines witpipe writes for its wrappers and the wrappers read (their keys,
//! and how a line is written and read): one definition for both sides (the wrappers, Rust guests in
//! `policy/wrappers/`, include this file).
#![allow(dead_code)] // each side uses only some of them

/// A fixed environment variable: fields NAME, VALUE (guard, env-filter).
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
/// A granted directory: fields GUEST, `ro` or `rw` (fs-guard).
pub const MOUNT: &str = "mount";
/// An allowed HTTP destination, `scheme://host[:port]` (http-guard).
pub const ALLOW_HTTP: &str = "allow";
/// An allowed TCP destination, `ADDRESS[/PREFIX]:PORT` (sockets-guard).
pub const CONNECT: &str = "connect";
/// A configuration value: fields KEY, VALUE (config-store).
pub const CONFIG: &str = "config";
/// The host bucket behind the component's default bucket (keyvalue-bucket).
pub const BUCKET: &str = "bucket";

/// One settings line: `KEY=FIELD[=FIELD…]` and its newline, every field [`escape`]d, so
/// that no value, whatever it holds, can end its line, start another or move a field
/// boundary. [`parse`] reads it back.
pub fn line(key: &str, fields: &[&str]) -> String {
    let mut out = String::from(key);
    for field in fields {
        out.push('=');
        out.push_str(&escape(field));
    }
    out.push('\n');
    out
}

/// Every line of `text` that [`line`] wrote: its key and its fields, unescaped. A line
/// without `=` is not one of them and is skipped.
pub fn parse(text: &str) -> Vec<(String, Vec<String>)> {
    text.split('\n')
        .filter_map(|l| {
            let mut parts = l.split('=');
            let key = parts.next()?;
            let fields: Vec<String> = parts.map(unescape).collect();
            (!fields.is_empty()).then(|| (key.to_string(), fields))
        })
        .collect()
}

/// `text` as one field: no `=`, no line break. `\\`, `\n`, `\r` and `\e` (for `=`)
/// stand for themselves; [`unescape`] reverses it.
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

/// The text [`escape`] made `field` from.
pub fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
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
