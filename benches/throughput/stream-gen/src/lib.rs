//! Stage 1 (typed stream): writes `n` readings into a `stream<reading>`, a batch of
//! 1,000 per write, as fast as stage 2 takes them.

wit_bindgen::generate!({ path: "../wit-stream", world: "generator" });

use exports::witpipe::bench_stream::readings::{Guest, Reading};
use wit_bindgen::StreamReader;

/// Readings per write.
const BATCH: usize = 1000;

struct Gen;

impl Guest for Gen {
    async fn readings(n: u64) -> StreamReader<Reading> {
        let (mut tx, rx) = wit_stream::new();
        // Runs on after `readings` has returned the stream.
        wit_bindgen::spawn_local(async move {
            let names: Vec<String> = (0..16).map(|i| format!("s{i}")).collect();
            let mut batch = Vec::with_capacity(BATCH);
            for id in 0..n {
                batch.push(Reading {
                    id,
                    sensor: names[(id % 16) as usize].clone(),
                    celsius: (id % 100) as f64 / 4.0,
                });
                if batch.len() == BATCH {
                    batch = tx.write_all(batch).await;
                    if !batch.is_empty() {
                        return; // the reader has gone
                    }
                }
            }
            tx.write_all(batch).await;
        });
        rx
    }
}

export!(Gen);
