//! API Gateway authorizer events in, policies or simple responses out.
//!
//! | event | recognised by | answer |
//! |---|---|---|
//! | REST API `REQUEST` or `TOKEN` authorizer, HTTP API payload 1.0, WebSocket `$connect` | `methodArn` | IAM policy with `principalId` and `context` |
//! | HTTP API payload 2.0 | `version: "2.0"` and `routeArn` | simple response `{"isAuthorized", "context"}` |
//!
//! The token is the `Authorization` header (with or without `Bearer `), or `authorizationToken`
//! for `TOKEN` authorizers. A missing or refused token is answered with `Deny` (REST: 403) or
//! `isAuthorized: false` (HTTP API: 403); API Gateway itself answers 401 when the configured
//! identity source is absent. When the signing keys cannot be loaded the invocation fails
//! instead (API Gateway: 500), so no `Deny` is cached for a good token.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use stack_core::auth::Identity;
use stack_core::events::{EventHandler, Invocation};

use super::claims::VerifiedToken;
use super::error::{AuthorizerError, TokenError};
use super::verifier::TokenVerifier;

/// The `principalId` of denied REST requests.
const ANONYMOUS: &str = "anonymous";

/// The Lambda authorizer: an [`EventHandler`] for [`stack_core::run_events`].
#[derive(Debug, Clone)]
pub struct AuthorizerHandler {
    verifier: Arc<TokenVerifier>,
}

impl AuthorizerHandler {
    /// An authorizer that checks tokens with `verifier`.
    pub fn new(verifier: impl Into<Arc<TokenVerifier>>) -> Self {
        Self {
            verifier: verifier.into(),
        }
    }

    /// Answers one authorizer event.
    ///
    /// # Errors
    ///
    /// Fails when the event is not an authorizer request, or when the keys are unavailable.
    pub async fn authorize(&self, event: &Value) -> Result<Value, AuthorizerError> {
        let request = AuthorizerRequest::read(event)?;
        let verdict = match request.token {
            Ok(token) => self.verifier.verify(token).await,
            Err(error) => Err(error),
        };
        match verdict {
            Ok(token) => Ok(request.shape.allow(&token)),
            Err(error) if error.is_unavailable() => Err(AuthorizerError::Unavailable(error)),
            Err(error) => {
                tracing::info!(
                    target: "stack_graphql::authorizer",
                    reason = error.code(),
                    detail = %error,
                    "denied a request",
                );
                Ok(request.shape.deny())
            }
        }
    }
}

impl EventHandler for AuthorizerHandler {
    type Event = Value;
    type Output = Value;
    type Error = AuthorizerError;

    async fn handle(
        &self,
        event: Value,
        _invocation: Invocation,
    ) -> Result<Value, AuthorizerError> {
        self.authorize(&event).await
    }
}

/// The caller as authorizer context: strings only, as API Gateway requires, in the shape
/// [`Identity::from_authorizer`] reads back.
///
/// `sub` and `username` as they are; `groups` and `scopes` as JSON arrays in strings (group
/// names may hold commas). A router forwarding the caller to subgraphs can send this map.
pub fn identity_context(identity: &Identity) -> Map<String, Value> {
    let list = |items: &[String]| Value::String(Value::from(items.to_vec()).to_string());
    let mut context = Map::new();
    context.insert("sub".to_owned(), Value::String(identity.subject.clone()));
    if let Some(username) = &identity.username {
        context.insert("username".to_owned(), Value::String(username.clone()));
    }
    context.insert("groups".to_owned(), list(&identity.groups));
    context.insert("scopes".to_owned(), list(&identity.scopes));
    context
}

/// The context returned for a verified token: [`identity_context`] plus `tokenUse` and
/// `clientId`.
pub fn token_context(token: &VerifiedToken) -> Map<String, Value> {
    let mut context = identity_context(&token.identity);
    context.insert("tokenUse".to_owned(), token.token_use.as_str().into());
    context.insert("clientId".to_owned(), token.client_id.clone().into());
    context
}

/// How the answer must look.
#[derive(Debug)]
enum Shape {
    /// An IAM policy for the API the method belongs to.
    Policy { resource: String },
    /// A simple response (HTTP API payload 2.0).
    Simple,
}

struct AuthorizerRequest<'a> {
    shape: Shape,
    token: Result<&'a str, TokenError>,
}

impl<'a> AuthorizerRequest<'a> {
    fn read(event: &'a Value) -> Result<Self, AuthorizerError> {
        let text = |name: &str| event.get(name).and_then(Value::as_str);
        let shape = if let (Some("2.0"), Some(_)) = (text("version"), text("routeArn")) {
            Shape::Simple
        } else if let Some(method_arn) = text("methodArn") {
            Shape::Policy {
                resource: api_wildcard(method_arn),
            }
        } else {
            return Err(AuthorizerError::UnrecognizedEvent);
        };
        let token = bearer(event);
        Ok(Self { shape, token })
    }
}

impl Shape {
    fn allow(&self, token: &VerifiedToken) -> Value {
        let context = token_context(token);
        match self {
            Self::Policy { resource } => json!({
                "principalId": token.identity.subject,
                "policyDocument": policy("Allow", resource),
                "context": context,
            }),
            Self::Simple => json!({ "isAuthorized": true, "context": context }),
        }
    }

