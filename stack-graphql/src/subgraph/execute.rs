//! Running a prepared document through async-graphql, and telling apart the two ways it ends.
//!
//! A request either executes (data, perhaps null, and field errors) or is refused before
//! execution (validation errors, no data). async-graphql answers both with the same
//! `Response`, so a small extension marks the requests that reached execution.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Executor, Response, ServerError, Value, Variables};
use stack_core::auth::Identity;
use stack_core::http::EdgeContext;

use crate::error::{self, codes};
use crate::subgraph::limits;

/// How a GraphQL request ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The operation ran: data (perhaps null) and field errors.
    Executed(Response),
    /// The request was refused before execution: errors only, no data.
    Refused(Vec<ServerError>),
}

impl Outcome {
    /// Masks the field errors of an executed operation (see [`crate::error`]).
    pub(crate) fn masked(self) -> Self {
        match self {
            Self::Executed(mut response) => {
                response.errors = response.errors.into_iter().map(error::mask).collect();
                Self::Executed(response)
            }
            refused @ Self::Refused(_) => refused,
        }
    }
}

/// Everything an engine request is built from, shared by every execution of one HTTP request.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) query: String,
    pub(crate) operation_name: Option<String>,
    pub(crate) variables: Variables,
    pub(crate) extensions: HashMap<String, Value>,
    pub(crate) identity: Option<Identity>,
    pub(crate) edge: Option<EdgeContext>,
    pub(crate) introspection: bool,
    pub(crate) max_complexity: usize,
}

/// Executes `document` with `variables` on behalf of `call`.
pub(crate) async fn run<E: Executor>(
    executor: &E,
    call: &Call,
    variables: Variables,
    document: ExecutableDocument,
) -> Outcome {
    let started = Started::default();
    let request = engine_request(call, variables, document, started.clone());
    let response = executor.execute(request).await;
    if started.0.load(Ordering::Acquire) {
        Outcome::Executed(response)
    } else {
        Outcome::Refused(
            response
                .errors
                .into_iter()
                .map(|e| classify(e, call))
                .collect(),
        )
    }
}

fn engine_request(
    call: &Call,
    variables: Variables,
    document: ExecutableDocument,
    started: Started,
) -> async_graphql::Request {
    let mut request = async_graphql::Request::new(call.query.clone())
        .variables(variables)
        .data(call.identity.clone())
        .data(started);
    if let Some(edge) = &call.edge {
        request = request.data(edge.clone());
    }
    if let Some(name) = &call.operation_name {
        request = request.operation_name(name.clone());
    }
    if !call.introspection {
        request = request.disable_introspection();
    }
    request.extensions = async_graphql::Extensions(call.extensions.clone());
    request.set_parsed_query(document);
    request
}

/// Gives a refused request's error its code; without introspection, suggestions of field and
/// type names are cut, as they would reveal the schema.
fn classify(mut error: ServerError, call: &Call) -> ServerError {
    if !call.introspection
        && let Some(at) = error.message.find(" Did you mean")
    {
        error.message.truncate(at);
    }
    // async-graphql's own complexity limit, which honours per-field complexity attributes.
    if error.message == "Query is too complex." {
        let limit = call.max_complexity;
        let message = format!("the operation is more complex than the limit of {limit}");
        return limits::violation(message, "complexity", limit);
    }
    error::with_code(error, codes::GRAPHQL_VALIDATION_FAILED)
}

/// Set once a request reaches execution.
#[derive(Debug, Clone, Default)]
struct Started(Arc<AtomicBool>);

/// The extension that sets [`Started`]; installed on every subgraph schema.
pub(crate) struct MarkExecution;

impl ExtensionFactory for MarkExecution {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(MarkExecution)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for MarkExecution {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(started) = ctx.data_opt::<Started>() {
            started.0.store(true, Ordering::Release);
        }
        next.run(ctx, operation_name).await
    }
}
