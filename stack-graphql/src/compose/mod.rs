//! Supergraph composition from the subgraphs' code.
//!
//! Each subgraph's SDL comes from its async-graphql schema ([`federation_sdl`], the same text
//! its `_service { sdl }` answers), so a schema is written once, in Rust. The [`Composer`]
//! composes the subgraphs with `graphql-composition` and returns the supergraph SDL, with the
//! `@join__*` directives the router (`router` feature) plans from.
//!
//! ```
//! use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
//! use stack_graphql::compose::Composer;
//!
//! struct Todos;
//!
//! #[Object(name = "Query")]
//! impl Todos {
//!     /// How many todos are open.
//!     async fn open_todos(&self) -> i32 {
//!         3
//!     }
//! }
//!
//! let todo = Schema::build(Todos, EmptyMutation, EmptySubscription).finish();
//! let media_sdl = r#"
//!     extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
//!     type Query { uploads: Int! }
//! "#;
//!
//! let supergraph = Composer::new()
//!     .schema("todo", "http://127.0.0.1:4001/graphql", &todo)
//!     .subgraph("media", "http://127.0.0.1:4002/graphql", media_sdl)
//!     .compose()?;
//!
//! assert!(supergraph.sdl().contains("openTodos: Int! @join__field(graph: TODO)"));
//! assert!(supergraph.warnings().is_empty());
//! # Ok::<(), stack_graphql::compose::ComposeError>(())
//! ```
//!
//! # Errors point into the subgraphs
//!
//! A [`ComposeError`] lists every [`Diagnostic`]: its message, the subgraphs it is about and,
//! for each, the line and column in that subgraph's SDL of the element the message names (or
//! of the syntax error). The composition library words its messages in prose without
//! positions, so the sites are recovered from the subgraph names and element paths
//! (`Type.field`, `Type.field(argument:)`) in the message, looked up in the subgraphs' SDL.
//! Warnings come with the [`Supergraph`] when composition succeeds.
//!
//! # Output
//!
//! The same subgraphs give byte-identical SDL, whatever order they were added in (they are
//! composed sorted by name), so a committed `supergraph.graphql` can be checked in a test:
//!
//! ```no_run
//! # fn composed() -> stack_graphql::compose::Supergraph { unimplemented!() }
//! // In a test of the app that owns the subgraphs:
//! let supergraph = composed();
//! stack_graphql::compose::check_committed("supergraph.graphql", supergraph.sdl())?;
//! # Ok::<(), stack_graphql::compose::Drift>(())
//! ```
//!
//! The check fails with the first differing line and how to update the file; with
//! `STACK_UPDATE_SUPERGRAPH=1` set it rewrites the file instead.
//!
//! # What is added to the library's output
//!
//! Where graphql-composition 0.12 leaves out what planners read, the supergraph is completed
//! (the root type gap has a test that fails once the library closes it; each repair has
//! tests of its own):
//!
//! - root types (`Query`, `Mutation`, `Subscription`) get a `@join__type(graph:)` for every
//!   subgraph that defines fields on them; without it the planner finds no path to any root
//!   field (`QUERY_PLANNING_FAILED`).
//! - a key field a subgraph marks `@external` outside a type extension gets its
//!   `@join__field(graph:, external: true)` back, so the planner never asks that subgraph
//!   for it.
//! - the definitions of `@link`, `link__Import`, `link__Purpose` and `@inaccessible`, used
//!   but not defined by the library's output, are appended so the SDL is valid on its own.
//! - the join directives are defined as the join v0.3 specification (which the supergraph
//!   links) defines them: `repeatable`, with its non-null arguments and `usedOverridden`, and
//!   without the v0.1 `@join__owner`. The library's definitions are not `repeatable`, so tools
//!   that validate the SDL (Apollo's gateway and query planner) refuse every type that two
//!   subgraphs share.
//! - scalars and unions get a `@join__type(graph:)` for every subgraph that defines them, as
//!   enums and input types already have and as federation's composition writes them.
//!
//! With these, the join directives of the supergraph are those Apollo's composition writes
//! for the same subgraphs (`tests/compose_join_spec.rs` covers shared scalars, enums, input
//! types and unions).
//!
//! A subgraph SDL is also checked with async-graphql's parser: the library's parser lets some
//! syntax errors through (it reads `[String!` as `String!`), and ours gives the position.
//!
//! The feature is meant for tests and build tools: the router reads the composed SDL and
//! never needs this code at run time, so the composition library never reaches a Lambda.
//!
//! # Limitations
//!
//! - Sites of composition errors are found from the message text: a message that names
//!   neither a subgraph nor an element defined in one has no site, and a subgraph whose name
//!   is also an ordinary word in the message (say `a`) may be named wrongly.
//! - The join directive definitions follow join v0.3 with two exceptions that keep the SDL
//!   valid: when a subgraph was added without a URL, its `@join__graph` has none and `url`
//!   stays nullable (the specification and Apollo's tools want a URL for every subgraph); and
//!   when progressive override (`@override(label:)`) puts `overrideLabel` on a
//!   `@join__field`, that argument, which join v0.4 adds, is defined too while the link
//!   stays at v0.3 (Apollo's composition links join v0.4 or later for such subgraphs).
//! - The supergraph links only the `link`, `join` and `inaccessible` specifications, whatever
//!   federation version the subgraphs link; Apollo's composition links later `join` versions
//!   for subgraphs of federation 2.7 and later, and links `inaccessible` only when it is used.
//! - The library is stricter than federation's own composition. Of the 31 federation gateway
//!   audit suites, 23 compose, and every case of those passes through the router as with the
//!   suite's own supergraph (`tests/compose_federation_audit.rs`). The other 8 are refused:
//!   an object with `@key` in some subgraphs and none in others (`abstract-types`,
//!   `child-type-mismatch`, `parent-entity-call`, `parent-entity-call-complex`,
//!   `provides-on-interface`), fields of a nested key object not marked `@shareable`
//!   (`keys-mashup`), a `@shareable` object missing fields defined elsewhere (`node`), and a
//!   field whose type differs between subgraphs by union membership (`union-intersection`).
//! - The feature adds about 60 crates to the build (among them `cynic-parser`, and `url`
//!   with its Unicode tables); graphql-composition has no features to turn them off.

