//! Nesting: the component model caps one component at 1,000 instances (and each stage
//! of a pipeline costs more than one: its instance, the aliases of its exports, its
//! policy wrappers). A pipeline too large for one component is composed as groups of
//! consecutive stages, each its own component below the cap, and an outer component
//! instantiates the groups in order and wires the links that cross between them.

use crate::compose::{compose_flat, encode_options};
use crate::error::Error;
use crate::graph::{LinkGraph, OutputExport, WHOLE_INSTANCE};
use crate::load::{ComponentFile, Loaded};
use crate::policy::ComponentPolicy;
use std::collections::BTreeMap;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, InstantiationArgumentError, NodeId};

/// Instance indices one group may use: below the 1,000 cap, with a margin for what
/// [`costs`] does not count.
const GROUP_BUDGET: usize = 900;

/// Instance indices one instance of the pipeline costs in the encoding (an upper
/// bound): itself, an alias per export it gives to a link or to the output, and for a
/// policies component each wrapper instance with an alias per import it serves, plus
/// the settings provider and its alias when a wrapper reads settings.
/// (Counted for every instance in one pass over the links, exports and plans.)
fn costs(loaded: &Loaded, links: &LinkGraph, policies: &[ComponentPolicy]) -> Vec<usize> {
    let mut cost = vec![1; loaded.instances.len()];
    for l in &links.links {
        cost[l.from] += 1;
    }
    for e in &links.exports {
        cost[e.instance] += 1;
    }
    for g in policies {
        let routed = g
            .plan
            .routes
            .iter()
            .filter(|r| r.route != witpipe_policy::Route::Host)
            .count();
        let settings = match g.plan.wrappers.iter().any(|w| w.needs_settings) {
            true => 2,
            false => 0,
        };
        cost[g.instance] += g.plan.wrappers.len() + routed + settings;
    }
    cost
}

/// Whether the pipeline needs nesting to fit.
pub fn needed(loaded: &Loaded, links: &LinkGraph, policies: &[ComponentPolicy]) -> bool {
    let cost = costs(loaded, links, policies);
    links
        .used(loaded)
        .into_iter()
        .map(|i| cost[i])
        .sum::<usize>()
        > GROUP_BUDGET
}

/// A fresh graph holding the pipeline's component files (nothing instantiated), with
/// only `members` pointing at them.
fn subset(loaded: &Loaded, members: &[usize]) -> Result<Loaded, Error> {
    let mut graph = CompositionGraph::new();
    let mut files = Vec::new();
    for (index, file) in loaded.files.iter().enumerate() {
        let package = Package::from_bytes(
            &format!("witpipe:component{index}"),
            None,
            file.bytes.clone(),
            graph.types_mut(),
        )
        .and_then(|p| Ok(graph.register_package(p)?))
        .map_err(|e| Error::Encode {
            reason: format!("{e:#}"),
        })?;
        files.push(ComponentFile {
            path: file.path.clone(),
            bytes: file.bytes.clone(),
            package,
            span: file.span,
        });
    }
    let mut instances = loaded.instances.clone();
    for (i, instance) in instances.iter_mut().enumerate() {
        if !members.contains(&i) {
            instance.file = None;
        }
    }
    Ok(Loaded {
        graph,
        files,
        instances,
        command_pipe: loaded.command_pipe.clone(),
    })
}

