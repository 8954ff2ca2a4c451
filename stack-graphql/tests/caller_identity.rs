//! The caller's identity reaches resolvers: from the `x-stack-user` header locally, from the
//! authorizer context in Lambda, and never from the header in Lambda.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use support::{TestRequest, subgraph};

#[tokio::test]
async fn the_local_header_names_the_caller() {
    let reply = TestRequest::query("{ me }")
        .header("x-stack-user", "alice")
        .send(&subgraph())
        .await;
    assert_eq!(reply.json(), json!({ "data": { "me": "alice" } }));
}

#[tokio::test]
async fn the_authorizer_names_the_caller_in_lambda() {
    let request = TestRequest::query("{ me }")
        .authorizer(json!({ "sub": "user-123", "cognito:groups": "admins" }));
    let reply = request.send(&subgraph()).await;
    assert_eq!(reply.json(), json!({ "data": { "me": "user-123" } }));
}

#[tokio::test]
async fn the_local_header_is_ignored_in_lambda() {
    let request = TestRequest::query("{ maybeMe }")
        .lambda()
        .header("x-stack-user", "mallory");
    let reply = request.send(&subgraph()).await;
    assert_eq!(reply.json(), json!({ "data": { "maybeMe": null } }));
}

#[tokio::test]
async fn a_missing_caller_is_unauthenticated() {
    let reply = TestRequest::query("{ maybeMe me }").send(&subgraph()).await;
    assert_eq!(reply.status, http::StatusCode::OK);
    assert_eq!(reply.codes(), ["UNAUTHENTICATED"]);
    let error = &reply.errors()[0];
    assert_eq!(error["path"], json!(["me"]));
    assert_eq!(error["message"], "authentication required");
}

#[tokio::test]
async fn requests_without_an_edge_have_no_caller() {
    let request = TestRequest::query("{ maybeMe }")
        .without_edge()
        .header("x-stack-user", "alice");
    assert_eq!(
        request.send(&subgraph()).await.json(),
        json!({ "data": { "maybeMe": null } })
    );
}
