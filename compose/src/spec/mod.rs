//! The pipeline file (format version 1): what a user writes, with where they wrote it.
//!
//! This module owns the data model only; `parse` turns YAML text into it. Nothing
//! here looks at component files: names are checked against each other, not against
//! what the components import or export (that is [`crate::graph`]'s job).

mod parse;
mod recover;

pub use parse::{parse_pipeline, ParseFailure};

use crate::span::{At, Span};
use witpipe_policy::GrantsSpec;

/// The only pipeline format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A parsed pipeline file.
#[derive(Debug, Clone, Default)]
pub struct PipelineSpec {
    /// The `version:` key.
    pub version: At<u32>,
    /// The `name:` key: names the output (`<name>.wasm`) when given.
    pub name: Option<At<String>>,
    /// The `components:` map, in file order.
    pub components: Vec<ComponentSpec>,
    /// Where the `components:` map stands.
    pub components_span: Span,
    /// The `pipe:` chain, in order.
    pub pipe: Vec<At<String>>,
    /// Explicit `links:`.
    pub links: Vec<LinkSpec>,
    /// The `exports:` key; `None` exports the ends of the pipeline.
    pub exports: Option<Vec<ExportSpec>>,
    /// The `defaults:` grants that every component gets.
    pub defaults: Option<At<GrantsSpec>>,
    /// The `layers:` chains, in file order.
    pub layers: Vec<LayerSpec>,
}

/// One entry of `layers:`: a chain of the pipeline's own components put on an edge.
/// Each layer imports and exports the interface of its edge; the chain is read from
/// the caller's side (for an import edge, the component calls the first layer, whose
/// import the next one serves, and the last one's reaches the capability under the
/// component's grants).
#[derive(Debug, Clone)]
pub struct LayerSpec {
    /// Where the whole entry stands.
    pub span: Span,
    /// The edge it goes on.
    pub edge: LayerEdge,
    /// The layers, caller's side first.
    pub chain: Vec<At<String>>,
    /// `shared: true`: one instance of each layer for every edge the entry matches,
    /// instead of one per edge.
    pub shared: Option<At<bool>>,
}

/// The edge a chain of layers goes on.
#[derive(Debug, Clone)]
pub enum LayerEdge {
    /// `import: IFACE` (`of:` the importers, else every component that imports it):
    /// a component's import of an interface (`ns:pkg/iface`, any version; `ns:pkg/*`
    /// for every interface of a package).
    Import {
        /// The interface.
        interface: At<String>,
        /// The importers named by `of:` (empty: every one).
        of: Vec<At<String>>,
    },
    /// `export: IFACE`: the output's export of an interface (middleware).
    Export {
        /// The interface.
        interface: At<String>,
    },
    /// `link: { from, to }`: an explicit or `pipe:` link between two components.
    Link {
        /// The exporting instance.
        from: At<String>,
        /// The importing instance.
        to: At<String>,
    },
}

impl PipelineSpec {
    /// Whether the instance `name` is a layer: named in some `layers:` chain.
    pub fn is_layer(&self, name: &str) -> bool {
        let mut chains = self.layers.iter().flat_map(|l| &l.chain);
        chains.any(|c| c.value == name)
    }
}

/// One entry of `components:`: an instance of a component file.
#[derive(Debug, Clone, Default)]
pub struct ComponentSpec {
    /// The instance name (the map key).
    pub name: At<String>,
    /// The `.wasm` path, relative to the pipeline file.
    pub path: At<String>,
    /// The instance's `grants:` (boxed: a grants block is large, and most instances
    /// have none, so a long pipeline's entries stay small and cheap to move).
    pub grants: Option<Box<At<GrantsSpec>>>,
}

/// One entry of `links:`: `to`'s import is satisfied by `from`'s export.
#[derive(Debug, Clone, Default)]
pub struct LinkSpec {
    /// Where the whole entry stands.
    pub span: Span,
    /// The instance that exports.
    pub from: At<String>,
    /// The instance that imports.
    pub to: At<String>,
    /// The import name on `to`; inferred when only one import of `to` fits `from`.
    pub import: Option<At<String>>,
    /// The export name on `from`, when it differs from the import name.
    pub export: Option<At<String>>,
}

/// One entry of `exports:`.
#[derive(Debug, Clone)]
pub enum ExportSpec {
    /// Every export of an instance, under its own name.
    All {
        /// The instance.
        instance: At<String>,
    },
    /// One export of an instance, optionally renamed.
    One {
        /// Where the entry stands.
        span: Span,
        /// The instance.
        from: At<String>,
        /// The export's name on the instance; may be left out when it has one export.
        name: Option<At<String>>,
        /// The name in the composed component; defaults to `name`.
        rename: Option<At<String>>,
    },
}

impl ExportSpec {
    /// The instance this entry exports from.
    pub fn instance(&self) -> &At<String> {
        match self {
            ExportSpec::All { instance } => instance,
            ExportSpec::One { from, .. } => from,
        }
    }

    /// Where the entry stands.
    pub fn span(&self) -> Span {
        match self {
            ExportSpec::All { instance } => instance.span,
            ExportSpec::One { span, .. } => *span,
        }
    }
}
