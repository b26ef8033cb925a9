//! Applying each component's grants: who serves each of its unlinked imports.
//!
//! Deny by default: a component gets a WASI capability from the host only when its
//! grants (over the pipeline's `defaults:`) say so; everything else it imports from
//! WASI is answered by its own wrapper instances, and a non-WASI import must be
//! linked or granted. The decisions (and their help) come from `witpipe-policy`; this
//! module maps them onto the pipeline file.

use crate::error::{Error, Warning};
use crate::graph::LinkGraph;
use crate::load::Loaded;
use crate::spec::PipelineSpec;
use miette::Diagnostic;
use std::path::Path;
use witpipe_policy::{Grants, Plan};

/// One used component's policy: who serves each of its unlinked imports.
#[derive(Debug, Clone)]
pub struct ComponentPolicy {
    /// The instance.
    pub instance: usize,
    /// Who serves each of its unlinked imports, and the wrappers' settings.
    pub plan: Plan,
    /// The imports of its plan that another instance imports for it, `(import,
    /// instance)`: the last layer of a chain on one of its import edges.
    pub delegated: Vec<(String, usize)>,
}

impl ComponentPolicy {
    /// The instance that imports `import` of this component's plan: the last layer of
    /// its chain on that edge, or the component itself.
    pub fn importer(&self, import: &str) -> usize {
        let mut delegated = self.delegated.iter();
        let found = delegated.find(|(name, _)| name == import);
        found.map_or(self.instance, |(_, layer)| *layer)
    }
}

/// Checks every grants block and plans every used instance.
/// Plans are made only when `plan` is set (no earlier errors): an import left unlinked
/// by a misspelt link would otherwise be reported as ungranted too.
pub fn apply(
    spec: &PipelineSpec,
    base_dir: &Path,
    loaded: &Loaded,
    links: &LinkGraph,
    plan: bool,
) -> (Vec<ComponentPolicy>, Vec<Error>, Vec<Warning>) {
    let (mut errors, mut warnings) = check_blocks(spec, base_dir);
    // A plan is large: room for all at once, so growing never moves them.
    let used = if plan { links.used(loaded) } else { Vec::new() };
    let mut policies = Vec::with_capacity(used.len());
    for i in used {
        // witpipe's own plumbing has no entry, and no grants to apply.
        let Some(entry) = loaded.instances[i].entry else {
            continue;
        };
        let component = &spec.components[entry];
        let name = &loaded.instances[i].name.value;
        let decided = links.remaining_imports.iter().filter(|r| r.authority == i);
        let imports: Vec<String> = decided.clone().map(|r| r.name.clone()).collect();
        let delegated = decided.filter(|r| r.instance != i);
        let delegated = delegated.map(|r| (r.name.clone(), r.instance)).collect();
        let own = component.grants.as_ref().map(|g| &g.value);
        let grants = Grants::effective(spec.defaults.as_ref().map(|d| &d.value), own);
        match witpipe_policy::plan(&grants, own, &imports) {
            Ok(plan) => {
                for capability in &plan.unused_grants {
                    let span = component.grants.as_ref().map_or(component.name.span, |g| {
                        g.value.span_of(capability).unwrap_or(g.span)
                    });
                    // A layer's instances share its block: one warning for all.
                    let said = warnings.iter().any(
                        |w| matches!(w, Warning::UnusedGrant { span: s, capability: c, .. } if *s == span && c == capability),
                    );
                    if !said {
                        warnings.push(Warning::UnusedGrant {
                            instance: component.name.value.clone(),
                            capability,
                            span,
                        });
                    }
                }
                policies.push(ComponentPolicy {
                    instance: i,
                    plan,
                    delegated,
                });
            }
            Err(problems) => {
                for problem in problems {
                    errors.push(Error::Policy {
                        instance: name.clone(),
                        help: problem.help().map(|h| h.to_string()).unwrap_or_default(),
                        problem: Box::new(problem),
                        span: loaded.instances[i].name.span,
                    });
                }
            }
        }
    }
    let config: Vec<_> = policies.iter().map(|p| &p.plan.host.config).collect();
    if let Err((key, a, b)) = witpipe_policy::families::config::merged(&config) {
        // By instance, not by `components:` entry: a layer's instance on an edge
        // (`tap(app)`) has no entry of its own.
        let name = |k: usize| &loaded.instances[policies[k].instance].name;
        errors.push(Error::ConfigConflict {
            instance: name(b).value.clone(),
            other: name(a).value.clone(),
            key: key.to_string(),
            span: name(b).span,
        });
    }
    (policies, errors, warnings)
}

/// The problems each grants block shows alone: each key's grammar, mounts that do not
/// exist, `deny:` names; and `cwd: inherit`, which no host at hand honours.
pub(crate) fn check_blocks(spec: &PipelineSpec, base_dir: &Path) -> (Vec<Error>, Vec<Warning>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let blocks = spec
        .components
        .iter()
        .filter_map(|c| c.grants.as_deref())
        .chain(spec.defaults.as_ref());
    for block in blocks {
        if let Some(cwd) = block
            .value
            .environment
            .cwd
            .as_ref()
            .filter(|c| c.value == "inherit")
        {
            warnings.push(Warning::CwdInherit { span: cwd.span });
        }
        let problems = witpipe_policy::check_mounts(&block.value.fs, base_dir);
        for problem in problems.into_iter().chain(block.value.problems()) {
            let help = miette::Diagnostic::help(&problem).map(|h| h.to_string());
            errors.push(Error::Grants {
                span: problem.span().unwrap_or(block.span),
                problem: Box::new(problem),
                help: help.unwrap_or_else(|| crate::error::GRANTS_HELP.into()),
            });
        }
    }
    (errors, warnings)
}
