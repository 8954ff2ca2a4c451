//! The `authorizer` binary as it is deployed: a real Lambda against a runtime API, configured
//! from `STACK_AUTH_*`, fetching its keys from a JWKS URL on 127.0.0.1; and locally, trusting
//! the local issuer's key under `STACK_DATA_DIR`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use stack_core::clock::SystemClock;
use stack_core::events::LOCAL_INVOKE_PATH;
use stack_core::http::local::LocalServer;
use stack_core::testing::{FakeLambdaRuntime, Outcome, http_call};
use stack_graphql::authorizer::{
    DevTokenRequest, LOCAL_CLIENT_ID, LOCAL_ISSUER, LOCAL_JWKS_PATH, LocalIssuer,
};

const BINARY: &str = env!("CARGO_BIN_EXE_authorizer");

/// A child process that is killed when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn command(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STACK_DATA_DIR", data_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn lambda_env(command: &mut Command, runtime: &FakeLambdaRuntime) {
    command
        .env("AWS_LAMBDA_RUNTIME_API", runtime.runtime_api())
        .env("AWS_LAMBDA_FUNCTION_NAME", "authorizer")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
}

/// The local issuer served on 127.0.0.1, as the one-process app will serve it.
async fn serve_issuer(issuer: Arc<LocalIssuer>) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let server = LocalServer::bind(0).await.unwrap();
    let address = server.address();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(issuer.service(), async move {
        let _ = stopped.await;
    }));
    (address, stop)
}

fn rest_event(authorization: &str) -> Value {
    json!({
        "type": "REQUEST",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/graphql",
        "resource": "/graphql", "path": "/graphql", "httpMethod": "POST",
        "headers": { "Authorization": authorization },
        "multiValueHeaders": { "Authorization": [authorization] },
        "requestContext": { "accountId": "123456789012", "apiId": "abc123", "stage": "prod" },
    })
}

fn http_api_event(authorization: &str) -> Value {
    json!({
        "version": "2.0", "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/$default/POST/graphql",
        "identitySource": [authorization],
        "routeKey": "POST /graphql", "rawPath": "/graphql", "rawQueryString": "",
        "headers": { "authorization": authorization },
        "requestContext": { "accountId": "123456789012", "apiId": "abc123", "stage": "$default" },
    })
}

fn response(outcome: Outcome) -> Value {
    match outcome {
        Outcome::Response(value) => value,
        Outcome::Error(error) => panic!("the function failed: {error}"),
    }
}

#[tokio::test]
async fn runs_as_a_lambda_authorizer_with_keys_from_a_jwks_url() {
    let issuer = Arc::new(LocalIssuer::generate(Arc::new(SystemClock)).unwrap());
    let token = issuer.issue(&DevTokenRequest::new("carol")).unwrap();
    let (jwks, _stop) = serve_issuer(issuer).await;
    let runtime = FakeLambdaRuntime::start().await.unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let mut command = command(data_dir.path());
    lambda_env(&mut command, &runtime);
    command
        .env("STACK_AUTH_ISSUER", LOCAL_ISSUER)
        .env(
            "STACK_AUTH_JWKS_URL",
            format!("http://{jwks}{LOCAL_JWKS_PATH}"),
        )
        .env("STACK_AUTH_CLIENT_IDS", format!("other,{LOCAL_CLIENT_ID}"));
    let logs = tempfile::NamedTempFile::new().unwrap();
    command.stdout(logs.reopen().unwrap());
    let _function = Running(command.spawn().unwrap());
    let bearer = format!("Bearer {token}");

    let allowed = response(runtime.invoke(rest_event(&bearer), None).await.unwrap());
    assert_eq!(allowed["principalId"], "carol");
    assert_eq!(allowed["policyDocument"]["Statement"][0]["Effect"], "Allow");
    assert_eq!(
        allowed["policyDocument"]["Statement"][0]["Resource"],
        "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*"
    );
    assert_eq!(allowed["context"]["sub"], "carol");

    let simple = response(runtime.invoke(http_api_event(&bearer), None).await.unwrap());
    assert_eq!(simple["isAuthorized"], true);
    assert_eq!(simple["context"]["username"], "carol");

    let denied = response(
        runtime
            .invoke(rest_event("Bearer nope"), None)
            .await
            .unwrap(),
    );
    assert_eq!(denied["policyDocument"]["Statement"][0]["Effect"], "Deny");
    let denied = response(runtime.invoke(http_api_event(""), None).await.unwrap());
    assert_eq!(denied, json!({ "isAuthorized": false }));

    let outcome = runtime
        .invoke(json!({ "Records": [] }), None)
        .await
        .unwrap();
    let Outcome::Error(error) = outcome else {
        panic!("an SQS event must fail")
    };
    assert_eq!(error["errorType"], "Stack.BadUserInput");

    let again = response(runtime.invoke(rest_event(&bearer), None).await.unwrap());
    assert_eq!(
        again["policyDocument"]["Statement"][0]["Effect"], "Allow",
        "alive after a bad event"
    );
}

#[tokio::test]
async fn refuses_to_start_in_lambda_without_an_issuer() {
    let runtime = FakeLambdaRuntime::start().await.unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let mut command = command(data_dir.path());
    lambda_env(&mut command, &runtime);
    let mut child = Running(command.spawn().unwrap());
    for _ in 0..200 {
        if let Some(status) = child.0.try_wait().unwrap() {
            assert!(!status.success());
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the authorizer kept running without STACK_AUTH_ISSUER");
}

#[tokio::test]
async fn locally_it_trusts_the_local_issuers_key_under_the_data_directory() {
    let data_dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _service = Running(
        command(data_dir.path())
            .env("PORT", port.to_string())
            .spawn()
            .unwrap(),
    );
    let address = SocketAddr::from(([127, 0, 0, 1], port));

    let mut started = false;
    for _ in 0..200 {
        if http_call(address, "GET", "/", &[], b"").await.is_ok() {
            started = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(started, "the authorizer did not start on {address}");

    let issuer = LocalIssuer::open(data_dir.path(), Arc::new(SystemClock)).unwrap();
    let token = issuer.issue(&DevTokenRequest::new("dev")).unwrap();
    let event = http_api_event(&format!("Bearer {token}")).to_string();
    let reply = http_call(address, "POST", LOCAL_INVOKE_PATH, &[], event.as_bytes())
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["isAuthorized"], true, "{:?}", reply.json());
}
