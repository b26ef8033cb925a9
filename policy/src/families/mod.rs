//! One module per capability family. A family owns its data and its behaviour: its
//! grant keys as written ([`Family::Spec`]) and as granted ([`Family::Grant`]), what it
//! asks of the host ([`Family::Host`]), what its wrappers are told
//! ([`Family::Setting`]), its wrapper roles at each WASI line ([`Family::ROLES`]), its
//! routing rule and its stock-`wasmtime` flags. Nothing here knows the aggregates built
//! from all families (`crate::registry`); a new family is a module here, its guest in
//! `wrappers/`, and one line in the registry.

use crate::capability::Capability;
use crate::error::PolicyError;
use crate::route::{Route, Routed, Routes};
use crate::span::Span;
use crate::wrappers::{Role, Wrapper};
use serde::de::{DeserializeOwned, MapAccess};
use serde::Serialize;
use std::fmt::Debug;
use std::path::Path;

/// A family's grant keys as written in one grants block, each with its location:
/// declared with `grant_keys!`, read key by key by the grants block's reader.
pub trait Keys: Debug + Clone + Default {
    /// The keys (and `deny:` names), in the order reports list them.
    const KEYS: &'static [&'static str];

    /// Reads the value of `key` from `map` if it is one of [`Keys::KEYS`] (`false` if
    /// it is not).
    fn read_key<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// Where the block grants `key`, if it does.
    fn span_of(&self, key: &str) -> Option<Span>;
}

/// Declares a family's [`Keys`]: a struct with one `Option<At<T>>` field per key.
macro_rules! grant_keys {
    ($(#[$meta:meta])* $name:ident { $($(#[$doc:meta])* $key:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default)]
        pub struct $name {
            $($(#[$doc])* pub $key: Option<$crate::span::At<$ty>>,)*
        }

        impl $crate::families::Keys for $name {
            const KEYS: &'static [&'static str] = &[$(stringify!($key)),*];

            fn read_key<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                match key {
                    $(stringify!($key) => self.$key = Some(map.next_value()?),)*
                    _ => return Ok(false),
                }
                Ok(true)
            }

            fn span_of(&self, key: &str) -> Option<$crate::span::Span> {
                match key {
                    $(stringify!($key) => self.$key.as_ref().map(|a| a.span),)*
                    _ => None,
                }
            }
        }
    };
}

/// The methods of a family with one grant key whose value is its grant:
/// `one_key!(KEY, denied: VALUE, grants: |value| ...)`: `deny:` leaves `VALUE`, and a
/// block's value that `grants` says grants something counts as named.
macro_rules! one_key {
    ($key:ident, denied: $denied:expr, grants: $grants:expr) => {
        fn overlay(grant: &mut Self::Grant, spec: &Self::Spec) {
            if let Some(v) = &spec.$key {
                *grant = v.value.clone();
            }
        }

        fn deny(grant: &mut Self::Grant, _: &str) {
            *grant = $denied;
        }

        fn named(own: &Self::Spec) -> Vec<&'static str> {
            let grants: fn(&_) -> bool = $grants;
            let named = own.$key.as_ref().filter(|v| grants(&v.value));
            named.map(|_| stringify!($key)).into_iter().collect()
        }
    };
}

/// One setting of a wrapper instance, as its family says it.
pub trait WrapperSetting: Debug + Clone + PartialEq + Eq {
    /// The settings line (with its newline): a key of `crate::settings_keys` and its
    /// fields, each escaped (`settings_keys::line`), so that a value cannot end its
    /// line or start another.
    fn line(&self) -> String;
}

/// The setting of a family whose wrappers are told nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoSetting {}

impl WrapperSetting for NoSetting {
    fn line(&self) -> String {
        match *self {}
    }
}

/// Allowed or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// The host serves it.
    Allow,
    /// Nothing is served.
    #[default]
    Deny,
}

/// What a family asks of the host when it asks nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NoHost {}

