//! Bearer-token auth in front of the counter's handler (a layer on its export): a
//! request whose `authorization` header is not `Bearer TOKEN`, with the `token` it
//! reads through `wasi:config`, is answered 401; any other is handed on unchanged.

wit_bindgen::generate!({
    path: "../../../wit/counter",
    world: "auth",
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::config::store;
use wasi::http::incoming_handler;
use wasi::http::types::{IncomingRequest, ResponseOutparam};

#[path = "../../respond.rs"]
mod respond;

struct Auth;

impl Guest for Auth {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        // No token granted: nothing can match, so nothing passes.
        let token = store::get("token").ok().flatten().filter(|t| !t.is_empty());
        let expected = token.map(|t| format!("Bearer {t}").into_bytes());
        let given = request.headers().get("authorization");
        match expected {
            Some(expected) if given.len() == 1 && given[0] == expected => {
                incoming_handler::handle(request, out)
            }
            _ => respond::respond(
                out,
                401,
                "text/plain; charset=utf-8",
                "a bearer token is required: send `authorization: Bearer TOKEN`\n",
            ),
        }
    }
}

export!(Auth);
