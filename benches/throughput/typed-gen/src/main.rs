//! Stage 1 (typed): generates N readings and hands them to stage 2 in batches.
//! Usage: typed-gen N [BATCH]

wit_bindgen::generate!({ path: "../wit", world: "generator" });

use witpipe::bench::sink::Reading;
use witpipe::bench::transform::{finish, process};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let batch: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    // The sixteen sensor names (`s0` … `s15`), formatted once.
    let names: Vec<String> = (0..16).map(|i| format!("s{i}")).collect();
    // One batch, reused: each slot's string keeps its buffer (`clone_from` copies into
    // it), so after the first batch no record allocates.
    let mut readings: Vec<Reading> = Vec::with_capacity(batch as usize);
    let mut filled = 0;
    for id in 0..n {
        let sensor = &names[(id % 16) as usize];
        let celsius = (id % 100) as f64 / 4.0;
        match readings.get_mut(filled) {
            Some(slot) => {
                slot.id = id;
                slot.sensor.clone_from(sensor);
                slot.celsius = celsius;
            }
            None => readings.push(Reading {
                id,
                sensor: sensor.clone(),
                celsius,
            }),
        }
        filled += 1;
        if filled as u64 == batch {
            process(&readings);
            filled = 0;
        }
    }
    if filled > 0 {
        process(&readings[..filled]);
    }
    let s = finish();
    println!("{} {:.1}", s.count, s.total);
}
