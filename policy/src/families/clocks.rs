//! Wall (WASI 0.3: system) and monotonic clocks (`wasi:clocks`): key `clocks:`. Not `allow`, the guard
//! answers with a fixed time: the epoch (`deny`) or 2000-01-01 (`deterministic`).

use super::Family;
use crate::contract::Capability;
use crate::grants::Grants;
use crate::plan::Plan;
use crate::settings::{Clock, Setting};
use crate::wrappers::Wrapper;
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
    one_key!("clocks", clocks, denied: ClockMode::Deny, grants: |c| *c != ClockMode::Deny);

    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        const CLOCKS: Capability = Capability::Clocks;
        &[
            ("clocks", "wall-clock", CLOCKS),
            ("clocks", "system-clock", CLOCKS),
            ("clocks", "monotonic-clock", CLOCKS),
        ]
    }

    fn denials(&self) -> &'static [super::Denial] {
        &[super::Denial {
            code: "clock-wait",
            asked: "a wait on a clock (`wasi:clocks/monotonic-clock` `subscribe-*`, or `wait-*` at WASI 0.3)",
            grant: "clocks: allow",
            instead: "",
        }]
    }

    fn allowed(&self, grants: &Grants) -> bool {
        grants.clocks == ClockMode::Allow
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
