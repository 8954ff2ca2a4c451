//! Field errors follow the GraphQL specification: the failed field is null, and a null in a
//! non-null position makes its parent null, up to the nearest nullable one.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::{TestRequest, subgraph};

#[tokio::test]
async fn a_failed_nullable_field_is_null_and_the_rest_stays() {
    let reply = TestRequest::query("{ hello broken(failure: WRITTEN) }")
        .send(&subgraph())
        .await;
    let body = reply.json();
    assert_eq!(body["data"], json!({ "hello": "hello", "broken": null }));
    assert_eq!(body["errors"][0]["path"], json!(["broken"]));
}

#[tokio::test]
async fn a_failed_non_null_field_nulls_its_nearest_nullable_ancestor() {
    let query = "{ hello nested { level maybeChild { level failAt(level: 2) } } }";
    let body = TestRequest::query(query).send(&subgraph()).await.json();
    assert_eq!(
        body["data"],
        json!({ "hello": "hello", "nested": { "level": 1, "maybeChild": null } })
    );
    assert_eq!(
        body["errors"][0]["path"],
        json!(["nested", "maybeChild", "failAt"])
    );
}

#[tokio::test]
async fn a_failure_with_no_nullable_ancestor_nulls_the_data() {
    let query = "{ hello nested { child { failAt(level: 2) } } }";
    let reply = TestRequest::query(query).send(&subgraph()).await;
    assert_eq!(reply.status, http::StatusCode::OK);
    assert_eq!(reply.json()["data"], json!(null));
    assert_eq!(reply.errors().len(), 1);
}

#[tokio::test]
async fn aliases_and_fragments_are_followed() {
    let query =
        "{ n: nested { ...Deep } } fragment Deep on Nested { c: maybeChild { failAt(level: 2) } }";
    let body = TestRequest::query(query).send(&subgraph()).await.json();
    assert_eq!(body["data"], json!({ "n": { "c": null } }));
}

#[tokio::test]
async fn a_failed_field_inside_an_entity_nulls_only_that_entity() {
    let query = "query($r: [_Any!]!) { _entities(representations: $r) {
        ... on User { id secret } ... on Product { name } } }";
    let representations =
        json!([{ "__typename": "User", "id": "u1" }, { "__typename": "Product", "id": "1" }]);
    let body = json!({ "query": query, "variables": { "r": representations } });
    let reply = TestRequest::post("/graphql")
        .json(&body)
        .send(&subgraph())
        .await;
    let body = reply.json();
    assert_eq!(
        body["data"],
        json!({ "_entities": [null, { "name": "kettle" }] })
    );
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["_entities", 0, "secret"]));
}
