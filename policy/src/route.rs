//! Who serves an import: the host or a wrapper instance. Decided by the family that owns
//! the import ([`crate::families::Family::route`]), gathered into a component's plan.

use crate::capability::Capability;
use crate::wrappers::{Role, Wrapper};

/// Who serves one import of a guarded component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The host: granted, or carries no authority (`wasi:io`).
    Host,
    /// One of the component's wrapper instances.
    Wrapper(Wrapper),
}

impl Route {
    /// Whether this is a wrapper playing `role`, at any WASI line.
    pub fn plays(self, role: &Role) -> bool {
        matches!(self, Route::Wrapper(w) if w.role().is(role))
    }
}

/// One unlinked import of a component, what it is and who serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutedImport {
    /// The import's name.
    pub import: String,
    /// What it is.
    pub capability: Capability,
    /// Who serves it.
    pub route: Route,
}

/// Who serves one import of a family, and the grant keys that import puts to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routed {
    /// Who serves it.
    pub route: Route,
    /// The grant keys it uses (a grant of another key of the family stays unused).
    pub uses: &'static [&'static str],
}

impl Routed {
    /// `route`, using the grant keys `uses`.
    pub fn new(route: Route, uses: &'static [&'static str]) -> Self {
        Routed { route, uses }
    }
}

/// The routes of one component's imports, as a family reads them when it says what
/// its wrappers are told and what the host must provide.
#[derive(Debug, Clone, Copy)]
pub struct Routes<'a>(pub &'a [RoutedImport]);

impl Routes<'_> {
    /// Whether some import is routed to a wrapper playing `role`.
    pub fn uses(self, role: &Role) -> bool {
        self.0.iter().any(|r| r.route.plays(role))
    }

    /// Who serves the first import that is a `capability`, if there is one.
    pub fn of(self, capability: Capability) -> Option<Route> {
        let mut routes = self.0.iter();
        routes.find(|r| r.capability == capability).map(|r| r.route)
    }
}
