//! A small page to try queries from a browser, served on the GraphQL path.
//!
//! It is one self-contained HTML file with no external assets: a query box, a variables box, a
//! caller field for the local `x-stack-user` header, and a button that POSTs to the page's own
//! path. It has none of GraphiQL's schema-aware editing; it is meant for a quick local check.

use http::StatusCode;
use stack_core::http::Response;

const PAGE: &str = include_str!("explorer.html");

/// The page, as an HTML response.
pub(crate) fn page() -> Response {
    stack_core::http::response(StatusCode::OK, "text/html; charset=utf-8", PAGE)
}
