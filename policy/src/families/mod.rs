//! One module per capability family: its grant grammar, its routing rule, its
//! wrappers' settings, what it adds to the host contract and its stock-`wasmtime`
//! flags. A new family (or a second WASI version of one) is a new module here plus
//! one line in `ALL`.

use crate::contract::{Capability, HostContract};
use crate::grants::{Grants, GrantsSpec};
use crate::plan::{Plan, Route};
use crate::settings::Setting;
use crate::wrappers::Wrapper;
use crate::PolicyError;

/// The methods of a family with one grant key that sets one field of [`Grants`]:
/// `one_key!(KEY, FIELD, denied: VALUE, grants: |value| ...)`: `deny:` leaves
/// `VALUE`, and a block's value that `grants` says grants something counts as named.
macro_rules! one_key {
    ($key:literal, $field:ident, denied: $denied:expr, grants: $grants:expr) => {
        fn keys(&self) -> &'static [&'static str] {
            &[$key]
        }

        fn overlay(&self, grants: &mut crate::Grants, spec: &crate::GrantsSpec) {
            if let Some(v) = &spec.$field {
                grants.$field = v.value.clone();
            }
        }

        fn deny(&self, grants: &mut crate::Grants, _: &str) {
            grants.$field = $denied;
        }

        fn named(&self, own: &crate::GrantsSpec) -> Vec<&'static str> {
            let grants: fn(&_) -> bool = $grants;
            let named = own.$field.as_ref().filter(|v| grants(&v.value));
            named.map(|_| $key).into_iter().collect()
        }
    };
}

/// The values of a list key, without their locations.
pub(crate) fn values<T: Clone>(list: &crate::At<Vec<crate::At<T>>>) -> Vec<T> {
    list.value.iter().map(|v| v.value.clone()).collect()
}

/// The entries of a list key that `parse` reads (one it refuses is reported by the
/// family's `problems`, and a block with one is refused, so leaving it out grants
/// nothing).
pub(crate) fn parsed<'a, T>(
    list: impl IntoIterator<Item = &'a crate::At<String>>,
    parse: fn(&str) -> Result<T, String>,
) -> Vec<T> {
    list.into_iter()
        .filter_map(|e| parse(&e.value).ok())
        .collect()
}

/// Each entry of a list key that `check` refuses, as the error `refused` makes of it.
pub(crate) fn refused<'a, T: 'a>(
    list: impl IntoIterator<Item = &'a crate::At<T>>,
    check: impl Fn(&T) -> Result<(), String>,
    refused: impl Fn(&T, String, crate::Span) -> PolicyError,
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
pub(crate) fn bad_path(what: &'static str, path: &str, span: crate::Span) -> Option<PolicyError> {
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

pub mod clocks;
pub mod config;
pub mod env;
pub mod exit;
pub mod fs;
pub mod http;
pub mod keyvalue;
pub mod random;
pub mod sockets;
pub mod stdio;

/// Every family, in the order reports list them.
pub(crate) static ALL: &[&dyn Family] = &[
    &env::Environment,
    &stdio::Stdio,
    &exit::Exit,
    &clocks::Clocks,
    &random::Random,
    &fs::Filesystem,
    &http::Http,
    &sockets::Sockets,
    &keyvalue::KeyValue,
    &config::Config,
];

/// Who serves one import of a family, and the grant keys that import puts to use.
pub(crate) struct Routed {
    /// Who serves it.
    pub route: Route,
    /// The grant keys it uses (a grant of another key of the family stays unused).
    pub uses: &'static [&'static str],
}

impl Routed {
    pub(crate) fn new(route: Route, uses: &'static [&'static str]) -> Self {
        Routed { route, uses }
    }
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

/// What a denial code means (see [`Denial`]).
pub fn denial(code: &str) -> Option<&'static Denial> {
    ALL.iter()
        .flat_map(|f| f.denials())
        .find(|d| d.code == code)
}

