//! The probe for a WASI 0.2.3 importer: no Rust std WASI, only these bindings.

wit_bindgen::generate!({ path: "../wit-legacy", world: "probe-legacy", generate_all });

use wasi::cli::environment;

struct Probe;

impl Guest for Probe {
    fn run(mode: String) -> String {
        match mode.as_str() {
            "env" => {
                let mut vars: Vec<String> = environment::get_environment()
                    .into_iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                vars.sort();
                vars.join(";")
            }
            "secret" => environment::get_environment()
                .into_iter()
                .find(|(k, _)| k == "SECRET")
                .map_or_else(|| "none".into(), |(_, v)| v),
            "args" => environment::get_arguments().join(" "),
            "cwd" => environment::initial_cwd().unwrap_or_else(|| "none".into()),
            "random" => wasi::random::random::get_random_bytes(8)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            other => format!("unknown mode {other}"),
        }
    }
}

export!(Probe);
