//! The hostile probe at WASI 0.3: each call tries one authority through the `wasip3`
//! bindings and returns what it saw. Run under policies, it shows what each grant
//! lets through; where WASI 0.3 has no way to say no (exit, waiting on a denied
//! clock, denied randomness) the guard stops it instead.

wit_bindgen::generate!({ path: "../wit-p3", world: "probe-p3" });

mod fs;
mod net;

use wasip3::cli::{environment, stderr, stdin, stdout};
use wasip3::clocks::{monotonic_clock, system_clock};
use wasip3::random::{insecure, random};

struct Probe;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `text` to a standard stream through `write` and says how it ended.
async fn write_to<F>(
    name: &str,
    text: &str,
    write: impl FnOnce(wasip3::wit_bindgen::StreamReader<u8>) -> F,
) -> String
where
    F: std::future::IntoFuture<Output = Result<(), wasip3::cli::types::ErrorCode>>,
{
    let (mut tx, rx) = wasip3::wit_stream::new();
    let (ended, unwritten) = futures::join!(write(rx).into_future(), async {
        let left = tx.write_all(text.as_bytes().to_vec()).await;
        drop(tx);
        left.len()
    });
    format!("{name}: {ended:?}, {unwritten} bytes unwritten")
}

/// A request through `wasi:http/client@0.3`, a GET, or a POST of `body` (sent as the
/// request goes): the status and body, or why not.
async fn http(url: &str, body: Option<Vec<u8>>) -> String {
    use wasip3::http::client;
    use wasip3::http::types::{Fields, Method, Request, Response, Scheme};
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (trailers, no_trailers) = wasip3::wit_future::new(|| Ok(None));
    drop(trailers);
    let (mut writer, contents) = match body.is_some() {
        true => {
            let (tx, rx) = wasip3::wit_stream::new();
            (Some(tx), Some(rx))
        }
        false => (None, None),
    };
    let (request, _sent) = Request::new(Fields::new(), contents, no_trailers, None);
    if body.is_some() {
        let _ = request.set_method(&Method::Post);
    }
    let _ = request.set_scheme(Some(&if scheme == "https" {
        Scheme::Https
    } else {
        Scheme::Http
    }));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some(path));
    let send = async {
        if let (Some(tx), Some(bytes)) = (writer.as_mut(), body) {
            tx.write_all(bytes).await;
        }
        drop(writer.take());
    };
    let response = match futures::join!(client::send(request), send).0 {
        Ok(response) => response,
        Err(code) => return format!("refused: {code:?}"),
    };
    let status = response.get_status_code();
    let (done, read) = wasip3::wit_future::new(|| Ok(()));
    drop(done);
    let (body, _trailers) = Response::consume_body(response, read);
    let body = body.collect().await;
    format!("status {status}: {}", String::from_utf8_lossy(&body).trim())
}

