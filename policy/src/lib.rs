//! Grants and capability wrappers for witpipe pipelines.
//!
//! Each component of a pipeline gets only the WASI authority its grants name. One
//! module per capability family ([`families`]: environment, stdio, exit, clocks,
//! random, filesystem, HTTP, sockets, key-value, config) holds everything about it:
//! its grant grammar, who serves its imports ([`Route::Host`] or a [`Wrapper`]
//! instance), what its wrappers are told ([`Setting`]), what it asks of the host
//! ([`HostContract`]) and the stock-`wasmtime` flags for it. [`plan`] walks a
//! component's imports through them; [`HostContract::new`] gathers the plans of a
//! composed output into what the host must provide.
//!
//! The wrappers are Rust guests in `wrappers/`, committed as built `.wasm` and
//! retargeted to the importer's WASI version. It never runs a component: no wasmtime
//! here.
#![deny(missing_docs)]

mod contract;
mod error;
pub mod families;
#[doc(hidden)]
pub mod fuzzing;
pub mod grammar;
mod grants;
mod name;
mod plan;
mod settings;
mod settings_keys;
mod span;
#[cfg(test)]
mod testing;
mod wrappers;

pub use contract::{Capability, HostContract, HostDir, HostImport};
pub use error::PolicyError;
pub use families::clocks::ClockMode;
pub use families::env::{ArgsGrant, EnvGrant};
pub use families::fs::{check_mounts, FsMode, FsMount};
pub use families::keyvalue::KeyValueGrant;
pub use families::random::RandomMode;
pub use families::sockets::SocketsGrant;
pub use families::{denial, Denial};
pub use grants::{capabilities, granted_by, Access, Grants, GrantsSpec};
pub use name::split;
pub use plan::{plan, Plan, Route, RoutedImport, WrapperUse};
pub use settings::{Clock, Randomness, Setting};
pub use settings_keys::DENIAL_MODULE;
pub use span::{At, Span};
pub use wrappers::{
    retarget, served_by, settings_component, Wrapper, SETTINGS_INTERFACE, WASI_SERVED,
};
