//! Stage 2 (typed): Celsius to Fahrenheit, every tenth reading dropped.

#[path = "../../arena.rs"]
mod arena;

#[global_allocator]
static ARENA: arena::Arena = arena::Arena::new();

wit_bindgen::generate!({ path: "../wit", world: "transformer" });

use exports::witpipe::bench::transform::{Guest, Reading, Sample, Summary};
use witpipe::bench::sink;

struct Transform;

impl Guest for Transform {
    fn process(batch: Vec<Reading>) {
        let out: Vec<Reading> = batch
            .into_iter()
            .filter(|r| r.id % 10 != 0)
            .map(|r| Reading {
                celsius: r.celsius * 1.8 + 32.0,
                ..r
            })
            .collect();
        sink::consume(&out);
    }

    fn process_samples(batch: Vec<Sample>) {
        let out: Vec<Sample> = batch
            .into_iter()
            .filter(|r| r.id % 10 != 0)
            .map(|r| Sample {
                celsius: r.celsius * 1.8 + 32.0,
                ..r
            })
            .collect();
        sink::consume_samples(&out);
    }

    fn finish() -> Summary {
        sink::finish()
    }
}

export!(Transform);
