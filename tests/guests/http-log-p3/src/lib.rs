//! An HTTP client layer at WASI 0.3, for the `layers:` tests: it hands each request on
//! as it is (the request resource, body and all) and writes one line per request to
//! its stderr: method, authority, path, the status or the error, and the time taken.

wit_bindgen::generate!({ path: "../wit-p3-layer", world: "http-log-p3", generate_all });

use exports::wasi::http::client::Guest;
use std::future::IntoFuture;
use wasi::cli::stderr;
use wasi::clocks::monotonic_clock;
use wasi::http::client as next;
use wasi::http::types::{ErrorCode, Method, Request, Response};

struct Log;

impl Guest for Log {
    async fn send(request: Request) -> Result<Response, ErrorCode> {
        let method = match request.get_method() {
            Method::Get => "GET".to_string(),
            Method::Head => "HEAD".into(),
            Method::Post => "POST".into(),
            Method::Put => "PUT".into(),
            Method::Delete => "DELETE".into(),
            Method::Connect => "CONNECT".into(),
            Method::Options => "OPTIONS".into(),
            Method::Trace => "TRACE".into(),
            Method::Patch => "PATCH".into(),
            Method::Other(other) => other,
        };
        let authority = request.get_authority().unwrap_or_default();
        let path = request.get_path_with_query().unwrap_or_else(|| "/".into());
        let start = monotonic_clock::now();
        let result = next::send(request).await;
        let ms = monotonic_clock::now().saturating_sub(start) / 1_000_000;
        let outcome = match &result {
            Ok(response) => response.get_status_code().to_string(),
            Err(e) => format!("{e:?}"),
        };
        log(format!("{method} {authority}{path} {outcome} {ms} ms\n")).await;
        result
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
