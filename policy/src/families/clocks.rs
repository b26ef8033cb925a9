//! Wall (WASI 0.3: system) and monotonic clocks (`wasi:clocks`): key `clocks:`. Not `allow`, the guard
//! answers with a fixed time: the epoch (`deny`) or 2000-01-01 (`deterministic`).

use super::guard::GUARD;
use super::{Family, NoHost, WrapperSetting};
use crate::capability::Capability;
use crate::route::Routes;
use crate::settings_keys as keys;
use crate::wrappers::Role;
use serde::Deserialize;

/// What the clocks report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockMode {
    /// The host's clocks.
    Allow,
    /// The epoch, always.
    #[default]
    Deny,
    /// A fixed time (the epoch), the same on every run.
    Deterministic,
}

grant_keys! {
    /// `clocks:` as written.
    ClocksSpec {
        /// `clocks:`.
        clocks: ClockMode,
    }
}

/// What a clock reports when the host's is not granted: what the guard is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The epoch, and a monotonic clock that stays at zero.
    Zero,
    /// This many nanoseconds since the epoch.
    Fixed(u64),
}

impl WrapperSetting for Clock {
    fn line(&self) -> String {
        match self {
            Clock::Zero => keys::line(keys::CLOCK, &["zero"]),
            Clock::Fixed(ns) => keys::line(keys::CLOCK, &[&format!("fixed:{ns}")]),
        }
    }
}

/// The family of `wasi:clocks`.
pub struct Clocks;

/// 2000-01-01T00:00:00Z: an obviously fixed time.
const FIXED_TIME_NS: u64 = 946_684_800_000_000_000;

impl Family for Clocks {
    type Spec = ClocksSpec;
    type Grant = ClockMode;
    type Host = NoHost;
    type Setting = Clock;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] = &[
        ("clocks", "wall-clock", Capability::Clocks),
        ("clocks", "system-clock", Capability::Clocks),
        ("clocks", "monotonic-clock", Capability::Clocks),
    ];

    const DENIALS: &'static [super::Denial] = &[super::Denial {
        code: "clock-wait",
        asked: "a wait on a clock (`wasi:clocks/monotonic-clock` `subscribe-*`, or `wait-*` at WASI 0.3)",
        grant: "clocks: allow",
        instead: "",
    }];

    one_key!(clocks, denied: ClockMode::Deny, grants: |c| *c != ClockMode::Deny);

    fn allowed(grant: &ClockMode) -> bool {
        *grant == ClockMode::Allow
    }

    fn settings(grant: &ClockMode, role: &Role, _: Routes, out: &mut Vec<Clock>) {
        if role.is(&GUARD) {
            out.push(match grant {
                ClockMode::Deterministic => Clock::Fixed(FIXED_TIME_NS),
                _ => Clock::Zero,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::families::guard::GUARD;
    use crate::testing::{route_of, wrapper_settings};
    use crate::{ClockMode, Grants, Route};

    #[test]
    fn a_deterministic_clock_is_the_guards_fixed_time() {
        let wall = "wasi:clocks/wall-clock@0.2.6";
        let g = Grants {
            clocks: ClockMode::Deterministic,
            ..Grants::default()
        };
        assert_eq!(route_of(&g, wall), Route::Wrapper(GUARD.p2()));
        let text = wrapper_settings(&g, wall, GUARD.p2());
        assert!(text.contains("clock=fixed:946684800000000000\n"), "{text}");
        let host = Grants {
            clocks: ClockMode::Allow,
            ..Grants::default()
        };
        assert_eq!(route_of(&host, wall), Route::Host);
    }
}
