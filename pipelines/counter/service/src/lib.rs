//! The counter service: counts hits per path in `wasi:keyvalue` (one atomic increment
//! per request) and answers with the page the `render` stage writes.

wit_bindgen::generate!({
    path: "../../../wit/counter",
    world: "service",
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{IncomingRequest, Method, ResponseOutparam};
use wasi::keyvalue::{atomics, store};
use witpipe::counter::render::{render, Hit, Page};

#[path = "../../respond.rs"]
mod respond;

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
        send(out, &page);
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
fn send(out: ResponseOutparam, page: &Page) {
    respond::respond(out, page.status, &page.content_type, &page.body);
}

export!(Service);
