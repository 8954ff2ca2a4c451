//! Router throughput without sockets: a federated query whose plan is cached, executed over
//! two in-process subgraphs (a root fetch, then an entity fetch for every user).
//!
//! Run with `cargo bench -p stack-graphql --features router --bench router`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::needless_pass_by_value,
    missing_docs
)]

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use stack_core::http::{HttpService as _, Request, Response};
use stack_graphql::router::{InProcess, Router};

const SUPERGRAPH: &str = include_str!("../tests/router_support/tiny.graphql");

fn reply(body: &Value) -> std::future::Ready<Response> {
    let response = stack_core::http::response(
        http::StatusCode::OK,
        "application/json",
        Bytes::from(body.to_string()),
    );
    std::future::ready(response)
}

fn accounts(_request: Request) -> std::future::Ready<Response> {
    let users: Vec<Value> = (0..20)
        .map(|i| json!({ "__typename": "User", "id": i.to_string(), "name": format!("user {i}") }))
        .collect();
    reply(&json!({ "data": { "users": users } }))
}

fn reviews(request: Request) -> std::future::Ready<Response> {
    let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
    let count = body["variables"]["representations"]
        .as_array()
        .map_or(0, Vec::len);
    let entities: Vec<Value> = (0..count)
        .map(|_| json!({ "reviews": [{ "body": "fine", "stars": 4 }] }))
        .collect();
    reply(&json!({ "data": { "_entities": entities } }))
}

fn request() -> Request {
    let body = json!({ "query": "{ users { name reviews { body stars } } }" });
    let mut request = http::Request::new(Bytes::from(body.to_string()));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = http::Uri::from_static("/graphql");
    let headers = request.headers_mut();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    request
}

fn federated_query(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let router = Router::builder(SUPERGRAPH)
        .subgraph("accounts", InProcess::new(accounts))
        .subgraph("reviews", InProcess::new(reviews))
        .build()
        .unwrap();
    let warm = runtime.block_on(router.call(request()));
    assert_eq!(warm.status(), 200);
    c.bench_function("router: cached plan, 2 subgraphs, 20 entities", |b| {
        b.iter(|| runtime.block_on(router.call(request())));
    });
    c.bench_function("router: build from supergraph", |b| {
        b.iter(|| {
            Router::builder(SUPERGRAPH)
                .subgraph("accounts", InProcess::new(accounts))
                .subgraph("reviews", InProcess::new(reviews))
                .build()
                .unwrap()
        });
    });
}

criterion_group!(benches, federated_query);
criterion_main!(benches);
