//! A misbehaving command for the host's limits: `hog spin` loops forever, `hog alloc`
//! allocates until memory runs out, `hog trap` traps, `hog exit N` exits with N.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("spin") => {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        Some("alloc") => {
            let mut blocks: Vec<Vec<u8>> = Vec::new();
            loop {
                blocks.push(vec![1u8; 1 << 20]);
                std::hint::black_box(&blocks);
            }
        }
        Some("trap") => std::process::abort(),
        Some("exit") => std::process::exit(args.get(2).and_then(|c| c.parse().ok()).unwrap_or(0)),
        _ => println!("usage: hog spin|alloc|trap|exit N"),
    }
}
