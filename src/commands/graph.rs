//! `witpipe graph FILE --format dot|mermaid`: the link graph as a picture source.

use crate::diagnostics::{report_failure, Reported};
use std::fmt::Write;
use std::path::PathBuf;
use witpipe_compose::Pipeline;

/// Picture formats.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Graphviz.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// Print the link graph: instances, typed links, exports and host imports.
#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    format: Format,
}

/// An edge of the picture: from, to, label, dashed.
type Edge = (String, String, String, bool);

impl Args {
    /// Runs the command.
    pub fn exec(self) -> Result<(), Reported> {
        let fetcher = super::fetcher();
        let p = Pipeline::open_with(&self.file, &fetcher).map_err(|f| report_failure(&f))?;
        let plumbing = p.command_pipe().map(|c| c.plumbing().collect::<Vec<_>>());
        let mut nodes: Vec<String> = (0..p.spec().components.len())
            .chain(plumbing.into_iter().flatten())
            .map(|i| p.instance_name(i).to_string())
            .collect();
        let mut edges: Vec<Edge> = p
            .links()
            .links
            .iter()
            .map(|l| {
                (
                    p.instance_name(l.from).into(),
                    p.instance_name(l.to).into(),
                    l.import.clone(),
                    false,
                )
            })
            .collect();
        if !p.links().remaining_imports.is_empty() {
            nodes.push("host".into());
            edges.extend(p.links().remaining_imports.iter().map(|r| {
                (
                    "host".into(),
                    p.instance_name(r.instance).into(),
                    r.name.clone(),
                    true,
                )
            }));
        }
        if !p.links().exports.is_empty() {
            nodes.push("output".into());
            edges.extend(p.links().exports.iter().map(|e| {
                (
                    p.instance_name(e.instance).into(),
                    "output".into(),
                    e.name.clone(),
                    true,
                )
            }));
        }
        let text = match self.format {
            Format::Dot => dot(&nodes, &edges),
            Format::Mermaid => mermaid(&nodes, &edges),
        };
        print!("{text}");
        Ok(())
    }
}

/// A command pipe's plumbing (`pipe(a|b)`, `run(a|b)`): instance names from
/// `components:` hold no parentheses.
fn is_plumbing(name: &str) -> bool {
    name.ends_with(')')
}

fn dot(nodes: &[String], edges: &[Edge]) -> String {
    let mut s = String::from("digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n");
    for n in nodes {
        let shape = if n == "host" || n == "output" {
            " shape=ellipse"
        } else if is_plumbing(n) {
            " shape=hexagon"
        } else {
            ""
        };
        let n = dot_text(n);
        let _ = writeln!(s, "  \"{n}\" [label=\"{n}\"{shape}];");
    }
    for (from, to, label, dashed) in edges {
        let style = if *dashed { " style=dashed" } else { "" };
        let (from, to, label) = (dot_text(from), dot_text(to), dot_text(label));
        let _ = writeln!(s, "  \"{from}\" -> \"{to}\" [label=\"{label}\"{style}];");
    }
    s.push_str("}\n");
    s
}

fn mermaid(nodes: &[String], edges: &[Edge]) -> String {
    // Mermaid ids cannot hold every character an instance name can; number them.
    let id = |n: &str| format!("n{}", nodes.iter().position(|m| m == n).unwrap_or(0));
    let mut s = String::from("flowchart LR\n");
    for n in nodes {
        let text = mermaid_text(n);
        let _ = if n == "host" || n == "output" {
            writeln!(s, "  {}([\"{text}\"])", id(n))
        } else if is_plumbing(n) {
            writeln!(s, "  {}{{{{\"{text}\"}}}}", id(n))
        } else {
            writeln!(s, "  {}[\"{text}\"]", id(n))
        };
    }
    for (from, to, label, dashed) in edges {
        let arrow = if *dashed { "-.->" } else { "-->" };
        let label = mermaid_text(label);
        let _ = writeln!(s, "  {} {arrow}|\"{label}\"| {}", id(from), id(to));
    }
    s
}

/// `text` inside a DOT string: quotes and backslashes escaped, control characters as
/// `\\n` or dropped, so no name can end the string.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `text` inside a Mermaid `"…"` label: quotes and the characters Mermaid reads as
/// markup as entity codes, control characters dropped.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_control() => {}
            c => out.push(c),
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
