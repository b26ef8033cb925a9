//! Streaming stdin and stdout at WASI 0.3 (shared by the command-pipe examples through
//! `#[path]`): chunks in, chunks out, nothing held whole.

// Each command uses what it needs of these.
#![allow(dead_code)]

use std::future::IntoFuture;
use wasip3::cli::types::ErrorCode;
use wasip3::cli::{stdin, stdout};
use wasip3::wit_bindgen::{FutureReader, StreamReader, StreamResult, StreamWriter};

/// How much one read asks for.
pub const CHUNK: usize = 64 * 1024;

/// Stdin, read a chunk at a time.
pub struct Input {
    data: StreamReader<u8>,
    ended: Option<FutureReader<Result<(), ErrorCode>>>,
}

impl Input {
    /// The component's stdin.
    pub fn stdin() -> Self {
        let (data, ended) = stdin::read_via_stream();
        Input {
            data,
            ended: Some(ended),
        }
    }

    /// The next chunk (reusing `buf`), or `None` at the end of the input.
    pub async fn next(&mut self, mut buf: Vec<u8>) -> Option<Vec<u8>> {
        loop {
            buf.clear();
            buf.reserve(CHUNK);
            let (result, read) = self.data.read(buf).await;
            buf = read;
            match result {
                StreamResult::Complete(_) if !buf.is_empty() => return Some(buf),
                StreamResult::Complete(_) => continue,
                StreamResult::Dropped | StreamResult::Cancelled => {
                    return (!buf.is_empty()).then_some(buf)
                }
            }
        }
    }

    /// How the input ended: `Err` if reading it failed.
    pub async fn finish(mut self) -> Result<(), ()> {
        drop(self.data);
        match self.ended.take() {
            Some(ended) => ended.into_future().await.map_err(|_| ()),
            None => Ok(()),
        }
    }
}

/// Stdout, written a chunk at a time.
pub struct Output {
    data: StreamWriter<u8>,
    ended: FutureReader<Result<(), ErrorCode>>,
}

/// The reader of stdout has gone (like `EPIPE`): stop writing and end quietly.
pub struct Closed;

impl Output {
    /// The component's stdout.
    pub fn stdout() -> Self {
        let (data, reader) = wasip3::wit_stream::new();
        let ended = stdout::write_via_stream(reader);
        Output { data, ended }
    }

    /// Writes all of `bytes`; `Err(Closed)` once nobody reads any more.
    pub async fn write(&mut self, bytes: Vec<u8>) -> Result<(), Closed> {
        if bytes.is_empty() {
            return Ok(());
        }
        match self.data.write_all(bytes).await.is_empty() {
            true => Ok(()),
            false => Err(Closed),
        }
    }

    /// Ends stdout and says how it went: `Err` if the host refused or failed it.
    pub async fn finish(self) -> Result<(), ()> {
        drop(self.data);
        self.ended.into_future().await.map_err(|_| ())
    }
}
