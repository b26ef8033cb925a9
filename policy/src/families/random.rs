//! Randomness (`wasi:random`): key `random:`. Not `allow`, the guard answers: asking
//! traps (`deny`), or a fixed-seed generator gives the same sequence every run
//! (`deterministic`).

use super::guard::GUARD;
use super::{Family, NoHost, WrapperSetting};
use crate::capability::Capability;
use crate::route::Routes;
use crate::settings_keys as keys;
use crate::wrappers::Role;
use serde::Deserialize;

/// Where random numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RandomMode {
    /// The host's generator.
    Allow,
    /// None: asking traps.
    #[default]
    Deny,
    /// A fixed-seed generator, the same sequence on every run.
    Deterministic,
}

grant_keys! {
    /// `random:` as written.
    RandomSpec {
        /// `random:`.
        random: RandomMode,
    }
}

/// Where random numbers come from when the host's are not granted: what the guard is
/// told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Randomness {
    /// Asking traps.
    Deny,
    /// A generator with this seed.
    Seed(u64),
}

impl WrapperSetting for Randomness {
    fn line(&self) -> String {
        match self {
            Randomness::Deny => keys::line(keys::RANDOM, &["deny"]),
            Randomness::Seed(seed) => keys::line(keys::RANDOM, &[&format!("seed:{seed}")]),
        }
    }
}

/// The family of `wasi:random`.
pub struct Random;

impl Family for Random {
    type Spec = RandomSpec;
    type Grant = RandomMode;
    type Host = NoHost;
    type Setting = Randomness;

    const INTERFACES: &'static [(&'static str, &'static str, Capability)] = &[
        ("random", "random", Capability::Random),
        ("random", "insecure", Capability::Random),
        ("random", "insecure-seed", Capability::Random),
    ];

    const DENIALS: &'static [super::Denial] = &[super::Denial {
        code: "random",
        asked: "random numbers (`wasi:random`)",
        grant: "random: allow",
        instead: "`random: deterministic` gives a fixed-seed sequence instead",
    }];

    one_key!(random, denied: RandomMode::Deny, grants: |r| *r != RandomMode::Deny);

    fn allowed(grant: &RandomMode) -> bool {
        *grant == RandomMode::Allow
    }

    fn settings(grant: &RandomMode, role: &Role, _: Routes, out: &mut Vec<Randomness>) {
        if role.is(&GUARD) {
            out.push(match grant {
                RandomMode::Deterministic => Randomness::Seed(0),
                _ => Randomness::Deny,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::families::guard::GUARD;
    use crate::testing::{route_of, wrapper_settings};
    use crate::{Grants, RandomMode, Route};

    #[test]
    fn randomness_is_denied_seeded_or_the_hosts() {
        let random = "wasi:random/random@0.2.6";
        let text = wrapper_settings(&Grants::default(), random, GUARD.p2());
        assert!(text.ends_with("random=deny\n"), "{text}");
        let seeded = Grants {
            random: RandomMode::Deterministic,
            ..Grants::default()
        };
        let text = wrapper_settings(&seeded, random, GUARD.p2());
        assert!(text.ends_with("random=seed:0\n"), "{text}");
        let host = Grants {
            random: RandomMode::Allow,
            ..Grants::default()
        };
        assert_eq!(route_of(&host, random), Route::Host);
    }
}
