//! The federation gateway audit suites, composed by this crate instead of taken pre-composed:
//! each suite's subgraph SDLs go through the `Composer`, the router is built on the result,
//! and the suite's cases run against the oracle subgraphs (see `router_support/oracle.rs`).
//!
//! The test prints, per suite, whether it composed, whether the router accepted the result
//! and how many cases pass, next to the count with the suite's own supergraph. It fails when
//! fewer suites compose or fewer cases pass than the recorded floors. `AUDIT_SUITE=<id>` runs
//! one suite.
//!
//! Suites that do not compose with graphql-composition 0.12 (stricter than federation's own
//! composition): `abstract-types`, `child-type-mismatch`, `parent-entity-call`,
//! `parent-entity-call-complex` and `provides-on-interface` (an object with `@key` in some
//! subgraphs and none in others), `keys-mashup` (key fields of a nested key object not
//! `@shareable`), `node` (a `@shareable` object missing fields defined elsewhere) and
//! `union-intersection` (a field whose type is a different union or member per subgraph).

#![cfg(all(feature = "compose", feature = "router"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod router_support;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use stack_core::http::HttpService as _;
use stack_graphql::compose::Composer;
use stack_graphql::router::{InProcess, Router};

use router_support::oracle;

/// Suites (of 31) whose subgraphs composed when the floors were last raised.
const COMPOSED_FLOOR: usize = 23;
/// Suites whose composed supergraph the router accepted.
const ROUTED_FLOOR: usize = 23;
/// Cases that passed over composed supergraphs: every case of the composed suites that
/// passes with the suites' own supergraphs.
const PASSING_FLOOR: usize = 80;

fn suites() -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/graphql/federation-gateway-audit");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
        .collect()
}

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value[key].as_str().unwrap_or_default()
}

fn compose(suite: &Value) -> Result<String, String> {
    let mut composer = Composer::new();
    for subgraph in suite["subgraphs"].as_array().into_iter().flatten() {
        let (name, url, sdl) = (
            text(subgraph, "name"),
            text(subgraph, "url"),
            text(subgraph, "sdl"),
        );
        composer = composer.subgraph(name, url, sdl);
    }
    composer
        .compose()
        .map(stack_graphql::compose::Supergraph::into_sdl)
        .map_err(|error| error.to_string())
}

/// How many of the suite's cases pass with the router built on `supergraph_sdl`.
async fn passing_cases(suite: &Value, supergraph_sdl: &str) -> Result<usize, String> {
    let expected: router_support::Expected = Arc::default();
    let types = oracle::SubgraphTypes::from_sdl(text(suite, "supergraph_sdl"));
    let mut builder = Router::builder(supergraph_sdl);
    for subgraph in suite["subgraphs"].as_array().into_iter().flatten() {
        let service = router_support::oracle_service(text(subgraph, "sdl"), expected.clone());
        builder = builder.subgraph(text(subgraph, "name"), InProcess::new(service));
    }
    let router = builder.build().map_err(|error| error.to_string())?;
    let mut passed = 0;
    for case in suite["tests"].as_array().into_iter().flatten() {
        let data = case["expected"]["data"].clone();
        let typenames = oracle::typenames(&types, text(case, "query"), &data);
        *expected.lock().unwrap() = (data, typenames);
        let request = router_support::post(&json!({ "query": case["query"] }));
        let got = router_support::body(&router.call(request).await);
        if passes(&case["expected"], &got) {
            passed += 1;
        }
    }
    Ok(passed)
}

fn passes(expected: &Value, got: &Value) -> bool {
    let has_errors = got["errors"].as_array().is_some_and(|e| !e.is_empty());
    let wants_errors = match &expected["errors"] {
        Value::Bool(wanted) => *wanted,
        Value::Array(errors) => !errors.is_empty(),
        _ => false,
    };
    expected.get("data") == got.get("data") && has_errors == wants_errors
}

#[tokio::test]
async fn audit_suites_compose_and_run_through_the_router() {
    let only = std::env::var("AUDIT_SUITE").ok();
    let (mut composed, mut routed, mut passed, mut reference_passed) = (0, 0, 0, 0);
    for suite in suites() {
        let id = text(&suite, "id");
        if only.as_deref().is_some_and(|only| only != id) {
            continue;
        }
        let reference = passing_cases(&suite, text(&suite, "supergraph_sdl")).await;
        let reference = reference.unwrap_or_default();
        reference_passed += reference;
        let outcome = match compose(&suite) {
            Err(error) => format!("does not compose: {error}"),
            Ok(sdl) => {
                composed += 1;
                match passing_cases(&suite, &sdl).await {
                    Err(error) => format!("router refuses it: {error}"),
                    Ok(cases) => {
                        routed += 1;
                        passed += cases;
                        format!("{cases} cases pass")
                    }
                }
            }
        };
        eprintln!("{id:40} reference {reference:2}; composed: {outcome}");
    }
    eprintln!(
        "compose audit: {composed} suites compose, {routed} route, {passed} cases pass \
         ({reference_passed} with the reference supergraphs)"
    );
    if only.is_some() {
        return;
    }
    assert!(
        composed >= COMPOSED_FLOOR,
        "{composed} suites compose, fewer than {COMPOSED_FLOOR}"
    );
    assert!(
        routed >= ROUTED_FLOOR,
        "{routed} suites route, fewer than {ROUTED_FLOOR}"
    );
    assert!(
        passed >= PASSING_FLOOR,
        "{passed} cases pass, fewer than {PASSING_FLOOR}"
    );
}