/// What the stock-`wasmtime` flags of a family may ask of the output beyond its part of
/// the contract.
#[derive(Debug, Clone, Copy)]
pub struct Output<'a> {
    /// What each of its imports is.
    pub imports: &'a [Capability],
    /// Whether it exports an HTTP handler (`wasmtime serve` runs it).
    pub serves_http: bool,
}

impl Output<'_> {
    /// Whether it imports a `capability`.
    pub fn has(&self, capability: Capability) -> bool {
        self.imports.contains(&capability)
    }
}

/// A capability family: everything witpipe knows about one kind of authority.
pub trait Family {
    /// Its keys as written in a grants block.
    type Spec: Keys;
    /// What a component is granted of it (`defaults:` overlaid by its own block).
    type Grant: Debug + Clone + PartialEq + Eq + Default;
    /// What it asks of the host, for one component and (gathered) for the output: its
    /// part of the host contract.
    type Host: Debug + Clone + PartialEq + Eq + Default + Serialize + DeserializeOwned;
    /// What it tells its wrappers.
    type Setting: WrapperSetting;

    /// The interfaces it owns: `(package, interface, what it is)`; an interface ending
    /// in `*` is a prefix (`terminal-*`), `*` alone any other interface of the package.
    const INTERFACES: &'static [(&'static str, &'static str, Capability)];

    /// Whether its imports are answered by wrappers built for one WASI line (so the
    /// import's version is checked) rather than only by the host or by wrappers of
    /// a proposal of their own.
    const WRAPPED: bool = true;

    /// Whether `inside:` may name it: a wrapper of its own serves it inside the output
    /// (the host then serves nothing of it).
    const SERVED_INSIDE: bool = false;

    /// What the guard refuses for this family by stopping the component.
    const DENIALS: &'static [Denial] = &[];

    /// The wrapper roles it routes imports to (the guard, shared by the command-line
    /// families, is [`guard::GUARD`]).
    const ROLES: &'static [&'static Role] = &[];

    /// What an import of `wasi:{package}/{interface}` is, if this family owns it.
    fn capability(package: &str, interface: &str) -> Option<Capability> {
        let matches = |pattern: &str| match pattern.strip_suffix('*') {
            Some(prefix) => interface.starts_with(prefix),
            None => pattern == interface,
        };
        let mut owned = Self::INTERFACES.iter().filter(|(p, _, _)| *p == package);
        owned.find(|(_, i, _)| matches(i)).map(|(_, _, c)| *c)
    }

    /// Overlays the keys of `spec` on `grant`.
    fn overlay(grant: &mut Self::Grant, spec: &Self::Spec);

    /// Takes back what `key` (one of its keys) grants.
    fn deny(grant: &mut Self::Grant, key: &str);

    /// Entries of its keys in `spec` that break their grammar.
    fn problems(_spec: &Self::Spec, _out: &mut Vec<PolicyError>) {}

    /// The keys a component's own block names with something granted (an unused one
    /// is warned about).
    fn named(own: &Self::Spec) -> Vec<&'static str>;

    /// An unused grant of this family that is an error, not a warning.
    fn unused_is_error() -> Option<PolicyError> {
        None
    }

    /// Whether `grant` lets the host serve this family (for [`Family::route`]'s default).
    fn allowed(_grant: &Self::Grant) -> bool {
        false
    }

    /// Who serves `import` (a `wasi:{package}/{interface}` this family owns, a
    /// `capability`) under `grant`; `inside` says whether `inside:` names the family
    /// (see [`Family::SERVED_INSIDE`]). By default:
    /// the host when [`Family::allowed`], else the guard, which answers with the
    /// family's settings.
    fn route(
        grant: &Self::Grant,
        _inside: bool,
        _capability: Capability,
        _import: &str,
    ) -> Result<Routed, PolicyError> {
        let route = host_if(Self::allowed(grant), guard::GUARD.p2());
        Ok(Routed::new(route, Self::Spec::KEYS))
    }

    /// What this family tells a wrapper playing `role`, once a component's routes are
    /// known.
    fn settings(
        _grant: &Self::Grant,
        _role: &Role,
        _routes: Routes,
        _out: &mut Vec<Self::Setting>,
    ) {
    }

    /// What the host must provide for one component with these routes.
    fn host_needs(_grant: &Self::Grant, _routes: Routes) -> Self::Host {
        Self::Host::default()
    }

    /// What the host must provide for an output made of components that need `parts`;
    /// host paths are relative to `base_dir`.
    fn gather(_parts: &[&Self::Host], _base_dir: &Path) -> Self::Host {
        Self::Host::default()
    }

    /// The stock `wasmtime` options that grant `output` its part `host` of the
    /// contract (the wrappers inside enforce the rest).
    fn wasmtime_flags(_host: &Self::Host, _output: &Output, _out: &mut Vec<String>) {}
}

