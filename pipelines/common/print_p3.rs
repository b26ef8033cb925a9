//! Writing text to stdout at WASI 0.3 (shared by the example commands through
//! `#[path]`): the text goes into a stream the host reads, and the host's future says
//! how it ended.

use std::future::IntoFuture;
use wasip3::cli::stdout;

/// Writes `text` to stdout; `Err` if the host (or a policy) refused it.
pub async fn print(text: String) -> Result<(), ()> {
    let (mut out, to_stdout) = wasip3::wit_stream::new();
    let (written, left) = futures::join!(
        stdout::write_via_stream(to_stdout).into_future(),
        async move {
            let left = out.write_all(text.into_bytes()).await;
            drop(out);
            left
        }
    );
    match (written, left.is_empty()) {
        (Ok(()), true) => Ok(()),
        _ => Err(()),
    }
}
