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
}

impl fmt::Debug for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Without a label miette shows no snippet, so name the file in the message.
        if self.inner.labels().is_none() {
            write!(f, "{}: {}", self.name, self.inner)
        } else {
            write!(f, "{}", self.inner)
        }
    }
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
        self.inner.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
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

/// Renders diagnostics that point into `source` (the text of `name`).
pub fn render<'a>(
    name: &str,
    source: &str,
    items: impl IntoIterator<Item = &'a dyn Diagnostic>,
) -> String {
    let file = NamedSource::new(name, source.to_string());
    let handler = handler();
    let mut out = String::new();
    for inner in items {
        let d = InFile {
            inner,
            file: &file,
            name,
        };
        // Rendering into a String cannot fail.
        let _ = handler.render_report(&mut out, &d);
    }
    out
}

/// Prints a failure's errors and warnings to stderr with a count line.
pub fn report_failure(failure: &Failure) -> Reported {
    let name = failure.path.display().to_string();
    let items = failure
        .warnings
        .iter()
        .map(|w| w as &dyn Diagnostic)
        .chain(failure.errors.iter().map(|e| e as &dyn Diagnostic));
    eprint!("{}", render(&name, &failure.source, items));
    let n = failure.errors.len();
    eprintln!(
        "error: {name}: {n} error{} found",
        if n == 1 { "" } else { "s" }
    );
    Reported
}

/// Prints warnings (composition went on) to stderr.
pub fn report_warnings(name: &str, source: &str, warnings: &[witpipe_compose::Warning]) {
    if !warnings.is_empty() {
        eprint!(
            "{}",
            render(name, source, warnings.iter().map(|w| w as &dyn Diagnostic))
        );
    }
}

/// Prints a one-line error that has no location in a pipeline file.
pub fn report_plain(message: impl fmt::Display) -> Reported {
    eprintln!("error: {message}");
    Reported
}
