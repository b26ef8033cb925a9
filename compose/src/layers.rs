//! Layers: the pipeline's own components put on an edge (`layers:`), after the links
//! are resolved and before the grants are applied.
//!
//! A layer imports and exports the interface of its edge and passes calls on. On an
//! import edge, the component's import is linked to the first layer, each layer's
//! import to the next one's export, and the last layer's import is left for the host
//! under the *component's* grants ([`RemainingImport::authority`]): the component's
//! policy wrapper stands between the last layer and the host, so no layer reaches past
//! the component's grant, and the component reaches the capability only through its
//! chain. Everything else a layer imports is decided by its own grants. On an export
//! edge the output's export comes from the first layer and the last one calls the
//! component; on a link, the importer calls the first layer and the last one the
//! exporter.
//!
//! By default each edge gets its own instances of the chain (`tap(app)`); with
//! `shared: true` every edge of the entry uses the declared instances (on import
//! edges only when the components' grants are the same, since one import reaches the
//! capability for all of them).

use crate::error::Error;
use crate::graph::RemainingImport;
use crate::graph::{find, items, list, Chain, ChainEnd, Link, LinkGraph, LinkOrigin};
use crate::load::{Instance, Loaded};
use crate::span::{At, Span};
use crate::spec::{LayerEdge, LayerSpec, PipelineSpec};
use wac_types::ItemKind;
use witpipe_policy::Grants;

/// One step of a chain on one edge: the layer's instance and the names it imports
/// and exports the edge's interface under.
struct Step {
    instance: usize,
    import: String,
    export: String,
}

/// Wires every `layers:` entry of `spec` into `loaded` and `links`.
pub fn apply(spec: &PipelineSpec, loaded: &mut Loaded, links: &mut LinkGraph) -> Vec<Error> {
    let mut errors = Vec::new();
    let Some(layers) = chains(spec, loaded, &mut errors) else {
        return errors;
    };
    let before = loaded.instances.len();
    for (entry, chain) in spec.layers.iter().zip(&layers) {
        let wired = match &entry.edge {
            LayerEdge::Import { interface, of } => {
                import_edge(spec, loaded, links, entry, chain, interface, of)
            }
            LayerEdge::Export { interface } => export_edge(loaded, links, entry, chain, interface),
            LayerEdge::Link { from, to } => link_edge(loaded, links, entry, chain, from, to),
        };
        errors.extend(wired.err().into_iter().flatten());
    }
    // A declared layer is in the output where a chain wired it as it is (shared, export
    // and link chains); otherwise it only lends its file and grants to the instances
    // made per edge.
    let wired = |links: &LinkGraph, i: usize| links.links.iter().any(|l| l.from == i || l.to == i);
    let declared = layers.iter().flatten().copied();
    let (used, lenders): (Vec<usize>, Vec<usize>) = declared.partition(|&l| wired(links, l));
    links.unused.extend(lenders);
    // What a layer imports beyond its edge is its own business, under its own grants.
    for instance in used.into_iter().chain(before..loaded.instances.len()) {
        for name in items(loaded, instance, false) {
            let linked = links
                .links
                .iter()
                .any(|l| l.to == instance && l.import == name);
            let left =
                (links.remaining_imports.iter()).any(|r| r.instance == instance && r.name == name);
            if !linked && !left {
                links.remaining_imports.push(RemainingImport {
                    instance,
                    name: name.to_string(),
                    authority: instance,
                });
            }
        }
    }
    errors
}

/// The instances of every entry's chain, checked: declared, loaded, in one chain only,
/// and nowhere else in the pipeline (`None` when something is wrong).
fn chains(
    spec: &PipelineSpec,
    loaded: &Loaded,
    errors: &mut Vec<Error>,
) -> Option<Vec<Vec<usize>>> {
    let start = errors.len();
    let index = |name: &At<String>, errors: &mut Vec<Error>| {
        let found = (loaded.instances.iter()).position(|i| i.name.value == name.value);
        if found.is_none() {
            let declared = spec.components.iter().map(|c| c.name.value.as_str());
            errors.push(Error::UnknownInstance {
                name: name.value.clone(),
                span: name.span,
                help: format!(
                    "a layer is a component of `components:`; declared: {}",
                    list(&declared.collect::<Vec<_>>())
                ),
            });
        }
        found
    };
    let mut seen: Vec<(usize, Span)> = Vec::new();
    let mut out = Vec::new();
    for entry in &spec.layers {
        let mut chain = Vec::new();
        for name in &entry.chain {
            let Some(i) = index(name, errors) else {
                continue;
            };
            let elsewhere = elsewhere(spec, loaded, i);
            let why = match seen.iter().find(|(s, _)| *s == i) {
                Some((_, first)) => Some(format!(
                    "it is already a layer of the chain at line {}",
                    first.line
                )),
                None => {
                    elsewhere.map(|w| format!("it is also {w}; a layer is wired by its chain only"))
                }
            };
            if let Some(why) = why {
                errors.push(layer_error(
                    &name.value,
                    "this chain".into(),
                    why,
                    name.span,
                    "declare another instance of the same file under `components:` for each use",
                ));
                continue;
            }
            seen.push((i, name.span));
            if loaded.instances[i].file.is_some() {
                chain.push(i);
            }
        }
        out.push(chain);
    }
    (errors.len() == start).then_some(out)
}

