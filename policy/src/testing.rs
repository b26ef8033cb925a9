//! Helpers for the families' routing tests.

use crate::plan::{plan, section, Plan};
use crate::{Grants, PolicyError, Route, Setting, Wrapper};

/// The plan for a component importing `imports` under `grants` (no own block).
pub(crate) fn plan_for(grants: &Grants, imports: &[&str]) -> Result<Plan, Vec<PolicyError>> {
    let imports: Vec<String> = imports.iter().map(|s| s.to_string()).collect();
    plan(grants, None, &imports)
}

/// Who serves `import` alone under `grants`.
pub(crate) fn route_of(grants: &Grants, import: &str) -> Route {
    let plan = plan_for(grants, &[import]).unwrap_or_else(|e| panic!("{import}: {e:?}"));
    plan.routes[0].route
}

/// What `wrapper` is told when a component imports `import` under `grants`.
pub(crate) fn wrapper_settings(grants: &Grants, import: &str, wrapper: Wrapper) -> String {
    let plan = plan_for(grants, &[import]).unwrap_or_else(|e| panic!("{import}: {e:?}"));
    section(grants, &plan, wrapper)
        .iter()
        .map(Setting::line)
        .collect()
}
