//! An environment built from chosen host values and fixed ones.
//!
//! Settings: `allow-env=NAME` passes a host variable through (when the host has it;
//! `allow-env=*` passes all),
//! `env=NAME=VALUE` sets one (and beats the host's), `args=inherit` passes the host's
//! arguments (else `arg=VALUE` lines), `cwd=inherit` the host's working directory
//! (else `cwd=PATH`). Nothing else of the host's environment is visible.

#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/env-filter",
    generate_all,
});

use settings::{keys, Settings};
use wasi::cli::environment as host;

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
    fn initial_cwd() -> Option<String> {
        SETTINGS.with(|s| match s.get(keys::CWD) {
            Some("inherit") => host::initial_cwd(),
            other => other.map(str::to_string),
        })
    }
}

export!(EnvFilter);
