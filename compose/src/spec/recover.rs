//! Going on after the YAML reader refuses an entry of a grants block, so that one run
//! reports every problem of every grants block (the reader stops at its first error).
//!
//! The file is read once more for its outline alone: where each grants block is and
//! where each of its keys starts. The refused entry is then blanked (replaced by
//! spaces, line breaks kept, so every offset, line and column of the rest stays
//! true) and the file is read again, until it reads or an error falls outside every
//! grants block.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::fmt;
use std::marker::PhantomData;

/// A grants block (`grants:` of a component or `defaults:`): where it starts and
/// where each of its keys starts (byte offsets).
#[derive(Debug, Default)]
struct Block {
    start: usize,
    keys: Vec<usize>,
}

/// Every grants block of a file, in no particular order.
#[derive(Debug, Default)]
pub(super) struct Outline {
    blocks: Vec<Block>,
}

impl Outline {
    /// The outline of `text`, if it reads as YAML of the pipeline's broad shape.
    pub(super) fn read(text: &str, options: serde_saphyr::Options) -> Option<Outline> {
        let raw: RawOutline = serde_saphyr::from_str_with_options(text, options).ok()?;
        let mut blocks: Vec<Block> = raw.defaults.into_iter().map(block).collect();
        for component in raw.components.map(|c| c.0).unwrap_or_default() {
            blocks.extend(component.map(block));
        }
        Some(Outline { blocks })
    }

    /// The byte range of the grants entry holding `offset`, if one does.
    pub(super) fn entry_at(&self, text: &str, offset: usize) -> Option<(usize, usize)> {
        self.blocks.iter().find_map(|b| {
            let flow = text[b.start..].starts_with('{');
            let i = b.keys.iter().rposition(|&k| k <= offset)?;
            let start = b.keys[i];
            let end = match b.keys.get(i + 1) {
                Some(&next) => next,
                None if flow => flow_end(text, start)?,
                None => block_end(text, start),
            };
            // The last entry of a flow mapping takes the comma before it along.
            let start = match (flow, b.keys.get(i + 1)) {
                (true, None) => {
                    let before = text[..start].trim_end();
                    before.strip_suffix(',').map_or(start, str::len)
                }
                _ => start,
            };
            (offset < end).then_some((start, end))
        })
    }
}

/// `text` with the bytes in `range` replaced by spaces, line breaks kept.
pub(super) fn blank(text: &str, (start, end): (usize, usize)) -> String {
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    for c in text[start..end].chars() {
        match c {
            '\n' | '\r' => out.push(c),
            c => out.extend(std::iter::repeat_n(' ', c.len_utf8())),
        }
    }
    out.push_str(&text[end..]);
    out
}

/// Where the value of the last key of a block mapping ends: at the first later line
/// that is less indented than the key and holds more than a comment.
fn block_end(text: &str, key: usize) -> usize {
    let line_start = text[..key].rfind('\n').map_or(0, |i| i + 1);
    let indent = key - line_start;
    let mut at = text[key..].find('\n').map_or(text.len(), |i| key + i + 1);
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let line = &text[at..line_end];
        let content = line.trim_start();
        let blank = content.trim().is_empty() || content.starts_with('#');
        if !blank && line.len() - content.len() < indent {
            return at;
        }
        at = line_end;
    }
    text.len()
}

/// Where the value of the last key of a flow mapping ends: at the `}` that closes
/// the mapping (brackets and quotes inside the value are skipped).
fn flow_end(text: &str, key: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text[key..].char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']') => depth = depth.checked_sub(1)?,
            (None, '}') if depth == 0 => return Some(key + i),
            (None, '}') => depth -= 1,
            _ => {}
        }
        escaped = false;
    }
    None
}

/// The pipeline file's broad shape: only what leads to grants blocks.
#[derive(Deserialize)]
struct RawOutline {
    components: Option<Components>,
    defaults: Option<Spanned<Keys>>,
}

fn block(keys: Spanned<Keys>) -> Block {
    Block {
        start: crate::span::span_of(&keys).offset,
        keys: keys.value.0,
    }
}

/// A `components:` map: each entry's grants block, if it has one.
#[derive(Default)]
struct Components(Vec<Option<Spanned<Keys>>>);

