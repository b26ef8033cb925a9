//! The counter service: counts hits per path in `wasi:keyvalue` (one atomic increment
//! per request) and answers with the page the `render` stage writes.

wit_bindgen::generate!({
    path: "../../../wit/counter",
    world: "service",
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{
    Fields, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasi::keyvalue::{atomics, store};
use witpipe::counter::render::{render, Hit, Page};

struct Service;

impl Guest for Service {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let method = method_name(&request.method());
        let target = request.path_with_query().unwrap_or_else(|| "/".into());
        let path = target.split('?').next().unwrap_or("/").to_string();
        let page = match count(&path) {
            Ok(count) => render(&Hit {
                method,
                path,
                count,
            }),
            Err(why) => Page {
                status: 500,
                content_type: "text/plain; charset=utf-8".into(),
                body: format!("the key-value store failed: {why}\n"),
            },
        };
        respond(out, &page);
    }
}

/// One more hit on `path`; the new count.
fn count(path: &str) -> Result<u64, String> {
    let bucket = store::open("").map_err(|e| format!("{e:?}"))?;
    atomics::increment(&bucket, &format!("hits:{path}"), 1).map_err(|e| format!("{e:?}"))
}

fn method_name(method: &Method) -> String {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Connect => "CONNECT",
        Method::Options => "OPTIONS",
        Method::Trace => "TRACE",
        Method::Patch => "PATCH",
        Method::Other(other) => other,
    }
    .to_string()
}

/// Sends `page` as the response.
fn respond(out: ResponseOutparam, page: &Page) {
    let headers = Fields::new();
    // Header values the render stage chose; a bad one is dropped, not fatal.
    let _ = headers.set("content-type", &[page.content_type.as_bytes().to_vec()]);
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(page.status);
    let body = response.body().expect("a new response has a body");
    ResponseOutparam::set(out, Ok(response));
    {
        let stream = body.write().expect("a new body has a stream");
        // `blocking-write-and-flush` takes at most 4096 bytes at a time.
        for chunk in page.body.as_bytes().chunks(4096) {
            if stream.blocking_write_and_flush(chunk).is_err() {
                break;
            }
        }
    }
    let _ = OutgoingBody::finish(body, None);
}

export!(Service);
