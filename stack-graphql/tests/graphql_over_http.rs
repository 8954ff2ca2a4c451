//! The GraphQL-over-HTTP protocol: methods, content types, parameters, paths.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use http::StatusCode;
use serde_json::json;
use stack_graphql::SubgraphOptions;
use support::{TestRequest, subgraph, subgraph_with};

#[tokio::test]
async fn a_json_post_executes_the_query() {
    let reply = TestRequest::query("{ hello }").send(&subgraph()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type(), "application/json; charset=utf-8");
    assert_eq!(reply.json(), json!({ "data": { "hello": "hello" } }));
}

#[tokio::test]
async fn a_post_carries_the_operation_name_variables_and_extensions() {
    let body = json!({
        "query": "query Hello { hello } mutation Add($a: Int!) { add(a: $a, b: 2) }",
        "operationName": "Add",
        "variables": { "a": 40 },
        "extensions": { "persistedQuery": null, "some": "value" },
    });
    let reply = TestRequest::post("/graphql")
        .json(&body)
        .send(&subgraph())
        .await;
    assert_eq!(reply.json(), json!({ "data": { "add": 42 } }));
}

#[tokio::test]
async fn a_charset_of_utf_8_is_accepted() {
    let reply = TestRequest::post("/graphql")
        .header("content-type", "application/json; charset=UTF-8")
        .body(r#"{"query":"{ product(id: \"1\") { name } }"}"#)
        .send(&subgraph())
        .await;
    assert_eq!(
        reply.json(),
        json!({ "data": { "product": { "name": "kettle" } } })
    );
}

#[tokio::test]
async fn a_get_executes_a_query_from_the_url() {
    let uri = concat!(
        "/graphql?query=query+Q(%24id%3A+ID!)+%7B+product(id%3A+%24id)+%7B+name+%7D+%7D",
        "&variables=%7B%22id%22%3A%222%22%7D",
        "&operationName=Q",
    );
    let reply = TestRequest::get(uri).send(&subgraph()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({ "data": { "product": { "name": "teapot" } } })
    );
}

#[tokio::test]
async fn a_mutation_over_get_is_not_allowed() {
    let reply = TestRequest::get_query("mutation { add(a: 1, b: 2) }")
        .send(&subgraph())
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header("allow"), Some("POST"));
    assert_eq!(reply.codes(), ["BAD_REQUEST"]);
}

#[tokio::test]
async fn a_get_may_select_the_query_of_a_document_that_also_has_a_mutation() {
    let document = "query Read { hello } mutation Write { add(a: 1, b: 2) }";
    let uri = format!(
        "{}&operationName=Read",
        TestRequest::get_query_uri(document)
    );
    let reply = TestRequest::get(&uri).send(&subgraph()).await;
    assert_eq!(reply.json(), json!({ "data": { "hello": "hello" } }));
}

#[tokio::test]
async fn other_methods_are_not_allowed() {
    for method in [http::Method::PUT, http::Method::DELETE, http::Method::PATCH] {
        let reply = TestRequest::new(method, "/graphql").send(&subgraph()).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(reply.header("allow"), Some("GET, POST"));
    }
}

#[tokio::test]
async fn post_bodies_must_be_json() {
    let cases = [
        None,
        Some("text/plain;charset=UTF-8"),
        Some("application/graphql"),
        Some("application/json; charset=latin1"),
    ];
    for content_type in cases {
        let mut request = TestRequest::post("/graphql").body(r#"{"query":"{ hello }"}"#);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let reply = request.send(&subgraph()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(reply.codes(), ["BAD_REQUEST"]);
    }
}

#[tokio::test]
async fn malformed_json_is_a_bad_request_with_errors() {
    for body in ["", r#"{ "not a JSON"#, "[]", r#""{ hello }""#] {
        let reply = TestRequest::post("/graphql")
            .header("content-type", "application/json")
            .body(body)
            .send(&subgraph())
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.content_type(), "application/json; charset=utf-8");
        assert_eq!(reply.codes(), ["BAD_REQUEST"]);
        assert!(!reply.has_data());
    }
}

#[tokio::test]
async fn parameters_of_the_wrong_shape_are_bad_requests() {
    let cases = [
        json!({ "notquery": "{ hello }" }),
        json!({ "query": { "obj": "ect" } }),
        json!({ "query": 0 }),
        json!({ "query": false }),
        json!({ "query": ["array"] }),
        json!({ "query": "{ hello }", "operationName": 1 }),
        json!({ "query": "{ hello }", "variables": "string" }),
        json!({ "query": "{ hello }", "variables": ["array"] }),
        json!({ "query": "{ hello }", "extensions": true }),
    ];
    for body in cases {
        for accept in ["application/json", support::GRAPHQL_RESPONSE] {
            let reply = TestRequest::post("/graphql")
                .json(&body)
                .accept(accept)
                .send(&subgraph())
                .await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body} {accept}");
            assert_eq!(reply.codes(), ["BAD_REQUEST"]);
        }
    }
}

#[tokio::test]
async fn null_parameters_mean_absent() {
    let body = json!({
        "query": "{ hello }",
        "operationName": null,
        "variables": null,
        "extensions": null,
    });
    let reply = TestRequest::post("/graphql")
        .json(&body)
        .send(&subgraph())
        .await;
    assert_eq!(reply.json(), json!({ "data": { "hello": "hello" } }));
}

#[tokio::test]
async fn the_health_check_answers_get() {
    let reply = TestRequest::get("/health").send(&subgraph()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({ "status": "ok" }));
    let reply = TestRequest::post("/health").send(&subgraph()).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn unknown_paths_are_not_found() {
    for path in ["/", "/graphql/extra", "/graphiql", "/healthz"] {
        let reply = TestRequest::get(path).send(&subgraph()).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            reply.errors()[0]["message"]
                .as_str()
                .unwrap()
                .contains(path)
        );
    }
}

#[tokio::test]
async fn the_graphql_path_can_be_changed() {
    let subgraph = subgraph_with(SubgraphOptions::default().path("api/graphql"));
    let moved = TestRequest::post("/api/graphql").json(&json!({ "query": "{ hello }" }));
    assert_eq!(moved.send(&subgraph).await.status, StatusCode::OK);
    let old = TestRequest::query("{ hello }").send(&subgraph).await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn requests_without_an_edge_are_still_served() {
    let reply = TestRequest::query("{ hello }")
        .without_edge()
        .send(&subgraph())
        .await;
    assert_eq!(reply.json(), json!({ "data": { "hello": "hello" } }));
}
