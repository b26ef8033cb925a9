//! What the policy refuses: a grant that cannot be honoured, or an import that no
//! grant covers. Each error carries its own help (the fix), so every front end shows
//! the same advice.

use crate::span::Span;

/// A grant that cannot be honoured, or an import that no grant covers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum PolicyError {
    /// An `http:` entry that is not `scheme://host[:port]`.
    #[error("`{pattern}` is not an HTTP destination: {why}")]
    #[diagnostic(help("an `http:` entry is `scheme://host[:port]`: scheme `http`, `https` or `*`; host an ASCII name, an IPv4 address, an `[IPv6]` address, `*` or `*.domain`; port a number or `*` (required after `*://`); no path, query or fragment (docs/policy.md)"))]
    BadHttpPattern {
        /// The entry.
        pattern: String,
        /// What is wrong.
        why: String,
        /// Where.
        span: Span,
    },
    /// A `sockets: connect:` entry that is not `ADDRESS[/PREFIX]:PORT`.
    #[error("`{rule}` is not a TCP destination: {why}")]
    #[diagnostic(help("a `connect:` entry is `ADDRESS[/PREFIX]:PORT`: an IPv4 address, an IPv6 address in brackets (`[::1]:80`) or `*`; port a number or `*` (docs/policy.md)"))]
    BadConnectRule {
        /// The entry.
        rule: String,
        /// What is wrong.
        why: String,
        /// Where.
        span: Span,
    },
    /// An `imports:` entry that is not one non-WASI interface named in full.
    #[error("`{name}` cannot be granted by `imports:`: {why}")]
    #[diagnostic(help("`imports:` lets the host serve non-WASI interfaces that no link satisfies, each named in full (`namespace:package/interface[@version]`)"))]
    BadImportGrant {
        /// The entry.
        name: String,
        /// What is wrong, and the key to use instead.
        why: String,
        /// Where.
        span: Span,
    },
    /// An `env:` variable name that no host could pass.
    #[error("`{name}` is not an environment variable name: {why}")]
    #[diagnostic(help(
        "write the variable's name alone: not empty, without `=` or control characters"
    ))]
    BadEnvName {
        /// The name, with control characters escaped.
        name: String,
        /// What is wrong.
        why: &'static str,
        /// Where.
        span: Span,
    },
    /// A path (`cwd:`, an `fs:` host or guest path) that cannot name a directory.
    #[error("`{path}` cannot be the {what}: {why}")]
    #[diagnostic(help("a path holds no control characters (tab, newline, NUL…), and a guest path or `cwd:` is absolute, e.g. `/data`"))]
    BadPath {
        /// Which path this is (`cwd:`, `fs:` host path, `fs:` guest path).
        what: &'static str,
        /// The path, with control characters escaped.
        path: String,
        /// What is wrong.
        why: &'static str,
        /// Where.
        span: Span,
    },
    /// An `fs:` entry whose host directory does not exist.
    #[error("granted directory `{host}` does not exist (looked for {looked}); host paths are relative to the pipeline file")]
    MissingDirectory {
        /// The host path as written.
        host: String,
        /// The path looked for.
        looked: String,
        /// Where.
        span: Span,
    },
    /// An `fs:` entry whose guest path cannot be used.
    #[error("guest path `{guest}` {why}")]
    GuestPath {
        /// The guest path.
        guest: String,
        /// What is wrong.
        why: String,
        /// Where.
        span: Span,
    },
    /// HTTP granted to a component that does not import `wasi:http/outgoing-handler`.
    #[error("is granted `http:` but does not import `wasi:http/outgoing-handler`")]
    #[diagnostic(help(
        "remove the `http:` grant: least privilege grants only what a component uses"
    ))]
    HttpNotImported,
    /// A `deny:` entry that names no capability.
    #[error("`{name}` is not a capability")]
    UnknownCapability {
        /// The name.
        name: String,
        /// Where.
        span: Span,
    },
    /// A `keyvalue: { bucket: }` name that not every host can open.
    #[error("`{name}` cannot name a key-value bucket: {why}")]
    #[diagnostic(help("`keyvalue: {{ bucket: NAME }}` names the one bucket of the host's store the component gets, e.g. `bucket: counter`"))]
    BadBucket {
        /// The name.
        name: String,
        /// What is wrong.
        why: String,
        /// Where.
        span: Span,
    },
    /// A `wasi:keyvalue` interface a `bucket:` grant does not serve.
    #[error("imports `{import}`, which a `keyvalue: {{ bucket: }}` grant does not serve: the bucket wrapper serves `store` and `atomics`, and anything else would reach the host's other buckets past it")]
    #[diagnostic(help("grant the host's whole store with `keyvalue: allow`, or build the component without this interface"))]
    NotInBucket {
        /// The import.
        import: String,
    },
    /// An `inside:` entry witpipe cannot serve inside the output.
    #[error("`{name}` cannot be served inside the output: {why}")]
    #[diagnostic(help("`inside:` takes `config` (the `config:` values answered by the output itself, so no host needs to serve `wasi:config`) and `keyvalue` (a key-value store in the instance's memory)"))]
    NotInside {
        /// The entry.
        name: String,
        /// Why, and what to do instead.
        why: String,
        /// Where.
        span: Span,
    },
    /// An import that a capability served `inside:` the output cannot answer.
    #[error("imports `{import}`, which witpipe cannot serve inside the output: it serves `wasi:config/store` (at 0.2.0-draft, 0.2.0-rc.1, 0.2.0-draft-2024-09-27 or any version of that shape)")]
    #[diagnostic(help("take `config` out of `inside:` so that the host serves this interface, or build the component against `wasi:config/store`"))]
    NotServableInside {
        /// The import.
        import: String,
    },
    /// An import without a version that a wrapper retargeted by version would serve.
    #[error(
        "imports `{import}` without a version, which the `{wrapper}` wrapper cannot be matched to"
    )]
    #[diagnostic(help("build the component against a versioned interface (`wasi:config/store@0.2.0-rc.1`, `wasi:keyvalue/store@0.2.0-draft`), or let the host serve it (`keyvalue: allow`; no `inside:`)"))]
    Unversioned {
        /// The import.
        import: String,
        /// The wrapper its grants call for.
        wrapper: &'static str,
    },
    /// The component imports an interface whose policy is not enforced yet.
    #[error("imports `{import}`, which no {what} policy of this witpipe covers yet")]
    #[diagnostic(help("no policy of this witpipe covers this import, and it will not pass the host's authority through unguarded; leave this component out of the pipeline for now"))]
    NotEnforced {
        /// The import.
        import: String,
        /// filesystem, sockets, http, ...
        what: &'static str,
    },
    /// A non-WASI import that no link satisfies and no grant lets through.
    #[error("imports `{import}`, which no link satisfies and no grant lets the host serve")]
    #[diagnostic(help("link it to an instance that exports it (`links:` or `pipe:`), or let the host serve it with `grants: {{ imports: [\"{import}\"] }}`"))]
    Ungranted {
        /// The import.
        import: String,
    },
    /// A host capability (key-value store, configuration) the grants do not name.
    #[error("imports `{import}` but its grants do not say `{key}:`")]
    #[diagnostic(help("{fix}"))]
    HostCapability {
        /// The import.
        import: String,
        /// The grant key that would allow it.
        key: &'static str,
        /// The grant that would allow it, as the family says it.
        fix: &'static str,
    },
    /// A WASI version the wrappers cannot serve.
    #[error("imports `{import}`, a WASI version witpipe's wrappers do not serve (the newest they serve: {served})")]
    #[diagnostic(help("rebuild the component against one of those releases (WASI 0.2: the `wasm32-wasip2` target; WASI 0.3: the `wasip3` crate's 0.3.0 to 0.3.2), or upgrade witpipe"))]
    UnsupportedWasi {
        /// The import.
        import: String,
        /// The newest release of each line witpipe serves, said as a list.
        served: String,
    },
    /// A WASI 0.3 import whose grants need a wrapper that is built only for WASI 0.2.
    #[error("imports `{import}`, which its grants leave to the `{wrapper}` wrapper; that wrapper is not built for WASI 0.3 yet")]
    #[diagnostic(help("without the grant it is denied at WASI 0.3 as well; to grant it, build the component for WASI 0.2 (the `wasm32-wasip2` target without the `wasip3` crate). docs/wasi-0.3.md lists what witpipe wraps at 0.3"))]
    NotWrappedAtLine {
        /// The import.
        import: String,
        /// The wrapper its grants call for.
        wrapper: &'static str,
    },
}

impl PolicyError {
    /// Where in the pipeline file the error stands, when it is about one entry.
    pub fn span(&self) -> Option<Span> {
        match self {
            PolicyError::BadHttpPattern { span, .. }
            | PolicyError::BadConnectRule { span, .. }
            | PolicyError::BadImportGrant { span, .. }
            | PolicyError::BadEnvName { span, .. }
            | PolicyError::BadPath { span, .. }
            | PolicyError::UnknownCapability { span, .. }
            | PolicyError::BadBucket { span, .. }
            | PolicyError::NotInside { span, .. }
            | PolicyError::MissingDirectory { span, .. }
            | PolicyError::GuestPath { span, .. } => Some(*span),
            _ => None,
        }
    }
}
