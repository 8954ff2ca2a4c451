//! The GraphQL-over-HTTP request: methods, content types and the request parameters.
//!
//! A POST carries a JSON object; a GET carries the same parameters in the query string, with
//! `variables` and `extensions` as JSON text. Anything that is not a well-formed request is a
//! [`Rejection`] and never reaches GraphQL.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use stack_core::http::Request;

/// The parameters of a GraphQL request, checked for shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Params {
    pub(crate) query: String,
    pub(crate) operation_name: Option<String>,
    pub(crate) variables: Map<String, Value>,
    pub(crate) extensions: Map<String, Value>,
}

/// A request that is not a well-formed GraphQL-over-HTTP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// The method is not allowed here; `allow` lists the methods that are.
    MethodNotAllowed {
        allow: &'static str,
        message: &'static str,
    },
    /// The client accepts none of the media types a GraphQL response can be written in.
    NotAcceptable,
    /// A POST body in a media type other than JSON.
    UnsupportedMediaType(String),
    /// A body or query string that cannot be read as GraphQL request parameters.
    BadRequest(String),
}

impl Rejection {
    /// The HTTP status of the rejection.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The message shown to the client.
    pub(crate) fn message(&self) -> &str {
        match self {
            Self::MethodNotAllowed { message, .. } => message,
            Self::NotAcceptable => {
                "none of the accepted media types is available: accept \
                 application/graphql-response+json or application/json"
            }
            Self::UnsupportedMediaType(message) | Self::BadRequest(message) => message,
        }
    }

    /// Mutations change state, so they are refused over GET.
    pub(crate) fn mutation_over_get() -> Self {
        Self::MethodNotAllowed {
            allow: "POST",
            message: "mutations must be sent with POST",
        }
    }
}

/// Only GET and POST carry GraphQL requests.
pub(crate) fn check_method(method: &Method) -> Result<(), Rejection> {
    if method == Method::GET || method == Method::POST {
        return Ok(());
    }
    let message = "GraphQL requests use GET (queries only) or POST";
    Err(Rejection::MethodNotAllowed {
        allow: "GET, POST",
        message,
    })
}

/// Reads the GraphQL parameters of a GET or POST request.
pub(crate) fn read_params(request: &Request) -> Result<Params, Rejection> {
    let fields = if request.method() == Method::GET {
        fields_from_query_string(request.uri().query().unwrap_or_default())?
    } else {
        check_content_type(request.headers())?;
        fields_from_body(request.body())?
    };
    Params::from_fields(fields)
}

/// A POST body must be JSON, in UTF-8 when a charset is named.
fn check_content_type(headers: &HeaderMap) -> Result<(), Rejection> {
    let unsupported = |shown: &str| {
        Rejection::UnsupportedMediaType(format!(
            "content-type {shown} is not supported: send application/json"
        ))
    };
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Err(unsupported("(missing)"));
    };
    let text = value.to_str().map_err(|_| unsupported("(unreadable)"))?;
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    let utf8 = parts
        .filter_map(|parameter| parameter.split_once('='))
        .all(|(name, value)| {
            !name.trim().eq_ignore_ascii_case("charset")
                || value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        });
    if essence.eq_ignore_ascii_case("application/json") && utf8 {
        Ok(())
    } else {
        Err(unsupported(&format!("`{text}`")))
    }
}

/// Parses a POST body: one JSON object.
fn fields_from_body(body: &[u8]) -> Result<Map<String, Value>, Rejection> {
    if body.is_empty() {
        return Err(Rejection::BadRequest(
            "the request body is empty".to_owned(),
        ));
    }
    match serde_json::from_slice::<TopLevel>(body) {
        Ok(TopLevel::Object(fields)) => Ok(fields),
        Ok(TopLevel::Other) => Err(Rejection::BadRequest(
            "the request body must be a JSON object".to_owned(),
        )),
        Err(error) => Err(Rejection::BadRequest(format!(
            "the request body is not JSON: {error}"
        ))),
    }
}

/// A request body's top level: an object whose keys are distinct (a repeated `query` could
/// show a proxy one operation and run another), or any other JSON value.
enum TopLevel {
    Object(Map<String, Value>),
    Other,
}

