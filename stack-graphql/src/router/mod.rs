//! The federation router: one GraphQL endpoint in front of the subgraphs of a supergraph.
//!
//! A [`Router`] is an [`HttpService`]. For each operation it asks the federation query planner
//! (`hive-router-query-planner`) for a plan, keeps the plan for the next request with the same
//! document, runs the plan against the subgraphs through their [`Transport`]s, and shapes the
//! merged answers into the response the client asked for.
//!
//! ```no_run
//! use stack_graphql::router::{HttpTransport, Router};
//!
//! // The supergraph is composed at build time and embedded: no fetch at start. In a
//! // service this is its own `supergraph.graphql`.
//! const SUPERGRAPH: &str = include_str!("../../tests/router_support/tiny.graphql");
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let router = Router::builder(SUPERGRAPH)
//!     .subgraph("todo", HttpTransport::new("http://127.0.0.1:4001/graphql")?)
//!     .subgraph("media", HttpTransport::new("http://127.0.0.1:4002/graphql")?)
//!     .build()?;
//! stack_core::run_http(router).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # What a request goes through
//!
//! 1. GraphQL-over-HTTP, exactly as [`Subgraph`](crate::Subgraph) reads it: GET (queries only)
//!    and POST, content negotiation, the same rejections.
//! 2. Persisted operations ([`RouterOptions::persisted`], [`RouterOptions::safelist_only`]) and
//!    automatic persisted queries.
//! 3. [`Limits`](crate::Limits) on size, depth, aliases and root fields, before any planning.
//! 4. Validation against the public schema (the supergraph without `@inaccessible` parts),
//!    then the plan, from the cache when the same document came before.
//! 5. Execution. A subgraph that fails or times out leaves nulls and an error with
//!    `extensions.code` `SUBGRAPH_REQUEST_FAILED` or `SUBGRAPH_TIMEOUT`; the rest of the
//!    plan still runs, and nulls propagate through non-null fields.
//!
//! `GET /health` answers `200 {"status":"ok"}`, and CORS preflights are answered for the
//! [`RouterOptions::cors_origins`].
//!
//! # Headers, identity and trace
//!
//! Only headers named in [`RouterOptions::propagate_headers`] reach subgraphs, with the X-Ray
//! trace header of the invocation (`x-amzn-trace-id`). The caller's identity is read once with
//! [`Identity::from_request`](stack_core::auth::Identity::from_request) and handed to the
//! transport; see [`transport`] for how each transport carries it and why a client cannot
//! forge it.
//!
//! # Runtime
//!
//! Subgraph timeouts use Tokio's timer: run the router on a runtime with time enabled, as
//! `#[tokio::main]` and [`stack_core::run_http`] do. Plans are made on the request's task;
//! planning one operation is bounded (2 s) and a planner panic becomes an error.
//!
//! # Limitations
//!
//! - No introspection (`__schema`, `__type`) through the router yet; `__typename` works.
//!   The subgraphs' introspection would describe only their part of the graph, so the router
//!   must answer it from the supergraph itself, which it does not do yet.
//! - No subscriptions and no `@defer`: the planner can plan them, the executor refuses them
//!   with `UNSUPPORTED`.
//! - The Lambda Invoke transport (feature `router-lambda`) is checked on the event it writes
//!   and the response it reads, not yet against a deployed function or an emulator (moto
//!   runs Lambda functions only through Docker, which the test machine does not have).
//! - Variables are passed to subgraphs as the client sent them (with the operation's
//!   defaults), not coerced first; subgraphs validate them.
//! - A valid operation the planner cannot plan is answered as executed: `data: null` and an
//!   error with `extensions.code` `QUERY_PLANNING_FAILED`.

mod error;
mod execute;
mod options;
mod persisted;
mod plan;
mod request;
mod subgraphs;
pub mod transport;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use stack_core::http::{HttpService, Request, Response};

