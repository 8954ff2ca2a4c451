//! Who is calling: the caller identity every service reads the same way.
//!
//! In Lambda the identity comes from the API Gateway authorizer context, which only API Gateway
//! can set. Locally, and only locally, the `x-stack-user` header names the caller, so the app can
//! be tried without a token issuer. The Lambda edge never honours that header, and the local
//! server honours it only on requests addressed to `localhost` or a loopback address.

use serde_json::{Map, Value};

use crate::Mode;
use crate::http::{EdgeContext, Request};

/// The header that names the caller in local mode only.
pub const LOCAL_USER_HEADER: &str = "x-stack-user";

/// The authorizer context API Gateway attached to a request, flattened into one JSON object.
///
/// For REST APIs this is `requestContext.authorizer` (custom authorizer fields, `principalId`,
/// Cognito `claims`); for HTTP APIs the `lambda` context, or the JWT `claims` and `scopes`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Authorizer {
    fields: Map<String, Value>,
}

impl Authorizer {
    /// Wraps an already flattened authorizer context.
    pub fn new(fields: Map<String, Value>) -> Self {
        Self { fields }
    }

    /// One field of the context.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// Every field of the context.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// A field as a string: strings as they are, numbers and booleans printed.
    fn text(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            _ => None,
        }
    }

    /// A list field: a JSON array, a JSON array in a string, or a comma or space separated string.
    fn list(&self, name: &str) -> Vec<String> {
        match self.fields.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str())
                .map(String::from)
                .collect(),
            Some(Value::String(text)) => split_list(text),
            _ => Vec::new(),
        }
    }
}

fn split_list(text: &str) -> Vec<String> {
    let trimmed = text.trim();
    if trimmed.starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<String>>(trimmed) {
            return items;
        }
        // Cognito claims passed through REST APIs render arrays as `[a b]`.
        let inner = trimmed.trim_start_matches('[').trim_end_matches(']');
        return split_list(inner);
    }
    trimmed
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Identity {
    /// The stable user id (`sub`).
    pub subject: String,
    /// The user name, when the token carries one.
    pub username: Option<String>,
    /// Groups the caller belongs to (Cognito groups).
    pub groups: Vec<String>,
    /// OAuth scopes granted to the token.
    pub scopes: Vec<String>,
}

impl Identity {
    /// An identity with only a subject.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            username: None,
            groups: Vec::new(),
            scopes: Vec::new(),
        }
    }

    /// The identity of the caller of `request`, if any.
    ///
    /// Requests that no edge handled carry no identity. In Lambda the identity is the
    /// authorizer context API Gateway attached. Locally it is an authorizer context when code
    /// in the process attached one (a local token check in front of the service; the local
    /// server never does), else the [`LOCAL_USER_HEADER`] of a request to a loopback host.
    pub fn from_request(request: &Request) -> Option<Self> {
        let edge = EdgeContext::of(request)?;
        match (edge.mode, edge.authorizer.as_ref()) {
            (_, Some(authorizer)) => Self::from_authorizer(authorizer),
            (Mode::Lambda, None) => None,
            (Mode::Local, None) => Self::from_local_header(request),
        }
    }

    /// Reads the identity from an authorizer context: `sub`, else `principalId`.
    ///
    /// The subject must be a string that is a valid user id (see [`valid_subject`]); anything
    /// else (a number, an object, a blank or over-long string) is no identity at all, so the
    /// caller is unauthenticated rather than someone unexpected.
    pub fn from_authorizer(authorizer: &Authorizer) -> Option<Self> {
        let subject = ["sub", "principalId"]
            .into_iter()
            .find_map(|name| {
                authorizer
                    .get(name)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
            })
            .filter(|subject| valid_subject(subject))?;
        let username = authorizer
            .text("username")
            .or_else(|| authorizer.text("cognito:username"));
        let mut groups = authorizer.list("groups");
        groups.extend(authorizer.list("cognito:groups"));
        let mut scopes = authorizer.list("scopes");
        scopes.extend(authorizer.list("scope"));
        Some(Self {
            subject: subject.to_owned(),
            username,
            groups,
            scopes,
        })
    }

    fn from_local_header(request: &Request) -> Option<Self> {
        if !addressed_to_loopback(request) {
            return None;
        }
        let value = request.headers().get(LOCAL_USER_HEADER)?.to_str().ok()?;
        valid_subject(value).then(|| Self::new(value))
    }
}

/// Whether the request names this machine's loopback as its host (or names none, as requests
/// built in-process do). A page on another site that makes the browser resolve its name to
/// 127.0.0.1 (DNS rebinding) sends its own name, so it cannot borrow the local header.
fn addressed_to_loopback(request: &Request) -> bool {
    let Some(host) = request.headers().get(http::header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "::1"
}

/// The longest user id accepted, in bytes.
pub const MAX_SUBJECT_BYTES: usize = 256;

/// Whether `subject` can name a user: 1 to [`MAX_SUBJECT_BYTES`] bytes, no control
/// characters, and no leading or trailing whitespace (so ` alice` is not a second `alice`).
pub fn valid_subject(subject: &str) -> bool {
    !subject.is_empty()
        && subject.len() <= MAX_SUBJECT_BYTES
        && subject.trim() == subject
        && !subject.chars().any(char::is_control)
}

#[cfg(test)]
mod tests;