/// Where else the pipeline uses instance `i`, if it does.
fn elsewhere(spec: &PipelineSpec, loaded: &Loaded, i: usize) -> Option<String> {
    let name = &loaded.instances[i].name.value;
    if spec.pipe.iter().any(|p| &p.value == name) {
        return Some("a member of `pipe:`".into());
    }
    if (spec.links.iter()).any(|l| &l.from.value == name || &l.to.value == name) {
        return Some("linked under `links:`".into());
    }
    let exported = spec.exports.iter().flatten();
    if exported.into_iter().any(|e| &e.instance().value == name) {
        return Some("named under `exports:`".into());
    }
    None
}

/// A [`Error::Layer`].
fn layer_error(layer: &str, edge: String, why: String, span: Span, help: &str) -> Error {
    Error::Layer {
        what: format!("layer `{layer}` cannot go on {edge}"),
        why,
        span,
        label: "this layer",
        help: help.to_string(),
    }
}

/// Whether the import or export `name` is of `interface` (`ns:pkg/iface`, any
/// version, or `ns:pkg/*`).
fn of_interface(name: &str, interface: &str) -> bool {
    let base = name.split('@').next().unwrap_or(name);
    let wanted = interface.split('@').next().unwrap_or(interface);
    match wanted.strip_suffix('*') {
        Some(package) => base.starts_with(package) && package.ends_with('/'),
        None => base == wanted,
    }
}

/// The names `layer` imports and exports `name` (an import of the component, or an
/// export it serves) under, or the located reason it cannot pass it on.
fn shape(
    loaded: &Loaded,
    (layer, layer_name): (usize, &str),
    name: &str,
    edge: &str,
    span: Span,
) -> Result<Step, Error> {
    let exports = items(loaded, layer, true);
    let imports = items(loaded, layer, false);
    let base = name.split('@').next().unwrap_or(name);
    let same_base = |names: &[&str]| -> Vec<String> {
        let found = names.iter().filter(|n| n.split('@').next() == Some(base));
        found.map(|n| n.to_string()).collect()
    };
    let fail =
        |why: String, help: String| layer_error(layer_name, edge.to_string(), why, span, &help);
    let line_help = |found: &[String]| {
        format!(
            "the edge is `{name}`; `{layer_name}` has {}: build the layer against the same WASI line (and a compatible version) as the component",
            list(found)
        )
    };
    let Some(export) = find(&exports, name) else {
        let found = same_base(&exports);
        return Err(match found.is_empty() {
            true => fail(
                format!("it does not export `{name}`"),
                format!(
                    "a layer exports the interface of its edge and imports it to pass calls on; `{layer_name}` exports {}",
                    list(&exports)
                ),
            ),
            false => fail(
                format!("it exports `{}`, another version of `{name}`", found[0]),
                line_help(&found),
            ),
        });
    };
    let Some(import) = find(&imports, name) else {
        let found = same_base(&imports);
        return Err(match found.is_empty() {
            true => fail(
                format!("it exports `{name}` but does not import it, so it cannot pass calls on"),
                format!(
                    "a layer imports what it exports (pass-through): add `import {base};` to its world beside the export; `{layer_name}` imports {}",
                    list(&imports)
                ),
            ),
            false => fail(
                format!("it imports `{}`, another version of `{name}`", found[0]),
                line_help(&found),
            ),
        });
    };
    Ok(Step {
        instance: layer,
        import: import.to_string(),
        export: export.to_string(),
    })
}

