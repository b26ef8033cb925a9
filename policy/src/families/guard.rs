//! The guard: the virtual platform of the command-line families (environment, stdio,
//! exit, clocks, random). One wrapper answers each of their imports that the host may
//! not serve, with the fixed values their settings give or a denial. Its role is shared,
//! so it lives here rather than in any one of them.

use crate::wrappers::Role;

/// The virtual platform: environment, exit, stdio, terminals, clocks, random.
pub static GUARD: Role = crate::wasi_role!("guard", settings: true);
