//! The authorizer answering API Gateway's events: real authorizer payloads from
//! `../shared/fixtures/lambda-events/` with a token put into their `Authorization` header.

#![cfg(feature = "authorizer")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth_support;

use auth_support::{clock_at, fixture, issuer};
use serde_json::{Value, json};
use stack_core::auth::{Authorizer, Identity};
use stack_core::events::{Invocation, invoke};
use stack_graphql::authorizer::{AuthorizerHandler, DevTokenRequest, LocalIssuer};

const NOW: u64 = 1_800_000_000;

/// Events answered with an IAM policy: REST `REQUEST` authorizers, HTTP API payload 1.0 and
/// a WebSocket `$connect`.
const REST_EVENTS: [&str; 4] = [
    "lambda-events/powertools-python/tests-events/apiGatewayAuthorizerRequestEvent.json",
    "lambda-events/aws-lambda-go/events-testdata/apigw-custom-auth-request-type-request.json",
    "lambda-events/aws-lambda-go/events-testdata/apigw-v2-custom-authorizer-v1-request.json",
    "lambda-events/aws-lambda-rust-runtime/lambda-events-fixtures/example-apigw-v2-custom-authorizer-websocket-request.json",
];

/// Events answered with a simple response: HTTP API payload 2.0.
const HTTP_API_EVENTS: [&str; 3] = [
    "lambda-events/powertools-python/tests-events/apiGatewayAuthorizerV2Event.json",
    "lambda-events/aws-lambda-go/events-testdata/apigw-v2-custom-authorizer-v2-request.json",
    "lambda-events/aws-lambda-rust-runtime/lambda-events-fixtures/example-apigw-v2-custom-authorizer-v2-request-without-identity-source.json",
];

struct Setup {
    issuer: LocalIssuer,
    handler: AuthorizerHandler,
}

fn setup() -> Setup {
    let issuer = issuer(&clock_at(NOW));
    let handler = AuthorizerHandler::new(issuer.verifier());
    Setup { issuer, handler }
}

fn token(issuer: &LocalIssuer) -> String {
    let mut request = DevTokenRequest::new("user-7");
    request.username = Some("dana".to_owned());
    request.groups = vec!["admins".to_owned(), "ops, eu".to_owned()];
    request.scopes = vec!["todo/read".to_owned()];
    issuer.issue(&request).unwrap()
}

/// The fixture with its `Authorization` header(s) replaced by `value` (or removed).
fn with_authorization(path: &str, value: Option<&str>) -> Value {
    let mut event = fixture(path);
    for field in ["headers", "multiValueHeaders"] {
        if let Some(headers) = event.get_mut(field).and_then(Value::as_object_mut) {
            headers.retain(|name, _| !name.eq_ignore_ascii_case("authorization"));
            if let Some(value) = value {
                let value = if field == "headers" {
                    json!(value)
                } else {
                    json!([value])
                };
                headers.insert("Authorization".to_owned(), value);
            }
        }
    }
    event
}

/// What a service behind API Gateway would read as the caller, flattened as stack-core does.
fn identity_behind_rest(answer: &Value) -> Identity {
    let mut fields = answer["context"].as_object().unwrap().clone();
    fields.insert("principalId".to_owned(), answer["principalId"].clone());
    Identity::from_authorizer(&Authorizer::new(fields)).unwrap()
}

fn expected_identity() -> Identity {
    let mut identity = Identity::new("user-7");
    identity.username = Some("dana".to_owned());
    identity.groups = vec!["admins".to_owned(), "ops, eu".to_owned()];
    identity.scopes = vec!["todo/read".to_owned()];
    identity
}

#[tokio::test]
async fn rest_requests_with_a_good_token_get_an_allow_policy_with_context() {
    let Setup { issuer, handler } = setup();
    let bearer = format!("Bearer {}", token(&issuer));
    for path in REST_EVENTS {
        let answer = handler
            .authorize(&with_authorization(path, Some(&bearer)))
            .await
            .unwrap();
        assert_eq!(answer["principalId"], "user-7", "{path}");
        let statement = &answer["policyDocument"]["Statement"][0];
        assert_eq!(statement["Effect"], "Allow");
        assert_eq!(statement["Action"], "execute-api:Invoke");
        assert!(
            statement["Resource"].as_str().unwrap().ends_with("/test/*"),
            "{answer}"
        );
        assert_eq!(answer["policyDocument"]["Version"], "2012-10-17");
        let context = answer["context"].as_object().unwrap();
        assert!(
            context
                .values()
                .all(|v| v.is_string() || v.is_number() || v.is_boolean())
        );
        assert_eq!(context["tokenUse"], "access");
        assert_eq!(identity_behind_rest(&answer), expected_identity(), "{path}");
    }
}

