//! `witpipe graph FILE --format dot|mermaid`: the output as composed, as a picture
//! source. Arrows go the way calls go (importer → exporter, as the README's diagram
//! draws them): links between instances, each instance's policy wrappers, what goes
//! on to the host, and the output's exports.

use crate::diagnostics::Reported;
use std::fmt::Write;
use std::path::PathBuf;

/// Picture formats.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Graphviz.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// Print the composed output as a graph: instances, typed links (caller → callee),
/// policy wrappers, host imports after policy, and exports.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    format: Format,
}

/// What a node of the picture is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An instance of `components:`.
    Instance,
    /// A command pipe's plumbing (`pipe(a|b)`, `run(a|b)`).
    Plumbing,
    /// A policy wrapper of one instance.
    Wrapper,
    /// The host, or the output: drawn once, whatever the instances are called.
    End,
}

/// A node: its label and kind. Nodes are known by their position, so an instance
/// named `host` or `output` is never merged with the picture's own nodes.
type Node = (String, Kind);

/// An edge of the picture: from, to (node positions), label, dashed.
type Edge = (usize, usize, String, bool);

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let composition = super::compose_pipeline(&self.file)?;
        let p = &composition.pipeline;
        let report = composition.report();
        // Instances are the components, then a command pipe's plumbing: instance `i`
        // is node `i`.
        let stages = p.spec().components.len();
        let plumbing = p.command_pipe().map_or(0, |c| c.plumbing().count());
        let kind = |i| match i < stages {
            true => Kind::Instance,
            false => Kind::Plumbing,
        };
        let mut nodes: Vec<Node> = (0..stages + plumbing)
            .map(|i| (p.instance_name(i).to_string(), kind(i)))
            .collect();
        let index = |name: &str| (0..stages + plumbing).find(|i| p.instance_name(*i) == name);
        let links = p.links();
        // Calls go from the importer to the exporter.
        let mut edges: Vec<Edge> = (links.links.iter())
            .map(|l| (l.to, l.from, l.import.clone(), false))
            .collect();
        let mut host = None;
        for policy in &report.policies {
            let Some(instance) = index(&policy.instance) else {
                continue;
            };
            // Each instance has wrapper instances of its own.
            let mut own: std::collections::BTreeMap<&str, usize> = Default::default();
            for (import, wrapper) in &policy.wrapped {
                let node = *own.entry(wrapper).or_insert_with(|| {
                    nodes.push((format!("{wrapper} wrapper"), Kind::Wrapper));
                    nodes.len() - 1
                });
                edges.push((instance, node, import.clone(), true));
            }
            // A command pipe's plumbing has no grants of its own.
            let granted = (p.spec().components.get(instance)).and_then(|c| c.grants.as_deref());
            let blocks: Vec<&witpipe_policy::GrantsSpec> = (p.spec().defaults.iter())
                .map(|d| &d.value)
                .chain(granted.map(|g| &g.value))
                .collect();
            for import in &policy.host {
                let node = *host.get_or_insert_with(|| {
                    nodes.push(("host".into(), Kind::End));
                    nodes.len() - 1
                });
                // What a wrapper answers reaches the host through the wrapper.
                let caller = (policy.wrapped.iter())
                    .find(|(i, _)| i == import)
                    .map_or(instance, |(_, w)| own[w.as_str()]);
                // With the grant that lets it through.
                let label = match witpipe_policy::granted_by(import, &blocks).as_slice() {
                    [] => import.clone(),
                    keys => format!("{import} (granted: {})", keys.join(", ")),
                };
                edges.push((caller, node, label, true));
            }
        }
        if !links.exports.is_empty() {
            nodes.push(("output".into(), Kind::End));
            let output = nodes.len() - 1;
            let exports = links.exports.iter();
            edges.extend(exports.map(|e| (output, e.instance, e.name.clone(), true)));
        }
        let text = match self.format {
            Format::Dot => dot(&nodes, &edges),
            Format::Mermaid => mermaid(&nodes, &edges),
        };
        print!("{text}");
        Ok(())
    }
}

fn dot(nodes: &[Node], edges: &[Edge]) -> String {
    let mut s = String::from("digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n");
    for (i, (label, kind)) in nodes.iter().enumerate() {
        let shape = match kind {
            Kind::End => " shape=ellipse",
            Kind::Plumbing => " shape=hexagon",
            Kind::Wrapper => " shape=component",
            Kind::Instance => "",
        };
        let _ = writeln!(s, "  n{i} [label=\"{}\"{shape}];", dot_text(label));
    }
    for (from, to, label, dashed) in edges {
        let style = if *dashed { " style=dashed" } else { "" };
        let _ = writeln!(
            s,
            "  n{from} -> n{to} [label=\"{}\"{style}];",
            dot_text(label)
        );
    }
    s.push_str("}\n");
    s
}

fn mermaid(nodes: &[Node], edges: &[Edge]) -> String {
    let mut s = String::from("flowchart LR\n");
    for (i, (label, kind)) in nodes.iter().enumerate() {
        let text = mermaid_text(label);
        let _ = match kind {
            Kind::End => writeln!(s, "  n{i}([\"{text}\"])"),
            Kind::Plumbing => writeln!(s, "  n{i}{{{{\"{text}\"}}}}"),
            Kind::Wrapper => writeln!(s, "  n{i}[[\"{text}\"]]"),
            Kind::Instance => writeln!(s, "  n{i}[\"{text}\"]"),
        };
    }
    for (from, to, label, dashed) in edges {
        let arrow = if *dashed { "-.->" } else { "-->" };
        let label = mermaid_text(label);
        let _ = writeln!(s, "  n{from} {arrow}|\"{label}\"| n{to}");
    }
    s
}

/// `text` inside a DOT string: quotes and backslashes escaped, a newline as `\\n`,
/// other control characters dropped, so no name can end the string.
fn dot_text(text: &str) -> String {
    escaped(text, |c| match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '\n' => Some("\\n"),
        _ => None,
    })
}

/// `text` inside a Mermaid `"…"` label: quotes and the characters Mermaid reads as
/// markup as entity codes, control characters dropped.
fn mermaid_text(text: &str) -> String {
    escaped(text, |c| match c {
        '"' => Some("#quot;"),
        '#' => Some("#35;"),
        '<' => Some("#lt;"),
        '>' => Some("#gt;"),
        _ => None,
    })
}

/// `text` with each character `replace` names replaced, and the other control
/// characters dropped.
fn escaped(text: &str, replace: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match replace(c) {
            Some(r) => out.push_str(r),
            None if c.is_control() => {}
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{dot_text, mermaid_text};

    #[test]
    fn no_name_ends_its_string() {
        assert_eq!(dot_text("a\"b\\c\nd\u{1b}"), "a\\\"b\\\\c\\nd");
        assert_eq!(mermaid_text("a\"b#c<d>\n"), "a#quot;b#35;c#lt;d#gt;");
    }
}
