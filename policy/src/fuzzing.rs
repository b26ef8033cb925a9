//! The settings round trip, for the `settings` fuzz target (`fuzz/`) and the tests
//! that replay it: whatever values the grants hold, the settings a wrapper reads back
//! (through the very parser the wrappers are built with, `policy/wrappers/settings.rs`)
//! are the settings witpipe meant, and no value adds, removes or moves a line.

use crate::families::clocks::Clock;
use crate::families::config::ConfigValue;
use crate::families::env::EnvSetting;
use crate::families::fs::{FsMode, Mount};
use crate::families::http::AllowHttp;
use crate::families::keyvalue::Bucket;
use crate::families::random::Randomness;
use crate::families::sockets::Connect;
use crate::registry::Setting;

/// The wrappers' own settings reader, compiled here as well: it brings its own copy of
/// `settings_keys.rs`, exactly as each wrapper compiles it.
#[allow(clippy::duplicate_mod)]
#[path = "../wrappers/settings.rs"]
mod guest;

use guest::keys;

/// What a wrapper sees of its settings, through the calls the wrappers make.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    lines: usize,
    env: Vec<(String, String)>,
    args: Vec<String>,
    inherit_args: bool,
    cwd: Option<String>,
    allow_env: Vec<String>,
    clock: Option<String>,
    random: Option<String>,
    mounts: Vec<(String, bool)>,
    allow_http: Vec<String>,
    connect: Vec<String>,
    config: Vec<(String, String)>,
    bucket: Option<String>,
}

/// What the wrappers read from `text`.
fn read_back(text: &str) -> Seen {
    let s = guest::Settings::parse(text);
    let all = |key| s.all(key).map(str::to_string).collect();
    let last = |key| s.get(key).map(str::to_string);
    Seen {
        lines: keys::parse(text).len(),
        env: s.fixed_env(),
        args: s.fixed_args(),
        inherit_args: s.get(keys::ARGS) == Some("inherit"),
        cwd: last(keys::CWD),
        allow_env: all(keys::ALLOW_ENV),
        clock: last(keys::CLOCK),
        random: last(keys::RANDOM),
        mounts: s.mounts(),
        allow_http: all(keys::ALLOW_HTTP),
        connect: all(keys::CONNECT),
        config: s.config(),
        bucket: last(keys::BUCKET),
    }
}

/// What witpipe meant the wrappers to see.
fn meant(settings: &[Setting]) -> Seen {
    let mut seen = Seen {
        lines: settings.len(),
        ..Seen::default()
    };
    for setting in settings {
        match setting.clone() {
            Setting::Environment(EnvSetting::Env(k, v)) => seen.env.push((k, v)),
            Setting::Environment(EnvSetting::Arg(a)) => seen.args.push(a),
            Setting::Environment(EnvSetting::InheritArgs) => seen.inherit_args = true,
            Setting::Environment(EnvSetting::Cwd(c)) => seen.cwd = Some(c),
            Setting::Environment(EnvSetting::AllowEnv(n)) => seen.allow_env.push(n),
            Setting::Clocks(Clock::Zero) => seen.clock = Some("zero".into()),
            Setting::Clocks(Clock::Fixed(ns)) => seen.clock = Some(format!("fixed:{ns}")),
            Setting::Random(Randomness::Deny) => seen.random = Some("deny".into()),
            Setting::Random(Randomness::Seed(n)) => seen.random = Some(format!("seed:{n}")),
            Setting::Fs(Mount { guest, mode }) => seen.mounts.push((guest, mode == FsMode::Rw)),
            Setting::Http(AllowHttp(p)) => seen.allow_http.push(p.to_string()),
            Setting::Sockets(Connect(r)) => seen.connect.push(r.to_string()),
            Setting::Config(ConfigValue(k, v)) => seen.config.push((k, v)),
            Setting::KeyValue(Bucket(b)) => seen.bucket = Some(b),
            Setting::Stdio(never) | Setting::Exit(never) => match never {},
        }
    }
    seen
}

/// The characters values are made of: the ones the format gives a meaning to, the
/// ones around them, and some that are not ASCII.
const ALPHABET: &[char] = &[
    '=', '\\', '\n', '\r', 'e', 'n', 'r', '|', '/', '*', ':', 'a', ' ', '\0', '\t', '%', 'é',
    '\u{2028}', '💥', '.',
];

