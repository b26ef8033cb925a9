//! An HTTP client layer (WASI 0.3), put on a component's `wasi:http/client` edge with
//! `layers:`. For every attempt it writes one line to its stderr:
//!
//! ```text
//! GET 127.0.0.1:8081/path?q 503 2 ms (attempt 1 of 3)
//! ```
//!
//! and it retries an idempotent request (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) that
//! fails with a connection or DNS error or a 502, 503 or 504, up to `attempts` times
//! (default 3), waiting `backoff-ms` (default 100) and twice as long after each try.
//! Settings come through `wasi:config`; a value that is not a number is said on stderr
//! and the default used.
//!
//! An idempotent request's body is kept to send it again, up to 64 KiB; a longer one is
//! sent once, as it streams. Any other request is handed on as it is (the request
//! resource itself, body and all). A request the component's `http:` grant refuses
//! (`HttpRequestDenied`, from the policy wrapper behind this layer) is never retried.

wit_bindgen::generate!({
    path: "../../../wit/gateway",
    world: "http-log",
    generate_all,
});

use exports::wasi::http::client::Guest;
use std::future::IntoFuture;
use wasi::cli::stderr;
use wasi::clocks::monotonic_clock;
use wasi::config::store;
use wasi::http::client as next;
use wasi::http::types::{ErrorCode, Fields, Method, Request, RequestOptions, Response, Scheme};
use wit_bindgen::{StreamReader, StreamResult};

/// The longest body kept to send again.
const KEPT: usize = 64 * 1024;

struct Log;

impl Guest for Log {
    async fn send(request: Request) -> Result<Response, ErrorCode> {
        let line = Line::of(&request);
        let attempts = if line.idempotent {
            setting("attempts", 3, 1..=10).await
        } else {
            1
        };
        if attempts == 1 {
            return line.attempt(1, 1, next::send(request)).await;
        }
        let backoff = setting("backoff-ms", 100, 0..=10_000).await;
        let parts = match Parts::keep(request).await {
            Kept::Whole(parts) => parts,
            Kept::TooLong(request) => return line.attempt(1, 1, next::send(request)).await,
            Kept::Failed(e) => return line.attempt(1, 1, async { Err(e) }).await,
        };
        let mut wait = u64::from(backoff) * 1_000_000;
        for n in 1..attempts {
            let result = line.attempt(n, attempts, next::send(parts.request())).await;
            if !retryable(&result) {
                return result;
            }
            monotonic_clock::wait_for(wait).await;
            wait = wait.saturating_mul(2);
        }
        line.attempt(attempts, attempts, next::send(parts.request()))
            .await
    }
}

/// What a request's log line says of it.
struct Line {
    method: String,
    authority: String,
    path: String,
    idempotent: bool,
}

impl Line {
    fn of(request: &Request) -> Line {
        let (method, idempotent) = match request.get_method() {
            Method::Get => ("GET".to_string(), true),
            Method::Head => ("HEAD".into(), true),
            Method::Options => ("OPTIONS".into(), true),
            Method::Trace => ("TRACE".into(), true),
            Method::Put => ("PUT".into(), true),
            Method::Delete => ("DELETE".into(), true),
            Method::Post => ("POST".into(), false),
            Method::Patch => ("PATCH".into(), false),
            Method::Connect => ("CONNECT".into(), false),
            Method::Other(other) => (other, false),
        };
        Line {
            method,
            authority: request.get_authority().unwrap_or_default(),
            path: request.get_path_with_query().unwrap_or_else(|| "/".into()),
            idempotent,
        }
    }

    /// Awaits one attempt and logs it.
    async fn attempt(
        &self,
        n: u32,
        of: u32,
        sent: impl std::future::Future<Output = Result<Response, ErrorCode>>,
    ) -> Result<Response, ErrorCode> {
        let start = monotonic_clock::now();
        let result = sent.await;
        let ms = monotonic_clock::now().saturating_sub(start) / 1_000_000;
        let outcome = match &result {
            Ok(response) => response.get_status_code().to_string(),
            Err(e) => format!("{e:?}"),
        };
        let Line {
            method,
            authority,
            path,
            ..
        } = self;
        log(format!(
            "{method} {authority}{path} {outcome} {ms} ms (attempt {n} of {of})\n"
        ))
        .await;
        result
    }
}

/// Whether an attempt failed in a way another attempt may not.
fn retryable(result: &Result<Response, ErrorCode>) -> bool {
    match result {
        Ok(response) => matches!(response.get_status_code(), 502..=504),
        Err(e) => matches!(
            e,
            ErrorCode::DnsTimeout
                | ErrorCode::DnsError(_)
                | ErrorCode::DestinationUnavailable
                | ErrorCode::ConnectionRefused
                | ErrorCode::ConnectionTerminated
                | ErrorCode::ConnectionTimeout
                | ErrorCode::ConnectionReadTimeout
                | ErrorCode::ConnectionWriteTimeout
                | ErrorCode::ConnectionLimitReached
                | ErrorCode::HttpResponseIncomplete
                | ErrorCode::HttpResponseTimeout
        ),
    }
}

/// An idempotent request taken apart, so that it can be made again for each attempt.
struct Parts {
    method: Method,
    scheme: Option<Scheme>,
    authority: Option<String>,
    path: Option<String>,
    headers: Fields,
    options: Option<RequestOptions>,
    body: Vec<u8>,
    trailers: Option<Fields>,
}

