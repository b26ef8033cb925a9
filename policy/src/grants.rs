//! The `grants:` and `defaults:` blocks: what a component may touch.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::fmt;

/// Allowed or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// The host serves it.
    Allow,
    /// Nothing is served.
    #[default]
    Deny,
}

/// What the clocks report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockMode {
    /// The host's clocks.
    Allow,
    /// The epoch, always.
    Deny,
    /// A fixed time (the epoch), the same on every run.
    Deterministic,
}

/// Where random numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RandomMode {
    /// The host's generator.
    Allow,
    /// None: asking traps.
    Deny,
    /// A fixed-seed generator, the same sequence on every run.
    Deterministic,
}

/// Environment variables: passed through from the host and/or set to fixed values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvGrant {
    /// Host variables passed through (`*` for all).
    pub allow: Vec<String>,
    /// Fixed `NAME=VALUE` pairs, baked into the output.
    pub set: Vec<(String, String)>,
}

/// Command-line arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsGrant {
    /// The host's arguments.
    Inherit,
    /// Fixed arguments, baked into the output.
    Fixed(Vec<String>),
}

/// Read-only or read-write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FsMode {
    /// Reads only: every mutation fails with `read-only`, whatever the host allows.
    #[default]
    Ro,
    /// Reads and writes.
    Rw,
}

/// One granted directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FsMount {
    /// The host directory, relative to the pipeline file.
    pub host: String,
    /// Where the component sees it (an absolute guest path such as `/data`).
    pub guest: String,
    /// `ro` (default) or `rw`.
    #[serde(default)]
    pub mode: FsMode,
}

/// Network access: outgoing TCP to listed addresses, and name lookup.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SocketsGrant {
    /// `ADDRESS[/PREFIX]:PORT` (`[v6]:PORT`; `*` for any address or port).
    #[serde(default)]
    pub connect: Vec<Spanned<String>>,
    /// Name lookup (`allow` or `deny`, the default).
    #[serde(default)]
    pub lookup: Access,
}

/// One grants block as written, with locations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GrantsSpec {
    /// `env:` — a list of host variables, `all`, or `{ allow: [...], set: {...} }`.
    pub env: Option<Spanned<EnvGrant>>,
    /// `args:` — `inherit` or a list.
    pub args: Option<Spanned<ArgsGrant>>,
    /// `cwd:` — `inherit` or a path.
    pub cwd: Option<Spanned<String>>,
    /// `stdio:` — all three streams at once.
    pub stdio: Option<Spanned<Access>>,
    /// `stdin:`.
    pub stdin: Option<Spanned<Access>>,
    /// `stdout:`.
    pub stdout: Option<Spanned<Access>>,
    /// `stderr:`.
    pub stderr: Option<Spanned<Access>>,
    /// `exit:`.
    pub exit: Option<Spanned<Access>>,
    /// `clocks:`.
    pub clocks: Option<Spanned<ClockMode>>,
    /// `random:`.
    pub random: Option<Spanned<RandomMode>>,
    /// `imports:` — non-WASI imports the host may serve.
    pub imports: Option<Spanned<Vec<Spanned<String>>>>,
    /// `deny:` — capabilities denied whatever else says (beats `defaults:`).
    pub deny: Option<Spanned<Vec<Spanned<String>>>>,
    /// `fs:` — directories: `[{ host: ./data, guest: /data, mode: ro }]`.
    pub fs: Option<Spanned<Vec<Spanned<FsMount>>>>,
    /// `http:` — allowed outgoing destinations, `scheme://host[:port]` with `*`.
    pub http: Option<Spanned<Vec<Spanned<String>>>>,
    /// `sockets:` — `{ connect: [ADDR[/PREFIX]:PORT, ...], lookup: allow }`.
    pub sockets: Option<Spanned<SocketsGrant>>,
    /// `keyvalue:` — `allow` lets the host serve `wasi:keyvalue` (its store).
    pub keyvalue: Option<Spanned<Access>>,
    /// `config:` — the `wasi:config/store` values the host hands the component.
    pub config: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

/// The capability names `deny:` accepts.
pub const CAPABILITIES: &[&str] = &[
    "env", "args", "cwd", "stdio", "stdin", "stdout", "stderr", "exit", "clocks", "random", "fs",
    "http", "sockets", "keyvalue", "config",
];

