//! Middleware at WASI 0.3, for the `layers:` tests: a layer on the output's
//! `wasi:http/handler` export. A request for `/deny…` is refused; any other is handed
//! to the handler it imports (the next layer, or the component) with its path under
//! `/gate`, the request resource itself passed on.

wit_bindgen::generate!({ path: "../wit-p3-layer", world: "gate-p3", generate_all });

use exports::wasi::http::handler::Guest;
use wasi::http::handler as next;
use wasi::http::types::{ErrorCode, Request, Response};

struct Gate;

impl Guest for Gate {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let path = request.get_path_with_query().unwrap_or_else(|| "/".into());
        if path.starts_with("/deny") {
            return Err(ErrorCode::HttpRequestDenied);
        }
        let moved = request.set_path_with_query(Some(&format!("/gate{path}")));
        moved.map_err(|()| ErrorCode::HttpRequestUriInvalid)?;
        next::handle(request).await
    }
}

export!(Gate);
