//! Outgoing HTTP to allowed hosts only: a request whose destination is not on the
//! allow-list (`../http_allow.rs`) fails with `HTTP-request-denied` and the host never
//! sees it.

#[path = "../../http_allow.rs"]
mod http_allow;
#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit",
    world: "witpipe:policy/http-guard",
    generate_all,
});

use exports::wasi::http::outgoing_handler::Guest;
use wasi::http::outgoing_handler as host;
use wasi::http::types::{
    ErrorCode, FutureIncomingResponse, OutgoingRequest, RequestOptions, Scheme,
};

struct HttpGuard;

impl Guest for HttpGuard {
    fn handle(
        request: OutgoingRequest,
        options: Option<RequestOptions>,
    ) -> Result<FutureIncomingResponse, ErrorCode> {
        let scheme = match request.scheme() {
            Some(Scheme::Http) => "http".to_string(),
            Some(Scheme::Https) | None => "https".to_string(),
            Some(Scheme::Other(s)) => s.to_ascii_lowercase(),
        };
        if http_allow::allowed(&scheme, request.authority()) {
            host::handle(request, options)
        } else {
            Err(ErrorCode::HttpRequestDenied)
        }
    }
}

export!(HttpGuard);
