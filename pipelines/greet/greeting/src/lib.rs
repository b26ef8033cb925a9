//! A WASI 0.2 stage: greets with the `GREETING` of its environment (Rust std, so it
//! imports `wasi:cli/environment@0.2`).

wit_bindgen::generate!({ path: "../../../wit/logs", world: "greeter" });

struct Greeter;

impl exports::witpipe::logs::greet::Guest for Greeter {
    fn greet(name: String) -> String {
        let greeting = std::env::var("GREETING").unwrap_or_else(|_| "Hello".into());
        format!("{greeting}, {name}!")
    }
}

export!(Greeter);
