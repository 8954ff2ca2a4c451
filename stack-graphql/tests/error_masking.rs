//! Errors in responses: edge errors carry the code of their kind, internal details never leave
//! the process and are logged once, and messages written on purpose are kept.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::{Captured, TestRequest, subgraph};

async fn broken(failure: &str) -> (Value, Captured) {
    let (captured, _guard) = Captured::install();
    let query = format!("{{ broken(failure: {failure}) }}");
    let reply = TestRequest::query(&query).send(&subgraph()).await;
    let errors = reply.errors();
    assert_eq!(errors.len(), 1, "{}", reply.text);
    (errors[0].clone(), captured)
}

fn error_logs(captured: &Captured) -> Vec<support::RecordedEvent> {
    captured
        .events()
        .into_iter()
        .filter(|event| event.level == tracing::Level::ERROR)
        .collect()
}

#[tokio::test]
async fn internal_edge_errors_are_masked_and_logged_once_with_their_chain() {
    let (error, captured) = broken("INTERNAL").await;
    assert_eq!(error["message"], "internal server error");
    assert_eq!(
        error["extensions"],
        json!({ "code": "INTERNAL_SERVER_ERROR" })
    );
    assert_eq!(error["path"], json!(["broken"]));
    let logs = error_logs(&captured);
    assert_eq!(logs.len(), 1, "{logs:?}");
    let logged = logs[0].field("error").unwrap();
    assert!(
        logged.contains("secret-table") && logged.contains("connection reset"),
        "{logged}"
    );
    assert_eq!(logs[0].target, "stack_graphql");
}

#[tokio::test]
async fn public_edge_errors_keep_their_message_and_code() {
    let (error, captured) = broken("FORBIDDEN").await;
    assert_eq!(error["message"], "the table `secret-table` failed");
    assert_eq!(error["extensions"]["code"], "FORBIDDEN");
    assert!(error_logs(&captured).is_empty());
}

#[tokio::test]
async fn errors_converted_from_other_types_are_masked_and_logged() {
    let (error, captured) = broken("CONVERTED").await;
    assert_eq!(error["message"], "internal server error");
    assert_eq!(error["extensions"]["code"], "INTERNAL_SERVER_ERROR");
    let logs = error_logs(&captured);
    assert_eq!(logs.len(), 1);
    assert!(logs[0].field("error").unwrap().contains("invalid digit"));
    assert_eq!(logs[0].field("graphql.path"), Some("broken"));
}

#[tokio::test]
async fn messages_written_on_purpose_are_kept_without_a_code() {
    let (error, captured) = broken("WRITTEN").await;
    assert_eq!(error["message"], "written on purpose");
    assert!(error.get("extensions").is_none(), "{error}");
    assert!(error_logs(&captured).is_empty());
}

#[tokio::test]
async fn engine_errors_keep_their_message() {
    let reply = TestRequest::query(r#"{ product(id: {a: 1}) { id } }"#)
        .send(&subgraph())
        .await;
    assert_eq!(reply.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
    assert!(
        !reply.errors()[0]["message"]
            .as_str()
            .unwrap()
            .contains("internal")
    );
}

#[tokio::test]
async fn every_protocol_error_has_a_code() {
    let parse = TestRequest::query("{").send(&subgraph()).await;
    assert_eq!(parse.codes(), ["GRAPHQL_PARSE_FAILED"]);
    let validation = TestRequest::query("{ nope }").send(&subgraph()).await;
    assert_eq!(validation.codes(), ["GRAPHQL_VALIDATION_FAILED"]);
    let request = TestRequest::post("/graphql")
        .header("content-type", "application/json")
        .body("{");
    assert_eq!(request.send(&subgraph()).await.codes(), ["BAD_REQUEST"]);
}
