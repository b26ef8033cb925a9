//! The link graph: which instance's import is satisfied by which instance's export.
//!
//! Resolves `pipe:`, `links:` and `exports:` against what each loaded component
//! really imports and exports (names match semver-compatibly), then checks the
//! result: unknown names, self-links, imports linked twice, cycles, unused
//! instances. Types are checked later, when `compose` wires the wac graph.

use crate::error::{name_help, Error, Warning};
use crate::load::Loaded;
use crate::span::{At, Span};
use crate::spec::{ExportSpec, PipelineSpec};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, HashMap};
use wac_graph::types::ItemKind;

/// How a link came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOrigin {
    /// An entry of `links:`.
    Explicit,
    /// A neighbour pair of `pipe:`.
    Pipe,
    /// An import of a pipe member that exactly one other member exports.
    Auto,
    /// A step of a chain of `layers:`.
    Layer,
}

/// The `export:` of a link that passes the exporting instance as a whole: every
/// export of `from` as one instance, for an instance import of `to` (wasm-compose's
/// whole-instance arguments, `new to { import: from }` in WAC).
pub const WHOLE_INSTANCE: &str = "*";

/// One resolved link: `to`'s import is satisfied by `from`'s export.
#[derive(Debug, Clone)]
pub struct Link {
    /// Exporting instance (index into the pipeline's instances).
    pub from: usize,
    /// Importing instance.
    pub to: usize,
    /// The import name on `to`.
    pub import: String,
    /// The export name on `from`, or [`WHOLE_INSTANCE`].
    pub export: String,
    /// The pipeline line that made it.
    pub span: Span,
    /// Where it came from.
    pub origin: LinkOrigin,
}

/// One export of the composed component.
#[derive(Debug, Clone)]
pub struct OutputExport {
    /// The instance it comes from.
    pub instance: usize,
    /// Its name on that instance.
    pub export: String,
    /// Its name on the composed component.
    pub name: String,
    /// The pipeline line that asked for it (the `components:` entry when defaulted).
    pub span: Span,
}

/// An import that no link satisfies: it becomes an import of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemainingImport {
    /// The instance that imports it.
    pub instance: usize,
    /// The import name.
    pub name: String,
    /// The instance whose grants decide who serves it: `instance` itself, or for the
    /// last layer of a chain on an import edge, the component whose edge it is.
    pub authority: usize,
}

/// A chain of layers on one edge, as wired (see `layers:`).
#[derive(Debug, Clone)]
pub struct Chain {
    /// The interface of the edge, as the caller names it.
    pub interface: String,
    /// The caller: the importing component, or `None` for the output's caller (an
    /// export edge).
    pub caller: Option<usize>,
    /// The layers' instances, caller's side first.
    pub layers: Vec<usize>,
    /// Whom the last layer calls.
    pub callee: ChainEnd,
}

/// The far end of a chain of layers.
#[derive(Debug, Clone)]
pub enum ChainEnd {
    /// A component's export (an export or link edge).
    Component(usize),
    /// The capability (an import edge): the last layer's `import`, left for the host
    /// under the grants of the instance `under` (the component whose edge it is; for a
    /// shared chain, the first of them, all being granted alike).
    Capability {
        /// Whose grants decide who serves it.
        under: usize,
        /// The last layer's import.
        import: String,
    },
}

/// The resolved pipeline.
#[derive(Debug, Clone, Default)]
pub struct LinkGraph {
    /// Links in the order they were resolved (explicit first, then the pipe).
    pub links: Vec<Link>,
    /// The output's exports.
    pub exports: Vec<OutputExport>,
    /// Imports left for the host, per instance.
    pub remaining_imports: Vec<RemainingImport>,
    /// Instances nothing links to or from and that export nothing: left out of the output.
    pub unused: Vec<usize>,
    /// The chains of `layers:`, in file order.
    pub chains: Vec<Chain>,
}

impl LinkGraph {
    /// The instances that go into the output.
    pub fn used(&self, loaded: &Loaded) -> Vec<usize> {
        (0..loaded.instances.len())
            .filter(|i| loaded.instances[*i].file.is_some() && !self.unused.contains(i))
            .collect()
    }

