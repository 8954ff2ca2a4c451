//! The router as a GraphQL-over-HTTP server: federated queries, mutations, variables, limits,
//! persisted queries, CORS, health, header rules, identity, and bad input that never panics.

#![cfg(feature = "router")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod router_support;

use bytes::Bytes;
use serde_json::{Value, json};
use stack_core::Mode;
use stack_core::http::{EdgeContext, EventSource, HttpService as _, Request};
use stack_graphql::Limits;
use stack_graphql::router::{InProcess, Router, RouterOptions};

use router_support::{TINY, accounts, body, post, reviews, service};

fn router(options: RouterOptions) -> Router {
    Router::builder(TINY)
        .options(options)
        .subgraph("accounts", InProcess::new(service(accounts)))
        .subgraph("reviews", InProcess::new(service(reviews)))
        .build()
        .unwrap()
}

fn local(mut request: Request) -> Request {
    request.extensions_mut().insert(EdgeContext {
        mode: Mode::Local,
        source: EventSource::Local,
        request_id: "r-1".to_owned(),
        trace_id: Some("Root=1-abc-def".to_owned()),
        raw_path: "/graphql".to_owned(),
        stage: None,
        authorizer: None,
    });
    request
}

#[tokio::test]
async fn a_query_spanning_two_subgraphs_is_answered_in_the_clients_shape() {
    let request = post(&json!({ "query": "{ users { name reviews { body } } }" }));
    let reply = body(&router(RouterOptions::default()).call(request).await);
    assert_eq!(
        reply,
        json!({ "data": { "users": [
            { "name": "Ada", "reviews": [{ "body": "review by 1" }] },
            { "name": "Bob", "reviews": [{ "body": "review by 2" }] },
        ] } })
    );
}

#[tokio::test]
async fn mutations_carry_their_variables() {
    let query = "mutation Add($body: String!) { addReview(body: $body) { body stars } }";
    let request = post(&json!({ "query": query, "variables": { "body": "great" } }));
    let reply = body(&router(RouterOptions::default()).call(request).await);
    assert_eq!(
        reply,
        json!({ "data": { "addReview": { "body": "great", "stars": 5 } } })
    );
}

#[tokio::test]
async fn skip_and_include_follow_the_variables() {
    let query = "query($with: Boolean!) { users { name reviews @include(if: $with) { body } } }";
    let router = router(RouterOptions::default());
    let without = post(&json!({ "query": query, "variables": { "with": false } }));
    let reply = body(&router.call(without).await);
    assert_eq!(reply["data"]["users"][0], json!({ "name": "Ada" }));
    let with = post(&json!({ "query": query, "variables": { "with": true } }));
    let reply = body(&router.call(with).await);
    assert_eq!(
        reply["data"]["users"][0]["reviews"][0]["body"],
        "review by 1"
    );
}

#[tokio::test]
async fn the_caller_trace_and_allowed_headers_reach_subgraphs() {
    let router = router(RouterOptions::default().propagate_header("x-tenant"));
    let mut request = post(&json!({ "query": "{ me { id name } }" }));
    let headers = request.headers_mut();
    headers.insert("x-stack-user", "alice".parse().unwrap());
    headers.insert("x-tenant", "t1".parse().unwrap());
    let reply = body(&router.call(local(request)).await);
    assert_eq!(reply["data"]["me"], json!({ "id": "alice", "name": "Me" }));
}

#[tokio::test]
async fn only_allowlisted_headers_are_propagated() {
    // The accounts subgraph echoes `x-tenant` and the trace header into fields of `me` that
    // the supergraph does not declare, so the router passes them through unshaped.
    let seen = |options: RouterOptions| async move {
        let mut request = post(&json!({ "query": "{ me { id } }" }));
        request
            .headers_mut()
            .insert("x-tenant", "t1".parse().unwrap());
        let subgraph_request = std::sync::Arc::new(std::sync::Mutex::new(None));
        let capture = subgraph_request.clone();
        let router = Router::builder(TINY)
            .options(options)
            .subgraph(
                "accounts",
                InProcess::new(move |request: Request| {
                    let headers = request.headers().clone();
                    *capture.lock().unwrap() = Some(headers);
                    std::future::ready(router_support::json_reply(&accounts(&request)))
                }),
            )
            .subgraph("reviews", InProcess::new(service(reviews)))
            .build()
            .unwrap();
        router.call(local(request)).await;
        subgraph_request.lock().unwrap().take().unwrap()
    };
    let allowed = seen(RouterOptions::default().propagate_header("x-tenant")).await;
    assert_eq!(allowed.get("x-tenant").unwrap(), "t1");
    assert_eq!(allowed.get("x-amzn-trace-id").unwrap(), "Root=1-abc-def");
    let refused = seen(RouterOptions::default()).await;
    assert!(refused.get("x-tenant").is_none());
}

