//! Stage 2 of the typed stream example: passes on the entries at or above the level
//! named by its argument (`debug`, `info`, `warn` or `error`; `warn` when none).

wit_bindgen::generate!({ path: "../../../wit/logstream", world: "filter" });

use exports::witpipe::logstream::filtered::Guest;
use wit_bindgen::{StreamReader, StreamResult};
use witpipe::logstream::entries::{entries, Entry, Level};

struct Filter;

/// A level's rank, for "at or above".
fn rank(level: Level) -> u8 {
    match level {
        Level::Debug => 0,
        Level::Info => 1,
        Level::Warn => 2,
        Level::Error => 3,
    }
}

impl Guest for Filter {
    async fn filtered() -> StreamReader<Entry> {
        let least = match wasip3::cli::environment::get_arguments()
            .get(1)
            .map(String::as_str)
        {
            Some("debug") => Level::Debug,
            Some("info") => Level::Info,
            Some("error") => Level::Error,
            _ => Level::Warn,
        };
        let mut input = entries().await;
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            let mut buf = Vec::with_capacity(1000);
            loop {
                let (result, mut batch) = input.read(buf).await;
                batch.retain(|e| rank(e.level) >= rank(least));
                let mut rest = tx.write_all(batch).await;
                if !rest.is_empty() || matches!(result, StreamResult::Dropped) {
                    return;
                }
                rest.clear();
                buf = rest;
            }
        });
        rx
    }
}

export!(Filter);
