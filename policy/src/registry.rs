//! The one place the capability families are assembled: one registration line per
//! family ([`crate::families`]) makes the aggregates — the grants block as written
//! ([`GrantsSpec`]) and in force ([`Grants`]), what a component asks of the host
//! ([`HostNeeds`]), what wrappers are told ([`Setting`]), every wrapper
//! ([`Wrapper::all`]) — and the dispatch from an import to the family that owns it.
//! The families never see these aggregates: each works on its own part.

use crate::capability::Capability;
use crate::error::PolicyError;
use crate::families;
use crate::families::{guard::GUARD, Denial, Family, Keys, Output, WrapperSetting};
use crate::route::{Routed, Routes};
use crate::span::{At, Span};
use crate::wrappers::{Role, Wrapper};
use serde::de::MapAccess;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The keys of a grants block that belong to no family.
const BLOCK_KEYS: [&str; 3] = ["imports", "deny", "inside"];

macro_rules! registry {
    ($($(#[$doc:meta])* $field:ident: $Variant:ident => $family:ty,)*) => {
        /// One grants block as written, with locations: each family's keys, then the
        /// block's own (`imports:`, `deny:`, `inside:`).
        #[derive(Debug, Clone, Default)]
        pub struct GrantsSpec {
            $($(#[$doc])* pub $field: <$family as Family>::Spec,)*
            /// `imports:` — non-WASI imports the host may serve.
            pub imports: Option<At<Vec<At<String>>>>,
            /// `deny:` — capabilities denied whatever else says (beats `defaults:`).
            pub deny: Option<At<Vec<At<String>>>>,
            /// `inside:` — capabilities the output serves itself instead of its host
            /// (`config`, `keyvalue`), so that no host needs to serve them.
            pub inside: Option<At<Vec<At<String>>>>,
        }

        /// The grants in force for one component: `defaults:` overlaid by its own
        /// block, with every `deny:` applied last. Nothing is granted unless a block
        /// says so.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct Grants {
            $($(#[$doc])* pub $field: <$family as Family>::Grant,)*
            /// Non-WASI imports the host may serve.
            pub imports: Vec<String>,
            /// Capabilities served inside the output (`inside:`), sorted.
            pub inside: Vec<String>,
        }

        /// What the host must provide, family by family: for one component (in its
        /// plan, host paths as granted) or for a whole output (in its contract).
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct HostNeeds {
            $($(#[$doc])* #[serde(flatten)] pub $field: <$family as Family>::Host,)*
        }

        /// One setting of a wrapper instance, as its family says it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Setting {
            $($(#[$doc])* $Variant(<$family as Family>::Setting),)*
        }

        impl Setting {
            /// The settings line (with its newline), see [`WrapperSetting::line`].
            pub fn line(&self) -> String {
                match self {
                    $(Setting::$Variant(s) => s.line(),)*
                }
            }
        }

        /// A capability family, by name: dispatches to its module.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Which {
            $($Variant,)*
        }

        /// Every family, in the order reports list them.
        pub(crate) const FAMILIES: &[Which] = &[$(Which::$Variant,)*];

        impl Which {
            /// Its grant keys (and `deny:` names).
            pub(crate) fn keys(self) -> &'static [&'static str] {
                match self {
                    $(Which::$Variant => <<$family as Family>::Spec as Keys>::KEYS,)*
                }
            }

            /// See [`Family::WRAPPED`].
            pub(crate) fn wrapped(self) -> bool {
                match self {
                    $(Which::$Variant => <$family as Family>::WRAPPED,)*
                }
            }

            /// See [`Family::SERVED_INSIDE`].
            fn served_inside(self) -> bool {
                match self {
                    $(Which::$Variant => <$family as Family>::SERVED_INSIDE,)*
                }
            }

            /// See [`Family::DENIALS`].
            fn denials(self) -> &'static [Denial] {
                match self {
                    $(Which::$Variant => <$family as Family>::DENIALS,)*
                }
            }

            /// See [`Family::ROLES`].
            fn roles(self) -> &'static [&'static Role] {
                match self {
                    $(Which::$Variant => <$family as Family>::ROLES,)*
                }
            }

            /// See [`Family::capability`].
            fn capability(self, package: &str, interface: &str) -> Option<Capability> {
                match self {
                    $(Which::$Variant => <$family as Family>::capability(package, interface),)*
                }
            }

            /// See [`Family::named`].
            pub(crate) fn named(self, own: &GrantsSpec) -> Vec<&'static str> {
                match self {
                    $(Which::$Variant => <$family as Family>::named(&own.$field),)*
                }
            }

            /// See [`Family::unused_is_error`].
            pub(crate) fn unused_is_error(self) -> Option<PolicyError> {
                match self {
                    $(Which::$Variant => <$family as Family>::unused_is_error(),)*
                }
            }

            /// See [`Family::route`].
            pub(crate) fn route(
                self,
                grants: &Grants,
                capability: Capability,
                import: &str,
            ) -> Result<Routed, PolicyError> {
                match self {
                    $(Which::$Variant => <$family as Family>::route(
                        &grants.$field,
                        grants.inside.iter().any(|i| self.keys().contains(&i.as_str())),
                        capability,
                        import,
                    ),)*
                }
            }
        }

        impl GrantsSpec {
            /// Reads `key`'s value from `map` into the family that owns the key
            /// (`false`: no family or block key is called so).
            pub(crate) fn read_key<'de, A: MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                $(if self.$field.read_key(key, map)? {
                    return Ok(true);
                })*
                let list = match key {
                    "imports" => &mut self.imports,
                    "deny" => &mut self.deny,
                    "inside" => &mut self.inside,
                    _ => return Ok(false),
                };
                *list = Some(map.next_value()?);
                Ok(true)
            }

            /// Where the block grants `key` (`env`, `fs`…), if it does.
            pub fn span_of(&self, key: &str) -> Option<Span> {
                $(if let Some(span) = self.$field.span_of(key) {
                    return Some(span);
                })*
                let list = match key {
                    "imports" => &self.imports,
                    "deny" => &self.deny,
                    "inside" => &self.inside,
                    _ => return None,
                };
                list.as_ref().map(|l| l.span)
            }

            /// Entries of every family's keys that break their grammar.
            pub(crate) fn family_problems(&self, out: &mut Vec<PolicyError>) {
                $(<$family as Family>::problems(&self.$field, out);)*
            }
        }

        impl Grants {
            /// Overlays every family's keys of `spec`.
            pub(crate) fn overlay_families(&mut self, spec: &GrantsSpec) {
                $(<$family as Family>::overlay(&mut self.$field, &spec.$field);)*
            }

            /// Takes back what `key` grants, in the family that owns it.
            pub(crate) fn deny_key(&mut self, key: &str) {
                $(if <<$family as Family>::Spec as Keys>::KEYS.contains(&key) {
                    <$family as Family>::deny(&mut self.$field, key);
                })*
            }
        }

        /// What every family tells a wrapper playing `role`.
        pub(crate) fn settings_of(grants: &Grants, role: &Role, routes: Routes) -> Vec<Setting> {
            let mut out = Vec::new();
            $(
                let mut own = Vec::new();
                <$family as Family>::settings(&grants.$field, role, routes, &mut own);
                out.extend(own.into_iter().map(Setting::$Variant));
            )*
            out
        }

        impl HostNeeds {
            /// What one component with `routes` under `grants` needs of the host.
            pub(crate) fn of(grants: &Grants, routes: Routes) -> HostNeeds {
                HostNeeds {
                    $($field: <$family as Family>::host_needs(&grants.$field, routes),)*
                }
            }

            /// What an output made of components that need `parts` needs; host paths
            /// are relative to `base_dir`.
            pub(crate) fn gather(parts: &[&HostNeeds], base_dir: &Path) -> HostNeeds {
                HostNeeds {
                    $($field: {
                        let own: Vec<_> = parts.iter().map(|p| &p.$field).collect();
                        <$family as Family>::gather(&own, base_dir)
                    },)*
                }
            }

            /// Every family's stock-`wasmtime` flags for `output`.
            pub(crate) fn wasmtime_flags(&self, output: &Output, out: &mut Vec<String>) {
                $(<$family as Family>::wasmtime_flags(&self.$field, output, out);)*
            }
        }
    };
}

