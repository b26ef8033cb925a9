//! Plain-text reporting for library users: failures and summaries.

use crate::error::{Error, Warning};
use crate::graph::LinkOrigin;
use crate::Composition;
use miette::Diagnostic;
use std::fmt;
use std::path::PathBuf;
use witpipe_policy::Route;

/// Every error found in one pipeline, with the file text they point into.
#[derive(Debug)]
pub struct Failure {
    /// The pipeline file.
    pub path: PathBuf,
    /// Its text (empty when it could not be read).
    pub source: String,
    /// The errors, in the order found.
    pub errors: Vec<Error>,
    /// Warnings found on the way.
    pub warnings: Vec<Warning>,
}

impl Failure {
    pub(crate) fn new(
        path: PathBuf,
        source: String,
        errors: Vec<Error>,
        warnings: Vec<Warning>,
    ) -> Self {
        Failure {
            path,
            source,
            errors,
            warnings,
        }
    }

    /// The 1-based line and column of a byte offset in the pipeline file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.source[..offset.min(self.source.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

impl fmt::Display for Failure {
    /// `file:line:col: error: message` lines, each followed by its help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            let at = match e.labels().and_then(|mut l| l.next()) {
                Some(label) => {
                    let (line, col) = self.line_col(label.offset());
                    format!("{}:{line}:{col}", self.path.display())
                }
                None => self.path.display().to_string(),
            };
            writeln!(f, "{at}: error: {e}")?;
            if let Some(help) = e.help() {
                writeln!(f, "  help: {help}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// One link of a [`Summary`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkLine {
    /// Exporting instance.
    pub from: String,
    /// Its export.
    pub export: String,
    /// Importing instance.
    pub to: String,
    /// Its import.
    pub import: String,
    /// `links`, `pipe` or `pipe (auto)`.
    pub origin: String,
}

/// One component's policy in a [`Summary`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyLine {
    /// The instance.
    pub instance: String,
    /// Imports the host serves.
    pub host: Vec<String>,
    /// Imports its wrappers answer, with the wrapper's name.
    pub wrapped: Vec<(String, String)>,
}

/// What `witpipe check` reports about a composable pipeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// `(instance, component path)`.
    pub instances: Vec<(String, String)>,
    /// The links, in the order they were resolved.
    pub links: Vec<LinkLine>,
    /// `(name, instance, export)`.
    pub exports: Vec<(String, String, String)>,
    /// `(import name, instances it serves)`: the output's imports, the host contract.
    pub imports: Vec<(String, Vec<String>)>,
    /// Per component: who serves each of its unlinked imports.
    pub policies: Vec<PolicyLine>,
    /// Host environment variables some component may read (`*` for all).
    pub host_env: Vec<String>,
    /// Whether some component receives the host's arguments.
    pub host_args: bool,
    /// Whether the output imports `wasi:http` (the CLI links it only with `-S http`;
    /// the wrappers inside decide which requests leave).
    pub host_http: bool,
    /// Imports of the output that carry only types (no functions, no authority).
    pub type_only: Vec<String>,
    /// Directories the host must preopen: `(host path, guest path, read-only)`.
    pub host_dirs: Vec<(String, String, bool)>,
    /// Whether the host serves `wasi:keyvalue` (one store shared by the output).
    pub host_keyvalue: bool,
    /// The `wasi:config/store` values the host serves, if the output imports it.
    pub host_config: Option<Vec<(String, String)>>,
}

impl Composition {
    /// The output's imports (the host contract), each with the instances it serves.
    pub fn host_imports(&self) -> Vec<(String, Vec<String>)> {
        let p = &self.pipeline;
        let mut imports: Vec<(String, Vec<String>)> = Vec::new();
        for g in &p.guarded {
            let who = p.instance_name(g.instance).to_string();
            for import in g.host_imports() {
                match imports.iter_mut().find(|(n, _)| *n == import) {
                    Some((_, w)) => w.push(who.clone()),
                    None => imports.push((import, vec![who.clone()])),
                }
            }
        }
        imports.sort();
        imports
    }

