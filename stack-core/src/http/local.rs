//! The local HTTP server: the same services, on `127.0.0.1`.
//!
//! Requests get an [`EdgeContext`] with [`Mode::Local`], which is what lets a service honour
//! local-only conveniences such as the `x-stack-user` header. Bodies are limited to the same
//! 6 MB that Lambda accepts, so a request that works locally also fits in Lambda.

use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use crate::Mode;
use crate::http::{EdgeContext, EventSource, HttpService, Request, Response, json_response};
use crate::runtime::RuntimeError;

/// The largest request body accepted, as in Lambda's synchronous invocations.
pub const MAX_BODY_BYTES: usize = 6 * 1024 * 1024;

/// How long the server waits on slow clients and on itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// How long a client may take to send the request head (default 10 s).
    pub header: Duration,
    /// How long a client may take to send the request body (default 30 s).
    pub body: Duration,
    /// How long open requests may run on after shutdown begins (default 10 s).
    pub shutdown_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header: Duration::from_secs(10),
            body: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// A bound local server, ready to serve.
#[derive(Debug)]
pub struct LocalServer {
    listener: TcpListener,
    address: SocketAddr,
    timeouts: Timeouts,
}

impl LocalServer {
    /// Binds `127.0.0.1:port`; port 0 picks a free port.
    ///
    /// # Errors
    ///
    /// Fails when the port cannot be bound.
    pub async fn bind(port: u16) -> Result<Self, RuntimeError> {
        let requested = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = TcpListener::bind(requested)
            .await
            .map_err(|source| RuntimeError::Bind {
                address: requested,
                source,
            })?;
        let address = listener.local_addr().map_err(|source| RuntimeError::Bind {
            address: requested,
            source,
        })?;
        Ok(Self {
            listener,
            address,
            timeouts: Timeouts::default(),
        })
    }

    /// Replaces the default [`Timeouts`].
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves `service` until `shutdown` completes, then lets open requests finish.
    ///
    /// # Errors
    ///
    /// Fails only when accepting connections fails for good.
    pub async fn serve<S: HttpService>(
        self,
        service: S,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), RuntimeError> {
        let service = Arc::new(service);
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => serve_connection(&graceful, stream, service.clone(), self.timeouts),
                    Err(error) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(%error, "failed to accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }
        tracing::info!("shutting down the local server");
        if tokio::time::timeout(self.timeouts.shutdown_grace, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("open connections did not finish in time; closing them");
        }
        Ok(())
    }
}

fn serve_connection<S: HttpService>(
    graceful: &hyper_util::server::graceful::GracefulShutdown,
    stream: tokio::net::TcpStream,
    service: Arc<S>,
    timeouts: Timeouts,
) {
    let handler = hyper::service::service_fn(move |request| {
        let service = service.clone();
        async move {
            Ok::<_, Infallible>(
                answer(&*service, request, timeouts.body)
                    .await
                    .map(Full::new),
            )
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header)
        .serve_connection(TokioIo::new(stream), handler);
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "connection closed with an error");
        }
    });
}

async fn answer<S: HttpService>(
    service: &S,
    request: http::Request<Incoming>,
    body_timeout: Duration,
) -> Response {
    match buffer(request, body_timeout).await {
        Ok(request) => service.call(request).await,
        Err(response) => response,
    }
}

/// Reads the whole body within the limit and attaches the local edge context.
async fn buffer(request: http::Request<Incoming>, timeout: Duration) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    let reading = tokio::time::timeout(timeout, Limited::new(body, MAX_BODY_BYTES).collect());
    let body = match reading.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error))
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Err(error_response(
                http::StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large",
            ));
        }
        Ok(Err(_)) => {
            return Err(error_response(
                http::StatusCode::BAD_REQUEST,
                "could not read the request body",
            ));
        }
        Err(_) => {
            return Err(error_response(
                http::StatusCode::REQUEST_TIMEOUT,
                "the request body took too long",
            ));
        }
    };
    let mut request = http::Request::from_parts(parts, body);
    let raw_path = request.uri().path().to_owned();
    request.extensions_mut().insert(EdgeContext {
        mode: Mode::Local,
        source: EventSource::Local,
        request_id: next_request_id(),
        trace_id: None,
        raw_path,
        stage: None,
        authorizer: None,
    });
    Ok(request)
}

fn error_response(status: http::StatusCode, message: &str) -> Response {
    json_response(
        status,
        &serde_json::json!({ "errors": [{ "message": message }] }),
    )
}

fn next_request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!("local-{:08}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Serves `service` on `127.0.0.1:$PORT` (from the environment, default 4000) until Ctrl-C or
/// SIGTERM.
///
/// # Errors
///
/// Fails on an invalid `PORT` or when the port cannot be bound.
pub async fn serve_until_signal<S: HttpService>(service: S) -> Result<(), RuntimeError> {
    let config = crate::config::CoreConfig::from_env()?;
    let server = LocalServer::bind(config.port).await?;
    tracing::info!(address = %server.address(), "serving locally on http://{}", server.address());
    server.serve(service, shutdown_signal()).await
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
