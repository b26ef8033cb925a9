//! `cat`: copies stdin to stdout, as a WASI 0.3 command (the `wasip3` crate).
//!
//! It does not copy at all: stdin's stream itself becomes stdout's, so the bytes go
//! from whoever writes this command's stdin straight to whoever reads its stdout.

wasip3::cli::command::export!(Cat);

use std::future::IntoFuture;
use wasip3::cli::{stdin, stdout};

struct Cat;

impl wasip3::exports::cli::run::Guest for Cat {
    async fn run() -> Result<(), ()> {
        let (data, read) = stdin::read_via_stream();
        let written = stdout::write_via_stream(data);
        let (read, written) = futures::join!(read.into_future(), written.into_future());
        read.and(written).map_err(|_| ())
    }
}
