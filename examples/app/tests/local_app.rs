//! The one-process app as a user meets it: one port on 127.0.0.1, tokens from the local
//! issuer, a query spanning both subgraphs through the router, and refusals without a token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};
use stack_app::local::LocalApp;
use stack_core::clock::SystemClock;
use stack_core::config::EnvReader;
use stack_core::http::local::LocalServer;
use stack_core::testing::{HttpReply, http_call};

struct Served {
    address: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

async fn serve() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let env = || EnvReader::from_pairs([("STACK_DATA_DIR", data_dir.as_str())]);
    let app = LocalApp::start(env(), env(), Arc::new(SystemClock))
        .await
        .unwrap();
    let server = LocalServer::bind(0).await.unwrap();
    let address = server.address();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(app, async move {
        let _ = stopped.await;
    }));
    Served {
        address,
        _stop: stop,
        _dir: dir,
    }
}

async fn token(address: SocketAddr, sub: &str) -> String {
    let body = json!({ "sub": sub }).to_string();
    let reply = http_call(
        address,
        "POST",
        "/auth/dev-token",
        &[("content-type", "application/json")],
        body.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["token"].as_str().unwrap().to_owned()
}

async fn graphql(
    address: SocketAddr,
    headers: &[(&str, &str)],
    query: &str,
    variables: Value,
) -> HttpReply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    let body = json!({ "query": query, "variables": variables }).to_string();
    http_call(address, "POST", "/graphql", &all, body.as_bytes())
        .await
        .unwrap()
}

async fn as_user(address: SocketAddr, token: &str, query: &str, variables: Value) -> Value {
    let bearer = format!("Bearer {token}");
    let reply = graphql(address, &[("authorization", &bearer)], query, variables).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

const CREATE: &str = "mutation($title: String!) { createTodo(input: {title: $title}) { id } }";
const ATTACH: &str = "mutation($todo: ID!) { attachMedia(todoId: $todo, contentType: \"image/png\", size: 2048) { id status } }";
const SPANNING: &str = "{ todos { nodes { title attachments { id status } } } }";

#[tokio::test]
async fn a_query_spans_both_subgraphs_with_a_local_token() {
    let served = serve().await;
    let alice = token(served.address, "alice").await;
    let created = as_user(
        served.address,
        &alice,
        CREATE,
        json!({"title": "with a photo"}),
    )
    .await;
    let todo = created["createTodo"]["id"].as_str().unwrap().to_owned();
    let attached = as_user(served.address, &alice, ATTACH, json!({"todo": todo})).await;
    assert_eq!(attached["attachMedia"]["status"], "PENDING");

    let data = as_user(served.address, &alice, SPANNING, json!({})).await;
    let nodes = data["todos"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["title"], "with a photo");
    assert_eq!(
        nodes[0]["attachments"],
        json!([{ "id": attached["attachMedia"]["id"], "status": "PENDING" }])
    );

    // Another caller sees none of it.
    let bob = token(served.address, "bob").await;
    let data = as_user(served.address, &bob, SPANNING, json!({})).await;
    assert_eq!(data["todos"]["nodes"], json!([]));
}

#[tokio::test]
async fn without_a_good_token_the_router_is_not_reached() {
    let served = serve().await;
    let alice = token(served.address, "alice").await;
    let mut tampered = alice.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let cases: [(&str, Vec<(&str, String)>); 4] = [
        ("no token", vec![]),
        (
            "a forged identity header",
            vec![("x-stack-user", "alice".to_owned())],
        ),
        (
            "garbage",
            vec![("authorization", "Bearer not-a-token".to_owned())],
        ),
        (
            "a bad signature",
            vec![("authorization", format!("Bearer {tampered}"))],
        ),
    ];
    for (case, headers) in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = graphql(served.address, &headers, SPANNING, json!({})).await;
        assert_eq!(reply.status, 401, "{case}");
        assert!(
            reply
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer"),
            "{case}"
        );
        let body = reply.json();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{case}: {body}"
        );
        assert!(body.get("data").is_none(), "{case}");
    }
}

#[tokio::test]
async fn the_page_health_and_issuer_need_no_token() {
    let served = serve().await;
    let page = http_call(served.address, "GET", "/", &[], b"")
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(String::from_utf8_lossy(&page.body).contains("/auth/dev-token"));

    let health = http_call(served.address, "GET", "/health", &[], b"")
        .await
        .unwrap();
    assert_eq!(health.status, 200);

    let jwks = http_call(
        served.address,
        "GET",
        "/auth/.well-known/jwks.json",
        &[],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(jwks.json()["keys"].as_array().map(Vec::len), Some(1));

    let refused = http_call(
        served.address,
        "POST",
        "/auth/dev-token",
        &[("content-type", "application/json")],
        b"{\"sub\": 5}",
    )
    .await
    .unwrap();
    assert_eq!(refused.status, 400);
}

#[tokio::test]
async fn a_failed_field_is_the_only_error_when_it_nulls_the_whole_answer() {
    let served = serve().await;
    let alice = token(served.address, "alice").await;
    let bearer = format!("Bearer {alice}");
    let query = r#"mutation { a: createTodo(input: {title: "kept"}) { id } b: createTodo(input: {title: "   "}) { id } }"#;
    let reply = graphql(
        served.address,
        &[("authorization", &bearer)],
        query,
        json!({}),
    )
    .await;
    let body = reply.json();
    assert_eq!(body["data"], Value::Null, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["path"], json!(["b"]));
    assert_eq!(errors[0]["extensions"]["code"], "BAD_USER_INPUT");
}