impl<'de> Deserialize<'de> for EnvGrant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Map {
            #[serde(default)]
            allow: Vec<String>,
            #[serde(default)]
            set: std::collections::BTreeMap<String, String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EnvGrant;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of host variables, `all`, or a mapping with `allow` and `set`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<EnvGrant, E> {
                match s {
                    "all" => Ok(EnvGrant {
                        allow: vec!["*".into()],
                        set: Vec::new(),
                    }),
                    "none" => Ok(EnvGrant::default()),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<EnvGrant, A::Error> {
                let mut allow = Vec::new();
                while let Some(v) = s.next_element()? {
                    allow.push(v);
                }
                Ok(EnvGrant {
                    allow,
                    set: Vec::new(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<EnvGrant, A::Error> {
                let map = Map::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(EnvGrant {
                    allow: map.allow,
                    set: map.set.into_iter().collect(),
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ArgsGrant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ArgsGrant;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`inherit` or a list of arguments")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ArgsGrant, E> {
                match s {
                    "inherit" => Ok(ArgsGrant::Inherit),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<ArgsGrant, A::Error> {
                let mut args = Vec::new();
                while let Some(v) = s.next_element()? {
                    args.push(v);
                }
                Ok(ArgsGrant::Fixed(args))
            }
        }
        d.deserialize_any(V)
    }
}

/// The grants in force for one component: `defaults:` overlaid by its own block,
/// with every `deny:` applied last. Nothing is granted unless a block says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    /// Environment variables.
    pub env: EnvGrant,
    /// Arguments.
    pub args: ArgsGrant,
    /// Initial working directory: `None` none, `Some("inherit")` the host's.
    pub cwd: Option<String>,
    /// Standard input.
    pub stdin: Access,
    /// Standard output.
    pub stdout: Access,
    /// Standard error.
    pub stderr: Access,
    /// Exiting with a status.
    pub exit: Access,
    /// Clocks.
    pub clocks: ClockMode,
    /// Randomness.
    pub random: RandomMode,
    /// Non-WASI imports the host may serve.
    pub imports: Vec<String>,
    /// Granted directories.
    pub fs: Vec<FsMount>,
    /// Allowed outgoing HTTP destinations.
    pub http: Vec<String>,
    /// Allowed outgoing TCP destinations.
    pub connect: Vec<String>,
    /// Name lookup.
    pub lookup: Access,
    /// `wasi:keyvalue` served by the host.
    pub keyvalue: Access,
    /// `wasi:config/store` values, if the component may read configuration.
    pub config: Option<Vec<(String, String)>>,
}

impl Default for Grants {
    /// Deny by default: no environment, arguments, cwd, stdio, exit, clocks or randomness.
    fn default() -> Self {
        Grants {
            env: EnvGrant::default(),
            args: ArgsGrant::Fixed(Vec::new()),
            cwd: None,
            stdin: Access::Deny,
            stdout: Access::Deny,
            stderr: Access::Deny,
            exit: Access::Deny,
            clocks: ClockMode::Deny,
            random: RandomMode::Deny,
            imports: Vec::new(),
            fs: Vec::new(),
            http: Vec::new(),
            connect: Vec::new(),
            lookup: Access::Deny,
            keyvalue: Access::Deny,
            config: None,
        }
    }
}

impl Grants {
    /// Overlays `spec` on `self` (a key in `spec` replaces the same key here).
    pub fn overlay(&mut self, spec: &GrantsSpec) {
        if let Some(e) = &spec.env {
            self.env = e.value.clone();
        }
        if let Some(a) = &spec.args {
            self.args = a.value.clone();
        }
        if let Some(c) = &spec.cwd {
            self.cwd = Some(c.value.clone());
        }
        if let Some(s) = &spec.stdio {
            (self.stdin, self.stdout, self.stderr) = (s.value, s.value, s.value);
        }
        for (field, value) in [
            (&mut self.stdin, &spec.stdin),
            (&mut self.stdout, &spec.stdout),
            (&mut self.stderr, &spec.stderr),
            (&mut self.exit, &spec.exit),
        ] {
            if let Some(v) = value {
                *field = v.value;
            }
        }
        if let Some(c) = &spec.clocks {
            self.clocks = c.value;
        }
        if let Some(r) = &spec.random {
            self.random = r.value;
        }
        if let Some(h) = &spec.http {
            self.http = h.value.iter().map(|p| p.value.clone()).collect();
        }
        if let Some(so) = &spec.sockets {
            self.connect = so.value.connect.iter().map(|c| c.value.clone()).collect();
            self.lookup = so.value.lookup;
        }
        if let Some(fs) = &spec.fs {
            self.fs = fs.value.iter().map(|m| m.value.clone()).collect();
        }
        if let Some(k) = &spec.keyvalue {
            self.keyvalue = k.value;
        }
        if let Some(c) = &spec.config {
            let merged = self.config.get_or_insert_with(Vec::new);
            for (key, value) in &c.value {
                merged.retain(|(k, _)| k != key);
                merged.push((key.clone(), value.clone()));
            }
            merged.sort();
        }
        if let Some(i) = &spec.imports {
            self.imports.extend(i.value.iter().map(|s| s.value.clone()));
        }
    }

    /// Applies a `deny:` list (unknown names are reported by [`crate::plan`]).
    pub fn deny(&mut self, names: &[String]) {
        for name in names {
            match name.as_str() {
                "env" => self.env = EnvGrant::default(),
                "args" => self.args = ArgsGrant::Fixed(Vec::new()),
                "cwd" => self.cwd = None,
                "stdio" => {
                    (self.stdin, self.stdout, self.stderr) =
                        (Access::Deny, Access::Deny, Access::Deny)
                }
                "stdin" => self.stdin = Access::Deny,
                "stdout" => self.stdout = Access::Deny,
                "stderr" => self.stderr = Access::Deny,
                "exit" => self.exit = Access::Deny,
                "clocks" => self.clocks = ClockMode::Deny,
                "random" => self.random = RandomMode::Deny,
                "fs" => self.fs.clear(),
                "http" => self.http.clear(),
                "sockets" => {
                    self.connect.clear();
                    self.lookup = Access::Deny;
                }
                "keyvalue" => self.keyvalue = Access::Deny,
                "config" => self.config = None,
                _ => {}
            }
        }
    }

    /// The grants for a component: defaults, then its own block, then both `deny:` lists.
    pub fn effective(defaults: Option<&GrantsSpec>, own: Option<&GrantsSpec>) -> Grants {
        let mut g = Grants::default();
        let mut denied = Vec::new();
        for spec in [defaults, own].into_iter().flatten() {
            g.overlay(spec);
            if let Some(d) = &spec.deny {
                denied.extend(d.value.iter().map(|s| s.value.clone()));
            }
        }
        g.deny(&denied);
        g
    }
}
