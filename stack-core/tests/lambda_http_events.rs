//! Real HTTP events from the shared fixtures go through the Lambda edge: each is recognised,
//! turned into a request, answered, and encoded in the shape its integration expects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use base64::Engine as _;
use serde_json::{Value, json};
use stack_core::http::lambda::{EventError, Invocation, handle_event};
use stack_core::http::{Request, Response, response};
use support::{echo, fixture, fixtures, header_values, json_files, response_body};

fn invocation() -> Invocation {
    Invocation {
        request_id: "req-1".into(),
        trace_id: Some("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1".into()),
    }
}

async fn echo_of(event: Value) -> (Value, Value) {
    let response = handle_event(&echo, event, &invocation())
        .await
        .expect("an HTTP event");
    let echoed = serde_json::from_slice(&response_body(&response)).expect("echo JSON");
    (response, echoed)
}

fn kind_of(path: &std::path::Path) -> Option<&'static str> {
    let event: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let context = event.get("requestContext")?;
    if context.get("connectionId").is_some()
        || event.get("methodArn").is_some()
        || event.get("routeArn").is_some()
    {
        return None;
    }
    if context.get("elb").is_some() {
        Some("alb")
    } else if context.get("http").is_some() {
        Some("v2")
    } else {
        event.get("httpMethod").map(|_| "v1")
    }
}

/// 200, except for the fixtures whose body is flagged base64 but is not: those are a 400.
fn expected_status(path: &std::path::Path) -> u16 {
    let event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let flagged = event["isBase64Encoded"].as_bool().unwrap_or(false);
    let body = event["body"].as_str().unwrap_or_default();
    let decodes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .is_ok();
    if flagged && !decodes { 400 } else { 200 }
}

#[tokio::test]
async fn every_http_fixture_is_answered_in_its_own_shape() {
    let mut answered = 0;
    for path in json_files(&fixtures().join("lambda-events")) {
        let Some(kind) = kind_of(&path) else { continue };
        let event: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let response = handle_event(&echo, event, &invocation())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.display();
        assert_eq!(response["statusCode"], expected_status(&path), "{name}");
        match kind {
            "v1" => {
                assert!(response["multiValueHeaders"].is_object(), "{name}");
                assert!(response.get("cookies").is_none(), "{name}");
            }
            "v2" => {
                assert!(response["cookies"].is_array(), "{name}");
                assert!(response["headers"].is_object(), "{name}");
            }
            _ => assert_eq!(response["statusDescription"], "200 OK", "{name}"),
        }
        answered += 1;
    }
    assert!(answered >= 60, "only {answered} HTTP fixtures were found");
}

#[tokio::test]
async fn payloads_that_are_not_http_events_are_typed_errors() {
    let not_http = [
        "lambda-events/powertools-python/tests-events/sqsEvent.json",
        "lambda-events/powertools-python/tests-events/dynamoStreamEvent.json",
        "lambda-events/aws-lambda-go/events-testdata/apigw-websocket-request-send-message.json",
        "lambda-events/aws-lambda-rust-runtime/lambda-events-fixtures/example-apigw-custom-auth-request-type-request.json",
    ];
    for name in not_http {
        let error = handle_event(&echo, fixture(name), &invocation())
            .await
            .expect_err(name);
        assert!(matches!(error, EventError::NotHttp), "{name}: {error}");
        assert_eq!(error.error_type(), "Stack.NotHttpEvent");
    }
    for payload in [
        json!(null),
        json!([1, 2]),
        json!("GET /"),
        json!({"requestContext": 5}),
    ] {
        assert!(handle_event(&echo, payload, &invocation()).await.is_err());
    }
}

#[tokio::test]
async fn events_of_a_known_kind_that_do_not_parse_are_malformed() {
    let mut event = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_proxy_request.json",
    );
    event["httpMethod"] = json!(42);
    let error = handle_event(&echo, event, &invocation())
        .await
        .expect_err("malformed");
    assert_eq!(error.error_type(), "Stack.MalformedEvent");
}

#[tokio::test]
async fn the_stage_is_removed_from_the_path_and_kept_in_the_raw_path() {
    let event = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_v2_proxy_request_with_stage_in_path.json",
    );
    let (_, echoed) = echo_of(event).await;
    assert_eq!(echoed["path"], "/my/path");
    assert_eq!(echoed["rawPath"], "/Prod/my/path");
    assert_eq!(echoed["stage"], "Prod");
}

#[tokio::test]
async fn rest_paths_come_without_the_stage_already() {
    let event = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_multi_value_proxy_request.json",
    );
    let (_, echoed) = echo_of(event).await;
    assert_eq!(echoed["path"], "/hello/world");
    assert_eq!(echoed["stage"], "testStage");
}

#[tokio::test]
async fn base64_request_bodies_are_decoded() {
    let event = fixture(
        "lambda-events/aws-lambda-go/lambdaurl-testdata/function-url-domain-only-request-with-base64-encoded-body.json",
    );
    let (_, echoed) = echo_of(event).await;
    let body = base64::engine::general_purpose::STANDARD
        .decode(echoed["body"].as_str().unwrap())
        .unwrap();
    assert_eq!(body, b"<idk/>");
}

