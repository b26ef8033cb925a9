//! Grants and capability wrappers for witpipe pipelines.
//!
//! Each component of a pipeline gets only the WASI authority its grants name: this
//! crate decides, per import, whether the host may serve it ([`Route::Host`]) or a
//! wrapper instance answers instead ([`Route::Guard`], [`Route::EnvFilter`]), and
//! builds what the composer needs for that: the wrapper components (Rust guests in
//! `wrappers/`, committed as built `.wasm`), retargeted to the importer's WASI version,
//! and a tiny generated component holding each instance's settings.
//!
//! It never runs a component: no wasmtime here.
#![deny(missing_docs)]

mod grants;
mod route;
mod wrappers;

pub use grants::{
    Access, ArgsGrant, ClockMode, EnvGrant, FsMode, FsMount, Grants, GrantsSpec, RandomMode,
    SocketsGrant,
};
pub use route::{plan, split, Plan, PolicyError, Route, WrapperUse};
pub use wrappers::{retarget, settings_component, Wrapper, SETTINGS_INTERFACE};
