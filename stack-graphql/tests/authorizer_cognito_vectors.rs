//! Every case of `../shared/fixtures/jwt/cognito-authorizer/` decided as its recommended
//! verdict: the strictest of aws-jwt-verify and PyJWT in strict mode.

#![cfg(feature = "authorizer")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod auth_support;

use std::sync::Arc;

use auth_support::{clock_at, fixture};
use serde_json::Value;
use stack_graphql::authorizer::{
    KeyCache, KeySet, TokenError, TokenUse, TokenVerifier, VerifierSettings,
};

/// After every `iat` in the file (1700000000) and the one expired `exp` it mentions
/// (1700003600), and well before the valid tokens' `exp` and `nbf` (about 4102444790).
const NOW: u64 = 1_800_000_000;

fn verifier_for(vectors: &Value, token_use: TokenUse) -> TokenVerifier {
    let cognito = &vectors["cognito"];
    let keys = KeySet::from_json(vectors["jwks"].to_string().as_bytes()).unwrap();
    assert_eq!(keys.len(), 2);
    let settings = VerifierSettings::new(
        cognito["issuer"].as_str().unwrap(),
        [cognito["clientId"].as_str().unwrap()],
    )
    .with_token_uses([token_use]);
    TokenVerifier::new(settings, KeyCache::fixed(keys), Arc::new(clock_at(NOW)))
}

/// Why each refused case is refused, by our own reading of it.
fn expected_reason(name: &str) -> Option<&'static str> {
    Some(match name {
        "valid_access_token" | "valid_id_token" => return None,
        "nbf_in_future" => "not_yet_valid",
        "missing_exp" => "invalid_claim",
        "wrong_issuer_other_pool" | "issuer_trailing_slash" => "wrong_issuer",
        "id_token_presented_as_access" | "access_token_presented_as_id" => "wrong_token_use",
        "alg_none_no_signature"
        | "alg_none_with_original_signature"
        | "hs256_signed_with_rsa_public_key_pem"
        | "hs256_signed_with_jwk_modulus_bytes"
        | "rs512_with_rs256_jwk"
        | "es256_with_rsa_kid" => "algorithm_mismatch",
        "missing_kid" | "kid_path_traversal" => "unknown_key",
        "known_kid_attacker_key"
        | "kid_1_but_signed_by_kid_2_key"
        | "embedded_jwk_header_attacker_key"
        | "tampered_payload_original_signature"
        | "payload_not_json" => "bad_signature",
        "two_segments" | "four_segments" | "header_padding_chars" => "malformed",
        "empty_token" => "missing",
        _ => "a case this test does not know",
    })
}

#[tokio::test]
async fn every_vector_gets_its_recommended_verdict() {
    let vectors = fixture("jwt/cognito-authorizer/cognito-jwt-vectors.json");
    let cases = vectors["cases"].as_array().unwrap();
    let mut mismatches = Vec::new();
    for case in cases {
        let token_use = case["verify_as"]["token_use"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let verdict = verifier_for(&vectors, token_use)
            .verify(case["token"].as_str().unwrap())
            .await;
        let expected = case["recommended_verdict"].as_str().unwrap();
        let got = if verdict.is_ok() { "accept" } else { "reject" };
        if got != expected {
            mismatches.push(format!(
                "{}: expected {expected}, got {verdict:?}",
                case["name"]
            ));
        }
        let reason = verdict.as_ref().err().map(TokenError::code);
        if reason != expected_reason(case["name"].as_str().unwrap()) {
            mismatches.push(format!("{}: refused for {reason:?}", case["name"]));
        }
    }
    eprintln!(
        "cognito JWT vectors: {} of {} decided as expected",
        cases.len() - mismatches.len(),
        cases.len()
    );
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert_eq!(
        cases.len(),
        25,
        "the fixture changed; update the count in the docs"
    );
}

#[tokio::test]
async fn accepted_vectors_carry_the_callers_identity() {
    let vectors = fixture("jwt/cognito-authorizer/cognito-jwt-vectors.json");
    let case = |name: &str| {
        let cases = vectors["cases"].as_array().unwrap();
        cases.iter().find(|c| c["name"] == name).unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let access = verifier_for(&vectors, TokenUse::Access)
        .verify(&case("valid_access_token"))
        .await
        .unwrap();
    assert_eq!(
        access.identity.subject,
        "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    );
    assert_eq!(access.identity.username.as_deref(), Some("alice"));
    assert_eq!(access.identity.groups, ["admins"]);
    assert_eq!(access.identity.scopes, ["aws.cognito.signin.user.admin"]);
    assert_eq!(access.token_use, TokenUse::Access);

    let id = verifier_for(&vectors, TokenUse::Id)
        .verify(&case("valid_id_token"))
        .await
        .unwrap();
    assert_eq!(id.identity.username.as_deref(), Some("alice"));
    assert_eq!(id.client_id, "1example23456789client0id");
}

#[tokio::test]
async fn the_same_tokens_expire_on_a_later_clock() {
    let vectors = fixture("jwt/cognito-authorizer/cognito-jwt-vectors.json");
    let token = vectors["cases"][0]["token"].as_str().unwrap();
    let keys = KeySet::from_json(vectors["jwks"].to_string().as_bytes()).unwrap();
    let settings = VerifierSettings::new(
        vectors["cognito"]["issuer"].as_str().unwrap(),
        [vectors["cognito"]["clientId"].as_str().unwrap()],
    );
    let late = TokenVerifier::new(
        settings,
        KeyCache::fixed(keys),
        Arc::new(clock_at(4_102_444_830)),
    );
    assert!(late.verify(token).await.unwrap_err().is_expired());
}
