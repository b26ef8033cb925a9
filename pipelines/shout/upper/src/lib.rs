//! The innermost stage: upper-cases every line.

wit_bindgen::generate!({ path: "../../../wit", world: "transformer" });

struct Upper;

impl exports::witpipe::text::transform::Guest for Upper {
    fn apply(lines: Vec<String>) -> Vec<String> {
        lines.into_iter().map(|l| l.to_uppercase()).collect()
    }
}

export!(Upper);
