//! A browser opening the GraphQL path gets a small query page, locally only by default.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use http::StatusCode;
use stack_graphql::{Availability, SubgraphOptions};
use support::{TestRequest, subgraph, subgraph_with};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

#[tokio::test]
async fn a_local_browser_gets_the_page() {
    let reply = TestRequest::get("/graphql")
        .accept(BROWSER)
        .send(&subgraph())
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), "text/html; charset=utf-8");
    assert!(reply.text.starts_with("<!doctype html>"));
    assert!(reply.text.contains("fetch(window.location.pathname"));
    assert!(
        !reply.text.contains("https://"),
        "the page loads nothing from elsewhere"
    );
}

#[tokio::test]
async fn the_page_is_off_in_lambda() {
    let reply = TestRequest::get("/graphql")
        .accept(BROWSER)
        .lambda()
        .send(&subgraph())
        .await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "a GET without a query"
    );
    assert_eq!(reply.content_type(), "application/json; charset=utf-8");
    let html_only = TestRequest::get("/graphql")
        .accept("text/html")
        .lambda()
        .send(&subgraph())
        .await;
    assert_eq!(html_only.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn api_clients_never_get_the_page() {
    for accept in ["*/*", "application/json", "text/html, application/json"] {
        let reply = TestRequest::get_query("{ hello }")
            .accept(accept)
            .send(&subgraph())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{accept}");
        assert!(
            reply.content_type().starts_with("application/json"),
            "{accept}"
        );
    }
    let post = TestRequest::query("{ hello }")
        .accept("text/html")
        .send(&subgraph())
        .await;
    assert_eq!(post.status, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn the_page_can_be_turned_off_or_on() {
    let off = subgraph_with(SubgraphOptions::default().explorer(Availability::Never));
    let reply = TestRequest::get("/graphql")
        .accept(BROWSER)
        .send(&off)
        .await;
    assert_ne!(reply.content_type(), "text/html; charset=utf-8");
    let on = subgraph_with(SubgraphOptions::default().explorer(Availability::Always));
    let reply = TestRequest::get("/graphql")
        .accept(BROWSER)
        .lambda()
        .send(&on)
        .await;
    assert_eq!(reply.content_type(), "text/html; charset=utf-8");
}
