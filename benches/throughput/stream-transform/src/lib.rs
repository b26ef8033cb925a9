//! Stage 2 (typed stream): Celsius to Fahrenheit, every tenth reading dropped, from
//! stage 1's stream into its own, a read at a time (at most 1,000 readings held).

wit_bindgen::generate!({ path: "../wit-stream", world: "transformer" });

use exports::witpipe::bench_stream::converted::Guest;
use wit_bindgen::{StreamReader, StreamResult};
use witpipe::bench_stream::readings::{readings, Reading};

struct Transform;

impl Guest for Transform {
    async fn converted(n: u64) -> StreamReader<Reading> {
        let mut input = readings(n).await;
        let (mut tx, rx) = wit_stream::new();
        wit_bindgen::spawn_local(async move {
            let mut buf = Vec::with_capacity(1000);
            loop {
                let (result, mut batch) = input.read(buf).await;
                batch.retain(|r| r.id % 10 != 0);
                for r in &mut batch {
                    r.celsius = r.celsius * 1.8 + 32.0;
                }
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

export!(Transform);
