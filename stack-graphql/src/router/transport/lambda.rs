//! Subgraph Lambdas reached by direct Invoke, as if API Gateway had called them.

use aws_sdk_lambda::primitives::Blob;
use base64::Engine as _;
use bytes::Bytes;
use http::StatusCode;
use serde_json::{Map, Value, json};
use stack_core::auth::Identity;

use super::{SubgraphRequest, Transport, TransportFuture};
use crate::router::error::TransportError;

/// A transport that invokes a subgraph's Lambda function directly.
///
/// Each request becomes an API Gateway HTTP API (payload format 2.0) event: a POST to
/// `/graphql` with the JSON body and the propagated headers. The caller's identity goes in
/// `requestContext.authorizer.lambda` (`sub`, `username`, `groups`, `scopes`), where the
/// subgraph's Lambda edge reads it exactly as it reads the authorizer's context behind API
/// Gateway. Only principals allowed to invoke the function (the router's IAM role) can set it,
/// which is what makes it trustworthy: the function needs no public URL.
#[derive(Debug, Clone)]
pub struct LambdaTransport {
    client: aws_sdk_lambda::Client,
    function: String,
}

impl LambdaTransport {
    /// Invokes `function` (a name, an ARN or an alias ARN) with `client`.
    pub fn new(client: aws_sdk_lambda::Client, function: impl Into<String>) -> Self {
        Self {
            client,
            function: function.into(),
        }
    }
}

impl Transport for LambdaTransport {
    fn send(&self, request: SubgraphRequest) -> TransportFuture {
        let call = self
            .client
            .invoke()
            .function_name(&self.function)
            .payload(Blob::new(event(&request).to_string()));
        Box::pin(async move {
            let failed = |reason: String| TransportError::Failed {
                service: request.service.clone(),
                reason,
            };
            let output = call
                .send()
                .await
                .map_err(|e| failed(stack_core::error::chain(&e)))?;
            if let Some(error) = output.function_error() {
                return Err(failed(format!("the function failed ({error})")));
            }
            let payload = output.payload().map(Blob::as_ref).unwrap_or_default();
            let (status, body) = read_response(payload).map_err(failed)?;
            super::http::accept_answer(&request.service, status, body)
        })
    }
}

/// The API Gateway HTTP API event for one subgraph request.
pub(crate) fn event(request: &SubgraphRequest) -> Value {
    let mut headers = Map::new();
    for (name, value) in &request.headers {
        if let Ok(value) = value.to_str() {
            headers.insert(name.as_str().to_owned(), Value::String(value.to_owned()));
        }
    }
    headers.insert("content-type".to_owned(), json!("application/json"));
    headers.insert("accept".to_owned(), json!(super::http::ACCEPT_GRAPHQL));
    let mut context = json!({
        "stage": "$default",
        "routeKey": "$default",
        "http": { "method": "POST", "path": "/graphql", "protocol": "HTTP/1.1" },
    });
    if let (Some(identity), Some(context)) = (&request.identity, context.as_object_mut()) {
        context.insert(
            "authorizer".to_owned(),
            json!({ "lambda": authorizer(identity) }),
        );
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": context,
        "body": String::from_utf8_lossy(&request.body),
        "isBase64Encoded": false,
    })
}

fn authorizer(identity: &Identity) -> Value {
    json!({
        "sub": identity.subject,
        "username": identity.username,
        "groups": identity.groups,
        "scopes": identity.scopes,
    })
}

/// Reads the function's HTTP response: its status and its body, decoded.
fn read_response(payload: &[u8]) -> Result<(StatusCode, Bytes), String> {
    let response: Value =
        serde_json::from_slice(payload).map_err(|_| "the function answered with no JSON")?;
    let status = response["statusCode"]
        .as_u64()
        .and_then(|code| u16::try_from(code).ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or("the function's answer has no statusCode")?;
    let body = response["body"].as_str().unwrap_or_default();
    let body = if response["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| "the function's body is not valid base64")?
    } else {
        body.as_bytes().to_vec()
    };
    Ok((status, Bytes::from(body)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_caller_travels_as_the_authorizer_context() {
        let mut request = SubgraphRequest::new("todo", r#"{"query":"{a}"}"#);
        let mut identity = Identity::new("user-1");
        identity.groups = vec!["admins".to_owned()];
        request.identity = Some(identity);
        request
            .headers
            .insert("x-amzn-trace-id", "Root=1-a-b".parse().unwrap());
        let event = event(&request);
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["requestContext"]["http"]["method"], "POST");
        assert_eq!(
            event["requestContext"]["authorizer"]["lambda"]["sub"],
            "user-1"
        );
        assert_eq!(
            event["requestContext"]["authorizer"]["lambda"]["groups"][0],
            "admins"
        );
        assert_eq!(event["headers"]["x-amzn-trace-id"], "Root=1-a-b");
        assert_eq!(event["body"], r#"{"query":"{a}"}"#);
    }

    struct Query;

    #[async_graphql::Object]
    impl Query {
        async fn me(&self, ctx: &async_graphql::Context<'_>) -> Option<String> {
            crate::optional_caller(ctx).map(|caller| caller.subject.clone())
        }
    }

    #[tokio::test]
    async fn a_subgraph_behind_the_lambda_edge_reads_the_caller_from_the_event() {
        use async_graphql::{EmptyMutation, EmptySubscription, Schema};

        let subgraph = crate::Subgraph::new(Schema::build(Query, EmptyMutation, EmptySubscription));
        let mut request = SubgraphRequest::new("me", r#"{"query":"{ me }"}"#);
        request.identity = Some(Identity::new("user-1"));
        let invocation = stack_core::events::Invocation::default();
        let answer =
            stack_core::http::lambda::handle_event(&subgraph, event(&request), &invocation)
                .await
                .unwrap();
        let (status, body) = read_response(answer.to_string().as_bytes()).unwrap();
        assert_eq!(status, StatusCode::OK);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body, json!({ "data": { "me": "user-1" } }));
    }

    #[test]
    fn an_anonymous_request_has_no_authorizer() {
        let event = event(&SubgraphRequest::new("todo", "{}"));
        assert!(event["requestContext"].get("authorizer").is_none());
    }

    #[test]
    fn responses_are_decoded_from_the_http_api_shape() {
        let plain = br#"{"statusCode":200,"body":"{\"data\":{}}"}"#;
        let (status, body) = read_response(plain).unwrap();
        assert_eq!(
            (status.as_u16(), body.as_ref()),
            (200, br#"{"data":{}}"#.as_ref())
        );
        let encoded = br#"{"statusCode":200,"body":"e30=","isBase64Encoded":true}"#;
        assert_eq!(read_response(encoded).unwrap().1.as_ref(), b"{}");
        assert!(read_response(b"nope").is_err());
    }
}
