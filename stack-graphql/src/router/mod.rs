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
//! 5. Variables coerced against the public schema, as the GraphQL specification's
//!    `CoerceVariableValues` asks: defaults applied, required values checked, `Int` kept to
//!    32 bits, `ID` made a string, enum values and input fields checked against the public
//!    ones, a single value where a list is expected made a list of one. A bad value is a
//!    request error with `extensions.code` `BAD_USER_INPUT` naming the variable and the path
//!    inside it; subgraphs only ever see coerced values.
//! 6. Execution. A subgraph that fails or times out leaves nulls and an error with
//!    `extensions.code` `SUBGRAPH_REQUEST_FAILED` or `SUBGRAPH_TIMEOUT`; the rest of the
//!    plan still runs, and nulls propagate through non-null fields.
//!
//! # Introspection
//!
//! `__schema` and `__type(name:)` are answered by the router itself, from the public schema:
//! no `@inaccessible` type, field, argument or enum value, no `join__`/`link__` machinery,
//! and the built-in directives. Everything of the October 2021 specification is there, with
//! `specifiedByURL`, `isRepeatable`, `includeDeprecated` and deprecated arguments and input
//! fields, so GraphiQL's introspection query works and a client can rebuild the schema from
//! it. An operation that mixes introspection with other root fields gets the other fields
//! through the plan, and the answers in the order the client asked for them.
//!
//! [`RouterOptions::introspection`] decides where introspection is allowed, as for a
//! [`Subgraph`](crate::Subgraph): by default through the local server only, not in Lambda.
//! A refused introspection is the same error a subgraph gives (`GRAPHQL_VALIDATION_FAILED`).
//! The [`Limits`](crate::Limits) apply to it as to any document; the standard introspection
//! query is 13 fields deep and fits the default depth of 15.
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
//! - `__schema` and `__type` are answered at the root of a query only. The specification also
//!   allows them below a field that returns the query type (`viewer: Query`); the router
//!   refuses them there as a validation error, since the plan would have to hand such a
//!   field back to the router in the middle of the data.
//! - OneOf input objects (`@oneOf`) are checked when variables are coerced and reported by
//!   `__Type.isOneOf`, but the `@oneOf` directive itself is not listed among
//!   `__schema.directives`: the consumer schema of the planner declares it on the wrong
//!   locations, and OneOf is not part of the October 2021 specification clients expect.
//! - No subscriptions and no `@defer`: the planner can plan them, the executor refuses them
//!   with `UNSUPPORTED`.
//! - The Lambda Invoke transport (feature `router-lambda`) is checked at the wire against a
//!   local endpoint that answers like the Lambda service (request shape, SigV4 against a
//!   known answer, the service's errors) and against moto for a missing function, but not
//!   against a deployed function: moto runs Lambda functions only through Docker, which the
//!   test machine does not have. It signs with static credentials from the environment or
//!   from code only (see `LambdaTransport`'s limitations).
//! - Values of custom scalars pass unchanged: only the subgraph that defines a scalar knows
//!   its rules, so it is the one to refuse a bad value. Literal arguments in the document are
//!   checked by validation, not coerced; the subgraphs read them from the document as
//!   written.
//! - A valid operation the planner cannot plan is answered as executed: `data: null` and an
//!   error with `extensions.code` `QUERY_PLANNING_FAILED`.

mod error;
mod execute;
mod introspect;
mod options;
mod persisted;
mod plan;
mod request;
mod schema;
mod subgraphs;
pub mod transport;
mod variables;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use stack_core::http::{HttpService, Request, Response};

pub use self::error::{RouterError, TransportError};
pub use self::options::RouterOptions;
use self::persisted::Registered;
use self::plan::Plans;
use self::schema::PublicSchema;
use self::subgraphs::Subgraphs;
#[cfg(feature = "router-lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "router-lambda")))]
pub use self::transport::{AwsCredentials, LambdaSettings, LambdaTransport};
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
    schema: PublicSchema,
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
        let schema = PublicSchema::new(plans.public_document())?;
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
            schema,
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
