//! Plain-text reporting for library users: failures, and the report `check` prints.

use crate::error::{Error, Warning};
use crate::graph::LinkOrigin;
use crate::Composition;
use miette::Diagnostic;
use std::fmt;
use std::path::PathBuf;
use witpipe_policy::{HostContract, Route};

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

/// One link of a [`Report`].
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

/// One component's policy in a [`Report`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyLine {
    /// The instance.
    pub instance: String,
    /// Imports the host serves.
    pub host: Vec<String>,
    /// Imports its wrappers answer, with the wrapper's name.
    pub wrapped: Vec<(String, String)>,
}

/// What `witpipe check` reports about a composed pipeline: its shape and its host
/// contract.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    /// `(instance, component path)`.
    pub instances: Vec<(String, String)>,
    /// The links, in the order they were resolved.
    pub links: Vec<LinkLine>,
    /// `(name, instance, export)`.
    pub exports: Vec<(String, String, String)>,
    /// Per component: who serves each of its unlinked imports.
    pub policies: Vec<PolicyLine>,
    /// What the output asks of the host.
    pub contract: HostContract,
}

impl Composition {
    /// The pipeline's shape and host contract, for reports.
    pub fn report(&self) -> Report {
        let p = &self.pipeline;
        let name = |i: usize| p.instance_name(i).to_string();
        Report {
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
            policies: p
                .policies
                .iter()
                .filter(|g| !g.plan.routes.is_empty())
                .map(|g| PolicyLine {
                    instance: name(g.instance),
                    host: g.plan.host_imports(),
                    wrapped: g
                        .plan
                        .routes
                        .iter()
                        .filter_map(|r| match r.route {
                            Route::Host => None,
                            Route::Wrapper(w) => Some((r.import.clone(), w.name().to_string())),
                        })
                        .collect(),
                })
                .collect(),
            contract: self.contract.clone(),
        }
    }
}

impl fmt::Display for Report {
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
        let imports = &self.contract.imports;
        writeln!(f, "imports left for the host ({}):", imports.len())?;
        for import in imports {
            let note = match import.type_only {
                true => "; types only, no functions",
                false => "",
            };
            let who = import.instances.join(", ");
            writeln!(f, "  {} (for {who}{note})", import.name)?;
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

impl Report {
    /// Who a trap belongs to: `in instance `X` (function F)` for the innermost of
    /// `frames` (`(the interfaces its module exports, function)`, innermost first)
    /// whose code belongs to an instance of this pipeline or one of its policy
    /// wrappers, matched by the interfaces its core module exports.
    pub fn trap_site<'a>(
        &self,
        frames: impl IntoIterator<Item = (&'a [String], &'a str)>,
    ) -> Option<String> {
        let unversioned = |name: &str| name.split('@').next().unwrap_or(name).to_string();
        let mut owners: Vec<(String, String)> = Vec::new();
        for l in &self.links {
            owners.push((unversioned(&l.export), format!("instance `{}`", l.from)));
        }
        for (_, instance, export) in &self.exports {
            owners.push((unversioned(export), format!("instance `{instance}`")));
        }
        for p in &self.policies {
            for (import, wrapper) in &p.wrapped {
                owners.push((
                    unversioned(import),
                    format!(
                        "the `{wrapper}` policy wrapper of instance `{}`",
                        p.instance
                    ),
                ));
            }
        }
        frames.into_iter().find_map(|(exports, function)| {
            // Whose interfaces the module exports, most matches first: a wrapper that
            // could answer an interface another wrapper was routed is not its owner.
            let mut tally: Vec<(&str, usize)> = Vec::new();
            let names: std::collections::BTreeSet<String> = exports
                .iter()
                .map(|export| unversioned(export.split('#').next().unwrap_or(export)))
                .collect();
            for (name, who) in &owners {
                if names.contains(name) {
                    match tally.iter_mut().find(|(w, _)| w == who) {
                        Some((_, n)) => *n += 1,
                        None => tally.push((who, 1)),
                    }
                }
            }
            let best = tally.iter().map(|(_, n)| *n).max()?;
            let mut whose: Vec<&str> = tally
                .iter()
                .filter(|(_, n)| *n == best)
                .map(|(w, _)| *w)
                .collect();
            whose.sort();
            Some(format!("in {} ({function})", whose.join(" or ")))
        })
    }
}
