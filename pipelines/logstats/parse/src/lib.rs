//! Parses log lines into typed entries: a stream in, a stream out, written as the
//! lines arrive.

wit_bindgen::generate!({ path: "../../../wit/logs", world: "parser" });

use exports::witpipe::logs::parse::{Entry, Guest, Level};
use wit_bindgen::StreamReader;

struct Parser;

/// `LEVEL message`; an unknown level reads as `info`, the whole line its message.
fn entry(line: &str) -> Entry {
    let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
    let level = match first.to_ascii_uppercase().as_str() {
        "DEBUG" => Some(Level::Debug),
        "INFO" => Some(Level::Info),
        "WARN" | "WARNING" => Some(Level::Warn),
        "ERROR" => Some(Level::Error),
        _ => None,
    };
    match level {
        Some(level) => Entry {
            level,
            message: rest.trim().to_string(),
        },
        None => Entry {
            level: Level::Info,
            message: line.trim().to_string(),
        },
    }
}

impl Guest for Parser {
    async fn parse(mut lines: StreamReader<String>) -> StreamReader<Entry> {
        let (mut tx, rx) = wit_stream::new();
        // Runs on after `parse` has returned its stream, until the input ends or the
        // reader goes away.
        wit_bindgen::spawn_local(async move {
            while let Some(line) = lines.next().await {
                if line.trim().is_empty() {
                    continue;
                }
                if tx.write_one(entry(&line)).await.is_some() {
                    break; // the reader is gone
                }
            }
        });
        rx
    }
}

export!(Parser);
