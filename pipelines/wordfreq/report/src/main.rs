//! Stage 3: a command that reads stdin, asks stage 2 for statistics, prints a report.
//! Usage: report [TOP]   (default 5)

wit_bindgen::generate!({ path: "../../../wit", world: "reporter" });

use std::io::Read;
use witpipe::text::analyze::analyze;

fn main() {
    let top = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("report: cannot read stdin: {e}");
        std::process::exit(1);
    }
    let stats = analyze(&text, top);
    println!("words: {}", stats.words);
    println!("distinct: {}", stats.distinct);
    if let Some(t) = &stats.longest {
        println!("longest: {} (at byte {})", t.word, t.offset);
    }
    for (rank, wc) in stats.top.iter().enumerate() {
        println!("{:>2}. {:<16} {}", rank + 1, wc.word, wc.count);
    }
}
