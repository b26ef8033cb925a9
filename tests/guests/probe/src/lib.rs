//! The hostile probe: each call tries one authority through Rust std (or WASI
//! directly) and returns what it saw. Run under policies, it shows what each grant
//! really lets through; a denied stream or exit traps instead of returning.

wit_bindgen::generate!({ path: "../wit", world: "probe", generate_all });

use std::io::{Read, Write};

struct Probe;

#[path = "../../common/http_get.rs"]
mod http_get;
use http_get::http;

/// A filesystem attempt: `read`, `list`, `write`, `mkdir` or `remove` a path.
fn fs(op: &str, path: &str) -> String {
    let shown = |r: std::io::Result<String>| r.unwrap_or_else(|e| format!("error: {e}"));
    match op {
        "read" => shown(std::fs::read_to_string(path)),
        "list" => shown(std::fs::read_dir(path).and_then(|entries| {
            let mut names = entries
                .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect::<std::io::Result<Vec<_>>>()?;
            names.sort();
            Ok(names.join(","))
        })),
        "write" => shown(std::fs::write(path, "written by the probe").map(|()| "written".into())),
        "mkdir" => shown(std::fs::create_dir(path).map(|()| "created".into())),
        "remove" => shown(std::fs::remove_file(path).map(|()| "removed".into())),
        _ => format!("unknown operation {op}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Guest for Probe {
    fn run(mode: String) -> String {
        match mode.as_str() {
            "env" => {
                let mut vars: Vec<String> =
                    std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
                vars.sort();
                vars.join(";")
            }
            "secret" => std::env::var("SECRET").unwrap_or_else(|_| "none".into()),
            "args" => std::env::args().collect::<Vec<_>>().join(" "),
            "cwd" => std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|e| format!("error: {e}")),
            "stdout" => {
                let mut out = std::io::stdout();
                let ok = out
                    .write_all(b"probe wrote to stdout\n")
                    .and_then(|_| out.flush());
                format!("stdout: {ok:?}")
            }
            "stderr" => {
                let mut err = std::io::stderr();
                let ok = err
                    .write_all(b"probe wrote to stderr\n")
                    .and_then(|_| err.flush());
                format!("stderr: {ok:?}")
            }
            "stdin" => {
                let mut text = String::new();
                match std::io::stdin().read_to_string(&mut text) {
                    Ok(_) => format!("stdin: {text}"),
                    Err(e) => format!("stdin error: {e}"),
                }
            }
            "clock" => match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
                Ok(d) => d.as_secs().to_string(),
                Err(_) => "before the epoch".into(),
            },
            "monotonic" => {
                let a = std::time::Instant::now();
                let b = std::time::Instant::now();
                format!("elapsed: {:?}", b.duration_since(a))
            }
            "random" => hex(&wasi::random::random::get_random_bytes(8)),
            "exit" => std::process::exit(3),
            other => match other.split_once(' ') {
                // For benchmarks: N calls through whoever serves the import.
                Some(("random-calls", n)) => {
                    let mut last = 0;
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        last = wasi::random::random::get_random_u64();
                    }
                    format!("{last}")
                }
                Some(("clock-calls", n)) => {
                    let mut last = std::time::Instant::now();
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        last = std::time::Instant::now();
                    }
                    format!("{:?}", last.elapsed())
                }
                Some(("env-calls", n)) => {
                    let mut seen = 0;
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        seen = wasi::cli::environment::get_environment().len();
                    }
                    format!("{seen} variables")
                }
                Some(("http-calls", rest)) => {
                    let (url, n) = rest.rsplit_once(' ').unwrap_or((rest, "1"));
                    let mut last = String::new();
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        last = http(url);
                    }
                    last
                }
                Some(("http", url)) => http(url),
                Some(("tcp", addr)) => match std::net::TcpStream::connect(addr) {
                    Ok(_) => "connected".into(),
                    Err(e) => format!("error: {e}"),
                },
                Some(("lookup", name)) => {
                    match std::net::ToSocketAddrs::to_socket_addrs(&(name, 80)) {
                        Ok(addrs) => format!("resolved: {}", addrs.count()),
                        Err(e) => format!("error: {e}"),
                    }
                }
                Some((op, path)) => fs(op, path),
                None => format!("unknown mode {other}"),
            },
        }
    }
}

/// The same attempts as a typed interface, for pipelines that link a stage to the probe.
impl exports::witpipe::probe::attempt::Guest for Probe {
    fn run(mode: String) -> String {
        <Probe as Guest>::run(mode)
    }
}

export!(Probe);
