//! Wiring the resolved link graph into wac-graph and encoding one component.
//!
//! wac-graph checks every link's types (export ⊑ import) as it is wired; its errors
//! carry no locations, so this module maps each back to the link's pipeline line.

use crate::error::Error;
use crate::graph::LinkGraph;
use crate::load::Loaded;
use crate::wit::interface_wit;
use std::collections::BTreeMap;
use wac_graph::{
    EncodeError, EncodeOptions, ExportError, InstantiationArgumentError, NodeId, Processor,
};

/// Instantiates every loaded instance, wires every link and export, and encodes the
/// composed component (validated by wac-graph's wasmparser pass).
pub fn compose(loaded: &mut Loaded, links: &LinkGraph) -> Result<Vec<u8>, Vec<Error>> {
    let mut errors = Vec::new();
    let mut nodes: Vec<Option<NodeId>> = Vec::new();
    for i in 0..loaded.instances.len() {
        let node = loaded
            .package(i)
            .filter(|_| !links.unused.contains(&i))
            .map(|p| {
                let node = loaded.graph.instantiate(p);
                loaded
                    .graph
                    .set_node_name(node, loaded.instances[i].name.value.clone());
                node
            });
        nodes.push(node);
    }
    let mut aliases: BTreeMap<(usize, String), NodeId> = BTreeMap::new();
    let mut alias = |loaded: &mut Loaded, instance: usize, export: &str| -> Option<NodeId> {
        let node = nodes[instance]?;
        if let Some(a) = aliases.get(&(instance, export.to_string())) {
            return Some(*a);
        }
        let a = loaded.graph.alias_instance_export(node, export).ok()?;
        aliases.insert((instance, export.to_string()), a);
        Some(a)
    };
    for link in &links.links {
        let (Some(to), Some(source)) = (nodes[link.to], alias(loaded, link.from, &link.export))
        else {
            continue;
        };
        match loaded
            .graph
            .set_instantiation_argument(to, &link.import, source)
        {
            Ok(()) => {}
            Err(InstantiationArgumentError::ArgumentTypeMismatch { source, .. }) => {
                let wit = |instance: usize, name: &str, exported: bool| {
                    loaded.instances[instance]
                        .file
                        .and_then(|f| interface_wit(&loaded.files[f].bytes, name, exported))
                        .unwrap_or_else(|| "(no WIT available)".into())
                };
                let from_name = &loaded.instances[link.from].name.value;
                let to_name = &loaded.instances[link.to].name.value;
                errors.push(Error::TypeMismatch {
                    message: format!(
                        "export `{}` of `{from_name}` does not satisfy import `{}` of `{to_name}`: {source:#}",
                        link.export, link.import
                    ),
                    span: link.span,
                    help: format!(
                        "`{to_name}` expects:\n{}\n`{from_name}` provides:\n{}\nrebuild one side against the other's WIT, or link another export",
                        wit(link.to, &link.import, false),
                        wit(link.from, &link.export, true)
                    ),
                });
            }
            Err(e) => errors.push(Error::Encode {
                reason: e.to_string(),
            }),
        }
    }
    for export in &links.exports {
        let Some(source) = alias(loaded, export.instance, &export.export) else {
            continue;
        };
        match loaded.graph.export(source, export.name.clone()) {
            Ok(()) => {}
            Err(ExportError::InvalidExportName { name, source }) => {
                errors.push(Error::InvalidExportName {
                    name,
                    reason: format!("{source:#}"),
                    span: export.span,
                })
            }
            Err(e) => errors.push(Error::Encode {
                reason: e.to_string(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let options = EncodeOptions {
        define_components: true,
        validate: true,
        processor: Some(Processor {
            name: "witpipe",
            version: env!("CARGO_PKG_VERSION"),
        }),
    };
    let instances = nodes.iter().flatten().count();
    let bytes = loaded.graph.encode(options).map_err(|e| {
        vec![match &e {
            EncodeError::ValidationFailure { source } => invalid_output(source, instances),
            other => Error::Encode {
                reason: format!("{other:#}"),
            },
        }]
    })?;
    // wac-graph validates with its own feature set; validate again with every feature
    // and the validator's limits, as any engine will.
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(|e| vec![invalid_output(&e, instances)])?;
    Ok(bytes)
}

/// The error for an output that fails validation: a limit the user can act on, or a bug.
fn invalid_output(e: &wasmparser::BinaryReaderError, instances: usize) -> Error {
    if e.message().contains("count exceeds limit") {
        Error::TooLarge {
            reason: e.message().to_string(),
            instances,
        }
    } else {
        Error::Encode {
            reason: format!("the composed component is invalid: {e}"),
        }
    }
}
