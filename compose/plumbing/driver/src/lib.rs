//! Runs both sides of one `|` of a command pipe and answers for both.
//!
//! The output's `wasi:cli/run` is the driver of the last `|`; its left side is the
//! driver of the `|` before, down to the first stage. Each driver starts its left side,
//! then its right stage as soon as the left has handed its output to the pipe between
//! them (or has ended), and waits for both: every stage runs concurrently, and the
//! component model's stream back-pressure paces them. The result is `set -o pipefail`:
//! an error if any stage's `run` returned one. Its `status` says which stages those
//! were, for the host to name them.

wit_bindgen::generate!({
    path: "../../../policy/wit/p3",
    world: "witpipe:joint/driver",
    generate_all,
});

use exports::witpipe::joint::status as this;
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use witpipe::joint::{control, left, right, status as before};

thread_local! {
    /// How each side's `run` ended (left, right), once `run` has returned.
    static ENDED: Cell<Option<(bool, bool)>> = const { Cell::new(None) };
}

struct Driver;

/// Polls `a` and `b` together until both are done.
async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready((ra.take().unwrap(), rb.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

impl exports::wasi::cli::run::Guest for Driver {
    async fn run() -> Result<(), ()> {
        let mut left = pin!(left::run());
        let mut handed = pin!(control::handed());
        // Until the left side hands its output over, only it runs.
        let early = std::future::poll_fn(|cx| {
            if let Poll::Ready(status) = left.as_mut().poll(cx) {
                return Poll::Ready(Some(status));
            }
            handed.as_mut().poll(cx).map(|()| None)
        })
        .await;
        // Once the right stage has ended, nobody reads what the left side writes.
        let right = async {
            let status = right::run().await;
            control::release();
            status
        };
        let (left, right) = match early {
            Some(status) => {
                // The left side ended first: whatever it wrote is in the pipe, or
                // nothing is, and the right stage reads to the end of it.
                control::close();
                (status, right.await)
            }
            None => both(left.as_mut(), right).await,
        };
        ENDED.set(Some((left.is_err(), right.is_err())));
        left.and(right)
    }
}

impl this::Guest for Driver {
    /// The report before, with this `|`'s right stage added, and its left one when
    /// that is a stage (the report before covers it alone) rather than a driver (whose
    /// failures the report before already holds).
    fn report() -> this::Stages {
        let before::Stages { stages, mut failed } = before::report();
        if let Some((left, right)) = ENDED.get() {
            if left && stages == 1 {
                failed.push(0);
            }
            if right {
                failed.push(stages);
            }
        }
        this::Stages {
            stages: stages + 1,
            failed,
        }
    }
}

export!(Driver);
