//! Limits on documents: each violation is a GraphQL error refused before execution, never a
//! panic or a stack overflow, however large or deep the input.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use http::StatusCode;
use serde_json::{Value, json};
use stack_graphql::{Limits, SubgraphOptions};
use support::{GRAPHQL_RESPONSE, Reply, TestRequest, TestSubgraph, subgraph, subgraph_with};

/// The standard introspection query that GraphiQL and most tools send.
const INTROSPECTION: &str = "query IntrospectionQuery { __schema {
  queryType { name } mutationType { name } subscriptionType { name }
  types { ...FullType }
  directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue } interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

async fn send(subgraph: &TestSubgraph, query: &str) -> Reply {
    TestRequest::query(query)
        .accept(GRAPHQL_RESPONSE)
        .send(subgraph)
        .await
}

/// Asserts a refusal for `limit` and returns the error.
fn assert_limit(reply: &Reply, limit: &str) -> Value {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert!(!reply.has_data());
    let error = reply.errors().remove(0);
    assert_eq!(
        error["extensions"]["code"], "OPERATION_LIMIT_EXCEEDED",
        "{error}"
    );
    assert_eq!(error["extensions"]["limit"], limit, "{error}");
    error
}

/// A subgraph that takes documents of up to 4 MiB, to reach the other limits with big ones.
fn roomy() -> TestSubgraph {
    subgraph_with(SubgraphOptions::default().limits(Limits::default().max_document_bytes(4 << 20)))
}

/// `{ nested { child { ... { level } } } }`, `depth` fields deep.
fn nested(depth: usize) -> String {
    format!(
        "{{ nested {{ {}level{} }} }}",
        "child { ".repeat(depth - 2),
        " }".repeat(depth - 2)
    )
}

