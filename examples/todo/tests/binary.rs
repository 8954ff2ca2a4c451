//! The `todo-service` binary as a user runs it: locally on the embedded table (data survives a
//! restart, even a killed process), and as a real Lambda against a runtime API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value,
    clippy::print_stderr
)]

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use stack_core::testing::{FakeLambdaRuntime, Outcome, http_call};

const BINARY: &str = env!("CARGO_BIN_EXE_todo-service");

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

fn base_command(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STACK_DATA_DIR", data_dir)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null());
    command
}

async fn start_local(data_dir: &std::path::Path) -> (Running, SocketAddr) {
    start_local_with(data_dir, &[]).await
}

async fn start_local_with(
    data_dir: &std::path::Path,
    vars: &[(&str, &str)],
) -> (Running, SocketAddr) {
    let port = free_port();
    let child = base_command(data_dir)
        .envs(vars.iter().copied())
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = Running(child);
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    for _ in 0..200 {
        if http_call(address, "GET", "/health", &[], b"")
            .await
            .is_ok_and(|r| r.status == 200)
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

#[tokio::test]
async fn local_data_survives_a_killed_process() {
    let data_dir = tempfile::tempdir().unwrap();
    let (service, address) = start_local(data_dir.path()).await;
    let created = graphql(
        address,
        "dana",
        "mutation { createTodo(input: {title: \"persist me\"}) { id } }",
    )
    .await;
    assert!(created["data"]["createTodo"]["id"].is_string(), "{created}");
    drop(service);

    let (_service, address) = start_local(data_dir.path()).await;
    let listed = graphql(address, "dana", "{ todos { nodes { title } } }").await;
    assert_eq!(
        listed["data"]["todos"]["nodes"],
        json!([{ "title": "persist me" }])
    );
    let other = graphql(address, "erin", "{ todos { nodes { title } } }").await;
    assert_eq!(other["data"]["todos"]["nodes"], json!([]));
}

#[tokio::test]
async fn cursors_outlive_a_restart_under_the_same_key_only() {
    const KEY: &str = "c3RhY2stdG9kby1jdXJzb3Ita2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5";
    const OTHER_KEY: &str = "b3RoZXItdG9kby1jdXJzb3Ita2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5";
    let data_dir = tempfile::tempdir().unwrap();
    let page = "query($after: String) { todos(first: 1, after: $after) { nodes { title } pageInfo { endCursor } } }";
    let call = |address, after: &Value| {
        let body = json!({ "query": page, "variables": { "after": after } }).to_string();
        async move {
            let headers = [
                ("content-type", "application/json"),
                ("x-stack-user", "gil"),
            ];
            http_call(address, "POST", "/graphql", &headers, body.as_bytes())
                .await
                .unwrap()
                .json()
        }
    };

    let (service, address) = start_local_with(data_dir.path(), &[("STACK_CURSOR_KEY", KEY)]).await;
    for title in ["first", "second"] {
        let create = format!("mutation {{ createTodo(input: {{title: \"{title}\"}}) {{ id }} }}");
        graphql(address, "gil", &create).await;
    }
    let cursor =
        call(address, &Value::Null).await["data"]["todos"]["pageInfo"]["endCursor"].clone();
    assert!(cursor.is_string(), "{cursor}");
    drop(service);

    let (service, address) = start_local_with(data_dir.path(), &[("STACK_CURSOR_KEY", KEY)]).await;
    let next = call(address, &cursor).await;
    assert_eq!(
        next["data"]["todos"]["nodes"],
        json!([{ "title": "second" }]),
        "{next}"
    );
    drop(service);

    let (_service, address) =
        start_local_with(data_dir.path(), &[("STACK_CURSOR_KEY", OTHER_KEY)]).await;
    let refused = call(address, &cursor).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
}

#[tokio::test]
async fn the_dynamodb_backend_works_against_moto() {
    let Ok(endpoint) = std::env::var("STACK_TEST_MOTO_URL") else {
        assert!(
            std::env::var("STACK_TEST_REQUIRE_MOTO").is_err(),
            "STACK_TEST_MOTO_URL is required"
        );
        eprintln!("skipped: set STACK_TEST_MOTO_URL to run against moto");
        return;
    };
    let data_dir = tempfile::tempdir().unwrap();
    let table = format!("todo-binary-{}", std::process::id());
    let vars = [
        ("STACK_TABLE_BACKEND", "dynamodb"),
        ("STACK_TABLE_NAME", table.as_str()),
        ("STACK_TABLE_CREATE", "true"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    let (_service, address) = start_local_with(data_dir.path(), &vars).await;
    let created = graphql(
        address,
        "fay",
        "mutation { createTodo(input: {title: \"in dynamodb\"}) { id version } }",
    )
    .await;
    assert_eq!(created["data"]["createTodo"]["version"], 1, "{created}");
    let listed = graphql(address, "fay", "{ todos { nodes { title } } }").await;
    assert_eq!(
        listed["data"]["todos"]["nodes"],
        json!([{ "title": "in dynamodb" }])
    );
    assert!(
        std::fs::read_dir(data_dir.path()).unwrap().next().is_none(),
        "nothing embedded was written"
    );
}

#[tokio::test]
async fn malformed_json_is_a_400_with_errors() {
    let data_dir = tempfile::tempdir().unwrap();
    let (_service, address) = start_local(data_dir.path()).await;
    let reply = http_call(
        address,
        "POST",
        "/graphql",
        &[("content-type", "application/json")],
        b"{\"query\": ",
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 400);
    assert!(
        reply.json()["errors"][0]["message"].is_string(),
        "{:?}",
        String::from_utf8_lossy(&reply.body)
    );
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
async fn runs_as_a_lambda_with_invocation_scoped_logs() {
    let runtime = FakeLambdaRuntime::start().await.unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let logs = tempfile::NamedTempFile::new().unwrap();
    let child = base_command(data_dir.path())
        .env("AWS_LAMBDA_RUNTIME_API", runtime.runtime_api())
        .env("AWS_LAMBDA_FUNCTION_NAME", "todo")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("STACK_TABLE_BACKEND", "embedded")
        .env(
            "STACK_CURSOR_KEY",
            "c3RhY2stdG9kby1jdXJzb3Ita2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5",
        )
        .stdout(logs.reopen().unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _function = Running(child);
    let trace = "Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=1";

    let create =
        json!({ "query": "mutation { createTodo(input: {title: \"from lambda\"}) { title } }" });
    let outcome = runtime
        .invoke(
            http_api_event(&create, json!({ "lambda": { "sub": "carol" } })),
            Some(trace),
        )
        .await
        .unwrap();
    assert_eq!(
        response_json(&outcome)["data"]["createTodo"]["title"],
        "from lambda"
    );

    let list = json!({ "query": "{ todos { nodes { title } } }" });
    let outcome = runtime
        .invoke(http_api_event(&list, Value::Null), None)
        .await
        .unwrap();
    assert_eq!(
        response_json(&outcome)["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED",
        "the local header is ignored in Lambda"
    );

    let outcome = runtime
        .invoke(json!({ "Records": [{ "eventSource": "aws:sqs" }] }), None)
        .await
        .unwrap();
    let Outcome::Error(error) = outcome else {
        panic!("a non-HTTP event must fail")
    };
    assert_eq!(error["errorType"], "Stack.NotHttpEvent");

    let outcome = runtime
        .invoke(
            http_api_event(&list, json!({ "lambda": { "sub": "carol" } })),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        response_json(&outcome)["data"]["todos"]["nodes"],
        json!([{ "title": "from lambda" }]),
        "still alive after a bad event"
    );

    let text = std::fs::read_to_string(logs.path()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        !lines.is_empty() && lines.len() == text.lines().count(),
        "every line is JSON:\n{text}"
    );
    let in_invocations: Vec<&Value> = lines
        .iter()
        .filter(|l| l.get("requestId").is_some())
        .collect();
    assert!(
        in_invocations
            .iter()
            .any(|l| l["traceId"] == trace && l["coldStart"] == true),
        "{text}"
    );
    assert!(
        in_invocations.iter().any(|l| l["coldStart"] == false),
        "{text}"
    );
}
