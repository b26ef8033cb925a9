//! The middle of one `|` of a command pipe.
//!
//! The left stage's `wasi:cli/stdout` import is linked to `upstream`, the right
//! stage's `wasi:cli/stdin` import to `downstream`. The left stage hands its output
//! stream to `write-via-stream`; the pipe keeps the handle and gives that same handle
//! to the right stage from `read-via-stream`. No byte passes through the pipe: the
//! two stages read and write one component-model stream, with its back-pressure.
//!
//! The driver starts the right stage once `control.handed` resolves (the stream is
//! here) or the left stage has ended (`control.close`: the right stage then reads an
//! empty stream, as after `true | wc`). When the right stage ends, the driver calls
//! `control.release`: a stream it never took is dropped, so the left stage sees its
//! reader gone instead of waiting for one forever.

#[path = "../../../../policy/wrappers/p3_future.rs"]
mod p3_future;

wit_bindgen::generate!({
    path: "../../../policy/wit/p3",
    world: "witpipe:joint/pipe",
    generate_all,
});

use exports::witpipe::joint::{control, downstream, status, upstream};
use std::cell::RefCell;
use std::task::{Poll, Waker};
use wasi::cli::types::ErrorCode;
use wit_bindgen::{FutureReader, StreamReader};

/// What the pipe holds between the two stages.
#[derive(Default)]
struct State {
    /// The left stage's output, until the right stage takes it.
    stream: Option<StreamReader<u8>>,
    /// The left stage has handed over its output, or ended.
    handed: bool,
    /// The right stage has ended: nobody will read.
    released: bool,
    /// The driver waiting in `handed`.
    waiter: Option<Waker>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Marks the stream handed (or the pipe closed) and wakes the driver.
fn hand(stream: Option<StreamReader<u8>>) {
    let waiter = STATE.with_borrow_mut(|s| {
        if stream.is_some() {
            s.stream = stream;
        }
        s.handed = true;
        s.waiter.take()
    });
    if let Some(waker) = waiter {
        waker.wake();
    }
}

/// A future that already holds `value` (see `p3_future::ready`).
fn ready(value: Result<(), ErrorCode>) -> FutureReader<Result<(), ErrorCode>> {
    p3_future::ready(
        <Result<(), ErrorCode> as wit_future::FuturePayload>::VTABLE,
        value,
    )
}

struct Pipe;

impl upstream::Guest for Pipe {
    fn write_via_stream(data: StreamReader<u8>) -> FutureReader<Result<(), ErrorCode>> {
        // One output per stage: a second stream would have to be joined to the first
        // by copying, so it is refused as a broken pipe (the stage sees its reader gone).
        if STATE.with_borrow(|s| s.handed || s.released) {
            drop(data);
            return ready(Err(ErrorCode::Pipe));
        }
        hand(Some(data));
        // The write is the right stage's to complete; the left stage learns the reader
        // has gone from the stream itself.
        ready(Ok(()))
    }
}

impl downstream::Guest for Pipe {
    fn read_via_stream() -> (StreamReader<u8>, FutureReader<Result<(), ErrorCode>>) {
        let stream = STATE.with_borrow_mut(|s| s.stream.take());
        let stream = stream.unwrap_or_else(|| {
            // Nothing was written (or it was taken already): end of input.
            let (_writer, reader) = wit_stream::new::<u8>();
            reader
        });
        (stream, ready(Ok(())))
    }
}

impl control::Guest for Pipe {
    async fn handed() {
        std::future::poll_fn(|cx| {
            STATE.with_borrow_mut(|s| {
                if s.handed {
                    Poll::Ready(())
                } else {
                    s.waiter = Some(cx.waker().clone());
                    Poll::Pending
                }
            })
        })
        .await
    }

    fn close() {
        hand(None);
    }

    fn release() {
        let unread = STATE.with_borrow_mut(|s| {
            s.released = true;
            s.stream.take()
        });
        drop(unread);
        hand(None);
    }
}

impl status::Guest for Pipe {
    /// The first driver's side before: the first stage alone, and the driver itself
    /// tells whether it failed.
    fn report() -> status::Stages {
        status::Stages {
            stages: 1,
            failed: Vec::new(),
        }
    }
}

export!(Pipe);
