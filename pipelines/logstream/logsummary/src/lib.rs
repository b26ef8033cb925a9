//! Stage 3 of the typed stream example, a WASI 0.3 command: reads the filtered entries
//! as they arrive and prints how many there were, by level and by path (most first).

wit_bindgen::generate!({ path: "../../../wit/logstream", world: "summary" });

wasip3::cli::command::export!(Summary);

#[path = "../../../common/stdio_p3.rs"]
mod stdio_p3;

use std::collections::BTreeMap;
use witpipe::logstream::filtered::filtered;

struct Summary;

impl wasip3::exports::cli::run::Guest for Summary {
    async fn run() -> Result<(), ()> {
        let mut input = filtered().await;
        // By level: debug, info, warn, error.
        let mut levels = [0u64; 4];
        let mut paths: BTreeMap<String, u64> = BTreeMap::new();
        let mut buf = Vec::with_capacity(1000);
        loop {
            let (result, mut batch) = input.read(buf).await;
            for e in batch.drain(..) {
                levels[e.level as usize] += 1;
                *paths.entry(e.path).or_default() += 1;
            }
            if matches!(result, wit_bindgen::StreamResult::Dropped) {
                break;
            }
            buf = batch;
        }
        let mut ranked: Vec<(String, u64)> = paths.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let [debug, info, warn, error] = levels;
        let total = debug + info + warn + error;
        let mut text =
            format!("entries: {total} (debug {debug}, info {info}, warn {warn}, error {error})\n");
        for (path, count) in ranked {
            text.push_str(&format!("{count:>6}  {path}\n"));
        }
        let mut output = stdio_p3::Output::stdout();
        let _ = output.write(text.into_bytes()).await;
        output.finish().await
    }
}
