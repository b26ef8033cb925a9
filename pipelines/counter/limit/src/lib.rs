//! A fixed-window rate limit in front of the counter's handler (a layer on its
//! export): at most `limit` requests per `window` seconds (both read through
//! `wasi:config`), counted in the key-value store so that every instance of the
//! output shares them; past the limit a request is answered 429.

wit_bindgen::generate!({
    path: "../../../wit/counter",
    world: "rate-limit",
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::clocks::wall_clock;
use wasi::config::store as config;
use wasi::http::incoming_handler;
use wasi::http::types::{IncomingRequest, ResponseOutparam};
use wasi::keyvalue::{atomics, store};

#[path = "../../respond.rs"]
mod respond;

struct Limit;

/// A number from `wasi:config`, or `default`.
fn setting(key: &str, default: u64) -> u64 {
    let value = config::get(key).ok().flatten();
    value.and_then(|v| v.parse().ok()).unwrap_or(default)
}

impl Guest for Limit {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let (limit, window) = (setting("limit", 60), setting("window", 60).max(1));
        let current = wall_clock::now().seconds / window;
        let counted = store::open("").map_err(|e| format!("{e:?}")).and_then(|b| {
            atomics::increment(&b, &format!("rate:{current}"), 1).map_err(|e| format!("{e:?}"))
        });
        match counted {
            Ok(n) if n <= limit => incoming_handler::handle(request, out),
            Ok(_) => respond::respond(
                out,
                429,
                "text/plain; charset=utf-8",
                &format!("too many requests: at most {limit} every {window} s\n"),
            ),
            Err(why) => respond::respond(
                out,
                503,
                "text/plain; charset=utf-8",
                &format!("the rate limit cannot count: {why}\n"),
            ),
        }
    }
}

export!(Limit);
