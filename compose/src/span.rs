//! Source locations inside a pipeline file.

use serde_saphyr::{Location, Spanned};

/// A byte range in the pipeline file, with the 1-based line and column of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (at least 1 where known).
    pub len: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Span {
    /// The span of a YAML value as the parser reported it.
    pub fn from_location(loc: &Location) -> Self {
        let span = loc.span();
        Span {
            offset: span.byte_offset().unwrap_or(0) as usize,
            len: span.byte_len().unwrap_or(1).max(1) as usize,
            line: loc.line() as u32,
            column: loc.column() as u32,
        }
    }

    /// The span of a parsed value.
    pub fn of<T>(s: &Spanned<T>) -> Self {
        Self::from_location(&s.referenced)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.offset, s.len).into()
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct At<T> {
    /// The value.
    pub value: T,
    /// Where it stands in the pipeline file.
    pub span: Span,
}

impl<T> At<T> {
    /// Wraps a parsed spanned value.
    pub fn from_spanned(s: Spanned<T>) -> Self {
        let span = Span::of(&s);
        At {
            value: s.value,
            span,
        }
    }
}

impl<T> std::ops::Deref for At<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}
