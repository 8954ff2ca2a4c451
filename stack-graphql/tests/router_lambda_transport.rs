//! The router reaches subgraph Lambdas with signed Invoke calls: a local endpoint on 127.0.0.1
//! answers like the Lambda service and records what it was sent. The signature is checked by
//! a verifier written here from the SigV4 rules (SHA-256 and HMAC only), not by the signer
//! the transport uses.
//!
//! The last test runs against moto when `STACK_TEST_MOTO_URL` is set (the test command sets
//! it): moto cannot run functions without Docker, so it checks only that a missing function
//! comes back as Lambda's `ResourceNotFoundException`.

#![cfg(feature = "router-lambda")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod router_support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use stack_core::clock::FixedClock;
use stack_core::events::Invocation;
use stack_core::http::local::LocalServer;
use stack_core::http::{HttpService, Request, Response};
use stack_graphql::router::{
    AwsCredentials, LambdaSettings, LambdaTransport, Router, SubgraphRequest, Transport,
    TransportError,
};

use router_support::{TINY, accounts, body, post, reviews, service};

const SECRET: &str = "test-secret/with+symbols";
const REGION: &str = "eu-west-1";
/// 2026-01-02T03:04:05Z.
const NOW: u64 = 1_767_323_045;

// ----- a Lambda service on 127.0.0.1

/// Every request the endpoint received.
type Recorded = Arc<Mutex<Vec<Request>>>;

/// Serves `answer` on a free loopback port, recording each request first.
async fn serve(answer: impl HttpService) -> (SocketAddr, Recorded) {
    let recorded = Recorded::default();
    let log = Arc::clone(&recorded);
    let answer = Arc::new(answer);
    let recording = move |request: Request| {
        log.lock().unwrap().push(request.clone());
        let answer = Arc::clone(&answer);
        async move { answer.call(request).await }
    };
    let server = LocalServer::bind(0).await.unwrap();
    let address = server.address();
    tokio::spawn(server.serve(recording, std::future::pending::<()>()));
    (address, recorded)
}

/// An endpoint that gives every call the same answer.
async fn answering(
    status: u16,
    headers: &[(&'static str, &'static str)],
    body: Bytes,
) -> (SocketAddr, Recorded) {
    let headers = headers.to_vec();
    serve(move |_request: Request| {
        let mut response = http::Response::new(body.clone());
        *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
        for (name, value) in &headers {
            response
                .headers_mut()
                .insert(*name, http::HeaderValue::from_static(value));
        }
        std::future::ready(response)
    })
    .await
}