impl Guest for Probe {
    async fn run(mode: String) -> String {
        match mode.as_str() {
            "env" => {
                let mut vars: Vec<String> = environment::get_environment()
                    .into_iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                vars.sort();
                vars.join(";")
            }
            "secret" => environment::get_environment()
                .into_iter()
                .find(|(k, _)| k == "SECRET")
                .map_or_else(|| "none".into(), |(_, v)| v),
            "args" => environment::get_arguments().join(" "),
            "cwd" => format!("{:?}", environment::get_initial_cwd()),
            "stdout" => {
                write_to(
                    "stdout",
                    "probe wrote to stdout\n",
                    stdout::write_via_stream,
                )
                .await
            }
            "stderr" => {
                write_to(
                    "stderr",
                    "probe wrote to stderr\n",
                    stderr::write_via_stream,
                )
                .await
            }
            "stdin" => {
                let (data, ended) = stdin::read_via_stream();
                let bytes = data.collect().await;
                let ended = ended.await;
                format!(
                    "stdin: {} bytes {:?}, {ended:?}",
                    bytes.len(),
                    String::from_utf8_lossy(&bytes)
                )
            }
            "clock" => format!("{}", system_clock::now().seconds),
            "monotonic" => format!("{}", monotonic_clock::now()),
            "wait" => {
                monotonic_clock::wait_for(1_000_000).await;
                "waited 1 ms".into()
            }
            // Ten minutes in the host: no wasm runs, so only the wall clock stops it.
            "sleep" => {
                monotonic_clock::wait_for(600_000_000_000).await;
                "woke".into()
            }
            "dirs" => {
                let mut dirs: Vec<String> = wasip3::filesystem::preopens::get_directories()
                    .into_iter()
                    .map(|(_, path)| path)
                    .collect();
                dirs.sort();
                dirs.join(",")
            }
            "random" => hex(&random::get_random_bytes(16)),
            "insecure" => hex(&insecure::get_insecure_random_bytes(16)),
            "exit" => {
                wasip3::cli::exit::exit(Err(()));
                "still running after exit".into()
            }
            // For the limits: a loop without end, memory without end.
            "spin" => loop {
                std::hint::black_box(0u64);
            },
            "alloc" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            other => match other.split_once(' ') {
                // For benchmarks: N calls through whoever serves the import, from
                // async code; `stdout-bytes N` writes N bytes to stdout in one stream.
                Some(("random-calls", n)) => {
                    let mut last = 0;
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        last = random::get_random_u64();
                    }
                    format!("{last}")
                }
                Some(("clock-calls", n)) => {
                    let mut last = 0;
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        last = monotonic_clock::now();
                    }
                    format!("{last}")
                }
                Some(("wait-calls", n)) => {
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        monotonic_clock::wait_for(0).await;
                    }
                    format!("{n} waits")
                }
                Some(("env-calls", n)) => {
                    let mut seen = 0;
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        seen = environment::get_environment().len();
                    }
                    format!("{seen} variables")
                }
                Some(("lookup-calls", n)) => {
                    use wasip3::sockets::ip_name_lookup::resolve_addresses;
                    let mut last = String::new();
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        last = match resolve_addresses("localhost".into()).await {
                            Ok(a) => format!("resolved: {}", a.len()),
                            Err(e) => format!("lookup {e:?}"),
                        };
                    }
                    last
                }
                Some(("http", url)) => http(url, None).await,
                // For benchmarks: `post-calls URL N`, N POSTs of 64 KiB to URL.
                Some(("post-calls", rest)) => {
                    let (url, n) = rest.rsplit_once(' ').unwrap_or((rest, ""));
                    let mut last = String::new();
                    for _ in 0..n.parse::<u32>().unwrap_or(0) {
                        last = http(url, Some(vec![b'x'; 64 * 1024])).await;
                    }
                    last
                }
                Some((
                    op @ ("read" | "list" | "write" | "write-ro" | "mkdir" | "remove" | "count"
                    | "stat-calls"),
                    path,
                )) => fs::run(op, path).await,
                Some(("tcp", target)) => net::tcp(target).await,
                Some(("lookup", name)) => {
                    use wasip3::sockets::ip_name_lookup::resolve_addresses;
                    match resolve_addresses(name.to_string()).await {
                        Ok(addresses) => format!("resolved: {}", addresses.len()),
                        Err(e) => format!("error: {e:?}"),
                    }
                }
                Some(("stdout-bytes", n)) => {
                    let text = "x".repeat(n.parse::<usize>().unwrap_or(0));
                    write_to("stdout", &text, stdout::write_via_stream).await
                }
                _ => format!("unknown mode {other}"),
            },
        }
    }
}

export!(Probe);

wasip3::cli::command::export!(ProbeCommand);

/// The probe as a command, for one stage of a command pipe: it tries the mode of each
/// of its arguments and writes what it saw to stdout, a line each, in one stream.
struct ProbeCommand;

impl wasip3::exports::cli::run::Guest for ProbeCommand {
    async fn run() -> Result<(), ()> {
        let mut report = String::new();
        for mode in environment::get_arguments().into_iter().skip(1) {
            let seen = <Probe as Guest>::run(mode.clone()).await;
            report.push_str(&format!("{mode} => {seen}\n"));
        }
        let written = write_to("stdout", &report, stdout::write_via_stream).await;
        match written == "stdout: Ok(()), 0 bytes unwritten" {
            true => Ok(()),
            false => Err(()),
        }
    }
}
