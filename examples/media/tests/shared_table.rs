//! The Todo and Media services over one table, as the one-process app and the deployed stack
//! run them: neither service's items show up in the other's reads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::json;
use stack_dynamo::{EmbeddedBackend, Table};
use support::{run, subgraph_over};

#[tokio::test]
async fn todos_and_their_media_share_a_table_without_meeting() {
    let table = Table::new(EmbeddedBackend::in_memory().unwrap());
    let todos = stack_graphql::Subgraph::new(todo_service::schema_for(table.clone()));
    let media = subgraph_over(table);

    let create = "mutation { createTodo(input: {title: \"with a photo\"}) { id } }";
    let (_, body) = run(&todos, Some("alice"), create, json!({})).await;
    let todo = body["data"]["createTodo"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let attach = "mutation($todo: ID!) {
        attachMedia(todoId: $todo, contentType: \"image/jpeg\", size: 99) { id } }";
    for _ in 0..3 {
        let (_, body) = run(&media, Some("alice"), attach, json!({ "todo": todo })).await;
        assert!(body["errors"].is_null(), "{body}");
    }

    let list = "{ todos(first: 2) { nodes { id title } pageInfo { hasNextPage } } }";
    let (_, body) = run(&todos, Some("alice"), list, json!({})).await;
    let expected = json!({
        "nodes": [{ "id": todo, "title": "with a photo" }],
        "pageInfo": { "hasNextPage": false },
    });
    assert_eq!(body["data"]["todos"], expected, "{body}");

    let refs = json!({ "r": [{ "__typename": "Todo", "id": todo }] });
    let entities = "query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Todo { attachments { contentType } } } }";
    let (_, body) = run(&media, Some("alice"), entities, refs.clone()).await;
    let attachments = body["data"]["_entities"][0]["attachments"].as_array();
    assert_eq!(attachments.map(Vec::len), Some(3), "{body}");
    let titles = "query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Todo { title } } }";
    let (_, body) = run(&todos, Some("alice"), titles, refs).await;
    assert_eq!(
        body["data"]["_entities"][0]["title"], "with a photo",
        "{body}"
    );
}
