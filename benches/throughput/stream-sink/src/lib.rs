//! Stage 3 (typed stream), a WASI 0.3 command: reads stage 2's stream to its end and
//! prints the count and the sum. Usage: stream-sink N [reading|sample]

wit_bindgen::generate!({ path: "../wit-stream", world: "summer" });

wasip3::cli::command::export!(Sink);

use wit_bindgen::{StreamReader, StreamResult};
use wit_stream::StreamPayload;
use witpipe::bench_stream::converted::{converted, converted_samples, Reading, Sample};

/// What stage 3 needs of a record shape.
trait Record: StreamPayload {
    fn celsius(&self) -> f64;
}

impl Record for Reading {
    fn celsius(&self) -> f64 {
        self.celsius
    }
}

impl Record for Sample {
    fn celsius(&self) -> f64 {
        self.celsius
    }
}

/// Reads `input` to its end: how many records, and the sum of their temperatures.
async fn sum<T: Record>(mut input: StreamReader<T>) -> (u64, f64) {
    let (mut count, mut total) = (0u64, 0f64);
    let mut buf = Vec::with_capacity(1000);
    loop {
        let (result, mut batch) = input.read(buf).await;
        count += batch.len() as u64;
        total += batch.iter().map(T::celsius).sum::<f64>();
        if matches!(result, StreamResult::Dropped) {
            return (count, total);
        }
        batch.clear();
        buf = batch;
    }
}

struct Sink;

impl wasip3::exports::cli::run::Guest for Sink {
    async fn run() -> Result<(), ()> {
        let args = wasip3::cli::environment::get_arguments();
        let n = args
            .get(1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(1_000_000);
        let (count, total) = match args.get(2).map(String::as_str) {
            None | Some("reading") => sum(converted(n).await).await,
            Some("sample") => sum(converted_samples(n).await).await,
            Some(_) => return Err(()),
        };
        let (mut tx, rx) = wasip3::wit_stream::new();
        let written = wasip3::cli::stdout::write_via_stream(rx);
        let unwritten = tx
            .write_all(format!("{count} {total:.1}\n").into_bytes())
            .await;
        drop(tx);
        match (written.await, unwritten.is_empty()) {
            (Ok(()), true) => Ok(()),
            _ => Err(()),
        }
    }
}
