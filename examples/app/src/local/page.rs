//! The local app's web page at `/`: sign in with the local issuer, then run GraphQL through
//! the router with the token. One self-contained HTML file, no external assets.

use http::{Method, StatusCode};
use serde_json::json;
use stack_core::http::{Request, Response, json_response, response};

/// Where the page is served.
pub(super) const PATH: &str = "/";

const PAGE: &str = include_str!("page.html");

/// The page for `GET /`; other methods are refused.
pub(super) fn answer(request: &Request) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return response(StatusCode::OK, "text/html; charset=utf-8", PAGE);
    }
    let mut refused = json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({ "errors": [{ "message": "the page answers GET" }] }),
    );
    refused.headers_mut().insert(
        http::header::ALLOW,
        http::HeaderValue::from_static("GET, HEAD"),
    );
    refused
}
