//! Stage 1 of the typed stream example: parses stdin's lines (`TIME LEVEL METHOD PATH
//! STATUS`) into `entry` records and streams them out as the text arrives. Lines that
//! do not parse are skipped; an unknown level reads as `info`.

wit_bindgen::generate!({ path: "../../../wit/logstream", world: "parser" });

#[path = "../../../common/stdio_p3.rs"]
mod stdio_p3;

use exports::witpipe::logstream::entries::{Entry, Guest, Level};
use stdio_p3::Input;
use wit_bindgen::StreamReader;

struct Parse;

/// One line as an entry, if it has the five fields.
fn entry(line: &str) -> Option<Entry> {
    let mut fields = line.split_ascii_whitespace().skip(1);
    let level = match fields.next()? {
        "DEBUG" => Level::Debug,
        "WARN" => Level::Warn,
        "ERROR" => Level::Error,
        _ => Level::Info,
    };
    let method = fields.next()?.to_string();
    let path = fields.next()?.to_string();
    let status = fields.next()?.parse().ok()?;
    Some(Entry {
        level,
        method,
        path,
        status,
    })
}

impl Guest for Parse {
    async fn entries() -> StreamReader<Entry> {
        let (mut tx, rx) = wit_stream::new();
        // Runs on after `entries` has returned the stream.
        wit_bindgen::spawn_local(async move {
            let mut input = Input::stdin();
            let (mut carry, mut buf) = (Vec::new(), Vec::new());
            while let Some(chunk) = input.next(buf).await {
                carry.extend_from_slice(&chunk);
                let cut = carry.iter().rposition(|b| *b == b'\n').map_or(0, |n| n + 1);
                let batch: Vec<Entry> = String::from_utf8_lossy(&carry[..cut])
                    .lines()
                    .filter_map(entry)
                    .collect();
                carry.drain(..cut);
                if !tx.write_all(batch).await.is_empty() {
                    return; // nobody reads any more
                }
                buf = chunk;
            }
            let last: Vec<Entry> = entry(&String::from_utf8_lossy(&carry))
                .into_iter()
                .collect();
            tx.write_all(last).await;
        });
        rx
    }
}

export!(Parse);
