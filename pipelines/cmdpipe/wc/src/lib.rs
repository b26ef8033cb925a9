//! `wc -l`: counts the lines of stdin and writes the count, as a WASI 0.3 command.

wasip3::cli::command::export!(Wc);

#[path = "../../../common/stdio_p3.rs"]
mod stdio_p3;

use stdio_p3::{Input, Output};

struct Wc;

impl wasip3::exports::cli::run::Guest for Wc {
    async fn run() -> Result<(), ()> {
        let mut input = Input::stdin();
        let mut lines = 0usize;
        let mut buf = Vec::new();
        while let Some(chunk) = input.next(buf).await {
            lines += memchr::memchr_iter(b'\n', &chunk).count();
            buf = chunk;
        }
        input.finish().await?;
        let mut output = Output::stdout();
        let _ = output.write(format!("{lines}\n").into_bytes()).await;
        output.finish().await
    }
}
