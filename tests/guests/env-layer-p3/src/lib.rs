//! The environment layer of the `layers:` tests at WASI 0.3, as `env-layer` is at 0.2:
//! it passes the environment on and adds `LAYER_CLOCK`, the seconds of its own system
//! clock (0 unless its own grants allow the host's).

wit_bindgen::generate!({ path: "../wit-p3-layer", world: "env-layer-p3", generate_all });

use exports::wasi::cli::environment::Guest;
use wasi::cli::environment;
use wasi::clocks::system_clock;

struct Layer;

impl Guest for Layer {
    fn get_environment() -> Vec<(String, String)> {
        let mut env = environment::get_environment();
        let clock = system_clock::now().seconds;
        env.push(("LAYER_CLOCK".into(), clock.to_string()));
        env
    }

    fn get_arguments() -> Vec<String> {
        environment::get_arguments()
    }

    fn get_initial_cwd() -> Option<String> {
        environment::get_initial_cwd()
    }
}

export!(Layer);
