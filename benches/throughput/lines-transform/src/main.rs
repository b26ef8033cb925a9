//! Stage 2 (JSON lines): Celsius to Fahrenheit, every tenth reading dropped.
use std::io::{BufRead, BufWriter, Write};

#[derive(serde::Serialize, serde::Deserialize)]
struct Reading {
    id: u64,
    sensor: String,
    celsius: f64,
}

fn main() {
    let input = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    for line in input.lines() {
        let mut r: Reading = serde_json::from_str(&line.unwrap()).unwrap();
        if r.id % 10 == 0 {
            continue;
        }
        r.celsius = r.celsius * 1.8 + 32.0;
        serde_json::to_writer(&mut out, &r).unwrap();
        out.write_all(b"\n").unwrap();
    }
}
