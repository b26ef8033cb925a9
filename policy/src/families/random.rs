//! Randomness (`wasi:random`): key `random:`. Not `allow`, the guard answers: asking
//! traps (`deny`), or a fixed-seed generator gives the same sequence every run
//! (`deterministic`).

use super::Family;
use crate::contract::Capability;
use crate::grants::Grants;
use crate::plan::Plan;
use crate::settings::{Randomness, Setting};
use crate::wrappers::Wrapper;
use serde::Deserialize;

/// Where random numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RandomMode {
    /// The host's generator.
    Allow,
    /// None: asking traps.
    Deny,
    /// A fixed-seed generator, the same sequence on every run.
    Deterministic,
}

/// The family of `wasi:random`.
pub(crate) struct Random;

impl Family for Random {
    one_key!("random", random, denied: RandomMode::Deny, grants: |r| *r != RandomMode::Deny);

    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)] {
        const RANDOM: Capability = Capability::Random;
        &[
            ("random", "random", RANDOM),
            ("random", "insecure", RANDOM),
            ("random", "insecure-seed", RANDOM),
        ]
    }

    fn denials(&self) -> &'static [super::Denial] {
        &[super::Denial {
            code: "random",
            asked: "random numbers (`wasi:random`)",
            grant: "random: allow",
            instead: "`random: deterministic` gives a fixed-seed sequence instead",
        }]
    }

    fn allowed(&self, grants: &Grants) -> bool {
        grants.random == RandomMode::Allow
    }

    fn settings(&self, grants: &Grants, wrapper: Wrapper, _: &Plan, out: &mut Vec<Setting>) {
        if wrapper == Wrapper::Guard {
            out.push(Setting::Random(match grants.random {
                RandomMode::Deterministic => Randomness::Seed(0),
                _ => Randomness::Deny,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{route_of, wrapper_settings};
    use crate::{Grants, RandomMode, Route, Wrapper};

    #[test]
    fn randomness_is_denied_seeded_or_the_hosts() {
        let random = "wasi:random/random@0.2.6";
        let text = wrapper_settings(&Grants::default(), random, Wrapper::Guard);
        assert!(text.ends_with("random=deny\n"), "{text}");
        let seeded = Grants {
            random: RandomMode::Deterministic,
            ..Grants::default()
        };
        let text = wrapper_settings(&seeded, random, Wrapper::Guard);
        assert!(text.ends_with("random=seed:0\n"), "{text}");
        let host = Grants {
            random: RandomMode::Allow,
            ..Grants::default()
        };
        assert_eq!(route_of(&host, random), Route::Host);
    }
}