/// Lambda's answer to a successful `RequestResponse` call: the function's output.
fn invoked(output: &Value) -> Response {
    let mut response = http::Response::new(Bytes::from(output.to_string()));
    response.headers_mut().insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn settings(address: SocketAddr, session_token: Option<&str>) -> LambdaSettings {
    let mut credentials = AwsCredentials::new("AKIDTEST", SECRET);
    if let Some(token) = session_token {
        credentials = credentials.with_session_token(token);
    }
    LambdaSettings::new(REGION, credentials)
        .endpoint(format!("http://{address}"))
        .clock(FixedClock::at(UNIX_EPOCH + Duration::from_secs(NOW)))
}

async fn send(transport: &LambdaTransport) -> Result<Bytes, TransportError> {
    transport
        .send(SubgraphRequest::new("todo", r#"{"query":"{ a }"}"#))
        .await
}

// ----- an independent SigV4 verifier

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut block = [0_u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<_>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(data)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// Each path byte outside the unreserved set and `/`, percent-encoded (so `%3A` becomes
/// `%253A`: the path is signed encoded twice).
fn encode_again(path: &str) -> String {
    path.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// The parts of an `authorization` header.
struct Authorization {
    credential: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn authorization(request: &Request) -> Authorization {
    let header = request.headers()["authorization"].to_str().unwrap();
    let rest = header.strip_prefix("AWS4-HMAC-SHA256 ").unwrap();
    let mut parts = rest.split(", ");
    let mut field = |name: &str| {
        let part = parts.next().unwrap();
        part.strip_prefix(name).unwrap().to_owned()
    };
    Authorization {
        credential: field("Credential="),
        signed_headers: field("SignedHeaders=")
            .split(';')
            .map(str::to_owned)
            .collect(),
        signature: field("Signature="),
    }
}

/// The signature `request` should carry, computed from what arrived.
fn expected_signature(request: &Request, secret: &str) -> String {
    let auth = authorization(request);
    let headers: Vec<String> = auth
        .signed_headers
        .iter()
        .map(|name| {
            let value = request.headers()[name.as_str()].to_str().unwrap();
            format!("{name}:{}\n", value.trim())
        })
        .collect();
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method(),
        encode_again(request.uri().path()),
        request.uri().query().unwrap_or_default(),
        headers.concat(),
        auth.signed_headers.join(";"),
        hex(&Sha256::digest(request.body())),
    );
    let stamp = request.headers()["x-amz-date"].to_str().unwrap();
    let scope = auth.credential.split_once('/').unwrap().1;
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in scope.split('/') {
        key = hmac(&key, part.as_bytes());
    }
    hex(&hmac(&key, to_sign.as_bytes()))
}

// ----- the call

#[tokio::test]
async fn an_invoke_call_is_a_signed_post_to_the_function() {
    let answer = json!({ "statusCode": 200, "body": "{\"data\":{\"a\":1}}" });
    let (address, recorded) = answering(200, &[], Bytes::from(answer.to_string())).await;
    let settings = settings(address, Some("session/token=="));
    let by_name = LambdaTransport::new(&settings, "todo-subgraph").unwrap();
    let by_arn = by_name
        .for_function("arn:aws:lambda:eu-west-1:123456789012:function:todo:live")
        .unwrap();

    assert_eq!(
        send(&by_name).await.unwrap().as_ref(),
        br#"{"data":{"a":1}}"#
    );
    send(&by_arn).await.unwrap();

    let recorded = recorded.lock().unwrap();
    let paths: Vec<&str> = recorded.iter().map(|r| r.uri().path()).collect();
    assert_eq!(
        paths,
        [
            "/2015-03-31/functions/todo-subgraph/invocations",
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Atodo%3Alive/invocations",
        ]
    );
    for request in recorded.iter() {
        assert_eq!(request.method(), http::Method::POST);
        let headers = request.headers();
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["x-amz-invocation-type"], "RequestResponse");
        assert_eq!(headers["x-amz-date"], "20260102T030405Z");
        assert_eq!(headers["x-amz-security-token"], "session/token==");
        assert_eq!(headers["host"], address.to_string());

        let auth = authorization(request);
        assert_eq!(
            auth.credential,
            "AKIDTEST/20260102/eu-west-1/lambda/aws4_request"
        );
        for name in ["host", "x-amz-date", "x-amz-security-token", "content-type"] {
            assert!(
                auth.signed_headers.iter().any(|h| h == name),
                "{name} is signed"
            );
        }
        assert_eq!(auth.signature, expected_signature(request, SECRET));
        assert_ne!(
            auth.signature,
            expected_signature(request, "another secret")
        );

        let event: Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["body"], r#"{"query":"{ a }"}"#);
    }
}

#[tokio::test]
async fn long_term_credentials_send_no_session_token() {
    let answer = json!({ "statusCode": 200, "body": "{}" });
    let (address, recorded) = answering(200, &[], Bytes::from(answer.to_string())).await;
    let transport = LambdaTransport::new(&settings(address, None), "todo").unwrap();
    send(&transport).await.unwrap();

    let recorded = recorded.lock().unwrap();
    let request = &recorded[0];
    assert!(request.headers().get("x-amz-security-token").is_none());
    let auth = authorization(request);
    assert_eq!(
        auth.signed_headers,
        [
            "content-type",
            "host",
            "x-amz-date",
            "x-amz-invocation-type"
        ]
    );
    assert_eq!(auth.signature, expected_signature(request, SECRET));
}

#[tokio::test]
async fn the_trace_header_travels_with_the_call() {
    let answer = json!({ "statusCode": 200, "body": "{}" });
    let (address, recorded) = answering(200, &[], Bytes::from(answer.to_string())).await;
    let transport = LambdaTransport::new(&settings(address, None), "todo").unwrap();
    let mut request = SubgraphRequest::new("todo", "{}");
    let trace = "Root=1-6777f985-0123456789abcdef01234567;Sampled=1";
    request
        .headers
        .insert("x-amzn-trace-id", trace.parse().unwrap());
    transport.send(request).await.unwrap();

    let recorded = recorded.lock().unwrap();
    assert_eq!(recorded[0].headers()["x-amzn-trace-id"], trace);
    let event: Value = serde_json::from_slice(recorded[0].body()).unwrap();
    assert_eq!(event["headers"]["x-amzn-trace-id"], trace);
    assert_eq!(
        authorization(&recorded[0]).signature,
        expected_signature(&recorded[0], SECRET)
    );
}

// ----- what comes back

#[tokio::test]
async fn a_failed_function_is_a_subgraph_failure() {
    let payload = json!({ "errorType": "Runtime.ExitError", "errorMessage": "exited" });
    let (address, _) = answering(
        200,
        &[("x-amz-function-error", "Unhandled")],
        Bytes::from(payload.to_string()),
    )
    .await;
    let transport = LambdaTransport::new(&settings(address, None), "todo").unwrap();
    let error = send(&transport).await.unwrap_err();
    assert!(matches!(error, TransportError::Failed { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("Unhandled") && text.contains("Runtime.ExitError"),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_function_is_not_found() {
    let body = json!({ "Type": "User", "Message": "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:todo" });
    let (address, _) = answering(
        404,
        &[("x-amzn-errortype", "ResourceNotFoundException")],
        Bytes::from(body.to_string()),
    )
    .await;
    let transport = LambdaTransport::new(&settings(address, None), "todo").unwrap();
    let error = send(&transport).await.unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    let TransportError::Invoke {
        status,
        error_type,
        message,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(
        (*status, error_type.as_str()),
        (404, "ResourceNotFoundException")
    );
    assert!(message.starts_with("Function not found"));
    assert_eq!(error.code(), "SUBGRAPH_REQUEST_FAILED");
}

#[tokio::test]
async fn throttling_is_reported_and_not_retried() {
    let body = json!({ "__type": "TooManyRequestsException", "message": "Rate Exceeded." });
    let (address, recorded) = answering(429, &[], Bytes::from(body.to_string())).await;
    let transport = LambdaTransport::new(&settings(address, None), "todo").unwrap();
    let error = send(&transport).await.unwrap_err();
    assert!(error.is_throttled(), "{error:?}");
    assert!(error.to_string().contains("Rate Exceeded."));
    assert!(error.to_string().contains("not retried"));
    assert_eq!(recorded.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_payload_over_six_megabytes_is_refused() {
    let huge = format!(
        r#"{{"statusCode":200,"body":"{}"}}"#,
        "a".repeat(6 * 1024 * 1024)
    );
    let (address, _) = answering(200, &[], Bytes::from(huge)).await;
    let transport = LambdaTransport::new(&settings(address, None), "todo").unwrap();
    let error = send(&transport).await.unwrap_err();
    assert!(matches!(error, TransportError::Failed { .. }), "{error:?}");
    assert!(error.to_string().contains("larger than"), "{error}");
}

#[tokio::test]
async fn garbage_answers_are_failures_not_panics() {
    let cases: [(u16, &[u8]); 5] = [
        (200, b"\xff\xfe not json"),
        (
            200,
            b"{\"statusCode\":200,\"body\":\"!!\",\"isBase64Encoded\":true}",
        ),
        (200, b""),
        (500, b"\x00\x01"),
        (403, b"{\"message\":42}"),
    ];
    for (status, body) in cases {
        let (address, _) = answering(status, &[], Bytes::from_static(body)).await;
        let transport = LambdaTransport::new(&settings(address, None), "todo").unwrap();
        let error = send(&transport).await.unwrap_err();
        assert!(
            matches!(
                error,
                TransportError::Failed { .. } | TransportError::Invoke { .. }
            ),
            "{status}: {error:?}"
        );
    }
}

// ----- a federated query through invoked functions

/// A Lambda service whose functions are the `accounts` and `reviews` subgraphs behind the
/// Lambda edge, picked by the function named in the path.
async fn functions(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let event: Value = serde_json::from_slice(request.body()).unwrap();
    let invocation = Invocation::default();
    let output = if path.contains("accounts") {
        stack_core::http::lambda::handle_event(&service(accounts), event, &invocation).await
    } else {
        stack_core::http::lambda::handle_event(&service(reviews), event, &invocation).await
    };
    invoked(&output.unwrap())
}

#[tokio::test]
async fn a_federated_query_is_answered_by_invoked_functions() {
    let (address, recorded) = serve(functions).await;
    let settings = settings(address, Some("token"));
    let accounts_fn = LambdaTransport::new(&settings, "accounts-fn").unwrap();
    let reviews_fn = accounts_fn
        .for_function("arn:aws:lambda:eu-west-1:123456789012:function:reviews:live")
        .unwrap();
    let router = Router::builder(TINY)
        .subgraph("accounts", accounts_fn)
        .subgraph("reviews", reviews_fn)
        .build()
        .unwrap();

    let reply = body(
        &router
            .call(post(
                &json!({ "query": "{ users { name reviews { body } } }" }),
            ))
            .await,
    );
    assert_eq!(
        reply,
        json!({ "data": { "users": [
            { "name": "Ada", "reviews": [{ "body": "review by 1" }] },
            { "name": "Bob", "reviews": [{ "body": "review by 2" }] },
        ] } })
    );
    let recorded = recorded.lock().unwrap();
    assert_eq!(recorded.len(), 2);
    for request in recorded.iter() {
        assert_eq!(
            authorization(request).signature,
            expected_signature(request, SECRET)
        );
    }
}

// ----- moto

/// moto's URL, or `None` when the test should be skipped.
fn moto() -> Option<String> {
    let Ok(url) = std::env::var("STACK_TEST_MOTO_URL") else {
        assert!(
            std::env::var("STACK_TEST_REQUIRE_MOTO").is_err(),
            "STACK_TEST_MOTO_URL is required"
        );
        eprintln!("skipped: set STACK_TEST_MOTO_URL to run against moto");
        return None;
    };
    let authority = url.trim_start_matches("http://").trim_end_matches('/');
    let address: SocketAddr = authority
        .parse()
        .expect("STACK_TEST_MOTO_URL is http://127.0.0.1:PORT");
    assert!(address.ip().is_loopback(), "moto must run on 127.0.0.1");
    Some(url.trim_end_matches('/').to_owned())
}

#[tokio::test]
async fn moto_reports_a_missing_function_as_not_found() {
    let Some(moto) = moto() else { return };
    let settings =
        LambdaSettings::new("us-east-1", AwsCredentials::new("test", "test")).endpoint(moto);
    let function = format!("stack-missing-{}", std::process::id());
    let transport = LambdaTransport::new(&settings, function).unwrap();
    let error = send(&transport).await.unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    let TransportError::Invoke { error_type, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(error_type, "ResourceNotFoundException");
}
