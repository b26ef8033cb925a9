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
        crate::span::line_col(&self.source, offset)
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

/// One chain of layers in a [`Report`]: who calls whom along the edge.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainLine {
    /// `import`, `export` or `link`.
    pub edge: String,
    /// The interface of the edge.
    pub interface: String,
    /// The caller (`the output's caller` for an export edge), the layers, and the
    /// callee (`the capability` for an import edge), in call order.
    pub path: Vec<String>,
    /// For an import edge: who serves the last layer's import, and under whose grant.
    pub reach: Option<String>,
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
    /// The `pipe:` of commands, if the pipeline is one.
    #[serde(default)]
    pub command_pipe: Option<CommandPipeLine>,
    /// Per instance (as [`Report::instances`]): the keys its `deny:` names.
    #[serde(default)]
    pub denied: Vec<Vec<String>>,
    /// Per instance (as [`Report::instances`]): how many functions each core module of
    /// its component defines, which tells code built from different sources apart in
    /// a trap's frames.
    #[serde(default)]
    pub code: Vec<Vec<usize>>,
    /// The chains of `layers:`.
    #[serde(default)]
    pub chains: Vec<ChainLine>,
}

/// A pipe of commands in a [`Report`]: its stages, and the plumbing witpipe added.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommandPipeLine {
    /// The stages, in pipe order.
    pub stages: Vec<String>,
    /// The pipe instance of each `|`.
    pub pipes: Vec<String>,
    /// The driver instance of each `|`; the last one's `run` is the output's.
    pub drivers: Vec<String>,
}

