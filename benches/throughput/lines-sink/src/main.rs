//! Stage 3 (JSON lines): counts and sums.
use std::io::BufRead;

#[derive(serde::Deserialize)]
struct Reading {
    #[allow(dead_code)]
    id: u64,
    #[allow(dead_code)]
    sensor: String,
    celsius: f64,
}

fn main() {
    let (mut count, mut total) = (0u64, 0f64);
    for line in std::io::stdin().lock().lines() {
        let r: Reading = serde_json::from_str(&line.unwrap()).unwrap();
        count += 1;
        total += r.celsius;
    }
    println!("{count} {total:.1}");
}
