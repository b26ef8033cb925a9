//! A GET request through `wasi:http/outgoing-handler`, shared by the guests that
//! make one (each includes this file next to its own `wasi` bindings).

/// A GET request through `wasi:http/outgoing-handler`: the status and body, or why not.
pub fn http(url: &str) -> String {
    use crate::wasi::http::outgoing_handler::handle;
    use crate::wasi::http::types::{Fields, OutgoingBody, OutgoingRequest, Scheme};
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let request = OutgoingRequest::new(Fields::new());
    let _ = request.set_scheme(Some(&if scheme == "https" {
        Scheme::Https
    } else {
        Scheme::Http
    }));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some(path));
    let body = request.body().expect("request body");
    let future = match handle(request, None) {
        Ok(f) => f,
        Err(code) => return format!("refused: {code:?}"),
    };
    let _ = OutgoingBody::finish(body, None);
    future.subscribe().block();
    let response = match future.get() {
        Some(Ok(Ok(r))) => r,
        Some(Ok(Err(code))) => return format!("failed: {code:?}"),
        other => return format!("failed: {other:?}"),
    };
    let status = response.status();
    let mut text = Vec::new();
    if let Ok(body) = response.consume() {
        if let Ok(stream) = body.stream() {
            while let Ok(chunk) = stream.blocking_read(4096) {
                text.extend(chunk);
            }
        }
    }
    format!("status {status}: {}", String::from_utf8_lossy(&text))
}