impl<'de> serde::Deserialize<'de> for TopLevel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> serde::de::Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut fields = Map::new();
        while let Some((name, value)) = map.next_entry::<String, Value>()? {
            if fields.contains_key(&name) {
                return Err(serde::de::Error::custom(format_args!(
                    "the key `{name}` is given twice"
                )));
            }
            fields.insert(name, value);
        }
        Ok(TopLevel::Object(fields))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(TopLevel::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel::Other)
    }

    fn visit_unit<E>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::Other)
    }
}

/// Parses a GET query string into the same fields a POST body has.
fn fields_from_query_string(query: &str) -> Result<Map<String, Value>, Rejection> {
    let mut fields = Map::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (decode(name)?, decode(value)?);
        let value = match name.as_str() {
            "variables" | "extensions" => parse_json_parameter(&name, &value)?,
            _ => Value::String(value),
        };
        if fields.insert(name.clone(), value).is_some() {
            return Err(Rejection::BadRequest(format!(
                "parameter `{name}` is given twice"
            )));
        }
    }
    Ok(fields)
}

/// Decodes one `application/x-www-form-urlencoded` component.
fn decode(component: &str) -> Result<String, Rejection> {
    let spaced = component.replace('+', " ");
    let decoded = percent_decode_str(&spaced)
        .decode_utf8()
        .map_err(|_| Rejection::BadRequest("the query string is not valid UTF-8".to_owned()))?;
    Ok(decoded.into_owned())
}

/// `variables` and `extensions` travel as JSON text in a query string; empty means absent.
fn parse_json_parameter(name: &str, text: &str) -> Result<Value, Rejection> {
    if text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text)
        .map_err(|error| Rejection::BadRequest(format!("parameter `{name}` is not JSON: {error}")))
}

impl Params {
    /// Checks the shape of each parameter; unknown parameters are ignored.
    fn from_fields(mut fields: Map<String, Value>) -> Result<Self, Rejection> {
        // A persisted-query request may leave the query out: the server knows it by hash.
        let persisted = fields
            .get("extensions")
            .is_some_and(|extensions| extensions.get("persistedQuery").is_some());
        let query = match fields.remove("query") {
            Some(Value::String(query)) => query,
            Some(_) => return Err(bad_shape("query", "a string")),
            None if persisted => String::new(),
            None => {
                return Err(Rejection::BadRequest(
                    "parameter `query` is missing".to_owned(),
                ));
            }
        };
        let operation_name = match fields.remove("operationName") {
            Some(Value::String(name)) => Some(name),
            Some(Value::Null) | None => None,
            Some(_) => return Err(bad_shape("operationName", "a string or null")),
        };
        let variables = object_parameter(&mut fields, "variables")?;
        let extensions = object_parameter(&mut fields, "extensions")?;
        Ok(Self {
            query,
            operation_name,
            variables,
            extensions,
        })
    }
}

