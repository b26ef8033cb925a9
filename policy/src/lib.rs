//! Grants and capability wrappers for witpipe pipelines.
//!
//! Each component of a pipeline gets only the WASI authority its grants name. One
//! module per capability family ([`families`]: environment, stdio, exit, clocks,
//! random, filesystem, HTTP, sockets, key-value, config) owns everything about it:
//! its grant keys and grant, who serves its imports ([`Route::Host`] or a [`Wrapper`]
//! of one of its roles), what its wrappers are told, what it asks of the host and the
//! stock-`wasmtime` flags for it. One registration line per family assembles the
//! aggregates ([`GrantsSpec`], [`Grants`], [`HostNeeds`], [`Setting`]). [`plan`] walks
//! a component's imports through the families; [`HostContract::new`] gathers the plans
//! of a composed output into what the host must provide.
//!
//! The wrappers are Rust guests in `wrappers/`, committed as built `.wasm` and
//! retargeted to the importer's WASI version. It never runs a component: no wasmtime
//! here.
#![deny(missing_docs)]

mod capability;
mod contract;
mod error;
pub mod families;
#[doc(hidden)]
pub mod fuzzing;
pub mod grammar;
mod grants;
mod name;
mod plan;
mod registry;
mod route;
mod settings_keys;
mod span;
#[cfg(test)]
mod testing;
pub mod wasi_wit;
mod wrappers;

pub use capability::Capability;
pub use contract::{HostContract, HostImport};
pub use error::PolicyError;
pub use families::clocks::ClockMode;
pub use families::env::{ArgsGrant, EnvGrant};
pub use families::fs::{check_mounts, FsMode, FsMount, HostDir};
pub use families::keyvalue::KeyValueGrant;
pub use families::random::RandomMode;
pub use families::sockets::SocketsGrant;
pub use families::{Access, Denial};
pub use grants::{capabilities, granted_by, Grants, GrantsSpec};
pub use name::split;
pub use plan::{plan, Plan, WrapperUse};
pub use registry::{denial, HostNeeds, Setting};
pub use route::{Route, RoutedImport};
pub use settings_keys::DENIAL_MODULE;
pub use span::{At, Span};
pub use wrappers::{
    retarget, served_by, settings_component, Line, Role, Wrapper, SETTINGS_INTERFACE, WASI_SERVED,
};
