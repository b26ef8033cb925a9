//! `serve`: a component that exports `wasi:http/incoming-handler`, one fresh instance
//! per request from a pre-instantiated template, many requests at once.

use crate::limits::Ticker;
use crate::{granted_store, host_linker, Host, HostError, HostGrants, Limits, Shared};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use wasmtime::component::Component;
use wasmtime::Engine;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::WasiHttpView;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Limits for each request's instance.
    pub limits: Limits,
    /// How long shutdown waits for requests in flight.
    pub drain: Duration,
}

/// What one server did, reported when it stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeReport {
    /// Requests answered by the component.
    pub answered: u64,
    /// Requests answered with a 5xx because the instance failed or hit a limit.
    pub failed: u64,
}

struct Server {
    pre: ProxyPre<Host>,
    grants: HostGrants,
    shared: Shared,
    limits: Limits,
    answered: AtomicU64,
    failed: AtomicU64,
}

/// Serves `component` until `shutdown` resolves (and, from the command line, Ctrl-C
/// or SIGTERM — pass [`shutdown_signal`]). `ready` is told the bound address.
/// In-flight requests get `options.drain` to finish.
pub fn serve<F>(
    engine: &Engine,
    component: &Component,
    grants: &HostGrants,
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
    shutdown: F,
) -> Result<ServeReport, HostError>
where
    F: std::future::Future<Output = ()>,
{
    let linker = host_linker(engine, grants, true).map_err(HostError::Start)?;
    let pre = linker
        .instantiate_pre(component)
        .and_then(ProxyPre::new)
        .map_err(HostError::Start)?;
    // Fail at start, not at the first request, when the grants cannot be honoured.
    grants.builder()?;
    let server = Arc::new(Server {
        pre,
        grants: grants.clone(),
        shared: Shared::new(grants),
        limits: options.limits,
        answered: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| HostError::Serve(format!("cannot start the server's threads: {e}")))?;
    let _ticker = Ticker::start(engine, true);
    runtime.block_on(accept_loop(server.clone(), options, ready, shutdown))?;
    Ok(ServeReport {
        answered: server.answered.load(Ordering::Relaxed),
        failed: server.failed.load(Ordering::Relaxed),
    })
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

async fn accept_loop<F: std::future::Future<Output = ()>>(
    server: Arc<Server>,
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
    shutdown: F,
) -> Result<(), HostError> {
    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|e| HostError::Serve(format!("cannot listen on {}: {e}", options.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| HostError::Serve(e.to_string()))?;
    ready(addr);
    let (stop, stopping) = watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { continue };
                let server = server.clone();
                let mut stopping = stopping.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let server = server.clone();
                        async move { Ok::<_, std::convert::Infallible>(server.handle(req).await) }
                    });
                    let conn = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(client), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stopping.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            // Reap finished connections as we go, so the set stays small.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(options.drain, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
    Ok(())
}

impl Server {
    async fn handle(
        self: Arc<Self>,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> hyper::Response<HyperOutgoingBody> {
        let what = format!("{} {}", req.method(), req.uri().path());
        match self.clone().instance(req).await {
            Ok(response) => {
                self.answered.fetch_add(1, Ordering::Relaxed);
                response
            }
            Err((status, error)) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                eprintln!("witpipe serve: {what}: {error} (answered {status})");
                plain(status, format!("{error}\n"))
            }
        }
    }

    /// Runs one request on a fresh instance.
    async fn instance(
        self: Arc<Self>,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<HyperOutgoingBody>, (u16, HostError)> {
        let mut store = granted_store(
            self.pre.engine(),
            &self.grants,
            &self.shared,
            &self.limits,
            true,
        )
        .map_err(|e| (500, e))?;
        let start = |e: wasmtime::Error| (500, HostError::Start(e));
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let req = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, req)
            .map_err(start)?;
        let out = store
            .data_mut()
            .http()
            .new_response_outparam(sender)
            .map_err(start)?;
        let pre = self.pre.clone();
        let task = tokio::task::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, req, out)
                .await
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => Err((
                500,
                HostError::Trap(wasmtime::Error::msg(format!(
                    "the component answered with an error: {code:?}"
                ))),
            )),
            Err(_) => {
                let e = match task.await {
                    Ok(Ok(())) => {
                        return Err((
                            500,
                            HostError::Trap(wasmtime::Error::msg(
                                "the component returned without setting a response",
                            )),
                        ))
                    }
                    Ok(Err(e)) => self.limits.classify(e),
                    Err(e) => HostError::Trap(wasmtime::Error::msg(e.to_string())),
                };
                let status = match e {
                    HostError::Timeout(_) => 504,
                    HostError::Memory(_) | HostError::Fuel(_) => 503,
                    _ => 500,
                };
                Err((status, e))
            }
        }
    }
}

/// A plain-text response.
fn plain(status: u16, text: String) -> hyper::Response<HyperOutgoingBody> {
    let body = Full::new(Bytes::from(text))
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut response = hyper::Response::new(body);
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
