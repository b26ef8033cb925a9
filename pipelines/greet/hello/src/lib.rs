//! A WASI 0.3 command (the `wasip3` crate): greets each of its arguments through the
//! imported `greet` (a WASI 0.2 component) and writes the greetings to stdout.

wit_bindgen::generate!({ path: "../../../wit/logs", world: "hello" });
#[path = "../../../common/print_p3.rs"]
mod print_p3;

wasip3::cli::command::export!(Hello);

use print_p3::print;
use wasip3::cli::environment;
use witpipe::logs::greet::greet;

struct Hello;

impl wasip3::exports::cli::run::Guest for Hello {
    async fn run() -> Result<(), ()> {
        let names: Vec<String> = environment::get_arguments().into_iter().skip(1).collect();
        let mut text = String::new();
        for name in if names.is_empty() {
            vec!["world".to_string()]
        } else {
            names
        } {
            text.push_str(&greet(&name));
            text.push('\n');
        }
        print(text).await
    }
}