/// The steps of `chain` for the interface `name`, or every reason it cannot carry it.
fn steps(
    loaded: &Loaded,
    chain: &[usize],
    name: &str,
    edge: &str,
    entry: &LayerSpec,
) -> Result<Vec<Step>, Vec<Error>> {
    let declared = |k: usize| (entry.chain[k].value.as_str(), entry.chain[k].span);
    let (ok, failed): (Vec<_>, Vec<_>) = (chain.iter().enumerate())
        .map(|(k, &layer)| shape(loaded, (layer, declared(k).0), name, edge, declared(k).1))
        .partition(Result::is_ok);
    if !failed.is_empty() {
        return Err(failed.into_iter().filter_map(Result::err).collect());
    }
    Ok(ok.into_iter().filter_map(Result::ok).collect())
}

/// Links each step's import to the next step's export, in the chain's order.
fn link_steps(links: &mut LinkGraph, steps: &[Step], span: Span) {
    for pair in steps.windows(2) {
        links.links.push(Link {
            from: pair[1].instance,
            to: pair[0].instance,
            import: pair[0].import.clone(),
            export: pair[1].export.clone(),
            span,
            origin: LinkOrigin::Layer,
        });
    }
}

/// An instance of `layer` for the edge of `owner`: `layer(owner)`, with the layer's
/// file and grants.
fn instance_for(loaded: &mut Loaded, layer: usize, owner: usize) -> usize {
    let name = format!(
        "{}({})",
        loaded.instances[layer].name.value, loaded.instances[owner].name.value
    );
    let span = loaded.instances[layer].name.span;
    let instance = Instance {
        name: At { value: name, span },
        file: loaded.instances[layer].file,
        entry: loaded.instances[layer].entry,
    };
    loaded.instances.push(instance);
    loaded.instances.len() - 1
}