/// A mapping's key offsets (empty for anything but a mapping).
#[derive(Default)]
struct Keys(Vec<usize>);

/// One `components:` entry: a path, or a mapping that may hold `grants:`.
#[derive(Default)]
struct Component(Option<Spanned<Keys>>);

/// A type read from a mapping; anything but a mapping reads as its `Default`.
trait FromMap: Default {
    fn from_map<'de, A: MapAccess<'de>>(m: &mut A) -> Result<Self, A::Error>;
}

impl FromMap for Components {
    fn from_map<'de, A: MapAccess<'de>>(m: &mut A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some((_, c)) = m.next_entry::<IgnoredAny, Component>()? {
            out.push(c.0);
        }
        Ok(Components(out))
    }
}

impl FromMap for Component {
    fn from_map<'de, A: MapAccess<'de>>(m: &mut A) -> Result<Self, A::Error> {
        let mut grants = None;
        while let Some(key) = m.next_key::<String>()? {
            match key.as_str() {
                "grants" => grants = m.next_value()?,
                _ => m.next_value::<IgnoredAny>().map(drop)?,
            }
        }
        Ok(Component(grants))
    }
}

impl FromMap for Keys {
    fn from_map<'de, A: MapAccess<'de>>(m: &mut A) -> Result<Self, A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = m.next_key::<Spanned<IgnoredAny>>()? {
            keys.push(crate::span::span_of(&key).offset);
            m.next_value::<IgnoredAny>()?;
        }
        Ok(Keys(keys))
    }
}

macro_rules! deserialize_from_map {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(MapOf::<$t>(PhantomData))
            }
        }
    )*};
}
deserialize_from_map!(Components, Component, Keys);

/// Reads a [`FromMap`] type from any value.
struct MapOf<T>(PhantomData<T>);

impl<'de, T: FromMap> Visitor<'de> for MapOf<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<T, A::Error> {
        T::from_map(&mut m)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<T, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(T::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> serde_saphyr::Options {
        serde_saphyr::Options::default()
    }

    /// The text of the entry holding the first byte of `needle`, blanked.
    fn blanked(text: &str, needle: &str) -> String {
        let outline = Outline::read(text, options()).expect("outline");
        let at = text.find(needle).expect("needle");
        let range = outline.entry_at(text, at).expect("an entry");
        blank(text, range)
    }

    #[test]
    fn block_entries_end_at_the_next_key_or_a_shallower_line() {
        let text = "components:\n  a:\n    path: a.wasm\n    grants:\n      fs:\n      - host: x\n        guest: /x\n      # note\n  b: b.wasm\n";
        let out = blanked(text, "guest");
        assert_eq!(out.len(), text.len());
        assert!(!out.contains("fs:") && !out.contains("guest"));
        assert!(out.contains("  b: b.wasm") && out.contains("grants:"));
        assert_eq!(out.lines().count(), text.lines().count());
        let out = blanked("defaults:\n  stdio: allow\n  env: 3\n", "stdio");
        assert_eq!(out, format!("defaults:\n{}\n  env: 3\n", " ".repeat(14)));
    }

    #[test]
    fn flow_entries_take_their_comma_and_skip_quoted_brackets() {
        let text = "defaults: { stdio: allow, http: [\"x}\", 'y]'] }\n";
        assert_eq!(
            blanked(text, "http"),
            "defaults: { stdio: allow                     }\n"
        );
        assert_eq!(
            blanked(text, "stdio"),
            format!("defaults: {{{}http: [\"x}}\", 'y]'] }}\n", " ".repeat(15))
        );
        let out = blanked(
            "components:\n  a: { path: a.wasm, grants: { env: 1 } }\n",
            "env",
        );
        assert_eq!(
            out,
            "components:\n  a: { path: a.wasm, grants: {        } }\n"
        );
    }

    #[test]
    fn offsets_outside_grants_blocks_have_no_entry() {
        let text = "version: 1\ncomponents:\n  a: { path: a.wasm, grants: { env: 1 } }\n";
        let outline = Outline::read(text, options()).expect("outline");
        assert!(outline.entry_at(text, text.find("path").unwrap()).is_none());
        assert!(outline.entry_at(text, 0).is_none());
    }
}
