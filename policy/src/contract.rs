//! The host contract: what a composed output asks of the host that runs it, as one
//! typed value. Produced once when a pipeline is composed (from every component's
//! [`Plan`]) and read by every consumer: `check`'s report, the stock-`wasmtime` command
//! line, the embedded host's grants and every deploy target.

use crate::families;
use crate::name::{no_authority, split};
use crate::plan::Plan;
use crate::FsMode;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What an import of the output is, by capability family. Decided in one place
/// ([`Capability::of`], from the family that owns the interface), never by matching
/// name prefixes elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// `wasi:cli/environment`: variables, arguments, cwd.
    Environment,
    /// `wasi:cli/exit`.
    Exit,
    /// `wasi:cli/stdin`.
    Stdin,
    /// `wasi:cli/stdout`.
    Stdout,
    /// `wasi:cli/stderr`.
    Stderr,
    /// `wasi:cli/terminal-*`.
    Terminal,
    /// `wasi:clocks/{wall,system,monotonic}-clock`.
    Clocks,
    /// `wasi:random/*`.
    Random,
    /// `wasi:filesystem/preopens`: the directories.
    FsPreopens,
    /// `wasi:filesystem/types`: what is done with them.
    FsTypes,
    /// `wasi:http/outgoing-handler` (WASI 0.3: `wasi:http/client`): requests leaving.
    HttpOutgoing,
    /// `wasi:http/types`: building requests, reading responses (no authority).
    HttpTypes,
    /// `wasi:sockets/{network,instance-network}`: a handle, no authority by itself.
    Network,
    /// `wasi:sockets/tcp*`.
    Tcp,
    /// `wasi:sockets/udp*`.
    Udp,
    /// `wasi:sockets/ip-name-lookup`.
    NameLookup,
    /// `wasi:keyvalue/*`.
    KeyValue,
    /// `wasi:config/*`.
    Config,
    /// `wasi:io/*`: streams and polling; WASI 0.3's type-only `wasi:cli/types` and
    /// `wasi:clocks/types` (no authority).
    Io,
    /// Anything else: a non-WASI interface the grants let through.
    Other,
}

impl Capability {
    /// What the import `name` is.
    pub fn of(name: &str) -> Capability {
        match split(name) {
            Some(("wasi", package, interface, _)) if no_authority(package, interface) => {
                Capability::Io
            }
            Some(("wasi", package, interface, _)) => families::owner(package, interface)
                .map_or(Capability::Other, |(_, capability)| capability),
            _ => Capability::Other,
        }
    }
}

/// One import of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostImport {
    /// Its name, `ns:pkg/iface@version`.
    pub name: String,
    /// What it is.
    pub capability: Capability,
    /// The pipeline instances it serves (directly or through their wrappers).
    pub instances: Vec<String>,
    /// Whether it carries only types (no functions, no authority).
    pub type_only: bool,
}

/// A directory the host must preopen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HostDir {
    /// The host path (the pipeline file's directory joined with the grant's).
    pub host: String,
    /// Where the output sees it.
    pub guest: String,
    /// Whether every grant of it is read-only (the wrappers enforce it either way).
    pub read_only: bool,
}

/// What a composed output asks of the host that runs it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HostContract {
    /// Every import of the output, sorted by name.
    pub imports: Vec<HostImport>,
    /// The output's exports (what a host may start or call).
    pub exports: Vec<String>,
    /// Host environment variables some component may read (`*` for all).
    pub env: Vec<String>,
    /// Whether some component receives the host's arguments.
    pub args: bool,
    /// Directories to preopen.
    pub dirs: Vec<HostDir>,
    /// The `wasi:config/store` values the host serves, if the output imports it.
    pub config: Option<Vec<(String, String)>>,
    /// The outgoing HTTP destinations some component may reach (`scheme://host[:port]`
    /// patterns, sorted): the wrappers enforce them inside the output; targets with an
    /// allow-list of their own get them too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<crate::grammar::HttpPattern>,
}

