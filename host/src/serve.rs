//! `serve`: a component that exports `wasi:http/incoming-handler` (WASI 0.2) or
//! `wasi:http/handler` (WASI 0.3), one fresh instance per request from a
//! pre-instantiated template, many requests at once.

use crate::limits::{bounded, Ticker};
use crate::{exports_interface, granted_store, host_linker, Host, HostError, HostGrants};
use crate::{Limits, Shared};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use std::future::Future as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use wasmtime::component::Component;
use wasmtime::Engine;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode as OutCode, Scheme};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::p3;
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::Error as ErrorCode;
use wasmtime_wasi_http::WasiHttpView;

/// Says where a trap happened (an instance name), for the log.
pub type TrapSite = Arc<dyn Fn(&HostError) -> Option<TrapNote> + Send + Sync>;

/// What the embedder knows about a trap: where it happened, and whether that says all
/// (a policy denial, explained), so the trap's own text and backtrace can be left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapNote {
    /// Where it happened, or the whole explanation when `explains`.
    pub site: String,
    /// Whether `site` is the whole story.
    pub explains: bool,
}

/// How to serve.
#[derive(Clone)]
pub struct ServeOptions {
    /// Where to listen (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Limits for each request's instance.
    pub limits: Limits,
    /// How long shutdown waits for requests in flight.
    pub drain: Duration,
    /// Instances alive at once; further requests wait for a free one (match the
    /// engine's pool, [`crate::EngineOptions::pooling`]).
    pub max_instances: u32,
    /// Names where a trap happened in the log line of a failed request.
    pub trap_site: Option<TrapSite>,
    /// Connections open at once. At the limit, a new connection closes the one idle
    /// longest (no request in progress), or is closed itself when none is idle; keep it
    /// below the open-file limit ([`default_max_connections`]).
    pub max_connections: usize,
    /// How long a connection may go without a request in progress — its headers not
    /// yet complete, or idle between keep-alive requests — before it is closed.
    pub idle_timeout: Duration,
}

/// Open files kept for everything but connections (the listener, the cache, the
/// runtime's own).
const FILES_KEPT: u64 = 64;

/// The connection limit that fits under this process's open-file limit.
pub fn default_max_connections() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes only the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            let files = limit.rlim_cur.min(1 << 20);
            return files.saturating_sub(FILES_KEPT).max(16) as usize;
        }
    }
    1_000
}

/// What one server did, reported when it stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeReport {
    /// Requests answered by the component.
    pub answered: u64,
    /// Requests answered with a 5xx because the instance failed or hit a limit.
    pub failed: u64,
}

/// The template each request's instance comes from, by the WASI version of the
/// handler the component exports.
enum Handler {
    P2(ProxyPre<Host>),
    P3(ServicePre<Host>),
}

impl Handler {
    fn engine(&self) -> &Engine {
        match self {
            Handler::P2(pre) => pre.engine(),
            Handler::P3(pre) => pre.engine(),
        }
    }
}

