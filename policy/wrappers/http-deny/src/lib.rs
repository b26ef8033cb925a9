//! No outgoing HTTP: every request fails with `HTTP-request-denied`, and the host's
//! outgoing handler is not even imported.

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/http-deny",
    generate_all,
});

use exports::wasi::http::outgoing_handler::Guest;
use wasi::http::types::{ErrorCode, FutureIncomingResponse, OutgoingRequest, RequestOptions};

struct HttpDeny;

impl Guest for HttpDeny {
    fn handle(
        _: OutgoingRequest,
        _: Option<RequestOptions>,
    ) -> Result<FutureIncomingResponse, ErrorCode> {
        Err(ErrorCode::HttpRequestDenied)
    }
}

export!(HttpDeny);
