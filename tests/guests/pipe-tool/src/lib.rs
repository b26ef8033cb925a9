//! A WASI 0.3 command for testing command pipes; its arguments say what it does:
//!
//! - `yes TEXT`: writes `TEXT` lines without end, until its reader goes away;
//! - `head N`: copies the first `N` lines of stdin, then stops reading;
//! - `cat`: copies stdin to stdout (reading and writing each chunk);
//! - `count`: writes how many bytes stdin held;
//! - `fail N`: reads `N` bytes, then returns an error;
//! - `trap N`: reads `N` bytes, then traps.

wasip3::cli::command::export!(Tool);

#[path = "../../../../pipelines/common/stdio_p3.rs"]
mod stdio_p3;

use stdio_p3::{Input, Output};

struct Tool;

/// Reads at least `n` bytes of stdin (or all of it, if less).
async fn read_some(n: usize) -> Input {
    let mut input = Input::stdin();
    let (mut seen, mut buf) = (0, Vec::new());
    while seen < n {
        match input.next(buf).await {
            Some(chunk) => {
                seen += chunk.len();
                buf = chunk;
            }
            None => break,
        }
    }
    input
}

impl wasip3::exports::cli::run::Guest for Tool {
    async fn run() -> Result<(), ()> {
        let args = wasip3::cli::environment::get_arguments();
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        let number = arg(2).parse::<usize>().unwrap_or(0);
        match arg(1).as_str() {
            "yes" => {
                let line = format!("{}\n", arg(2));
                let chunk = line.repeat((64 * 1024 / line.len()).max(1)).into_bytes();
                let mut output = Output::stdout();
                while output.write(chunk.clone()).await.is_ok() {}
                Ok(())
            }
            "head" => {
                let (mut input, mut output) = (Input::stdin(), Output::stdout());
                let (mut lines, mut buf) = (0, Vec::new());
                while lines < number {
                    let Some(chunk) = input.next(buf).await else {
                        break;
                    };
                    let mut end = chunk.len();
                    for (i, _) in chunk.iter().enumerate().filter(|(_, b)| **b == b'\n') {
                        lines += 1;
                        if lines == number {
                            end = i + 1;
                            break;
                        }
                    }
                    if output.write(chunk[..end].to_vec()).await.is_err() {
                        break;
                    }
                    buf = chunk;
                }
                drop(input);
                output.finish().await
            }
            "cat" => {
                let (mut input, mut output) = (Input::stdin(), Output::stdout());
                let mut buf = Vec::new();
                while let Some(chunk) = input.next(buf).await {
                    if output.write(chunk.clone()).await.is_err() {
                        return Ok(());
                    }
                    buf = chunk;
                }
                input.finish().await.and(output.finish().await)
            }
            "count" => {
                let mut input = Input::stdin();
                let (mut bytes, mut buf) = (0, Vec::new());
                while let Some(chunk) = input.next(buf).await {
                    bytes += chunk.len();
                    buf = chunk;
                }
                let mut output = Output::stdout();
                let _ = output.write(format!("{bytes}\n").into_bytes()).await;
                output.finish().await
            }
            "fail" => {
                drop(read_some(number).await);
                Err(())
            }
            "trap" => {
                drop(read_some(number).await);
                panic!("pipe-tool trapped on purpose");
            }
            other => panic!("pipe-tool: unknown mode {other:?}"),
        }
    }
}
