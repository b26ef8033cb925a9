//! Source locations inside a pipeline file: the span model of `witpipe-policy` (one
//! for the whole pipeline model), read from the YAML reader's locations here.

use serde_saphyr::Spanned;
pub use witpipe_policy::{At, Span};

/// The span of a parsed value.
pub(crate) fn span_of<T>(s: &Spanned<T>) -> Span {
    Span::from_location(&s.referenced)
}

/// A parsed spanned value as the model's [`At`].
pub(crate) fn at<T>(s: Spanned<T>) -> At<T> {
    At {
        span: span_of(&s),
        value: s.value,
    }
}

/// The 1-based line and column (in characters) of a byte offset in `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