/// A chain on the unlinked imports of `interface` of each component named by `of`
/// (every non-layer component that has one, when `of` is empty).
fn import_edge(
    spec: &PipelineSpec,
    loaded: &mut Loaded,
    links: &mut LinkGraph,
    entry: &LayerSpec,
    chain: &[usize],
    interface: &At<String>,
    of: &[At<String>],
) -> Result<(), Vec<Error>> {
    let unlinked = |links: &LinkGraph, c: usize| -> Vec<String> {
        let mine = links.remaining_imports.iter();
        let mine = mine.filter(|r| r.instance == c && r.authority == c);
        mine.filter(|r| of_interface(&r.name, &interface.value))
            .map(|r| r.name.clone())
            .collect()
    };
    let mut errors = Vec::new();
    let mut targets: Vec<(usize, Vec<String>)> = Vec::new();
    if of.is_empty() {
        let candidates = (0..spec.components.len()).filter(|&c| {
            let instance = &loaded.instances[c];
            instance.file.is_some()
                && !links.unused.contains(&c)
                && !spec.is_layer(&instance.name.value)
        });
        for c in candidates.collect::<Vec<_>>() {
            let names = unlinked(links, c);
            if !names.is_empty() {
                targets.push((c, names));
            }
        }
        if targets.is_empty() {
            errors.push(Error::NoLayerEdge {
                why: format!("no component imports `{}` unlinked", interface.value),
                span: interface.span,
                help: "an import edge is an import of a component that no link satisfies; name the interface as the component imports it (`ns:pkg/iface`, or `ns:pkg/*`), or put the chain on a link with `link: { from: A, to: B }`".into(),
            });
        }
    }
    for name in of {
        let Some(c) = (loaded.instances.iter()).position(|i| i.name.value == name.value) else {
            errors.push(Error::UnknownInstance {
                name: name.value.clone(),
                span: name.span,
                help: "`of:` names components of `components:`".into(),
            });
            continue;
        };
        let names = unlinked(links, c);
        if names.is_empty() {
            let linked = (links.links.iter())
                .find(|l| l.to == c && of_interface(&l.import, &interface.value));
            let help = match linked {
                Some(l) => format!(
                    "`{}` imports it from `{}`: put the chain on that link with `link: {{ from: {}, to: {} }}`",
                    name.value, loaded.instances[l.from].name.value, loaded.instances[l.from].name.value, name.value
                ),
                None => format!(
                    "`{}` imports {}",
                    name.value,
                    list(&items(loaded, c, false))
                ),
            };
            errors.push(Error::NoLayerEdge {
                why: format!(
                    "`{}` has no unlinked import of `{}`",
                    name.value, interface.value
                ),
                span: name.span,
                help,
            });
            continue;
        }
        targets.push((c, names));
    }
    for (c, names) in &targets {
        if let Some(split) = resource_split(loaded, *c, names) {
            let owner = &loaded.instances[*c].name.value;
            let package = split.from.split('/').next().unwrap_or(&split.from);
            errors.push(Error::Layer {
                what: format!(
                    "layer `{}` cannot go on `{}` of `{owner}` alone",
                    entry.chain[0].value, split.from
                ),
                why: format!(
                    "`{owner}` also imports `{}`, which uses its resource `{}`: a resource and the functions that take it must come from one place",
                    split.import, split.resource
                ),
                span: interface.span,
                label: "this interface",
                help: format!(
                    "put the chain on both with `import: {package}/*` (its layers then import and export `{}` too), or link `{}` elsewhere",
                    split.import, split.import
                ),
            });
        }
    }
    let shared = entry.shared.as_ref().is_some_and(|s| s.value);
    if shared && targets.len() > 1 {
        let grants = |c: usize| {
            let own = spec.components[c].grants.as_ref().map(|g| &g.value);
            Grants::effective(spec.defaults.as_ref().map(|d| &d.value), own)
        };
        let first = grants(targets[0].0);
        if let Some((other, _)) = targets.iter().find(|(c, _)| grants(*c) != first) {
            let name = |c: usize| loaded.instances[c].name.value.clone();
            errors.push(Error::Layer {
                what: format!(
                    "layer `{}` cannot go on the imports of `{}` of both `{}` and `{}`",
                    entry.chain[0].value,
                    interface.value,
                    name(targets[0].0),
                    name(*other)
                ),
                why: "they are granted differently, and a shared chain reaches the capability with one grant".into(),
                span: entry.shared.as_ref().map_or(entry.span, |s| s.span),
                label: "one chain for all",
                help: "give each component its own chain (leave out `shared: true`), or grant them the same".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Per interface of a shared chain: the component it reaches the capability for.
    let mut reached: std::collections::BTreeMap<String, usize> = Default::default();
    for (c, names) in targets {
        let owner = loaded.instances[c].name.value.clone();
        let instances: Vec<usize> = match shared {
            true => chain.to_vec(),
            false => chain.iter().map(|&l| instance_for(loaded, l, c)).collect(),
        };
        for name in names {
            let edge = format!("the import `{name}` of `{owner}`");
            let steps = steps(loaded, &instances, &name, &edge, entry)?;
            let first = &steps[0];
            let last = steps.last().expect("a chain has a layer");
            links
                .remaining_imports
                .retain(|r| !(r.instance == c && r.name == name));
            links.links.push(Link {
                from: first.instance,
                to: c,
                import: name.clone(),
                export: first.export.clone(),
                span: entry.span,
                origin: LinkOrigin::Layer,
            });
            // A shared chain is wired, and reaches the capability, once: under the
            // grants of the first component (all are granted alike).
            let under = match shared.then(|| reached.get(&name)).flatten() {
                Some(&first) => first,
                None => {
                    reached.insert(name.clone(), c);
                    link_steps(links, &steps, entry.span);
                    links.remaining_imports.push(RemainingImport {
                        instance: last.instance,
                        name: last.import.clone(),
                        authority: c,
                    });
                    c
                }
            };
            links.chains.push(Chain {
                interface: name.clone(),
                caller: Some(c),
                layers: steps.iter().map(|s| s.instance).collect(),
                callee: ChainEnd::Capability {
                    under,
                    import: last.import.clone(),
                },
            });
        }
    }
    Ok(())
}

/// An import of a component that a chain on some of its imports would split from a
/// resource it uses.
struct Split {
    /// The import left to the host.
    import: String,
    /// The resource it uses.
    resource: String,
    /// The import on the chain that defines the resource.
    from: String,
}

/// An import of instance `c`, not among `names`, that uses a resource defined by one
/// of `names` (`wasi:keyvalue/atomics` takes `wasi:keyvalue/store`'s `bucket`).
fn resource_split(loaded: &Loaded, c: usize, names: &[String]) -> Option<Split> {
    let package = loaded.package(c)?;
    let types = loaded.graph.types();
    let world = &types[loaded.graph[package].ty()];
    for (import, kind) in &world.imports {
        let ItemKind::Instance(id) = kind else {
            continue;
        };
        if names.contains(import) {
            continue;
        }
        for (ty, used) in &types[*id].uses {
            let from = &types[used.interface];
            let Some(from_name) = from.id.as_ref().filter(|n| names.contains(n)) else {
                continue;
            };
            let original = used.name.as_deref().unwrap_or(ty);
            if let Some(ItemKind::Type(wac_types::Type::Resource(_))) = from.exports.get(original) {
                return Some(Split {
                    import: import.clone(),
                    resource: original.to_string(),
                    from: from_name.clone(),
                });
            }
        }
    }
    None
}

/// A chain in front of the output's exports of `interface`.
fn export_edge(
    loaded: &mut Loaded,
    links: &mut LinkGraph,
    entry: &LayerSpec,
    chain: &[usize],
    interface: &At<String>,
) -> Result<(), Vec<Error>> {
    let matched: Vec<usize> = (0..links.exports.len())
        .filter(|&k| of_interface(&links.exports[k].name, &interface.value))
        .collect();
    if matched.is_empty() {
        let names: Vec<&str> = links.exports.iter().map(|e| e.name.as_str()).collect();
        return Err(vec![Error::NoLayerEdge {
            why: format!("the output exports no `{}`", interface.value),
            span: interface.span,
            help: format!("the output exports {}", list(&names)),
        }]);
    }
    for k in matched {
        let export = links.exports[k].clone();
        let owner = loaded.instances[export.instance].name.value.clone();
        let edge = format!("the export `{}` of `{owner}`", export.name);
        let steps = steps(loaded, chain, &export.export, &edge, entry)?;
        let last = steps.last().expect("a chain has a layer");
        link_steps(links, &steps, entry.span);
        links.links.push(Link {
            from: export.instance,
            to: last.instance,
            import: last.import.clone(),
            export: export.export.clone(),
            span: entry.span,
            origin: LinkOrigin::Layer,
        });
        links.chains.push(Chain {
            interface: export.name.clone(),
            caller: None,
            layers: steps.iter().map(|s| s.instance).collect(),
            callee: ChainEnd::Component(export.instance),
        });
        links.exports[k].instance = steps[0].instance;
        links.exports[k].export = steps[0].export.clone();
    }
    Ok(())
}

/// A chain on every link from `from` to `to`.
fn link_edge(
    loaded: &mut Loaded,
    links: &mut LinkGraph,
    entry: &LayerSpec,
    chain: &[usize],
    from: &At<String>,
    to: &At<String>,
) -> Result<(), Vec<Error>> {
    let index =
        |name: &At<String>| (loaded.instances.iter()).position(|i| i.name.value == name.value);
    let (Some(a), Some(b)) = (index(from), index(to)) else {
        let unknown = if index(from).is_none() { from } else { to };
        return Err(vec![Error::UnknownInstance {
            name: unknown.value.clone(),
            span: unknown.span,
            help: "`link:` names two components of `components:`".into(),
        }]);
    };
    let matched: Vec<usize> = (0..links.links.len())
        .filter(|&k| links.links[k].from == a && links.links[k].to == b)
        .collect();
    if matched.is_empty() {
        return Err(vec![Error::NoLayerEdge {
            why: format!("nothing links `{}` to `{}`", from.value, to.value),
            span: entry.span,
            help: "put the chain on a link of `links:` or `pipe:` (`from` exports, `to` imports)"
                .into(),
        }]);
    }
    for k in matched {
        let link = links.links[k].clone();
        let edge = format!("the link of `{}` to `{}`", from.value, to.value);
        if link.export == crate::graph::WHOLE_INSTANCE {
            return Err(vec![layer_error(
                &loaded.instances[chain[0]].name.value,
                edge,
                "the link passes a whole instance".into(),
                entry.span,
                "a layer passes one interface on; link the interfaces one by one to put a chain on them",
            )]);
        }
        let steps = steps(loaded, chain, &link.import, &edge, entry)?;
        let last = steps.last().expect("a chain has a layer");
        link_steps(links, &steps, entry.span);
        links.links.push(Link {
            from: a,
            to: last.instance,
            import: last.import.clone(),
            export: link.export.clone(),
            span: entry.span,
            origin: LinkOrigin::Layer,
        });
        links.chains.push(Chain {
            interface: link.import.clone(),
            caller: Some(b),
            layers: steps.iter().map(|s| s.instance).collect(),
            callee: ChainEnd::Component(a),
        });
        links.links[k].from = steps[0].instance;
        links.links[k].export = steps[0].export.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::of_interface;

    #[test]
    fn an_edge_names_an_interface_at_any_version_or_a_whole_package() {
        assert!(of_interface(
            "wasi:cli/environment@0.2.6",
            "wasi:cli/environment"
        ));
        assert!(of_interface(
            "wasi:cli/environment",
            "wasi:cli/environment@0.2.0"
        ));
        assert!(!of_interface(
            "wasi:cli/environment-x@0.2.6",
            "wasi:cli/environment"
        ));
        assert!(of_interface(
            "wasi:filesystem/types@0.2.6",
            "wasi:filesystem/*"
        ));
        assert!(!of_interface(
            "wasi:filesystemx/types@0.2.6",
            "wasi:filesystem*"
        ));
        assert!(!of_interface("wasi:http/types@0.2.6", "wasi:filesystem/*"));
    }
}
