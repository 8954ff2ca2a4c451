//! Which media type a response is written in, and the status codes each one implies.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use http::StatusCode;
use serde_json::json;
use support::{GRAPHQL_RESPONSE, TestRequest, subgraph};

const JSON: &str = "application/json; charset=utf-8";
const GRAPHQL_RESPONSE_UTF8: &str = "application/graphql-response+json; charset=utf-8";

async fn content_type_for(accept: Option<&str>) -> (StatusCode, String) {
    let mut request = TestRequest::query("{ hello }");
    if let Some(accept) = accept {
        request = request.accept(accept);
    }
    let reply = request.send(&subgraph()).await;
    (reply.status, reply.content_type().to_owned())
}

#[tokio::test]
async fn the_requested_media_type_is_used() {
    let cases = [
        (None, JSON),
        (Some("application/json"), JSON),
        (Some("*/*"), JSON),
        (Some("application/*"), JSON),
        (Some(GRAPHQL_RESPONSE), GRAPHQL_RESPONSE_UTF8),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            GRAPHQL_RESPONSE_UTF8,
        ),
        (
            Some("application/graphql-response+json;q=0.5, application/json"),
            JSON,
        ),
        (Some("application/json;q=0, */*"), GRAPHQL_RESPONSE_UTF8),
        (Some("text/html, */*;q=0.1"), JSON),
    ];
    for (accept, expected) in cases {
        assert_eq!(
            content_type_for(accept).await,
            (StatusCode::OK, expected.to_owned()),
            "{accept:?}"
        );
    }
}

#[tokio::test]
async fn an_unacceptable_media_type_is_refused() {
    for accept in ["text/plain", "application/xml", "application/json;q=0"] {
        let reply = TestRequest::query("{ hello }")
            .accept(accept)
            .send(&subgraph())
            .await;
        assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE, "{accept}");
        assert_eq!(reply.content_type(), JSON);
        assert_eq!(reply.codes(), ["BAD_REQUEST"]);
    }
}

#[tokio::test]
async fn parse_errors_are_400_without_data_for_graphql_response_json() {
    let reply = TestRequest::query("{")
        .accept(GRAPHQL_RESPONSE)
        .send(&subgraph())
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.content_type(), GRAPHQL_RESPONSE_UTF8);
    assert!(!reply.has_data());
    assert_eq!(reply.codes(), ["GRAPHQL_PARSE_FAILED"]);
}

#[tokio::test]
async fn parse_errors_are_200_without_data_for_json() {
    let reply = TestRequest::query("{")
        .accept("application/json")
        .send(&subgraph())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!reply.has_data());
    assert_eq!(reply.codes(), ["GRAPHQL_PARSE_FAILED"]);
}

#[tokio::test]
async fn validation_errors_are_400_for_graphql_response_json_and_200_for_json() {
    let query = "{ noSuchField }";
    let strict = TestRequest::query(query)
        .accept(GRAPHQL_RESPONSE)
        .send(&subgraph())
        .await;
    assert_eq!(strict.status, StatusCode::BAD_REQUEST);
    assert!(!strict.has_data());
    assert_eq!(strict.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
    let legacy = TestRequest::query(query).send(&subgraph()).await;
    assert_eq!(legacy.status, StatusCode::OK);
    assert!(!legacy.has_data());
    assert_eq!(legacy.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
}

#[tokio::test]
async fn variable_coercion_errors_are_refused_before_execution() {
    let body = json!({
        "query": "query($id: ID!) { product(id: $id) { name } }",
        "variables": { "id": null },
    });
    let strict = TestRequest::post("/graphql")
        .json(&body)
        .accept(GRAPHQL_RESPONSE)
        .send(&subgraph())
        .await;
    assert_eq!(strict.status, StatusCode::BAD_REQUEST);
    assert!(!strict.has_data());
    let legacy = TestRequest::post("/graphql")
        .json(&body)
        .send(&subgraph())
        .await;
    assert_eq!(legacy.status, StatusCode::OK);
    assert!(!legacy.has_data());
}

#[tokio::test]
async fn an_unknown_operation_name_is_refused_before_execution() {
    let body = json!({ "query": "query A { hello }", "operationName": "B" });
    let reply = TestRequest::post("/graphql")
        .json(&body)
        .accept(GRAPHQL_RESPONSE)
        .send(&subgraph())
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(!reply.has_data());
    assert_eq!(reply.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
}

#[tokio::test]
async fn execution_errors_are_200_with_data_and_errors_in_both_media_types() {
    for accept in ["application/json", GRAPHQL_RESPONSE] {
        let query = "{ hello broken(failure: FORBIDDEN) }";
        let reply = TestRequest::query(query)
            .accept(accept)
            .send(&subgraph())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{accept}");
        let body = reply.json();
        assert_eq!(body["data"], json!({ "hello": "hello", "broken": null }));
        assert_eq!(body["errors"][0]["path"], json!(["broken"]));
    }
}

#[tokio::test]
async fn a_null_data_after_execution_is_still_200() {
    // `me` is non-null, so its error nulls the whole data: execution still happened.
    let request = TestRequest::query("{ hello me }")
        .lambda()
        .accept(GRAPHQL_RESPONSE);
    let reply = request.send(&subgraph()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.has_data());
    assert_eq!(reply.json()["data"], json!(null));
    assert_eq!(reply.codes(), ["UNAUTHENTICATED"]);
}
