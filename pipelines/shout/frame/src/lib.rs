//! A reusable middle stage: passes the lines to the next stage, then frames each
//! result in brackets. Two instances of this one component nest: `[[...]]`.

wit_bindgen::generate!({ path: "../../../wit", world: "decorator" });

struct Frame;

impl exports::witpipe::text::transform::Guest for Frame {
    fn apply(lines: Vec<String>) -> Vec<String> {
        witpipe::text::transform::apply(&lines)
            .into_iter()
            .map(|l| format!("[{l}]"))
            .collect()
    }
}

export!(Frame);
