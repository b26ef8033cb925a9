//! Stage 2 (typed stream): Celsius to Fahrenheit, every tenth record dropped, from
//! stage 1's stream into its own, a read at a time (at most 1,000 records held).

wit_bindgen::generate!({ path: "../wit-stream", world: "transformer" });

use exports::witpipe::bench_stream::converted::Guest;
use wit_bindgen::{StreamReader, StreamResult};
use wit_stream::StreamPayload;
use witpipe::bench_stream::readings::{readings, samples, Reading, Sample};

/// What stage 2 needs of a record shape.
trait Record: StreamPayload {
    fn id(&self) -> u64;
    fn celsius(&mut self) -> &mut f64;
}

impl Record for Reading {
    fn id(&self) -> u64 {
        self.id
    }
    fn celsius(&mut self) -> &mut f64 {
        &mut self.celsius
    }
}

impl Record for Sample {
    fn id(&self) -> u64 {
        self.id
    }
    fn celsius(&mut self) -> &mut f64 {
        &mut self.celsius
    }
}

/// Converts `input` into a new stream, by a task that runs on after it is returned.
fn convert<T: Record>(mut input: StreamReader<T>) -> StreamReader<T> {
    let (mut tx, rx) = wit_stream::new::<T>();
    wit_bindgen::spawn_local(async move {
        let mut buf = Vec::with_capacity(1000);
        loop {
            let (result, mut batch) = input.read(buf).await;
            batch.retain(|r| r.id() % 10 != 0);
            for r in &mut batch {
                let c = r.celsius();
                *c = *c * 1.8 + 32.0;
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

struct Transform;

impl Guest for Transform {
    async fn converted(n: u64) -> StreamReader<Reading> {
        convert(readings(n).await)
    }

    async fn converted_samples(n: u64) -> StreamReader<Sample> {
        convert(samples(n).await)
    }
}

export!(Transform);
