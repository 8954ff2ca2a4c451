//! The federation gateway audit suites run through the router over in-process subgraphs.
//!
//! Each suite's subgraphs are served by the oracle test subgraph (see
//! `router_support/oracle.rs`) from the suite's SDL and the data each case expects. The test
//! prints the pass count per suite and fails when fewer cases pass than the recorded floor.

#![cfg(feature = "router")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod router_support;

use router_support::oracle;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use stack_core::http::HttpService as _;
use stack_graphql::router::{InProcess, Router};

/// Cases that passed when this floor was last raised; a drop is a regression.
const PASSING_FLOOR: usize = 120;

fn suites() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/graphql/federation-gateway-audit");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

struct SuiteResult {
    id: String,
    passed: usize,
    total: usize,
    failures: Vec<String>,
}

async fn run_suite(suite: &Value) -> SuiteResult {
    let id = suite["id"].as_str().unwrap_or_default().to_owned();
    let tests = suite["tests"].as_array().cloned().unwrap_or_default();
    let expected: router_support::Expected = Arc::default();
    let supergraph =
        oracle::SubgraphTypes::from_sdl(suite["supergraph_sdl"].as_str().unwrap_or_default());
    let mut builder = Router::builder(suite["supergraph_sdl"].as_str().unwrap_or_default());
    for subgraph in suite["subgraphs"].as_array().into_iter().flatten() {
        let name = subgraph["name"].as_str().unwrap_or_default();
        let sdl = subgraph["sdl"].as_str().unwrap_or_default();
        let service = router_support::oracle_service(sdl, expected.clone());
        builder = builder.subgraph(name, InProcess::new(service));
    }
    let mut result = SuiteResult {
        id,
        passed: 0,
        total: tests.len(),
        failures: Vec::new(),
    };
    let router = match builder.build() {
        Ok(router) => router,
        Err(error) => {
            result.failures.push(format!("router: {error}"));
            return result;
        }
    };
    for (index, case) in tests.iter().enumerate() {
        let data = case["expected"]["data"].clone();
        let query = case["query"].as_str().unwrap_or_default();
        let typenames = oracle::typenames(&supergraph, query, &data);
        *expected.lock().unwrap() = (data, typenames);
        let request = router_support::post(&json!({ "query": case["query"] }));
        let got = router_support::body(&router.call(request).await);
        match verdict(&case["expected"], &got) {
            Ok(()) => result.passed += 1,
            Err(why) => result
                .failures
                .push(format!("case {index}: {why}: got {got}")),
        }
    }
    result
}

fn verdict(expected: &Value, got: &Value) -> Result<(), String> {
    if expected.get("data") != got.get("data") {
        return Err(format!("data differs from {}", expected["data"]));
    }
    let has_errors = got
        .get("errors")
        .is_some_and(|e| e.as_array().is_some_and(|e| !e.is_empty()));
    let wants_errors = match expected.get("errors") {
        Some(Value::Bool(wanted)) => *wanted,
        Some(Value::Array(errors)) => !errors.is_empty(),
        _ => false,
    };
    if has_errors != wants_errors {
        return Err(format!("errors expected: {wants_errors}"));
    }
    Ok(())
}

#[tokio::test]
async fn audit_suites_pass_through_the_router() {
    // `RUST_LOG=debug` shows each plan.
    let _ = tracing_subscriber::fmt()
        .with_max_level(debug_level())
        .with_test_writer()
        .try_init();
    let only = std::env::var("AUDIT_SUITE").ok();
    let mut passed = 0;
    let mut total = 0;
    for path in suites() {
        let suite: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        if only
            .as_ref()
            .is_some_and(|only| suite["id"] != only.as_str())
        {
            continue;
        }
        let result = run_suite(&suite).await;
        eprintln!("{:45} {}/{}", result.id, result.passed, result.total);
        for failure in &result.failures {
            eprintln!("    {}", truncate(failure));
        }
        passed += result.passed;
        total += result.total;
    }
    eprintln!("audit: {passed}/{total} cases pass");
    assert!(
        passed >= PASSING_FLOOR,
        "{passed} cases pass, fewer than {PASSING_FLOOR}"
    );
}

fn truncate(text: &str) -> String {
    text.chars().take(2000).collect()
}

/// `RUST_LOG=debug` (or any level) for this test's logs; warnings otherwise.
fn debug_level() -> tracing::Level {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|level| level.parse().ok())
        .unwrap_or(tracing::Level::WARN)
}