/// A parameter that must be a JSON object or null; absent and null mean empty.
fn object_parameter(
    fields: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Map<String, Value>, Rejection> {
    match fields.remove(name) {
        Some(Value::Object(map)) => Ok(map),
        Some(Value::Null) | None => Ok(Map::new()),
        Some(_) => Err(bad_shape(name, "an object or null")),
    }
}

fn bad_shape(name: &str, expected: &str) -> Rejection {
    Rejection::BadRequest(format!("parameter `{name}` must be {expected}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use bytes::Bytes;
    use serde_json::json;

    use super::*;

    fn post(content_type: Option<&str>, body: &str) -> Result<Params, Rejection> {
        let mut builder = http::Request::post("/graphql");
        if let Some(content_type) = content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        let request = builder
            .body(Bytes::from(body.to_owned()))
            .unwrap_or_default();
        read_params(&request)
    }

    fn get(uri: &str) -> Result<Params, Rejection> {
        let request = http::Request::get(uri)
            .body(Bytes::new())
            .unwrap_or_default();
        read_params(&request)
    }

    fn is_bad_request(result: &Result<Params, Rejection>) -> bool {
        matches!(result, Err(Rejection::BadRequest(_)))
    }

    #[test]
    fn repeated_body_keys_are_refused() {
        let body = br#"{"query":"{ a }","query":"mutation { b }"}"#;
        assert!(
            matches!(fields_from_body(body), Err(Rejection::BadRequest(m)) if m.contains("given twice"))
        );
        assert!(matches!(
            fields_from_body(b"[1, {\"a\": 1}]"),
            Err(Rejection::BadRequest(_))
        ));
        assert!(fields_from_body(br#"{"query":"{ a }","variables":{"x":1}}"#).is_ok());
    }

    #[test]
    fn a_json_post_carries_every_parameter() {
        let body = json!({
            "query": "query Q($id: ID!) { a(id: $id) }",
            "operationName": "Q",
            "variables": { "id": "1" },
            "extensions": { "trace": true },
        });
        let params = post(Some("application/json; charset=UTF-8"), &body.to_string());
        let params = params.unwrap_or_default();
        assert_eq!(params.operation_name.as_deref(), Some("Q"));
        assert_eq!(params.variables.get("id"), Some(&json!("1")));
        assert_eq!(params.extensions.get("trace"), Some(&json!(true)));
    }

    #[test]
    fn nulls_mean_absent() {
        let body = r#"{"query":"{a}","operationName":null,"variables":null,"extensions":null}"#;
        let params = post(Some("application/json"), body);
        assert_eq!(
            params,
            Ok(Params {
                query: "{a}".to_owned(),
                ..Params::default()
            })
        );
    }

    #[test]
    fn only_json_bodies_are_supported() {
        let unsupported = |content_type| {
            matches!(
                post(content_type, r#"{"query":"{a}"}"#),
                Err(Rejection::UnsupportedMediaType(_))
            )
        };
        assert!(unsupported(None));
        assert!(unsupported(Some("text/plain;charset=UTF-8")));
        assert!(unsupported(Some("application/graphql")));
        assert!(unsupported(Some("application/json; charset=latin1")));
    }

    #[test]
    fn malformed_bodies_are_bad_requests() {
        assert!(is_bad_request(&post(Some("application/json"), "")));
        assert!(is_bad_request(&post(
            Some("application/json"),
            r#"{ "not a JSON"#
        )));
        assert!(is_bad_request(&post(
            Some("application/json"),
            r#"["{a}"]"#
        )));
    }

    #[test]
    fn parameters_of_the_wrong_shape_are_bad_requests() {
        for body in [
            json!({ "notquery": "{a}" }),
            json!({ "query": { "obj": "ect" } }),
            json!({ "query": 0 }),
            json!({ "query": ["{a}"] }),
            json!({ "query": "{a}", "operationName": false }),
            json!({ "query": "{a}", "variables": "string" }),
            json!({ "query": "{a}", "variables": ["array"] }),
            json!({ "query": "{a}", "extensions": 0 }),
        ] {
            assert!(
                is_bad_request(&post(Some("application/json"), &body.to_string())),
                "{body}"
            );
        }
    }

    #[test]
    fn a_get_reads_the_query_string() {
        let params =
            get("/graphql?query=query+Q(%24n%3A+Int)+%7B+a+%7D&variables=%7B%22n%22%3A1%7D");
        let params = params.unwrap_or_default();
        assert_eq!(params.query, "query Q($n: Int) { a }");
        assert_eq!(params.variables.get("n"), Some(&json!(1)));
    }

    #[test]
    fn a_get_rejects_bad_parameters() {
        assert!(is_bad_request(&get("/graphql")));
        assert!(is_bad_request(&get("/graphql?query=%7Ba%7D&query=%7Bb%7D")));
        assert!(is_bad_request(&get(
            "/graphql?query=%7Ba%7D&variables=%7Bnope"
        )));
        assert!(is_bad_request(&get(
            "/graphql?query=%7Ba%7D&variables=%5B1%5D"
        )));
        assert!(is_bad_request(&get("/graphql?query=%FF")));
    }

    #[test]
    fn only_get_and_post_are_allowed() {
        assert!(check_method(&Method::GET).is_ok());
        assert!(check_method(&Method::POST).is_ok());
        let rejection = check_method(&Method::PUT).err();
        assert_eq!(
            rejection.map(|r| r.status()),
            Some(StatusCode::METHOD_NOT_ALLOWED)
        );
    }
}