registry! {
    /// Environment variables, arguments and the working directory.
    environment: Environment => families::env::Environment,
    /// The standard streams and terminals.
    stdio: Stdio => families::stdio::Stdio,
    /// Exiting with a status.
    exit: Exit => families::exit::Exit,
    /// Clocks.
    clocks: Clocks => families::clocks::Clocks,
    /// Randomness.
    random: Random => families::random::Random,
    /// Directories.
    fs: Fs => families::fs::Filesystem,
    /// Outgoing HTTP.
    http: Http => families::http::Http,
    /// Sockets and name lookup.
    sockets: Sockets => families::sockets::Sockets,
    /// The key-value store.
    keyvalue: KeyValue => families::keyvalue::KeyValue,
    /// Configuration values.
    config: Config => families::config::Config,
}

/// Every key a grants block may hold: the families' keys, then the block's own.
pub(crate) fn block_keys() -> &'static [&'static str] {
    static KEYS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let families = FAMILIES.iter().flat_map(|f| f.keys().iter().copied());
        families.chain(BLOCK_KEYS).collect()
    });
    &KEYS
}

/// The capabilities `inside:` can name: the keys of the families a wrapper can serve
/// inside the output.
pub(crate) fn inside_capabilities() -> impl Iterator<Item = &'static str> {
    let inside = FAMILIES.iter().filter(|f| f.served_inside());
    inside.flat_map(|f| f.keys().iter().copied())
}

