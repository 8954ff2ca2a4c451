//! The cost of the Lambda edge: an API Gateway HTTP API (v2) event turned into a request, and
//! the service's response turned back into the event response.
//!
//! Run with `cargo bench -p stack-core --bench lambda_edge`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value;
use stack_core::http::json_response;
use stack_core::http::lambda::{Invocation, event_to_request};

fn fixture(relative: &str) -> Value {
    let path = PathBuf::from(env!("STACK_FIXTURES_DIR")).join(relative);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn graphql_event() -> Value {
    let mut event = fixture(
        "lambda-events/aws-lambda-rust-runtime/lambda-http-tests-data/apigw_v2_proxy_request.json",
    );
    event["rawPath"] = "/graphql".into();
    event["body"] = r#"{"query":"{ todos(first: 20) { nodes { id title completed } } }"}"#.into();
    event
}

fn round_trip(c: &mut Criterion) {
    let event = graphql_event();
    let invocation = Invocation {
        request_id: "bench".into(),
        trace_id: Some("Root=1-5759e988-bd862e3fe1be46a994272793".into()),
    };
    let answer = serde_json::json!({ "data": { "todos": { "nodes": [{ "id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "title": "write the bench", "completed": false }] } } });

    c.bench_function(
        "apigw_v2 event -> request -> response -> event response",
        |b| {
            b.iter(|| {
                let (request, shape) =
                    event_to_request(black_box(event.clone()), &invocation).unwrap();
                black_box(&request);
                black_box(shape.encode(json_response(http::StatusCode::OK, &answer)))
            });
        },
    );
}

criterion_group!(benches, round_trip);
criterion_main!(benches);
