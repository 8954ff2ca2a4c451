//! Helpers shared by the Todo service's tests.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::PathBuf;

use bytes::Bytes;
use serde_json::{Value, json};
use stack_core::Mode;
use stack_core::http::{EdgeContext, EventSource, HttpService, Request};
use stack_dynamo::{EmbeddedBackend, Table};
use todo_service::schema_for;

/// The Todo subgraph over a fresh in-memory table.
pub fn subgraph() -> stack_graphql::Subgraph<
    todo_service::schema::QueryRoot,
    todo_service::schema::MutationRoot,
    async_graphql::EmptySubscription,
> {
    let table = Table::new(EmbeddedBackend::in_memory().unwrap());
    stack_graphql::Subgraph::new(schema_for(table))
}

/// A local-mode GraphQL POST from `user` (or anonymous).
pub fn graphql_request(user: Option<&str>, query: &str, variables: Value) -> Request {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let mut builder = http::Request::builder()
        .method("POST")
        .uri("/graphql")
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json");
    if let Some(user) = user {
        builder = builder.header("x-stack-user", user);
    }
    let mut request = builder.body(Bytes::from(body)).unwrap();
    request.extensions_mut().insert(local_edge());
    request
}

/// The edge context the local server attaches.
pub fn local_edge() -> EdgeContext {
    EdgeContext {
        mode: Mode::Local,
        source: EventSource::Local,
        request_id: "test".into(),
        trace_id: None,
        raw_path: "/graphql".into(),
        stage: None,
        authorizer: None,
    }
}

/// Runs a GraphQL request and returns (status, body).
pub async fn run(
    service: &impl HttpService,
    user: Option<&str>,
    query: &str,
    variables: Value,
) -> (u16, Value) {
    let response = service.call(graphql_request(user, query, variables)).await;
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(response.body()).unwrap_or(Value::Null),
    )
}

/// The `extensions.code` of the first error.
pub fn first_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("(none)")
}

/// The shared fixtures folder.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("STACK_FIXTURES_DIR"))
}
