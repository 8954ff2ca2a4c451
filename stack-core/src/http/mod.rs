//! HTTP services that run the same way in Lambda and on a local server.
//!
//! A service is anything that turns a [`Request`] into a [`Response`]: an `async fn` or a
//! closure returning a future. The edge (the Lambda adapter or the local server) fills in an
//! [`EdgeContext`] extension on every request, so a service can tell where a request came from
//! without looking at the process environment.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;

use crate::Mode;
use crate::auth::Authorizer;

#[cfg(feature = "lambda")]
pub mod lambda;
#[cfg(feature = "local")]
pub mod local;

/// An HTTP request as services see it: the whole body is buffered.
pub type Request = http::Request<Bytes>;

/// An HTTP response as services produce it.
pub type Response = http::Response<Bytes>;

/// Something that answers HTTP requests.
///
/// Implemented for every `Fn(Request) -> impl Future<Output = Response>` that is `Send + Sync`.
pub trait HttpService: Send + Sync + 'static {
    /// Answers one request. Errors are part of the response (a status and a body).
    fn call(&self, request: Request) -> impl Future<Output = Response> + Send;
}

impl<F, Fut> HttpService for F
where
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send,
{
    fn call(&self, request: Request) -> impl Future<Output = Response> + Send {
        self(request)
    }
}

impl<S: HttpService> HttpService for Arc<S> {
    fn call(&self, request: Request) -> impl Future<Output = Response> + Send {
        S::call(self, request)
    }
}

/// Where an HTTP request entered the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventSource {
    /// The local HTTP server.
    Local,
    /// API Gateway REST API (payload format 1.0); also HTTP APIs configured for format 1.0.
    ApiGatewayRest,
    /// API Gateway HTTP API (payload format 2.0).
    ApiGatewayHttp,
    /// A Lambda function URL (payload format 2.0, without stages).
    FunctionUrl,
    /// An Application Load Balancer target group.
    Alb,
}

/// Facts about a request that only the edge knows, attached as a request extension.
#[derive(Debug, Clone)]
pub struct EdgeContext {
    /// Whether the request arrived through Lambda or the local server.
    pub mode: Mode,
    /// The kind of event or server the request came from.
    pub source: EventSource,
    /// The Lambda request id, or a generated id locally.
    pub request_id: String,
    /// The X-Ray trace header of the invocation (`Root=...;Parent=...;Sampled=...`), if any.
    pub trace_id: Option<String>,
    /// The path exactly as the event carried it, before the stage policy was applied.
    pub raw_path: String,
    /// The API Gateway stage, when the event names one other than `$default`.
    pub stage: Option<String>,
    /// The authorizer context API Gateway attached, if any (never set by the local server).
    pub authorizer: Option<Authorizer>,
}

impl EdgeContext {
    /// The edge context of `request`, if an edge handled it.
    pub fn of(request: &Request) -> Option<&EdgeContext> {
        request.extensions().get::<EdgeContext>()
    }
}

/// Builds a response with a status, a content type and a body.
pub fn response(status: http::StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response {
    let mut response = http::Response::new(body.into());
    *response.status_mut() = status;
    if let Ok(value) = http::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, value);
    }
    response
}

/// Builds a JSON response.
pub fn json_response(status: http::StatusCode, body: &serde_json::Value) -> Response {
    response(status, "application/json", body.to_string())
}
