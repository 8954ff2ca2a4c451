//! Turning a [`Response`] into the JSON shape the event's integration expects.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::{CONTENT_ENCODING, CONTENT_TYPE, SET_COOKIE};

use super::wire::EventResponse;
use crate::http::{EventSource, Response};

/// Which response shape the event's integration expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseShape {
    /// API Gateway REST: every header in `multiValueHeaders`.
    Rest,
    /// API Gateway HTTP API: `Set-Cookie` in `cookies`, other repeated headers joined.
    HttpApi,
    /// Function URL: the HTTP API shape.
    FunctionUrl,
    /// ALB: `multiValueHeaders` only if the target group sent them, and a status description.
    Alb {
        /// Whether the target group has multi-value headers switched on.
        multi_value: bool,
    },
}

impl ResponseShape {
    /// The event source this shape answers.
    pub fn source(self) -> EventSource {
        match self {
            Self::Rest => EventSource::ApiGatewayRest,
            Self::HttpApi => EventSource::ApiGatewayHttp,
            Self::FunctionUrl => EventSource::FunctionUrl,
            Self::Alb { .. } => EventSource::Alb,
        }
    }

    /// Encodes a response: text bodies as they are, anything else in base64.
    pub fn encode(self, response: Response) -> serde_json::Value {
        let (parts, body) = response.into_parts();
        let (body, is_base64_encoded) = encode_body(&parts.headers, &body);
        let mut wire = EventResponse {
            status_code: parts.status.as_u16(),
            body,
            is_base64_encoded,
            ..Default::default()
        };
        let headers = header_lists(&parts.headers);
        match self {
            Self::Rest | Self::Alb { multi_value: true } => {
                wire.multi_value_headers = Some(headers);
            }
            Self::HttpApi | Self::FunctionUrl => {
                let (cookies, rest) = split_cookies(headers);
                wire.cookies = Some(cookies);
                wire.headers = Some(join_values(rest));
            }
            Self::Alb { multi_value: false } => wire.headers = Some(join_values(headers)),
        }
        if let Self::Alb { .. } = self {
            let reason = parts.status.canonical_reason().unwrap_or("");
            wire.status_description = Some(
                format!("{} {reason}", parts.status.as_u16())
                    .trim_end()
                    .to_owned(),
            );
        }
        serde_json::to_value(wire).unwrap_or_default()
    }
}

fn encode_body(headers: &http::HeaderMap, body: &[u8]) -> (String, bool) {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let compressed = headers.contains_key(CONTENT_ENCODING);
    match std::str::from_utf8(body) {
        Ok(text) if !compressed && is_text(content_type) => (text.to_owned(), false),
        _ if body.is_empty() => (String::new(), false),
        _ => (STANDARD.encode(body), true),
    }
}

/// Whether a content type is text that passes through API Gateway unchanged.
fn is_text(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.is_empty()
        || essence.starts_with("text/")
        || essence.ends_with("+json")
        || essence.ends_with("+xml")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/xml"
                | "application/javascript"
                | "application/graphql"
                | "application/x-www-form-urlencoded"
        )
}

fn header_lists(headers: &http::HeaderMap) -> BTreeMap<String, Vec<String>> {
    let mut lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        lists
            .entry(name.as_str().to_owned())
            .or_default()
            .push(text);
    }
    lists
}

fn split_cookies(
    mut headers: BTreeMap<String, Vec<String>>,
) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let cookies = headers.remove(SET_COOKIE.as_str()).unwrap_or_default();
    (cookies, headers)
}

/// Joins repeated values with `, `, except `Set-Cookie`, where only the last value can be kept.
fn join_values(headers: BTreeMap<String, Vec<String>>) -> BTreeMap<String, String> {
    headers
        .into_iter()
        .map(|(name, values)| {
            let joined = if name == SET_COOKIE.as_str() {
                values.last().cloned().unwrap_or_default()
            } else {
                values.join(", ")
            };
            (name, joined)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types_are_recognised() {
        for t in [
            "application/json",
            "application/graphql-response+json; charset=utf-8",
            "text/html",
            "",
        ] {
            assert!(is_text(t), "{t}");
        }
        for t in ["image/png", "application/octet-stream", "application/pdf"] {
            assert!(!is_text(t), "{t}");
        }
    }

    #[test]
    fn binary_bodies_are_base64() {
        let mut headers = http::HeaderMap::new();
        headers.insert(CONTENT_TYPE, http::HeaderValue::from_static("image/png"));
        assert_eq!(
            encode_body(&headers, &[0, 159, 146, 150]),
            ("AJ+Slg==".to_owned(), true)
        );
    }
}
