//! Against moto's Cognito: a user pool issues real access and id tokens for a user, and the
//! authorizer accepts them through moto's JWKS, and refuses them for the wrong client, the
//! wrong `token_use` or a tampered signature.
//!
//! moto is found through `STACK_TEST_MOTO_URL`; without it the test is skipped, unless
//! `STACK_TEST_REQUIRE_MOTO` is set (the test command sets both). The Cognito calls are plain
//! JSON requests (`X-Amz-Target: AWSCognitoIdentityProviderService.*`) to 127.0.0.1.

#![cfg(feature = "authorizer")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::{Value, json};
use stack_core::clock::{SharedClock, SystemClock};
use stack_core::testing::http_call;
use stack_graphql::authorizer::{
    AuthorizerHandler, KeyCache, TokenError, TokenUse, TokenVerifier, VerifierSettings,
};

/// moto's address, or `None` when the test should be skipped.
fn moto() -> Option<(String, SocketAddr)> {
    let Ok(url) = std::env::var("STACK_TEST_MOTO_URL") else {
        assert!(
            std::env::var("STACK_TEST_REQUIRE_MOTO").is_err(),
            "STACK_TEST_MOTO_URL is required"
        );
        eprintln!("skipped: set STACK_TEST_MOTO_URL to run against moto");
        return None;
    };
    let authority = url.trim_start_matches("http://").trim_end_matches('/');
    let address: SocketAddr = authority
        .parse()
        .expect("STACK_TEST_MOTO_URL is http://127.0.0.1:PORT");
    assert!(address.ip().is_loopback(), "moto must run on 127.0.0.1");
    Some((url.trim_end_matches('/').to_owned(), address))
}

async fn cognito(moto: SocketAddr, action: &str, body: Value) -> Value {
    let target = format!("AWSCognitoIdentityProviderService.{action}");
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target.as_str()),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
        ),
    ];
    let reply = http_call(moto, "POST", "/", &headers, body.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(
        reply.status,
        200,
        "{action}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

struct Pool {
    id: String,
    client_id: String,
    access_token: String,
    id_token: String,
}

/// A pool, a client, a user in the `admins` group with a permanent password, and its tokens.
async fn pool_with_user(moto: SocketAddr, test: &str) -> Pool {
    let name = format!("stack-authorizer-{test}-{}", std::process::id());
    let pool = cognito(moto, "CreateUserPool", json!({ "PoolName": name })).await;
    let id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
    let client = json!({ "UserPoolId": id, "ClientName": "web", "ExplicitAuthFlows": flows });
    let client = cognito(moto, "CreateUserPoolClient", client).await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = json!({ "UserPoolId": id, "Username": "ann", "MessageAction": "SUPPRESS" });
    cognito(moto, "AdminCreateUser", user).await;
    let password = json!({ "UserPoolId": id, "Username": "ann", "Password": "Corr3ct-Horse!", "Permanent": true });
    cognito(moto, "AdminSetUserPassword", password).await;
    cognito(
        moto,
        "CreateGroup",
        json!({ "UserPoolId": id, "GroupName": "admins" }),
    )
    .await;
    let member = json!({ "UserPoolId": id, "Username": "ann", "GroupName": "admins" });
    cognito(moto, "AdminAddUserToGroup", member).await;
    let auth = json!({
        "UserPoolId": id, "ClientId": client_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": { "USERNAME": "ann", "PASSWORD": "Corr3ct-Horse!" },
    });
    let result = cognito(moto, "AdminInitiateAuth", auth).await["AuthenticationResult"].clone();
    Pool {
        id,
        client_id,
        access_token: result["AccessToken"].as_str().unwrap().to_owned(),
        id_token: result["IdToken"].as_str().unwrap().to_owned(),
    }
}

/// A verifier configured as a deployment against moto would be: moto's issuer (the Cognito
/// URL its tokens carry) and moto's JWKS URL, which differ.
fn verifier(moto_url: &str, pool: &Pool, client_id: &str, token_use: TokenUse) -> TokenVerifier {
    let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{}", pool.id);
    let jwks_url = format!("{moto_url}/{}/.well-known/jwks.json", pool.id);
    let clock: SharedClock = Arc::new(SystemClock);
    let settings = VerifierSettings::new(issuer, [client_id]).with_token_uses([token_use]);
    TokenVerifier::new(
        settings,
        KeyCache::remote(&jwks_url, clock.clone()).unwrap(),
        clock,
    )
}

#[tokio::test]
async fn moto_cognito_tokens_are_accepted_and_misuse_is_refused() {
    let Some((url, address)) = moto() else { return };
    let pool = pool_with_user(address, "verdicts").await;

    let access = verifier(&url, &pool, &pool.client_id, TokenUse::Access);
    let verified = access.verify(&pool.access_token).await.unwrap();
    assert_eq!(verified.identity.username.as_deref(), Some("ann"));
    assert_eq!(verified.identity.groups, ["admins"]);
    assert_eq!(verified.identity.scopes, ["aws.cognito.signin.user.admin"]);
    assert_eq!(verified.client_id, pool.client_id);

    let id = verifier(&url, &pool, &pool.client_id, TokenUse::Id);
    let verified_id = id.verify(&pool.id_token).await.unwrap();
    assert_eq!(verified_id.identity.subject, verified.identity.subject);
    assert_eq!(verified_id.identity.username.as_deref(), Some("ann"));

    assert_eq!(
        access.verify(&pool.id_token).await.unwrap_err(),
        TokenError::WrongTokenUse("id".into())
    );
    assert_eq!(
        id.verify(&pool.access_token).await.unwrap_err(),
        TokenError::WrongTokenUse("access".into())
    );

    let other_client = verifier(&url, &pool, "another-client", TokenUse::Access);
    assert_eq!(
        other_client.verify(&pool.access_token).await.unwrap_err(),
        TokenError::WrongClient
    );
    let other_client = verifier(&url, &pool, "another-client", TokenUse::Id);
    assert_eq!(
        other_client.verify(&pool.id_token).await.unwrap_err(),
        TokenError::WrongClient
    );

    let (signed, signature) = pool.access_token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{signed}.{flipped}{}", &signature[1..]);
    assert_eq!(
        access.verify(&tampered).await.unwrap_err(),
        TokenError::BadSignature
    );
}

#[tokio::test]
async fn the_authorizer_allows_an_http_api_request_with_a_moto_token() {
    let Some((url, address)) = moto() else { return };
    let pool = pool_with_user(address, "http-api").await;
    let handler = AuthorizerHandler::new(verifier(&url, &pool, &pool.client_id, TokenUse::Access));
    let event = json!({
        "version": "2.0", "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:api/$default/POST/graphql",
        "identitySource": [format!("Bearer {}", pool.access_token)],
        "headers": { "authorization": format!("Bearer {}", pool.access_token) },
    });
    let answer = handler.authorize(&event).await.unwrap();
    assert_eq!(answer["isAuthorized"], true, "{answer}");
    assert_eq!(answer["context"]["username"], "ann");
    assert_eq!(answer["context"]["groups"], "[\"admins\"]");
}