/// The family that owns `wasi:{package}/{interface}`, with what the import is.
pub(crate) fn owner(package: &str, interface: &str) -> Option<(Which, Capability)> {
    let mut families = FAMILIES.iter();
    families.find_map(|f| Some((*f, f.capability(package, interface)?)))
}

/// What a denial code means (see [`Denial`]).
pub fn denial(code: &str) -> Option<&'static Denial> {
    let mut denials = FAMILIES.iter().flat_map(|f| f.denials());
    denials.find(|d| d.code == code)
}

/// The capability names `deny:` accepts: every family's keys.
pub fn capabilities() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().flat_map(|f| f.keys().iter().copied())
}

impl Wrapper {
    /// Every wrapper, in the order a component's instances are created: the guard,
    /// then each family's roles, each at every line it is built for.
    pub fn all() -> impl Iterator<Item = Wrapper> {
        let roles = FAMILIES.iter().flat_map(|f| f.roles().iter().copied());
        std::iter::once(&GUARD)
            .chain(roles)
            .flat_map(Role::wrappers)
    }
}

#[cfg(test)]
mod tests {
    use crate::settings_keys::DENIALS;
    use crate::wrappers::{Wrapper, WASI_SERVED};

    #[test]
    fn every_denial_the_guard_makes_is_explained_by_its_family() {
        for code in DENIALS {
            let d = super::denial(code).unwrap_or_else(|| panic!("`{code}` is not explained"));
            assert!(!d.asked.is_empty() && d.grant.contains(':'), "{d:?}");
        }
        let explained = super::FAMILIES.iter().flat_map(|f| f.denials()).count();
        assert_eq!(explained, DENIALS.len(), "a denial the guard never makes");
    }

    #[test]
    fn every_wasi_role_is_built_for_both_lines() {
        let guard = crate::families::guard::GUARD.p2();
        assert_eq!(
            guard.at_line("0.3.2"),
            Some(crate::families::guard::GUARD.p3())
        );
        let all: Vec<Wrapper> = Wrapper::all().collect();
        assert_eq!(all.len(), 21, "{all:?}");
        for w in all.iter().filter(|w| !w.own_package()) {
            for line in WASI_SERVED {
                let there = w.at_line(line).unwrap_or_else(|| panic!("{w:?} at {line}"));
                assert!(there.role().is(w.role()) && there.built_for() == line);
            }
        }
        let mut names: Vec<&str> = all.iter().map(|w| w.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "two wrappers share a name");
    }
}
