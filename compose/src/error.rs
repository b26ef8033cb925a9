//! Everything a user can get wrong, as one error enum with locations and fixes.
//!
//! Each variant says what was expected and how to fix it; spans point into the
//! pipeline file. Rendering (colours, snippets) is the CLI's business: variants
//! implement [`miette::Diagnostic`] so any miette handler can draw them.

use crate::span::Span;
use miette::Diagnostic;
use std::path::PathBuf;

/// A problem that stops a pipeline from composing.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// The pipeline file itself could not be read.
    #[error("cannot read pipeline file {}: {source}", path.display())]
    #[diagnostic(code(witpipe::read), help("check the path and its permissions"))]
    ReadPipeline {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The pipeline file is not valid UTF-8.
    #[error("pipeline file {} is not UTF-8 text", path.display())]
    #[diagnostic(code(witpipe::yaml), help("save the file as UTF-8"))]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The file named as a pipeline is WebAssembly.
    #[error("{} is a WebAssembly {what}, not a pipeline file", path.display())]
    #[diagnostic(
        code(witpipe::not_a_pipeline),
        help("this command reads a pipeline file (YAML) that names components: write one with `components: {{ app: {} }}`; `witpipe inspect` shows the file's imports and exports, and `witpipe run` runs a component as it is", path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default())
    )]
    NotAPipeline {
        /// The file.
        path: PathBuf,
        /// `component` or `core module`.
        what: &'static str,
    },
    /// YAML syntax or shape error.
    #[error("{message}")]
    #[diagnostic(code(witpipe::yaml), help("{help}"))]
    Yaml {
        /// The parser's message.
        message: String,
        /// Where.
        #[label("here")]
        span: Span,
        /// A fix.
        help: String,
    },
    /// The file has no components.
    #[error("the pipeline has no components")]
    #[diagnostic(
        code(witpipe::empty),
        help("add `version: 1` and a `components:` map of instance names to .wasm paths")
    )]
    EmptyPipeline,
    /// A required key is missing.
    #[error("the pipeline has no `{key}` key")]
    #[diagnostic(code(witpipe::missing_key), help("{help}"))]
    MissingKey {
        /// The key.
        key: &'static str,
        /// Where (the start of the file).
        span: Span,
        /// A fix.
        help: String,
    },
    /// `version:` is not one this build reads.
    #[error("unsupported pipeline format version {found}")]
    #[diagnostic(code(witpipe::version), help("this witpipe reads `version: 1`"))]
    UnsupportedVersion {
        /// The version found.
        found: u32,
        /// Where.
        #[label("expected 1")]
        span: Span,
    },
    /// An instance name that is not an identifier.
    #[error("`{name}` is not a valid instance name")]
    #[diagnostic(
        code(witpipe::instance_name),
        help("use letters, digits, `-` and `_`, starting with a letter (e.g. `stage-1`)")
    )]
    BadInstanceName {
        /// The name.
        name: String,
        /// Where.
        #[label("invalid name")]
        span: Span,
    },
    /// A `name:` that cannot name the output file.
    #[error("`{name}` is not a valid pipeline name")]
    #[diagnostic(
        code(witpipe::pipeline_name),
        help("the name becomes the default output, `<name>.wasm` next to the pipeline file: use letters, digits, `-` and `_`, starting with a letter (e.g. `word-count`)")
    )]
    BadPipelineName {
        /// The name (shortened and escaped for display).
        name: String,
        /// Where.
        #[label("invalid name")]
        span: Span,
    },
    /// A `pipe:` with fewer than two instances.
    #[error("a `pipe:` needs at least two instances")]
    #[diagnostic(
        code(witpipe::short_pipe),
        help("list the instances in order, e.g. `pipe: [source, filter, sink]`")
    )]
    ShortPipe {
        /// Where.
        #[label("too short")]
        span: Span,
    },
    /// A `layers:` entry that does not name exactly one edge.
    #[error("a `layers:` entry goes on one edge: {why}")]
    #[diagnostic(
        code(witpipe::layer_edge),
        help("write one of `import: IFACE` (with `of: [INSTANCE, ...]` to name its importers), `export: IFACE` or `link: {{ from: A, to: B }}`, and the `chain:` of layers")
    )]
    LayerEdge {
        /// What is wrong.
        why: String,
        /// Where.
        #[label("this entry")]
        span: Span,
    },
    /// A `layers:` entry with no layer in its chain.
    #[error("a `chain:` of layers is empty")]
    #[diagnostic(
        code(witpipe::layer_chain),
        help("name at least one component of `components:`, the caller's side first: `chain: [log, retry]`")
    )]
    EmptyChain {
        /// Where.
        #[label("no layer")]
        span: Span,
    },
    /// A layer that cannot go on its edge.
    #[error("{what}: {why}")]
    #[diagnostic(code(witpipe::layer), help("{help}"))]
    Layer {
        /// Which layer cannot go on which edge (`layer `tap` cannot go on the import
        /// `wasi:cli/environment@0.2.6` of `app``).
        what: String,
        /// What is wrong.
        why: String,
        /// Where.
        #[label("{label}")]
        span: Span,
        /// What the label says.
        label: &'static str,
        /// A fix, with both sides where types are concerned.
        help: String,
    },
    /// A `layers:` entry whose edge is not in the pipeline.
    #[error("no edge for a chain of layers: {why}")]
    #[diagnostic(code(witpipe::layer_no_edge), help("{help}"))]
    NoLayerEdge {
        /// What was looked for.
        why: String,
        /// Where.
        #[label("matches nothing")]
        span: Span,
        /// What there is.
        help: String,
    },
    /// A name that is not in `components:`.
    #[error("unknown instance `{name}`")]
    #[diagnostic(code(witpipe::unknown_instance), help("{help}"))]
    UnknownInstance {
        /// The name.
        name: String,
        /// Where.
        #[label("not declared under `components:`")]
        span: Span,
        /// A fix.
        help: String,
    },
    /// A component file does not exist.
    #[error("component file {} does not exist", path.display())]
    #[diagnostic(
        code(witpipe::not_found),
        help("paths are relative to the pipeline file; build the component or fix the path")
    )]
    ComponentNotFound {
        /// The resolved path.
        path: PathBuf,
        /// Where.
        #[label("referenced here")]
        span: Span,
    },
    /// A component file could not be read.
    #[error("cannot read component file {}: {reason}", path.display())]
    #[diagnostic(
        code(witpipe::unreadable),
        help("point the path at a readable .wasm file")
    )]
    ComponentUnreadable {
        /// The resolved path.
        path: PathBuf,
        /// Why.
        reason: String,
        /// Where.
        #[label("referenced here")]
        span: Span,
    },
    /// A component named by OCI reference could not be fetched.
    #[error("cannot fetch component {reference}: {reason}")]
    #[diagnostic(
        code(witpipe::unfetchable),
        help("check the reference (oci://REGISTRY/REPO:TAG or @sha256:DIGEST), that the registry is reachable, and its credentials (WITPIPE_REGISTRY_USERNAME and WITPIPE_REGISTRY_PASSWORD, or `docker login`)")
    )]
    ComponentUnfetchable {
        /// The reference, with its `oci://`.
        reference: String,
        /// Why.
        reason: String,
        /// Where.
        #[label("referenced here")]
        span: Span,
    },
    /// Not a WebAssembly binary.
    #[error("{} is not a WebAssembly file", path.display())]
    #[diagnostic(
        code(witpipe::not_wasm),
        help("expected a binary component starting with `\\0asm`; text `.wat` must be assembled first (e.g. `wasm-tools parse`)")
    )]
    NotWasm {
        /// The resolved path.
        path: PathBuf,
        /// Where.
        #[label("referenced here")]
        span: Span,
    },
    /// A `.wat` file that does not assemble.
    #[error("{} is not valid WebAssembly text: {reason}", path.display())]
    #[diagnostic(
        code(witpipe::bad_wat),
        help("fix the text at the line and column shown, or point the path at a binary .wasm component")
    )]
    BadWat {
        /// The resolved path.
        path: PathBuf,
        /// The assembler's message, with its own line and column in the file.
        reason: String,
        /// Where.
        #[label("referenced here")]
        span: Span,
    },
    /// A core module where a component was expected.
    #[error("{} is a core WebAssembly module, not a component", path.display())]
    #[diagnostic(
        code(witpipe::core_module),
        help("turn it into a component first, e.g. `wasm-tools component new module.wasm -o component.wasm`, or build for `wasm32-wasip2`")
    )]
    CoreModule {
        /// The resolved path.
        path: PathBuf,
        /// Where.
        #[label("referenced here")]
        span: Span,
    },
    /// A component that fails validation or cannot be decoded.
    #[error("{} is not a valid component: {reason}", path.display())]
    #[diagnostic(
        code(witpipe::invalid_component),
        help("rebuild the component; `wasm-tools validate` shows the same problem")
    )]
    InvalidComponent {
        /// The resolved path.
        path: PathBuf,
        /// The validator's message.
        reason: String,
        /// Where.
        #[label("referenced here")]
        span: Span,
    },
    /// A grants block that cannot be honoured as written.
    #[error("{problem}")]
    #[diagnostic(code(witpipe::grants), help("{help}"))]
    Grants {
        /// The policy layer's refusal.
        problem: Box<witpipe_policy::PolicyError>,
        /// Where.
        #[label("here")]
        span: Span,
        /// The policy's own fix, or [`GRANTS_HELP`].
        help: String,
    },
    /// An import of a component that its policy cannot serve.
    #[error("component `{instance}` {problem}")]
    #[diagnostic(code(witpipe::policy), help("{help}"))]
    Policy {
        /// The instance.
        instance: String,
        /// What it imports and why that is refused.
        problem: Box<witpipe_policy::PolicyError>,
        /// The instance's declaration.
        #[label("declared here")]
        span: Span,
        /// A fix.
        help: String,
    },
    /// Two components granted different `config:` values: the output has one
    /// `wasi:config/store`, which both would read.
    #[error("component `{instance}` is granted configuration that differs from `{other}`'s at key `{key}`")]
    #[diagnostic(
        code(witpipe::policy),
        help("the output has one `wasi:config/store`, shared by every component that imports it, so each would read what only the other was granted: grant them the same `config:` values (put them in `defaults:`)")
    )]
    ConfigConflict {
        /// The instance.
        instance: String,
        /// The instance whose values differ.
        other: String,
        /// The first key that differs.
        key: String,
        /// The instance's declaration.
        #[label("declared here")]
        span: Span,
    },
    /// An import a witpipe wrapper, retargeted to the component's version of its
    /// interface, cannot serve.
    #[error("component `{instance}` imports `{import}`, which {why}")]
    #[diagnostic(
        code(witpipe::policy),
        help("let the host serve it instead (`keyvalue: allow`; no `inside:`), or build the component against one version of the interface docs/policy.md names")
    )]
    WrapperCannotServe {
        /// The instance.
        instance: String,
        /// Its import.
        import: String,
        /// Which wrapper (and the version it was retargeted to) cannot serve it,
        /// and what the type check said.
        why: String,
        /// The instance's declaration.
        #[label("declared here")]
        span: Span,
    },
    /// A link from an instance to itself.
    #[error("instance `{name}` is linked to itself")]
    #[diagnostic(
        code(witpipe::self_link),
        help("a component cannot satisfy its own import; link it to another instance")
    )]
    SelfLink {
        /// The instance.
        name: String,
        /// Where.
        #[label("`from` and `to` are the same")]
        span: Span,
    },
    /// A named import that the instance does not have.
    #[error("instance `{instance}` has no import named `{name}`")]
    #[diagnostic(code(witpipe::no_such_import), help("{help}"))]
    NoSuchImport {
        /// The instance.
        instance: String,
        /// The name asked for.
        name: String,
        /// Where.
        #[label("not an import of `{instance}`")]
        span: Span,
        /// What it does import.
        help: String,
    },
    /// A named export that the instance does not have.
    #[error("instance `{instance}` has no export named `{name}`")]
    #[diagnostic(code(witpipe::no_such_export), help("{help}"))]
    NoSuchExport {
        /// The instance.
        instance: String,
        /// The name asked for.
        name: String,
        /// Where.
        #[label("not an export of `{instance}`")]
        span: Span,
        /// What it does export.
        help: String,
    },
    /// No import of `to` can be satisfied by an export of `from`.
    #[error("nothing to link: no import of `{to}` matches an export of `{from}`")]
    #[diagnostic(code(witpipe::no_match), help("{help}"))]
    NoMatch {
        /// Exporting instance.
        from: String,
        /// Importing instance.
        to: String,
        /// Where.
        #[label("no matching interface")]
        span: Span,
        /// What each side has.
        help: String,
    },
    /// More than one way to wire a link or a pipe pair.
    #[error("ambiguous link between `{a}` and `{b}`: it could be wired in more than one way")]
    #[diagnostic(code(witpipe::ambiguous), help("{help}"))]
    Ambiguous {
        /// One instance.
        a: String,
        /// The other.
        b: String,
        /// Where.
        #[label("more than one candidate")]
        span: Span,
        /// The candidates and the fix.
        help: String,
    },
    /// An import satisfied by two links.
    #[error("import `{name}` of `{instance}` is linked twice")]
    #[diagnostic(code(witpipe::linked_twice), help("keep one of the two links"))]
    LinkedTwice {
        /// The importing instance.
        instance: String,
        /// The import.
        name: String,
        /// The second link.
        #[label("second link")]
        span: Span,
        /// The first link.
        #[label("first link")]
        first: Span,
    },
    /// The links form a cycle.
    #[error("the links form a cycle: {chain}")]
    #[diagnostic(
        code(witpipe::cycle),
        help("components are instantiated in order, so an instance cannot (even indirectly) import from an instance that imports from it; remove one of these links")
    )]
    Cycle {
        /// `a → b → a`.
        chain: String,
        /// Each link of the cycle.
        #[label(collection, "part of the cycle")]
        links: Vec<miette::LabeledSpan>,
    },
    /// An export whose type does not satisfy the import.
    #[error("type mismatch: {message}")]
    #[diagnostic(code(witpipe::type_mismatch), help("{help}"))]
    TypeMismatch {
        /// Which export of which instance fails which import, and why.
        message: String,
        /// Where.
        #[label("linked here")]
        span: Span,
        /// Both sides' WIT.
        help: String,
    },
    /// Two exports of the output under one name.
    #[error("the output would export `{name}` twice")]
    #[diagnostic(
        code(witpipe::export_conflict),
        help("rename one with `as:` or export a chosen list")
    )]
    ExportConflict {
        /// The name.
        name: String,
        /// Where.
        #[label("second export")]
        span: Span,
        /// The first one.
        #[label("first export")]
        first: Span,
    },
    /// An export name the component model does not allow.
    #[error("`{name}` is not a valid export name: {reason}")]
    #[diagnostic(
        code(witpipe::export_name),
        help("use a kebab-case name (`run`) or an interface name (`ns:pkg/iface@1.0.0`)")
    )]
    InvalidExportName {
        /// The name.
        name: String,
        /// Why.
        reason: String,
        /// Where.
        #[label("invalid name")]
        span: Span,
    },
    /// The composition exceeds a limit of the component model's validator.
    #[error("the pipeline is too large for one component: {reason}")]
    #[diagnostic(
        code(witpipe::too_large),
        help("a component may hold at most 1000 instances, and each instance of the pipeline also uses aliased instances in the encoding ({instances} instances here); split the pipeline into parts of a few hundred instances, compose each part, and link the composed parts in a top-level pipeline")
    )]
    TooLarge {
        /// The validator's message.
        reason: String,
        /// Instances in the pipeline.
        instances: usize,
    },
    /// A whole-instance link that does not say which import it satisfies.
    #[error("the link passes `{from}` as a whole instance (`export: \"*\"`) but does not name the import it satisfies")]
    #[diagnostic(code(witpipe::whole_needs_import), help("{help}"))]
    WholeNeedsImport {
        /// The exporting instance.
        from: String,
        /// The link.
        #[label("which import?")]
        span: Span,
        /// The importer's imports.
        help: String,
    },
    /// Two instances leave one import for the host with types one import cannot hold.
    #[error("{} `{name}` for the host, with types that do not merge into one import of the output: {reason}", if first == second { format!("`{first}` leaves") } else { format!("`{first}` and `{second}` both leave") })]
    #[diagnostic(
        code(witpipe::import_conflict),
        help("link `{name}` of one of them to an instance that exports it, or rebuild both against one version of the interface")
    )]
    ImportConflict {
        /// The import.
        name: String,
        /// The instance whose type came first.
        first: String,
        /// The instance whose type conflicts.
        second: String,
        /// Why they do not merge.
        reason: String,
        /// The second instance's declaration.
        #[label("imports it differently")]
        span: Span,
    },
    /// wac-graph failed to encode the composition.
    #[error("composition failed: {reason}")]
    #[diagnostic(
        code(witpipe::encode),
        help("this is likely a witpipe bug if `check` passed; please report it with the pipeline")
    )]
    Encode {
        /// The encoder's message.
        reason: String,
    },
    /// The output would overwrite one of the pipeline's inputs.
    #[error("will not write {}: it is {input}, an input of this pipeline", path.display())]
    #[diagnostic(
        code(witpipe::output_is_input),
        help("write the output somewhere else (`-o OUT.wasm`), or give the pipeline a `name:` no input file has")
    )]
    OutputIsInput {
        /// The output path.
        path: PathBuf,
        /// Which input (`the pipeline file`, `the component file of `x``).
        input: String,
    },
    /// The output could not be written.
    #[error("cannot write {}: {reason}", path.display())]
    #[diagnostic(
        code(witpipe::write),
        help("check that the directory exists and is writable, or pass another `-o`")
    )]
    Write {
        /// The output path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// `text` as a message may echo it: control characters escaped, and cut to the first
/// 60 characters (a name of 10,000 characters is not worth printing whole).
pub fn shown(text: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = text
        .chars()
        .take(MAX)
        .collect::<String>()
        .escape_debug()
        .to_string();
    let len = text.chars().count();
    if len > MAX {
        out.push_str(&format!("… ({len} characters)"));
    }
    out
}

/// Something worth knowing that does not stop composition.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[diagnostic(severity(Warning))]
pub enum Warning {
    /// An instance nothing links to or from and that `exports:` does not name.
    #[error("instance `{name}` is not linked to anything and not named in `exports:`: it is left out of the output")]
    #[diagnostic(
        code(witpipe::unused),
        help("add it to `pipe:`, `links:` or `exports:`, or remove it")
    )]
    UnusedInstance {
        /// The instance.
        name: String,
        /// Where it is declared.
        #[label("declared here")]
        span: Span,
    },
    /// A component whose toolchain asks for a capability at start-up that its grants
    /// deny: its first call will trap.
    #[error("instance `{instance}` looks built by {toolchain}: {need}, which its grants deny, so that call will trap")]
    #[diagnostic(
        code(witpipe::startup_need),
        help("grant it under `{instance}`: `grants: {{ {grant} }}` (see docs/policy.md)")
    )]
    StartupNeed {
        /// The instance.
        instance: String,
        /// The toolchain recognised.
        toolchain: &'static str,
        /// What it asks for, and when.
        need: &'static str,
        /// The grant that allows it.
        grant: &'static str,
        /// The instance's declaration.
        #[label("declared here")]
        span: Span,
    },
    /// componentize-py's build-time `init` hook, exported from the output by default.
    #[error("instance `{instance}` exports `exports`, the build-time `init` hook componentize-py leaves in its components, and the output exports it too")]
    #[diagnostic(
        code(witpipe::toolchain_hook),
        help("name what the output exports, which leaves the hook out: `{example}`")
    )]
    ToolchainHook {
        /// The instance.
        instance: String,
        /// An `exports:` line that leaves it out.
        example: String,
        /// The instance's declaration.
        #[label("exported from here")]
        span: Span,
    },
    /// A grant for a capability the component never imports.
    #[error("`{capability}` is granted to `{instance}`, which never uses it")]
    #[diagnostic(
        code(witpipe::unused_grant),
        help("remove the grant: least privilege means granting only what is used")
    )]
    UnusedGrant {
        /// The instance.
        instance: String,
        /// The capability.
        capability: &'static str,
        /// The grants block.
        #[label("granted here")]
        span: Span,
    },
    /// The output exports nothing: a valid component, which no host can call.
    #[error("the composed component exports nothing: hosts can instantiate it but not call it")]
    #[diagnostic(
        code(witpipe::no_exports),
        help("if that is not what you meant, add `exports: <instance>` naming the instance whose exports the output should have")
    )]
    NoExports {
        /// The `exports:` entry that gave nothing, if there is one.
        #[label("exports nothing")]
        span: Option<Span>,
    },
    /// `cwd: inherit`, which the hosts at hand cannot honour.
    #[error("`cwd: inherit` passes on the host's working directory, and neither wasmtime's CLI nor witpipe's host has one to give: there the component starts without a working directory")]
    #[diagnostic(
        code(witpipe::cwd_inherit),
        help("name the directory the component starts in, as it sees it (e.g. `cwd: /data`, a guest path of an `fs:` grant)")
    )]
    CwdInherit {
        /// The `cwd:` value.
        #[label("here")]
        span: Span,
    },
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (word.len().max(c.len()) / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

/// "did you mean `x`?" plus the full list, for unknown-name errors.
pub fn name_help<'a>(
    word: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    let list: Vec<_> = candidates
        .clone()
        .into_iter()
        .map(|c| format!("`{c}`"))
        .collect();
    let list = if list.is_empty() {
        "none".to_string()
    } else {
        list.join(", ")
    };
    match did_you_mean(word, candidates) {
        Some(s) => format!("did you mean `{s}`? {what}: {list}"),
        None => format!("{what}: {list}"),
    }
}

/// The help of a grants error whose policy error brings none of its own.
pub const GRANTS_HELP: &str = "see the grants reference in docs/policy.md; the keys are env, args, cwd, stdio, stdin, stdout, stderr, exit, clocks, random, fs, http, sockets, keyvalue, config, inside, imports and deny";

#[cfg(test)]
mod tests {
    use super::GRANTS_HELP;

    #[test]
    fn the_grants_help_names_every_grant_key() {
        let help = GRANTS_HELP;
        for key in witpipe_policy::capabilities().chain(["imports", "deny"]) {
            assert!(
                help.contains(&format!(" {key}")),
                "`{key}` missing from: {help}"
            );
        }
    }
}
