//! `client-pass-p3`: a layer written by `witpipe layer new` (the WIT from
//! witpipe's WASI WIT (0.2.12, 0.3.2, and the proposals it wraps)), for edges of
//! - `wasi:http/client@0.3.2`
//!
//! Every call goes on to the next component on the edge (the next layer, or the
//! capability behind the edge's policy); change the functions below to log, check,
//! rewrite or answer calls here.

wit_bindgen::generate!({ path: "wit", world: "client-pass-p3", generate_all });

#[allow(unused_imports)]
use exports::wasi::http::client as exp;
#[allow(unused_imports)]
use wasi::http::client as imp;

/// The layer: every call goes on to the next component on the edge, unchanged.
struct Forward;

impl exp::Guest for Forward {
    async fn send(request: exp::Request) -> Result<exp::Response, exp::ErrorCode> {
        imp::send(request).await
    }
}

export!(Forward);
