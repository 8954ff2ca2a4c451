//! The router reaches subgraphs over HTTP: two subgraphs served by the local server on
//! 127.0.0.1, one federated query across both.

#![cfg(feature = "router")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use std::future::Future;
use std::net::SocketAddr;

use serde_json::json;
use stack_core::http::HttpService;
use stack_core::http::local::LocalServer;
use stack_graphql::router::{HttpTransport, Router, RouterOptions};

use router_support::{TINY, accounts, body, post, reviews, service};

/// Serves `subgraph` on a free loopback port until the test ends.
async fn serve(subgraph: impl HttpService) -> SocketAddr {
    let server = LocalServer::bind(0).await.unwrap();
    let address = server.address();
    tokio::spawn(server.serve(subgraph, std::future::pending::<()>()));
    address
}

fn url(address: SocketAddr) -> String {
    format!("http://{address}/graphql")
}

async fn router_over_http(
    deduplicate: bool,
) -> impl Fn(serde_json::Value) -> std::pin::Pin<Box<dyn Future<Output = serde_json::Value>>> {
    let accounts_at = serve(service(accounts)).await;
    let reviews_at = serve(service(reviews)).await;
    let mut options = RouterOptions::default();
    options.deduplicate = deduplicate;
    let router = Router::builder(TINY)
        .options(options)
        .subgraph("accounts", HttpTransport::new(&url(accounts_at)).unwrap())
        .subgraph("reviews", HttpTransport::new(&url(reviews_at)).unwrap())
        .build()
        .unwrap();
    move |request_body| {
        let router = router.clone();
        Box::pin(async move { body(&router.call(post(&request_body)).await) })
    }
}

#[tokio::test]
async fn a_federated_query_is_answered_over_http() {
    let call = router_over_http(false).await;
    let reply = call(json!({ "query": "{ users { name reviews { body } } }" })).await;
    assert_eq!(
        reply,
        json!({ "data": { "users": [
            { "name": "Ada", "reviews": [{ "body": "review by 1" }] },
            { "name": "Bob", "reviews": [{ "body": "review by 2" }] },
        ] } })
    );
}

#[tokio::test]
async fn deduplicated_requests_give_the_same_answers() {
    let call = router_over_http(true).await;
    let query = json!({ "query": "{ users { name reviews { body } } }" });
    let (first, second) = tokio::join!(call(query.clone()), call(query));
    assert_eq!(first, second);
    assert_eq!(
        first["data"]["users"][0]["reviews"][0]["body"],
        "review by 1"
    );
}

#[tokio::test]
async fn an_unreachable_subgraph_is_a_subgraph_error() {
    // Bind and drop a listener so the port is very likely closed.
    let closed = LocalServer::bind(0).await.unwrap().address();
    let reviews_at = serve(service(reviews)).await;
    let router = Router::builder(TINY)
        .subgraph("accounts", HttpTransport::new(&url(closed)).unwrap())
        .subgraph("reviews", HttpTransport::new(&url(reviews_at)).unwrap())
        .build()
        .unwrap();
    let reply = body(
        &router
            .call(post(&json!({ "query": "{ me { id } }" })))
            .await,
    );
    assert_eq!(reply["data"], json!({ "me": null }));
    assert_eq!(
        reply["errors"][0]["extensions"]["code"],
        "SUBGRAPH_REQUEST_FAILED"
    );
}

#[tokio::test]
async fn the_supergraph_urls_can_be_used_directly() {
    let router = Router::builder(TINY).http_to_supergraph_urls().build();
    assert!(router.is_ok());
    let missing = Router::builder(TINY).build().unwrap_err();
    assert!(missing.is_missing_subgraph());
}
