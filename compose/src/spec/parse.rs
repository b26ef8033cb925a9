//! YAML text → [`PipelineSpec`], with a location for every value and every error.

use super::FORMAT_VERSION;
use super::{ComponentSpec, ExportSpec, LayerEdge, LayerSpec, LinkSpec, PipelineSpec};
use crate::error::{did_you_mean, Error};
use crate::span::{At, Span};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use std::fmt;
use std::marker::PhantomData;
use witpipe_policy::GrantsSpec;

/// The keys allowed at the top level, for "did you mean" suggestions.
const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "description",
    "components",
    "pipe",
    "links",
    "exports",
    "defaults",
    "layers",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPipeline {
    version: Option<Spanned<u32>>,
    name: Option<Spanned<String>>,
    #[allow(dead_code)]
    description: Option<String>,
    components: Option<Spanned<Entries<Spanned<String>, Spanned<RawComponent>>>>,
    #[serde(default)]
    pipe: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    links: Option<Vec<Spanned<RawLink>>>,
    exports: Option<Spanned<RawExports>>,
    defaults: Option<Spanned<GrantsSpec>>,
    #[serde(default)]
    layers: Option<Vec<Spanned<RawLayer>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLayer {
    import: Option<Spanned<String>>,
    of: Option<Vec<Spanned<String>>>,
    export: Option<Spanned<String>>,
    link: Option<RawLayerLink>,
    chain: Spanned<Vec<Spanned<String>>>,
    shared: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLayerLink {
    from: Spanned<String>,
    to: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawComponentMap {
    path: Spanned<String>,
    // Boxed: see `ComponentSpec::grants`.
    grants: Option<Box<Spanned<GrantsSpec>>>,
}

/// A component entry: a bare path or a map with `path:` and `grants:`.
struct RawComponent(RawComponentMap);

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLink {
    from: Spanned<String>,
    to: Spanned<String>,
    import: Option<Spanned<String>>,
    export: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawExportMap {
    from: Spanned<String>,
    name: Option<Spanned<String>>,
    #[serde(rename = "as")]
    rename: Option<Spanned<String>>,
}

/// `exports:` as one instance name or a list of entries.
enum RawExports {
    One(Spanned<String>),
    Many(Vec<Spanned<RawExport>>),
}

/// One `exports:` list entry: an instance name or a map.
enum RawExport {
    All(Spanned<String>),
    One(RawExportMap),
}

/// A YAML mapping kept in file order (duplicates are rejected by the parser).
struct Entries<K, V>(Vec<(K, V)>);

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Entries<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for V2<K, V> {
            type Value = Entries<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of instance names to components")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = m.next_entry()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V2(PhantomData))
    }
}

/// Deserializes either a string (handed to `from_str`) or a map (handed to `T`).
fn string_or_map<'de, D, T, R>(
    d: D,
    expecting: &'static str,
    from_str: fn(String) -> R,
    from_map: fn(T) -> R,
) -> Result<R, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T, R> {
        expecting: &'static str,
        from_str: fn(String) -> R,
        from_map: fn(T) -> R,
    }
    impl<'de, T: Deserialize<'de>, R> Visitor<'de> for V<T, R> {
        type Value = R;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<R, E> {
            Ok((self.from_str)(s.to_string()))
        }
        fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<R, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(m)).map(self.from_map)
        }
    }
    d.deserialize_any(V {
        expecting,
        from_str,
        from_map,
    })
}

impl<'de> Deserialize<'de> for RawComponent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A bare string has no location of its own here; the caller's Spanned wrapper
        // carries it, and `into_spec` reuses it for the path.
        string_or_map(
            d,
            "a path to a .wasm file, or a mapping with `path` and `grants`",
            |s| {
                RawComponent(RawComponentMap {
                    path: Spanned::new(s, Location::UNKNOWN, Location::UNKNOWN),
                    grants: None,
                })
            },
            RawComponent,
        )
    }
}

impl<'de> Deserialize<'de> for RawExport {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        string_or_map(
            d,
            "an instance name, or a mapping with `from`, `name` and `as`",
            |s| RawExport::All(Spanned::new(s, Location::UNKNOWN, Location::UNKNOWN)),
            RawExport::One,
        )
    }
}

