//! Stage 3 (typed): counts and sums.

#[path = "../../arena.rs"]
mod arena;

#[global_allocator]
static ARENA: arena::Arena = arena::Arena::new();

wit_bindgen::generate!({ path: "../wit", world: "summer" });

use exports::witpipe::bench::sink::{Guest, Reading, Summary};
use std::cell::Cell;

thread_local! {
    static TOTALS: Cell<(u64, f64)> = const { Cell::new((0, 0.0)) };
}

struct Sink;

impl Guest for Sink {
    fn consume(batch: Vec<Reading>) {
        TOTALS.with(|t| {
            let (mut count, mut total) = t.get();
            for r in &batch {
                count += 1;
                total += r.celsius;
            }
            t.set((count, total));
        });
    }

    fn finish() -> Summary {
        let (count, total) = TOTALS.with(Cell::get);
        Summary { count, total }
    }
}

export!(Sink);
