//! An environment built from chosen host values and fixed ones.
//!
//! Settings: `allow-env=NAME` passes a host variable through (when the host has it;
//! `allow-env=*` passes all),
//! `env=NAME=VALUE` sets one (and beats the host's), `args=inherit` passes the host's
//! arguments (else `arg=VALUE` lines), `cwd=inherit` the host's working directory
//! (else `cwd=PATH`). Nothing else of the host's environment is visible.

#[path = "../../settings.rs"]
mod settings;

// One source for both WASI lines: the `p3` feature (package `env-filter-p3`) builds
// the WASI 0.3 wrapper.
#[cfg(not(feature = "p3"))]
wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/env-filter",
    generate_all,
});
#[cfg(feature = "p3")]
wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/env-filter",
    generate_all,
});

use settings::{keys, Settings};
use wasi::cli::environment as host;
#[cfg(feature = "p3")]
use wasi::cli::environment::get_initial_cwd as host_cwd;
#[cfg(not(feature = "p3"))]
use wasi::cli::environment::initial_cwd as host_cwd;

thread_local! {
    static SETTINGS: Settings = Settings::parse(&witpipe::policy::settings::get());
    /// The filtered environment, built on the first call: a WASI instance's environment
    /// does not change, so later calls cost one copy instead of a host call and a filter.
    static ENVIRONMENT: std::cell::OnceCell<Vec<(String, String)>> = const { std::cell::OnceCell::new() };
}

/// The host's allowed variables, then the fixed ones (which beat the host's).
fn filtered() -> Vec<(String, String)> {
    SETTINGS.with(|s| {
        let fixed = s.fixed_env();
        let allowed: Vec<&str> = s.all(keys::ALLOW_ENV).collect();
        let mut out: Vec<(String, String)> = host::get_environment()
            .into_iter()
            .filter(|(k, _)| allowed.contains(&"*") || allowed.contains(&k.as_str()))
            .filter(|(k, _)| !fixed.iter().any(|(f, _)| f == k))
            .collect();
        out.extend(fixed);
        out
    })
}

struct EnvFilter;

impl exports::wasi::cli::environment::Guest for EnvFilter {
    fn get_environment() -> Vec<(String, String)> {
        ENVIRONMENT.with(|env| env.get_or_init(filtered).clone())
    }
    fn get_arguments() -> Vec<String> {
        SETTINGS.with(|s| match s.get(keys::ARGS) {
            Some("inherit") => host::get_arguments(),
            _ => s.fixed_args(),
        })
    }
    #[cfg(not(feature = "p3"))]
    fn initial_cwd() -> Option<String> {
        cwd()
    }
    #[cfg(feature = "p3")]
    fn get_initial_cwd() -> Option<String> {
        cwd()
    }
}

/// The host's working directory (`cwd=inherit`) or the fixed one.
fn cwd() -> Option<String> {
    SETTINGS.with(|s| match s.get(keys::CWD) {
        Some("inherit") => host_cwd(),
        other => other.map(str::to_string),
    })
}

export!(EnvFilter);
