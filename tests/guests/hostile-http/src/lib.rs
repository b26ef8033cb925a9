//! An HTTP service with hostile routes, for the limits and load tests of `serve`.

wit_bindgen::generate!({ path: "../wit", world: "hostile-http", generate_all });

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

struct Hostile;

impl Guest for Hostile {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let path = request.path_with_query().unwrap_or_default();
        match path.as_str() {
            "/loop" => {
                let mut n = 0u64;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "/bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "/trap" => panic!("a trap on purpose"),
            // Waits on the host for ten minutes: no wasm runs, so only the wall clock
            // can stop it.
            "/sleep" => {
                wasi::clocks::monotonic_clock::subscribe_duration(600_000_000_000).block();
                send(out, std::iter::once(b"woke\n".as_slice()));
            }
            "/huge" => {
                let chunk = vec![b'x'; 4096];
                send(out, (0..16 * 1024).map(|_| chunk.as_slice()));
            }
            // A body that never ends: only a limit stops it, however fast the machine.
            "/endless" => {
                let chunk = vec![b'x'; 4096];
                send(out, std::iter::repeat(chunk.as_slice()));
            }
            other => {
                let text = format!("ok {other}\n");
                send(out, std::iter::once(text.as_bytes()));
            }
        }
    }
}

/// Answers 200 with the chunks (each at most 4096 bytes) as the body.
fn send<'a>(out: ResponseOutparam, chunks: impl Iterator<Item = &'a [u8]>) {
    let response = OutgoingResponse::new(Fields::new());
    let body = response.body().expect("a body");
    ResponseOutparam::set(out, Ok(response));
    {
        let stream = body.write().expect("a stream");
        for chunk in chunks {
            if stream.blocking_write_and_flush(chunk).is_err() {
                break;
            }
        }
    }
    let _ = OutgoingBody::finish(body, None);
}

export!(Hostile);
