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
    let mut readings = Vec::with_capacity(batch as usize);
    for id in 0..n {
        readings.push(Reading {
            id,
            sensor: names[(id % 16) as usize].clone(),
            celsius: (id % 100) as f64 / 4.0,
        });
        if readings.len() as u64 == batch {
            process(&readings);
            readings.clear();
        }
    }
    if !readings.is_empty() {
        process(&readings);
    }
    let s = finish();
    println!("{} {:.1}", s.count, s.total);
}
