//! The host contract: what a composed output asks of the host that runs it, as one
//! typed value. Produced once when a pipeline is composed (from every component's
//! [`Plan`]) and read by every consumer: `check`'s report, the stock-`wasmtime` command
//! line, the embedded host's grants and every deploy target.

use crate::capability::Capability;
use crate::families::{shell_word, Output};
use crate::name::{no_authority, split};
use crate::plan::Plan;
use crate::registry::{owner, HostNeeds};
use serde::{Deserialize, Serialize};
use std::path::Path;

impl Capability {
    /// What the import `name` is.
    pub fn of(name: &str) -> Capability {
        match split(name) {
            Some(("wasi", package, interface, _)) if no_authority(package, interface) => {
                Capability::Io
            }
            Some(("wasi", package, interface, _)) => {
                owner(package, interface).map_or(Capability::Other, |(_, capability)| capability)
            }
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

/// What a composed output asks of the host that runs it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HostContract {
    /// Every import of the output, sorted by name.
    pub imports: Vec<HostImport>,
    /// The output's exports (what a host may start or call).
    pub exports: Vec<String>,
    /// What the host must provide, family by family (environment variables,
    /// arguments, directories, HTTP destinations, configuration values).
    #[serde(flatten)]
    pub needs: HostNeeds,
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
        let needs: Vec<&HostNeeds> = components.into_iter().map(|(_, p)| &p.host).collect();
        HostContract {
            imports,
            exports,
            needs: HostNeeds::gather(&needs, base_dir),
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
        let imports: Vec<Capability> = self.imports.iter().map(|i| i.capability).collect();
        let shape = Output {
            imports: &imports,
            serves_http: self.serves_http(),
        };
        self.needs.wasmtime_flags(&shape, &mut flags);
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
        words.push(shell_word(output));
        if self.needs.environment.args {
            words.push("[ARGS...]".into());
        }
        words.join(" ")
    }
}
