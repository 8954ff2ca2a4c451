//! The Lambda edge: HTTP events in, HTTP responses out.
//!
//! Events from API Gateway REST APIs (payload 1.0), HTTP APIs (payload 2.0), function URLs and
//! Application Load Balancers are recognised by their fields and turned into a [`Request`]; the
//! service's [`Response`] goes back in the shape that integration expects.
//!
//! The policies at this edge, each chosen on purpose:
//!
//! - **Stage in the path.** Services see the path without the API Gateway stage: an HTTP API
//!   with a named stage sends `/prod/graphql`, the service sees `/graphql`. REST APIs already send
//!   the path without it. [`EdgeContext::raw_path`](crate::http::EdgeContext::raw_path) keeps
//!   the path as the event carried it, and `stage` names the stage.
//! - **Bodies.** `isBase64Encoded` request bodies are decoded (an invalid one is a 400). Response
//!   bodies that are UTF-8 text of a textual content type go out as they are; every other body is
//!   base64, so binary responses arrive intact.
//! - **Cookies.** HTTP API `cookies` become one `Cookie` header; `Set-Cookie` response headers
//!   become HTTP API `cookies`, or REST/ALB multi-value headers.
//! - **Multi-value headers and query strings.** The multi-value maps are used when present.
//!   REST query values arrive decoded, so they are encoded again (`+` stays a literal plus);
//!   HTTP API raw query strings and ALB parameters arrive as the client encoded them and pass
//!   through unchanged.
//! - **Anything else.** A payload that is not an HTTP event is an [`EventError`], reported to
//!   Lambda with its `error_type`; the process never panics on it.

mod request;
mod response;
mod wire;

use std::sync::atomic::{AtomicBool, Ordering};

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::Value;
use tracing::Instrument as _;

use crate::http::{HttpService, Request, Response, json_response};
use crate::runtime::RuntimeError;
pub use response::ResponseShape;

pub use crate::events::Invocation;

/// An event that cannot be answered as an HTTP request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The payload is not an API Gateway, function URL or ALB event.
    #[error("the event is not an HTTP event from API Gateway, a function URL or an ALB")]
    NotHttp,
    /// The payload looks like an HTTP event of this kind but does not parse as one.
    #[error("malformed {kind} event")]
    Malformed {
        /// The kind of event it looked like.
        kind: &'static str,
        /// What did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// The body is marked base64 but is not valid base64.
    #[error("the request body is marked base64 but is not valid base64")]
    InvalidBase64Body,
    /// The path cannot be made into a URI.
    #[error("the request path {0:?} is not a valid URI path")]
    InvalidPath(String),
    /// The method is not a valid HTTP method.
    #[error("the request method {0:?} is not a valid HTTP method")]
    InvalidMethod(String),
}

impl EventError {
    /// The Lambda `error_type` reported for this error.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::NotHttp => "Stack.NotHttpEvent",
            Self::Malformed { .. } => "Stack.MalformedEvent",
            _ => "Stack.BadRequest",
        }
    }
}

impl From<EventError> for Diagnostic {
    fn from(error: EventError) -> Self {
        Diagnostic {
            error_type: error.error_type().to_owned(),
            error_message: crate::error::chain(&error),
        }
    }
}

/// Turns an HTTP event into a request and the shape its response must take.
///
/// # Errors
///
/// Fails when the payload is not an HTTP event or its contents are invalid.
pub fn event_to_request(
    event: Value,
    invocation: &Invocation,
) -> Result<(Request, ResponseShape), EventError> {
    request::parse(event)?.into_request(invocation)
}

/// Answers one event with `service`: the encoded response, or an error for Lambda to report.
///
/// An event of a known kind with invalid contents (a bad base64 body, an impossible path) is
/// answered with a 400 response in that kind's shape, since the client sent it.
///
/// # Errors
///
/// Fails when the payload is not an HTTP event at all, or does not parse as the kind it looks
/// like.
pub async fn handle_event<S: HttpService>(
    service: &S,
    event: Value,
    invocation: &Invocation,
) -> Result<Value, EventError> {
    let parts = request::parse(event).inspect_err(|error| {
        tracing::warn!(error = %crate::error::chain(error), "refused an event that is not an HTTP request");
    })?;
    let shape = parts.shape;
    let response = match parts.into_request(invocation) {
        Ok((request, _)) => answer(service, request).await,
        Err(error) => {
            tracing::warn!(error = %crate::error::chain(&error), "rejected an HTTP event");
            bad_request(&error)
        }
    };
    Ok(shape.encode(response))
}

/// Calls the service and writes one access line.
async fn answer<S: HttpService>(service: &S, request: Request) -> Response {
    let started = std::time::Instant::now();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let response = service.call(request).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(http.method = %method, url.path = %path, http.status = response.status().as_u16(), elapsed_ms, "answered");
    response
}

fn bad_request(error: &EventError) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": error.to_string(), "extensions": { "code": "BAD_USER_INPUT" } }] });
    json_response(http::StatusCode::BAD_REQUEST, &body)
}

/// Runs `service` under the Lambda runtime until the runtime stops it.
pub(crate) async fn serve<S: HttpService>(service: S) -> Result<(), RuntimeError> {
    let service = std::sync::Arc::new(service);
    run_lambda(move |event: LambdaEvent<Value>| {
        let service = service.clone();
        async move {
            let invocation = Invocation::from(&event.context);
            handle_event(&*service, event.payload, &invocation).await
        }
    })
    .await
}

/// Runs a handler of raw events under the Lambda runtime, one span per invocation.
pub(crate) async fn run_lambda<F, Fut, R, E>(handler: F) -> Result<(), RuntimeError>
where
    F: Fn(LambdaEvent<Value>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<R, E>> + Send,
    R: serde::Serialize + Send,
    E: Into<Diagnostic> + std::fmt::Debug + Send,
{
    static WARM: AtomicBool = AtomicBool::new(false);
    crate::runtime::check_lambda_environment()?;
    let service = lambda_runtime::service_fn(move |event: LambdaEvent<Value>| {
        let cold_start = !WARM.swap(true, Ordering::Relaxed);
        let span = crate::telemetry::invocation_span(
            &event.context.request_id,
            event.context.xray_trace_id.as_deref(),
            cold_start,
        );
        handler(event).instrument(span)
    });
    lambda_runtime::Runtime::new(service)
        .run()
        .await
        .map_err(|e| RuntimeError::Lambda(e.to_string()))
}