impl HostContract {
    /// The contract of an output made of `components` (`(instance, plan)`), whose
    /// imports that carry only types are `type_only` and whose exports are `exports`.
    /// Host paths of granted directories are relative to `base_dir`.
    pub fn new<'a>(
        components: impl IntoIterator<Item = (&'a str, &'a Plan)> + Clone,
        type_only: &[String],
        exports: Vec<String>,
        base_dir: &Path,
    ) -> HostContract {
        let mut imports: Vec<HostImport> = Vec::new();
        for (instance, plan) in components.clone() {
            for name in plan.host_imports() {
                match imports.iter_mut().find(|i| i.name == name) {
                    Some(i) => i.instances.push(instance.to_string()),
                    None => imports.push(HostImport {
                        capability: Capability::of(&name),
                        type_only: type_only.contains(&name),
                        name,
                        instances: vec![instance.to_string()],
                    }),
                }
            }
        }
        imports.sort_by(|a, b| (&a.name, &a.instances).cmp(&(&b.name, &b.instances)));
        let plans: Vec<&Plan> = components.into_iter().map(|(_, p)| p).collect();
        let mut env: Vec<String> = plans.iter().flat_map(|p| p.host_env.clone()).collect();
        env.sort();
        env.dedup();
        let mut dirs: Vec<HostDir> = plans
            .iter()
            .flat_map(|p| p.host_dirs.iter())
            .map(|m| HostDir {
                host: base_dir.join(&m.host).display().to_string(),
                guest: m.guest.clone(),
                read_only: m.mode == FsMode::Ro,
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        let mut http: Vec<_> = plans.iter().flat_map(|p| p.host_http.clone()).collect();
        http.sort_by_key(|p| p.to_string());
        http.dedup();
        HostContract {
            imports,
            exports,
            env,
            args: plans.iter().any(|p| p.host_args),
            dirs,
            config: families::config::merged(&plans).ok().flatten(),
            http,
        }
    }

    /// Whether the output imports a `capability`.
    pub fn has(&self, capability: Capability) -> bool {
        self.imports.iter().any(|i| i.capability == capability)
    }

    /// The names of the output's imports that are a `capability`.
    pub fn imports_of(&self, capability: Capability) -> impl Iterator<Item = &str> {
        let imports = self
            .imports
            .iter()
            .filter(move |i| i.capability == capability);
        imports.map(|i| i.name.as_str())
    }

    /// Whether the output exports an HTTP handler (`wasi:http/incoming-handler`, or
    /// `wasi:http/handler` at WASI 0.3).
    pub fn serves_http(&self) -> bool {
        self.exports_interface("wasi:http/incoming-handler")
            || self.exports_interface("wasi:http/handler")
    }

    /// Whether the output is a command (exports `wasi:cli/run`).
    pub fn runs(&self) -> bool {
        self.exports_interface("wasi:cli/run")
    }

    /// Whether the output exports `interface` (`ns:pkg/iface`, any version).
    pub fn exports_interface(&self, interface: &str) -> bool {
        self.exports
            .iter()
            .any(|e| e.split('@').next() == Some(interface))
    }

    /// The stock `wasmtime run` (or `serve`) command line that grants `output` what the
    /// pipeline grants (the wrappers inside enforce the rest). An output that is neither
    /// a command nor an HTTP handler is run with `--invoke 'CALL'` (`invoke`, e.g.
    /// `hello(ARGS…)`).
    pub fn wasmtime_command(&self, output: &str, invoke: Option<&str>) -> String {
        let mut flags = Vec::new();
        for family in families::ALL {
            family.wasmtime_flags(self, &mut flags);
        }
        // Directories last, as `wasmtime run --help` lists them.
        flags.sort_by_key(|f| f.starts_with("--dir "));
        let mut words = vec![match self.serves_http() {
            true => "wasmtime serve".to_string(),
            false => "wasmtime run".to_string(),
        }];
        words.extend(flags);
        if let (false, false, Some(call)) = (self.runs(), self.serves_http(), invoke) {
            words.push(format!("--invoke '{call}'"));
        }
        words.push(families::shell_word(output));
        if self.args {
            words.push("[ARGS...]".into());
        }
        words.join(" ")
    }
}