/// Settings made from `data`, a byte at a time: each setting's kind, then its strings
/// (a length, then characters of `ALPHABET`).
pub fn settings_from_bytes(data: &[u8]) -> Vec<Setting> {
    let mut bytes = data.iter().copied();
    let string = |bytes: &mut dyn Iterator<Item = u8>| -> String {
        let len = bytes.next().unwrap_or(0) % 12;
        (0..len)
            .map_while(|_| bytes.next())
            .map(|b| ALPHABET[usize::from(b) % ALPHABET.len()])
            .collect()
    };
    let env = Setting::Environment;
    let mut out = Vec::new();
    while let Some(kind) = bytes.next() {
        let number = u64::from(bytes.next().unwrap_or(0)) << 7;
        out.push(match kind % 15 {
            0 => env(EnvSetting::Env(string(&mut bytes), string(&mut bytes))),
            1 => env(EnvSetting::Arg(string(&mut bytes))),
            2 => env(EnvSetting::InheritArgs),
            3 => env(EnvSetting::Cwd(string(&mut bytes))),
            4 => env(EnvSetting::AllowEnv(string(&mut bytes))),
            5 => Setting::Clocks(Clock::Zero),
            6 => Setting::Clocks(Clock::Fixed(number)),
            7 => Setting::Random(Randomness::Deny),
            8 => Setting::Random(Randomness::Seed(number)),
            9 => Setting::Fs(Mount {
                guest: string(&mut bytes),
                mode: if number & 128 == 0 {
                    FsMode::Ro
                } else {
                    FsMode::Rw
                },
            }),
            10 => Setting::Http(AllowHttp(crate::grammar::HttpPattern {
                scheme: string(&mut bytes),
                host: string(&mut bytes),
                port: crate::grammar::PatternPort::Default,
            })),
            11 => Setting::Sockets(Connect(crate::grammar::ConnectRule {
                net: None,
                port: (number != 0).then_some(number as u16),
            })),
            12 => Setting::Config(ConfigValue(string(&mut bytes), string(&mut bytes))),
            13 => Setting::KeyValue(Bucket(string(&mut bytes))),
            _ => env(EnvSetting::Env(string(&mut bytes), String::new())),
        });
    }
    out
}

/// Writes `settings` as witpipe does and reads them back as the wrappers do; an `Err`
/// says how what they read differs from what was meant.
pub fn round_trip(settings: &[Setting]) -> Result<(), String> {
    let text: String = settings.iter().map(Setting::line).collect();
    let (back, meant) = (read_back(&text), meant(settings));
    if back == meant {
        Ok(())
    } else {
        Err(format!(
            "settings {settings:?}\nwritten as {text:?}\nread back as {back:?}\nmeant {meant:?}"
        ))
    }
}

/// The fuzz target's body: the round trip of the settings `data` makes.
pub fn settings_bytes(data: &[u8]) -> Result<(), String> {
    round_trip(&settings_from_bytes(data))
}

#[cfg(test)]
mod tests {
    use super::{round_trip, settings_bytes};
    use crate::families::config::ConfigValue;
    use crate::families::env::EnvSetting::{Arg, Cwd, Env};
    use crate::families::fs::Mount;
    use crate::registry::Setting;
    use crate::FsMode;

    #[test]
    fn the_injections_found_read_back_as_plain_values() {
        let env = Setting::Environment;
        let cases = [
            vec![env(Cwd("/srv\nallow-env=*".into()))],
            vec![Setting::Fs(Mount {
                guest: "/data\nmount=/|rw".into(),
                mode: FsMode::Ro,
            })],
            vec![env(Env(
                "MODE".into(),
                "x\nallow-env=*\r\nmount=/=rw".into(),
            ))],
            vec![env(Arg("a\\".into())), env(Arg("\\nallow-env=*".into()))],
            vec![Setting::Config(ConfigValue("k=\\e".into(), "v\\".into()))],
            vec![env(Env(String::new(), "=".into()))],
        ];
        for case in cases {
            round_trip(&case).unwrap();
        }
    }

    /// The property: any values, here from a fixed-seed generator so a failure repeats.
    #[test]
    fn any_values_read_back_as_written() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 96) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            settings_bytes(&data).unwrap();
        }
    }
}