/// A capability family: everything witpipe knows about one kind of authority.
pub(crate) trait Family: Sync {
    /// The grant keys (and `deny:` names) of this family.
    fn keys(&self) -> &'static [&'static str];

    /// The interfaces it owns: `(package, interface, what it is)`; an interface ending
    /// in `*` is a prefix (`terminal-*`), `*` alone any other interface of the package.
    fn interfaces(&self) -> &'static [(&'static str, &'static str, Capability)];

    /// What an import of `wasi:{package}/{interface}` is, if this family owns it.
    fn capability(&self, package: &str, interface: &str) -> Option<Capability> {
        let matches = |pattern: &str| match pattern.strip_suffix('*') {
            Some(prefix) => interface.starts_with(prefix),
            None => pattern == interface,
        };
        let mut owned = self.interfaces().iter().filter(|(p, _, _)| *p == package);
        owned.find(|(_, i, _)| matches(i)).map(|(_, _, c)| *c)
    }

    /// Whether its imports are answered by wrappers (built for one WASI version, so the
    /// import's version is checked) rather than only by the host.
    fn wrapped(&self) -> bool {
        true
    }

    /// What the guard refuses for this family by stopping the component.
    fn denials(&self) -> &'static [Denial] {
        &[]
    }

    /// Overlays this family's keys of `spec` on `grants`.
    fn overlay(&self, grants: &mut Grants, spec: &GrantsSpec);

    /// Takes back what `key` (one of [`Family::keys`]) grants.
    fn deny(&self, grants: &mut Grants, key: &str);

    /// Entries of this family's keys in `spec` that break their grammar.
    fn problems(&self, _spec: &GrantsSpec, _out: &mut Vec<PolicyError>) {}

    /// The keys a component's own block names with something granted (an unused one
    /// is warned about).
    fn named(&self, own: &GrantsSpec) -> Vec<&'static str>;

    /// An unused grant of this family that is an error, not a warning.
    fn unused_is_error(&self) -> Option<PolicyError> {
        None
    }

    /// Whether `grants` let the host serve this family (for [`Family::route`]'s default).
    fn allowed(&self, _grants: &Grants) -> bool {
        false
    }

    /// Who serves `import` (a `wasi:{package}/{interface}` this family owns) under
    /// `grants`. By default: the host when [`Family::allowed`], else the guard, which
    /// answers with the family's settings.
    fn route(&self, grants: &Grants, _: Capability, _: &str) -> Result<Routed, PolicyError> {
        let route = host_if(self.allowed(grants), Wrapper::Guard);
        Ok(Routed::new(route, self.keys()))
    }

    /// What this family tells `wrapper`, once a component's routes are known.
    fn settings(&self, _grants: &Grants, _wrapper: Wrapper, _plan: &Plan, _out: &mut Vec<Setting>) {
    }

    /// What the host must provide for one planned component (environment variables,
    /// directories, stores, values), recorded in its plan.
    fn host_needs(&self, _grants: &Grants, _plan: &mut Plan) {}

    /// The stock `wasmtime` options that grant the output this family's part of
    /// `contract` (the wrappers inside enforce the rest).
    fn wasmtime_flags(&self, _contract: &HostContract, _out: &mut Vec<String>) {}
}

/// The family that owns `wasi:{package}/{interface}`, with what the import is.
pub(crate) fn owner(package: &str, interface: &str) -> Option<(&'static dyn Family, Capability)> {
    ALL.iter()
        .find_map(|f| Some((*f, f.capability(package, interface)?)))
}

/// `guard` unless `access` allows the host.
pub(crate) fn host_if(allowed: bool, otherwise: Wrapper) -> Route {
    if allowed {
        Route::Host
    } else {
        Route::Wrapper(otherwise)
    }
}

#[cfg(test)]
mod denial_tests {
    use crate::settings_keys::DENIALS;

    #[test]
    fn every_denial_the_guard_makes_is_explained_by_its_family() {
        for code in DENIALS {
            let d = super::denial(code).unwrap_or_else(|| panic!("`{code}` is not explained"));
            assert!(!d.asked.is_empty() && d.grant.contains(':'), "{d:?}");
        }
        let explained = super::ALL.iter().flat_map(|f| f.denials()).count();
        assert_eq!(explained, DENIALS.len(), "a denial the guard never makes");
    }
}
