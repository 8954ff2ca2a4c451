//! Helpers shared by the Media service's tests: the subgraph over each backend, and GraphQL
//! calls through its HTTP handler.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::needless_pass_by_value
)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use async_graphql::EmptySubscription;
use aws_sdk_dynamodb::config::{Credentials, Region};
use bytes::Bytes;
use media_service::schema::{MutationRoot, QueryRoot};
use media_service::schema_for;
use serde_json::{Value, json};
use stack_core::Mode;
use stack_core::http::{EdgeContext, EventSource, HttpService, Request};
use stack_dynamo::{AwsBackend, EmbeddedBackend, Table};

/// The Media subgraph.
pub type MediaSubgraph = stack_graphql::Subgraph<QueryRoot, MutationRoot, EmptySubscription>;

/// The moto server's URL, for example `http://127.0.0.1:5055`.
const MOTO_URL: &str = "STACK_TEST_MOTO_URL";
/// Set to `1` to fail, rather than skip, the DynamoDB runs when there is no moto server.
const REQUIRE_MOTO: &str = "STACK_TEST_REQUIRE_MOTO";

/// The Media subgraph over a fresh in-memory table.
pub fn subgraph() -> MediaSubgraph {
    subgraph_over(Table::new(EmbeddedBackend::in_memory().unwrap()))
}

/// The Media subgraph over `table`.
pub fn subgraph_over(table: Table) -> MediaSubgraph {
    stack_graphql::Subgraph::new(schema_for(table))
}

/// The subgraph on every backend there is: the embedded table always, and a fresh DynamoDB
/// table on moto when `STACK_TEST_MOTO_URL` names one (after a notice otherwise).
pub async fn subgraphs() -> Vec<(&'static str, MediaSubgraph)> {
    let mut all = vec![("embedded", subgraph())];
    match std::env::var(MOTO_URL) {
        Ok(url) => all.push(("moto", subgraph_over(moto_table(&url).await))),
        Err(_) => {
            assert!(
                std::env::var(REQUIRE_MOTO).as_deref() != Ok("1"),
                "{REQUIRE_MOTO}=1 but {MOTO_URL} is not set"
            );
            eprintln!("skipped the DynamoDB run: set {MOTO_URL} to run it on moto");
        }
    }
    all
}

/// A table of its own on the moto server at `url`, with the default indexes.
async fn moto_table(url: &str) -> Table {
    let loopback = ["http://127.0.0.1:", "http://localhost:"];
    assert!(
        loopback.iter().any(|prefix| url.starts_with(prefix)),
        "{MOTO_URL} must be loopback"
    );
    let credentials = Credentials::new("test", "test", None, None, "static");
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .endpoint_url(url)
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let backend = AwsBackend::new(client, unique_table_name());
    backend.create_table_if_missing().await.unwrap();
    Table::new(backend)
}

/// A table name no other test uses, on this or an earlier run.
fn unique_table_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("media-{}-{nanos}-{count}", std::process::id())
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
    request.extensions_mut().insert(EdgeContext {
        mode: Mode::Local,
        source: EventSource::Local,
        request_id: "test".into(),
        trace_id: None,
        raw_path: "/graphql".into(),
        stage: None,
        authorizer: None,
    });
    request
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
