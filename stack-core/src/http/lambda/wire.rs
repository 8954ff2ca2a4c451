//! The JSON shapes of HTTP events and responses, as Lambda delivers and expects them.
//!
//! These are our own lenient models: every field that API Gateway or ALB may send as `null`
//! or leave out is optional, so a valid event never fails to parse over a missing map.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A map that may be absent or `null`; `null` values inside are kept as `None`.
pub(super) type NullableMap<V> = Option<BTreeMap<String, Option<V>>>;

/// API Gateway REST (payload format 1.0) event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RestEvent {
    pub(super) http_method: String,
    pub(super) path: Option<String>,
    pub(super) headers: NullableMap<String>,
    pub(super) multi_value_headers: NullableMap<Vec<String>>,
    pub(super) query_string_parameters: NullableMap<String>,
    pub(super) multi_value_query_string_parameters: NullableMap<Vec<String>>,
    pub(super) request_context: RestContext,
    pub(super) body: Option<String>,
    pub(super) is_base64_encoded: Option<bool>,
}

/// `requestContext` of a REST event.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RestContext {
    pub(super) stage: Option<String>,
    pub(super) path: Option<String>,
    pub(super) authorizer: Option<Map<String, Value>>,
}

/// API Gateway HTTP API (payload format 2.0) or function URL event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HttpApiEvent {
    pub(super) raw_path: Option<String>,
    pub(super) raw_query_string: Option<String>,
    pub(super) cookies: Option<Vec<String>>,
    pub(super) headers: NullableMap<String>,
    pub(super) request_context: HttpApiContext,
    pub(super) body: Option<String>,
    pub(super) is_base64_encoded: Option<bool>,
}

/// `requestContext` of an HTTP API event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct HttpApiContext {
    pub(super) stage: Option<String>,
    pub(super) http: HttpApiMethod,
    pub(super) authorizer: Option<HttpApiAuthorizer>,
}

/// `requestContext.http` of an HTTP API event.
#[derive(Debug, Deserialize)]
pub(super) struct HttpApiMethod {
    pub(super) method: String,
    pub(super) path: Option<String>,
}

/// `requestContext.authorizer` of an HTTP API event.
#[derive(Debug, Default, Deserialize)]
pub(super) struct HttpApiAuthorizer {
    pub(super) lambda: Option<Map<String, Value>>,
    pub(super) jwt: Option<HttpApiJwt>,
}

/// The JWT authorizer's output.
#[derive(Debug, Default, Deserialize)]
pub(super) struct HttpApiJwt {
    pub(super) claims: Option<Map<String, Value>>,
    pub(super) scopes: Option<Vec<String>>,
}

/// Application Load Balancer event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AlbEvent {
    pub(super) http_method: String,
    pub(super) path: Option<String>,
    pub(super) headers: NullableMap<String>,
    pub(super) multi_value_headers: NullableMap<Vec<String>>,
    pub(super) query_string_parameters: NullableMap<String>,
    pub(super) multi_value_query_string_parameters: NullableMap<Vec<String>>,
    pub(super) body: Option<String>,
    pub(super) is_base64_encoded: Option<bool>,
}

/// The response shape shared by REST, HTTP API, function URL and ALB integrations.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EventResponse {
    pub(super) status_code: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) status_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) headers: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) multi_value_headers: Option<BTreeMap<String, Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cookies: Option<Vec<String>>,
    pub(super) body: String,
    pub(super) is_base64_encoded: bool,
}
