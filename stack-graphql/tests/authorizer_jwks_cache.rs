//! The JWKS is fetched once, kept, and fetched again for an unknown `kid` or when old, at most
//! once per minimum interval, against a JWKS server on 127.0.0.1 and an injected clock.

#![cfg(feature = "authorizer")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth_support;

use std::sync::Arc;
use std::time::Duration;

use auth_support::{JwksServer, clock_at, issuer};
use http::StatusCode;
use serde_json::json;
use stack_core::clock::{FixedClock, SharedClock};
use stack_graphql::authorizer::{
    DevTokenRequest, KeyCache, LocalIssuer, TokenError, TokenVerifier,
};

const NOW: u64 = 1_800_000_000;
const INTERVAL: Duration = Duration::from_secs(60);

fn verifier(server: &JwksServer, clock: &FixedClock) -> TokenVerifier {
    let shared: SharedClock = Arc::new(clock.clone());
    let keys = KeyCache::remote(&server.url(), shared.clone())
        .unwrap()
        .with_min_interval(INTERVAL);
    TokenVerifier::new(LocalIssuer::verifier_settings(), keys, shared)
}

fn jwks_of(issuers: &[&LocalIssuer]) -> serde_json::Value {
    let keys: Vec<_> = issuers
        .iter()
        .flat_map(|i| i.jwks()["keys"].as_array().unwrap().clone())
        .collect();
    json!({ "keys": keys })
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_interval() {
    let clock = clock_at(NOW);
    let (old, new) = (issuer(&clock), issuer(&clock));
    let server = JwksServer::start(jwks_of(&[&old])).await;
    let verifier = verifier(&server, &clock);
    let old_token = old.issue(&DevTokenRequest::new("ann")).unwrap();
    let new_token = new.issue(&DevTokenRequest::new("bob")).unwrap();

    assert!(verifier.verify(&old_token).await.is_ok());
    assert_eq!(server.fetches(), 1);
    for _ in 0..20 {
        assert_eq!(
            verifier.verify(&new_token).await.unwrap_err(),
            TokenError::UnknownKey
        );
        assert!(verifier.verify(&old_token).await.is_ok());
    }
    assert_eq!(
        server.fetches(),
        1,
        "unknown kids within the interval fetch nothing"
    );

    server.serve(StatusCode::OK, jwks_of(&[&old, &new]));
    clock.advance(INTERVAL - Duration::from_secs(1));
    assert!(verifier.verify(&new_token).await.is_err());
    assert_eq!(server.fetches(), 1);
    clock.advance(Duration::from_secs(1));
    assert!(
        verifier.verify(&new_token).await.is_ok(),
        "the rotated key is found"
    );
    assert_eq!(server.fetches(), 2);
    for _ in 0..5 {
        assert!(verifier.verify(&new_token).await.is_ok());
    }
    assert_eq!(server.fetches(), 2, "known kids fetch nothing");
}

#[tokio::test]
async fn old_key_sets_are_refreshed_and_kept_when_the_refresh_fails() {
    let clock = clock_at(NOW);
    let old = issuer(&clock);
    let server = JwksServer::start(jwks_of(&[&old])).await;
    let verifier = verifier(&server, &clock);
    let token = old.issue(&DevTokenRequest::new("ann")).unwrap();
    assert!(verifier.verify(&token).await.is_ok());

    server.serve(StatusCode::INTERNAL_SERVER_ERROR, json!({}));
    clock.advance(KeyCache::DEFAULT_MAX_AGE);
    let fresh = old.issue(&DevTokenRequest::new("ann")).unwrap();
    assert!(
        verifier.verify(&fresh).await.is_ok(),
        "held keys survive a failed refresh"
    );
    assert_eq!(server.fetches(), 2);
}

#[tokio::test]
async fn an_unreachable_jwks_is_unavailable_not_a_refusal() {
    let clock = clock_at(NOW);
    let old = issuer(&clock);
    let server = JwksServer::start(json!({ "keys": [] })).await;
    server.serve(StatusCode::SERVICE_UNAVAILABLE, json!({}));
    let verifier = verifier(&server, &clock);
    let token = old.issue(&DevTokenRequest::new("ann")).unwrap();
    let error = verifier.verify(&token).await.unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(verifier.verify(&token).await.unwrap_err().is_unavailable());
    assert_eq!(
        server.fetches(),
        1,
        "the failed first fetch is not retried within the interval"
    );

    server.serve(StatusCode::OK, jwks_of(&[&old]));
    clock.advance(INTERVAL);
    assert!(verifier.verify(&token).await.is_ok());
}

#[tokio::test]
async fn malformed_tokens_never_trigger_a_fetch() {
    let clock = clock_at(NOW);
    let server = JwksServer::start(json!({ "keys": [] })).await;
    let verifier = verifier(&server, &clock);
    for token in ["", "garbage", "a.b", "a.b.c", "e30.e30.e30"] {
        assert!(verifier.verify(token).await.is_err());
    }
    assert_eq!(server.fetches(), 0);
}
