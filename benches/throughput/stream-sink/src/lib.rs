//! Stage 3 (typed stream), a WASI 0.3 command: reads stage 2's stream to its end and
//! prints the count and the sum. Usage: stream-sink N

wit_bindgen::generate!({ path: "../wit-stream", world: "summer" });

wasip3::cli::command::export!(Sink);

use witpipe::bench_stream::converted::converted;

struct Sink;

impl wasip3::exports::cli::run::Guest for Sink {
    async fn run() -> Result<(), ()> {
        let n = wasip3::cli::environment::get_arguments()
            .get(1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(1_000_000);
        let mut input = converted(n).await;
        let (mut count, mut total) = (0u64, 0f64);
        let mut buf = Vec::with_capacity(1000);
        loop {
            let (result, mut batch) = input.read(buf).await;
            count += batch.len() as u64;
            total += batch.iter().map(|r| r.celsius).sum::<f64>();
            if matches!(result, wit_bindgen::StreamResult::Dropped) {
                break;
            }
            batch.clear();
            buf = batch;
        }
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
