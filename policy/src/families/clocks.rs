//! Wall and monotonic clocks (`wasi:clocks`): key `clocks:`. Not `allow`, the guard
//! answers with a fixed time: the epoch (`deny`) or 2000-01-01 (`deterministic`).

use super::{host_if, Family, Routed};
use crate::contract::Capability;
use crate::grants::{Grants, GrantsSpec};
use crate::plan::Plan;
use crate::settings::{Clock, Setting};
use crate::wrappers::Wrapper;
use crate::PolicyError;
use serde::Deserialize;

/// What the clocks report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockMode {
    /// The host's clocks.
    Allow,
    /// The epoch, always.
    Deny,
    /// A fixed time (the epoch), the same on every run.
    Deterministic,
}

/// The family of `wasi:clocks`.
pub(crate) struct Clocks;

/// 2000-01-01T00:00:00Z: an obviously fixed time.
const FIXED_TIME_NS: u64 = 946_684_800_000_000_000;

impl Family for Clocks {
    fn keys(&self) -> &'static [&'static str] {
        &["clocks"]
    }

    fn capability(&self, package: &str, interface: &str) -> Option<Capability> {
        let clock = matches!(interface, "wall-clock" | "monotonic-clock");
        (package == "clocks" && clock).then_some(Capability::Clocks)
    }

    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec) {
        if let Some(c) = &spec.clocks {
            grants.clocks = c.value;
        }
    }

    fn deny(&self, grants: &mut Grants, _: &str) {
        grants.clocks = ClockMode::Deny;
    }

    fn named(&self, own: &GrantsSpec) -> Vec<&'static str> {
        let set = own
            .clocks
            .as_ref()
            .is_some_and(|s| s.value != ClockMode::Deny);
        set.then_some("clocks").into_iter().collect()
    }

    fn route(&self, grants: &Grants, _: Capability, _: &str) -> Result<Routed, PolicyError> {
        let route = host_if(grants.clocks == ClockMode::Allow, Wrapper::Guard);
        Ok(Routed::new(route, self.keys()))
    }

    fn settings(&self, grants: &Grants, wrapper: Wrapper, _: &Plan, out: &mut Vec<Setting>) {
        if wrapper == Wrapper::Guard {
            out.push(Setting::Clock(match grants.clocks {
                ClockMode::Deterministic => Clock::Fixed(FIXED_TIME_NS),
                _ => Clock::Zero,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{route_of, wrapper_settings};
    use crate::{ClockMode, Grants, Route, Wrapper};

    #[test]
    fn a_deterministic_clock_is_the_guards_fixed_time() {
        let wall = "wasi:clocks/wall-clock@0.2.6";
        let g = Grants {
            clocks: ClockMode::Deterministic,
            ..Grants::default()
        };
        assert_eq!(route_of(&g, wall), Route::Wrapper(Wrapper::Guard));
        let text = wrapper_settings(&g, wall, Wrapper::Guard);
        assert!(text.contains("clock=fixed:946684800000000000\n"), "{text}");
        let host = Grants {
            clocks: ClockMode::Allow,
            ..Grants::default()
        };
        assert_eq!(route_of(&host, wall), Route::Host);
    }
}
