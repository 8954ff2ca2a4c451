//! The `media-service` binary as a user runs it: locally on the embedded table (data survives
//! a restart), and as a Lambda against a runtime API, where only the authorizer names the
//! caller.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use stack_core::testing::{FakeLambdaRuntime, Outcome, http_call};

const BINARY: &str = env!("CARGO_BIN_EXE_media-service");
const TODO: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process that is killed when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn base_command(data_dir: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STACK_DATA_DIR", data_dir)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

async fn start_local(data_dir: &Path) -> (Running, SocketAddr) {
    let port = free_port();
    let child = base_command(data_dir)
        .env("PORT", port.to_string())
        .spawn()
        .unwrap();
    let running = Running(child);
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    for _ in 0..200 {
        if http_call(address, "GET", "/health", &[], b"")
            .await
            .is_ok_and(|reply| reply.status == 200)
        {
            return (running, address);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the service did not start on {address}");
}

async fn graphql(address: SocketAddr, user: &str, query: &str) -> Value {
    let body = json!({ "query": query }).to_string();
    let headers = [("content-type", "application/json"), ("x-stack-user", user)];
    http_call(address, "POST", "/graphql", &headers, body.as_bytes())
        .await
        .unwrap()
        .json()
}

fn attach_query(content_type: &str) -> String {
    format!(
        "mutation {{ attachMedia(todoId: \"{TODO}\", contentType: \"{content_type}\", size: 10) {{ id status }} }}"
    )
}

#[tokio::test]
async fn local_data_survives_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let (service, address) = start_local(data_dir.path()).await;
    let attached = graphql(address, "dana", &attach_query("image/png")).await;
    assert_eq!(
        attached["data"]["attachMedia"]["status"], "PENDING",
        "{attached}"
    );
    drop(service);

    let (_service, address) = start_local(data_dir.path()).await;
    let media = &attached["data"]["attachMedia"]["id"];
    let read = graphql(
        address,
        "dana",
        &format!("{{ media(id: {media}) {{ id }} }}"),
    )
    .await;
    assert_eq!(read["data"]["media"]["id"], *media, "{read}");
    let other = graphql(
        address,
        "erin",
        &format!("{{ media(id: {media}) {{ id }} }}"),
    )
    .await;
    assert_eq!(other["data"]["media"], Value::Null, "{other}");
}

#[tokio::test]
async fn a_bad_setting_stops_the_binary_with_a_failure() {
    let data_dir = tempfile::tempdir().unwrap();
    let status = base_command(data_dir.path())
        .env("STACK_TABLE_BACKEND", "postgres")
        .status()
        .unwrap();
    assert!(!status.success());
}

fn http_api_event(body: &Value, authorizer: Value) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": { "content-type": "application/json", "x-stack-user": "mallory" },
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.execute-api.us-east-1.amazonaws.com",
            "http": { "method": "POST", "path": "/graphql", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "test" },
            "requestId": "r", "routeKey": "$default", "stage": "$default", "time": "04/Dec/2026:10:00:00 +0000", "timeEpoch": 0,
            "authorizer": authorizer
        },
        "body": body.to_string(),
        "isBase64Encoded": false
    })
}

fn response_json(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Response(response) => {
            serde_json::from_str(response["body"].as_str().unwrap_or("null")).unwrap()
        }
        Outcome::Error(error) => panic!("the function failed: {error}"),
    }
}

#[tokio::test]
async fn runs_as_a_lambda_where_only_the_authorizer_names_the_caller() {
    let runtime = FakeLambdaRuntime::start().await.unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let child = base_command(data_dir.path())
        .env("AWS_LAMBDA_RUNTIME_API", runtime.runtime_api())
        .env("AWS_LAMBDA_FUNCTION_NAME", "media")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("STACK_TABLE_BACKEND", "embedded")
        .spawn()
        .unwrap();
    let _function = Running(child);
    let carol = json!({ "lambda": { "sub": "carol" } });

    let attach = json!({ "query": attach_query("video/mp4") });
    let outcome = runtime
        .invoke(http_api_event(&attach, carol.clone()), None)
        .await
        .unwrap();
    let attached = response_json(&outcome);
    assert_eq!(
        attached["data"]["attachMedia"]["status"], "PENDING",
        "{attached}"
    );

    let outcome = runtime
        .invoke(http_api_event(&attach, Value::Null), None)
        .await
        .unwrap();
    assert_eq!(
        response_json(&outcome)["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED",
        "the local header is ignored in Lambda"
    );

    let media = &attached["data"]["attachMedia"]["id"];
    let read = json!({ "query": format!("{{ media(id: {media}) {{ owner }} }}") });
    let outcome = runtime
        .invoke(http_api_event(&read, carol), None)
        .await
        .unwrap();
    assert_eq!(response_json(&outcome)["data"]["media"]["owner"], "carol");
}
