//! Exiting with a status of one's own (`wasi:cli/exit`): key `exit:`. Denied, the
//! guard answers: an exit traps instead of ending the host's process with a status.

use super::{host_if, Family, Routed};
use crate::contract::Capability;
use crate::grants::{Access, Grants, GrantsSpec};
use crate::wrappers::Wrapper;
use crate::PolicyError;

/// The family of `wasi:cli/exit`.
pub(crate) struct Exit;

impl Family for Exit {
    fn keys(&self) -> &'static [&'static str] {
        &["exit"]
    }

    fn capability(&self, package: &str, interface: &str) -> Option<Capability> {
        (package == "cli" && interface == "exit").then_some(Capability::Exit)
    }

    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec) {
        if let Some(v) = &spec.exit {
            grants.exit = v.value;
        }
    }

    fn deny(&self, grants: &mut Grants, _: &str) {
        grants.exit = Access::Deny;
    }

    fn named(&self, own: &GrantsSpec) -> Vec<&'static str> {
        let allowed = own.exit.as_ref().is_some_and(|s| s.value == Access::Allow);
        allowed.then_some("exit").into_iter().collect()
    }

    fn route(&self, grants: &Grants, _: Capability, _: &str) -> Result<Routed, PolicyError> {
        let route = host_if(grants.exit == Access::Allow, Wrapper::Guard);
        Ok(Routed::new(route, self.keys()))
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