#[tokio::test]
async fn invalid_base64_bodies_are_a_bad_request_in_the_event_shape() {
    let mut event = fixture(
        "lambda-events/aws-lambda-go/lambdaurl-testdata/function-url-domain-only-request-with-base64-encoded-body.json",
    );
    event["body"] = json!("not base64 at all!");
    let response = handle_event(&echo, event, &invocation()).await.unwrap();
    assert_eq!(response["statusCode"], 400);
    assert!(response["cookies"].is_array());
    let body: Value = serde_json::from_slice(&response_body(&response)).unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

async fn png(_request: Request) -> Response {
    let mut reply = response(
        http::StatusCode::OK,
        "image/png",
        vec![0x89, b'P', b'N', b'G', 0, 0xff, 0xfe],
    );
    reply.headers_mut().append(
        http::header::SET_COOKIE,
        http::HeaderValue::from_static("a=1; Path=/"),
    );
    reply.headers_mut().append(
        http::header::SET_COOKIE,
        http::HeaderValue::from_static("b=2; HttpOnly"),
    );
    reply
}

#[tokio::test]
async fn binary_responses_and_cookies_survive_every_shape() {
    let events = [
        (
            "v2",
            "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_v2_proxy_request.json",
        ),
        (
            "v1",
            "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_proxy_request.json",
        ),
        (
            "alb",
            "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/alb_multi_value_request.json",
        ),
    ];
    for (kind, name) in events {
        let response = handle_event(&png, fixture(name), &invocation())
            .await
            .unwrap();
        assert_eq!(response["isBase64Encoded"], true, "{kind}");
        assert_eq!(
            response_body(&response),
            [0x89, b'P', b'N', b'G', 0, 0xff, 0xfe],
            "{kind}"
        );
        let cookies = match kind {
            "v2" => response["cookies"].clone(),
            _ => response["multiValueHeaders"]["set-cookie"].clone(),
        };
        assert_eq!(cookies, json!(["a=1; Path=/", "b=2; HttpOnly"]), "{kind}");
    }
}

#[tokio::test]
async fn http_api_cookies_become_one_cookie_header() {
    let event = fixture(
        "lambda-events/aws-lambda-go/lambdaurl-testdata/function-url-request-with-headers-and-cookies-and-text-body.json",
    );
    let (response, echoed) = echo_of(event).await;
    assert_eq!(header_values(&echoed, "cookie"), ["foo=bar; hello=hello"]);
    assert_eq!(echoed["source"], "FunctionUrl");
    assert!(response["cookies"].is_array());
}

#[tokio::test]
async fn multi_value_headers_and_query_strings_are_kept() {
    let event = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_multi_value_proxy_request.json",
    );
    let (_, echoed) = echo_of(event).await;
    assert_eq!(
        echoed["query"],
        "multiValueName=you&multiValueName=me&name=me"
    );
    assert_eq!(header_values(&echoed, "headername"), ["headerValue"]);

    let alb = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/alb_multi_value_request.json",
    );
    let (response, echoed) = echo_of(alb).await;
    assert!(
        response["multiValueHeaders"].is_object(),
        "ALB multi-value requests get multi-value responses"
    );
    assert!(echoed["query"].as_str().unwrap_or_default().contains('='));
}

#[tokio::test]
async fn plus_and_percent_encoding_survive() {
    // REST APIs deliver decoded values: a literal plus and a space must come back distinct.
    let mut rest = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_proxy_request.json",
    );
    rest["multiValueQueryStringParameters"] = json!({ "q": ["a+b c", "100%"] });
    let (_, echoed) = echo_of(rest).await;
    assert_eq!(echoed["query"], "q=a%2Bb%20c&q=100%25");

    // ALB delivers parameters as the client encoded them.
    let alb = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/alb_request_encoded_query_parameters.json",
    );
    let (_, echoed) = echo_of(alb).await;
    assert_eq!(echoed["query"], "myKey=%3FshowAll%3Dtrue");

    // HTTP APIs deliver the raw query string, `+` included.
    let mut v2 = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_v2_proxy_request.json",
    );
    v2["rawQueryString"] = json!("q=a+b%2Bc&x=%E2%9C%93");
    let (_, echoed) = echo_of(v2).await;
    assert_eq!(echoed["query"], "q=a+b%2Bc&x=%E2%9C%93");
}

#[tokio::test]
async fn paths_with_spaces_are_escaped_not_rejected() {
    let event = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_request_path_with_space.json",
    );
    let (response, echoed) = echo_of(event).await;
    assert_eq!(response["statusCode"], 200);
    assert!(
        echoed["path"].as_str().unwrap().contains("%20"),
        "{}",
        echoed["path"]
    );
}

#[tokio::test]
async fn invocation_and_authorizer_context_reach_the_service() {
    let event =
        fixture("lambda-events/aws-lambda-go/events-testdata/apigw-v2-request-jwt-authorizer.json");
    let (_, echoed) = echo_of(event).await;
    assert_eq!(echoed["mode"], "Lambda");
    assert_eq!(echoed["requestId"], "req-1");
    assert_eq!(
        echoed["traceId"],
        "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    );
    assert_eq!(echoed["authorizer"]["claim1"], "value1");
    assert_eq!(echoed["authorizer"]["scopes"], json!(["scope1", "scope2"]));
}
