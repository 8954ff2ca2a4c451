//! Wycheproof's JWS and JWK vectors (`../shared/fixtures/jwt/wycheproof/`) against the
//! signature layer ([`KeySet::verify`]).
//!
//! Which cases apply:
//!
//! - every `invalid` case: whatever its algorithm, refusing it is the only right answer, so
//!   all of them run and must be refused (RSA signature malleations, stripped parts, `alg:
//!   none`, wrong `use`/`key_ops`, small or ROCA keys, exponent 1, ...);
//! - `valid` cases whose key is RSA with RS256, RS384 or RS512: they must be accepted;
//! - `valid` cases with HMAC, ECDSA or RSA-PSS keys are skipped: the verifier supports RSA
//!   PKCS#1 v1.5 keys only (Cognito signs with RS256), so it refuses them by design.
//!
//! Nothing may panic.

#![cfg(feature = "authorizer")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod auth_support;

use auth_support::fixture;
use serde_json::{Value, json};
use stack_graphql::authorizer::KeySet;

#[derive(Debug, Default)]
struct Tally {
    applicable: usize,
    skipped: usize,
    failures: Vec<String>,
}

/// The group's key set: its public keys when it has them, else its private ones (HMAC groups
/// have only those), as a JWKS document.
fn key_set(group: &Value) -> KeySet {
    let keys = group
        .get("public")
        .or_else(|| group.get("private"))
        .cloned()
        .unwrap_or(Value::Null);
    let document = if keys.get("keys").is_some() {
        keys
    } else {
        json!({ "keys": [keys] })
    };
    KeySet::from_json(document.to_string().as_bytes()).unwrap()
}

/// Whether our verifier is meant to accept valid signatures made with the group's key.
fn supported(group: &Value) -> bool {
    let keys = group
        .get("public")
        .or_else(|| group.get("private"))
        .unwrap();
    let first = keys.get("keys").and_then(|k| k.get(0)).unwrap_or(keys);
    first["kty"] == "RSA" && matches!(first["alg"].as_str(), Some("RS256" | "RS384" | "RS512"))
}

fn run(file: &str) -> Tally {
    let suite = fixture(file);
    let mut tally = Tally::default();
    for group in suite["testGroups"].as_array().unwrap() {
        let keys = key_set(group);
        for case in group["tests"].as_array().unwrap() {
            let expected_valid = match case["result"].as_str() {
                Some("valid") => true,
                Some("invalid") => false,
                other => panic!("unexpected result {other:?}"),
            };
            if expected_valid && !supported(group) {
                tally.skipped += 1;
                continue;
            }
            tally.applicable += 1;
            let verdict = keys.verify(case["jws"].as_str().unwrap());
            if verdict.is_ok() != expected_valid {
                tally.failures.push(format!(
                    "tcId {} ({}, {}): expected {}, got {verdict:?}",
                    case["tcId"], group["comment"], case["comment"], case["result"]
                ));
            }
        }
    }
    tally
}

#[test]
fn json_web_signature_vectors() {
    let tally = run("jwt/wycheproof/json_web_signature_test.json");
    eprintln!(
        "wycheproof JWS: {} applicable, {} passed, {} skipped (valid HMAC/ECDSA/PSS)",
        tally.applicable,
        tally.applicable - tally.failures.len(),
        tally.skipped
    );
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    assert_eq!(tally.applicable + tally.skipped, 401);
}

#[test]
fn json_web_key_vectors() {
    let tally = run("jwt/wycheproof/json_web_key_test.json");
    eprintln!(
        "wycheproof JWK: {} applicable, {} passed, {} skipped (valid HMAC)",
        tally.applicable,
        tally.applicable - tally.failures.len(),
        tally.skipped
    );
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
    assert_eq!(tally.applicable + tally.skipped, 26);
}

#[test]
fn the_roca_key_is_refused_for_its_fingerprint_alone() {
    let suite = fixture("jwt/wycheproof/json_web_key_test.json");
    let groups = suite["testGroups"].as_array().unwrap();
    let roca = groups
        .iter()
        .find(|g| g["comment"] == "jws_rsa_roca_key")
        .unwrap();
    // 2049 bits, e = 65537, `use: sig`, RS256: only the fingerprint is wrong with it.
    assert_eq!(roca["public"]["keys"][0]["e"], "AQAB");
    assert!(key_set(roca).is_empty());
}
