//! Stage 3 (typed): counts and sums.

#[path = "../../arena.rs"]
mod arena;

#[global_allocator]
static ARENA: arena::Arena = arena::Arena::new();

wit_bindgen::generate!({ path: "../wit", world: "summer" });

use exports::witpipe::bench::sink::{Guest, Reading, Sample, Summary};
use std::cell::Cell;

thread_local! {
    static TOTALS: Cell<(u64, f64)> = const { Cell::new((0, 0.0)) };
}

/// Counts and sums one batch's temperatures into the totals.
fn add(celsius: impl Iterator<Item = f64>) {
    TOTALS.with(|t| {
        let (mut count, mut total) = t.get();
        for c in celsius {
            count += 1;
            total += c;
        }
        t.set((count, total));
    });
}

struct Sink;

impl Guest for Sink {
    fn consume(batch: Vec<Reading>) {
        add(batch.iter().map(|r| r.celsius));
    }

    fn consume_samples(batch: Vec<Sample>) {
        add(batch.iter().map(|r| r.celsius));
    }

    fn finish() -> Summary {
        let (count, total) = TOTALS.with(Cell::get);
        Summary { count, total }
    }
}

export!(Sink);
