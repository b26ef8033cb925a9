//! Outgoing HTTP to allowed hosts only, at WASI 0.3: a request whose destination is on
//! the allow-list (`../http_allow.rs`) is handed to the host's `client.send` as it is —
//! the request resource, and with it the body stream, is passed on, never copied; any
//! other fails with `HTTP-request-denied` and the host never sees it.

#[path = "../../http_allow.rs"]
mod http_allow;
#[path = "../../settings.rs"]
mod settings;

wit_bindgen::generate!({
    path: "../../wit/p3",
    world: "witpipe:policy-p3/http-guard",
    generate_all,
});

use exports::wasi::http::client::Guest;
use wasi::http::client as host;
use wasi::http::types::{ErrorCode, Request, Response, Scheme};

struct HttpGuard;

impl Guest for HttpGuard {
    async fn send(request: Request) -> Result<Response, ErrorCode> {
        let scheme = match request.get_scheme() {
            Some(Scheme::Http) => "http".to_string(),
            Some(Scheme::Https) | None => "https".to_string(),
            Some(Scheme::Other(s)) => s.to_ascii_lowercase(),
        };
        if http_allow::allowed(&scheme, request.get_authority()) {
            host::send(request).await
        } else {
            Err(ErrorCode::HttpRequestDenied)
        }
    }
}

export!(HttpGuard);
