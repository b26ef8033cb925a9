//! Sending a whole response through a WASI 0.2 `response-outparam`, shared by the
//! counter's service and its middleware (each compiles it against its own bindings).

use crate::wasi::http::types::{Fields, OutgoingBody, OutgoingResponse, ResponseOutparam};

/// Answers with `status`, a `content-type` header and `body`.
pub fn respond(out: ResponseOutparam, status: u16, content_type: &str, body: &str) {
    let headers = Fields::new();
    // A header value the caller chose; a bad one is dropped, not fatal.
    let _ = headers.set("content-type", &[content_type.as_bytes().to_vec()]);
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(status);
    let body_handle = response.body().expect("a new response has a body");
    ResponseOutparam::set(out, Ok(response));
    {
        let stream = body_handle.write().expect("a new body has a stream");
        // `blocking-write-and-flush` takes at most 4096 bytes at a time.
        for chunk in body.as_bytes().chunks(4096) {
            if stream.blocking_write_and_flush(chunk).is_err() {
                break;
            }
        }
    }
    let _ = OutgoingBody::finish(body_handle, None);
}
