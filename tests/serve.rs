//! `witpipe serve` end to end: the counter example under concurrent clients, and a
//! hostile service whose bad routes hit the limits while the good ones keep answering.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
        let mut child = Command::new(env!("CARGO_BIN_EXE_witpipe"))
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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on its own connection: (status, body).
fn request(addr: SocketAddr, method: &str, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
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

/// The payload of a chunked body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
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
    let (status, stderr) = server.stop();
    assert_eq!(status, 0, "{stderr}");
    let total = clients * per_client + 1;
    assert!(
        stderr.contains(&format!("stopped after {total} requests (0 failed)")),
        "{stderr}"
    );
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
            _ => (500, "the component trapped"),
        };
        assert_eq!(status, want_status, "{path}: {body}");
        assert!(body.contains(want_text), "{path}: {body}");
    }
    // A large response streams whole.
    let (status, body) = request(addr, "GET", "/huge");
    assert_eq!(status, 200);
    assert_eq!(body.len(), 64 << 20);
    assert!(body.iter().all(|b| *b == b'x'));
    assert_eq!(get(addr, "/ok"), (200, "ok /ok\n".into()));
    let (status, stderr) = server.stop();
    assert_eq!(status, 0, "{stderr}");
    assert!(
        stderr.contains("stopped after 48 requests (6 failed)"),
        "{stderr}"
    );
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
