//! GraphQL for The Stack: async-graphql schemas served as federation v2 subgraphs, the same way
//! in Lambda and on a local server.
//!
//! A [`Subgraph`] is a [`stack_core::http::HttpService`]: hand it to [`stack_core::run_http`] and
//! it serves GraphQL-over-HTTP (checked against the `graphql-http` audit), answers the
//! federation fields `_service` and `_entities`, enforces [`Limits`] on every document, decides
//! introspection per request from the edge it came through, and gives resolvers the caller's
//! identity ([`caller`]) and a way to return the project's errors ([`to_graphql_error`]).
//! With the `router` feature, the `router` module puts one federated endpoint in front of
//! such subgraphs.
//!
//! ```no_run
//! use async_graphql::{Context, EmptySubscription, Object, Result, Schema};
//! use stack_graphql::{Subgraph, SubgraphOptions, caller};
//!
//! struct Query;
//!
//! #[Object]
//! impl Query {
//!     /// Who is asking.
//!     async fn me(&self, ctx: &Context<'_>) -> Result<String> {
//!         Ok(caller(ctx)?.subject.clone())
//!     }
//! }
//!
//! struct Mutation;
//!
//! #[Object]
//! impl Mutation {
//!     /// Says hello back.
//!     async fn greet(&self, name: String) -> String {
//!         format!("hello, {name}")
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), stack_core::RuntimeError> {
//!     stack_core::telemetry::init();
//!     let schema = Schema::build(Query, Mutation, EmptySubscription);
//!     let subgraph = Subgraph::with_options(schema, SubgraphOptions::default());
//!     stack_core::run_http(subgraph).await
//! }
//! ```
//!
//! | feature | what it adds |
//! |---|---|
//! | `subgraph` (default) | [`Subgraph`], its options and [`federation_sdl`] |
//! | `router` | the federation router over a supergraph, with HTTP and in-process transports: see `router` |
//! | `router-lambda` | the router's transport that invokes subgraph Lambdas directly, SigV4-signed (`aws-sigv4`), without an SDK client |
//! | `authorizer` | the API Gateway Lambda authorizer for Cognito JWTs and the local token issuer: see `authorizer` |
//! | `compose` | supergraph composition from the subgraphs' schemas, for tests and build tools: see `compose` |
//!
//! Without features the crate still offers [`caller`], [`optional_caller`] and
//! [`to_graphql_error`] for resolvers.
//!
//! # Defaults by mode
//!
//! | | local server | Lambda |
//! |---|---|---|
//! | introspection (`__schema`, `__type`) | on | off |
//! | query page for browsers | on | off |
//! | caller identity from | the `x-stack-user` header | the API Gateway authorizer context |
//!
//! `_service { sdl }` is always answered, since routers read subgraph schemas through it.
//!
//! # Errors in responses
//!
//! Every error this crate writes has an `extensions.code`: see [`codes`] for those of the
//! protocol and [`stack_core::ErrorKind::graphql_code`] for those of resolvers. How resolver
//! errors without a code are masked is described in the [`error`](mod@error) module.
//!
//! # Where it departs from plain async-graphql
//!
//! - **`_entities` keeps every representation.** async-graphql fails the whole field, and so
//!   the whole `data`, when one representation has an unknown `__typename` or one entity
//!   resolver fails. Here each representation gets its entity or null with an error at
//!   `["_entities", i]`, in order; a null entity without an error (a resolver that returned
//!   `None`) gets a `NOT_FOUND` error.
//! - **Field errors are null, and nulls propagate.** async-graphql 7.2 leaves a failed field
//!   out of its parent object and never propagates nulls through non-null positions
//!   (async-graphql/async-graphql#1449); the handler restores the specification's behaviour
//!   from the errors' paths and the schema's types.
//! - **Limits are checked before async-graphql parses.** See [`Limits`].
//!
//! # Limitations
//!
//! - The `_entities` repair applies when `_entities` is the only top-level field of the
//!   operation, which is how routers query subgraphs; other documents run as async-graphql
//!   runs them.
//! - Batched requests (a JSON array of requests), automatic persisted queries and
//!   subscriptions are not served over HTTP yet; a subscription is refused with
//!   `GRAPHQL_VALIDATION_FAILED`.
//! - Responses carry no `cache-control` header, even for GET queries.
//!
//! The minimum supported Rust version is 1.89.

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "authorizer")]
#[cfg_attr(docsrs, doc(cfg(feature = "authorizer")))]
pub mod authorizer;
#[cfg(feature = "compose")]
#[cfg_attr(docsrs, doc(cfg(feature = "compose")))]
pub mod compose;
pub mod error;
mod identity;
#[cfg(any(feature = "authorizer", feature = "router"))]
mod outbound;
#[cfg(feature = "router")]
#[cfg_attr(docsrs, doc(cfg(feature = "router")))]
pub mod router;
#[cfg(feature = "subgraph")]
mod subgraph;

pub use error::{codes, to_graphql_error};
pub use identity::{caller, optional_caller};
#[cfg(feature = "subgraph")]
#[cfg_attr(docsrs, doc(cfg(feature = "subgraph")))]
pub use subgraph::{Availability, HEALTH_PATH, Limits, Subgraph, SubgraphOptions, federation_sdl};