mod diagnostic;
mod drift;
mod locate;
mod repair;

use async_graphql::{ObjectType, Schema, SubscriptionType};
use graphql_composition::{Subgraphs, render_federated_sdl};

use crate::federation_sdl;

pub use diagnostic::{ComposeError, Diagnostic, Location, Severity, Site};
pub use drift::{Drift, OnDrift, UPDATE_ENV, check_committed, check_committed_with};

use locate::{Atlas, Outline};

/// One subgraph to compose: its name (which becomes its `join__Graph` value), the URL the
/// router reaches it at, and its SDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphSdl {
    name: String,
    url: String,
    sdl: String,
}

impl SubgraphSdl {
    /// A subgraph from its SDL.
    pub fn new(name: impl Into<String>, url: impl Into<String>, sdl: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            url: url.into(),
            sdl: sdl.into(),
        }
    }

    /// A subgraph from its async-graphql schema, through [`federation_sdl`].
    pub fn from_schema<Q, M, S>(
        name: impl Into<String>,
        url: impl Into<String>,
        schema: &Schema<Q, M, S>,
    ) -> Self
    where
        Q: ObjectType + 'static,
        M: ObjectType + 'static,
        S: SubscriptionType + 'static,
    {
        Self::new(name, url, federation_sdl(schema))
    }

    /// The subgraph's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL the router reaches it at.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its SDL.
    pub fn sdl(&self) -> &str {
        &self.sdl
    }
}

/// Composes subgraphs into a supergraph.
#[derive(Debug, Clone, Default)]
pub struct Composer {
    subgraphs: Vec<SubgraphSdl>,
}

impl Composer {
    /// A composer without subgraphs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a subgraph from its SDL.
    #[must_use]
    pub fn subgraph(
        self,
        name: impl Into<String>,
        url: impl Into<String>,
        sdl: impl Into<String>,
    ) -> Self {
        self.add_subgraph(SubgraphSdl::new(name, url, sdl))
    }

    /// Adds a subgraph from its async-graphql schema.
    #[must_use]
    pub fn schema<Q, M, S>(
        self,
        name: impl Into<String>,
        url: impl Into<String>,
        schema: &Schema<Q, M, S>,
    ) -> Self
    where
        Q: ObjectType + 'static,
        M: ObjectType + 'static,
        S: SubscriptionType + 'static,
    {
        self.add_subgraph(SubgraphSdl::from_schema(name, url, schema))
    }

