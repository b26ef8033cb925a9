//! The `key=value` settings a wrapper instance was composed with (shared by the
//! wrappers through `#[path]`).
#![allow(dead_code)] // each wrapper uses only some of these

/// The keys, one definition shared with `witpipe-policy`, which writes them.
#[path = "../src/settings_keys.rs"]
pub mod keys;

/// Parsed settings: every `key=value` line, in order.
pub struct Settings {
    lines: Vec<(String, String)>,
}

impl Settings {
    /// Parses `text`; lines without `=` are ignored.
    pub fn parse(text: &str) -> Self {
        Settings {
            lines: text
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// Every value of `key`.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.lines
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The last value of `key`.
    pub fn get<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        self.all(key).last()
    }

    /// Fixed `env=NAME=VALUE` entries.
    pub fn fixed_env(&self) -> Vec<(String, String)> {
        self.all(keys::ENV)
            .filter_map(|e| e.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Fixed `arg=VALUE` entries.
    pub fn fixed_args(&self) -> Vec<String> {
        self.all(keys::ARG).map(str::to_string).collect()
    }
}