#[tokio::test]
async fn the_default_limits_let_ordinary_and_introspection_queries_through() {
    let reply = send(&subgraph(), INTROSPECTION).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert!(reply.json()["data"]["__schema"]["types"].is_array());
    assert_eq!(send(&subgraph(), &nested(15)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn depth_is_limited() {
    let subgraph = subgraph_with(SubgraphOptions::default().limits(Limits::default().max_depth(5)));
    assert_eq!(send(&subgraph, &nested(5)).await.status, StatusCode::OK);
    let error = assert_limit(&send(&subgraph, &nested(6)).await, "depth");
    assert_eq!(error["extensions"]["maximum"], 5);
    let through_fragments = "{ ...A } fragment A on Query { nested { ...B } }
        fragment B on Nested { child { child { child { child { level } } } } }";
    assert_limit(&send(&subgraph, through_fragments).await, "depth");
}

#[tokio::test]
async fn the_default_depth_is_fifteen() {
    assert_limit(&send(&subgraph(), &nested(16)).await, "depth");
}

#[tokio::test]
async fn aliases_are_limited() {
    let subgraph =
        subgraph_with(SubgraphOptions::default().limits(Limits::default().max_aliases(3)));
    assert_eq!(
        send(&subgraph, "{ a: hello b: hello c: hello }")
            .await
            .status,
        StatusCode::OK
    );
    assert_limit(
        &send(&subgraph, "{ a: hello b: hello c: hello d: hello }").await,
        "aliases",
    );
    let spread_twice =
        "{ one: nested { ...F } two: nested { ...F } } fragment F on Nested { x: level }";
    assert_limit(&send(&subgraph, spread_twice).await, "aliases");
}

#[tokio::test]
async fn the_default_alias_limit_stops_alias_floods() {
    let flood: String = (0..10_000).map(|i| format!("a{i}: hello ")).collect();
    assert_limit(&send(&roomy(), &format!("{{ {flood} }}")).await, "aliases");
}

#[tokio::test]
async fn complexity_is_limited_by_expanded_fields() {
    let subgraph =
        subgraph_with(SubgraphOptions::default().limits(Limits::default().max_complexity(10)));
    let fields: String = (0..11).map(|_| "hello ").collect();
    assert_limit(
        &send(&subgraph, &format!("{{ {fields} }}")).await,
        "complexity",
    );
}

#[tokio::test]
async fn complexity_is_limited_by_field_costs() {
    let reply = send(&subgraph(), "{ a: expensive b: expensive c: expensive }").await;
    let error = assert_limit(&reply, "complexity");
    assert_eq!(error["extensions"]["maximum"], 1000);
    assert_eq!(
        send(&subgraph(), "{ expensive }").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn fragments_spread_exponentially_are_refused_quickly() {
    // Each fragment spreads the next one twice: 2^30 fields if anything expanded it naively.
    let mut query = String::from("{ nested { ...F0 } }\n");
    for i in 0..30 {
        query.push_str(&format!(
            "fragment F{i} on Nested {{ ...F{next} ...F{next} }}\n",
            next = i + 1
        ));
    }
    query.push_str("fragment F30 on Nested { level }\n");
    assert_limit(&send(&subgraph(), &query).await, "complexity");
}

#[tokio::test]
async fn root_fields_can_be_limited() {
    let limits = Limits::default().max_root_fields(Some(2));
    let narrow = subgraph_with(SubgraphOptions::default().limits(limits));
    assert_eq!(
        send(&narrow, "{ hello nested { level } }").await.status,
        StatusCode::OK
    );
    let three = "{ hello nested { level } product(id: 1) { id } }";
    assert_limit(&send(&narrow, three).await, "rootFields");
    assert_eq!(send(&subgraph(), three).await.status, StatusCode::OK);
}

#[tokio::test]
async fn documents_are_limited_in_size() {
    let megabyte = format!("{{ hello {} }}", "# padding\n".repeat(100_000));
    assert!(megabyte.len() > 1_000_000);
    let error = assert_limit(&send(&subgraph(), &megabyte).await, "documentBytes");
    assert_eq!(error["extensions"]["maximum"], 65_536);
    let small =
        subgraph_with(SubgraphOptions::default().limits(Limits::default().max_document_bytes(10)));
    assert_limit(&send(&small, "{ hello hello }").await, "documentBytes");
}

#[tokio::test]
async fn ten_thousand_nested_braces_are_refused_without_overflowing() {
    let braces = format!("{}{}", "{".repeat(10_000), "}".repeat(10_000));
    assert_limit(&send(&roomy(), &braces).await, "nesting");
    let fields = format!("{}{}", "{ nested ".repeat(10_000), "}".repeat(10_000));
    assert_limit(&send(&roomy(), &fields).await, "nesting");
}

#[tokio::test]
async fn deeply_nested_argument_values_are_refused_without_overflowing() {
    let lists = format!(
        "{{ product(id: {}1{}) {{ id }} }}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_limit(&send(&roomy(), &lists).await, "nesting");
    let objects = format!(
        "{{ product(id: {}1{}) {{ id }} }}",
        "{a:".repeat(10_000),
        "}".repeat(10_000)
    );
    assert_limit(&send(&roomy(), &objects).await, "nesting");
}

#[tokio::test]
async fn deeply_nested_variables_are_a_bad_request() {
    let query = "query($id: ID) { product(id: $id) { id } }";
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let body = format!(r#"{{"query":"{query}","variables":{{"id":{deep}}}}}"#);
    let reply = TestRequest::post("/graphql")
        .header("content-type", "application/json")
        .body(body)
        .send(&subgraph())
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.codes(), ["BAD_REQUEST"]);
}

#[tokio::test]
async fn fragment_cycles_are_refused() {
    let cycle =
        "{ nested { ...A } } fragment A on Nested { child { ...B } } fragment B on Nested { ...A }";
    let reply = send(&subgraph(), cycle).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
}

#[tokio::test]
async fn long_chains_of_unused_fragments_are_refused() {
    let mut query = String::from("{ hello }\n");
    for i in 0..2_000 {
        query.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
    }
    query.push_str("fragment F2000 on Query { hello }\n");
    assert_limit(&send(&roomy(), &query).await, "nesting");
}

#[tokio::test]
async fn every_operation_of_a_document_is_checked() {
    let query = format!("query Small {{ hello }} query Deep {}", nested(16));
    let body = json!({ "query": query, "operationName": "Small" });
    let reply = TestRequest::post("/graphql")
        .json(&body)
        .accept(GRAPHQL_RESPONSE)
        .send(&subgraph())
        .await;
    assert_limit(&reply, "depth");
}

#[tokio::test]
async fn limits_apply_to_get_requests_too() {
    let reply = TestRequest::get_query(&nested(16))
        .accept(GRAPHQL_RESPONSE)
        .send(&subgraph())
        .await;
    assert_limit(&reply, "depth");
}

#[tokio::test]
async fn limit_errors_are_200_for_json_clients() {
    let reply = TestRequest::query(&nested(16)).send(&subgraph()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!reply.has_data());
    assert_eq!(reply.codes(), ["OPERATION_LIMIT_EXCEEDED"]);
}
