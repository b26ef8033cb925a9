//! A command that feeds stdin's lines through the imported transform and prints them.

wit_bindgen::generate!({ path: "../../../wit", world: "liner" });

use std::io::BufRead;

fn main() {
    let lines: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .collect();
    for line in witpipe::text::transform::apply(&lines) {
        println!("{line}");
    }
}
