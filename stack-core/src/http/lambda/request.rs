//! Turning an HTTP event into a [`Request`].

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::header::{COOKIE, HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use super::wire::{AlbEvent, HttpApiAuthorizer, HttpApiEvent, NullableMap, RestEvent};
use super::{EventError, Invocation, ResponseShape};
use crate::Mode;
use crate::auth::Authorizer;
use crate::http::{EdgeContext, EventSource, Request};

/// Characters that must be escaped inside a path or a raw query string taken from an event.
const URI_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^');

/// Characters escaped in query keys and values rebuilt from decoded parameters: all but the
/// unreserved set, so `+`, `&`, `=` and `%` survive a round trip.
const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// An event, recognised and parsed, before it becomes a request.
pub(super) struct Parts {
    pub(super) shape: ResponseShape,
    method: String,
    path: String,
    raw_path: String,
    stage: Option<String>,
    query: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    base64: bool,
    authorizer: Option<Authorizer>,
}

/// Recognises the kind of HTTP event and reads its parts.
pub(super) fn parse(event: Value) -> Result<Parts, EventError> {
    match classify(&event) {
        Some(EventSource::Alb) => from_alb(typed(event, "ALB")?),
        Some(source @ (EventSource::ApiGatewayHttp | EventSource::FunctionUrl)) => {
            Ok(from_http_api(typed(event, "HTTP API")?, source))
        }
        Some(_) => Ok(from_rest(typed(event, "REST API")?)),
        None => Err(EventError::NotHttp),
    }
}

/// Decides the event kind from its distinguishing fields.
fn classify(event: &Value) -> Option<EventSource> {
    let context = event.get("requestContext")?;
    if is_websocket(context) || is_authorizer_request(event) {
        return None;
    }
    if context.get("elb").is_some() {
        return Some(EventSource::Alb);
    }
    if context.get("http").is_some_and(Value::is_object) {
        let domain = context
            .get("domainName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let is_url = domain.contains(".lambda-url.");
        return Some(if is_url {
            EventSource::FunctionUrl
        } else {
            EventSource::ApiGatewayHttp
        });
    }
    event
        .get("httpMethod")
        .is_some()
        .then_some(EventSource::ApiGatewayRest)
}

/// WebSocket API events carry a connection id and an event type instead of an HTTP request.
fn is_websocket(context: &Value) -> bool {
    context.get("connectionId").is_some() && context.get("eventType").is_some()
}

/// Lambda authorizer payloads ask for a policy; they are not requests to answer.
fn is_authorizer_request(event: &Value) -> bool {
    let kind = event.get("type").and_then(Value::as_str);
    matches!(kind, Some("REQUEST" | "TOKEN"))
        && (event.get("methodArn").is_some() || event.get("routeArn").is_some())
}

fn typed<T: serde::de::DeserializeOwned>(
    event: Value,
    kind: &'static str,
) -> Result<T, EventError> {
    serde_json::from_value(event).map_err(|source| EventError::Malformed { kind, source })
}

fn from_rest(event: RestEvent) -> Parts {
    let path = event.path.unwrap_or_else(|| "/".to_owned());
    let raw_path = event
        .request_context
        .path
        .clone()
        .unwrap_or_else(|| path.clone());
    let multi_query = event.multi_value_query_string_parameters;
    let query =
        encode_query(pairs(multi_query).or_else(|| pairs(single(event.query_string_parameters))));
    Parts {
        shape: ResponseShape::Rest,
        method: event.http_method,
        path,
        raw_path,
        stage: named_stage(event.request_context.stage),
        query,
        headers: merge_headers(event.multi_value_headers, event.headers),
        body: event.body,
        base64: event.is_base64_encoded.unwrap_or(false),
        authorizer: event.request_context.authorizer.map(rest_authorizer),
    }
}

fn from_http_api(event: HttpApiEvent, source: EventSource) -> Parts {
    let context = event.request_context;
    let raw_path = event
        .raw_path
        .or(context.http.path)
        .unwrap_or_else(|| "/".to_owned());
    let stage = named_stage(context.stage);
    let mut headers = single_headers(event.headers);
    if let Some(cookies) = event.cookies.filter(|c| !c.is_empty()) {
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case("cookie"));
        headers.push((COOKIE.as_str().to_owned(), cookies.join("; ")));
    }
    Parts {
        shape: if source == EventSource::FunctionUrl {
            ResponseShape::FunctionUrl
        } else {
            ResponseShape::HttpApi
        },
        method: context.http.method,
        path: strip_stage(&raw_path, stage.as_deref()),
        raw_path,
        stage,
        query: event.raw_query_string.unwrap_or_default(),
        headers,
        body: event.body,
        base64: event.is_base64_encoded.unwrap_or(false),
        authorizer: context.authorizer.map(http_api_authorizer),
    }
}

fn from_alb(event: AlbEvent) -> Result<Parts, EventError> {
    let multi_value = event.multi_value_headers.is_some();
    let path = event.path.unwrap_or_else(|| "/".to_owned());
    // ALB passes query parameters exactly as the client encoded them.
    let raw_pairs = pairs(event.multi_value_query_string_parameters)
        .or_else(|| pairs(single(event.query_string_parameters)));
    let query = raw_pairs
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    Ok(Parts {
        shape: ResponseShape::Alb { multi_value },
        method: event.http_method,
        raw_path: path.clone(),
        path,
        stage: None,
        query,
        headers: merge_headers(event.multi_value_headers, event.headers),
        body: event.body,
        base64: event.is_base64_encoded.unwrap_or(false),
        authorizer: None,
    })
}

/// The stage policy: services see paths without the stage; `$default` is no stage.
fn named_stage(stage: Option<String>) -> Option<String> {
    stage.filter(|s| !s.is_empty() && s != "$default")
}

/// Removes a leading `/{stage}` segment from an HTTP API path, if it is there.
fn strip_stage(path: &str, stage: Option<&str>) -> String {
    let Some(stage) = stage else {
        return path.to_owned();
    };
    let rest = path.strip_prefix('/').and_then(|p| p.strip_prefix(stage));
    match rest {
        Some("") => "/".to_owned(),
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => path.to_owned(),
    }
}

fn single(map: NullableMap<String>) -> NullableMap<Vec<String>> {
    map.map(|m| {
        m.into_iter()
            .map(|(k, v)| (k, v.map(|v| vec![v])))
            .collect()
    })
}

/// Flattens a multi-value map into pairs, or `None` when it is absent or empty.
fn pairs(map: NullableMap<Vec<String>>) -> Option<Vec<(String, String)>> {
    let map = map.filter(|m| !m.is_empty())?;
    let flat = map.into_iter().flat_map(|(key, values)| {
        values
            .unwrap_or_default()
            .into_iter()
            .map(move |v| (key.clone(), v))
    });
    Some(flat.collect())
}

fn encode_query(pairs: Option<Vec<(String, String)>>) -> String {
    let encode = |text: &str| utf8_percent_encode(text, QUERY_COMPONENT).to_string();
    let parts: Vec<String> = pairs
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    parts.join("&")
}

/// Headers from the multi-value map when the event has one (it is the superset), else the
/// single-value map.
fn merge_headers(
    multi: NullableMap<Vec<String>>,
    single_map: NullableMap<String>,
) -> Vec<(String, String)> {
    pairs(multi).unwrap_or_else(|| single_headers(single_map))
}

fn single_headers(map: NullableMap<String>) -> Vec<(String, String)> {
    let map: BTreeMap<_, _> = map.unwrap_or_default();
    map.into_iter().filter_map(|(k, v)| Some((k, v?))).collect()
}

fn rest_authorizer(mut fields: Map<String, Value>) -> Authorizer {
    // Cognito user pool authorizers nest the token's claims under `claims`.
    if let Some(Value::Object(claims)) = fields.remove("claims") {
        for (name, value) in claims {
            fields.entry(name).or_insert(value);
        }
    }
    Authorizer::new(fields)
}

fn http_api_authorizer(authorizer: HttpApiAuthorizer) -> Authorizer {
    let mut fields = authorizer.lambda.unwrap_or_default();
    if let Some(jwt) = authorizer.jwt {
        fields.extend(jwt.claims.unwrap_or_default());
        if let Some(scopes) = jwt.scopes {
            fields.insert(
                "scopes".to_owned(),
                scopes.into_iter().map(Value::String).collect(),
            );
        }
    }
    Authorizer::new(fields)
}

impl Parts {
    /// Builds the request, attaching the edge context.
    pub(super) fn into_request(
        self,
        invocation: &Invocation,
    ) -> Result<(Request, ResponseShape), EventError> {
        let body = decode_body(self.body, self.base64)?;
        let uri = build_uri(&self.path, &self.query)?;
        let method = http::Method::from_bytes(self.method.as_bytes())
            .map_err(|_| EventError::InvalidMethod(self.method.clone()))?;
        let mut request = http::Request::new(body);
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        append_headers(request.headers_mut(), self.headers);
        request.extensions_mut().insert(EdgeContext {
            mode: Mode::Lambda,
            source: self.shape.source(),
            request_id: invocation.request_id.clone(),
            trace_id: invocation.trace_id.clone(),
            raw_path: self.raw_path,
            stage: self.stage,
            authorizer: self.authorizer,
        });
        Ok((request, self.shape))
    }
}

fn decode_body(body: Option<String>, base64: bool) -> Result<Bytes, EventError> {
    match body {
        None => Ok(Bytes::new()),
        Some(text) if base64 => STANDARD
            .decode(text.trim())
            .map(Bytes::from)
            .map_err(|_| EventError::InvalidBase64Body),
        Some(text) => Ok(Bytes::from(text)),
    }
}

fn build_uri(path: &str, query: &str) -> Result<http::Uri, EventError> {
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let mut target = utf8_percent_encode(&path, URI_UNSAFE)
        .to_string()
        .replace('?', "%3F")
        .replace('#', "%23");
    if !query.is_empty() {
        target.push('?');
        target.push_str(
            &utf8_percent_encode(query, URI_UNSAFE)
                .to_string()
                .replace('#', "%23"),
        );
    }
    http::Uri::try_from(target.as_str()).map_err(|_| EventError::InvalidPath(path))
}

fn append_headers(headers: &mut http::HeaderMap, pairs: Vec<(String, String)>) {
    for (name, value) in pairs {
        let parsed = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        );
        match parsed {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => tracing::debug!(header = %name, "skipped a header that is not valid HTTP"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_is_stripped_only_as_a_whole_segment() {
        assert_eq!(strip_stage("/prod/graphql", Some("prod")), "/graphql");
        assert_eq!(strip_stage("/prod", Some("prod")), "/");
        assert_eq!(
            strip_stage("/production/graphql", Some("prod")),
            "/production/graphql"
        );
        assert_eq!(strip_stage("/graphql", None), "/graphql");
    }

    #[test]
    fn decoded_query_values_are_reencoded() {
        let query = encode_query(Some(vec![
            ("q".into(), "a+b c&d=e%".into()),
            ("x".into(), "ü".into()),
        ]));
        assert_eq!(query, "q=a%2Bb%20c%26d%3De%25&x=%C3%BC");
    }

    #[test]
    fn unsafe_path_characters_are_escaped() {
        let uri = build_uri("/my path/{x}", "a=b c").map(|u| u.to_string());
        assert_eq!(uri.ok().as_deref(), Some("/my%20path/%7Bx%7D?a=b%20c"));
    }

    #[test]
    fn unknown_payloads_are_not_http() {
        for payload in [
            serde_json::json!({"Records": []}),
            serde_json::json!("text"),
            serde_json::json!(null),
        ] {
            assert!(matches!(parse(payload), Err(EventError::NotHttp)));
        }
    }
}