    /// The used instances, producers before consumers (the link graph has no cycles).
    pub fn producers_first(&self, loaded: &Loaded) -> Vec<usize> {
        let count = loaded.instances.len();
        let mut used = vec![false; count];
        for i in self.used(loaded) {
            used[i] = true;
        }
        // Links between used instances: how many each waits for, whom each feeds.
        let mut waiting = vec![0usize; count];
        let mut feeds: Vec<Vec<usize>> = vec![Vec::new(); count];
        for link in self.links.iter().filter(|l| used[l.from] && used[l.to]) {
            waiting[link.to] += 1;
            feeds[link.from].push(link.to);
        }
        // Lowest index first among the ready ones: the order is the file's where it can be.
        let mut ready: std::collections::BTreeSet<usize> = (0..count)
            .filter(|i| used[*i] && waiting[*i] == 0)
            .collect();
        let mut order = Vec::new();
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &to in &feeds[i] {
                waiting[to] -= 1;
                if waiting[to] == 0 {
                    ready.insert(to);
                }
            }
        }
        order
    }
}

/// The imports (or exports) of one loaded instance that links can use.
pub(crate) fn items(loaded: &Loaded, instance: usize, exports: bool) -> Vec<&str> {
    let Some(package) = loaded.package(instance) else {
        return Vec::new();
    };
    let world = &loaded.graph.types()[loaded.graph[package].ty()];
    let map = if exports {
        &world.exports
    } else {
        &world.imports
    };
    map.iter()
        .filter(|(_, kind)| matches!(kind, ItemKind::Instance(_) | ItemKind::Func(_)))
        .map(|(name, _)| name.as_str())
        .collect()
}

/// Finds `wanted` among `names`: exactly, else on a semver-compatible track.
pub(crate) fn find<'a>(names: &[&'a str], wanted: &str) -> Option<&'a str> {
    names
        .iter()
        .find(|n| **n == wanted)
        .or_else(|| {
            names
                .iter()
                .find(|n| wac_types::are_semver_compatible(n, wanted))
        })
        .copied()
}

