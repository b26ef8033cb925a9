//! Stage 1 (typed): generates N records and hands them to stage 2 in batches: `reading`s
//! (the sensor's name, a string) or flat `sample`s (the sensor's number).
//! Usage: typed-gen N [BATCH] [reading|sample]

wit_bindgen::generate!({ path: "../wit", world: "generator" });

use witpipe::bench::sink::{Reading, Sample};
use witpipe::bench::transform::{finish, process, process_samples};

#[path = "../../records.rs"]
mod records;

records::impl_make!(Reading, Sample);

/// What stage 1 needs of a record shape: how to make the `id`th one, or turn a used
/// one into it (so that a reused batch does not allocate).
trait Record: records::Make {
    fn refill(&mut self, id: u64, names: &[String]);
}

impl Record for Reading {
    fn refill(&mut self, id: u64, names: &[String]) {
        self.id = id;
        // `clone_from` copies into the string's buffer: no allocation.
        self.sensor.clone_from(&names[(id % 16) as usize]);
        self.celsius = records::celsius(id);
    }
}

impl Record for Sample {
    fn refill(&mut self, id: u64, names: &[String]) {
        *self = <Self as records::Make>::make(id, names);
    }
}

/// Hands `n` records to `send`, `batch` at a time, through one reused batch.
fn generate<T: Record>(n: u64, batch: u64, send: fn(&[T])) {
    let names = records::names();
    let mut records: Vec<T> = Vec::with_capacity(batch as usize);
    let mut filled = 0;
    for id in 0..n {
        match records.get_mut(filled) {
            Some(slot) => slot.refill(id, &names),
            None => records.push(T::make(id, &names)),
        }
        filled += 1;
        if filled as u64 == batch {
            send(&records);
            filled = 0;
        }
    }
    if filled > 0 {
        send(&records[..filled]);
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let batch: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    match args.next().as_deref() {
        None | Some("reading") => generate(n, batch, process),
        Some("sample") => generate(n, batch, process_samples),
        Some(other) => {
            eprintln!("typed-gen: unknown record shape `{other}`: expected reading or sample");
            std::process::exit(2);
        }
    }
    let s = finish();
    println!("{} {:.1}", s.count, s.total);
}
