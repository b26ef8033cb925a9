//! The settings a wrapper instance was composed with (shared by the wrappers through
//! `#[path]`, and by `witpipe-policy`'s round-trip test of what it writes).
#![allow(dead_code)] // each wrapper uses only some of these

/// The keys and the line format, one definition shared with `witpipe-policy`, which
/// writes them.
#[path = "../src/settings_keys.rs"]
pub mod keys;

/// Parsed settings: every line's key and fields (unescaped), in order.
pub struct Settings {
    lines: Vec<(String, Vec<String>)>,
}

impl Settings {
    /// Parses `text` ([`keys::parse`]).
    pub fn parse(text: &str) -> Self {
        Settings {
            lines: keys::parse(text),
        }
    }

    /// The fields of every line of `key`.
    fn lines<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a [String]> + 'a {
        self.lines
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, fields)| fields.as_slice())
    }

    /// The value (first field) of every line of `key`.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.lines(key).map(|f| f[0].as_str())
    }

    /// The last value of `key`.
    pub fn get<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        self.all(key).last()
    }

    /// The two fields of every line of `key` that has two.
    pub fn pairs<'a>(&'a self, key: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.lines(key).filter_map(|f| match f {
            [a, b] => Some((a.as_str(), b.as_str())),
            _ => None,
        })
    }

    /// Fixed environment variables, `(NAME, VALUE)`.
    pub fn fixed_env(&self) -> Vec<(String, String)> {
        self.pairs(keys::ENV)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Fixed arguments, in order.
    pub fn fixed_args(&self) -> Vec<String> {
        self.all(keys::ARG).map(str::to_string).collect()
    }

    /// The mounts: `(guest path, writable)`.
    pub fn mounts(&self) -> Vec<(String, bool)> {
        self.pairs(keys::MOUNT)
            .map(|(guest, mode)| (guest.to_string(), mode == "rw"))
            .collect()
    }

    /// The configuration values, `(KEY, VALUE)`, in order.
    pub fn config(&self) -> Vec<(String, String)> {
        self.pairs(keys::CONFIG)
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}