/// `a`, `b` and `c` as a readable list.
pub(crate) fn list(names: &[impl AsRef<str>]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names
            .iter()
            .map(|n| format!("`{}`", n.as_ref()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A note on names that match but for an incompatible version, if any.
fn version_note(imports: &[&str], exports: &[&str]) -> String {
    let base = |n: &str| n.split('@').next().unwrap_or(n).to_string();
    let misses: Vec<String> = imports
        .iter()
        .flat_map(|i| exports.iter().map(move |e| (i, e)))
        .filter(|(i, e)| base(i) == base(e) && !wac_types::are_semver_compatible(i, e))
        .map(|(i, e)| format!("`{i}` and `{e}` differ in a semver-incompatible way"))
        .collect();
    if misses.is_empty() {
        String::new()
    } else {
        format!(
            " Note: {}; rebuild one side against the other's version.",
            misses.join("; ")
        )
    }
}

/// Every (import of `to`, export of `from`) pair whose names match, skipping imports
/// already satisfied.
fn candidates(
    imports: &[&str],
    exports: &[&str],
    satisfied: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    imports
        .iter()
        .filter(|i| !satisfied(i))
        .filter_map(|i| find(exports, i).map(|e| (i.to_string(), e.to_string())))
        .collect()
}

struct Resolver<'a> {
    loaded: &'a Loaded,
    names: HashMap<&'a str, usize>,
    imports: Vec<Vec<&'a str>>,
    exports: Vec<Vec<&'a str>>,
    /// Per instance: import → the span of the link that satisfies it.
    satisfied: Vec<BTreeMap<String, Span>>,
    /// Per instance: whether it is a layer (named in a `layers:` chain), wired by
    /// [`crate::layers`] after the links are resolved.
    layered: Vec<bool>,
    graph: LinkGraph,
    errors: Vec<Error>,
    warnings: Vec<Warning>,
}

impl<'a> Resolver<'a> {
    fn instance(&mut self, name: &At<String>) -> Option<usize> {
        match self.names.get(name.value.as_str()) {
            Some(i) => Some(*i),
            None => {
                let known: Vec<&str> = self
                    .names
                    .keys()
                    .copied()
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                self.errors.push(Error::UnknownInstance {
                    name: name.value.clone(),
                    span: name.span,
                    help: name_help(
                        &name.value,
                        "instances declared under `components:`",
                        known.iter().copied(),
                    ),
                });
                None
            }
        }
    }

    /// Reports a named export that `instance` does not have.
    fn no_such_export(&mut self, instance: &str, wanted: &At<String>, exports: &[&str]) {
        self.errors.push(Error::NoSuchExport {
            instance: instance.to_string(),
            name: wanted.value.clone(),
            span: wanted.span,
            help: name_help(
                &wanted.value,
                &format!("`{instance}` exports"),
                exports.iter().copied(),
            ),
        });
    }

    fn loaded(&self, i: usize) -> bool {
        self.loaded.instances[i].file.is_some()
    }

    fn name(&self, i: usize) -> &str {
        &self.loaded.instances[i].name.value
    }

    fn add(
        &mut self,
        from: usize,
        to: usize,
        import: String,
        export: String,
        span: Span,
        origin: LinkOrigin,
    ) {
        if let Some(first) = self.satisfied[to].get(&import) {
            self.errors.push(Error::LinkedTwice {
                instance: self.name(to).to_string(),
                name: import,
                span,
                first: *first,
            });
            return;
        }
        self.satisfied[to].insert(import.clone(), span);
        self.graph.links.push(Link {
            from,
            to,
            import,
            export,
            span,
            origin,
        });
    }

    fn explicit(&mut self, link: &crate::spec::LinkSpec) {
        let (Some(from), Some(to)) = (self.instance(&link.from), self.instance(&link.to)) else {
            return;
        };
        if from == to {
            self.errors.push(Error::SelfLink {
                name: link.from.value.clone(),
                span: link.span,
            });
            return;
        }
        if !self.loaded(from) || !self.loaded(to) {
            return;
        }
        let imports = self.imports[to].clone();
        let exports = self.exports[from].clone();
        let import = match &link.import {
            Some(wanted) => match find(&imports, wanted) {
                Some(i) => i.to_string(),
                None => {
                    self.errors.push(Error::NoSuchImport {
                        instance: link.to.value.clone(),
                        name: wanted.value.clone(),
                        span: wanted.span,
                        help: name_help(
                            &wanted.value,
                            &format!("`{}` imports", link.to.value),
                            imports.iter().copied(),
                        ),
                    });
                    return;
                }
            },
            None if link
                .export
                .as_ref()
                .is_some_and(|e| e.value == WHOLE_INSTANCE) =>
            {
                self.errors.push(Error::WholeNeedsImport {
                    from: link.from.value.clone(),
                    span: link.span,
                    help: format!(
                        "add `import:`; `{}` imports {}",
                        link.to.value,
                        list(&imports)
                    ),
                });
                return;
            }
            None => {
                let found: Vec<(String, String)> = match &link.export {
                    Some(e) => imports
                        .iter()
                        .filter(|i| wac_types::are_semver_compatible(i, e))
                        .map(|i| (i.to_string(), e.value.clone()))
                        .collect(),
                    None => candidates(&imports, &exports, |_| false),
                };
                match found.len() {
                    1 => found[0].0.clone(),
                    0 => {
                        self.errors.push(Error::NoMatch {
                            from: link.from.value.clone(),
                            to: link.to.value.clone(),
                            span: link.span,
                            help: format!(
                                "`{}` imports {}; `{}` exports {}. Name both sides with `import:` and `export:` if the interface was renamed.{}",
                                link.to.value,
                                list(&imports),
                                link.from.value,
                                list(&exports),
                                version_note(&imports, &exports)
                            ),
                        });
                        return;
                    }
                    _ => {
                        let names: Vec<String> = found.iter().map(|(i, _)| i.clone()).collect();
                        self.errors.push(Error::Ambiguous {
                            a: link.from.value.clone(),
                            b: link.to.value.clone(),
                            span: link.span,
                            help: format!(
                                "candidates: {}; say which with `import:`, or write one link per import",
                                list(&names)
                            ),
                        });
                        return;
                    }
                }
            }
        };
        let export = match &link.export {
            Some(wanted) if wanted.value == WHOLE_INSTANCE => WHOLE_INSTANCE.to_string(),
            Some(wanted) => match exports.iter().find(|e| **e == wanted.value) {
                Some(e) => e.to_string(),
                None => return self.no_such_export(&link.from.value, wanted, &exports),
            },
            None => match find(&exports, &import) {
                Some(e) => e.to_string(),
                None => {
                    self.errors.push(Error::NoSuchExport {
                        instance: link.from.value.clone(),
                        name: import.clone(),
                        span: link.span,
                        help: format!(
                            "`{}` exports {}; if one of them implements `{import}` under another name, name it with `export:`, or pass the whole instance with `export: \"*\"`",
                            link.from.value,
                            list(&exports)
                        ),
                    });
                    return;
                }
            },
        };
        self.add(from, to, import, export, link.span, LinkOrigin::Explicit);
    }

    /// Wires `pipe:` neighbours, then plugs imports of pipe members that exactly one
    /// other member exports (type-only interfaces, shared dependencies).
    fn pipe(&mut self, pipe: &[At<String>]) {
        struct Pair {
            a: usize,
            b: usize,
            span: Span,
            forward: Vec<(String, String)>,
            backward: Vec<(String, String)>,
        }
        let mut pairs = Vec::new();
        for w in pipe.windows(2) {
            let (Some(a), Some(b)) = (self.instance(&w[0]), self.instance(&w[1])) else {
                continue;
            };
            let span = w[1].span;
            if a == b {
                self.errors.push(Error::SelfLink {
                    name: w[0].value.clone(),
                    span,
                });
                continue;
            }
            // Unloaded components are reported already; explicit links settle a pair.
            if !self.loaded(a)
                || !self.loaded(b)
                || self
                    .graph
                    .links
                    .iter()
                    .any(|l| (l.from == a && l.to == b) || (l.from == b && l.to == a))
            {
                continue;
            }
            let free = |to: usize| {
                let satisfied = &self.satisfied;
                move |i: &str| satisfied[to].contains_key(i)
            };
            let forward = candidates(&self.imports[b], &self.exports[a], free(b));
            let backward = candidates(&self.imports[a], &self.exports[b], free(a));
            pairs.push(Pair {
                a,
                b,
                span,
                forward,
                backward,
            });
        }
        // A pipe flows one way: pairs that could go either way follow the others.
        let mut directions: Vec<bool> = pairs
            .iter()
            .filter(|p| p.forward.is_empty() != p.backward.is_empty())
            .map(|p| !p.forward.is_empty())
            .collect();
        directions.dedup();
        let consensus = match directions.as_slice() {
            [d] => Some(*d),
            _ => None,
        };
        for p in pairs {
            let (na, nb) = (self.name(p.a).to_string(), self.name(p.b).to_string());
            let forward = match (p.forward.is_empty(), p.backward.is_empty(), consensus) {
                (false, true, _) => true,
                (true, false, _) => false,
                (false, false, Some(d)) => d,
                (true, true, _) => {
                    self.errors.push(Error::NoMatch {
                        from: na.clone(),
                        to: nb.clone(),
                        span: p.span,
                        help: format!(
                            "neighbours in a pipe must share an interface in one direction. `{na}` imports {}, exports {}; `{nb}` imports {}, exports {}. Use explicit `links:` with `import:`/`export:` for renamed interfaces.{}{}",
                            list(&self.imports[p.a]),
                            list(&self.exports[p.a]),
                            list(&self.imports[p.b]),
                            list(&self.exports[p.b]),
                            version_note(&self.imports[p.a], &self.exports[p.b]),
                            version_note(&self.imports[p.b], &self.exports[p.a]),
                        ),
                    });
                    continue;
                }
                (false, false, None) => {
                    let mut names: Vec<String> = p
                        .forward
                        .iter()
                        .map(|(i, _)| format!("`{nb}` imports {i} from `{na}`"))
                        .collect();
                    names.extend(
                        p.backward
                            .iter()
                            .map(|(i, _)| format!("`{na}` imports {i} from `{nb}`")),
                    );
                    self.errors.push(Error::Ambiguous {
                        a: na,
                        b: nb,
                        span: p.span,
                        help: format!(
                            "the pair can be wired in both directions and the rest of the pipe does not settle which: {}. Write the link you mean under `links:` (a pipe pair with an explicit link is left alone)",
                            names.join("; ")
                        ),
                    });
                    continue;
                }
            };
            let (from, to, found) = if forward {
                (p.a, p.b, p.forward)
            } else {
                (p.b, p.a, p.backward)
            };
            for (i, e) in found {
                self.add(from, to, i, e, p.span, LinkOrigin::Pipe);
            }
        }
        self.plug_leftovers(pipe);
    }

    /// Wires a pipe of commands through the plumbing `joint` added: each
    /// stage's stdout to its pipe, the pipe to the next stage's stdin, and both
    /// stages' `run` (or the driver before) to the driver.
    fn command_pipe(&mut self, commands: &crate::plumbing::CommandPipe, pipe: &[At<String>]) {
        use crate::plumbing::{CONTROL, DOWNSTREAM, LEFT, RIGHT, STATUS, UPSTREAM};
        let origin = LinkOrigin::Pipe;
        // The first driver's report before is its pipe's; the others', the driver's
        // before them.
        let mut before = commands.joints.first().map(|j| j.pipe);
        for j in &commands.joints {
            let stdio = |this: &Self, stage: usize, interface: &str| {
                find(&this.imports[stage], &format!("wasi:cli/{interface}@0.3.2"))
                    .filter(|i| !this.satisfied[stage].contains_key(*i))
                    .map(str::to_string)
            };
            if let Some(stdout) = stdio(self, j.left_stage, "stdout") {
                self.add(
                    j.pipe,
                    j.left_stage,
                    stdout,
                    UPSTREAM.into(),
                    j.span,
                    origin,
                );
            }
            if let Some(stdin) = stdio(self, j.right, "stdin") {
                self.add(j.pipe, j.right, stdin, DOWNSTREAM.into(), j.span, origin);
            }
            self.add(
                j.pipe,
                j.driver,
                CONTROL.into(),
                CONTROL.into(),
                j.span,
                origin,
            );
            for (side, import) in [(j.left, LEFT), (j.right, RIGHT)] {
                let run = crate::joint::run_export(self.loaded, side).unwrap_or_default();
                self.add(side, j.driver, import.into(), run, j.span, origin);
            }
            if let Some(from) = before.replace(j.driver) {
                self.add(from, j.driver, STATUS.into(), STATUS.into(), j.span, origin);
            }
        }
        self.plug_leftovers(pipe);
    }

    /// Links a pipe member's unlinked import to the one other pipe member that
    /// exports it, unless that would close a cycle.
    fn plug_leftovers(&mut self, pipe: &[At<String>]) {
        let mut members: Vec<(usize, Span)> = Vec::new();
        let mut seen = vec![false; self.loaded.instances.len()];
        for m in pipe {
            if let Some(&i) = self.names.get(m.value.as_str()) {
                if self.loaded(i) && !std::mem::replace(&mut seen[i], true) {
                    members.push((i, m.span));
                }
            }
        }
        for &(to, span) in &members {
            for import in self.imports[to].clone() {
                if self.satisfied[to].contains_key(import) {
                    continue;
                }
                let exporters: Vec<(usize, &str)> = members
                    .iter()
                    .filter(|(from, _)| *from != to)
                    .filter_map(|(from, _)| find(&self.exports[*from], import).map(|e| (*from, e)))
                    .collect();
                if let [(from, export)] = exporters.as_slice() {
                    if !self.reaches(to, *from) {
                        let (import, export) = (import.to_string(), export.to_string());
                        self.add(*from, to, import, export, span, LinkOrigin::Auto);
                    }
                }
            }
        }
    }

    /// Whether `target` depends, through links, on `start` (calls flow from → to).
    fn reaches(&self, start: usize, target: usize) -> bool {
        let mut stack = vec![start];
        let mut seen = vec![false; self.loaded.instances.len()];
        while let Some(n) = stack.pop() {
            if n == target {
                return true;
            }
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            stack.extend(
                self.graph
                    .links
                    .iter()
                    .filter(|l| l.from == n)
                    .map(|l| l.to),
            );
        }
        false
    }

    fn exports(&mut self, spec: &PipelineSpec) {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut push =
            |this: &mut Self, instance: usize, export: String, name: String, span: Span| {
                if let Some(first) = seen.get(&name) {
                    this.errors.push(Error::ExportConflict {
                        name,
                        span,
                        first: *first,
                    });
                    return;
                }
                seen.insert(name.clone(), span);
                this.graph.exports.push(OutputExport {
                    instance,
                    export,
                    name,
                    span,
                });
            };
        match &spec.exports {
            Some(entries) => {
                for entry in entries {
                    let Some(i) = self.instance(entry.instance()) else {
                        continue;
                    };
                    if !self.loaded(i) {
                        continue;
                    }
                    let exports = self.exports[i].clone();
                    match entry {
                        ExportSpec::All { instance } => {
                            for e in exports {
                                push(self, i, e.to_string(), e.to_string(), instance.span);
                            }
                        }
                        ExportSpec::One {
                            span,
                            from,
                            name,
                            rename,
                        } => {
                            let export = match name {
                                Some(n) => match exports.iter().find(|e| **e == n.value) {
                                    Some(e) => e.to_string(),
                                    None => {
                                        self.no_such_export(&from.value, n, &exports);
                                        continue;
                                    }
                                },
                                None if exports.len() == 1 => exports[0].to_string(),
                                None => {
                                    self.errors.push(Error::NoSuchExport {
                                        instance: from.value.clone(),
                                        name: "(unnamed)".into(),
                                        span: *span,
                                        help: format!(
                                            "`{}` has {} exports; name one with `name:`: {}",
                                            from.value,
                                            exports.len(),
                                            list(&exports)
                                        ),
                                    });
                                    continue;
                                }
                            };
                            let (out, out_span) = match rename {
                                Some(r) => (r.value.clone(), r.span),
                                None => (export.clone(), *span),
                            };
                            push(self, i, export, out, out_span);
                        }
                    }
                }
            }
            None => {
                // The ends of the pipeline: instances none of whose exports a link uses.
                let mut linked = vec![false; self.loaded.instances.len()];
                for l in &self.graph.links {
                    linked[l.from] = true;
                }
                for (i, inst) in self.loaded.instances.iter().enumerate() {
                    if inst.file.is_none() || linked[i] || self.layered[i] {
                        continue;
                    }
                    for e in self.exports[i].clone() {
                        push(self, i, e.to_string(), e.to_string(), inst.name.span);
                    }
                }
            }
        }
        // A component that exports nothing is valid (wasm-compose and wac make them),
        // though rarely what was meant.
        if self.graph.exports.is_empty()
            && self.errors.is_empty()
            && self.loaded.instances.iter().all(|i| i.file.is_some())
        {
            let span = match spec.exports.as_deref() {
                Some([first, ..]) => Some(first.span()),
                _ => None,
            };
            self.warnings.push(Warning::NoExports { span });
        }
    }

    fn cycles(&mut self) {
        let n = self.loaded.instances.len();
        let mut g: DiGraph<usize, usize> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..n).map(|i| g.add_node(i)).collect();
        for (k, l) in self.graph.links.iter().enumerate() {
            g.add_edge(nodes[l.from], nodes[l.to], k);
        }
        if !petgraph::algo::is_cyclic_directed(&g) {
            return;
        }
        let mut sccs = petgraph::algo::tarjan_scc(&g);
        sccs.sort_by_key(|c| c.iter().map(|n| n.index()).min());
        for scc in sccs.into_iter().filter(|c| c.len() > 1) {
            let start = *scc.iter().min_by_key(|n| n.index()).unwrap();
            let path = cycle_path(&g, start, &scc);
            let mut chain = vec![self.name(g[start]).to_string()];
            let mut labels = Vec::new();
            for edge in path {
                let l = &self.graph.links[edge];
                chain.push(self.name(l.to).to_string());
                labels.push(miette::LabeledSpan::new_with_span(
                    Some(format!(
                        "`{}` → `{}` ({})",
                        self.name(l.from),
                        self.name(l.to),
                        l.import
                    )),
                    l.span,
                ));
            }
            self.errors.push(Error::Cycle {
                chain: chain.join(" → "),
                links: labels,
            });
        }
    }
}

/// The edges of one cycle through `start` inside a strongly connected component.
fn cycle_path(g: &DiGraph<usize, usize>, start: NodeIndex, scc: &[NodeIndex]) -> Vec<usize> {
    use petgraph::visit::EdgeRef;
    // Breadth-first search from `start` back to `start`, staying inside the component.
    let mut prev: HashMap<NodeIndex, (NodeIndex, usize)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        let mut edges: Vec<_> = g.edges(node).collect();
        edges.sort_by_key(|e| *e.weight());
        for e in edges {
            let next = e.target();
            if !scc.contains(&next) {
                continue;
            }
            if next == start {
                let mut path = vec![*e.weight()];
                let mut at = node;
                while at != start {
                    let (p, w) = prev[&at];
                    path.push(w);
                    at = p;
                }
                path.reverse();
                return path;
            }
            if next != start && !prev.contains_key(&next) {
                prev.insert(next, (node, *e.weight()));
                queue.push_back(next);
            }
        }
    }
    Vec::new()
}