pub use self::error::{RouterError, TransportError};
pub use self::options::RouterOptions;
use self::persisted::Registered;
use self::plan::Plans;
use self::subgraphs::Subgraphs;
#[cfg(feature = "router-lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "router-lambda")))]
pub use self::transport::LambdaTransport;
pub use self::transport::{
    Deduplicate, HttpTransport, InProcess, SubgraphRequest, Transport, TransportFuture,
};

/// A federation router over one supergraph; an [`HttpService`]. Cheap to clone.
#[derive(Clone)]
pub struct Router {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    plans: Plans,
    subgraphs: Subgraphs,
    options: RouterOptions,
    registered: Registered,
}

impl Router {
    /// Starts a router for the supergraph `supergraph_sdl` (composed SDL with `@join__*`).
    pub fn builder(supergraph_sdl: impl Into<String>) -> RouterBuilder {
        RouterBuilder {
            supergraph: supergraph_sdl.into(),
            options: RouterOptions::default(),
            transports: Vec::new(),
            timeouts: HashMap::new(),
            from_urls: false,
        }
    }
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl HttpService for Router {
    async fn call(&self, request: Request) -> Response {
        request::handle(&self.inner, request).await
    }
}

/// Configures a [`Router`]: its options and a transport for each subgraph.
pub struct RouterBuilder {
    supergraph: String,
    options: RouterOptions,
    transports: Vec<(String, Arc<dyn Transport>)>,
    timeouts: HashMap<String, Duration>,
    from_urls: bool,
}

impl std::fmt::Debug for RouterBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterBuilder")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl RouterBuilder {
    /// Uses `options` instead of the defaults.
    pub fn options(mut self, options: RouterOptions) -> Self {
        self.options = options;
        self
    }

    /// Reaches the subgraph `name` (its `@join__graph(name:)`) through `transport`.
    pub fn subgraph(mut self, name: impl Into<String>, transport: impl Transport) -> Self {
        self.transports.push((name.into(), Arc::new(transport)));
        self
    }

    /// Waits at most `timeout` for subgraph `name`, instead of the options' default.
    pub fn subgraph_timeout(mut self, name: impl Into<String>, timeout: Duration) -> Self {
        self.timeouts.insert(name.into(), timeout);
        self
    }

    /// Reaches every subgraph without a transport over HTTP, at the URL the supergraph gives.
    pub fn http_to_supergraph_urls(mut self) -> Self {
        self.from_urls = true;
        self
    }

    /// Reads the supergraph, prepares the planner and checks every subgraph has a transport.
    ///
    /// # Errors
    ///
    /// [`RouterError`] when the supergraph does not parse or plan, when a subgraph has no
    /// transport, or when a supergraph URL cannot be used.
    pub fn build(self) -> Result<Router, RouterError> {
        let plans = Plans::new(&self.supergraph, self.options.plan_cache_size)?;
        let mut subgraphs = Subgraphs::default();
        let default_timeout = self.options.subgraph_timeout;
        let deduplicate = self.options.deduplicate;
        for (name, transport) in self.transports {
            subgraphs.insert(name, wrap(transport, deduplicate), default_timeout);
        }
        let mut endpoints: Vec<_> = plans.supergraph().subgraph_endpoint_map.iter().collect();
        endpoints.sort();
        for (name, url) in endpoints {
            if subgraphs.contains(name) {
                continue;
            }
            if !self.from_urls {
                return Err(RouterError::MissingSubgraph { name: name.clone() });
            }
            let transport = wrap(Arc::new(HttpTransport::new(url)?), deduplicate);
            subgraphs.insert(name.clone(), transport, default_timeout);
        }
        for (name, timeout) in &self.timeouts {
            subgraphs.set_timeout(name, *timeout);
        }
        let inner = Inner {
            plans,
            subgraphs,
            options: self.options,
            registered: Registered::default(),
        };
        Ok(Router {
            inner: Arc::new(inner),
        })
    }
}

fn wrap(transport: Arc<dyn Transport>, deduplicate: bool) -> Arc<dyn Transport> {
    if deduplicate {
        Arc::new(Deduplicate::new(transport))
    } else {
        transport
    }
}
