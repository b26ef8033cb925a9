//! `witpipe serve` end to end: the counter example under concurrent clients, and a
//! hostile service whose bad routes hit the limits while the good ones keep answering.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[path = "support/http.rs"]
mod http;
use http::{dechunk, read_request};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `witpipe serve` process on a free loopback port.
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(pipeline: &Path, options: &[&str]) -> Server {
        Server::start_with(
            Command::new(env!("CARGO_BIN_EXE_witpipe")),
            pipeline,
            options,
        )
    }

    /// [`Server::start`] with one more variable in the server's environment.
    fn start_env(pipeline: &Path, (name, value): (&str, &str)) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_witpipe"));
        command.env(name, value);
        Server::start_with(command, pipeline, &[])
    }

    /// [`Server::start`] with at most `files` open files (`ulimit -n`).
    fn start_with_file_limit(files: u32, pipeline: &Path, options: &[&str]) -> Server {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_witpipe"));
        Server::start_with(shell, pipeline, options)
    }

    fn start_with(mut command: Command, pipeline: &Path, options: &[&str]) -> Server {
        let mut child = command
            .arg("serve")
            .arg(pipeline)
            .args(["--listen", "127.0.0.1:0"])
            .args(options)
            .env(
                "WITPIPE_CACHE_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = String::new();
        let addr = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("serve exited before listening:\n{seen}"))
                .unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if let Some(rest) = line.strip_prefix("witpipe serve: listening on http://") {
                break rest.trim_end_matches('/').parse().unwrap();
            }
        };
        let stderr = Arc::new(Mutex::new(seen));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Server {
            child,
            addr,
            stderr,
        }
    }

    /// SIGTERM, then the exit status and everything the server printed.
    fn stop(mut self) -> (i32, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = self.child.wait().unwrap();
        // Let the reader thread take the last lines.
        std::thread::sleep(Duration::from_millis(100));
        let stderr = self.stderr.lock().unwrap().clone();
        (status.code().unwrap_or(-1), stderr)
    }

    /// [`Server::stop`], which must exit 0 after `total` requests, `failed` of them
    /// failed; the server's output.
    fn stop_after(self, total: usize, failed: usize) -> String {
        let (status, stderr) = self.stop();
        assert_eq!(status, 0, "{stderr}");
        assert!(
            stderr.contains(&format!("stopped after {total} requests ({failed} failed)")),
            "{stderr}"
        );
        stderr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `pipelines/EXAMPLE/pipeline.yaml` written into `dir` with each `(from, to)` edit
/// made (each `from` must be in the file: an edit that no longer applies fails).
fn edited_example(dir: &Path, example: &str, edits: &[(&str, &str)]) -> PathBuf {
    let original = root().join(format!("pipelines/{example}/pipeline.yaml"));
    let mut text = std::fs::read_to_string(&original).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "the example's `{from}` moved");
        text = text.replace(from, to);
    }
    let pipeline = dir.join("pipeline.yaml");
    std::fs::write(&pipeline, text).unwrap();
    pipeline
}

/// One request on its own connection: (status, body).
fn request(addr: SocketAddr, method: &str, path: &str) -> (u16, Vec<u8>) {
    request_with(addr, method, path, "")
}

/// [`request`] with `headers` (`name: value` lines, each ending in `\r\n`).
fn request_with(addr: SocketAddr, method: &str, path: &str, headers: &str) -> (u16, Vec<u8>) {
    request_full(addr, method, path, headers, b"")
}

