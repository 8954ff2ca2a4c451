//! The JWT authorizer: an API Gateway Lambda authorizer for Cognito tokens, and a local token
//! issuer whose tokens the same code verifies.
//!
//! - [`TokenVerifier`] checks a token: the signature with a trusted key of the issuer's JWKS,
//!   using only the algorithm that key is pinned to (never the header's choice), then `iss`,
//!   `token_use`, the client (`client_id` of access tokens, `aud` of id tokens), `exp`, `nbf`
//!   and `iat` against an injected clock with a small leeway, and the required claims
//!   (`exp`, `iat`, `iss`, `token_use`, `sub`).
//! - [`KeyCache`] holds the keys: fetched from the JWKS URL and cached, fetched again for an
//!   unknown `kid` or after an hour, at most once per minimum interval.
//! - [`AuthorizerHandler`] answers API Gateway: IAM policies for REST APIs, simple responses
//!   for HTTP APIs (payload 2.0), with the caller as context ([`identity_context`]) that
//!   [`Identity::from_authorizer`](stack_core::auth::Identity::from_authorizer) reads back.
//! - [`LocalIssuer`] signs RS256 development tokens for local mode and serves
//!   `POST /auth/dev-token` and the local JWKS, never through the Lambda edge.
//! - [`TokenGate`] checks tokens in the process where no API Gateway stands in front (the
//!   one-process local app), attaching the caller as the same authorizer context.
//! - [`AuthorizerConfig`] reads the `STACK_AUTH_*` variables.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use stack_core::clock::SystemClock;
//! use stack_core::config::EnvReader;
//! use stack_graphql::authorizer::{AuthorizerConfig, AuthorizerHandler, StartError};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), StartError> {
//!     stack_core::telemetry::init();
//!     let config = AuthorizerConfig::read(EnvReader::from_process())?;
//!     let handler = AuthorizerHandler::new(config.verifier(Arc::new(SystemClock))?);
//!     stack_core::run_events(handler).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Limitations
//!
//! - Only RSA keys (RS256, RS384, RS512) are supported; Cognito signs with RS256. EC, PSS and
//!   HMAC keys in a JWKS are skipped.
//! - HTTP APIs must enable simple responses for payload 2.0; IAM policy responses are only
//!   produced for events that carry a `methodArn` (REST, payload 1.0, WebSocket).
//! - Refused tokens get `Deny` (403), not an `Unauthorized` error (401): an error would be
//!   logged as a failed invocation for every bad token. API Gateway answers 401 itself when
//!   the identity source is missing.
//! - Revocation (Cognito's `origin_jti` revocation endpoint) is not checked.

mod claims;
mod config;
mod error;
mod event;
mod gate;
mod jwks;
mod jws;
mod keys;
mod local_issuer;
mod verifier;

pub use claims::{TokenUse, VerifiedToken};
pub use config::{AuthorizerConfig, StartError, TrustedIssuer};
pub use error::{AuthorizerError, IssuerError, JwksError, TokenError};
pub use event::{AuthorizerHandler, bearer_token, identity_context, token_context};
pub use gate::TokenGate;
pub use jwks::{Algorithm, KeySet};
pub use jws::MAX_TOKEN_BYTES;
pub use keys::KeyCache;
pub use local_issuer::{
    DEV_TOKEN_PATH, DevTokenRequest, LOCAL_CLIENT_ID, LOCAL_ISSUER, LOCAL_JWKS_PATH, LocalIssuer,
};
pub use verifier::{TokenVerifier, VerifierSettings};
