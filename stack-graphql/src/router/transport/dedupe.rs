//! Sharing one subgraph request between identical queries in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::Shared;

use super::{SubgraphRequest, Transport, TransportFuture};

/// Identifies requests whose answers are interchangeable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    service: String,
    body: Bytes,
    subject: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
}

impl Key {
    fn of(request: &SubgraphRequest) -> Self {
        let mut headers: Vec<_> = request
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
            .filter(|(name, _)| name != "x-amzn-trace-id")
            .collect();
        headers.sort();
        Self {
            service: request.service.clone(),
            body: request.body.clone(),
            subject: request.identity.as_ref().map(|id| id.subject.clone()),
            headers,
        }
    }
}

type InFlight = Shared<TransportFuture>;

/// Merges identical in-flight queries into one request to the inner transport.
///
/// Two requests are identical when they go to the same subgraph with the same body, the same
/// caller and the same propagated headers (the trace header aside). Mutations always go
/// through on their own.
pub struct Deduplicate<T> {
    inner: Arc<T>,
    in_flight: Arc<Mutex<HashMap<Key, InFlight>>>,
}

impl<T: Transport> Deduplicate<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Self {
            inner: Arc::new(inner),
            in_flight: Arc::default(),
        }
    }
}

impl<T> std::fmt::Debug for Deduplicate<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deduplicate").finish_non_exhaustive()
    }
}

impl<T: Transport> Transport for Deduplicate<T> {
    fn send(&self, request: SubgraphRequest) -> TransportFuture {
        if !request.read_only {
            return self.inner.send(request);
        }
        let key = Key::of(&request);
        let shared = {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            in_flight
                .entry(key.clone())
                .or_insert_with(|| self.inner.send(request).shared())
                .clone()
        };
        let in_flight = self.in_flight.clone();
        Box::pin(async move {
            let answer = shared.await;
            in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&key);
            answer
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Counting(Arc<AtomicUsize>);

    impl Transport for Counting {
        fn send(&self, _request: SubgraphRequest) -> TransportFuture {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {
                tokio::task::yield_now().await;
                Ok(Bytes::from_static(b"{\"data\":{}}"))
            })
        }
    }

    #[tokio::test]
    async fn identical_queries_in_flight_share_one_request() {
        let calls = Arc::new(AtomicUsize::new(0));
        let transport = Deduplicate::new(Counting(calls.clone()));
        let request = SubgraphRequest::new("a", "{\"query\":\"{a}\"}");
        let (first, second) =
            tokio::join!(transport.send(request.clone()), transport.send(request));
        assert_eq!(first.unwrap(), second.unwrap());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn mutations_are_never_shared() {
        let calls = Arc::new(AtomicUsize::new(0));
        let transport = Deduplicate::new(Counting(calls.clone()));
        let mut request = SubgraphRequest::new("a", "{\"query\":\"mutation{a}\"}");
        request.read_only = false;
        let _ = tokio::join!(transport.send(request.clone()), transport.send(request));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
