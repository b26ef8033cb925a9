//! Stage 1 (JSON lines): prints N readings, one JSON object per line.
use std::io::{BufWriter, Write};

#[derive(serde::Serialize)]
struct Reading<'a> {
    id: u64,
    sensor: &'a str,
    celsius: f64,
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // The sixteen sensor names (`s0` … `s15`), formatted once.
    let names: Vec<String> = (0..16).map(|i| format!("s{i}")).collect();
    for id in 0..n {
        let r = Reading {
            id,
            sensor: &names[(id % 16) as usize],
            celsius: (id % 100) as f64 / 4.0,
        };
        serde_json::to_writer(&mut out, &r).unwrap();
        out.write_all(b"\n").unwrap();
    }
}
