//! Rendering library errors for people: miette snippets pointing into the pipeline file.

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;
use witpipe_compose::Failure;

/// Marker: the problem has been printed, exit non-zero.
#[derive(Debug)]
pub struct Reported;

/// A diagnostic shown against the pipeline file it came from.
struct InFile<'a> {
    inner: &'a dyn Diagnostic,
    file: &'a NamedSource<String>,
    name: &'a str,
    /// `line:column` of the first label when its line is too long to show as a
    /// snippet (a generated or hostile file); the message carries it instead.
    position: Option<String>,
}

/// Lines longer than this are not shown as snippets.
const MAX_SNIPPET_LINE: usize = 400;

impl<'a> InFile<'a> {
    fn new(inner: &'a dyn Diagnostic, file: &'a NamedSource<String>, name: &'a str) -> Self {
        let source = file.inner();
        let position = inner.labels().and_then(|mut labels| {
            let offset = labels.next()?.offset().min(source.len());
            let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
            let end = source[offset..]
                .find('\n')
                .map_or(source.len(), |i| offset + i);
            (end - start > MAX_SNIPPET_LINE).then(|| {
                let (line, column) = witpipe_compose::line_col(source, offset);
                format!("{line}:{column}")
            })
        });
        InFile {
            inner,
            file,
            name,
            position,
        }
    }
}

impl fmt::Debug for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = clean(&self.inner.to_string());
        // Without a label miette shows no snippet, so name the file in the message.
        if let Some(position) = &self.position {
            write!(f, "{}:{position}: {message}", clean(self.name))
        } else if self.inner.labels().is_none() {
            write!(f, "{}: {message}", clean(self.name))
        } else {
            f.write_str(&message)
        }
    }
}

/// Words longer than this are cut when a message echoes them.
const MAX_WORD: usize = 200;

/// `text` as it may reach a terminal: control characters escaped (a value from a
/// hostile file could otherwise move the cursor or recolour the screen), and any word
/// longer than [`MAX_WORD`] characters cut, with its length said.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let len = word.chars().count();
        let kept = word.chars().take(if len > MAX_WORD { 60 } else { len });
        for c in kept {
            match c {
                '\n' => out.push(c),
                c if c.is_control() => out.extend(c.escape_default()),
                c => out.push(c),
            }
        }
        if len > MAX_WORD {
            out.push_str(&format!("…({len} characters)"));
        }
    }
    out
}

impl std::error::Error for InFile<'_> {}

impl Diagnostic for InFile<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = clean(&self.inner.help()?.to_string());
        Some(Box::new(help))
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.position.is_some() {
            return None;
        }
        let labels = self.inner.labels()?.map(|l| {
            let text = l.label().map(clean);
            match l.primary() {
                true => LabeledSpan::new_primary_with_span(text, *l.inner()),
                false => LabeledSpan::new_with_span(text, *l.inner()),
            }
        });
        Some(Box::new(labels.collect::<Vec<_>>().into_iter()))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.file)
    }
}

fn handler() -> GraphicalReportHandler {
    let theme = if std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
    {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// `source` as its snippets may reach a terminal: each control character but tab and
/// line breaks becomes as many `?` as it has bytes, so every span's offsets still hold.
fn shown_source(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for c in source.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.extend(std::iter::repeat_n('?', c.len_utf8())),
            c => out.push(c),
        }
    }
    out
}

/// Renders diagnostics that point into `source` (the text of `name`).
pub fn render<'a>(
    name: &str,
    source: &str,
    items: impl IntoIterator<Item = &'a dyn Diagnostic>,
) -> String {
    let file = NamedSource::new(name, shown_source(source));
    let handler = handler();
    let mut out = String::new();
    for inner in items {
        let d = InFile::new(inner, &file, name);
        // Rendering into a String cannot fail.
        let _ = handler.render_report(&mut out, &d);
    }
    out
}

/// At most this many errors (and as many warnings) are printed.
const MAX_SHOWN: usize = 50;

/// Prints a failure's errors and warnings to stderr with a count line.
pub fn report_failure(failure: &Failure) -> Reported {
    let name = failure.path.display().to_string();
    // A generated or hostile file can hold thousands of the same mistake.
    let items = failure
        .warnings
        .iter()
        .take(MAX_SHOWN)
        .map(|w| w as &dyn Diagnostic)
        .chain(
            failure
                .errors
                .iter()
                .take(MAX_SHOWN)
                .map(|e| e as &dyn Diagnostic),
        );
    eprint!("{}", render(&name, &failure.source, items));
    let n = failure.errors.len();
    let hidden = n.saturating_sub(MAX_SHOWN) + failure.warnings.len().saturating_sub(MAX_SHOWN);
    if hidden > 0 {
        eprintln!(
            "… and {hidden} more problems like these, not shown: fix the first ones and run again"
        );
    }
    eprintln!(
        "error: {name}: {n} error{} found",
        if n == 1 { "" } else { "s" }
    );
    Reported
}

/// Prints warnings (composition went on) to stderr.
pub fn report_warnings(name: &str, source: &str, warnings: &[witpipe_compose::Warning]) {
    let shown = warnings
        .iter()
        .take(MAX_SHOWN)
        .map(|w| w as &dyn Diagnostic);
    eprint!("{}", render(name, source, shown));
    if let Some(hidden) = warnings.len().checked_sub(MAX_SHOWN).filter(|&n| n > 0) {
        eprintln!("warning: … and {hidden} more warnings like these, not shown");
    }
}

/// Prints a one-line error that has no location in a pipeline file.
pub fn report_plain(message: impl fmt::Display) -> Reported {
    eprintln!("error: {}", clean(&message.to_string()));
    Reported
}

/// One diagnostic as `check --json` gives it (schema/check-output.schema.json): the
/// position of its first label in `file` (whose text is `source`), every label, and
/// its help.
pub fn to_json(file: &str, source: &str, d: &dyn Diagnostic, severity: &str) -> serde_json::Value {
    let labels: Vec<serde_json::Value> = d
        .labels()
        .into_iter()
        .flatten()
        .map(|l| {
            let (line, column) = witpipe_compose::line_col(source, l.offset());
            serde_json::json!({
                "line": line,
                "column": column,
                "offset": l.offset(),
                "length": l.len(),
                "text": l.label(),
            })
        })
        .collect();
    let first = labels.first();
    serde_json::json!({
        "severity": severity,
        "code": d.code().map(|c| c.to_string()),
        "message": d.to_string(),
        "help": d.help().map(|h| h.to_string()),
        "file": file,
        "line": first.map(|l| &l["line"]),
        "column": first.map(|l| &l["column"]),
        "labels": labels,
    })
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn control_characters_are_escaped_and_long_words_cut() {
        assert_eq!(clean("unknown `b\u{1b}[31m`"), "unknown `b\\u{1b}[31m`");
        assert_eq!(clean("two\nlines\tand a tab"), "two\nlines\\tand a tab");
        let long = format!("`{}`", "x".repeat(10_000));
        let shown = clean(&format!("unknown instance {long}"));
        assert!(shown.len() < 120, "{shown}");
        assert!(shown.ends_with("…(10002 characters)"), "{shown}");
    }
}
