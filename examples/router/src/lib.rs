//! The example app's federation router: the `router` Lambda binary and its settings.
//!
//! It is a crate of its own so the deployable binary links the router and nothing else: no
//! service code, no AWS SDK (subgraph Lambdas are invoked with the router's own signed
//! requests). The one-process app (`stack-app`) uses the same [`SUPERGRAPH`].

pub mod settings;

/// The app's supergraph: the Todo and Media subgraphs composed from their schemas in code.
///
/// It is committed as `supergraph.graphql` and embedded here at build time, so the router
/// fetches nothing at start. `stack-app`'s `supergraph` test composes it again from the
/// subgraphs' SDL and fails when the committed file differs; `STACK_UPDATE_SUPERGRAPH=1 cargo
/// test -p stack-app --test supergraph` rewrites it.
pub const SUPERGRAPH: &str = include_str!("../supergraph.graphql");
