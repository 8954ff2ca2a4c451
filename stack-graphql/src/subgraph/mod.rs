//! Serving an async-graphql schema as a federation v2 subgraph over GraphQL-over-HTTP.
//!
//! A [`Subgraph`] answers three paths:
//!
//! - the GraphQL path (default `/graphql`): POST with a JSON body, or GET with URL parameters
//!   for queries; a browser asking for HTML gets a small query page where
//!   [`SubgraphOptions::explorer`] allows it;
//! - `/health`: `200 {"status":"ok"}` to GET;
//! - anything else: 404.
//!
//! Each GraphQL request runs in one `graphql` span (target `stack_graphql`) with the
//! OpenTelemetry fields `graphql.operation.name` and `graphql.operation.type`, recorded once
//! the document is parsed.

pub(crate) mod document;
mod entities;
mod execute;
mod explorer;
pub(crate) mod http;
mod limits;
pub(crate) mod negotiate;
mod nulls;
mod options;
pub(crate) mod response;
mod types;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use ::http::Method;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ObjectType, SDLExportOptions, Schema, SchemaBuilder};
use async_graphql::{SubscriptionType, Value, Variables};
use stack_core::Mode;
use stack_core::auth::Identity;
use stack_core::http::{EdgeContext, HttpService, Request, Response};
use tracing::Instrument as _;

pub use options::{Availability, Limits, SubgraphOptions};

use self::document::{Operation, OperationKind, Prepared, Refusal, Rules};
use self::entities::EntitiesPlan;
use self::execute::{Call, MarkExecution, Outcome};
use self::http::{Params, Rejection};
use self::negotiate::MediaType;
use self::nulls::Executed;
use self::types::SchemaTypes;

/// The path of the health check.
pub const HEALTH_PATH: &str = "/health";

/// An async-graphql schema served as a federation v2 subgraph; an [`HttpService`].
///
/// It is built from a [`SchemaBuilder`] rather than a finished schema because it adds to the
/// schema what it relies on: federation (`_service`, and `_entities` when the schema has
/// entities), async-graphql's complexity and recursion limits from the [`Limits`], and a small
/// extension that tells requests refused before execution from executed ones.
///
/// ```no_run
/// use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
/// use stack_graphql::Subgraph;
///
/// struct Query;
///
/// #[Object]
/// impl Query {
///     /// A greeting.
///     async fn hello(&self) -> &str {
///         "hello"
///     }
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), stack_core::RuntimeError> {
///     stack_core::telemetry::init();
///     let subgraph = Subgraph::new(Schema::build(Query, EmptyMutation, EmptySubscription));
///     stack_core::run_http(subgraph).await
/// }
/// ```
pub struct Subgraph<Q, M, S> {
    schema: Schema<Q, M, S>,
    options: SubgraphOptions,
    /// Read from the SDL on first need, as most requests never need it.
    types: OnceLock<SchemaTypes>,
}

impl<Q, M, S> Subgraph<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    /// Builds the schema and serves it with the default [`SubgraphOptions`].
    pub fn new(schema: SchemaBuilder<Q, M, S>) -> Self {
        Self::with_options(schema, SubgraphOptions::default())
    }

    /// Builds the schema and serves it with `options`.
    pub fn with_options(schema: SchemaBuilder<Q, M, S>, options: SubgraphOptions) -> Self {
        let schema = schema
            .enable_federation()
            .extension(MarkExecution)
            .limit_complexity(options.limits.complexity)
            .limit_recursive_depth(options.limits.nesting())
            .finish();
        Self {
            schema,
            options,
            types: OnceLock::new(),
        }
    }

    /// The schema being served.
    pub fn schema(&self) -> &Schema<Q, M, S> {
        &self.schema
    }

    /// The subgraph's SDL for federation composition, as `_service { sdl }` returns it.
    pub fn sdl(&self) -> String {
        federation_sdl(&self.schema)
    }

    async fn graphql(&self, request: Request) -> Response {
        if let Err(rejection) = http::check_method(request.method()) {
            return response::rejection(&rejection, MediaType::Json);
        }
        let negotiation = negotiate::negotiate(request.headers());
        let wants_page = negotiation.prefers_page && request.method() == Method::GET;
        if wants_page && self.options.explorer.allows(mode_of(&request)) {
            return explorer::page();
        }
        let Some(media) = negotiation.graphql else {
            return response::rejection(&Rejection::NotAcceptable, MediaType::Json);
        };
        match http::read_params(&request) {
            Ok(params) => {
                let span = request_span();
                self.execute(&request, params, media).instrument(span).await
            }
            Err(rejection) => response::rejection(&rejection, media),
        }
    }

    async fn execute(&self, request: &Request, params: Params, media: MediaType) -> Response {
        let introspection = self.options.introspection.allows(mode_of(request));
        let prepared = match self.prepare(request, &params, introspection) {
            Ok(prepared) => prepared,
            Err(Refusal::Http(rejection)) => return response::rejection(&rejection, media),
            Err(Refusal::GraphQl(errors)) => return respond(&Outcome::Refused(errors), media),
        };
        record_operation(prepared.operation.as_ref());

        let call = self.call(request, params, introspection);
        let kind = prepared.operation.map(|operation| operation.kind);
        let outcome = self.run(&call, prepared.document, kind).await;
        respond(&outcome.masked(), media)
    }

    fn prepare(
        &self,
        request: &Request,
        params: &Params,
        introspection: bool,
    ) -> Result<Prepared, Refusal> {
        let rules = Rules {
            limits: &self.options.limits,
            introspection,
            read_only: request.method() == Method::GET,
        };
        document::prepare(&params.query, params.operation_name.as_deref(), rules)
    }

    fn call(&self, request: &Request, params: Params, introspection: bool) -> Call {
        let extensions: HashMap<String, Value> = params
            .extensions
            .into_iter()
            .filter_map(|(name, value)| Some((name, Value::from_json(value).ok()?)))
            .collect();
        Call {
            query: params.query,
            operation_name: params.operation_name,
            variables: Variables::from_json(serde_json::Value::Object(params.variables)),
            extensions,
            identity: Identity::from_request(request),
            edge: EdgeContext::of(request).cloned(),
            introspection,
            max_complexity: self.options.limits.complexity,
        }
    }

    async fn run(
        &self,
        call: &Call,
        document: ExecutableDocument,
        kind: Option<OperationKind>,
    ) -> Outcome {
        let operation = call.operation_name.as_deref();
        let outcome = match EntitiesPlan::find(&document, operation, &call.variables) {
            Some(plan) => {
                let entity_types = self.types().entity_types();
                let limit = self.options.limits.entities;
                plan.run(&self.schema, call, document, entity_types, limit)
                    .await
            }
            None if entities::asks_for_entities(&document, operation) => {
                let message = "`_entities` must be the only root field of its operation";
                Outcome::Refused(vec![crate::error::coded(
                    message,
                    crate::codes::BAD_REQUEST,
                )])
            }
            None => execute::run(&self.schema, call, call.variables.clone(), document).await,
        };
        match outcome {
            Outcome::Executed(mut response) => {
                self.propagate_nulls(call, kind, &mut response);
                Outcome::Executed(response)
            }
            refused @ Outcome::Refused(_) => refused,
        }
    }

    /// Puts field errors' nulls where the specification wants them (see `nulls`).
    fn propagate_nulls(
        &self,
        call: &Call,
        kind: Option<OperationKind>,
        response: &mut async_graphql::Response,
    ) {
        if response.errors.iter().all(|error| error.path.is_empty()) {
            return;
        }
        // Field errors are rare: parsing again then is cheaper than keeping a copy always.
        let Ok(document) = async_graphql::parser::parse_query(&call.query) else {
            return;
        };
        let root_type = match kind {
            Some(OperationKind::Mutation) => M::type_name(),
            _ => Q::type_name(),
        };
        let executed = Executed {
            document: &document,
            operation_name: call.operation_name.as_deref(),
            root_type: &root_type,
            types: self.types(),
        };
        executed.propagate_nulls(response);
    }

    fn types(&self) -> &SchemaTypes {
        self.types
            .get_or_init(|| SchemaTypes::from_sdl(&self.schema.sdl()))
    }
}