/// [`request_with`] with a body (sent with its length when not empty).
fn request_full(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let length = match body.len() {
        0 => String::new(),
        n => format!("Content-Length: {n}\r\n"),
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}{length}Connection: close\r\n\r\n"
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = response[end + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let (status, body) = request(addr, "GET", path);
    (status, String::from_utf8(body).unwrap())
}

#[test]
fn counter_counts_every_hit_under_concurrent_clients() {
    let server = Server::start(&root().join("pipelines/counter/pipeline.yaml"), &[]);
    let addr = server.addr;
    let (clients, per_client, paths) = (8, 25, ["/a", "/b", "/c", "/d"]);
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            std::thread::spawn(move || {
                (0..per_client)
                    .map(|i| {
                        let path = paths[(c + i) % paths.len()];
                        let (status, body) = get(addr, path);
                        assert_eq!(status, 200, "{body}");
                        (path, body)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seen: Vec<(&str, String)> = Vec::new();
    for t in threads {
        seen.extend(t.join().unwrap());
    }
    assert_eq!(seen.len(), clients * per_client);
    // Every hit got its own count: per path, the counts are exactly 1..=n.
    for path in paths {
        let mut counts: Vec<u64> = seen
            .iter()
            .filter(|(p, _)| *p == path)
            .map(|(_, body)| {
                let prefix = format!("Hello from witpipe! GET {path} has been requested ");
                let rest = body
                    .strip_prefix(&prefix)
                    .unwrap_or_else(|| panic!("unexpected page: {body}"));
                rest.split(' ').next().unwrap().parse().unwrap()
            })
            .collect();
        counts.sort();
        let n = counts.len() as u64;
        assert_eq!(counts, (1..=n).collect::<Vec<_>>(), "{path}");
    }
    // The next hit continues the count; the page comes from the render stage, with
    // the greeting granted to it through wasi:config.
    assert_eq!(
        get(addr, "/a"),
        (
            200,
            format!(
                "Hello from witpipe! GET /a has been requested {} times.\n",
                seen.iter().filter(|(p, _)| *p == "/a").count() + 1
            )
        )
    );
    server.stop_after(clients * per_client + 1, 0);
}

#[test]
fn an_instance_waiting_on_the_host_is_stopped_by_the_wall_clock() {
    use std::io::{Read, Write};
    // Served bare, so the host's clock is the component's: `/sleep` waits ten minutes
    // in the host, running no wasm, which the epoch deadline alone cannot stop.
    let server = Server::start(
        &root().join("tests/guests/components/hostile-http.wasm"),
        &["--timeout", "1"],
    );
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    // Not a measurement: without a wall-clock bound the answer would come after ten
    // minutes; this read gives up long before, and the test fails instead of hanging.
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
        .write_all(b"GET /sleep HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("an answer before the guest's wait ends");
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
    assert!(
        answer.contains("ran longer than the 1s timeout"),
        "{answer}"
    );
    // Its slot is free again: the server still answers.
    assert_eq!(get(server.addr, "/ok").0, 200);
    server.stop_after(2, 1);
}

#[test]
fn hostile_routes_hit_their_limits_and_the_others_keep_answering() {
    let server = Server::start(
        &root().join("tests/e2e/hostile-http.yaml"),
        &["--timeout", "1", "--max-memory", "32M"],
    );
    let addr = server.addr;
    let bad: Vec<_> = ["/loop", "/bomb", "/trap", "/loop", "/bomb", "/trap"]
        .into_iter()
        .map(|path| std::thread::spawn(move || (path, get(addr, path))))
        .collect();
    // While the bad requests run, good ones are answered, and promptly.
    for i in 0..40 {
        let path = format!("/ok/{i}");
        assert_eq!(get(addr, &path), (200, format!("ok {path}\n")));
    }
    for t in bad {
        let (path, (status, body)) = t.join().unwrap();
        let (want_status, want_text) = match path {
            "/loop" => (504, "ran longer than the 1s timeout"),
            "/bomb" => (503, "more than the 33554432 bytes of memory"),
            _ => (500, "the component failed; the server's log says why"),
        };
        assert_eq!(status, want_status, "{path}: {body}");
        assert!(body.contains(want_text), "{path}: {body}");
    }
    assert_eq!(get(addr, "/ok"), (200, "ok /ok\n".into()));
    let stderr = server.stop_after(47, 6);
    // The log says where the trap happened; the client saw no backtrace.
    assert!(
        stderr.contains("GET /trap: in instance `hostile` (wasm function "),
        "{stderr}"
    );
}

/// A WASI 0.3 handler (`wasi:http/handler@0.3`) is served like a 0.2 one, and its
/// policy holds there: the host has a SECRET, only the pipeline that grants it shows it.
#[test]
fn a_wasi_0_3_handler_is_served_with_its_policy() {
    let server = Server::start(&root().join("tests/e2e/http-p3.yaml"), &[]);
    for i in 0..3 {
        let path = format!("/p3/{i}?q=1");
        assert_eq!(
            get(server.addr, &path),
            (200, format!("hello from WASI 0.3: {path}; SECRET=none\n"))
        );
    }
    server.stop_after(3, 0);
    // The honeypot is real: the same handler with the grant does see the host's value.
    let allowed = Server::start_env(
        &root().join("tests/e2e/http-p3-allowed.yaml"),
        ("SECRET", "hunter2"),
    );
    assert_eq!(
        get(allowed.addr, "/"),
        (200, "hello from WASI 0.3: /; SECRET=hunter2\n".into())
    );
    allowed.stop_after(1, 0);
}

#[test]
fn serve_refuses_a_pipeline_that_is_not_a_service() {
    let out = Command::new(env!("CARGO_BIN_EXE_witpipe"))
        .arg("serve")
        .arg(root().join("pipelines/wordfreq/pipeline.yaml"))
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("exports no `wasi:http/incoming-handler`"),
        "{err}"
    );
}

/// A keep-alive HTTP/1.1 client: one connection, requests one after another.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    /// GET `path` on the open connection: (status, body).
    fn get(&mut self, path: &str) -> (u16, String) {
        write!(
            self.reader.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        .unwrap();
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).unwrap();
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let (mut length, mut chunked) = (None, false);
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            let line = line.trim_end().to_ascii_lowercase();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("content-length:") {
                length = Some(n.trim().parse::<usize>().unwrap());
            }
            chunked |= line == "transfer-encoding: chunked";
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                self.reader.read_line(&mut size).unwrap();
                let size = usize::from_str_radix(size.trim(), 16).unwrap();
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk).unwrap();
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            body.resize(length.unwrap_or(0), 0);
            self.reader.read_exact(&mut body).unwrap();
        }
        (status, String::from_utf8(body).unwrap())
    }
}

/// The server's peak resident memory (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn serve_under_load_with_a_hostile_route_loses_nothing() {
    let server = Server::start(
        &root().join("tests/e2e/hostile-http.yaml"),
        &["--timeout", "1", "--max-memory", "32M"],
    );
    let addr = server.addr;
    let (clients, per_client) = (50, 400);
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            std::thread::spawn(move || {
                let mut client = Client::connect(addr);
                let mut answered = 0;
                for i in 0..per_client {
                    // Every request is unique: a mixed-up or repeated answer shows.
                    let path = format!("/ok/{c}/{i}");
                    assert_eq!(client.get(&path), (200, format!("ok {path}\n")));
                    answered += 1;
                }
                answered
            })
        })
        .collect();
    // Meanwhile the hostile routes, on their own connections.
    let mut hostile = Vec::new();
    for round in 0..3 {
        for path in ["/loop", "/bomb", "/trap"] {
            hostile.push(std::thread::spawn(move || (round, path, get(addr, path).0)));
        }
    }
    let answered: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(answered, clients * per_client);
    for t in hostile {
        let (_, path, status) = t.join().unwrap();
        let want = match path {
            "/loop" => 504,
            "/bomb" => 503,
            _ => 500,
        };
        assert_eq!(status, want, "{path}");
    }
    let peak = peak_rss_kib(server.child.id());
    eprintln!(
        "serve under load: {answered} requests, peak RSS {} MiB",
        peak / 1024
    );
    // Bounded: the pool and 50 connections, not one allocation per request kept.
    assert!(peak < 1024 * 1024, "peak RSS {peak} KiB");
    server.stop_after(clients * per_client + 9, 9);
}

