//! The gateway's handler (WASI 0.3): sends each request on to the `upstream` origin it
//! reads through `wasi:config` (`http://HOST:PORT`), with the same method, path, query
//! and body, and answers with the upstream's response, handed on as it is (status,
//! headers and body stream; nothing is copied). A request that cannot be sent is
//! answered 502 with the reason.

wit_bindgen::generate!({
    path: "../../../wit/gateway",
    world: "proxy",
    generate_all,
});

use exports::wasi::http::handler::Guest;
use wasi::config::store;
use wasi::http::client;
use wasi::http::types::{ErrorCode, Fields, Request, Response, Scheme};

/// The request headers passed upstream (the rest describe the hop, not the request).
const FORWARDED: [&str; 3] = ["accept", "content-type", "authorization"];

struct Proxy;

impl Guest for Proxy {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let upstream = store::get("upstream").ok().flatten().unwrap_or_default();
        let Some((scheme, authority)) = origin(&upstream) else {
            let why = format!(
                "no upstream: config `upstream` is {upstream:?}, expected http://HOST:PORT\n"
            );
            return Ok(answer(502, why));
        };
        let outgoing = forward(request, scheme, authority)?;
        match client::send(outgoing).await {
            Ok(response) => Ok(response),
            Err(e) => Ok(answer(502, format!("upstream {upstream}: {e:?}\n"))),
        }
    }
}

/// The scheme and authority of `http://HOST:PORT` or `https://HOST:PORT` (a path after
/// the authority is not allowed: requests keep their own).
fn origin(upstream: &str) -> Option<(Scheme, &str)> {
    let (scheme, rest) = if let Some(rest) = upstream.strip_prefix("http://") {
        (Scheme::Http, rest)
    } else {
        (Scheme::Https, upstream.strip_prefix("https://")?)
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    (!authority.is_empty() && !authority.contains(['/', '?', '#'])).then_some((scheme, authority))
}

/// The request to send upstream: `request`'s method, path, query, chosen headers and
/// its body stream, handed over.
fn forward(request: Request, scheme: Scheme, authority: &str) -> Result<Request, ErrorCode> {
    let method = request.get_method();
    let path = request.get_path_with_query();
    let headers = Fields::new();
    let incoming = request.get_headers();
    for name in FORWARDED {
        let values = incoming.get(name);
        if !values.is_empty() {
            headers
                .set(name, &values)
                .map_err(|e| ErrorCode::InternalError(Some(format!("{e:?}"))))?;
        }
    }
    let (delivered, delivered_reader) = wit_future::new(|| Ok(()));
    let (body, trailers) = Request::consume_body(request, delivered_reader);
    let (outgoing, sent) = Request::new(headers, Some(body), trailers, None);
    // Tell the incoming side how the body went once it has gone upstream.
    wit_bindgen::spawn_local(async move {
        let _ = delivered.write(sent.await).await;
    });
    let invalid = |()| ErrorCode::HttpRequestUriInvalid;
    outgoing
        .set_method(&method)
        .map_err(|()| ErrorCode::HttpRequestMethodInvalid)?;
    outgoing.set_scheme(Some(&scheme)).map_err(invalid)?;
    outgoing.set_authority(Some(authority)).map_err(invalid)?;
    outgoing
        .set_path_with_query(path.as_deref())
        .map_err(invalid)?;
    Ok(outgoing)
}

/// A plain-text response with `status`.
fn answer(status: u16, text: String) -> Response {
    let headers = Fields::new();
    let _ = headers.set("content-type", &[b"text/plain; charset=utf-8".to_vec()]);
    let (mut body, body_reader) = wit_stream::new();
    let (trailers, trailers_reader) = wit_future::new(|| Ok(None));
    let (response, _) = Response::new(headers, Some(body_reader), trailers_reader);
    let _ = response.set_status_code(status);
    drop(trailers);
    wit_bindgen::spawn_local(async move {
        body.write_all(text.into_bytes()).await;
    });
    response
}

export!(Proxy);
