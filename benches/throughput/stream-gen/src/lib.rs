//! Stage 1 (typed stream): writes `n` records into a stream, a batch of 1,000 per
//! write, as fast as stage 2 takes them: `reading`s (the sensor's name, a string) or
//! flat `sample`s (the sensor's number).

wit_bindgen::generate!({ path: "../wit-stream", world: "generator" });

use exports::witpipe::bench_stream::readings::{Guest, Reading, Sample};
use wit_bindgen::StreamReader;
use wit_stream::StreamPayload;

/// Records per write.
const BATCH: usize = 1000;

#[path = "../../records.rs"]
mod records;

records::impl_make!(Reading, Sample);

/// What stage 1 needs of a record shape: how to make the `id`th one.
trait Record: StreamPayload + records::Make {}
impl<T: StreamPayload + records::Make> Record for T {}

/// A stream of `n` records, written by a task that runs on after it is returned.
fn generate<T: Record>(n: u64) -> StreamReader<T> {
    let (mut tx, rx) = wit_stream::new::<T>();
    wit_bindgen::spawn_local(async move {
        let names = records::names();
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
