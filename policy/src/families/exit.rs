//! Exiting with a status of one's own (`wasi:cli/exit`): key `exit:`. Denied, the
//! guard answers: an exit traps instead of ending the host's process with a status.

use super::{Access, Family, NoHost, NoSetting};
use crate::capability::Capability;

grant_keys! {
    /// `exit:` as written.
    ExitSpec {
        /// `exit:`.
        exit: Access,
    }
}

/// The family of `wasi:cli/exit`.
pub struct Exit;

impl Family for Exit {
    type Spec = ExitSpec;
    type Grant = Access;
    type Host = NoHost;
    type Setting = NoSetting;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] =
        &[("cli", "exit", Capability::Exit)];

    const DENIALS: &'static [super::Denial] = &[super::Denial {
        code: "exit",
        asked: "an exit with a status of its own (`wasi:cli/exit`)",
        grant: "exit: allow",
        instead: "",
    }];

    one_key!(exit, denied: Access::Deny, grants: |a| *a == Access::Allow);

    fn allowed(grant: &Access) -> bool {
        *grant == Access::Allow
    }
}

#[cfg(test)]
mod tests {
    use crate::families::guard::GUARD;
    use crate::testing::route_of;
    use crate::{Access, Grants, Route};

    #[test]
    fn exit_is_the_hosts_only_when_granted() {
        let exit = "wasi:cli/exit@0.2.6";
        assert_eq!(
            route_of(&Grants::default(), exit),
            Route::Wrapper(GUARD.p2())
        );
        let g = Grants {
            exit: Access::Allow,
            ..Grants::default()
        };
        assert_eq!(route_of(&g, exit), Route::Host);
    }
}
