//! Helpers for the router's behaviour tests: test subgraphs and requests.

#![allow(dead_code, unreachable_pub)]

pub mod oracle;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde_json::Value;
use stack_core::http::{Request, Response};

/// A tiny supergraph: `accounts` owns users, `reviews` adds their reviews.
pub const TINY: &str = include_str!("tiny.graphql");

/// The data an oracle subgraph answers from, and its objects' types; swapped between cases.
pub type Expected = Arc<Mutex<(Value, oracle::Typenames)>>;

/// An HTTP service that answers every GraphQL request with the oracle.
pub fn oracle_service(
    sdl: &str,
    expected: Expected,
) -> impl Fn(Request) -> std::future::Ready<Response> + Send + Sync + 'static {
    let types = oracle::SubgraphTypes::from_sdl(sdl);
    move |request: Request| {
        let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
        let (data, typenames) = expected.lock().unwrap().clone();
        let answer = oracle::answer(&types, &data, &typenames, &body);
        std::future::ready(json_reply(&answer))
    }
}

/// A `200 application/json` response with `body`.
pub fn json_reply(body: &Value) -> Response {
    stack_core::http::response(
        http::StatusCode::OK,
        "application/json",
        Bytes::from(body.to_string()),
    )
}

/// A POST of `body` to `/graphql` as a client sends it.
pub fn post(body: &Value) -> Request {
    let mut request = http::Request::new(Bytes::from(body.to_string()));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = http::Uri::from_static("/graphql");
    let headers = request.headers_mut();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    headers.insert(
        "accept",
        http::HeaderValue::from_static("application/graphql-response+json"),
    );
    request
}

/// The JSON body of a response.
pub fn body(response: &Response) -> Value {
    serde_json::from_slice(response.body()).unwrap_or(Value::Null)
}

/// The `accounts` subgraph of [`TINY`]: two users, and `me` named by the caller.
pub fn accounts(request: &Request) -> Value {
    let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
    let query = body["query"].as_str().unwrap_or_default();
    let caller = header(request, "x-stack-user");
    let tenant = header(request, "x-tenant");
    let trace = header(request, "x-amzn-trace-id");
    if !query.contains("users") {
        let name = if caller.is_null() {
            Value::Null
        } else {
            serde_json::json!("Me")
        };
        return serde_json::json!({ "data": { "me": {
            "__typename": "User", "id": caller, "name": name,
            "tenant": tenant, "trace": trace,
        } } });
    }
    serde_json::json!({ "data": { "users": [
        { "__typename": "User", "id": "1", "name": "Ada" },
        { "__typename": "User", "id": "2", "name": "Bob" },
    ] } })
}

/// The `reviews` subgraph of [`TINY`]: one review per user, and `addReview`.
pub fn reviews(request: &Request) -> Value {
    let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
    if let Some(text) = body["variables"]["body"].as_str() {
        return serde_json::json!({ "data": { "addReview": { "body": text, "stars": 5 } } });
    }
    let representations = body["variables"]["representations"].as_array().cloned();
    let entities: Vec<Value> = representations
        .unwrap_or_default()
        .iter()
        .map(|user| {
            let id = user["id"].as_str().unwrap_or_default();
            serde_json::json!({ "reviews": [{ "body": format!("review by {id}") }] })
        })
        .collect();
    serde_json::json!({ "data": { "_entities": entities } })
}

fn header(request: &Request, name: &str) -> Value {
    request
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map_or(Value::Null, |value| Value::String(value.to_owned()))
}

/// A service that answers every request with `answer(request)`.
pub fn service(
    answer: fn(&Request) -> Value,
) -> impl Fn(Request) -> std::future::Ready<Response> + Send + Sync + 'static {
    move |request: Request| std::future::ready(json_reply(&answer(&request)))
}
