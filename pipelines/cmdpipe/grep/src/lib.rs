//! `grep PATTERN`: writes the lines of stdin that contain PATTERN (plain text, not a
//! regular expression), as a WASI 0.3 command. Exits with an error when no pattern
//! is given. Stops quietly when its reader goes away (as after `head`).

wasip3::cli::command::export!(Grep);

#[path = "../../../common/stdio_p3.rs"]
mod stdio_p3;

use memchr::memmem::Finder;
use stdio_p3::{Input, Output};

struct Grep;

/// Appends to `out` every whole line of `text` that contains the pattern.
fn matching(text: &[u8], finder: &Finder, out: &mut Vec<u8>) {
    let mut from = 0;
    while let Some(at) = finder.find(&text[from..]) {
        let at = from + at;
        let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |n| n + 1);
        let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |n| at + n + 1);
        out.extend_from_slice(&text[start..end]);
        from = end;
        if from >= text.len() {
            break;
        }
    }
}

impl wasip3::exports::cli::run::Guest for Grep {
    async fn run() -> Result<(), ()> {
        let args = wasip3::cli::environment::get_arguments();
        let Some(pattern) = args.get(1).filter(|p| !p.is_empty()) else {
            return Err(());
        };
        let finder = Finder::new(pattern.as_bytes()).into_owned();
        let (mut input, mut output) = (Input::stdin(), Output::stdout());
        // The part of the last chunk after its last newline: the start of a line.
        let mut carry: Vec<u8> = Vec::new();
        let mut buf = Vec::new();
        while let Some(chunk) = input.next(buf).await {
            let cut = memchr::memrchr(b'\n', &chunk).map_or(0, |n| n + 1);
            let mut out = Vec::new();
            if carry.is_empty() {
                matching(&chunk[..cut], &finder, &mut out);
            } else {
                carry.extend_from_slice(&chunk[..cut]);
                matching(&carry, &finder, &mut out);
                carry.clear();
            }
            carry.extend_from_slice(&chunk[cut..]);
            if output.write(out).await.is_err() {
                return input.finish().await;
            }
            buf = chunk;
        }
        let mut out = Vec::new();
        matching(&carry, &finder, &mut out);
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        let _ = output.write(out).await;
        input.finish().await.and(output.finish().await)
    }
}
