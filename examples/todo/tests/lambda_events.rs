//! Every HTTP event fixture goes through the Todo service's Lambda path with a GraphQL request
//! put in where the fixture has no body: each is answered in its integration's shape, and the
//! fixtures whose own bodies are not GraphQL get a clear error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

mod support;

use base64::Engine as _;
use serde_json::{Value, json};
use stack_core::http::lambda::{Invocation, handle_event};
use support::{fixtures, subgraph};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Rest,
    HttpApi,
    Alb,
}

fn kind_of(event: &Value) -> Option<Kind> {
    let context = event.get("requestContext")?;
    let websocket = context.get("connectionId").is_some();
    let authorizer = event.get("methodArn").is_some() || event.get("routeArn").is_some();
    match () {
        _ if websocket || authorizer => None,
        _ if context.get("elb").is_some() => Some(Kind::Alb),
        _ if context.get("http").is_some() => Some(Kind::HttpApi),
        _ => event.get("httpMethod").map(|_| Kind::Rest),
    }
}

/// Whether the fixture's own `Accept` header (if any) admits a JSON response.
fn accepts_json(event: &Value) -> bool {
    let single = event["headers"].as_object().into_iter().flatten();
    let multi = event["multiValueHeaders"].as_object().into_iter().flatten();
    let accept: Vec<String> = single
        .chain(multi)
        .filter(|(name, _)| name.eq_ignore_ascii_case("accept"))
        .map(|(_, value)| value.to_string())
        .collect();
    accept.is_empty()
        || accept
            .iter()
            .any(|a| a.contains("json") || a.contains("*/*") || a.contains("application/*"))
}

fn has_body(event: &Value) -> bool {
    event["body"].as_str().is_some_and(|b| !b.is_empty())
}

/// Points the event at `/graphql` with POST, and puts a GraphQL body in when it has none.
fn aim_at_graphql(event: &mut Value, kind: Kind) {
    match kind {
        Kind::HttpApi => {
            let stage = event["requestContext"]["stage"]
                .as_str()
                .unwrap_or("$default")
                .to_owned();
            let raw = event["rawPath"].as_str().unwrap_or("/").to_owned();
            let staged = stage != "$default" && raw.starts_with(&format!("/{stage}/"));
            event["rawPath"] = json!(if staged {
                format!("/{stage}/graphql")
            } else {
                "/graphql".to_owned()
            });
            event["requestContext"]["http"]["method"] = json!("POST");
        }
        Kind::Rest | Kind::Alb => {
            event["path"] = json!("/graphql");
            event["httpMethod"] = json!("POST");
        }
    }
    if !has_body(event) {
        event["body"] = json!(r#"{"query":"{ __typename }"}"#);
        event["isBase64Encoded"] = json!(false);
        set_header(event, "content-type", "application/json");
    }
}

fn set_header(event: &mut Value, name: &str, value: &str) {
    for (map, wrapped) in [
        ("headers", json!(value)),
        ("multiValueHeaders", json!([value])),
    ] {
        if let Some(headers) = event.get_mut(map).and_then(Value::as_object_mut) {
            headers.retain(|key, _| !key.eq_ignore_ascii_case(name));
            headers.insert(name.to_owned(), wrapped);
        } else if map == "headers" {
            event[map] = json!({ name: value });
        }
    }
}

fn body_of(response: &Value) -> Value {
    let body = response["body"].as_str().unwrap_or_default();
    let bytes = if response["isBase64Encoded"] == true {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    } else {
        body.as_bytes().to_vec()
    };
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

fn assert_shape(response: &Value, kind: Kind, name: &str) {
    match kind {
        Kind::Rest => assert!(response["multiValueHeaders"].is_object(), "{name}"),
        Kind::HttpApi => assert!(
            response["cookies"].is_array() && response["headers"].is_object(),
            "{name}"
        ),
        Kind::Alb => assert!(response["statusDescription"].is_string(), "{name}"),
    }
}

#[tokio::test]
async fn every_http_fixture_is_answered_by_the_todo_service() {
    let service = subgraph();
    let invocation = Invocation {
        request_id: "fixture".into(),
        trace_id: None,
    };
    let (mut answered, mut refused) = (0, 0);
    for path in json_files() {
        let Ok(mut event) = serde_json::from_str::<Value>(&std::fs::read_to_string(&path).unwrap())
        else {
            continue;
        };
        let Some(kind) = kind_of(&event) else {
            continue;
        };
        let name = path.display().to_string();
        let brought_a_body = has_body(&event);
        let accepts_json = accepts_json(&event);
        aim_at_graphql(&mut event, kind);

        let response = handle_event(&service, event, &invocation)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_shape(&response, kind, &name);
        let body = body_of(&response);
        if brought_a_body {
            let status = response["statusCode"].as_u64().unwrap();
            assert!((400..500).contains(&status), "{name}: {status} {body}");
            assert!(body["errors"][0]["message"].is_string(), "{name}: {body}");
            refused += 1;
        } else if !accepts_json {
            assert_eq!(response["statusCode"], 406, "{name}: {body}");
            assert!(body["errors"][0]["message"].is_string(), "{name}: {body}");
            refused += 1;
        } else {
            assert_eq!(response["statusCode"], 200, "{name}: {body}");
            assert_eq!(body["data"]["__typename"], "Query", "{name}");
            answered += 1;
        }
    }
    assert!(
        answered + refused >= 60 && answered >= 15,
        "answered {answered}, refused {refused}"
    );
}

#[tokio::test]
async fn the_authorizer_names_the_caller_and_the_local_header_is_ignored() {
    let service = subgraph();
    let invocation = Invocation::default();
    let mut event = support_event();
    event["requestContext"]["authorizer"] = json!({ "lambda": { "sub": "carol" } });
    let created = handle_event(&service, event.clone(), &invocation)
        .await
        .unwrap();
    assert_eq!(
        body_of(&created)["data"]["createTodo"]["title"],
        "from lambda",
        "{created}"
    );

    event["requestContext"]["authorizer"] = Value::Null;
    event["headers"]["x-stack-user"] = json!("carol");
    let refused = handle_event(&service, event, &invocation).await.unwrap();
    assert_eq!(
        body_of(&refused)["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED",
        "{refused}"
    );
}

fn support_event() -> Value {
    let path = fixtures().join(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_v2_proxy_request.json",
    );
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    aim_at_graphql(&mut event, Kind::HttpApi);
    event["body"] = json!(
        json!({ "query": "mutation { createTodo(input: {title: \"from lambda\"}) { title } }" })
            .to_string()
    );
    set_header(&mut event, "content-type", "application/json");
    event
}

fn json_files() -> Vec<std::path::PathBuf> {
    stack_core::testing::json_files_under(&fixtures().join("lambda-events")).unwrap()
}
