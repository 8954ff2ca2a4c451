//! The Todo API through the subgraph handler: the operations, their errors, and that each
//! caller sees only their own todos.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

mod support;

use serde_json::{Value, json};
use stack_core::http::HttpService;
use support::{first_code, run, subgraph};

const CREATE: &str = "mutation($title: String!) { createTodo(input: {title: $title}) { id title completed version createdAt updatedAt } }";
const LIST: &str = "query($first: Int, $after: String) { todos(first: $first, after: $after) { nodes { id title } pageInfo { endCursor hasNextPage } } }";
const UPDATE: &str = "mutation($id: ID!, $input: UpdateTodoInput!) { updateTodo(id: $id, input: $input) { id title completed version } }";

async fn create(service: &impl HttpService, user: &str, title: &str) -> Value {
    let (status, body) = run(service, Some(user), CREATE, json!({ "title": title })).await;
    assert_eq!(status, 200, "{body}");
    body["data"]["createTodo"].clone()
}

async fn create_id(service: &impl HttpService, user: &str, title: &str) -> String {
    create(service, user, title).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn create_read_update_delete() {
    let service = subgraph();
    let todo = create(&service, "alice", "  write the docs ").await;
    assert_eq!(todo["title"], "write the docs");
    assert_eq!(todo["completed"], false);
    assert_eq!(todo["version"], 1);
    assert_eq!(todo["createdAt"], todo["updatedAt"]);
    let id = todo["id"].as_str().unwrap();

    let (_, body) = run(
        &service,
        Some("alice"),
        "query($id: ID!) { todo(id: $id) { title version } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        body["data"]["todo"],
        json!({ "title": "write the docs", "version": 1 })
    );

    let input = json!({ "completed": true, "expectedVersion": 1 });
    let (status, body) = run(
        &service,
        Some("alice"),
        UPDATE,
        json!({ "id": id, "input": input }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["updateTodo"]["completed"], true);
    assert_eq!(body["data"]["updateTodo"]["version"], 2);

    let (_, body) = run(
        &service,
        Some("alice"),
        "mutation($id: ID!) { deleteTodo(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(body["data"]["deleteTodo"], true);
    let (_, body) = run(
        &service,
        Some("alice"),
        "mutation($id: ID!) { deleteTodo(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(body["data"]["deleteTodo"], false);
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict() {
    let service = subgraph();
    let id = create_id(&service, "alice", "race").await;
    let first = json!({ "id": id, "input": { "title": "first", "expectedVersion": 1 } });
    let (_, body) = run(&service, Some("alice"), UPDATE, first.clone()).await;
    assert_eq!(body["data"]["updateTodo"]["version"], 2, "{body}");

    let (_, body) = run(&service, Some("alice"), UPDATE, first).await;
    assert_eq!(first_code(&body), "CONFLICT", "{body}");
    let (_, body) = run(
        &service,
        Some("alice"),
        "query($id: ID!) { todo(id: $id) { title version } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        body["data"]["todo"],
        json!({ "title": "first", "version": 2 }),
        "the stale write changed nothing"
    );
}

#[tokio::test]
async fn titles_are_validated() {
    let service = subgraph();
    for title in ["", "   ", &"x".repeat(201)] {
        let (_, body) = run(&service, Some("alice"), CREATE, json!({ "title": title })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{title:?}: {body}");
    }
    let id = create_id(&service, "alice", "ok").await;
    let (_, body) = run(
        &service,
        Some("alice"),
        UPDATE,
        json!({ "id": id, "input": { "title": "" } }),
    )
    .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn callers_see_only_their_own_todos() {
    let service = subgraph();
    let id = create_id(&service, "alice", "private").await;

    let (_, body) = run(
        &service,
        Some("bob"),
        "query($id: ID!) { todo(id: $id) { title } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(body["data"]["todo"], Value::Null);
    let (_, body) = run(&service, Some("bob"), LIST, json!({})).await;
    assert_eq!(body["data"]["todos"]["nodes"], json!([]));
    let (_, body) = run(
        &service,
        Some("bob"),
        UPDATE,
        json!({ "id": id, "input": { "title": "mine now" } }),
    )
    .await;
    assert_eq!(first_code(&body), "NOT_FOUND", "{body}");
    let (_, body) = run(
        &service,
        Some("bob"),
        "mutation($id: ID!) { deleteTodo(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(body["data"]["deleteTodo"], false);

    let (_, body) = run(&service, Some("alice"), LIST, json!({})).await;
    assert_eq!(body["data"]["todos"]["nodes"][0]["title"], "private");
}

#[tokio::test]
async fn anonymous_callers_are_unauthenticated() {
    let service = subgraph();
    let (_, body) = run(&service, None, LIST, json!({})).await;
    assert_eq!(first_code(&body), "UNAUTHENTICATED", "{body}");
}

#[tokio::test]
async fn todos_page_in_creation_order() {
    let service = subgraph();
    for n in 0..5 {
        create(&service, "alice", &format!("todo {n}")).await;
    }
    let mut titles = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let (_, body) = run(
            &service,
            Some("alice"),
            LIST,
            json!({ "first": 2, "after": after }),
        )
        .await;
        let todos = &body["data"]["todos"];
        titles.extend(
            todos["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_owned()),
        );
        pages += 1;
        if todos["pageInfo"]["hasNextPage"] == false {
            assert_eq!(todos["pageInfo"]["endCursor"], Value::Null);
            break;
        }
        after = todos["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(titles, ["todo 0", "todo 1", "todo 2", "todo 3", "todo 4"]);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn bad_paging_arguments_are_bad_user_input() {
    let service = subgraph();
    for variables in [
        json!({ "first": 0 }),
        json!({ "first": 101 }),
        json!({ "first": 2, "after": "garbage" }),
    ] {
        let (_, body) = run(&service, Some("alice"), LIST, variables.clone()).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
    }
}

#[tokio::test]
async fn unknown_ids_are_not_found_or_invalid() {
    let service = subgraph();
    let (_, body) = run(
        &service,
        Some("alice"),
        UPDATE,
        json!({ "id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "input": { "completed": true } }),
    )
    .await;
    assert_eq!(first_code(&body), "NOT_FOUND", "{body}");
    let (_, body) = run(
        &service,
        Some("alice"),
        "query { todo(id: \"../x\") { title } }",
        json!({}),
    )
    .await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn entities_resolve_only_for_their_owner_in_order() {
    let service = subgraph();
    let mine = create_id(&service, "alice", "mine").await;
    let theirs = create_id(&service, "bob", "theirs").await;
    let query =
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Todo { id title } } }";
    let representations = json!([
        { "__typename": "Todo", "id": theirs },
        { "__typename": "Todo", "id": mine },
    ]);
    let (_, body) = run(
        &service,
        Some("alice"),
        query,
        json!({ "r": representations }),
    )
    .await;
    let entities = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(entities.len(), 2, "{body}");
    assert_eq!(entities[0], Value::Null);
    assert_eq!(entities[1]["title"], "mine");
}

#[tokio::test]
async fn the_subgraph_sdl_declares_the_todo_key() {
    let service = subgraph();
    let (_, body) = run(&service, None, "{ _service { sdl } }", json!({})).await;
    let sdl = body["data"]["_service"]["sdl"].as_str().unwrap_or_default();
    assert!(sdl.contains("type Todo @key(fields: \"id\")"), "{sdl}");
    assert!(
        sdl.contains("createTodo(input: CreateTodoInput!): Todo!"),
        "{sdl}"
    );
}

#[tokio::test]
async fn arguments_out_of_range_are_bad_user_input() {
    let service = subgraph();
    let id = create_id(&service, "alice", "range").await;
    let queries = [
        (
            "{ todos(first: 2147483648) { nodes { id } } }".to_owned(),
            json!({}),
        ),
        (
            UPDATE.to_owned(),
            json!({ "id": id, "input": { "expectedVersion": -1 } }),
        ),
    ];
    for (query, variables) in queries {
        let (_, body) = run(&service, Some("alice"), &query, variables).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{query}: {body}");
    }
}
