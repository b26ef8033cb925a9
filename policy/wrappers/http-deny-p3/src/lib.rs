//! No outgoing HTTP at WASI 0.3: every request fails with `HTTP-request-denied`, and
//! the host's client is not even imported.

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/http-deny",
    generate_all,
});

use exports::wasi::http::client::Guest;
use wasi::http::types::{ErrorCode, Request, Response};

struct HttpDeny;

impl Guest for HttpDeny {
    async fn send(_: Request) -> Result<Response, ErrorCode> {
        Err(ErrorCode::HttpRequestDenied)
    }
}

export!(HttpDeny);
