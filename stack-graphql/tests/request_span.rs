//! Each GraphQL request runs in one `graphql` span that names the operation and its type.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::{Captured, RecordedSpan, TestRequest, subgraph};

fn graphql_spans(captured: &Captured) -> Vec<RecordedSpan> {
    captured
        .spans()
        .into_iter()
        .filter(|span| span.name == "graphql")
        .collect()
}

#[tokio::test]
async fn a_named_query_is_recorded_with_its_name_and_type() {
    let (captured, _guard) = Captured::install();
    let body = json!({ "query": "query Greeting { hello }", "operationName": "Greeting" });
    TestRequest::post("/graphql")
        .json(&body)
        .send(&subgraph())
        .await;
    let spans = graphql_spans(&captured);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].target, "stack_graphql");
    assert_eq!(spans[0].field("graphql.operation.name"), Some("Greeting"));
    assert_eq!(spans[0].field("graphql.operation.type"), Some("query"));
}

#[tokio::test]
async fn an_anonymous_mutation_is_recorded_with_its_type_only() {
    let (captured, _guard) = Captured::install();
    TestRequest::query("mutation { add(a: 1, b: 2) }")
        .send(&subgraph())
        .await;
    let spans = graphql_spans(&captured);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].field("graphql.operation.type"), Some("mutation"));
    assert_eq!(spans[0].field("graphql.operation.name"), None);
}

#[tokio::test]
async fn requests_that_are_not_graphql_open_no_span() {
    let (captured, _guard) = Captured::install();
    TestRequest::get("/health").send(&subgraph()).await;
    TestRequest::post("/graphql")
        .header("content-type", "text/plain")
        .body("{}")
        .send(&subgraph())
        .await;
    assert!(graphql_spans(&captured).is_empty());
}

#[tokio::test]
async fn an_unparsable_document_still_has_its_span() {
    let (captured, _guard) = Captured::install();
    TestRequest::query("{").send(&subgraph()).await;
    let spans = graphql_spans(&captured);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].field("graphql.operation.type"), None);
}
