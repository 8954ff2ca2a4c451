//! Helpers shared by the behaviour tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Value, json};
use stack_core::http::{EdgeContext, Request, Response, json_response};

/// The shared fixtures folder (set by `.cargo/config.toml`).
pub(crate) fn fixtures() -> PathBuf {
    PathBuf::from(env!("STACK_FIXTURES_DIR"))
}

/// Reads a fixture as JSON.
pub(crate) fn fixture(relative: &str) -> Value {
    let path = fixtures().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.json` file under a folder, recursively, sorted.
pub(crate) fn json_files(dir: &Path) -> Vec<PathBuf> {
    stack_core::testing::json_files_under(dir).unwrap()
}

/// A service that answers with a JSON description of the request it received.
pub(crate) async fn echo(request: Request) -> Response {
    let edge = EdgeContext::of(&request).cloned();
    let headers: Vec<Value> = request
        .headers()
        .iter()
        .map(|(name, value)| json!([name.as_str(), String::from_utf8_lossy(value.as_bytes())]))
        .collect();
    let body = json!({
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "query": request.uri().query(),
        "headers": headers,
        "body": base64::engine::general_purpose::STANDARD.encode(request.body()),
        "rawPath": edge.as_ref().map(|e| e.raw_path.clone()),
        "stage": edge.as_ref().and_then(|e| e.stage.clone()),
        "requestId": edge.as_ref().map(|e| e.request_id.clone()),
        "traceId": edge.as_ref().and_then(|e| e.trace_id.clone()),
        "authorizer": edge.as_ref().and_then(|e| e.authorizer.as_ref().map(|a| Value::Object(a.fields().clone()))),
        "mode": edge.as_ref().map(|e| format!("{:?}", e.mode)),
        "source": edge.as_ref().map(|e| format!("{:?}", e.source)),
    });
    json_response(http::StatusCode::OK, &body)
}

/// The values of one header in an echo description.
pub(crate) fn header_values(echo: &Value, name: &str) -> Vec<String> {
    echo["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|pair| pair[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|pair| pair[1].as_str().unwrap().to_owned())
        .collect()
}

/// Decodes the body of an encoded event response.
pub(crate) fn response_body(response: &Value) -> Vec<u8> {
    let body = response["body"].as_str().unwrap_or_default();
    if response["isBase64Encoded"].as_bool().unwrap_or(false) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    } else {
        body.as_bytes().to_vec()
    }
}
