//! Wiring the resolved link graph into wac-graph and encoding one component (one
//! part, for [`crate::nest`], or the whole output, for [`crate::output`]).
//!
//! wac-graph checks every link's types (export ⊑ import) as it is wired; its errors
//! carry no locations, so this module maps each back to the link's pipeline line.

use crate::error::Error;
use crate::graph::{LinkGraph, WHOLE_INSTANCE};
use crate::load::{register_internal, Loaded};
use crate::policy::ComponentPolicy;
use crate::wit::interface_wit;
use std::collections::BTreeMap;
use wac_graph::PackageId;
use wac_graph::{
    EncodeError, EncodeOptions, ExportError, InstantiationArgumentError, NodeId, Processor,
};
use witpipe_policy::{settings_component, Route, Wrapper, WrapperUse, SETTINGS_INTERFACE};

/// Instantiates every loaded instance (those with a file), wires every link between
/// them and every export, and encodes one component (validated by [`compose`]);
/// imports nothing satisfies inside stay imports.
pub(crate) fn compose_flat(
    loaded: &mut Loaded,
    links: &LinkGraph,
    policies: &[ComponentPolicy],
) -> Result<Vec<u8>, Vec<Error>> {
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
        if export == WHOLE_INSTANCE {
            return Some(node);
        }
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
    if let Err(e) = wrap(loaded, &nodes, policies) {
        errors.push(e);
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
    loaded
        .graph
        .encode(encode_options())
        .map_err(|e| vec![encode_error(loaded, e)])
}

/// A located error for what wac-graph's encoder refuses, where the pipeline can say
/// why.
fn encode_error(loaded: &Loaded, e: EncodeError) -> Error {
    match e {
        EncodeError::ImportTypeMergeConflict {
            import,
            first,
            second,
            source,
        } => {
            let name = |node: NodeId| loaded.graph[node].name().unwrap_or("(witpipe)").to_string();
            let (first, second) = (name(first), name(second));
            let span = loaded
                .instances
                .iter()
                .find(|i| {
                    i.name.value == second || second.starts_with(&format!("{}-", i.name.value))
                })
                .map(|i| i.name.span)
                .unwrap_or_default();
            Error::ImportConflict {
                name: import,
                first,
                second,
                reason: format!("{source:#}"),
                span,
            }
        }
        e => Error::Encode {
            reason: format!("{e:#}"),
        },
    }
}

/// How witpipe encodes a graph: components defined inline, signed as witpipe (the
/// caller validates the result).
pub(crate) fn encode_options() -> EncodeOptions<'static> {
    EncodeOptions {
        define_components: true,
        // Validated once, afterwards, with every feature (as any engine will).
        validate: false,
        processor: Some(Processor {
            name: "witpipe",
            version: env!("CARGO_PKG_VERSION"),
        }),
    }
}

/// Gives each guarded component its own wrapper instances: a settings provider and a
/// wrapper per role it needs, wired to exactly the imports its plan routes there.
/// Wrapper code is registered once per WASI version and shared by every instance.
fn wrap(
    loaded: &mut Loaded,
    nodes: &[Option<NodeId>],
    policies: &[ComponentPolicy],
) -> Result<(), Error> {
    let encode_err = |reason: String| Error::Encode { reason };
    let mut wrappers: BTreeMap<(Wrapper, String), PackageId> = BTreeMap::new();
    for g in policies {
        let Some(target) = nodes[g.instance] else {
            continue;
        };
        let name = loaded.instances[g.instance].name.value.clone();
        // One settings provider per component, read by all of its wrappers.
        let mut provider_export: Option<NodeId> = None;
        for WrapperUse {
            wrapper,
            needs_settings,
        } in &g.plan.wrappers
        {
            let (wrapper, route) = (*wrapper, Route::Wrapper(*wrapper));
            let Some(version) = g.plan.version_for(wrapper).map(str::to_string) else {
                continue;
            };
            let package = match wrappers.get(&(wrapper, version.clone())) {
                Some(p) => *p,
                None => {
                    let bytes = wrapper.retargeted(&version).map_err(encode_err)?;
                    let p = register_internal(loaded, bytes)?;
                    wrappers.insert((wrapper, version.clone()), p);
                    p
                }
            };
            let wrapper_node = loaded.graph.instantiate(package);
            loaded
                .graph
                .set_node_name(wrapper_node, format!("{name}-{}", wrapper.name()));
            if *needs_settings {
                let export = match provider_export {
                    Some(e) => e,
                    None => {
                        let text = g.plan.settings.clone().unwrap_or_default();
                        // One per instance: its name is in the provider (see `deny`).
                        let bytes = settings_component(&text, &name).map_err(encode_err)?;
                        let provider = register_internal(loaded, bytes)?;
                        let provider_node = loaded.graph.instantiate(provider);
                        loaded
                            .graph
                            .set_node_name(provider_node, format!("{name}-settings"));
                        let e = loaded
                            .graph
                            .alias_instance_export(provider_node, SETTINGS_INTERFACE)
                            .map_err(|e| encode_err(e.to_string()))?;
                        provider_export = Some(e);
                        e
                    }
                };
                loaded
                    .graph
                    .set_instantiation_argument(wrapper_node, SETTINGS_INTERFACE, export)
                    .map_err(|e| encode_err(e.to_string()))?;
            }
            // A proposal's drafts differ in shape (and a component may import two of
            // them): a wrapper of one that cannot serve an import is the component's
            // problem, said at its declaration; for a WASI line it would be ours.
            let cannot_serve = |import: &str, e: String| {
                if !wrapper.own_package() {
                    return encode_err(format!(
                        "wrapper `{}` cannot serve `{import}` of `{name}`: {e}",
                        wrapper.name()
                    ));
                }
                Error::WrapperCannotServe {
                    instance: name.clone(),
                    import: import.to_string(),
                    why: format!(
                        "the `{}` wrapper (retargeted to `@{version}`) cannot serve: {e}",
                        wrapper.name()
                    ),
                    span: loaded.instances[g.instance].name.span,
                }
            };
            for import in g.plan.routed_to(route) {
                // The wrapper was retargeted to the component's version, so the names
                // agree.
                let base = import.split('@').next().unwrap_or(import);
                let export = format!("{base}@{version}");
                let source = loaded
                    .graph
                    .alias_instance_export(wrapper_node, &export)
                    .map_err(|e| cannot_serve(import, e.to_string()))?;
                // The last layer of a chain on this edge imports it for the component;
                // it must be in this part, or the import would reach the host unwrapped.
                let importer = match g.importer(import) {
                    i if i == g.instance => target,
                    i => nodes[i].ok_or_else(|| {
                        encode_err(format!(
                            "the layer `{}` on `{import}` of `{name}` is not in the same part",
                            loaded.instances[i].name.value
                        ))
                    })?,
                };
                let wired = loaded
                    .graph
                    .set_instantiation_argument(importer, import, source);
                wired.map_err(|e| cannot_serve(import, format!("{e:#}")))?;
            }
        }
    }
    Ok(())
}