/// Something the guard refuses by stopping the component, said for the user who meets
/// it at run time.
#[derive(Debug, PartialEq, Eq)]
pub struct Denial {
    /// Its code, one of `crate::settings_keys::DENIALS`.
    pub code: &'static str,
    /// What the component asked for (`random numbers (wasi:random)`).
    pub asked: &'static str,
    /// The grant that allows it, as written under the instance (`random: allow`).
    pub grant: &'static str,
    /// Another grant that would do, said as a sentence (may be empty).
    pub instead: &'static str,
}

/// The values of a list key, without their locations.
pub(crate) fn values<T: Clone>(list: &crate::span::At<Vec<crate::span::At<T>>>) -> Vec<T> {
    list.value.iter().map(|v| v.value.clone()).collect()
}

/// The entries of a list key that `parse` reads (one it refuses is reported by the
/// family's `problems`, and a block with one is refused, so leaving it out grants
/// nothing).
pub(crate) fn parsed<'a, T>(
    list: impl IntoIterator<Item = &'a crate::span::At<String>>,
    parse: fn(&str) -> Result<T, String>,
) -> Vec<T> {
    list.into_iter()
        .filter_map(|e| parse(&e.value).ok())
        .collect()
}

/// Each entry of a list key that `check` refuses, as the error `refused` makes of it.
pub(crate) fn refused<'a, T: 'a>(
    list: impl IntoIterator<Item = &'a crate::span::At<T>>,
    check: impl Fn(&T) -> Result<(), String>,
    refused: impl Fn(&T, String, crate::span::Span) -> PolicyError,
    out: &mut Vec<PolicyError>,
) {
    for entry in list {
        if let Err(why) = check(&entry.value) {
            out.push(refused(&entry.value, why, entry.span));
        }
    }
}

/// Why `path` cannot be a path of `what` that a settings line, a host and a printed
/// command can all carry, if it cannot: a control character means nothing in a path.
pub(crate) fn bad_path(
    what: &'static str,
    path: &str,
    span: crate::span::Span,
) -> Option<PolicyError> {
    let why = if path.is_empty() {
        "it is empty"
    } else if path.chars().any(char::is_control) {
        "it holds a control character"
    } else {
        return None;
    };
    Some(PolicyError::BadPath {
        what,
        path: path.escape_debug().to_string(),
        why,
        span,
    })
}

/// `text` quoted for a POSIX shell when it needs to be.
pub(crate) fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// `Route::Host` if `allowed`, else `otherwise`.
pub(crate) fn host_if(allowed: bool, otherwise: Wrapper) -> Route {
    if allowed {
        Route::Host
    } else {
        Route::Wrapper(otherwise)
    }
}

// After the macros above, which the family modules use.
pub mod clocks;
pub mod config;
pub mod env;
pub mod exit;
pub mod fs;
pub mod guard;
pub mod http;
pub mod keyvalue;
pub mod random;
pub mod sockets;
pub mod stdio;
