//! Exiting with a status of one's own (`wasi:cli/exit`): key `exit:`. Denied, the
//! guard answers: an exit traps instead of ending the host's process with a status.

use super::Family;
use crate::contract::Capability;
use crate::grants::{Access, Grants};

/// The family of `wasi:cli/exit`.
pub(crate) struct Exit;

impl Family for Exit {
    one_key!("exit", exit, denied: Access::Deny, grants: |a| *a == Access::Allow);

    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        &[("cli", "exit", Capability::Exit)]
    }

    fn denials(&self) -> &'static [super::Denial] {
        &[super::Denial {
            code: "exit",
            asked: "an exit with a status of its own (`wasi:cli/exit`)",
            grant: "exit: allow",
            instead: "",
        }]
    }

    fn allowed(&self, grants: &Grants) -> bool {
        grants.exit == Access::Allow
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::route_of;
    use crate::{Access, Grants, Route, Wrapper};

    #[test]
    fn exit_is_the_hosts_only_when_granted() {
        let exit = "wasi:cli/exit@0.2.6";
        assert_eq!(
            route_of(&Grants::default(), exit),
            Route::Wrapper(Wrapper::Guard)
        );
        let g = Grants {
            exit: Access::Allow,
            ..Grants::default()
        };
        assert_eq!(route_of(&g, exit), Route::Host);
    }
}