struct Server {
    pre: Handler,
    grants: HostGrants,
    shared: Shared,
    limits: Limits,
    trap_site: Option<TrapSite>,
    slots: Arc<tokio::sync::Semaphore>,
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
    let pre = match exports_interface(engine, component, "wasi:http/handler@0.3") {
        false => linker
            .instantiate_pre(component)
            .and_then(ProxyPre::new)
            .map(Handler::P2),
        true => linker
            .instantiate_pre(component)
            .and_then(ServicePre::new)
            .map(Handler::P3),
    }
    .map_err(HostError::Start)?;
    // Fail at start, not at the first request, when the grants cannot be honoured.
    grants.builder()?;
    let server = Arc::new(Server {
        pre,
        grants: grants.clone(),
        shared: Shared::new(grants),
        limits: options.limits,
        trap_site: options.trap_site.clone(),
        slots: Arc::new(tokio::sync::Semaphore::new(
            options.max_instances.max(1) as usize
        )),
        answered: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(HostError::Threads)?;
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

/// One open connection, shared by the accept loop and the connection's task.
#[derive(Default)]
struct Connection {
    /// Requests in progress on it (a response counts until its body is sent).
    busy: std::sync::atomic::AtomicUsize,
    /// When it last had no request in progress, in milliseconds since the server started.
    idle_since: AtomicU64,
    /// Closes it.
    close: tokio::sync::Notify,
}

impl Connection {
    fn idle(&self) -> bool {
        self.busy.load(Ordering::Relaxed) == 0
    }
}

/// Marks its connection busy while it lives (it rides with a response's body).
struct InProgress {
    connection: Arc<Connection>,
    started: std::time::Instant,
}

impl Drop for InProgress {
    fn drop(&mut self) {
        let now = self.started.elapsed().as_millis() as u64;
        self.connection.idle_since.store(now, Ordering::Relaxed);
        self.connection.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether an accept error means this process (or the system) is out of files or
/// memory: retrying at once would spin.
fn out_of_resources(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
        )
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        true
    }
}

/// The open connections: closes the idle ones that waited too long, and makes room
/// for a new one by closing the one idle longest.
struct Connections {
    open: std::collections::BTreeMap<u64, Arc<Connection>>,
    next: u64,
    started: std::time::Instant,
}

impl Connections {
    fn now(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Closes the connection idle longest; false when every one has a request.
    fn close_oldest_idle(&mut self) -> bool {
        let oldest = self
            .open
            .iter()
            .filter(|(_, c)| c.idle())
            .min_by_key(|(_, c)| c.idle_since.load(Ordering::Relaxed));
        match oldest.map(|(id, _)| *id) {
            Some(id) => {
                if let Some(c) = self.open.remove(&id) {
                    c.close.notify_one();
                }
                true
            }
            None => false,
        }
    }

    /// Closes every connection idle for longer than `timeout`.
    fn close_idle(&mut self, timeout: Duration) {
        let now = self.now();
        let limit = timeout.as_millis() as u64;
        self.open.retain(|_, c| {
            let idle = c.idle() && now.saturating_sub(c.idle_since.load(Ordering::Relaxed)) > limit;
            if idle {
                c.close.notify_one();
            }
            !idle
        });
    }
}

async fn accept_loop<F: std::future::Future<Output = ()>>(
    server: Arc<Server>,
    options: &ServeOptions,
    ready: impl FnOnce(SocketAddr),
    shutdown: F,
) -> Result<(), HostError> {
    let listening = |source| HostError::Listen {
        addr: options.listen,
        source,
    };
    let listener = TcpListener::bind(options.listen).await.map_err(listening)?;
    let addr = listener.local_addr().map_err(listening)?;
    ready(addr);
    let (stop, stopping) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    let mut open = Connections {
        open: Default::default(),
        next: 0,
        started: std::time::Instant::now(),
    };
    let max = options.max_connections.max(1);
    let mut sweep = tokio::time::interval(Duration::from_millis(250));
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Said once per episode, not once per failed accept.
    let mut warned_full = false;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            // Every connection task holds its socket until it ends, including those
            // told to close (`tasks` has them, `open` no longer): at the limit, wait
            // for those to let go before taking another.
            accepted = listener.accept(), if tasks.len() < max || tasks.len() <= open.open.len() => {
                let client = match accepted {
                    Ok((client, _)) => client,
                    Err(e) if out_of_resources(&e) => {
                        if !warned_full {
                            eprintln!("witpipe serve: cannot accept a connection ({e}): closing idle ones and backing off; lower --max-connections or raise the open-file limit");
                            warned_full = true;
                        }
                        open.close_oldest_idle();
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                    Err(_) => continue,
                };
                if tasks.len() >= max && !open.close_oldest_idle() {
                    if !warned_full {
                        eprintln!("witpipe serve: {max} connections, every one with a request in progress: new ones are closed until one ends (--max-connections)");
                        warned_full = true;
                    }
                    drop(client);
                    continue;
                }
                warned_full = false;
                // Headers and body go out as separate writes: without this, Nagle's
                // algorithm holds the second one for the client's delayed ACK (~40 ms).
                let _ = client.set_nodelay(true);
                let id = open.next;
                open.next += 1;
                let connection = Arc::new(Connection::default());
                connection.idle_since.store(open.now(), Ordering::Relaxed);
                open.open.insert(id, connection.clone());
                let started = open.started;
                let server = server.clone();
                let mut stopping = stopping.clone();
                tasks.spawn(async move {
                    let shared = connection.clone();
                    let service = hyper::service::service_fn(move |req| {
                        let server = server.clone();
                        shared.busy.fetch_add(1, Ordering::Relaxed);
                        let guard = InProgress {
                            connection: shared.clone(),
                            started,
                        };
                        async move {
                            let response = server.handle(req).await;
                            // The connection stays busy until the body is sent.
                            let response = response.map(|body| {
                                body.map_frame(move |frame| {
                                    let _ = &guard;
                                    frame
                                })
                                .boxed_unsync()
                            });
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    });
                    let conn = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(client), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = connection.close.notified() => {}
                        _ = stopping.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                    id
                });
            }
            _ = sweep.tick() => open.close_idle(options.idle_timeout),
            // Forget finished connections as we go, so the set stays small.
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Ok(id) = done {
                    open.open.remove(&id);
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(options.drain, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.abort_all();
    }
    Ok(())
}

impl Server {
    async fn handle(
        self: Arc<Self>,
        req: hyper::Request<hyper::body::Incoming>,
    ) -> hyper::Response<HyperOutgoingBody> {
        let what = format!(
            "{} {}",
            req.method().as_str().escape_debug(),
            req.uri().path().escape_debug()
        );
        match self.clone().instance(req, what.clone()).await {
            Ok(response) => response,
            Err((status, error)) => {
                self.fail(&what, &error, &format!("answered {status}"));
                // Limits are the client's business; traps and backtraces are not.
                let text = match error {
                    HostError::Timeout(_) | HostError::Memory(_) | HostError::Fuel(_) => {
                        error.to_string()
                    }
                    _ => "the component failed; the server's log says why".into(),
                };
                plain(status, format!("{text}\n"))
            }
        }
    }

    fn fail(&self, what: &str, error: &HostError, outcome: &str) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        match self.trap_site.as_ref().and_then(|site| site(error)) {
            Some(note) if note.explains => {
                eprintln!("witpipe serve: {what}: {} ({outcome})", note.site)
            }
            Some(note) => eprintln!("witpipe serve: {what}: {}: {error} ({outcome})", note.site),
            None => eprintln!("witpipe serve: {what}: {error} ({outcome})"),
        }
    }

    /// The status a failed instance is answered with.
    fn status(e: &HostError) -> u16 {
        match e {
            HostError::Timeout(_) => 504,
            HostError::Memory(_) | HostError::Fuel(_) => 503,
            _ => 500,
        }
    }

    /// What ended an instance's task, if it did not end well.
    fn outcome(
        &self,
        joined: Result<wasmtime::Result<()>, tokio::task::JoinError>,
    ) -> Option<HostError> {
        match joined {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(self.limits.classify(e)),
            Err(e) => Some(HostError::Trap(wasmtime::Error::msg(e.to_string()))),
        }
    }

    /// Runs one request on a fresh instance.
    async fn instance(
        self: Arc<Self>,
        req: hyper::Request<hyper::body::Incoming>,
        what: String,
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
        // Wait for an instance slot; the task holds it until its store is gone.
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| (503, HostError::Stopping))?;
        let pre = match &self.pre {
            Handler::P2(pre) => pre.clone(),
            Handler::P3(pre) => {
                let task = handle_p3(pre.clone(), store, req, sender, slot);
                let task = tokio::task::spawn(bounded(self.limits.timeout, task));
                return self.answer(receiver, task, what).await;
            }
        };
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
        let task = tokio::task::spawn(bounded(self.limits.timeout, async move {
            let mut held = Held { store, _slot: slot };
            let proxy = pre.instantiate_async(&mut held.store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut held.store, req, out)
                .await
        }));
        self.answer(receiver, task, what).await
    }

    /// The response an instance's task sent, or the error it ended with. A response
    /// whose body is still streaming ends in an error if the instance fails later.
    async fn answer(
        self: Arc<Self>,
        receiver: tokio::sync::oneshot::Receiver<
            Result<hyper::Response<HyperOutgoingBody>, OutCode>,
        >,
        task: tokio::task::JoinHandle<wasmtime::Result<()>>,
        what: String,
    ) -> Result<hyper::Response<HyperOutgoingBody>, (u16, HostError)> {
        match receiver.await {
            Ok(Ok(response)) => {
                // The body may still be streaming: the instance can yet fail (a trap,
                // a limit). Then the body must end in an error, so the client sees a
                // broken response, never a short one that looks whole.
                let (done, ended) = tokio::sync::oneshot::channel();
                tokio::spawn(async move {
                    match self.outcome(task.await) {
                        None => {
                            self.answered.fetch_add(1, Ordering::Relaxed);
                            let _ = done.send(None);
                        }
                        Some(e) => {
                            self.fail(&what, &e, "the response had started: its body was cut off");
                            let _ = done.send(Some(e.to_string()));
                        }
                    }
                });
                Ok(response.map(|body| {
                    Checked {
                        body,
                        ended: Some(ended),
                    }
                    .boxed_unsync()
                }))
            }
            Ok(Err(code)) => Err((
                500,
                HostError::Trap(wasmtime::Error::msg(format!(
                    "the component answered with an error: {code:?}"
                ))),
            )),
            Err(_) => {
                let e = self.outcome(task.await).unwrap_or_else(|| {
                    HostError::Trap(wasmtime::Error::msg(
                        "the component returned without setting a response",
                    ))
                });
                Err((Self::status(&e), e))
            }
        }
    }
}

/// A request's store and the instance slot it holds. Fields drop in order: the store
/// (and the pooled instance it holds) first, then the slot, so that a request let in
/// by the freed slot never finds the pool still full (on return, on error, and when
/// the timeout drops the task).
struct Held {
    store: wasmtime::Store<Host>,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

/// One request on a fresh instance of a WASI 0.3 handler: the response goes to
/// `sender` as soon as the handler returns it, and the store keeps running, streaming
/// the body from the guest, until the client has read it all or gone away.
async fn handle_p3(
    pre: ServicePre<Host>,
    store: wasmtime::Store<Host>,
    req: hyper::Request<hyper::body::Incoming>,
    sender: tokio::sync::oneshot::Sender<Result<hyper::Response<HyperOutgoingBody>, OutCode>>,
    slot: tokio::sync::OwnedSemaphorePermit,
) -> wasmtime::Result<()> {
    let mut held = Held { store, _slot: slot };
    let store = &mut held.store;
    let service = pre.instantiate_async(&mut *store).await?;
    let (req, request_body) = p3::Request::from_http(store.data_mut().http().hooks, req);
    store
        .run_concurrent(async move |store| {
            let respond = async {
                let response = match service.handle(store, req).await? {
                    Ok(response) => response,
                    Err(code) => {
                        let _ = sender.send(Err(OutCode::InternalError(Some(format!("{code:?}")))));
                        return Ok(());
                    }
                };
                let response = store.with(|store| response.into_http(store, async { Ok(()) }))?;
                let (read, body_read) = tokio::sync::oneshot::channel();
                let response = response.map(|body| {
                    let body =
                        body.map_err(|code| ErrorCode::InternalError(Some(format!("{code:?}"))));
                    Watched {
                        body,
                        read: Some(read),
                    }
                    .boxed_unsync()
                });
                if sender.send(Ok(response)).is_ok() {
                    let _ = body_read.await;
                }
                wasmtime::error::Ok(())
            };
            // The request body flows in while the response is made; a client that
            // stops sending early is the guest's business (it sees the stream end).
            let (responded, _) = tokio::join!(respond, request_body);
            responded
        })
        .await?
}

/// A body that says when it has been read to the end or dropped.
struct Watched<B> {
    body: B,
    read: Option<tokio::sync::oneshot::Sender<()>>,
}

impl<B: hyper::body::Body + Unpin> hyper::body::Body for Watched<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<B::Data>, B::Error>>> {
        let frame = std::pin::Pin::new(&mut self.body).poll_frame(cx);
        if let std::task::Poll::Ready(None) = frame {
            self.read.take().map(|read| read.send(()));
        }
        frame
    }
}

/// A response body that ends cleanly only if the instance behind it did.
struct Checked {
    body: HyperOutgoingBody,
    /// `None` for a clean end, else why the instance failed.
    ended: Option<tokio::sync::oneshot::Receiver<Option<String>>>,
}

impl hyper::body::Body for Checked {
    type Data = Bytes;
    type Error = ErrorCode;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, ErrorCode>>> {
        use std::task::Poll;
        match std::pin::Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(None) => {}
            other => return other,
        }
        let Some(ended) = self.ended.as_mut() else {
            return Poll::Ready(None);
        };
        let outcome = match std::pin::Pin::new(ended).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(outcome) => outcome,
        };
        self.ended = None;
        Poll::Ready(match outcome {
            Ok(None) => None,
            Ok(Some(why)) => Some(Err(ErrorCode::InternalError(Some(why)))),
            Err(_) => Some(Err(ErrorCode::InternalError(Some(
                "the instance vanished".into(),
            )))),
        })
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