/// A request whose body was kept whole, one too long to keep (made whole again), or
/// the error its body ended with.
enum Kept {
    Whole(Parts),
    TooLong(Request),
    Failed(ErrorCode),
}

impl Parts {
    /// Reads `request`'s body (up to [`KEPT`] bytes) and keeps its parts.
    async fn keep(request: Request) -> Kept {
        let mut parts = Parts {
            method: request.get_method(),
            scheme: request.get_scheme(),
            authority: request.get_authority(),
            path: request.get_path_with_query(),
            headers: request.get_headers().clone(),
            options: request.get_options().map(|o| o.clone()),
            body: Vec::new(),
            trailers: None,
        };
        let (delivered, delivered_reader) = wit_future::new(|| Ok(()));
        let (mut contents, trailers) = Request::consume_body(request, delivered_reader);
        while parts.body.len() <= KEPT {
            let (result, more) = contents.read(Vec::with_capacity(16 * 1024)).await;
            parts.body.extend_from_slice(&more);
            if matches!(result, StreamResult::Dropped | StreamResult::Cancelled) {
                return match trailers.await {
                    Ok(trailers) => {
                        spawn_write(delivered, Ok(()));
                        parts.trailers = trailers;
                        Kept::Whole(parts)
                    }
                    Err(e) => {
                        spawn_write(delivered, Err(e.clone()));
                        Kept::Failed(e)
                    }
                };
            }
        }
        // Too long to keep: send it once, the kept bytes first, then the rest as it comes.
        let kept = std::mem::take(&mut parts.body);
        let (mut replay, replayed) = wit_stream::new();
        let (request, sent) = parts.make(Some(replayed), trailers);
        wit_bindgen::spawn_local(async move {
            replay.write_all(kept).await;
            forward_rest(&mut contents, &mut replay).await;
        });
        wit_bindgen::spawn_local(async move {
            let _ = delivered.write(sent.await).await;
        });
        Kept::TooLong(request)
    }

    /// A new request from these parts, its body the kept bytes.
    fn request(&self) -> Request {
        let contents = (!self.body.is_empty()).then(|| {
            let (mut tx, rx) = wit_stream::new();
            let body = self.body.clone();
            wit_bindgen::spawn_local(async move {
                tx.write_all(body).await;
            });
            rx
        });
        let (trailers, trailers_reader) = wit_future::new(|| Ok(None));
        spawn_write(trailers, Ok(self.trailers.as_ref().map(|t| t.clone())));
        let (request, sent) = self.make(contents, trailers_reader);
        // Await how the body went: a host may end the exchange (the response's body
        // too) when nobody is left to hear it (wasmtime 49's `serve` does).
        wit_bindgen::spawn_local(async move {
            let _ = sent.await;
        });
        request
    }

    /// A request of these parts with `contents` and `trailers`.
    fn make(
        &self,
        contents: Option<StreamReader<u8>>,
        trailers: wit_bindgen::FutureReader<Result<Option<Fields>, ErrorCode>>,
    ) -> (Request, wit_bindgen::FutureReader<Result<(), ErrorCode>>) {
        let options = self.options.as_ref().map(|o| o.clone());
        let (request, sent) = Request::new(self.headers.clone(), contents, trailers, options);
        // The parts came from a valid request: setting them again cannot fail.
        let _ = request.set_method(&self.method);
        let _ = request.set_scheme(self.scheme.as_ref());
        let _ = request.set_authority(self.authority.as_deref());
        let _ = request.set_path_with_query(self.path.as_deref());
        (request, sent)
    }
}

/// Copies what is left of `from` into `to`.
async fn forward_rest(from: &mut StreamReader<u8>, to: &mut wit_bindgen::StreamWriter<u8>) {
    loop {
        let (result, chunk) = from.read(Vec::with_capacity(16 * 1024)).await;
        if !chunk.is_empty() && !to.write_all(chunk).await.is_empty() {
            return;
        }
        if matches!(result, StreamResult::Dropped | StreamResult::Cancelled) {
            return;
        }
    }
}

/// Writes `value` into a future's writer without waiting for the reader.
fn spawn_write<T: 'static>(writer: wit_bindgen::FutureWriter<T>, value: T) {
    wit_bindgen::spawn_local(async move {
        let _ = writer.write(value).await;
    });
}

/// The number setting `name` from `wasi:config`, or `default` (said on stderr when the
/// value is not a number in `range`).
async fn setting(name: &str, default: u32, range: std::ops::RangeInclusive<u32>) -> u32 {
    let Some(text) = store::get(name).ok().flatten() else {
        return default;
    };
    match text.trim().parse() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            log(format!(
                "http-log: {name} {text:?} is not a number in {range:?}; using {default}\n"
            ))
            .await;
            default
        }
    }
}

/// Writes `line` to stderr (a denied stderr loses it: logging never fails a request).
async fn log(line: String) {
    let (mut tx, rx) = wit_stream::new();
    let _ = futures::join!(stderr::write_via_stream(rx).into_future(), async move {
        tx.write_all(line.into_bytes()).await;
        drop(tx);
    });
}

export!(Log);
