//! The module graph of the libraries has no loop: in `witpipe-compose` the imports
//! follow the flow spec → load → graph → policy → compose → emit; in `witpipe-policy`
//! the capability families use only the shared vocabulary (capability, route,
//! wrappers, span, error…), never the aggregates built from them (registry, grants,
//! plan, contract). A module's
//! dependencies are the `crate::NAME` paths its code (not its comments or its tests)
//! names; a loop fails the test with the modules on it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module → the top-level modules it uses.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap();
        let top = relative.components().next().unwrap().as_os_str();
        let top = top.to_string_lossy().trim_end_matches(".rs").to_string();
        if top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests may reach anywhere.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let uses = graph.entry(top.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && name != top {
                    uses.insert(name);
                }
            }
        }
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for uses in graph.values_mut() {
        uses.retain(|m| modules.contains(m));
    }
    graph
}

/// Every loop of `graph` found by a depth-first walk, each as the modules on it.
fn loops(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn walk<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, bool>,
        stack: &mut Vec<&'a str>,
        found: &mut Vec<Vec<String>>,
    ) {
        state.insert(node, false);
        stack.push(node);
        for next in &graph[node] {
            match state.get(next.as_str()) {
                Some(false) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle: Vec<String> =
                        stack[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(next.clone());
                    found.push(cycle);
                }
                Some(true) => {}
                None => walk(next, graph, state, stack, found),
            }
        }
        stack.pop();
        state.insert(node, true);
    }
    let mut state = BTreeMap::new();
    let mut found = Vec::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str()) {
            walk(node, graph, &mut state, &mut Vec::new(), &mut found);
        }
    }
    found
}

/// The module graph of the crate in `dir`, checked to have no loop.
fn graph_without_loops(dir: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let graph = module_graph(&src);
    assert!(graph.len() > 10, "modules not found in {}", src.display());
    let found = loops(&graph);
    assert!(
        found.is_empty(),
        "module loops in {dir}: {found:?}\ngraph: {graph:#?}"
    );
    if std::env::var_os("PRINT_MODULE_GRAPH").is_some() {
        for (module, uses) in &graph {
            println!("{dir}: {module} -> {uses:?}");
        }
    }
    graph
}

#[test]
fn compose_modules_have_no_loop() {
    graph_without_loops("compose/src");
}

#[test]
fn policy_modules_have_no_loop_and_families_see_no_aggregate() {
    let graph = graph_without_loops("policy/src");
    let aggregates = ["registry", "grants", "plan", "contract"];
    let families = &graph["families"];
    assert!(
        aggregates.iter().all(|a| !families.contains(*a)),
        "the families use an aggregate: {families:?}"
    );
    assert!(graph["registry"].contains("families"), "{graph:#?}");
}

#[test]
fn the_loop_finder_finds_loops() {
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")]
            .into_iter()
            .map(|(m, u)| (m.to_string(), BTreeSet::from([u.to_string()])))
            .collect();
    assert_eq!(loops(&graph), vec![vec!["a", "b", "c", "a"]]);
}
