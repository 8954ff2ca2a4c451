//! What the authorizer tests share: fixtures, clocks and a JWKS server on 127.0.0.1.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use http::StatusCode;
use serde_json::Value;
use stack_core::clock::{FixedClock, SharedClock};
use stack_core::http::local::LocalServer;
use stack_core::http::{Request, json_response};
use stack_graphql::authorizer::LocalIssuer;

/// A fixture file under `../shared/fixtures/`.
pub(crate) fn fixture(relative: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A clock stopped at `seconds` after the epoch.
pub(crate) fn clock_at(seconds: u64) -> FixedClock {
    FixedClock::at(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// A local issuer with a per-process key and the given clock.
pub(crate) fn issuer(clock: &FixedClock) -> LocalIssuer {
    let shared: SharedClock = Arc::new(clock.clone());
    LocalIssuer::generate(shared).unwrap()
}

/// A JWKS endpoint on 127.0.0.1 that counts its requests and serves what it is told to.
pub(crate) struct JwksServer {
    pub(crate) address: SocketAddr,
    fetches: Arc<AtomicUsize>,
    document: Arc<Mutex<(StatusCode, Value)>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl JwksServer {
    pub(crate) async fn start(document: Value) -> Self {
        let server = LocalServer::bind(0).await.unwrap();
        let address = server.address();
        let fetches = Arc::new(AtomicUsize::new(0));
        let document = Arc::new(Mutex::new((StatusCode::OK, document)));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (count, served) = (fetches.clone(), document.clone());
        let service = move |_request: Request| {
            count.fetch_add(1, Ordering::SeqCst);
            let (status, body) = served.lock().unwrap().clone();
            async move { json_response(status, &body) }
        };
        tokio::spawn(server.serve(service, async move {
            let _ = stopped.await;
        }));
        Self {
            address,
            fetches,
            document,
            _stop: stop,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/.well-known/jwks.json", self.address)
    }

    pub(crate) fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    pub(crate) fn serve(&self, status: StatusCode, document: Value) {
        *self.document.lock().unwrap() = (status, document);
    }
}
