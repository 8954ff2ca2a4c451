//! What a router allows and how it treats requests.

use std::collections::HashMap;
use std::time::Duration;

use crate::{Availability, Limits};

/// How a router handles requests.
///
/// The defaults suit a router behind API Gateway: the subgraph's [`Limits`], introspection
/// only through the local server, no CORS, no header propagation, no persisted-operation
/// safelist, automatic persisted queries on.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RouterOptions {
    /// The path GraphQL is served at.
    pub path: String,
    /// Limits on client documents: size, depth, aliases, root fields.
    pub limits: Limits,
    /// Where `__schema` and `__type` may be queried (default: through the local server
    /// only, as for a [`Subgraph`](crate::Subgraph)); `__typename` is always answered.
    pub introspection: Availability,
    /// How long a subgraph may take to answer, unless set per subgraph.
    pub subgraph_timeout: Duration,
    /// How many plans are kept; the least recently used one goes first.
    pub plan_cache_size: usize,
    /// Request headers copied to every subgraph request (lower-case names).
    pub propagate_headers: Vec<String>,
    /// Origins allowed by CORS; empty turns CORS off, `"*"` allows any origin.
    pub cors_origins: Vec<String>,
    /// Whether identical queries in flight to the same subgraph share one request.
    pub deduplicate: bool,
    /// Automatic persisted queries: clients may send a hash instead of a known query.
    pub automatic_persisted_queries: bool,
    /// How many automatic persisted queries are remembered.
    pub apq_cache_size: usize,
    /// Persisted operations by SHA-256 hash (lower-case hex).
    pub persisted: HashMap<String, String>,
    /// Whether only [`persisted`](Self::persisted) operations may run (a safelist).
    pub safelist_only: bool,
}

impl Default for RouterOptions {
    fn default() -> Self {
        Self {
            path: "/graphql".to_owned(),
            limits: Limits::default(),
            introspection: Availability::LocalOnly,
            subgraph_timeout: Duration::from_secs(10),
            plan_cache_size: 512,
            propagate_headers: Vec::new(),
            cors_origins: Vec::new(),
            deduplicate: false,
            automatic_persisted_queries: true,
            apq_cache_size: 1024,
            persisted: HashMap::new(),
            safelist_only: false,
        }
    }
}

impl RouterOptions {
    /// Sets where `__schema` and `__type` may be queried (default: locally only).
    ///
    /// A refused introspection is a GraphQL error with `extensions.code`
    /// `GRAPHQL_VALIDATION_FAILED`, exactly as a [`Subgraph`](crate::Subgraph) refuses it.
    pub fn introspection(mut self, availability: Availability) -> Self {
        self.introspection = availability;
        self
    }

    /// Copies the request header `name` to every subgraph request.
    pub fn propagate_header(mut self, name: &str) -> Self {
        self.propagate_headers.push(name.to_ascii_lowercase());
        self
    }

    /// Allows CORS requests from `origin` (`"*"` for any).
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.cors_origins.push(origin.into());
        self
    }

    /// Adds a persisted operation; its key is the SHA-256 of `query`.
    pub fn persist(mut self, query: impl Into<String>) -> Self {
        let query = query.into();
        self.persisted
            .insert(super::persisted::sha256_hex(&query), query);
        self
    }
}
