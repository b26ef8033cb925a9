//! The front of the lattice test's pipeline (see `lattice-front` in `../wit/probe.wit`).

wit_bindgen::generate!({ path: "../wit", world: "lattice-front", generate_all });

#[path = "../../common/http_get.rs"]
mod http_get;
#[path = "../../../../policy/wrappers/unescape.rs"]
mod unescape;

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use witpipe::probe::attempt;

struct Front;

impl Guest for Front {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        let text = if let Some(mode) = path.strip_prefix("/probe/") {
            attempt::run(&decode(mode))
        } else if let Some(url) = path.strip_prefix("/fetch/") {
            http_get::http(&decode(url))
        } else {
            "hello from a witpipe pipeline".to_string()
        };
        let response = OutgoingResponse::new(Fields::new());
        let body = response.body().expect("a body");
        ResponseOutparam::set(out, Ok(response));
        {
            let stream = body.write().expect("a stream");
            for chunk in format!("{text}\n").as_bytes().chunks(4096) {
                if stream.blocking_write_and_flush(chunk).is_err() {
                    break;
                }
            }
        }
        let _ = OutgoingBody::finish(body, None);
    }
}

/// Percent-decoding of a path segment (`%20` and friends).
fn decode(text: &str) -> String {
    unescape::unescape(text, b'%')
}

export!(Front);
