//! What other toolchains leave in their components, and what they ask for at start-up.
//!
//! Recognised by what is in the component, not by its producers section (which names
//! only `wit-component` for componentize-py): componentize-py exports an interface
//! named `exports` holding `init`, the hook its build step calls once to load the
//! application (CPython inside). That runtime asks `wasi:random` for a seed on the
//! first call, so under the default policy the first call traps. Both are warned about
//! up front. Other toolchains (componentize-js: StarlingMonkey, which writes through
//! stdio on its first `console.log`) leave no mark of their own that `check` can read,
//! so the run-time message is what explains their denials.

use crate::error::Warning;
use crate::graph::LinkGraph;
use crate::load::Loaded;
use crate::policy::ComponentPolicy;
use crate::spec::PipelineSpec;
use wac_graph::types::ItemKind;
use witpipe_policy::families::guard::GUARD;
use witpipe_policy::{Capability, Grants, RandomMode};

/// The export componentize-py leaves in every component it builds.
const PY_HOOK: &str = "exports";

/// Whether instance `i` carries componentize-py's `init` hook.
fn is_componentize_py(loaded: &Loaded, i: usize) -> bool {
    let Some(package) = loaded.package(i) else {
        return false;
    };
    let types = loaded.graph.types();
    let world = &types[loaded.graph[package].ty()];
    match world.exports.get(PY_HOOK) {
        Some(ItemKind::Instance(id)) => {
            matches!(types[*id].exports.get("init"), Some(ItemKind::Func(_)))
        }
        _ => false,
    }
}

/// Warnings about components built by toolchains with known start-up needs or leftovers.
pub(crate) fn warnings(
    spec: &PipelineSpec,
    loaded: &Loaded,
    links: &LinkGraph,
    policies: &[ComponentPolicy],
) -> Vec<Warning> {
    let mut out = Vec::new();
    for p in policies {
        let i = p.instance;
        if !is_componentize_py(loaded, i) {
            continue;
        }
        let name = &spec.components[i].name;
        let own = spec.components[i].grants.as_ref().map(|g| &g.value);
        let grants = Grants::effective(spec.defaults.as_ref().map(|d| &d.value), own);
        let asks_random = p
            .plan
            .routes
            .iter()
            .any(|r| r.capability == Capability::Random && r.route.plays(&GUARD));
        let random_denied = asks_random && grants.random == RandomMode::Deny;
        if random_denied {
            out.push(Warning::StartupNeed {
                instance: name.value.clone(),
                toolchain: "componentize-py",
                need: "CPython asks `wasi:random` for a seed on its first call",
                grant: "random: allow",
                span: name.span,
            });
        }
        let hook = links
            .exports
            .iter()
            .find(|e| e.instance == i && e.export == PY_HOOK);
        if let (None, Some(hook)) = (&spec.exports, hook) {
            let kept: Vec<String> = links
                .exports
                .iter()
                .filter(|e| e.export != PY_HOOK)
                .map(|e| {
                    format!(
                        "{{ from: {}, name: {} }}",
                        spec.components[e.instance].name.value, e.export
                    )
                })
                .collect();
            out.push(Warning::ToolchainHook {
                instance: name.value.clone(),
                example: match kept.is_empty() {
                    true => format!("exports: [{{ from: {}, name: … }}]", name.value),
                    false => format!("exports: [{}]", kept.join(", ")),
                },
                span: hook.span,
            });
        }
    }
    out
}
