use serde_json::json;

use super::*;
use crate::http::EventSource;

fn request_with(mode: Mode, authorizer: Option<Authorizer>, header: Option<&str>) -> Request {
    let mut builder = http::Request::builder().uri("/graphql");
    if let Some(value) = header {
        builder = builder.header(LOCAL_USER_HEADER, value);
    }
    let mut request = builder.body(bytes::Bytes::new()).unwrap_or_default();
    request.extensions_mut().insert(EdgeContext {
        mode,
        source: EventSource::Local,
        request_id: "test".into(),
        trace_id: None,
        raw_path: "/graphql".into(),
        stage: None,
        authorizer,
    });
    request
}

fn authorizer(value: serde_json::Value) -> Authorizer {
    match value {
        Value::Object(fields) => Authorizer::new(fields),
        _ => Authorizer::default(),
    }
}

#[test]
fn local_mode_honours_the_user_header() {
    let request = request_with(Mode::Local, None, Some("alice"));
    assert_eq!(
        Identity::from_request(&request),
        Some(Identity::new("alice"))
    );
}

#[test]
fn local_mode_prefers_an_attached_authorizer_context() {
    let context = authorizer(json!({"sub": "u-2", "groups": "[\"admins\"]"}));
    let request = request_with(Mode::Local, Some(context), Some("mallory"));
    let identity = Identity::from_request(&request).unwrap_or_else(|| Identity::new("none"));
    assert_eq!(identity.subject, "u-2");
    assert_eq!(identity.groups, ["admins"]);
    let unusable = authorizer(json!({"sub": ""}));
    let request = request_with(Mode::Local, Some(unusable), Some("mallory"));
    assert_eq!(Identity::from_request(&request), None);
}

#[test]
fn lambda_mode_ignores_the_user_header() {
    let request = request_with(Mode::Lambda, None, Some("alice"));
    assert_eq!(Identity::from_request(&request), None);
}

#[test]
fn lambda_mode_reads_the_authorizer() {
    let context = authorizer(json!({
        "sub": "u-1", "cognito:username": "bob", "cognito:groups": "[admins editors]",
        "scope": "todo/read todo/write"
    }));
    let request = request_with(Mode::Lambda, Some(context), Some("mallory"));
    let identity = Identity::from_request(&request).unwrap_or_else(|| Identity::new("none"));
    assert_eq!(identity.subject, "u-1");
    assert_eq!(identity.username.as_deref(), Some("bob"));
    assert_eq!(identity.groups, ["admins", "editors"]);
    assert_eq!(identity.scopes, ["todo/read", "todo/write"]);
}

#[test]
fn principal_id_is_the_fallback_subject() {
    let context = authorizer(json!({ "principalId": "p-9", "groups": ["a", "b"] }));
    let identity = Identity::from_authorizer(&context);
    assert_eq!(
        identity.map(|i| (i.subject, i.groups)),
        Some(("p-9".into(), vec!["a".into(), "b".into()]))
    );
}

#[test]
fn blank_padded_or_over_long_headers_are_no_identity() {
    let too_long = "x".repeat(MAX_SUBJECT_BYTES + 1);
    for value in ["", "   ", " alice", "alice ", too_long.as_str()] {
        let request = request_with(Mode::Local, None, Some(value));
        assert_eq!(Identity::from_request(&request), None, "{value:?}");
    }
    let longest = "x".repeat(MAX_SUBJECT_BYTES);
    assert!(Identity::from_request(&request_with(Mode::Local, None, Some(&longest))).is_some());
}

#[test]
fn authorizer_subjects_must_be_valid_strings() {
    let subjects = [
        json!(1),
        json!(true),
        json!({ "a": 1 }),
        json!("  "),
        json!(" alice "),
        json!("ali\u{0}ce"),
        json!("x".repeat(MAX_SUBJECT_BYTES + 1)),
    ];
    for sub in subjects {
        let context = authorizer(json!({ "sub": sub.clone() }));
        assert_eq!(Identity::from_authorizer(&context), None, "{sub}");
    }
    let fallback = authorizer(json!({ "sub": "", "principalId": "p-1" }));
    assert_eq!(
        Identity::from_authorizer(&fallback).map(|i| i.subject),
        Some("p-1".into())
    );
}

#[test]
fn the_local_header_needs_a_loopback_host() {
    for (host, honoured) in [
        ("localhost:4000", true),
        ("127.0.0.1:4000", true),
        ("[::1]:4000", true),
        ("LOCALHOST", true),
        ("evil.example:4000", false),
        ("127.0.0.1.evil.example", false),
    ] {
        let mut request = request_with(Mode::Local, None, Some("alice"));
        let value =
            http::HeaderValue::from_str(host).unwrap_or(http::HeaderValue::from_static("x"));
        request.headers_mut().insert(http::header::HOST, value);
        assert_eq!(
            Identity::from_request(&request).is_some(),
            honoured,
            "{host}"
        );
    }
}

#[test]
fn requests_without_an_edge_have_no_identity() {
    let request = http::Request::builder()
        .header(LOCAL_USER_HEADER, "alice")
        .body(bytes::Bytes::new());
    assert_eq!(request.ok().and_then(|r| Identity::from_request(&r)), None);
}