/// Composes the pipeline as groups inside an outer component.
pub fn compose_nested(
    loaded: &Loaded,
    links: &LinkGraph,
    policies: &[ComponentPolicy],
) -> Result<Vec<u8>, Vec<Error>> {
    let one = |e: Error| vec![e];
    let conflict = |what: String| {
        vec![Error::TooLarge {
            reason: format!(
                "it needs nesting into parts below the limit, and {what}, which one nested part cannot express"
            ),
            instances: links.used(loaded).len(),
        }]
    };
    // Groups of consecutive stages within the budget.
    let mut groups: Vec<Vec<usize>> = vec![Vec::new()];
    let mut spent = 0;
    let cost = costs(loaded, links, policies);
    for i in links.producers_first(loaded) {
        let c = cost[i];
        if spent + c > GROUP_BUDGET && !groups.last().is_some_and(Vec::is_empty) {
            groups.push(Vec::new());
            spent = 0;
        }
        groups.last_mut().expect("a group").push(i);
        spent += c;
    }
    let group_of: BTreeMap<usize, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, members)| members.iter().map(move |i| (*i, g)))
        .collect();
    // A chain's last layer reaches the capability through its component's wrapper:
    // split apart, the layer's import would leave its part unwrapped.
    for g in policies {
        for (import, layer) in &g.delegated {
            if group_of.get(layer) != group_of.get(&g.instance) {
                return Err(conflict(format!(
                    "the layer `{}` on `{import}` of `{}` would fall in another part than its component",
                    loaded.instances[*layer].name.value, loaded.instances[g.instance].name.value
                )));
            }
        }
    }
    // Each group exports what later groups and the output need from it.
    let mut bytes = Vec::new();
    for (g, members) in groups.iter().enumerate() {
        let mut exports: Vec<OutputExport> = Vec::new();
        let needed = links
            .links
            .iter()
            .filter(|l| group_of.get(&l.from) == Some(&g) && group_of.get(&l.to) != Some(&g))
            .map(|l| (l.from, l.export.clone(), l.export.clone(), l.span))
            .chain(
                links
                    .exports
                    .iter()
                    .filter(|e| group_of.get(&e.instance) == Some(&g))
                    .map(|e| (e.instance, e.export.clone(), e.name.clone(), e.span)),
            );
        for (instance, export, name, span) in needed {
            if export == WHOLE_INSTANCE {
                return Err(conflict(format!(
                    "`{}` is passed as a whole instance to a stage of another part; parts pass named exports only",
                    loaded.instances[instance].name.value
                )));
            }
            match exports.iter().find(|e| e.name == name) {
                Some(e) if e.instance == instance && e.export == export => {}
                Some(e) => {
                    return Err(conflict(format!(
                        "`{name}` of `{}` and of `{}` both cross from one part to another",
                        loaded.instances[e.instance].name.value,
                        loaded.instances[instance].name.value
                    )))
                }
                None => exports.push(OutputExport {
                    instance,
                    export,
                    name,
                    span,
                }),
            }
        }
        let mut part = subset(loaded, members).map_err(one)?;
        let part_links = LinkGraph {
            links: links.links.clone(),
            exports,
            remaining_imports: Vec::new(),
            unused: links.unused.clone(),
            chains: Vec::new(),
        };
        bytes.push(compose_flat(&mut part, &part_links, policies)?);
    }
    // The outer component: the groups in order, the links between them.
    let mut graph = CompositionGraph::new();
    let mut nodes: Vec<NodeId> = Vec::new();
    for (g, part) in bytes.into_iter().enumerate() {
        let package =
            Package::from_bytes(&format!("witpipe:part{g}"), None, part, graph.types_mut())
                .and_then(|p| Ok(graph.register_package(p)?))
                .map_err(|e| {
                    one(Error::Encode {
                        reason: format!("{e:#}"),
                    })
                })?;
        let node = graph.instantiate(package);
        graph.set_node_name(node, format!("part{g}"));
        nodes.push(node);
    }
    let mut aliases: BTreeMap<(usize, String), NodeId> = BTreeMap::new();
    let mut alias =
        |graph: &mut CompositionGraph, g: usize, name: &str| -> Result<NodeId, Vec<Error>> {
            if let Some(a) = aliases.get(&(g, name.to_string())) {
                return Ok(*a);
            }
            let a = graph.alias_instance_export(nodes[g], name).map_err(|e| {
                one(Error::Encode {
                    reason: e.to_string(),
                })
            })?;
            aliases.insert((g, name.to_string()), a);
            Ok(a)
        };
    let mut wired: BTreeMap<(usize, String), (usize, String)> = BTreeMap::new();
    for link in &links.links {
        let (Some(&from), Some(&to)) = (group_of.get(&link.from), group_of.get(&link.to)) else {
            continue;
        };
        if from == to {
            continue;
        }
        let source = (link.from, link.export.clone());
        match wired.get(&(to, link.import.clone())) {
            Some(known) if *known == source => continue,
            Some((other, _)) => {
                return Err(conflict(format!(
                "`{}` imports `{}` from `{}` while another stage of its part imports it from `{}`",
                loaded.instances[link.to].name.value,
                link.import,
                loaded.instances[link.from].name.value,
                loaded.instances[*other].name.value
            )))
            }
            None => {}
        }
        wired.insert((to, link.import.clone()), source);
        let a = alias(&mut graph, from, &link.export)?;
        match graph.set_instantiation_argument(nodes[to], &link.import, a) {
            Ok(()) => {}
            Err(InstantiationArgumentError::ArgumentTypeMismatch { source, .. }) => {
                return Err(one(Error::TypeMismatch {
                    message: format!(
                        "export `{}` of `{}` does not satisfy import `{}` of `{}`: {source:#}",
                        link.export,
                        loaded.instances[link.from].name.value,
                        link.import,
                        loaded.instances[link.to].name.value
                    ),
                    span: link.span,
                    help: "rebuild one side against the other's WIT, or link another export".into(),
                }))
            }
            Err(e) => {
                return Err(one(Error::Encode {
                    reason: e.to_string(),
                }))
            }
        }
    }
    for export in &links.exports {
        let g = group_of[&export.instance];
        let a = alias(&mut graph, g, &export.name)?;
        graph.export(a, export.name.clone()).map_err(|e| {
            one(Error::Encode {
                reason: e.to_string(),
            })
        })?;
    }
    graph.encode(encode_options()).map_err(|e| {
        one(Error::Encode {
            reason: format!("{e:#}"),
        })
    })
}
