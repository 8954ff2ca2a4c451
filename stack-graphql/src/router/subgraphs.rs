//! The subgraphs a router knows, each with its transport and timeout.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument as _;

use super::error::TransportError;
use super::transport::{SubgraphRequest, Transport};

/// One subgraph: how to reach it and how long to wait.
struct Entry {
    transport: Arc<dyn Transport>,
    timeout: Duration,
}

/// Transports by subgraph name.
#[derive(Default)]
pub(crate) struct Subgraphs {
    entries: HashMap<String, Entry>,
}

impl Subgraphs {
    pub(crate) fn insert(
        &mut self,
        name: String,
        transport: Arc<dyn Transport>,
        timeout: Duration,
    ) {
        self.entries.insert(name, Entry { transport, timeout });
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    pub(crate) fn set_timeout(&mut self, name: &str, timeout: Duration) {
        if let Some(entry) = self.entries.get_mut(name) {
            entry.timeout = timeout;
        }
    }

    /// Sends `request` to its subgraph within the subgraph's timeout, in a `subgraph` span.
    pub(crate) async fn send(&self, request: SubgraphRequest) -> Result<Bytes, TransportError> {
        let service = request.service.clone();
        let Some(entry) = self.entries.get(&service) else {
            return Err(TransportError::Failed {
                reason: "no transport is configured".to_owned(),
                service,
            });
        };
        let span =
            tracing::debug_span!(target: "stack_graphql", "subgraph", subgraph.name = %service);
        let sent = tokio::time::timeout(entry.timeout, entry.transport.send(request));
        match sent.instrument(span).await {
            Ok(answer) => answer,
            Err(_) => Err(TransportError::TimedOut {
                service,
                timeout: entry.timeout,
            }),
        }
    }
}
