//! A layer on the environment edge, for the `layers:` tests: it passes the environment
//! of the component it stands in front of on, and adds what the layer itself can see,
//! `LAYER_CLOCK` (the seconds of its own wall clock: 0 unless its own grants allow the
//! host's). So a probe behind it shows both that its calls went through the layer and
//! what the layer was able to reach.

wit_bindgen::generate!({ path: "../wit", world: "env-layer", generate_all });

use exports::wasi::cli::environment::Guest;
use wasi::cli::environment;
use wasi::clocks::wall_clock;

struct Layer;

impl Guest for Layer {
    fn get_environment() -> Vec<(String, String)> {
        let mut env = environment::get_environment();
        let clock = wall_clock::now().seconds;
        env.push(("LAYER_CLOCK".into(), clock.to_string()));
        env
    }

    fn get_arguments() -> Vec<String> {
        environment::get_arguments()
    }

    fn initial_cwd() -> Option<String> {
        environment::initial_cwd()
    }
}

export!(Layer);