    /// The pipeline's shape, for reports.
    pub fn summary(&self) -> Summary {
        let p = &self.pipeline;
        let name = |i: usize| p.instance_name(i).to_string();
        let imports = self.host_imports();
        let host_http = imports
            .iter()
            .any(|(name, _)| name.starts_with("wasi:http/"));
        Summary {
            instances: p
                .spec
                .components
                .iter()
                .map(|c| (c.name.value.clone(), c.path.value.clone()))
                .collect(),
            links: p
                .links
                .links
                .iter()
                .map(|l| LinkLine {
                    from: name(l.from),
                    export: l.export.clone(),
                    to: name(l.to),
                    import: l.import.clone(),
                    origin: match l.origin {
                        LinkOrigin::Explicit => "links",
                        LinkOrigin::Pipe => "pipe",
                        LinkOrigin::Auto => "pipe, plugged: the only member exporting it",
                    }
                    .to_string(),
                })
                .collect(),
            exports: p
                .links
                .exports
                .iter()
                .map(|e| (e.name.clone(), name(e.instance), e.export.clone()))
                .collect(),
            imports,
            policies: p
                .guarded
                .iter()
                .filter(|g| !g.plan.routes.is_empty())
                .map(|g| PolicyLine {
                    instance: name(g.instance),
                    host: g.host_imports(),
                    wrapped: g
                        .plan
                        .routes
                        .iter()
                        .filter_map(|(i, r)| match r {
                            Route::Host => None,
                            Route::Wrapper(w) => Some((i.clone(), w.name().to_string())),
                        })
                        .collect(),
                })
                .collect(),
            host_env: {
                let mut env: Vec<String> = p
                    .guarded
                    .iter()
                    .flat_map(|g| g.plan.host_env.clone())
                    .collect();
                env.sort();
                env.dedup();
                env
            },
            host_args: p.guarded.iter().any(|g| g.plan.host_args),
            type_only: self.type_only.clone(),
            host_http,
            host_keyvalue: p.guarded.iter().any(|g| g.plan.host_keyvalue),
            host_config: crate::policy::merged_config(&p.guarded).ok().flatten(),
            host_dirs: {
                let mut dirs: Vec<(String, String, bool)> = p
                    .guarded
                    .iter()
                    .flat_map(|g| g.plan.host_dirs.iter())
                    .map(|m| {
                        (
                            p.base_dir.join(&m.host).display().to_string(),
                            m.guest.clone(),
                            m.mode == witpipe_policy::FsMode::Ro,
                        )
                    })
                    .collect();
                dirs.sort();
                dirs.dedup();
                dirs
            },
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "instances ({}):", self.instances.len())?;
        for (name, path) in &self.instances {
            writeln!(f, "  {name} = {path}")?;
        }
        writeln!(f, "links ({}):", self.links.len())?;
        for l in &self.links {
            let renamed = if l.export == l.import {
                String::new()
            } else {
                format!(", from export {}", l.export)
            };
            writeln!(
                f,
                "  {} → {}: {} ({}{renamed})",
                l.from, l.to, l.import, l.origin
            )?;
        }
        writeln!(f, "exports ({}):", self.exports.len())?;
        for (name, instance, export) in &self.exports {
            if name == export {
                writeln!(f, "  {name} (from {instance})")?;
            } else {
                writeln!(f, "  {name} (from {instance}, export {export})")?;
            }
        }
        writeln!(f, "imports left for the host ({}):", self.imports.len())?;
        for (name, who) in &self.imports {
            let note = if self.type_only.contains(name) {
                "; types only, no functions"
            } else {
                ""
            };
            writeln!(f, "  {name} (for {}{note})", who.join(", "))?;
        }
        writeln!(f, "policy:")?;
        if self.policies.is_empty() {
            writeln!(f, "  no component imports WASI or host interfaces")?;
        }
        for p in &self.policies {
            writeln!(f, "  {}:", p.instance)?;
            writeln!(
                f,
                "    from the host: {}",
                if p.host.is_empty() {
                    "nothing".into()
                } else {
                    p.host.join(", ")
                }
            )?;
            if !p.wrapped.is_empty() {
                let wrapped: Vec<String> = p
                    .wrapped
                    .iter()
                    .map(|(i, w)| format!("{i} ({w})"))
                    .collect();
                writeln!(f, "    answered inside the output: {}", wrapped.join(", "))?;
            }
        }
        Ok(())
    }
}

impl Summary {
    /// The stock `wasmtime run` (or `serve`) command line that grants the output what the pipeline
    /// grants (the wrappers inside enforce the rest).
    pub fn wasmtime_command(&self, output: &str) -> String {
        let serves = self
            .exports
            .iter()
            .any(|(n, _, _)| n.starts_with("wasi:http/incoming-handler@"));
        // `serve` links WASI HTTP itself.
        let mut cmd = String::from(if serves {
            "wasmtime serve"
        } else {
            "wasmtime run"
        });
        if self.host_env.iter().any(|e| e == "*") {
            cmd.push_str(" -S inherit-env");
        } else {
            for var in &self.host_env {
                cmd.push_str(&format!(" --env {var}"));
            }
        }
        if self.host_http && !serves {
            cmd.push_str(" -S http");
        }
        if self
            .imports
            .iter()
            .any(|(n, _)| n.starts_with("wasi:sockets/tcp"))
        {
            cmd.push_str(" -S inherit-network");
        }
        if self
            .imports
            .iter()
            .any(|(n, _)| n.starts_with("wasi:sockets/ip-name-lookup"))
        {
            cmd.push_str(" -S allow-ip-name-lookup");
        }
        if self.host_keyvalue {
            cmd.push_str(" -S keyvalue");
        }
        if let Some(config) = &self.host_config {
            cmd.push_str(" -S config");
            for (key, value) in config {
                cmd.push_str(&format!(" -S config-var={key}={}", shell_word(value)));
            }
        }
        for (host, guest, _) in &self.host_dirs {
            cmd.push_str(&format!(" --dir {host}::{guest}"));
        }
        cmd.push(' ');
        cmd.push_str(output);
        if self.host_args {
            cmd.push_str(" [ARGS...]");
        }
        cmd
    }
}

/// `text` quoted for a POSIX shell when it needs to be.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
