//! Stage 1 (typed stream): writes `n` records into a stream, a batch of 1,000 per
//! write, as fast as stage 2 takes them: `reading`s (the sensor's name, a string) or
//! flat `sample`s (the sensor's number).

wit_bindgen::generate!({ path: "../wit-stream", world: "generator" });

use exports::witpipe::bench_stream::readings::{Guest, Reading, Sample};
use wit_bindgen::StreamReader;
use wit_stream::StreamPayload;

/// Records per write.
const BATCH: usize = 1000;

/// What stage 1 needs of a record shape: how to make the `id`th one.
trait Record: StreamPayload {
    fn make(id: u64, names: &[String]) -> Self;
}

impl Record for Reading {
    fn make(id: u64, names: &[String]) -> Self {
        Reading {
            id,
            sensor: names[(id % 16) as usize].clone(),
            celsius: celsius(id),
        }
    }
}

impl Record for Sample {
    fn make(id: u64, _: &[String]) -> Self {
        Sample {
            id,
            sensor: (id % 16) as u32,
            celsius: celsius(id),
        }
    }
}

fn celsius(id: u64) -> f64 {
    (id % 100) as f64 / 4.0
}

/// A stream of `n` records, written by a task that runs on after it is returned.
fn generate<T: Record>(n: u64) -> StreamReader<T> {
    let (mut tx, rx) = wit_stream::new::<T>();
    wit_bindgen::spawn_local(async move {
        let names: Vec<String> = (0..16).map(|i| format!("s{i}")).collect();
        let mut batch = Vec::with_capacity(BATCH);
        for id in 0..n {
            batch.push(T::make(id, &names));
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

struct Gen;

impl Guest for Gen {
    async fn readings(n: u64) -> StreamReader<Reading> {
        generate(n)
    }

    async fn samples(n: u64) -> StreamReader<Sample> {
        generate(n)
    }
}

export!(Gen);
