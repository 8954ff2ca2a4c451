//! Federation v2: `_service { sdl }` and `_entities`, which keeps the order and length of the
//! representations and answers null plus an error for each one that does not resolve.

#![cfg(feature = "subgraph")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::{Value, json};
use support::{GRAPHQL_RESPONSE, TestRequest, subgraph};

const ENTITIES: &str = "query($representations: [_Any!]!) {
    _entities(representations: $representations) {
        __typename
        ... on Product { id name }
        ... on User { id }
    }
}";

/// Posts `query` with `variables`, asking for `application/graphql-response+json`.
async fn post(query: &str, variables: Value) -> support::Reply {
    let body = json!({ "query": query, "variables": variables });
    TestRequest::post("/graphql")
        .json(&body)
        .accept(GRAPHQL_RESPONSE)
        .send(&subgraph())
        .await
}

async fn entities(representations: Value) -> Value {
    let reply = post(ENTITIES, json!({ "representations": representations })).await;
    assert_eq!(reply.status, http::StatusCode::OK, "{}", reply.text);
    reply.json()
}

fn product(id: &str) -> Value {
    json!({ "__typename": "Product", "id": id })
}

fn paths_and_codes(body: &Value) -> Vec<(Value, String)> {
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    let mut found: Vec<_> = errors
        .iter()
        .map(|error| {
            (
                error["path"].clone(),
                error["extensions"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            )
        })
        .collect();
    found.sort_by_key(|(path, _)| path.to_string());
    found
}

#[tokio::test]
async fn the_service_sdl_is_the_exported_federation_sdl() {
    let reply = TestRequest::query("{ _service { sdl } }")
        .send(&subgraph())
        .await;
    let sdl = reply.json()["data"]["_service"]["sdl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(sdl, subgraph().sdl());
    assert_eq!(sdl, stack_graphql::federation_sdl(subgraph().schema()));
    assert!(sdl.contains("@link"), "{sdl}");
    assert!(sdl.contains(r#"type Product @key(fields: "id")"#), "{sdl}");
    assert!(!sdl.contains("_entities"), "{sdl}");
}

#[tokio::test]
async fn the_service_sdl_is_answered_with_introspection_off() {
    let reply = TestRequest::query("{ _service { sdl } }")
        .lambda()
        .accept(GRAPHQL_RESPONSE)
        .send(&subgraph())
        .await;
    assert_eq!(reply.status, http::StatusCode::OK);
    assert_eq!(
        reply.json()["data"]["_service"]["sdl"].as_str(),
        Some(subgraph().sdl().as_str())
    );
}

#[tokio::test]
async fn entities_resolve_in_the_order_of_the_representations() {
    let body =
        entities(json!([product("3"), { "__typename": "User", "id": "u1" }, product("1")])).await;
    assert_eq!(
        body,
        json!({ "data": { "_entities": [
            { "__typename": "Product", "id": "3", "name": "toaster" },
            { "__typename": "User", "id": "u1" },
            { "__typename": "Product", "id": "1", "name": "kettle" },
        ] } })
    );
}

#[tokio::test]
async fn a_missing_entity_is_null_with_an_error_at_its_position() {
    let body = entities(json!([product("1"), product("404"), product("2")])).await;
    let found = &body["data"]["_entities"];
    assert_eq!(found[0]["name"], "kettle");
    assert_eq!(found[1], Value::Null);
    assert_eq!(found[2]["name"], "teapot");
    assert_eq!(
        paths_and_codes(&body),
        [(json!(["_entities", 1]), "NOT_FOUND".to_owned())]
    );
}

#[tokio::test]
async fn an_unknown_typename_is_null_with_an_error_and_spares_the_others() {
    let body =
        entities(json!([product("1"), { "__typename": "Nope", "id": "1" }, product("2")])).await;
    let found = body["data"]["_entities"].as_array().unwrap().clone();
    assert_eq!(found.len(), 3);
    assert_eq!(found[0]["name"], "kettle");
    assert_eq!(found[1], Value::Null);
    assert_eq!(found[2]["name"], "teapot");
    assert_eq!(
        paths_and_codes(&body),
        [(json!(["_entities", 1]), "BAD_USER_INPUT".to_owned())]
    );
}

#[tokio::test]
async fn representations_that_are_not_objects_with_a_typename_are_null_with_errors() {
    let body = entities(json!([{ "id": "1" }, 7, { "__typename": 3 }, product("2")])).await;
    let found = &body["data"]["_entities"];
    assert_eq!(found.as_array().map(Vec::len), Some(4));
    assert_eq!(found[3]["name"], "teapot");
    let expected: Vec<_> = (0..3)
        .map(|i| (json!(["_entities", i]), "BAD_USER_INPUT".to_owned()))
        .collect();
    assert_eq!(paths_and_codes(&body), expected);
}

#[tokio::test]
async fn a_failing_resolver_fails_only_its_own_entity() {
    let users = json!([
        { "__typename": "User", "id": "a" },
        { "__typename": "User", "id": "broken" },
        product("404"),
        { "__typename": "User", "id": "c" },
    ]);
    let body = entities(users).await;
    let found = &body["data"]["_entities"];
    assert_eq!(found[0]["id"], "a");
    assert_eq!(found[1], Value::Null);
    assert_eq!(found[2], Value::Null);
    assert_eq!(found[3]["id"], "c");
    let expected = [
        (json!(["_entities", 1]), "INTERNAL_SERVER_ERROR".to_owned()),
        (json!(["_entities", 2]), "NOT_FOUND".to_owned()),
    ];
    assert_eq!(paths_and_codes(&body), expected);
    assert_eq!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["message"] == "internal server error")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_large_batch_keeps_its_order_and_length() {
    let representations: Vec<Value> = (0..200)
        .map(|i| match i % 4 {
            0 => product("1"),
            1 => product("404"),
            2 => json!({ "__typename": "Ghost", "id": "x" }),
            _ => product("3"),
        })
        .collect();
    let body = entities(Value::Array(representations)).await;
    let found = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(found.len(), 200);
    for (i, entity) in found.iter().enumerate() {
        match i % 4 {
            0 => assert_eq!(entity["name"], "kettle"),
            3 => assert_eq!(entity["name"], "toaster"),
            _ => assert_eq!(entity, &Value::Null, "{i}"),
        }
    }
    assert_eq!(body["errors"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn inline_representations_and_aliases_are_handled_the_same_way() {
    let query = r#"{ found: _entities(representations: [
        { __typename: "Product", id: "2" },
        { __typename: "Nope" },
        { __typename: "Product", id: "1" }
    ]) { ... on Product { name } } }"#;
    let body = TestRequest::query(query).send(&subgraph()).await.json();
    assert_eq!(
        body["data"]["found"],
        json!([{ "name": "teapot" }, null, { "name": "kettle" }])
    );
    assert_eq!(
        paths_and_codes(&body),
        [(json!(["found", 1]), "BAD_USER_INPUT".to_owned())]
    );
}

#[tokio::test]
async fn an_empty_batch_is_an_empty_list() {
    assert_eq!(
        entities(json!([])).await,
        json!({ "data": { "_entities": [] } })
    );
}

#[tokio::test]
async fn a_single_representation_is_coerced_into_a_list() {
    let body = entities(product("2")).await;
    assert_eq!(
        body["data"]["_entities"],
        json!([{ "__typename": "Product", "id": "2", "name": "teapot" }])
    );
    let body = entities(json!("nope")).await;
    assert_eq!(body["data"]["_entities"], json!([null]));
    assert_eq!(
        paths_and_codes(&body),
        [(json!(["_entities", 0]), "BAD_USER_INPUT".to_owned())]
    );
}

#[tokio::test]
async fn too_many_representations_are_refused_before_any_resolver_runs() {
    let representations: Vec<Value> = (0..501).map(|n| product(&n.to_string())).collect();
    let reply = post(ENTITIES, json!({ "representations": representations })).await;
    assert_eq!(
        reply.status,
        http::StatusCode::BAD_REQUEST,
        "{}",
        reply.text
    );
    let error = &reply.json()["errors"][0];
    assert_eq!(error["extensions"]["code"], "OPERATION_LIMIT_EXCEEDED");
    assert_eq!(error["extensions"]["limit"], "entities");
}

#[tokio::test]
async fn a_bad_representation_in_a_full_batch_still_answers_every_other_one() {
    let mut representations: Vec<Value> = (0..499).map(|n| product(&n.to_string())).collect();
    representations.insert(0, json!(5));
    let body = entities(Value::Array(representations)).await;
    let items = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(items.len(), 500);
    assert_eq!(items[0], Value::Null);
    assert_eq!(
        paths_and_codes(&body)[0],
        (json!(["_entities", 0]), "BAD_USER_INPUT".to_owned())
    );
}

#[tokio::test]
async fn entities_mixed_into_other_shapes_are_refused() {
    let shapes = [
        "query($r: [_Any!]!) { __typename _entities(representations: $r) { __typename } }",
        "query($r: [_Any!]!) { a: _entities(representations: $r) { __typename } b: _entities(representations: $r) { __typename } }",
        "query($r: [_Any!]!) { ...E } fragment E on Query { _entities(representations: $r) { __typename } }",
        "query($r: [_Any!]!) { ... on Query { _entities(representations: $r) { __typename } } }",
    ];
    for query in shapes {
        let reply = post(query, json!({ "r": [product("1")] })).await;
        assert_eq!(
            reply.status,
            http::StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.text
        );
        assert!(reply.json().get("data").is_none(), "{query}");
    }
}