impl Composition {
    /// Per component with imports left unlinked: who serves each.
    pub fn policy_lines(&self) -> Vec<PolicyLine> {
        let p = &self.pipeline;
        (p.policies.iter())
            .filter(|g| !g.plan.routes.is_empty())
            .map(|g| PolicyLine {
                instance: p.instance_name(g.instance).to_string(),
                host: g.plan.host_imports(),
                wrapped: (g.plan.routes.iter())
                    .filter_map(|r| match r.route {
                        Route::Host => None,
                        Route::Wrapper(w) => Some((r.import.clone(), w.name().to_string())),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Per instance of `components:`: the keys its `deny:` names.
    pub fn denied(&self) -> Vec<Vec<String>> {
        (self.pipeline.spec.components.iter())
            .map(|c| {
                let deny = c.grants.as_ref().and_then(|g| g.value.deny.as_ref());
                deny.map_or_else(Vec::new, |d| {
                    d.value.iter().map(|k| k.value.clone()).collect()
                })
            })
            .collect()
    }

    /// The chains of `layers:`, as reports show them.
    pub fn chain_lines(&self) -> Vec<ChainLine> {
        let p = &self.pipeline;
        p.links.chains.iter().map(|c| p.chain_line(c)).collect()
    }

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
                        LinkOrigin::Layer => "layers",
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
            policies: self.policy_lines(),
            contract: self.contract.clone(),
            chains: self.chain_lines(),
            command_pipe: p.command_pipe().map(|c| CommandPipeLine {
                stages: c.stages.iter().map(|&i| name(i)).collect(),
                pipes: c.joints.iter().map(|j| name(j.pipe)).collect(),
                drivers: c.joints.iter().map(|j| name(j.driver)).collect(),
            }),
            denied: self.denied(),
            code: {
                // Once per file: many instances (the stages of a long pipe) share one.
                let per_file: Vec<Vec<usize>> = (p.loaded.files.iter())
                    .map(|f| core_function_counts(&f.bytes))
                    .collect();
                (0..p.spec.components.len())
                    .map(|i| {
                        p.loaded.instances[i]
                            .file
                            .map_or_else(Vec::new, |f| per_file[f].clone())
                    })
                    .collect()
            },
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
            } else if l.export == crate::graph::WHOLE_INSTANCE {
                ", the whole instance".to_string()
            } else {
                format!(", from export {}", l.export)
            };
            writeln!(
                f,
                "  {} → {}: {} ({}{renamed})",
                l.from, l.to, l.import, l.origin
            )?;
        }
        if let Some(c) = &self.command_pipe {
            writeln!(f, "command pipe: {}", c.stages.join(" | "))?;
            writeln!(
                f,
                "  each stage's stdout is the next one's stdin: its stream is handed on whole by {}",
                c.pipes.join(", ")
            )?;
            writeln!(
                f,
                "  driven by {}: every stage runs concurrently from the moment the one before it has handed over its stdout; `run` fails if any stage's does (`set -o pipefail`)",
                c.drivers.join(", ")
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
        if !self.chains.is_empty() {
            writeln!(f, "layers ({}):", self.chains.len())?;
        }
        for c in &self.chains {
            let reach = c
                .reach
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            let path = c.path.join(" → ");
            writeln!(f, "  {} {}: {path}{reach}", c.edge, c.interface)?;
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

impl crate::Pipeline {
    /// A chain of layers as the report shows it.
    fn chain_line(&self, c: &crate::graph::Chain) -> ChainLine {
        use crate::graph::ChainEnd;
        let name = |i: usize| self.instance_name(i).to_string();
        let edge = match (c.caller, &c.callee) {
            (None, _) => "export",
            (Some(_), ChainEnd::Capability { .. }) => "import",
            (Some(_), ChainEnd::Component(_)) => "link",
        };
        let mut path: Vec<String> = vec![c.caller.map_or("the output's caller".into(), name)];
        path.extend(c.layers.iter().map(|&l| name(l)));
        path.push(match &c.callee {
            ChainEnd::Component(i) => name(*i),
            ChainEnd::Capability { .. } => "the capability".into(),
        });
        let reach = match &c.callee {
            ChainEnd::Capability { under, import } => self.reach(*under, import),
            ChainEnd::Component(_) => None,
        };
        ChainLine {
            edge: edge.into(),
            interface: c.interface.clone(),
            path,
            reach,
        }
    }
}

impl crate::Pipeline {
    /// Who serves `import` of a chain's last layer, under the grants of `owner`.
    fn reach(&self, owner: usize, import: &str) -> Option<String> {
        let policy = self.policies.iter().find(|g| g.instance == owner)?;
        let route = policy
            .plan
            .routes
            .iter()
            .find(|r| r.import == import)?
            .route;
        let entry = self.loaded.instances[owner].entry?;
        let own = self.spec.components[entry]
            .grants
            .as_ref()
            .map(|g| &g.value);
        let defaults = self.spec.defaults.as_ref().map(|d| &d.value);
        let blocks: Vec<_> = [defaults, own].into_iter().flatten().collect();
        let keys = witpipe_policy::granted_by(import, &blocks).join("`, `");
        let owner = self.instance_name(owner);
        Some(match route {
            witpipe_policy::Route::Host if keys.is_empty() => format!("the host serves `{import}` to the last layer (it carries no authority)"),
            witpipe_policy::Route::Host => format!("the host serves `{import}` to the last layer, as `{owner}`'s `{keys}` grants"),
            witpipe_policy::Route::Wrapper(w) => format!("`{owner}`'s `{}` wrapper serves `{import}` to the last layer, under `{owner}`'s grants", w.name()),
        })
    }
}

/// One wasm frame of a trap as [`Report::trap_site`] reads it.
#[derive(Debug, Clone, Copy)]
pub struct TrapFrame<'a> {
    /// Its core module's name, if it has one.
    pub module: Option<&'a str>,
    /// The functions that module exports.
    pub exports: &'a [String],
    /// The function's name.
    pub function: &'a str,
    /// How many functions the module defines.
    pub functions: usize,
}

/// How many functions each core module of `component` (nested ones included) defines.
fn core_function_counts(component: &[u8]) -> Vec<usize> {
    use wasmparser::{Encoding, Parser, Payload};
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(component) {
        match payload {
            Ok(Payload::Version { encoding, .. }) => {
                open.push((encoding == Encoding::Module).then_some(0));
            }
            Ok(Payload::FunctionSection(s)) => {
                if let Some(Some(n)) = open.last_mut() {
                    *n += s.count() as usize;
                }
            }
            Ok(Payload::End(_)) => out.extend(open.pop().flatten()),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    out
}

/// Where a trap happened, as far as its frames tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapSite {
    /// The policy of `instance` stopped it: its grants deny what it asked for.
    Denied {
        /// The instance.
        instance: String,
        /// What was denied, and the grant that allows it.
        denial: &'static witpipe_policy::Denial,
        /// The key of the instance's `deny:` that denies it, if one does (then granting
        /// it elsewhere changes nothing: `deny:` beats every grant).
        by_deny: Option<String>,
    },
    /// In the code of an instance or a policy wrapper (`who`, possibly several that
    /// share the code), in `function`.
    In {
        /// `instance `x`` or `the `guard` policy wrapper of instance `x``, joined by
        /// ` or ` when the frames cannot tell which.
        who: String,
        /// The function.
        function: String,
    },
}

impl TrapSite {
    /// A one-line explanation of a denial with the grant that allows it; `None` for
    /// other traps (their message is the trap's own).
    pub fn denial_message(&self) -> Option<String> {
        let TrapSite::Denied {
            instance,
            denial,
            by_deny,
        } = self
        else {
            return None;
        };
        if let Some(key) = by_deny {
            return Some(format!(
                "instance `{instance}` was stopped by its policy: it asked for {}, which the `deny:` of its grants takes away. To allow it, remove `{key}` from `deny:` under `{instance}` in the pipeline file",
                denial.asked
            ));
        }
        let instead = match denial.instead {
            "" => String::new(),
            s => format!("; {s}"),
        };
        Some(format!(
            "instance `{instance}` was stopped by its policy: it asked for {}, which its grants deny. To allow it, grant it under `{instance}` in the pipeline file: `grants: {{ {} }}`{instead}",
            denial.asked, denial.grant
        ))
    }
}

impl fmt::Display for TrapSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapSite::Denied {
                instance, denial, ..
            } => write!(
                f,
                "in instance `{instance}`, denied {} by its policy",
                denial.asked
            ),
            TrapSite::In { who, function } => write!(f, "in {who} ({function})"),
        }
    }
}

impl Report {
    /// Where a trap belongs, from its `frames` (innermost first). A denial names its
    /// instance exactly (the settings component that traps is the instance's own).
    /// Otherwise the innermost frame whose code belongs to an instance of this pipeline
    /// or one of its policy wrappers, matched by the interfaces its core module
    /// exports; a wrapper's code is shared by every instance it guards, so all of them
    /// are named.
    pub fn trap_site<'a>(
        &self,
        frames: impl IntoIterator<Item = TrapFrame<'a>>,
    ) -> Option<TrapSite> {
        let frames: Vec<TrapFrame<'a>> = frames.into_iter().collect();
        let denied = frames.iter().find_map(|frame| {
            let instance = frame.module?.strip_prefix(witpipe_policy::DENIAL_MODULE)?;
            let denial = witpipe_policy::denial(frame.function)?;
            // `deny: [stdio]` takes each stream away; `deny: [stdout]` that one.
            let key = denial.grant.split(':').next().unwrap_or_default();
            let by_deny = (self.instances.iter().zip(&self.denied))
                .find(|((name, _), _)| name == instance)
                .and_then(|(_, keys)| {
                    let stream = matches!(key, "stdin" | "stdout" | "stderr");
                    keys.iter()
                        .find(|k| *k == key || (stream && *k == "stdio"))
                        .cloned()
                });
            Some(TrapSite::Denied {
                instance: instance.to_string(),
                denial,
                by_deny,
            })
        });
        if denied.is_some() {
            return denied;
        }
        // `[async-lift]wasi:cli/run@0.3.2#run` and the like: the interface, unversioned.
        let unversioned = |name: &str| {
            let name = name.rsplit(']').next().unwrap_or(name);
            name.split('@').next().unwrap_or(name).to_string()
        };
        // The plumbing of a command pipe exports what its stages export; it is
        // witpipe's own code, and a trap in it is reported as the pipeline's.
        let plumbing: Vec<&String> = self
            .command_pipe
            .iter()
            .flat_map(|c| c.pipes.iter().chain(&c.drivers))
            .collect();
        // (interface, instance, wrapper if the code is a wrapper's)
        let mut owners: Vec<(String, &str, Option<&str>)> = Vec::new();
        for l in self.links.iter().filter(|l| !plumbing.contains(&&l.from)) {
            owners.push((unversioned(&l.export), &l.from, None));
        }
        for (_, instance, export) in self.exports.iter().filter(|e| !plumbing.contains(&&e.1)) {
            owners.push((unversioned(export), instance, None));
        }
        for p in &self.policies {
            for (import, wrapper) in &p.wrapped {
                owners.push((unversioned(import), &p.instance, Some(wrapper)));
            }
        }
        // The instances whose component has a core module of this many functions.
        let built_alike = |functions: usize| -> Vec<&str> {
            let counts = self
                .code
                .iter()
                .map(Vec::as_slice)
                .chain(std::iter::repeat(&[][..]));
            (self.instances.iter().zip(counts))
                .filter(|(_, counts)| counts.contains(&functions))
                .map(|((name, _), _)| name.as_str())
                .collect()
        };
        frames.into_iter().find_map(|frame| {
            let TrapFrame {
                exports,
                function,
                functions,
                ..
            } = frame;
            // Whose interfaces the module exports, most matches first: a wrapper that
            // could answer an interface another wrapper was routed is not its owner.
            let names: std::collections::BTreeSet<String> = exports
                .iter()
                .map(|export| unversioned(export.split('#').next().unwrap_or(export)))
                .collect();
            let mut tally: std::collections::BTreeMap<(&str, Option<&str>), usize> =
                Default::default();
            for (name, instance, wrapper) in &owners {
                if names.contains(name) {
                    *tally.entry((*instance, *wrapper)).or_default() += 1;
                }
            }
            let best = *tally.values().max()?;
            let mut whose: std::collections::BTreeSet<(&str, Option<&str>)> = tally
                .iter()
                .filter(|(_, n)| **n == best)
                .map(|(w, _)| *w)
                .collect();
            // Instances that export the same interfaces (the stages of a command pipe)
            // but are built from other code than the frame's are not the one.
            let alike = built_alike(functions);
            let code_of = |(instance, wrapper): &(&str, Option<&str>)| {
                wrapper.is_some() || alike.contains(instance)
            };
            if whose.iter().any(code_of) {
                whose.retain(code_of);
            }
            // Every copy of a wrapper runs the same code: any instance it guards may be
            // the one.
            let wrappers: Vec<&str> = whose.iter().filter_map(|(_, w)| *w).collect();
            for p in &self.policies {
                for (_, wrapper) in p
                    .wrapped
                    .iter()
                    .filter(|(_, w)| wrappers.contains(&w.as_str()))
                {
                    whose.insert((&p.instance, Some(wrapper)));
                }
            }
            let who: Vec<String> = whose
                .iter()
                .map(|(instance, wrapper)| match wrapper {
                    Some(w) => format!("the `{w}` policy wrapper of instance `{instance}`"),
                    None => format!("instance `{instance}`"),
                })
                .collect();
            Some(TrapSite::In {
                who: who.join(" or "),
                function: function.to_string(),
            })
        })
    }
}
