//! Where a value stands in the pipeline file: the span model grants (and the rest of
//! the pipeline model) carry, independent of the YAML reader.

use serde::{Deserialize, Deserializer};

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
    /// The span of a YAML value as the reader reported it (for the pipeline reader in
    /// `witpipe-compose`; not part of the model).
    #[doc(hidden)]
    pub fn from_location(loc: &serde_saphyr::Location) -> Self {
        let span = loc.span();
        Span {
            offset: span.byte_offset().unwrap_or(0) as usize,
            len: span.byte_len().unwrap_or(1).max(1) as usize,
            line: loc.line() as u32,
            column: loc.column() as u32,
        }
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

impl<T> std::ops::Deref for At<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    /// Reads the value with the reader's location of it.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(At {
            span: Span::from_location(&spanned.referenced),
            value: spanned.value,
        })
    }
}