impl<'de> Deserialize<'de> for RawExports {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawExports;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an instance name, or a list of exports")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawExports, E> {
                Ok(RawExports::One(Spanned::new(
                    s.to_string(),
                    Location::UNKNOWN,
                    Location::UNKNOWN,
                )))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<RawExports, A::Error> {
                let mut out = Vec::new();
                while let Some(e) = s.next_element()? {
                    out.push(e);
                }
                Ok(RawExports::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Replaces a placeholder location (a bare string inside an enum) with the outer one.
fn relocate(mut inner: Spanned<String>, outer: &Spanned<impl Sized>) -> Spanned<String> {
    if inner.referenced == Location::UNKNOWN {
        inner.referenced = outer.referenced;
        inner.defined = outer.defined;
    }
    inner
}

/// Why a pipeline file did not parse.
#[derive(Debug)]
pub struct ParseFailure {
    /// Every problem found.
    pub errors: Vec<Error>,
    /// The file as read with its refused grants entries left out, when that reads:
    /// its grants blocks can still be checked, so that one run reports all their
    /// problems.
    pub recovered: Option<Box<PipelineSpec>>,
}

/// At most this many refused grants entries are stepped over in one file, and at most
/// this many bytes are read again for it (a huge hostile file is not read 64 times).
const MAX_RECOVERIES: usize = 64;
const MAX_REREAD_BYTES: usize = 64 << 20;

/// Parses a pipeline file's text. YAML syntax errors, and shape errors outside grants
/// blocks, stop at the first one (the reader cannot go on); a refused grants entry is
/// stepped over so that every grants problem is reported; name errors never stop.
pub fn parse_pipeline(text: &str) -> Result<PipelineSpec, ParseFailure> {
    let fail = |errors| ParseFailure {
        errors,
        recovered: None,
    };
    if text.trim().is_empty() {
        return Err(fail(vec![Error::EmptyPipeline]));
    }
    if let Some(e) = control_character(text) {
        return Err(fail(vec![e]));
    }
    let mut errors = Vec::new();
    let mut outline = None;
    let mut current = std::borrow::Cow::Borrowed(text);
    let raw = loop {
        let e = match serde_saphyr::from_str_with_options::<RawPipeline>(&current, options()) {
            Ok(raw) => break Some(raw),
            Err(e) => e,
        };
        errors.push(yaml_error(&e, text));
        let at = e.location().and_then(|l| l.span().byte_offset());
        let outline = outline.get_or_insert_with(|| super::recover::Outline::read(text, options()));
        let entry = at
            .zip(outline.as_ref())
            .and_then(|(at, o)| o.entry_at(&current, at as usize));
        match entry {
            Some(range) if errors.len() <= MAX_RECOVERIES.min(MAX_REREAD_BYTES / text.len()) => {
                current = std::borrow::Cow::Owned(super::recover::blank(&current, range));
            }
            _ => break None,
        }
    };
    let spec = raw.map(into_spec);
    match (spec, errors.is_empty()) {
        (Some(Ok(spec)), true) => Ok(spec),
        (Some(Ok(spec)), false) => Err(ParseFailure {
            errors,
            recovered: Some(Box::new(spec)),
        }),
        (Some(Err(more)), _) => {
            errors.extend(more);
            Err(fail(errors))
        }
        (None, _) => Err(fail(errors)),
    }
}

/// The reader's options: a pipeline is small, so refuse alias bombs and huge inputs.
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_aliases = 1_000;
    budget.max_events = 1_000_000;
    budget.max_depth = 64;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

fn at(s: Spanned<String>) -> At<String> {
    crate::span::at(s)
}

fn into_spec(raw: RawPipeline) -> Result<PipelineSpec, Vec<Error>> {
    let mut errors = Vec::new();
    let version = match raw.version {
        None => {
            errors.push(Error::MissingKey {
                key: "version",
                span: Span::default(),
                help: format!("add `version: {FORMAT_VERSION}` as the first line"),
            });
            At {
                value: FORMAT_VERSION,
                span: Span::default(),
            }
        }
        Some(v) => crate::span::at(v),
    };
    if version.value != FORMAT_VERSION {
        errors.push(Error::UnsupportedVersion {
            found: version.value,
            span: version.span,
        });
    }
    let Some(components) = raw.components else {
        errors.push(Error::MissingKey {
            key: "components",
            span: Span::default(),
            help: "add a `components:` map of instance names to .wasm paths".into(),
        });
        return Err(errors);
    };
    let components_span = crate::span::span_of(&components);
    let name = raw.name.map(at);
    if let Some(name) = &name {
        if !is_identifier(&name.value) {
            errors.push(Error::BadPipelineName {
                name: crate::error::shown(&name.value),
                span: name.span,
            });
        }
    }
    let mut spec = PipelineSpec {
        version,
        name,
        components_span,
        ..Default::default()
    };
    for (name, entry) in components.value.0 {
        let name = at(name);
        check_instance_name(&name, &mut errors);
        let RawComponent(map) = entry.value;
        let path = at(relocate(
            map.path,
            &Spanned::new((), entry.referenced, entry.defined),
        ));
        spec.components.push(ComponentSpec {
            name,
            path,
            grants: map.grants.map(|g| Box::new(crate::span::at(*g))),
        });
    }
    if spec.components.is_empty() {
        errors.push(Error::EmptyPipeline);
    }
    if let Some(pipe) = raw.pipe {
        let span = crate::span::span_of(&pipe);
        if pipe.value.len() < 2 {
            errors.push(Error::ShortPipe { span });
        }
        spec.pipe = pipe.value.into_iter().map(at).collect();
    }
    for link in raw.links.unwrap_or_default() {
        let span = crate::span::span_of(&link);
        let l = link.value;
        spec.links.push(LinkSpec {
            span,
            from: at(l.from),
            to: at(l.to),
            import: l.import.map(at),
            export: l.export.map(at),
        });
    }
    if let Some(exports) = raw.exports {
        let outer = Spanned::new((), exports.referenced, exports.defined);
        spec.exports = Some(match exports.value {
            RawExports::One(name) => vec![ExportSpec::All {
                instance: at(relocate(name, &outer)),
            }],
            RawExports::Many(list) => list
                .into_iter()
                .map(|e| {
                    let span = crate::span::span_of(&e);
                    let outer = Spanned::new((), e.referenced, e.defined);
                    match e.value {
                        RawExport::All(name) => ExportSpec::All {
                            instance: at(relocate(name, &outer)),
                        },
                        RawExport::One(m) => ExportSpec::One {
                            span,
                            from: at(m.from),
                            name: m.name.map(at),
                            rename: m.rename.map(at),
                        },
                    }
                })
                .collect(),
        });
    }
    spec.defaults = raw.defaults.map(crate::span::at);
    for layer in raw.layers.unwrap_or_default() {
        spec.layers.extend(into_layer(layer, &mut errors));
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

/// One `layers:` entry, checked for its shape: exactly one edge, a chain of at least
/// one layer, `of:` only on an import edge.
fn into_layer(layer: Spanned<RawLayer>, errors: &mut Vec<Error>) -> Option<LayerSpec> {
    let span = crate::span::span_of(&layer);
    let l = layer.value;
    let chain_span = crate::span::span_of(&l.chain);
    let edge = match (l.import, l.export, l.link) {
        (Some(interface), None, None) => LayerEdge::Import {
            interface: at(interface),
            of: l.of.unwrap_or_default().into_iter().map(at).collect(),
        },
        (None, Some(interface), None) if l.of.is_none() => LayerEdge::Export {
            interface: at(interface),
        },
        (None, None, Some(link)) if l.of.is_none() => LayerEdge::Link {
            from: at(link.from),
            to: at(link.to),
        },
        (None, None, None) => {
            errors.push(Error::LayerEdge {
                why: "it names no edge".into(),
                span,
            });
            return None;
        }
        (import, _, _) if import.is_none() => {
            errors.push(Error::LayerEdge {
                why: "`of:` names the importers of an `import:` edge only".into(),
                span,
            });
            return None;
        }
        _ => {
            errors.push(Error::LayerEdge {
                why: "it names more than one edge".into(),
                span,
            });
            return None;
        }
    };
    if l.chain.value.is_empty() {
        errors.push(Error::EmptyChain { span: chain_span });
        return None;
    }
    Some(LayerSpec {
        span,
        edge,
        chain: l.chain.value.into_iter().map(at).collect(),
        shared: l.shared.map(crate::span::at),
    })
}

/// YAML allows no control characters but tab and line breaks in a file (escaped inside
/// double quotes they are fine); the parser reports them without a usable position, so
/// find the first one here and point at it.
fn control_character(text: &str) -> Option<Error> {
    let (offset, c) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}'))?;
    let (line, column) = crate::span::line_col(text, offset);
    let span = Span {
        offset,
        len: c.len_utf8(),
        line: line as u32,
        column: column as u32,
    };
    Some(Error::Yaml {
        message: format!(
            "a control character (U+{:04X}) is not allowed in a YAML file",
            c as u32
        ),
        span,
        help: format!(
            "remove it, or write it as an escape inside double quotes (`\"\\u{:04X}\"`)",
            c as u32
        ),
    })
}

/// Letters, digits, `-` and `_`, starting with a letter: an instance or pipeline name
/// (it becomes a file name, an export name and a manifest key, so nothing else).
fn is_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn check_instance_name(name: &At<String>, errors: &mut Vec<Error>) {
    if !is_identifier(&name.value) {
        errors.push(Error::BadInstanceName {
            name: crate::error::shown(&name.value),
            span: name.span,
        });
    }
}

/// Turns a parser error into ours: the location, the message without the parser's own
/// snippet or position suffix, and a suggestion where we can make one. The reader's
/// typed error kinds choose the explanation; its text is only shown.
pub(super) fn yaml_error(e: &serde_saphyr::Error, text: &str) -> Error {
    use serde_saphyr::Error as E;
    let span = e
        .location()
        .map(|l| Span::from_location(&l))
        .unwrap_or_default();
    // An error met through an alias is explained as the error itself.
    let mut inner = e.without_snippet();
    while let E::AliasError { error, .. } = inner {
        inner = error.without_snippet();
    }
    let mut message = inner.to_string().trim().to_string();
    // The position is shown by the snippet; drop the parser's " at line N, column M".
    if let Some(i) = message.rfind(" at line ") {
        if message[i..].contains(", column ") {
            message.truncate(i);
        }
    }
    let reference = "check the value against the reference in docs/pipeline-format.md";
    let (message, help) = match inner {
        E::Unexpected { expected, .. } => shape_mismatch(expected, text, &span)
            .unwrap_or_else(|| (message, INDENT_HELP.into())),
        E::DuplicateMappingKey { key, .. } => (
            format!("duplicate key `{}`", key.as_deref().unwrap_or("?")),
            "each key may appear once in a mapping (instance names must be unique); rename or remove one".into(),
        ),
        E::MultipleDocuments { .. } => (
            "this file holds more than one YAML document (a `---` line starts another); a pipeline file is one".into(),
            "remove the `---` line and what follows it, or move the second pipeline into a file of its own".into(),
        ),
        E::NullIntoString { .. } => (
            "this value is empty, and a value is needed here".into(),
            "write the value after the key (e.g. `path: app.wasm`), or remove the key".into(),
        ),
        E::Budget { breach, .. } => (
            format!("this file holds more YAML than a pipeline file may ({})", budget_text(breach)),
            "pipeline files are small: witpipe stops at 1,000,000 parser events, 1,000 aliases and 64 levels of nesting, against hostile files such as alias bombs".into(),
        ),
        E::SerdeUnknownField { field, expected, .. } => {
            let help = unknown_field_help(field, expected);
            (message, help)
        }
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => (message, choice_help(variant, expected, "write one of")),
        E::InvalidScalar { ty, .. } => match *ty {
            "u32" | "u64" => ("expected a whole number here".into(), reference.into()),
            "bool" => ("expected `true` or `false` here".into(), reference.into()),
            _ => (message, reference.into()),
        },
        _ => (message, INDENT_HELP.into()),
    };
    Error::Yaml {
        message,
        span,
        help,
    }
}

/// The help of a YAML error with no better one.
const INDENT_HELP: &str =
    "check the indentation and the value's type against the reference in docs/pipeline-format.md";

/// Which of the reader's limits a file broke, in words.
fn budget_text(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Events { events } => format!("{events} parser events"),
        B::Aliases { aliases } => format!("{aliases} aliases"),
        B::Depth { depth } => format!("{depth} levels of nesting"),
        B::Anchors { anchors } => format!("{anchors} anchors"),
        other => format!("{other:?}"),
    }
}

/// "expected mapping start" and its kin, said in the pipeline's terms: which key,
/// what it takes, what was found.
fn shape_mismatch(expected: &str, text: &str, span: &Span) -> Option<(String, String)> {
    let wanted = match expected {
        "mapping start" => "a mapping (`name: value` lines or `{ … }`)",
        "sequence start" => "a list (`[a, b]` or `- a` lines)",
        "string scalar" => "a single value, such as a name or a path",
        _ => return None,
    };
    let line = text.lines().nth(span.line.checked_sub(1)? as usize)?;
    let at = line
        .char_indices()
        .nth(span.column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    let found = match line[at..].trim_start().chars().next() {
        Some('[') | Some('-') => "a list".to_string(),
        Some('{') => "a mapping".to_string(),
        _ => {
            // Inside `{ … }` or `[ … ]` the value ends at the next separator.
            let value = line[at..].trim();
            let flow = line[..at].contains(['{', '[']);
            let end = value.find([',', '}', ']']).filter(|_| flow);
            format!("`{}`", value[..end.unwrap_or(value.len())].trim())
        }
    };
    let before = &line[..at];
    // An entry of a list: after `[` or `,` on the line, or after a `- ` line start.
    let flow_entry = before.trim_end().ends_with(['[', ',']);
    let block_entry = before.trim() == "-";
    let (key, shapes) = match (flow_entry, block_entry) {
        (true, _) => {
            let open = before.find('[').unwrap_or(before.len());
            (
                key_before(text, span.line as usize, &before[..open]),
                ENTRY_SHAPES,
            )
        }
        (_, true) => (key_before(text, span.line as usize, before), ENTRY_SHAPES),
        _ => (key_before(text, span.line as usize, before), KEY_SHAPES),
    };
    let what = key
        .as_deref()
        .and_then(|k| shapes.iter().find(|(name, _)| *name == k))
        .map_or(wanted, |(_, shape)| shape);
    let subject = match (key, flow_entry || block_entry) {
        (Some(k), true) => format!("an entry of `{k}:`"),
        (Some(k), false) => format!("`{k}:`"),
        (None, _) => "this value".to_string(),
    };
    Some((
        format!("{subject} takes {what}, not {found}"),
        "see the pipeline file reference in docs/pipeline-format.md (or schema/pipeline.schema.json)".into(),
    ))
}

/// What each key of the format takes, for [`shape_mismatch`].
const KEY_SHAPES: &[(&str, &str)] = &[
    ("name", "a single name"),
    (
        "components",
        "a mapping of instance names to component paths",
    ),
    ("path", "a path to a .wasm file"),
    ("pipe", "a list of instance names"),
    ("links", "a list of links (`- { from: a, to: b }`)"),
    ("defaults", "a mapping of grants"),
    ("grants", "a mapping of grants"),
    (
        "fs",
        "a list of directories (`- { host: ./data, guest: /data }`)",
    ),
    (
        "http",
        "a list of destinations (`[\"https://example.com\"]`)",
    ),
    ("sockets", "a mapping (`{ connect: [...], lookup: allow }`)"),
    ("config", "a mapping of names to values"),
    ("imports", "a list of interface names"),
    ("deny", "a list of capability names"),
];

/// What each entry of a list key takes, for [`shape_mismatch`].
const ENTRY_SHAPES: &[(&str, &str)] = &[
    ("pipe", "an instance name"),
    (
        "exports",
        "an instance name or a mapping (`{ from: a, as: name }`)",
    ),
    ("links", "a mapping (`{ from: a, to: b }`)"),
    ("fs", "a mapping (`{ host: ./data, guest: /data }`)"),
    ("http", "a destination (`https://host[:port]`)"),
    ("connect", "an address and port (`10.0.0.1:443`)"),
    ("imports", "an interface name"),
    ("deny", "a capability name"),
    ("args", "an argument"),
    ("allow", "a variable name"),
];

/// The key whose value starts at `column` of line `line` (1-based): the key on the same
/// line before it, else the nearest less-indented `key:` line above.
fn key_before(text: &str, line: usize, before: &str) -> Option<String> {
    let key_of = |s: &str| -> Option<String> {
        let s = s.trim_end().strip_suffix(':')?;
        let key = s
            .rsplit(|c: char| c.is_whitespace() || c == '{' || c == ',')
            .next()?;
        (!key.is_empty()).then(|| key.trim_start_matches('-').to_string())
    };
    if let Some(key) = key_of(before) {
        return Some(key);
    }
    let indent = before.len() - before.trim_start().len();
    text.lines()
        .take(line.saturating_sub(1))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .find(|l| l.len() - l.trim_start().len() < indent.max(1))
        .and_then(key_of)
}

/// For an unknown key: a "did you mean" and the allowed keys.
fn unknown_field_help(field: &str, expected: &[&str]) -> String {
    let expected = if expected.is_empty() {
        TOP_KEYS
    } else {
        expected
    };
    choice_help(field, expected, "allowed keys here")
}

/// `what: a, b, c` (the choices), after "did you mean `x`?" when `word` is a likely typo
/// of one of them.
fn choice_help(word: &str, choices: &[&str], what: &str) -> String {
    let list = format!("{what}: {}", choices.join(", "));
    match did_you_mean(word, choices.iter().copied()) {
        Some(s) => {
            let mut chars = list.chars();
            let first = chars.next().map(|c| c.to_uppercase().to_string());
            format!(
                "did you mean `{s}`? {}{}",
                first.unwrap_or_default(),
                chars.as_str()
            )
        }
        None => list,
    }
}
