//! Introspection is decided per request: on through the local server, off through Lambda by
//! default, while `_service { sdl }` always answers.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use http::StatusCode;
use serde_json::json;
use stack_graphql::{Availability, SubgraphOptions};
use support::{GRAPHQL_RESPONSE, TestRequest, subgraph, subgraph_with};

const SCHEMA: &str = "{ __schema { queryType { name } } }";
const TYPE: &str = r#"{ __type(name: "Product") { name } }"#;

#[tokio::test]
async fn introspection_is_on_locally() {
    let reply = TestRequest::query(SCHEMA).send(&subgraph()).await;
    assert_eq!(
        reply.json(),
        json!({ "data": { "__schema": { "queryType": { "name": "Query" } } } })
    );
    let reply = TestRequest::query(TYPE).send(&subgraph()).await;
    assert_eq!(
        reply.json(),
        json!({ "data": { "__type": { "name": "Product" } } })
    );
}

#[tokio::test]
async fn introspection_is_off_in_lambda() {
    for query in [
        SCHEMA,
        TYPE,
        "{ ...F } fragment F on Query { __schema { queryType { name } } }",
    ] {
        let reply = TestRequest::query(query)
            .lambda()
            .accept(GRAPHQL_RESPONSE)
            .send(&subgraph())
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(!reply.has_data());
        assert_eq!(reply.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
        assert!(
            reply.errors()[0]["message"]
                .as_str()
                .unwrap()
                .contains("introspection is disabled")
        );
    }
}

#[tokio::test]
async fn introspection_is_off_without_an_edge() {
    let reply = TestRequest::query(SCHEMA)
        .without_edge()
        .send(&subgraph())
        .await;
    assert_eq!(reply.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
}

#[tokio::test]
async fn typename_is_not_introspection() {
    let reply = TestRequest::query("{ __typename }")
        .lambda()
        .send(&subgraph())
        .await;
    assert_eq!(reply.json(), json!({ "data": { "__typename": "Query" } }));
}

#[tokio::test]
async fn the_service_sdl_answers_whatever_the_policy() {
    let closed = subgraph_with(SubgraphOptions::default().introspection(Availability::Never));
    let reply = TestRequest::query("{ _service { sdl } }")
        .send(&closed)
        .await;
    assert!(
        reply.json()["data"]["_service"]["sdl"]
            .as_str()
            .unwrap()
            .contains("type Product")
    );
}

#[tokio::test]
async fn the_policy_can_be_set() {
    let open = subgraph_with(SubgraphOptions::default().introspection(Availability::Always));
    let reply = TestRequest::query(SCHEMA).lambda().send(&open).await;
    assert_eq!(
        reply.json()["data"]["__schema"]["queryType"]["name"],
        "Query"
    );
    let closed = subgraph_with(SubgraphOptions::default().introspection(Availability::Never));
    let reply = TestRequest::query(SCHEMA).send(&closed).await;
    assert_eq!(reply.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
}

#[tokio::test]
async fn suggestions_are_cut_when_introspection_is_off() {
    let query = "{ helo }";
    let local = TestRequest::query(query).send(&subgraph()).await;
    assert!(
        local.errors()[0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{}",
        local.text
    );
    let lambda = TestRequest::query(query).lambda().send(&subgraph()).await;
    let message = lambda.errors()[0]["message"].as_str().unwrap().to_owned();
    assert!(!message.contains("hello"), "{message}");
    assert!(message.contains("helo"), "{message}");
}
