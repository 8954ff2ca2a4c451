//! One client request: from HTTP to a plan, its execution and the HTTP response.

use async_graphql::ServerError;
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, CONTENT_TYPE, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Map, Value, json};
use stack_core::Mode;
use stack_core::auth::{Identity, LOCAL_USER_HEADER};
use stack_core::http::{EdgeContext, Request, Response};
use tracing::Instrument as _;

use super::Inner;
use super::execute::{self, Executed, Outgoing};
use super::transport::SubgraphRequest;
use super::{introspect, variables};
use crate::error::codes;
use crate::subgraph::document::{self, Refusal, Rules};
use crate::subgraph::http::{self as protocol, Params, Rejection};
use crate::subgraph::negotiate::{self, MediaType};
use crate::subgraph::response;

/// The X-Ray trace header, forwarded to every subgraph.
const TRACE_HEADER: &str = "x-amzn-trace-id";

/// Answers one HTTP request to the router.
pub(crate) async fn handle(inner: &Inner, request: Request) -> Response {
    let origin = allowed_origin(inner, request.headers());
    let path = request.uri().path();
    let mut response = if request.method() == Method::OPTIONS && origin.is_some() {
        preflight()
    } else if path == crate::HEALTH_PATH {
        health(request.method())
    } else if path == inner.options.path {
        graphql(inner, &request).await
    } else {
        response::not_found(path)
    };
    if let Some(origin) = origin {
        let headers = response.headers_mut();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(VARY, HeaderValue::from_static("origin"));
    }
    response
}

async fn graphql(inner: &Inner, request: &Request) -> Response {
    if let Err(rejection) = protocol::check_method(request.method()) {
        return response::rejection(&rejection, MediaType::Json);
    }
    let Some(media) = negotiate::negotiate(request.headers()).graphql else {
        return response::rejection(&Rejection::NotAcceptable, MediaType::Json);
    };
    let params = match protocol::read_params(request) {
        Ok(params) => params,
        Err(rejection) => return response::rejection(&rejection, media),
    };
    let span = tracing::info_span!(
        target: "stack_graphql",
        "graphql",
        graphql.operation.name = params.operation_name.as_deref().unwrap_or(""),
    );
    run(inner, request, params, media).instrument(span).await
}

async fn run(inner: &Inner, request: &Request, mut params: Params, media: MediaType) -> Response {
    if let Err(refused) =
        inner
            .registered
            .resolve(&inner.options, &mut params.query, &params.extensions)
    {
        return refused_response(media, &[coded(refused.message, refused.code)]);
    }
    let rules = Rules {
        limits: &inner.options.limits,
        introspection: inner.options.introspection.allows(mode_of(request)),
        read_only: request.method() == Method::GET,
    };
    let operation_name = params.operation_name.as_deref();
    let prepared = match document::prepare(&params.query, operation_name, rules) {
        Ok(prepared) => prepared,
        Err(Refusal::Http(rejection)) => return response::rejection(&rejection, media),
        Err(Refusal::GraphQl(errors)) => return refused_response(media, &to_json(&errors)),
    };
    let planned = match inner.plans.get(&params.query, operation_name) {
        Ok(planned) => planned,
        Err(error) if error.after_validation => {
            let errors = vec![coded(&error.message, error.code)];
            let executed = Executed {
                data: Value::Null,
                errors,
            };
            return executed_response(media, executed);
        }
        Err(error) => return refused_response(media, &[coded(&error.message, error.code)]),
    };
    // The planner found the operation, so the parsed document has it too.
    let Some((_, operation)) = document::select(&prepared.document, operation_name) else {
        let message = "the document has no operation by that name";
        return refused_response(media, &[coded(message, codes::GRAPHQL_VALIDATION_FAILED)]);
    };
    let definitions = &operation.variable_definitions;
    let variables = match variables::coerce(&inner.schema, definitions, params.variables) {
        Ok(variables) => variables,
        Err(errors) => return refused_response(media, &errors),
    };
    let root = introspect::answer(&inner.schema, &prepared.document, operation, &variables);
    let outgoing = Outgoing {
        template: template(inner, request),
        variables,
    };
    let schema = inner.plans.supergraph();
    let mut executed = execute::execute(&planned, schema, &inner.subgraphs, &outgoing).await;
    introspect::write_into(&mut executed.data, root);
    executed_response(media, executed)
}

fn mode_of(request: &Request) -> Option<Mode> {
    EdgeContext::of(request).map(|edge| edge.mode)
}

/// The subgraph request every fetch of this client request starts from.
fn template(inner: &Inner, request: &Request) -> SubgraphRequest {
    let mut template = SubgraphRequest::new(String::new(), Vec::new());
    for name in &inner.options.propagate_headers {
        let Ok(name) = HeaderName::try_from(name.as_str()) else {
            continue;
        };
        // The identity header is the router's to set, never the client's.
        if name == LOCAL_USER_HEADER {
            continue;
        }
        for value in request.headers().get_all(&name) {
            template.headers.append(name.clone(), value.clone());
        }
    }
    let edge = EdgeContext::of(request);
    let trace = edge.and_then(|edge| edge.trace_id.as_deref());
    if let Some(value) = trace.and_then(|trace| HeaderValue::from_str(trace).ok()) {
        template.headers.insert(TRACE_HEADER, value);
    }
    template.identity = Identity::from_request(request);
    template.edge = edge.cloned();
    template
}

fn executed_response(media: MediaType, executed: Executed) -> Response {
    let mut body = Map::new();
    body.insert("data".to_owned(), executed.data);
    if !executed.errors.is_empty() {
        body.insert("errors".to_owned(), Value::Array(executed.errors));
    }
    write(StatusCode::OK, media, &Value::Object(body))
}

/// A request refused before execution: 400 with the GraphQL response media type, 200 with
/// `application/json`, as GraphQL-over-HTTP asks.
fn refused_response(media: MediaType, errors: &[Value]) -> Response {
    let status = match media {
        MediaType::GraphQlResponse => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    };
    write(status, media, &json!({ "errors": errors }))
}

fn write(status: StatusCode, media: MediaType, body: &Value) -> Response {
    stack_core::http::response(status, media.content_type(), body.to_string())
}

fn coded(message: &str, code: &str) -> Value {
    json!({ "message": message, "extensions": { "code": code } })
}

fn to_json(errors: &[ServerError]) -> Vec<Value> {
    errors
        .iter()
        .map(|error| serde_json::to_value(error).unwrap_or_else(|_| coded(&error.message, "")))
        .collect()
}

fn health(method: &Method) -> Response {
    if method == Method::GET || method == Method::HEAD {
        return stack_core::http::json_response(StatusCode::OK, &json!({ "status": "ok" }));
    }
    let mut response = stack_core::http::json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({ "errors": [{ "message": "use GET" }] }),
    );
    response
        .headers_mut()
        .insert(http::header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// The `access-control-allow-origin` value for this request, when CORS allows its origin.
fn allowed_origin(inner: &Inner, headers: &HeaderMap) -> Option<HeaderValue> {
    let origins = &inner.options.cors_origins;
    let origin = headers.get(ORIGIN)?;
    if origins.iter().any(|allowed| allowed == "*") {
        return Some(HeaderValue::from_static("*"));
    }
    let text = origin.to_str().ok()?;
    origins
        .iter()
        .any(|allowed| allowed == text)
        .then(|| origin.clone())
}

fn preflight() -> Response {
    let mut response = http::Response::new(bytes::Bytes::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type, authorization, accept"),
    );
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}