    fn deny(&self) -> Value {
        match self {
            Self::Policy { resource } => json!({
                "principalId": ANONYMOUS,
                "policyDocument": policy("Deny", resource),
            }),
            Self::Simple => json!({ "isAuthorized": false }),
        }
    }
}

fn policy(effect: &str, resource: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{ "Action": "execute-api:Invoke", "Effect": effect, "Resource": resource }],
    })
}

/// Every method of the API and stage of `method_arn`, so a policy cached by API Gateway for a
/// token applies to the caller's other requests too.
fn api_wildcard(method_arn: &str) -> String {
    let mut parts = method_arn.splitn(3, '/');
    match (parts.next(), parts.next()) {
        (Some(api), Some(stage)) if !api.is_empty() && !stage.is_empty() => {
            format!("{api}/{stage}/*")
        }
        _ => method_arn.to_owned(),
    }
}

/// The bearer token of the event: the `Authorization` header, else `authorizationToken` of a
/// `TOKEN` authorizer.
fn bearer(event: &Value) -> Result<&str, TokenError> {
    let several =
        header_values(event.get("multiValueHeaders")).is_some_and(|values| values.len() > 1);
    if several {
        return Err(TokenError::Malformed("several Authorization headers"));
    }
    let header = event
        .get("headers")
        .and_then(Value::as_object)
        .and_then(|headers| find_header(headers))
        .and_then(Value::as_str);
    let token_field = (event.get("type").and_then(Value::as_str) == Some("TOKEN"))
        .then(|| event.get("authorizationToken").and_then(Value::as_str))
        .flatten();
    strip_scheme(header.or(token_field).ok_or(TokenError::Missing)?)
}

/// The bearer token of an HTTP request's `Authorization` header, read as the authorizer reads
/// it: `Bearer <token>` (any case) or the bare token.
///
/// For services that check tokens themselves, such as a router in local mode.
///
/// # Errors
///
/// [`TokenError::Missing`] without a usable header, [`TokenError::Malformed`] with several.
pub fn bearer_token(headers: &http::HeaderMap) -> Result<&str, TokenError> {
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return match headers.contains_key(http::header::AUTHORIZATION) {
            true => Err(TokenError::Malformed("several Authorization headers")),
            false => Err(TokenError::Missing),
        };
    };
    strip_scheme(
        value
            .to_str()
            .map_err(|_| TokenError::Malformed("not a text header"))?,
    )
}

/// `Bearer <token>` or a bare token, trimmed; empty is missing.
fn strip_scheme(raw: &str) -> Result<&str, TokenError> {
    let raw = raw.trim();
    let token = match raw.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim_start(),
        None if raw.eq_ignore_ascii_case("bearer") => "",
        _ => raw,
    };
    if token.is_empty() {
        Err(TokenError::Missing)
    } else {
        Ok(token)
    }
}

fn header_values(headers: Option<&Value>) -> Option<&Vec<Value>> {
    find_header(headers?.as_object()?)?.as_array()
}

fn find_header(headers: &Map<String, Value>) -> Option<&Value> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use stack_core::auth::Authorizer;

    use super::*;

    #[test]
    fn the_context_reads_back_as_the_same_identity() {
        let mut identity = Identity::new("u-1");
        identity.username = Some("ann".to_owned());
        identity.groups = vec!["a,b".to_owned(), "c d".to_owned()];
        identity.scopes = vec!["openid".to_owned()];
        let context = identity_context(&identity);
        assert!(context.values().all(Value::is_string));
        let read = Identity::from_authorizer(&Authorizer::new(context));
        assert_eq!(read, Some(identity));
    }

    #[test]
    fn policies_cover_the_whole_api_and_stage() {
        let arn = "arn:aws:execute-api:us-east-1:123456789012:abc/test/GET/request";
        assert_eq!(
            api_wildcard(arn),
            "arn:aws:execute-api:us-east-1:123456789012:abc/test/*"
        );
        assert_eq!(api_wildcard("odd"), "odd");
    }

    #[test]
    fn bearer_tokens_are_found_in_any_header_case() {
        let event = json!({ "headers": { "AUTHORIZATION": "bearer  abc " } });
        assert_eq!(bearer(&event), Ok("abc"));
        let event = json!({ "headers": { "authorization": "abc" } });
        assert_eq!(bearer(&event), Ok("abc"));
        let event = json!({ "type": "TOKEN", "authorizationToken": "Bearer xyz" });
        assert_eq!(bearer(&event), Ok("xyz"));
        let event = json!({ "authorizationToken": "Bearer xyz" });
        assert_eq!(bearer(&event), Err(TokenError::Missing));
        let event = json!({ "headers": { "authorization": "Bearer " } });
        assert_eq!(bearer(&event), Err(TokenError::Missing));
        let event = json!({ "multiValueHeaders": { "Authorization": ["a", "b"] } });
        assert!(matches!(bearer(&event), Err(TokenError::Malformed(_))));
    }

    #[test]
    fn http_headers_are_read_the_same_way() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(bearer_token(&headers), Err(TokenError::Missing));
        headers.insert(http::header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), Ok("abc"));
        headers.append(http::header::AUTHORIZATION, "Bearer def".parse().unwrap());
        assert!(matches!(
            bearer_token(&headers),
            Err(TokenError::Malformed(_))
        ));
    }
}
