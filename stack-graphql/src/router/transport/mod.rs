//! How the router reaches subgraphs: one [`Transport`] trait, three ways to carry a request.
//!
//! - [`HttpTransport`]: HTTP(S) POST to the subgraph's URL.
//! - `LambdaTransport` (feature `router-lambda`): direct Invoke of a subgraph's Lambda
//!   function, with an API Gateway HTTP API event, signed with SigV4 by the transport itself
//!   (credentials and region from the environment, or `LambdaSettings`).
//! - [`InProcess`]: any [`HttpService`](stack_core::http::HttpService) in the same process,
//!   for the one-process local app and for tests.
//! - [`Deduplicate`]: wraps another transport and lets identical queries that are in flight at
//!   the same time share one request.
//!
//! # Caller identity and trust
//!
//! The router reads the caller once, with [`Identity::from_request`], and hands it to the
//! transport in [`SubgraphRequest::identity`]; a client can never set it directly, because
//! the router drops the identity header from what it propagates.
//!
//! - In process, the subgraph gets the router's own [`EdgeContext`] (so in Lambda the same
//!   authorizer context) and, in local mode, the `x-stack-user` header set from the identity.
//! - Over HTTP, the identity travels in `x-stack-user`, which subgraphs honour only in local
//!   mode (see [`stack_core::auth`]): a deployed subgraph must be reached through a path that
//!   carries an authorizer context instead.
//! - By Lambda Invoke, the identity is the authorizer context of the synthesized event; only
//!   principals with `lambda:InvokeFunction` on the subgraph (the router's role) can set it.

mod dedupe;
mod http;
mod in_process;
#[cfg(feature = "router-lambda")]
mod lambda;

use std::future::Future;
use std::pin::Pin;

use ::http::HeaderMap;
use bytes::Bytes;
use stack_core::auth::Identity;
use stack_core::http::EdgeContext;

pub use self::dedupe::Deduplicate;
pub use self::http::HttpTransport;
pub use self::in_process::InProcess;
#[cfg(feature = "router-lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "router-lambda")))]
pub use self::lambda::{AwsCredentials, LambdaSettings, LambdaTransport};
use super::error::TransportError;

/// The future a [`Transport`] returns.
pub type TransportFuture = Pin<Box<dyn Future<Output = Result<Bytes, TransportError>> + Send>>;

/// One GraphQL request from the router to a subgraph.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SubgraphRequest {
    /// The subgraph's name in the supergraph.
    pub service: String,
    /// The JSON body: `query`, and `variables` when there are any.
    pub body: Bytes,
    /// Headers to send: the propagated client headers and the trace header.
    pub headers: HeaderMap,
    /// The caller, when the client request had one.
    pub identity: Option<Identity>,
    /// The edge context of the client request, when an edge handled it.
    pub edge: Option<EdgeContext>,
    /// Whether the operation only reads (a query), so identical requests may share an answer.
    pub read_only: bool,
}

impl SubgraphRequest {
    /// A request to `service` with `body` and nothing else.
    pub fn new(service: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Self {
            service: service.into(),
            body: body.into(),
            headers: HeaderMap::new(),
            identity: None,
            edge: None,
            read_only: true,
        }
    }
}

/// Carries GraphQL requests to one subgraph and brings back the response body.
///
/// Implementations return the body of the subgraph's answer, which the executor reads as a
/// GraphQL response; the executor applies the subgraph's timeout around [`send`](Self::send).
pub trait Transport: Send + Sync + 'static {
    /// Sends one request.
    fn send(&self, request: SubgraphRequest) -> TransportFuture;
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, request: SubgraphRequest) -> TransportFuture {
        T::send(self, request)
    }
}