    /// Adds a subgraph.
    #[must_use]
    pub fn add_subgraph(mut self, subgraph: SubgraphSdl) -> Self {
        self.subgraphs.push(subgraph);
        self
    }

    /// The subgraphs added so far, in the order they were added.
    pub fn subgraphs(&self) -> &[SubgraphSdl] {
        &self.subgraphs
    }

    /// Composes the subgraphs.
    ///
    /// # Errors
    ///
    /// [`ComposeError`] when a subgraph's SDL does not parse, when the subgraphs do not
    /// compose (conflicting types, a field resolved by two subgraphs without `@shareable`,
    /// invalid names...) or when there are none.
    pub fn compose(&self) -> Result<Supergraph, ComposeError> {
        let mut ordered: Vec<&SubgraphSdl> = self.subgraphs.iter().collect();
        ordered.sort_by(|a, b| a.name.cmp(&b.name));
        let outlines: Vec<(Outline, Option<locate::ParseProblem>)> = ordered
            .iter()
            .map(|subgraph| Outline::read(&subgraph.sdl))
            .collect();

        let mut subgraphs = Subgraphs::default();
        let mut refused = Vec::new();
        for (subgraph, (_, problem)) in ordered.iter().zip(&outlines) {
            let url = Some(subgraph.url.as_str()).filter(|url| !url.is_empty());
            let ingested = subgraphs.ingest_str(&subgraph.sdl, &subgraph.name, url);
            // The composition library's parser lets some syntax errors through (an unclosed
            // list type, for one), so an SDL either parser refuses is refused.
            if let Some(problem) = problem {
                refused.push(parse_diagnostic(&subgraph.name, problem));
            } else if let Err(error) = ingested {
                let message = format!("the SDL does not parse: {}", error.to_string().trim());
                let site = Site::new(subgraph.name.as_str(), None);
                refused.push(Diagnostic::new(Severity::Error, message, vec![site]));
            }
        }
        if !refused.is_empty() {
            return Err(ComposeError::new(refused));
        }

        let named: Vec<(&str, &Outline)> = ordered
            .iter()
            .zip(&outlines)
            .map(|(subgraph, (outline, _))| (subgraph.name.as_str(), outline))
            .collect();
        let atlas = Atlas::new(named.clone());
        let result = graphql_composition::compose(&mut subgraphs);
        let diagnostics: Vec<Diagnostic> = result
            .diagnostics()
            .iter()
            .map(|d| Diagnostic::new(locate::severity(d), d.message(), atlas.sites(d.message())))
            .collect();
        let graph = result
            .into_result()
            .map_err(|_| ComposeError::new(diagnostics.clone()))?;

        let rendered = render_federated_sdl(&graph).map_err(|_| {
            internal(
                "the composed supergraph could not be rendered",
                &diagnostics,
            )
        })?;
        let sdl = repair::complete(&rendered, &named)
            .map_err(|reason| internal(&reason, &diagnostics))?;
        Ok(Supergraph {
            sdl,
            warnings: diagnostics,
        })
    }
}

/// A diagnostic for a subgraph whose SDL the GraphQL parser refuses.
fn parse_diagnostic(subgraph: &str, problem: &locate::ParseProblem) -> Diagnostic {
    let message = format!("the SDL does not parse: {}", problem.message);
    Diagnostic::new(
        Severity::Error,
        message,
        vec![locate::parse_site(subgraph, problem)],
    )
}

/// An error of our own making, with the library's warnings alongside.
fn internal(reason: &str, warnings: &[Diagnostic]) -> ComposeError {
    let mut diagnostics = vec![Diagnostic::new(Severity::Error, reason, Vec::new())];
    diagnostics.extend(warnings.iter().cloned());
    ComposeError::new(diagnostics)
}

/// A composed supergraph: its SDL and the warnings composition reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supergraph {
    sdl: String,
    warnings: Vec<Diagnostic>,
}

impl Supergraph {
    /// The supergraph SDL, with `@join__*` directives, as the router reads it.
    pub fn sdl(&self) -> &str {
        &self.sdl
    }

    /// The supergraph SDL, taken.
    pub fn into_sdl(self) -> String {
        self.sdl
    }

    /// The warnings composition reported; empty when the subgraphs composed cleanly.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}
