//! Checking bearer tokens in the process, where no API Gateway authorizer stands in front.

use std::sync::Arc;

use http::header::WWW_AUTHENTICATE;
use http::{HeaderValue, Method, StatusCode};
use serde_json::json;
use stack_core::auth::{Authorizer, LOCAL_USER_HEADER};
use stack_core::http::{EdgeContext, HttpService, Request, Response, json_response};

use super::error::TokenError;
use super::event::{bearer_token, token_context};
use super::verifier::TokenVerifier;

/// Lets requests reach `S` only with a verified bearer token.
///
/// [`TokenGate`] wraps a service (a router, a subgraph) and lets a request through only with
/// a token the [`TokenVerifier`] accepts. The verified caller is attached to the request as
/// the authorizer context API Gateway would have attached ([`token_context`]), so the service
/// reads it with [`Identity::from_request`](stack_core::auth::Identity::from_request) exactly
/// as it does behind API Gateway. The one-process local app puts its router behind a gate
/// that trusts the [`LocalIssuer`](super::LocalIssuer).
///
/// Refusals are GraphQL-shaped, so GraphQL clients show them like any other error:
///
/// - no token, or a token that is refused: `401` with `WWW-Authenticate: Bearer` and
///   `{"errors": [{"message": ..., "extensions": {"code": "UNAUTHENTICATED"}}]}`;
/// - signing keys that cannot be loaded: `503` with code `SERVICE_UNAVAILABLE`.
///
/// A client cannot name itself: the local identity header is removed from every request, and
/// an authorizer context the gate did not attach is replaced.
pub struct TokenGate<S> {
    verifier: Arc<TokenVerifier>,
    inner: S,
    open_paths: Vec<String>,
}

impl<S> std::fmt::Debug for TokenGate<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGate")
            .field("open_paths", &self.open_paths)
            .finish_non_exhaustive()
    }
}

impl<S: HttpService> TokenGate<S> {
    /// Guards `inner` with `verifier`. CORS preflights (`OPTIONS`) always pass: browsers send
    /// them without credentials.
    pub fn new(verifier: impl Into<Arc<TokenVerifier>>, inner: S) -> Self {
        Self {
            verifier: verifier.into(),
            inner,
            open_paths: Vec::new(),
        }
    }

    /// Serves `path` (exactly) without a token, such as a health check. Such requests carry
    /// no identity.
    pub fn open_path(mut self, path: impl Into<String>) -> Self {
        self.open_paths.push(path.into());
        self
    }

    async fn admit(&self, request: &mut Request) -> Result<(), Response> {
        let token = bearer_token(request.headers()).map_err(|error| refusal(&error))?;
        let verified = self
            .verifier
            .verify(token)
            .await
            .map_err(|error| refusal(&error))?;
        if let Some(edge) = request.extensions_mut().get_mut::<EdgeContext>() {
            edge.authorizer = Some(Authorizer::new(token_context(&verified)));
        }
        Ok(())
    }
}

impl<S: HttpService> HttpService for TokenGate<S> {
    async fn call(&self, mut request: Request) -> Response {
        request.headers_mut().remove(LOCAL_USER_HEADER);
        if let Some(edge) = request.extensions_mut().get_mut::<EdgeContext>() {
            edge.authorizer = None;
        }
        let open = request.method() == Method::OPTIONS
            || self.open_paths.iter().any(|p| p == request.uri().path());
        if !open && let Err(refused) = self.admit(&mut request).await {
            return refused;
        }
        self.inner.call(request).await
    }
}

/// The answer to a request whose token was missing or refused.
fn refusal(error: &TokenError) -> Response {
    if error.is_unavailable() {
        tracing::warn!(
            target: "stack_graphql::authorizer",
            error = %stack_core::error::chain(error),
            "a token could not be checked",
        );
        let body = graphql_error("the sign-in service is unavailable", "SERVICE_UNAVAILABLE");
        return json_response(StatusCode::SERVICE_UNAVAILABLE, &body);
    }
    tracing::info!(target: "stack_graphql::authorizer", reason = %error, "a token was refused");
    let message = match error {
        TokenError::Missing => "sign in: the request carries no bearer token",
        TokenError::Expired => "the token has expired: sign in again",
        _ => "the token is not valid",
    };
    let mut response = json_response(
        StatusCode::UNAUTHORIZED,
        &graphql_error(message, "UNAUTHENTICATED"),
    );
    let challenge = match error {
        TokenError::Missing => "Bearer",
        _ => "Bearer error=\"invalid_token\"",
    };
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    response
}

fn graphql_error(message: &str, code: &str) -> serde_json::Value {
    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}
