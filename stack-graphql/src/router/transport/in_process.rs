//! Subgraphs served by an [`HttpService`] in the same process.

use std::sync::Arc;

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderValue, Method};
use stack_core::Mode;
use stack_core::auth::LOCAL_USER_HEADER;
use stack_core::http::{HttpService, Request};

use super::{SubgraphRequest, Transport, TransportFuture};
use crate::router::error::TransportError;

/// A transport that calls an [`HttpService`] directly, without a socket.
///
/// The service sees a POST to `/graphql` carrying the router's edge context, so a
/// [`Subgraph`](crate::Subgraph) decides introspection and identity as it would for the
/// router's own request.
pub struct InProcess<S> {
    service: Arc<S>,
    path: String,
}

impl<S: HttpService> InProcess<S> {
    /// Serves subgraph requests with `service`, at `/graphql`.
    pub fn new(service: S) -> Self {
        Self {
            service: Arc::new(service),
            path: "/graphql".to_owned(),
        }
    }

    /// Sends requests to `path` instead of `/graphql`.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }
}

impl<S> std::fmt::Debug for InProcess<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcess")
            .field("path", &self.path)
            .finish()
    }
}

impl<S: HttpService> Transport for InProcess<S> {
    fn send(&self, request: SubgraphRequest) -> TransportFuture {
        let service = self.service.clone();
        let http_request = build(&self.path, request.clone());
        Box::pin(async move {
            let http_request = http_request.map_err(|reason| TransportError::Failed {
                service: request.service.clone(),
                reason,
            })?;
            let response = service.call(http_request).await;
            super::http::accept_answer(&request.service, response.status(), response.into_body())
        })
    }
}

fn build(path: &str, request: SubgraphRequest) -> Result<Request, String> {
    let mut http_request = http::Request::new(request.body);
    *http_request.method_mut() = Method::POST;
    *http_request.uri_mut() = path
        .parse()
        .map_err(|_| format!("`{path}` is not a path"))?;
    *http_request.headers_mut() = request.headers;
    let headers = http_request.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        ACCEPT,
        HeaderValue::from_static(super::http::ACCEPT_GRAPHQL),
    );
    let local = request
        .edge
        .as_ref()
        .is_none_or(|edge| edge.mode == Mode::Local);
    if let (true, Some(identity)) = (local, &request.identity)
        && let Ok(value) = HeaderValue::from_str(&identity.subject)
    {
        headers.insert(LOCAL_USER_HEADER, value);
    }
    if let Some(edge) = request.edge {
        http_request.extensions_mut().insert(edge);
    }
    Ok(http_request)
}
