//! The local token issuer: its tokens verify with the authorizer's code, it is served only
//! through the local edge, and it keeps its key under the data directory.

#![cfg(feature = "authorizer")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use auth_support::{clock_at, issuer};
use bytes::Bytes;
use serde_json::Value;
use stack_core::Mode;
use stack_core::clock::SharedClock;
use stack_core::http::local::LocalServer;
use stack_core::http::{EdgeContext, EventSource, HttpService};
use stack_core::testing::http_call;
use stack_graphql::authorizer::{
    DEV_TOKEN_PATH, KeyCache, LOCAL_JWKS_PATH, LocalIssuer, TokenVerifier,
};

const NOW: u64 = 1_800_000_000;

/// Serves the issuer on 127.0.0.1 through the real local edge.
async fn serve(issuer: LocalIssuer) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let server = LocalServer::bind(0).await.unwrap();
    let address = server.address();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(Arc::new(issuer).service(), async move {
        let _ = stopped.await;
    }));
    (address, stop)
}

async fn dev_token(address: SocketAddr, body: &str) -> (u16, Value) {
    let headers = [("content-type", "application/json")];
    let reply = http_call(address, "POST", DEV_TOKEN_PATH, &headers, body.as_bytes())
        .await
        .unwrap();
    (reply.status, reply.json())
}

#[tokio::test]
async fn a_dev_token_verifies_through_the_served_jwks() {
    let clock = clock_at(NOW);
    let (address, _stop) = serve(issuer(&clock)).await;
    let (status, body) = dev_token(address, r#"{"sub": "ann", "groups": ["admins"]}"#).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expiresIn"], 3600);
    let token = body["token"].as_str().unwrap();

    let url = format!("http://{address}{LOCAL_JWKS_PATH}");
    let shared: SharedClock = Arc::new(clock.clone());
    let keys = KeyCache::remote(&url, shared.clone()).unwrap();
    let verifier = TokenVerifier::new(LocalIssuer::verifier_settings(), keys, shared);
    let verified = verifier.verify(token).await.unwrap();
    assert_eq!(verified.identity.subject, "ann");
    assert_eq!(verified.identity.username.as_deref(), Some("ann"));
    assert_eq!(verified.identity.groups, ["admins"]);

    clock.advance(Duration::from_secs(3600 + 31));
    assert!(verifier.verify(token).await.unwrap_err().is_expired());
}

#[tokio::test]
async fn bad_bodies_are_400() {
    let (address, _stop) = serve(issuer(&clock_at(NOW))).await;
    for body in [
        "",
        "{",
        "[]",
        "{}",
        r#"{"sub": ""}"#,
        r#"{"sub": 7}"#,
        r#"{"sub": "a", "role": "x"}"#,
        r#"{"sub": "a\u0000"}"#,
    ] {
        let (status, reply) = dev_token(address, body).await;
        assert_eq!(status, 400, "{body}: {reply}");
        assert!(reply["error"].is_string());
    }
    let reply = http_call(address, "GET", DEV_TOKEN_PATH, &[], b"")
        .await
        .unwrap();
    assert_eq!(reply.status, 405);
    let reply = http_call(address, "GET", "/auth/other", &[], b"")
        .await
        .unwrap();
    assert_eq!(reply.status, 404);
}

fn edge_request(mode: Mode, path: &str, body: &'static str) -> stack_core::http::Request {
    let mut request = http::Request::post(path)
        .body(Bytes::from_static(body.as_bytes()))
        .unwrap();
    request.extensions_mut().insert(EdgeContext {
        mode,
        source: if mode == Mode::Lambda {
            EventSource::ApiGatewayHttp
        } else {
            EventSource::Local
        },
        request_id: "r".to_owned(),
        trace_id: None,
        raw_path: path.to_owned(),
        stage: None,
        authorizer: None,
    });
    request
}

#[tokio::test]
async fn the_issuer_is_never_served_through_the_lambda_edge() {
    let service = Arc::new(issuer(&clock_at(NOW))).service();
    let body = r#"{"sub": "ann"}"#;
    let local = service
        .call(edge_request(Mode::Local, DEV_TOKEN_PATH, body))
        .await;
    assert_eq!(local.status(), 200);
    for path in [DEV_TOKEN_PATH, LOCAL_JWKS_PATH] {
        let lambda = service.call(edge_request(Mode::Lambda, path, body)).await;
        assert_eq!(lambda.status(), 404, "{path}");
        assert!(!String::from_utf8_lossy(lambda.body()).contains("token\""));
    }
    let no_edge = service
        .call(
            http::Request::post(DEV_TOKEN_PATH)
                .body(Bytes::from_static(body.as_bytes()))
                .unwrap(),
        )
        .await;
    assert_eq!(no_edge.status(), 404);
}

#[tokio::test]
async fn the_key_survives_a_restart_and_is_private_to_its_owner() {
    let data_dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(clock_at(NOW));
    let first = LocalIssuer::open(data_dir.path(), clock.clone()).unwrap();
    let token = first
        .issue(&stack_graphql::authorizer::DevTokenRequest::new("ann"))
        .unwrap();
    drop(first);

    let second = LocalIssuer::open(data_dir.path(), clock.clone()).unwrap();
    assert!(
        second.verifier().verify(&token).await.is_ok(),
        "same key after a restart"
    );
    let file = data_dir.path().join("auth/local-issuer-key.der");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    std::fs::write(&file, b"not a key").unwrap();
    let error = LocalIssuer::open(data_dir.path(), clock).unwrap_err();
    assert!(error.to_string().contains("parsed"), "{error}");
}

#[tokio::test]
async fn tokens_of_another_local_key_are_refused() {
    let clock = clock_at(NOW);
    let ours = issuer(&clock);
    let theirs = issuer(&clock);
    let token = theirs
        .issue(&stack_graphql::authorizer::DevTokenRequest::new("eve"))
        .unwrap();
    assert!(
        ours.verifier()
            .verify(&token)
            .await
            .unwrap_err()
            .is_untrusted()
    );
}
