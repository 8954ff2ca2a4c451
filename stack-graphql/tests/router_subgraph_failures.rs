//! A subgraph that fails or is slow costs only its part of the response: the rest of the data
//! arrives, with an error that names the subgraph, and nulls propagate as GraphQL asks.

#![cfg(feature = "router")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use stack_core::http::{HttpService as _, Request, Response};
use stack_graphql::router::{InProcess, Router};

use router_support::{TINY, accounts, body, post, service};

async fn broken(_request: Request) -> Response {
    stack_core::http::response(
        http::StatusCode::BAD_GATEWAY,
        "text/html",
        Bytes::from("<html>"),
    )
}

async fn slow(request: Request) -> Response {
    tokio::time::sleep(Duration::from_secs(5)).await;
    router_support::json_reply(&router_support::reviews(&request))
}

fn query(text: &str) -> Request {
    post(&json!({ "query": text }))
}

#[tokio::test]
async fn a_failing_subgraph_leaves_partial_data_and_an_error() {
    let router = Router::builder(TINY)
        .subgraph("accounts", InProcess::new(service(accounts)))
        .subgraph("reviews", InProcess::new(broken))
        .build()
        .unwrap();
    let reply = body(
        &router
            .call(query("{ users { name reviews { body } } }"))
            .await,
    );
    assert_eq!(
        reply["data"],
        json!({ "users": [{ "name": "Ada", "reviews": null }, { "name": "Bob", "reviews": null }] })
    );
    let errors = reply["errors"].as_array().unwrap();
    assert_eq!(errors[0]["extensions"]["code"], "SUBGRAPH_REQUEST_FAILED");
    assert_eq!(errors[0]["extensions"]["serviceName"], "reviews");
    assert_eq!(errors[0]["path"], json!(["users", 0]));
}

#[tokio::test]
async fn a_slow_subgraph_times_out_and_the_rest_is_served() {
    let router = Router::builder(TINY)
        .subgraph("accounts", InProcess::new(service(accounts)))
        .subgraph("reviews", InProcess::new(slow))
        .subgraph_timeout("reviews", Duration::from_millis(50))
        .build()
        .unwrap();
    let reply = body(
        &router
            .call(query("{ users { name reviews { body } } }"))
            .await,
    );
    assert_eq!(reply["data"]["users"][1]["name"], "Bob");
    assert_eq!(reply["data"]["users"][1]["reviews"], Value::Null);
    assert_eq!(reply["errors"][0]["extensions"]["code"], "SUBGRAPH_TIMEOUT");
}

#[tokio::test]
async fn a_null_in_a_non_null_field_nulls_the_nearest_nullable_parent() {
    let router = Router::builder(TINY)
        .subgraph("accounts", InProcess::new(service(accounts)))
        .subgraph("reviews", InProcess::new(service(router_support::reviews)))
        .build()
        .unwrap();
    // Without a caller the accounts subgraph answers `name: null`, and `name` is `String!`.
    let reply = body(&router.call(query("{ me { name } }")).await);
    assert_eq!(reply["data"], json!({ "me": null }));
    assert_eq!(reply["errors"][0]["path"], json!(["me", "name"]));
}

#[tokio::test]
async fn a_subgraph_that_is_missing_entirely_is_a_request_error_not_a_panic() {
    let router = Router::builder(TINY)
        .subgraph("accounts", InProcess::new(broken))
        .subgraph("reviews", InProcess::new(broken))
        .build()
        .unwrap();
    let reply = body(&router.call(query("{ users { name } }")).await);
    assert_eq!(reply["data"], Value::Null);
    assert!(!reply["errors"].as_array().unwrap().is_empty());
}