/// Resolves the pipeline's links and exports against the loaded components.
pub fn resolve(spec: &PipelineSpec, loaded: &Loaded) -> (LinkGraph, Vec<Error>, Vec<Warning>) {
    let n = loaded.instances.len();
    let mut r = Resolver {
        loaded,
        names: loaded
            .instances
            .iter()
            .enumerate()
            .map(|(i, inst)| (inst.name.value.as_str(), i))
            .collect(),
        imports: (0..n).map(|i| items(loaded, i, false)).collect(),
        exports: (0..n).map(|i| items(loaded, i, true)).collect(),
        satisfied: vec![BTreeMap::new(); n],
        layered: (loaded.instances.iter())
            .map(|i| spec.is_layer(&i.name.value))
            .collect(),
        graph: LinkGraph::default(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    for link in &spec.links {
        r.explicit(link);
    }
    match &loaded.command_pipe {
        Some(commands) => r.command_pipe(commands, &spec.pipe),
        None => r.pipe(&spec.pipe),
    }
    r.cycles();
    r.exports(spec);
    let mut warnings = std::mem::take(&mut r.warnings);
    // Errors make "unused" guesses unreliable (a misspelt link leaves its ends unused).
    let failed = !r.errors.is_empty() || loaded.instances.iter().any(|i| i.file.is_none());
    let mut used = vec![false; n];
    let ends = r.graph.links.iter().flat_map(|l| [l.from, l.to]);
    for i in ends.chain(r.graph.exports.iter().map(|e| e.instance)) {
        used[i] = true;
    }
    for (i, inst) in loaded.instances.iter().enumerate().filter(|_| !failed) {
        // A layer is wired by `crate::layers`, which says whether it is used.
        if !used[i] && !r.layered[i] {
            r.graph.unused.push(i);
            warnings.push(Warning::UnusedInstance {
                name: inst.name.value.clone(),
                span: inst.name.span,
            });
        }
    }
    // Everything not linked stays an import of the output.
    for i in 0..n {
        let Some(package) = loaded.package(i) else {
            continue;
        };
        if r.graph.unused.contains(&i) || r.layered[i] {
            continue;
        }
        let world = &loaded.graph.types()[loaded.graph[package].ty()];
        for name in world.imports.keys() {
            if !r.satisfied[i].contains_key(name) {
                r.graph.remaining_imports.push(RemainingImport {
                    instance: i,
                    name: name.clone(),
                    authority: i,
                });
            }
        }
    }
    (r.graph, r.errors, warnings)
}
