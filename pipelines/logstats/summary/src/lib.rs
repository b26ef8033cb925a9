//! A WASI 0.3 command: pipes stdin's lines through the `parse` stage as a stream and
//! prints a summary of the typed entries that stream back.

wit_bindgen::generate!({ path: "../../../wit/logs", world: "report" });
#[path = "../../../common/print_p3.rs"]
mod print_p3;

wasip3::cli::command::export!(Summary);

use print_p3::print;
use wasip3::cli::stdin;
use wit_bindgen::StreamResult;
use witpipe::logs::parse::{parse, Level};

struct Summary;

/// Counts per level, and the error messages.
#[derive(Default)]
struct Tally {
    levels: [u32; 4],
    errors: Vec<String>,
}

impl Tally {
    fn text(&self) -> String {
        let [debug, info, warn, error] = self.levels;
        let mut out = format!(
            "entries: {} (debug {debug}, info {info}, warn {warn}, error {error})\n",
            debug + info + warn + error
        );
        for message in &self.errors {
            out.push_str(&format!("error: {message}\n"));
        }
        out
    }
}

impl wasip3::exports::cli::run::Guest for Summary {
    async fn run() -> Result<(), ()> {
        let (mut input, _) = stdin::read_via_stream();
        let (mut lines, to_parse) = wit_stream::new::<String>();
        let mut entries = parse(to_parse).await;
        // Lines go out as stdin's bytes arrive, while entries come back.
        let feed = async move {
            let mut pending: Vec<u8> = Vec::new();
            loop {
                let (result, chunk) = input.read(Vec::with_capacity(16 * 1024)).await;
                if !matches!(result, StreamResult::Complete(_)) {
                    break;
                }
                pending.extend_from_slice(&chunk);
                while let Some(end) = pending.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = pending.drain(..=end).collect();
                    let line = String::from_utf8_lossy(&line[..end]).into_owned();
                    if lines.write_one(line).await.is_some() {
                        return;
                    }
                }
            }
            if !pending.is_empty() {
                let _ = lines
                    .write_one(String::from_utf8_lossy(&pending).into_owned())
                    .await;
            }
        };
        let tally = async {
            let mut tally = Tally::default();
            while let Some(entry) = entries.next().await {
                let index = match entry.level {
                    Level::Debug => 0,
                    Level::Info => 1,
                    Level::Warn => 2,
                    Level::Error => 3,
                };
                tally.levels[index] += 1;
                if entry.level == Level::Error {
                    tally.errors.push(entry.message);
                }
            }
            tally
        };
        let ((), tally) = futures::join!(feed, tally);
        print(tally.text()).await
    }
}