#[tokio::test]
async fn http_api_requests_with_a_good_token_are_authorized_with_context() {
    let Setup { issuer, handler } = setup();
    let bearer = format!("Bearer {}", token(&issuer));
    for path in HTTP_API_EVENTS {
        let answer = handler
            .authorize(&with_authorization(path, Some(&bearer)))
            .await
            .unwrap();
        assert_eq!(answer["isAuthorized"], true, "{path}");
        // HTTP APIs put a simple response's context under `requestContext.authorizer.lambda`,
        // which stack-core flattens into the authorizer fields.
        let lambda = answer["context"].as_object().unwrap().clone();
        assert_eq!(
            Identity::from_authorizer(&Authorizer::new(lambda)),
            Some(expected_identity())
        );
    }
}

#[tokio::test]
async fn missing_or_bad_tokens_are_denied_in_each_shape() {
    let Setup { issuer, handler } = setup();
    let good = token(&issuer);
    let other = auth_support::issuer(&clock_at(NOW))
        .issue(&DevTokenRequest::new("x"))
        .unwrap();
    let mut tampered = good.clone();
    tampered.replace_range(good.len() - 4.., "AAAA");
    let values = [
        None,
        Some(""),
        Some("Bearer"),
        Some("garbage"),
        Some("Bearer a.b.c"),
        Some(other.as_str()),
        Some(tampered.as_str()),
    ];
    for value in values {
        for path in REST_EVENTS {
            let answer = handler
                .authorize(&with_authorization(path, value))
                .await
                .unwrap();
            assert_eq!(
                answer["policyDocument"]["Statement"][0]["Effect"], "Deny",
                "{value:?}"
            );
            assert_eq!(answer["principalId"], "anonymous");
            assert!(answer.get("context").is_none());
        }
        for path in HTTP_API_EVENTS {
            let answer = handler
                .authorize(&with_authorization(path, value))
                .await
                .unwrap();
            assert_eq!(answer, json!({ "isAuthorized": false }), "{value:?}");
        }
    }
}

#[tokio::test]
async fn token_authorizers_read_the_authorization_token_field() {
    let Setup { issuer, handler } = setup();
    let mut event =
        fixture("lambda-events/powertools-python/tests-events/apiGatewayAuthorizerTokenEvent.json");
    event["authorizationToken"] = json!(format!("Bearer {}", token(&issuer)));
    let answer = handler.authorize(&event).await.unwrap();
    assert_eq!(answer["policyDocument"]["Statement"][0]["Effect"], "Allow");
    assert_eq!(
        answer["policyDocument"]["Statement"][0]["Resource"],
        "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/*"
    );
    event["authorizationToken"] = json!("allow");
    let answer = handler.authorize(&event).await.unwrap();
    assert_eq!(answer["policyDocument"]["Statement"][0]["Effect"], "Deny");
}

#[tokio::test]
async fn events_of_other_kinds_fail_without_panicking() {
    let Setup { handler, .. } = setup();
    let sqs = fixture("lambda-events/aws-lambda-go/events-testdata/sqs-event.json");
    for event in [
        json!(null),
        json!("text"),
        json!([1, 2]),
        json!({ "Records": [] }),
        sqs,
    ] {
        let error = invoke(&handler, event.clone(), Invocation::default())
            .await
            .unwrap_err();
        assert_eq!(error.error_type, "Stack.BadUserInput", "{event}");
    }
}

#[tokio::test]
async fn an_id_token_is_refused_where_access_tokens_are_expected() {
    let Setup { issuer, handler } = setup();
    let bearer = format!("Bearer {}", token(&issuer));
    let answer = handler
        .authorize(&with_authorization(REST_EVENTS[0], Some(&bearer)))
        .await
        .unwrap();
    assert_eq!(answer["policyDocument"]["Statement"][0]["Effect"], "Allow");
    let settings =
        LocalIssuer::verifier_settings().with_token_uses([stack_graphql::authorizer::TokenUse::Id]);
    let only_id = stack_graphql::authorizer::TokenVerifier::new(
        settings,
        stack_graphql::authorizer::KeyCache::fixed(issuer.key_set()),
        std::sync::Arc::new(clock_at(NOW)),
    );
    let answer = AuthorizerHandler::new(only_id)
        .authorize(&with_authorization(REST_EVENTS[0], Some(&bearer)))
        .await
        .unwrap();
    assert_eq!(answer["policyDocument"]["Statement"][0]["Effect"], "Deny");
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_denial_is_logged_once_with_its_reason_and_never_the_token() {
    let Setup { issuer, handler } = setup();
    let mut tampered = token(&issuer);
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let event = with_authorization(REST_EVENTS[0], Some(&format!("Bearer {tampered}")));
    handler.authorize(&event).await.unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("denied a request") && lines[0].contains("bad_signature"),
        "{text}"
    );
    let signature = tampered.rsplit('.').next().unwrap();
    let payload = tampered.split('.').nth(1).unwrap();
    assert!(
        !text.contains(signature) && !text.contains(payload),
        "{text}"
    );
}
