//! Applying each component's grants: who serves each of its unlinked imports.
//!
//! Deny by default: a component gets a WASI capability from the host only when its
//! grants (over the pipeline's `defaults:`) say so; everything else it imports from
//! WASI is answered by its own wrapper instances, and a non-WASI import must be
//! linked or granted. The decisions come from `witpipe-policy`; this module maps them
//! and their errors onto the pipeline file.

use crate::error::{Error, Warning};
use crate::graph::LinkGraph;
use crate::load::Loaded;
use crate::span::Span;
use crate::spec::PipelineSpec;
use std::path::Path;
use witpipe_policy::{Grants, Plan, PolicyError, Route};

/// One component's plan.
#[derive(Debug, Clone)]
pub struct Guarded {
    /// The instance.
    pub instance: usize,
    /// Who serves each of its unlinked imports, and the wrappers' settings.
    pub plan: Plan,
}

impl Guarded {
    /// What this component gets from the host: its host-routed imports plus what its
    /// wrappers import (the host environment for an `env-filter`; `wasi:io` types).
    pub fn host_imports(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .plan
            .routes
            .iter()
            .filter(|(_, r)| *r == Route::Host)
            .map(|(n, _)| n.clone())
            .collect();
        if let Some(v) = &self.plan.wasi_version {
            for w in &self.plan.wrappers {
                out.extend(w.wrapper.host_imports(v));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Every granted directory must exist on this machine, under an absolute guest path
/// used once.
fn check_dirs(block: &witpipe_policy::GrantsSpec, base_dir: &Path, errors: &mut Vec<Error>) {
    let mut seen: Vec<&str> = Vec::new();
    for mount in block.fs.iter().flat_map(|f| f.value.iter()) {
        let span = location_span(&mount.referenced);
        let host = base_dir.join(&mount.value.host);
        if !host.is_dir() {
            errors.push(Error::Grants {
                reason: format!(
                    "granted directory `{}` does not exist (looked for {}); host paths are relative to the pipeline file",
                    mount.value.host,
                    host.display()
                ),
                span,
            });
        }
        let guest = mount.value.guest.as_str();
        if !guest.starts_with('/') || guest.split('/').any(|p| p == "..") {
            errors.push(Error::Grants {
                reason: format!("guest path `{guest}` must be absolute and must not contain `..` (e.g. `/data`)"),
                span,
            });
        } else if seen.contains(&guest) {
            errors.push(Error::Grants {
                reason: format!(
                    "guest path `{guest}` is granted twice; give each directory its own guest path"
                ),
                span,
            });
        }
        seen.push(guest);
    }
}

fn location_span(loc: &serde_saphyr::Location) -> Span {
    Span::from_location(loc)
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
) -> (Vec<Guarded>, Vec<Error>, Vec<Warning>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let blocks = spec
        .components
        .iter()
        .filter_map(|c| c.grants.as_deref())
        .chain(spec.defaults.as_ref());
    for block in blocks {
        check_dirs(&block.value, base_dir, &mut errors);
        for problem in block.value.problems() {
            let span = match &problem {
                PolicyError::Reserved { location, .. }
                | PolicyError::UnknownCapability { location, .. }
                | PolicyError::BadHttpPattern { location, .. }
                | PolicyError::BadConnectRule { location, .. } => location_span(location),
                _ => block.span,
            };
            errors.push(Error::Grants {
                reason: problem.to_string(),
                span,
            });
        }
    }
    // A plan is large: room for all at once, so growing never moves them.
    let mut guarded = Vec::with_capacity(if plan { spec.components.len() } else { 0 });
    for (i, component) in spec.components.iter().enumerate().filter(|_| plan) {
        if loaded.instances[i].file.is_none() || links.unused.contains(&i) {
            continue;
        }
        let imports: Vec<String> = links
            .remaining_imports
            .iter()
            .filter(|r| r.instance == i)
            .map(|r| r.name.clone())
            .collect();
        let own = component.grants.as_ref().map(|g| &g.value);
        let grants = Grants::effective(spec.defaults.as_ref().map(|d| &d.value), own);
        match witpipe_policy::plan(&grants, own, &imports) {
            Ok(plan) => {
                for capability in &plan.unused_grants {
                    warnings.push(Warning::UnusedGrant {
                        instance: component.name.value.clone(),
                        capability,
                        span: component
                            .grants
                            .as_ref()
                            .map_or(component.name.span, |g| g.span),
                    });
                }
                guarded.push(Guarded { instance: i, plan });
            }
            Err(problems) => {
                for problem in problems {
                    errors.push(Error::Policy {
                        instance: component.name.value.clone(),
                        reason: problem.to_string(),
                        span: component.name.span,
                        help: policy_help(&problem),
                    });
                }
            }
        }
    }
    if let Err((key, a, b)) = merged_config(&guarded) {
        let component = &spec.components[guarded[b].instance];
        errors.push(Error::Policy {
            instance: component.name.value.clone(),
            reason: format!(
                "is granted configuration that differs from `{}`'s at key `{key}`",
                spec.components[guarded[a].instance].name.value
            ),
            span: component.name.span,
            help: "the output has one `wasi:config/store`, shared by every component that imports it, so each would read what only the other was granted: grant them the same `config:` values (put them in `defaults:`)".into(),
        });
    }
    (guarded, errors, warnings)
}

/// `wasi:config/store` values: `(key, value)`, sorted by key.
pub type Config = Vec<(String, String)>;

/// The configuration the output's one `wasi:config/store` import serves. That store is
/// shared by every component that imports it, so all of them must be granted the same
/// values (else one would read what only another was granted): `Err((key, first,
/// second))` (indexes into `guarded`) names a key where two grants differ.
pub fn merged_config(guarded: &[Guarded]) -> Result<Option<Config>, (String, usize, usize)> {
    let mut granted = guarded
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.plan.host_config.as_ref().map(|c| (i, c)));
    let Some((first, config)) = granted.next() else {
        return Ok(None);
    };
    for (other, theirs) in granted {
        let differs = config
            .iter()
            .chain(theirs.iter())
            .find(|kv| !config.contains(kv) || !theirs.contains(kv));
        if let Some((key, _)) = differs {
            return Err((key.clone(), first, other));
        }
    }
    Ok(Some(config.clone()))
}

fn policy_help(problem: &PolicyError) -> String {
    match problem {
        PolicyError::Ungranted { import } => format!(
            "link it to an instance that exports it (`links:` or `pipe:`), or let the host serve it with `grants: {{ imports: [\"{import}\"] }}`"
        ),
        PolicyError::NotEnforced { .. } => {
            "no policy of this witpipe covers this import, and it will not pass the host's authority through unguarded; leave this component out of the pipeline for now".into()
        }
        PolicyError::HostCapability { key, .. } => match *key {
            "config" => "grant the configuration it may read, e.g. `grants: { config: { greeting: hello } }` (an empty map `{}` grants the store with no values)".into(),
            _ => "let the host's key-value store serve it with `grants: { keyvalue: allow }`".into(),
        },
        PolicyError::HttpNotImported => {
            "remove the `http:` grant: least privilege grants only what a component uses".into()
        }
        PolicyError::UnsupportedWasi { .. } => "rebuild the component for WASI 0.2 (e.g. the `wasm32-wasip2` target)".into(),
        _ => String::new(),
    }
}
