//! A WASI 0.3 HTTP handler (the `wasip3` crate) that says what it sees: the request's
//! path and the `SECRET` of its environment (`none` unless its grants pass it).

use wasip3::cli::environment;
use wasip3::http::types::{ErrorCode, Fields, Request, Response};
use wasip3::{wit_bindgen, wit_future, wit_stream};

wasip3::http::service::export!(Handler);

struct Handler;

impl wasip3::exports::http::handler::Guest for Handler {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let path = request.get_path_with_query().unwrap_or_default();
        let secret = environment::get_environment()
            .into_iter()
            .find(|(k, _)| k == "SECRET")
            .map_or_else(|| "none".to_string(), |(_, v)| v);
        let text = format!("hello from WASI 0.3: {path}; SECRET={secret}\n");
        let (mut body, body_reader) = wit_stream::new();
        let (trailers, trailers_reader) = wit_future::new(|| Ok(None));
        let (response, _) = Response::new(Fields::new(), Some(body_reader), trailers_reader);
        drop(trailers);
        // The body is written after the response is returned.
        wit_bindgen::spawn_local(async move {
            body.write_all(text.into_bytes()).await;
        });
        Ok(response)
    }
}
