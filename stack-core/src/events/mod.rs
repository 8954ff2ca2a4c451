//! Event handlers (SQS, DynamoDB streams, EventBridge, ...) in both modes.
//!
//! A handler takes a typed payload, usually one of the `aws_lambda_events` types. In Lambda it
//! runs under the Lambda runtime. Locally it is served on `127.0.0.1:$PORT` behind the same
//! invoke path as the Lambda runtime interface emulator, so
//! `curl -d @event.json localhost:4000/2015-03-31/functions/function/invocations` runs the very
//! code Lambda would run.

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{EdgeError, ErrorKind};
use crate::runtime::RuntimeError;

/// The local path that invokes an event handler, as on the Lambda runtime interface emulator.
pub const LOCAL_INVOKE_PATH: &str = "/2015-03-31/functions/function/invocations";

/// The invocation facts given with each event.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// The Lambda request id (generated locally).
    pub request_id: String,
    /// The X-Ray trace header of this invocation, if any.
    pub trace_id: Option<String>,
}

#[cfg(feature = "lambda")]
impl From<&lambda_runtime::Context> for Invocation {
    fn from(context: &lambda_runtime::Context) -> Self {
        Self {
            request_id: context.request_id.clone(),
            trace_id: context.xray_trace_id.clone(),
        }
    }
}

/// Handles one kind of event.
pub trait EventHandler: Send + Sync + 'static {
    /// The payload, deserialised from the event JSON.
    type Event: DeserializeOwned + Send;
    /// The result returned to the invoker (for SQS, a partial batch response).
    type Output: Serialize + Send;
    /// The handler's error.
    type Error: EdgeError + Send + Sync + 'static;

    /// Handles one event.
    fn handle(
        &self,
        event: Self::Event,
        invocation: Invocation,
    ) -> impl Future<Output = Result<Self::Output, Self::Error>> + Send;
}

/// Why an event invocation failed, as reported to the invoker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationError {
    /// A stable error type, such as `Stack.MalformedEvent`.
    pub error_type: String,
    /// A message safe to show to the invoker.
    pub error_message: String,
    /// The kind of failure; a malformed event is bad user input.
    #[serde(skip)]
    pub kind: ErrorKind,
}

/// Deserialises the payload and runs the handler, logging a failure once.
///
/// # Errors
///
/// Fails when the payload is not the handler's event type or the handler fails.
pub async fn invoke<H: EventHandler>(
    handler: &H,
    payload: serde_json::Value,
    invocation: Invocation,
) -> Result<H::Output, InvocationError> {
    let event = serde_path_to_error::deserialize::<_, H::Event>(payload).map_err(|error| {
        // Only the path: serde's own message quotes the offending value, which may be
        // anything a client put in a message body.
        let path = error.path().to_string();
        tracing::warn!(event.path = %path, "the event does not match the handler's event type");
        InvocationError {
            error_type: "Stack.MalformedEvent".into(),
            error_message: format!("malformed event: `{path}` does not match the expected shape"),
            kind: ErrorKind::BadUserInput,
        }
    })?;
    handler.handle(event, invocation).await.map_err(|error| {
        tracing::error!(error = %crate::error::chain(&error), "the event handler failed");
        InvocationError {
            error_type: error.kind().lambda_error_type().into(),
            error_message: error.public_message(),
            kind: error.kind(),
        }
    })
}

#[cfg(feature = "lambda")]
impl From<InvocationError> for lambda_runtime::Diagnostic {
    fn from(error: InvocationError) -> Self {
        Self {
            error_type: error.error_type,
            error_message: error.error_message,
        }
    }
}

#[cfg(feature = "lambda")]
pub(crate) async fn serve_lambda<H: EventHandler>(handler: H) -> Result<(), RuntimeError> {
    let handler = Arc::new(handler);
    crate::http::lambda::run_lambda(
        move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
            let handler = handler.clone();
            async move { invoke(&*handler, event.payload, Invocation::from(&event.context)).await }
        },
    )
    .await
}

#[cfg(not(feature = "lambda"))]
pub(crate) async fn serve_lambda<H: EventHandler>(_handler: H) -> Result<(), RuntimeError> {
    Err(RuntimeError::MissingFeature("lambda"))
}

#[cfg(feature = "local")]
pub(crate) async fn serve_local<H: EventHandler>(handler: H) -> Result<(), RuntimeError> {
    tracing::info!("events are invoked locally with POST {LOCAL_INVOKE_PATH}");
    crate::http::local::serve_until_signal(invoke_endpoint(handler)).await
}

#[cfg(not(feature = "local"))]
pub(crate) async fn serve_local<H: EventHandler>(_handler: H) -> Result<(), RuntimeError> {
    Err(RuntimeError::MissingFeature("local"))
}

/// An HTTP service that invokes `handler` with the JSON body posted to [`LOCAL_INVOKE_PATH`].
pub fn invoke_endpoint<H: EventHandler>(handler: H) -> impl crate::http::HttpService {
    let handler = Arc::new(handler);
    move |request: crate::http::Request| {
        let handler = handler.clone();
        async move { answer_invoke(&*handler, request).await }
    }
}

async fn answer_invoke<H: EventHandler>(
    handler: &H,
    request: crate::http::Request,
) -> crate::http::Response {
    use crate::http::json_response;
    use http::StatusCode;

    if request.method() != http::Method::POST || request.uri().path() != LOCAL_INVOKE_PATH {
        return json_response(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "errorType": "Stack.NotFound", "errorMessage": format!("POST events to {LOCAL_INVOKE_PATH}") }),
        );
    }
    let request_id = crate::http::EdgeContext::of(&request)
        .map(|edge| edge.request_id.clone())
        .unwrap_or_default();
    let payload = match serde_json::from_slice(request.body()) {
        Ok(payload) => payload,
        Err(error) => {
            let body = serde_json::json!({ "errorType": "Stack.MalformedEvent", "errorMessage": format!("the body is not JSON: {error}") });
            return json_response(StatusCode::BAD_REQUEST, &body);
        }
    };
    match invoke(
        handler,
        payload,
        Invocation {
            request_id,
            trace_id: None,
        },
    )
    .await
    {
        Ok(output) => json_response(
            StatusCode::OK,
            &serde_json::to_value(output).unwrap_or_default(),
        ),
        Err(error) => json_response(
            error.kind.http_status(),
            &serde_json::to_value(error).unwrap_or_default(),
        ),
    }
}