#[test]
fn requests_beyond_max_instances_wait_for_a_slot() {
    let server = Server::start(
        &root().join("tests/e2e/hostile-http.yaml"),
        &["--max-instances", "2"],
    );
    let addr = server.addr;
    let threads: Vec<_> = (0..8)
        .map(|c| {
            std::thread::spawn(move || {
                let mut client = Client::connect(addr);
                for i in 0..20 {
                    let path = format!("/ok/{c}/{i}");
                    assert_eq!(client.get(&path), (200, format!("ok {path}\n")));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // A large response streams whole.
    let (status, body) = request(addr, "GET", "/huge");
    assert_eq!(status, 200);
    assert_eq!(body.len(), 64 << 20);
    assert!(body.iter().all(|b| *b == b'x'));
    server.stop_after(161, 0);
}

#[test]
fn a_body_cut_off_by_a_limit_is_not_passed_off_as_whole() {
    let server = Server::start(
        &root().join("tests/e2e/hostile-http.yaml"),
        &["--timeout", "0.2"],
    );
    let mut stream = TcpStream::connect(server.addr).unwrap();
    write!(
        stream,
        "GET /endless HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    // The connection is dropped mid-body: an error or an early EOF, both fine.
    let _ = stream.read_to_end(&mut raw);
    assert!(
        raw.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        &raw[..raw.len().min(64)]
    );
    // An endless body in chunks: the terminating chunk never came.
    assert!(
        !raw.ends_with(b"0\r\n\r\n"),
        "the cut body was terminated as if whole"
    );
    let stderr = server.stop_after(1, 1);
    assert!(
        stderr.contains("GET /endless: the component ran longer than the 200ms timeout and was stopped (the response had started: its body was cut off)"),
        "{stderr}"
    );
}

/// CPU time (user + system) a process has used.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces) start at `) `.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

#[test]
fn past_the_open_file_limit_serve_backs_off_and_still_answers() {
    // 1,100 idle connections against a server that may open 1,024 files: it keeps
    // under its connection limit by closing the ones idle longest, does not spin, and
    // a normal request still answers within a second.
    let server = Server::start_with_file_limit(
        1024,
        &root().join("pipelines/counter/pipeline.yaml"),
        &["--idle-timeout", "30"],
    );
    assert_eq!(get(server.addr, "/warm").0, 200);
    let idle: Vec<TcpStream> = (0..1100)
        .map(|i| {
            TcpStream::connect(server.addr)
                .unwrap_or_else(|e| panic!("connection {i}: {e} (the test needs 1,200 open files)"))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let pid = server.child.id();
    let before = cpu_time(pid);
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_time(pid) - before;
    assert!(
        spent < Duration::from_millis(500),
        "the server used {spent:?} of CPU in 1 s while holding idle connections"
    );
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    write!(
        stream,
        "GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .expect("an answer within 1 s past the open-file limit");
    assert_eq!(&head, b"HTTP/1.1 200");
    drop(idle);
    let stderr = server.stop_after(2, 0);
    assert!(!stderr.contains("Too many open files"), "{stderr}");
}

#[test]
fn a_half_sent_request_is_closed_after_the_idle_timeout() {
    let server = Server::start(
        &root().join("pipelines/counter/pipeline.yaml"),
        &["--idle-timeout", "1"],
    );
    let mut half = TcpStream::connect(server.addr).unwrap();
    write!(half, "GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    half.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut rest = Vec::new();
    // The server closes it (end of stream), without an answer; no timeout error.
    half.read_to_end(&mut rest)
        .expect("the server closes a half-sent request");
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    // Keep-alive connections that stay idle are closed the same way; a new one answers.
    assert_eq!(get(server.addr, "/after").0, 200);
    server.stop_after(1, 0);
}

/// The counter behind its middleware (`pipelines/counter-guarded`), with a limit of 3
/// requests in a window that does not end while the test runs.
#[test]
fn middleware_layers_guard_the_counter_in_front_of_its_handler() {
    let dir = tempfile::tempdir().unwrap();
    let counter = format!("{}/pipelines/counter/", root().display());
    let pipeline = edited_example(
        dir.path(),
        "counter-guarded",
        &[
            ("../counter/", &counter),
            (
                r#"{ limit: "100", window: "60" }"#,
                r#"{ limit: "3", window: "1000000000" }"#,
            ),
        ],
    );
    let server = Server::start(&pipeline, &[]);
    let addr = server.addr;
    let call = |token: Option<&str>| {
        let header = token.map(|t| format!("authorization: Bearer {t}\r\n"));
        let (status, body) = request_with(addr, "GET", "/x", &header.unwrap_or_default());
        (status, String::from_utf8(body).unwrap())
    };
    // auth answers first: no token or a wrong one never reaches the limit or the counter.
    for token in [None, Some("nope"), Some("let-me-inx")] {
        let (status, body) = call(token);
        assert_eq!(status, 401, "{token:?}: {body}");
    }
    for n in 1..=3 {
        let (status, body) = call(Some("let-me-in"));
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains(&format!("/x has been requested {n} time")),
            "{body}"
        );
    }
    let (status, body) = call(Some("let-me-in"));
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("at most 3 every 1000000000 s"), "{body}");
    server.stop_after(7, 0);
}

/// WASI 0.3 middleware: a layer on the output's `wasi:http/handler` export serves the
/// handler it imports (the component's export), and refuses what it refuses.
#[test]
fn wasi_0_3_middleware_serves_the_handler_it_imports() {
    let server = Server::start(&root().join("tests/e2e/http-p3-gate.yaml"), &[]);
    assert_eq!(
        get(server.addr, "/p3/1?q=2"),
        (
            200,
            "hello from WASI 0.3: /gate/p3/1?q=2; SECRET=none\n".into()
        )
    );
    assert_eq!(get(server.addr, "/deny").0, 500);
    let log = server.stop_after(2, 1);
    assert!(log.contains("HttpRequestDenied"), "{log}");
}

/// An upstream HTTP server that answers with the statuses it is given, in order (200
/// once they run out), each with `METHOD PATH N bytes`, and records what it was sent.
struct Upstream {
    addr: SocketAddr,
    seen: Seen,
}

/// Each request an [`Upstream`] took: `METHOD PATH` and its body.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

impl Upstream {
    fn start(statuses: &[u16]) -> Upstream {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Seen::default();
        let (record, statuses) = (seen.clone(), Vec::from(statuses));
        std::thread::spawn(move || {
            let mut statuses = statuses.into_iter();
            for mut stream in listener.incoming().map_while(Result::ok) {
                let Some((line, body)) = read_request(&mut stream) else {
                    continue;
                };
                let status = statuses.next().unwrap_or(200);
                let text = format!("{line} {} bytes\n", body.len());
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                    text.len()
                );
                record.lock().unwrap().push((line, body));
            }
        });
        Upstream { addr, seen }
    }

    /// The requests so far: `METHOD PATH` and the body's length.
    fn seen(&self) -> Vec<(String, usize)> {
        let seen = self.seen.lock().unwrap();
        seen.iter().map(|(l, b)| (l.clone(), b.len())).collect()
    }
}

/// The gateway example (`pipelines/gateway`): the proxy answers with its upstream's
/// response; the `http-log` layer on its client edge logs every attempt and retries
/// an idempotent request that failed, its body sent again; a POST and a body too long
/// to keep go once.
#[test]
fn gateway_layer_logs_every_attempt_and_retries_what_it_may() {
    let upstream = Upstream::start(&[503, 200, 503, 503, 503, 200]);
    let dir = tempfile::tempdir().unwrap();
    let components = format!("{}/pipelines/gateway/components/", root().display());
    let pipeline = edited_example(
        dir.path(),
        "gateway",
        &[
            ("components/", &components),
            ("127.0.0.1:8081", &upstream.addr.to_string()),
            (r#"backoff-ms: "100""#, r#"backoff-ms: "1""#),
        ],
    );
    let server = Server::start(&pipeline, &[]);
    let send = |method: &str, path: &str, body: &[u8]| {
        let (status, text) = request_full(server.addr, method, path, "", body);
        (status, String::from_utf8(text).unwrap())
    };
    let long = vec![b'x'; 70 * 1024];
    assert_eq!(
        send("GET", "/a?q=1", b""),
        (200, "GET /a?q=1 0 bytes\n".into())
    );
    assert_eq!(
        send("POST", "/b", b"hello"),
        (503, "POST /b 5 bytes\n".into())
    );
    assert_eq!(
        send("PUT", "/c", &long),
        (503, "PUT /c 71680 bytes\n".into())
    );
    assert_eq!(
        send("PUT", "/d", b"0123456789"),
        (200, "PUT /d 10 bytes\n".into())
    );
    let sent: Vec<(String, usize)> = [
        ("GET /a?q=1", 0),
        ("GET /a?q=1", 0),
        ("POST /b", 5),
        ("PUT /c", 71680),
        ("PUT /d", 10),
        ("PUT /d", 10),
    ]
    .iter()
    .map(|(l, n)| (l.to_string(), *n))
    .collect();
    assert_eq!(upstream.seen(), sent);
    let log = server.stop_after(4, 0);
    let authority = upstream.addr;
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(&authority.to_string()))
        .collect();
    let expected = [
        format!("GET {authority}/a?q=1 503 "),
        format!("GET {authority}/a?q=1 200 "),
        format!("POST {authority}/b 503 "),
        format!("PUT {authority}/c 503 "),
        format!("PUT {authority}/d 503 "),
        format!("PUT {authority}/d 200 "),
    ];
    let attempts = ["1 of 3", "2 of 3", "1 of 1", "1 of 1", "1 of 3", "2 of 3"];
    assert_eq!(lines.len(), expected.len(), "{log}");
    for ((line, start), attempt) in lines.iter().zip(&expected).zip(attempts) {
        assert!(
            line.starts_with(start.as_str()) && line.ends_with(&format!(" ms (attempt {attempt})")),
            "{line:?} should start {start:?} and end with attempt {attempt}\n{log}"
        );
    }
}
