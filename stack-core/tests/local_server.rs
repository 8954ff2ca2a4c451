//! The local server answers on 127.0.0.1 with the local edge context, enforces the body limit,
//! and serves event handlers behind the local invoke path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stack_core::events::{EventHandler, Invocation, LOCAL_INVOKE_PATH, invoke_endpoint};
use stack_core::http::HttpService;
use stack_core::http::local::{LocalServer, MAX_BODY_BYTES, Timeouts};
use stack_core::testing::http_call;
use stack_core::{EdgeError, ErrorKind};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::oneshot;

/// Starts a server on a free port; dropping the sender stops it.
async fn start(service: impl HttpService) -> (SocketAddr, oneshot::Sender<()>) {
    let server = LocalServer::bind(0).await.unwrap();
    let address = server.address();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(service, async move {
        let _ = stopped.await;
    }));
    (address, stop)
}

/// Sends one request and returns (status, body).
async fn send(address: SocketAddr, head: &str, body: &[u8]) -> (u16, String) {
    let (method, rest) = head.split_once(' ').unwrap();
    let target = rest.trim_end_matches(" HTTP/1.1");
    let reply = http_call(address, method, target, &[], body).await.unwrap();
    (
        reply.status,
        String::from_utf8_lossy(&reply.body).into_owned(),
    )
}

#[tokio::test]
async fn serves_on_loopback_with_the_local_edge_context() {
    let (address, _stop) = start(support::echo).await;
    assert!(address.ip().is_loopback());
    let (status, body) = send(address, "POST /graphql?a=b+c HTTP/1.1", b"hello").await;
    assert_eq!(status, 200);
    let echoed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(echoed["mode"], "Local");
    assert_eq!(echoed["source"], "Local");
    assert_eq!(echoed["path"], "/graphql");
    assert_eq!(echoed["query"], "a=b+c");
    assert_eq!(echoed["body"], "aGVsbG8=");
}

#[tokio::test]
async fn slow_clients_are_cut_off() {
    let timeouts = Timeouts {
        header: Duration::from_millis(200),
        body: Duration::from_millis(200),
        shutdown_grace: Duration::from_millis(200),
    };
    let server = LocalServer::bind(0).await.unwrap().with_timeouts(timeouts);
    let address = server.address();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(support::echo, async move {
        let _ = stopped.await;
    }));

    // A head that never ends, and a body that never comes, are both closed by the server.
    let mut silent_head = tokio::net::TcpStream::connect(address).await.unwrap();
    silent_head
        .write_all(b"POST /graphql HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut silent_body = tokio::net::TcpStream::connect(address).await.unwrap();
    silent_body
        .write_all(b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nab")
        .await
        .unwrap();
    let mut reply = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(5), silent_body.read_to_end(&mut reply)).await;
    assert!(read.is_ok(), "the body timeout closed the connection");
    assert!(
        String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
    let read =
        tokio::time::timeout(Duration::from_secs(5), silent_head.read_to_end(&mut reply)).await;
    assert!(read.is_ok(), "the header timeout closed the connection");

    // Shutdown does not wait forever on a client that holds its connection open.
    let _held = tokio::net::TcpStream::connect(address).await.unwrap();
    drop(stop);
    let stopped_in_time = tokio::time::timeout(Duration::from_secs(5), serving).await;
    assert!(
        stopped_in_time.is_ok(),
        "the server stopped within its grace period"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let (address, _stop) = start(support::echo).await;
    let body = vec![b'x'; MAX_BODY_BYTES + 1];
    let (status, _) = send(address, "POST /graphql HTTP/1.1", &body).await;
    assert_eq!(status, 413);
}

#[derive(Deserialize)]
struct Ping {
    n: i64,
}

#[derive(Serialize)]
struct Pong {
    doubled: i64,
    request_id: String,
}

#[derive(Debug, thiserror::Error)]
#[error("negative numbers are refused")]
struct Negative;

impl EdgeError for Negative {
    fn kind(&self) -> ErrorKind {
        ErrorKind::BadUserInput
    }
}

struct Doubler;

impl EventHandler for Doubler {
    type Event = Ping;
    type Output = Pong;
    type Error = Negative;

    async fn handle(&self, event: Ping, invocation: Invocation) -> Result<Pong, Negative> {
        if event.n < 0 {
            return Err(Negative);
        }
        Ok(Pong {
            doubled: event.n * 2,
            request_id: invocation.request_id,
        })
    }
}

#[tokio::test]
async fn event_handlers_are_invoked_like_the_runtime_emulator() {
    let (address, _stop) = start(invoke_endpoint(Doubler)).await;
    let head = format!("POST {LOCAL_INVOKE_PATH} HTTP/1.1");

    let (status, body) = send(address, &head, br#"{"n": 21}"#).await;
    assert_eq!(status, 200);
    let output: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(output["doubled"], 42);
    assert!(output["request_id"].as_str().unwrap().starts_with("local-"));

    let (status, body) = send(address, &head, br#"{"n": -1}"#).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"errorType": "Stack.BadUserInput", "errorMessage": "negative numbers are refused"})
    );

    let (status, body) = send(address, &head, br#"{"m": 1}"#).await;
    assert_eq!(status, 400);
    assert!(body.contains("Stack.MalformedEvent"), "{body}");

    let (status, _) = send(address, &head, b"{not json").await;
    assert_eq!(status, 400);

    let (status, _) = send(address, "GET /elsewhere HTTP/1.1", b"").await;
    assert_eq!(status, 404);
}
