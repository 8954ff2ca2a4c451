//! Writing HTTP responses: GraphQL results, rejections, health and unknown paths.

use std::collections::BTreeMap;

use async_graphql::{ServerError, Value as ConstValue};
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde::Serialize;
use stack_core::http::Response;

use crate::error::codes;
use crate::subgraph::execute::Outcome;
use crate::subgraph::http::Rejection;
use crate::subgraph::negotiate::MediaType;

/// The body of a GraphQL response; `data` is absent when the request never executed.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a ConstValue>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<&'a BTreeMap<String, ConstValue>>,
}

/// Writes the outcome of a GraphQL request in the negotiated media type.
///
/// Executed operations get 200 in both media types. Requests refused before execution get 400
/// with `application/graphql-response+json`, and 200 with `application/json`, as the
/// GraphQL-over-HTTP specification asks.
pub(crate) fn graphql(outcome: &Outcome, media: MediaType) -> Response {
    match outcome {
        Outcome::Executed(response) => {
            let extensions = Some(&response.extensions).filter(|map| !map.is_empty());
            let body = Body {
                data: Some(&response.data),
                errors: &response.errors,
                extensions,
            };
            let mut http_response = write(StatusCode::OK, media, &body);
            for (name, value) in &response.http_headers {
                if name != CONTENT_TYPE {
                    http_response.headers_mut().append(name, value.clone());
                }
            }
            http_response
        }
        Outcome::Refused(errors) => {
            let status = match media {
                MediaType::GraphQlResponse => StatusCode::BAD_REQUEST,
                MediaType::Json => StatusCode::OK,
            };
            write(
                status,
                media,
                &Body {
                    data: None,
                    errors,
                    extensions: None,
                },
            )
        }
    }
}

/// Writes a request that never reached GraphQL.
pub(crate) fn rejection(rejection: &Rejection, media: MediaType) -> Response {
    let error = crate::error::coded(rejection.message(), codes::BAD_REQUEST);
    let body = Body {
        data: None,
        errors: std::slice::from_ref(&error),
        extensions: None,
    };
    let mut response = write(rejection.status(), media, &body);
    if let Rejection::MethodNotAllowed { allow, .. } = rejection {
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static(allow));
    }
    response
}

/// `GET /health`: the service is up.
pub(crate) fn health() -> Response {
    json(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

/// Any path the subgraph does not serve.
pub(crate) fn not_found(path: &str) -> Response {
    let message = format!("nothing is served at {path}");
    json(
        StatusCode::NOT_FOUND,
        &serde_json::json!({ "errors": [{ "message": message }] }),
    )
}

fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    stack_core::http::response(status, MediaType::Json.content_type(), body.to_string())
}

fn write(status: StatusCode, media: MediaType, body: &Body<'_>) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => stack_core::http::response(status, media.content_type(), bytes),
        Err(error) => {
            // Only a custom scalar that fails to serialise can get here.
            tracing::error!(target: "stack_graphql", %error, "could not write a GraphQL response");
            let fallback = r#"{"errors":[{"message":"internal server error"}]}"#;
            stack_core::http::response(
                StatusCode::INTERNAL_SERVER_ERROR,
                media.content_type(),
                fallback,
            )
        }
    }
}