impl<Q, M, S> HttpService for Subgraph<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    async fn call(&self, request: Request) -> Response {
        let path = request.uri().path();
        if path == self.options.path {
            self.graphql(request).await
        } else if path == HEALTH_PATH {
            health(request.method())
        } else {
            response::not_found(path)
        }
    }
}

impl<Q, M, S> fmt::Debug for Subgraph<Q, M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subgraph")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// A schema's SDL for federation composition: federation v2 directives, without `_service`
/// and `_entities`, exactly as the schema's `_service { sdl }` returns it.
pub fn federation_sdl<Q, M, S>(schema: &Schema<Q, M, S>) -> String
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    schema.sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}

fn health(method: &Method) -> Response {
    if method == Method::GET {
        return response::health();
    }
    let message = "the health check answers GET";
    response::rejection(
        &Rejection::MethodNotAllowed {
            allow: "GET",
            message,
        },
        MediaType::Json,
    )
}

fn mode_of(request: &Request) -> Option<Mode> {
    EdgeContext::of(request).map(|edge| edge.mode)
}

/// Writes a GraphQL outcome; refusals are the client's doing, so they are only debug events.
fn respond(outcome: &Outcome, media: MediaType) -> Response {
    if let Outcome::Refused(errors) = outcome {
        tracing::debug!(target: "stack_graphql", errors = errors.len(), "refused before execution");
    }
    response::graphql(outcome, media)
}

fn request_span() -> tracing::Span {
    tracing::info_span!(
        target: "stack_graphql",
        "graphql",
        graphql.operation.name = tracing::field::Empty,
        graphql.operation.type = tracing::field::Empty,
    )
}

fn record_operation(operation: Option<&Operation>) {
    let Some(operation) = operation else { return };
    let span = tracing::Span::current();
    span.record(
        "graphql.operation.type",
        tracing::field::display(operation.kind),
    );
    if let Some(name) = &operation.name {
        span.record("graphql.operation.name", name.as_str());
    }
}