#[tokio::test]
async fn documents_over_the_limits_are_refused_before_planning() {
    let mut options = RouterOptions::default();
    options.limits = Limits::default().max_depth(2);
    let request = post(&json!({ "query": "{ users { reviews { body } } }" }));
    let response = router(options).call(request).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        body(&response)["errors"][0]["extensions"]["code"],
        "OPERATION_LIMIT_EXCEEDED"
    );
}

#[tokio::test]
async fn automatic_persisted_queries_register_and_replay() {
    let router = router(RouterOptions::default());
    let query = "{ users { name } }";
    let hash = sha256_hex(query);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let unknown = body(
        &router
            .call(post(&json!({ "extensions": extensions })))
            .await,
    );
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    let register = post(&json!({ "query": query, "extensions": extensions }));
    assert_eq!(
        body(&router.call(register).await)["data"]["users"][0]["name"],
        "Ada"
    );
    let replay = body(
        &router
            .call(post(&json!({ "extensions": extensions })))
            .await,
    );
    assert_eq!(replay["data"]["users"][1]["name"], "Bob");
}

#[tokio::test]
async fn a_safelist_refuses_operations_it_does_not_hold() {
    let mut options = RouterOptions::default().persist("{ users { name } }");
    options.safelist_only = true;
    let router = router(options);
    let allowed = body(
        &router
            .call(post(&json!({ "query": "{ users { name } }" })))
            .await,
    );
    assert!(allowed.get("errors").is_none());
    let other = body(
        &router
            .call(post(&json!({ "query": "{ users { id } }" })))
            .await,
    );
    assert_eq!(
        other["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_ALLOWED"
    );
}

#[tokio::test]
async fn health_and_cors_are_answered() {
    let router = router(RouterOptions::default().allow_origin("https://app.example"));
    let mut health = http::Request::new(Bytes::new());
    *health.uri_mut() = http::Uri::from_static("/health");
    assert_eq!(router.call(health).await.status(), 200);

    let mut preflight = http::Request::new(Bytes::new());
    *preflight.method_mut() = http::Method::OPTIONS;
    *preflight.uri_mut() = http::Uri::from_static("/graphql");
    preflight
        .headers_mut()
        .insert("origin", "https://app.example".parse().unwrap());
    let response = router.call(preflight).await;
    assert_eq!(response.status(), 204);
    let allowed = response
        .headers()
        .get("access-control-allow-origin")
        .unwrap();
    assert_eq!(allowed, "https://app.example");
}

#[tokio::test]
async fn bad_client_input_is_answered_never_a_panic() {
    let router = router(RouterOptions::default());
    let deep = format!("{}{}", "{ users ".repeat(200), "}".repeat(200));
    let inputs = [
        json!({ "query": "{" }),
        json!({ "query": "{ nope }" }),
        json!({ "query": "{ users { name(arg: 1) } }" }),
        json!({ "query": "query($n: Int!) { users { name } }", "variables": { "n": "x" } }),
        json!({ "query": "subscription { users { name } }" }),
        json!({ "query": "{ __schema { types { name } } }" }),
        json!({ "query": "{ a: users { name } b: users { name: id } }" }),
        json!({ "query": deep }),
        json!({ "query": "query A { users { name } } query B { users { id } }" }),
        json!({ "query": 42 }),
    ];
    for input in inputs {
        let response = router.call(post(&input)).await;
        let reply: Value = body(&response);
        assert!(
            reply.get("errors").is_some() || reply.get("data").is_some(),
            "{input}: {reply}"
        );
    }
}

#[tokio::test]
async fn the_typename_of_the_root_needs_no_subgraph() {
    let reply = body(
        &router(RouterOptions::default())
            .call(post(&json!({ "query": "{ __typename }" })))
            .await,
    );
    assert_eq!(reply, json!({ "data": { "__typename": "Query" } }));
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
