//! The Media API through the subgraph handler, on the embedded table and on DynamoDB (moto):
//! attaching, reading by id and through `Todo` and `Media` references, deleting, and that each
//! caller sees only their own media.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

mod support;

use serde_json::{Value, json};
use stack_core::http::HttpService;
use support::{first_code, run, subgraphs};

const TODO: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
const OTHER_TODO: &str = "01BX5ZZKBKACTAV9WEVGEMMVRZ";

const ATTACH: &str = "mutation($todo: ID!, $type: String!, $size: ByteCount!) {
    attachMedia(todoId: $todo, contentType: $type, size: $size) {
        id owner todoId kind status contentType size createdAt } }";
const MEDIA: &str = "query($id: ID!) { media(id: $id) { id contentType } }";
const DELETE: &str = "mutation($id: ID!) { deleteMedia(id: $id) }";
const TODO_ENTITIES: &str = "query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Todo { id attachments { id contentType kind } } } }";
const MEDIA_ENTITIES: &str = "query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Media { id todoId size } } }";

async fn attach(service: &impl HttpService, user: &str, todo: &str, kind: &str) -> Value {
    let variables = json!({ "todo": todo, "type": kind, "size": 1024 });
    let (status, body) = run(service, Some(user), ATTACH, variables).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["attachMedia"].clone()
}

fn todo_refs(ids: &[&str]) -> Value {
    let refs: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "__typename": "Todo", "id": id }))
        .collect();
    json!({ "r": refs })
}

async fn attachment_types(service: &impl HttpService, user: &str, todo: &str) -> Vec<String> {
    let (_, body) = run(service, Some(user), TODO_ENTITIES, todo_refs(&[todo])).await;
    let attachments = body["data"]["_entities"][0]["attachments"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    attachments
        .iter()
        .map(|media| media["contentType"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn attached_media_are_pending_and_read_by_id() {
    for (backend, service) in subgraphs().await {
        let media = attach(&service, "alice", TODO, "Image/PNG").await;
        assert_eq!(media["owner"], "alice", "{backend}");
        assert_eq!(media["todoId"], TODO);
        assert_eq!(media["kind"], "IMAGE");
        assert_eq!(media["status"], "PENDING");
        assert_eq!(media["contentType"], "image/png");
        assert_eq!(media["size"], 1024);
        let created = media["createdAt"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(created).is_ok(),
            "{media}"
        );
        let id = media["id"].as_str().unwrap();
        assert_eq!(id.len(), 26, "a ULID");

        let (_, body) = run(&service, Some("alice"), MEDIA, json!({ "id": id })).await;
        let expected = json!({ "id": id, "contentType": "image/png" });
        assert_eq!(body["data"]["media"], expected, "{backend}: {body}");
    }
}

#[tokio::test]
async fn todo_references_resolve_to_their_attachments_oldest_first() {
    for (backend, service) in subgraphs().await {
        attach(&service, "alice", TODO, "image/jpeg").await;
        attach(&service, "alice", OTHER_TODO, "audio/ogg").await;
        attach(&service, "alice", TODO, "application/pdf").await;

        let (_, body) = run(
            &service,
            Some("alice"),
            TODO_ENTITIES,
            todo_refs(&[TODO, OTHER_TODO]),
        )
        .await;
        let entities = &body["data"]["_entities"];
        assert_eq!(entities[0]["id"], TODO, "{backend}: {body}");
        let first = &entities[0]["attachments"];
        assert_eq!(first[0]["contentType"], "image/jpeg", "{backend}: {body}");
        assert_eq!(first[1]["contentType"], "application/pdf");
        assert_eq!(first[1]["kind"], "DOCUMENT");
        assert_eq!(first.as_array().map(Vec::len), Some(2));
        assert_eq!(entities[1]["attachments"][0]["kind"], "AUDIO");
    }
}

#[tokio::test]
async fn a_todo_without_media_resolves_with_no_attachments() {
    for (backend, service) in subgraphs().await {
        let types = attachment_types(&service, "alice", TODO).await;
        assert!(types.is_empty(), "{backend}: {types:?}");
    }
}

#[tokio::test]
async fn media_references_resolve_for_their_owner_only_in_order() {
    for (backend, service) in subgraphs().await {
        let mine = attach(&service, "alice", TODO, "video/mp4").await;
        let theirs = attach(&service, "bob", TODO, "video/mp4").await;
        let representations = json!({ "r": [
            { "__typename": "Media", "id": theirs["id"] },
            { "__typename": "Media", "id": mine["id"] },
        ] });
        let (_, body) = run(&service, Some("alice"), MEDIA_ENTITIES, representations).await;
        let entities = body["data"]["_entities"].as_array().unwrap();
        assert_eq!(entities.len(), 2, "{backend}: {body}");
        assert_eq!(entities[0], Value::Null);
        assert_eq!(entities[1]["id"], mine["id"]);
        assert_eq!(entities[1]["todoId"], TODO);
        assert_eq!(first_code(&body), "NOT_FOUND", "the null is explained");
    }
}

#[tokio::test]
async fn callers_see_and_delete_only_their_own_media() {
    for (backend, service) in subgraphs().await {
        let media = attach(&service, "alice", TODO, "text/markdown").await;
        let id = json!({ "id": media["id"] });

        let (_, body) = run(&service, Some("bob"), MEDIA, id.clone()).await;
        assert_eq!(body["data"]["media"], Value::Null, "{backend}: {body}");
        assert!(attachment_types(&service, "bob", TODO).await.is_empty());
        let (_, body) = run(&service, Some("bob"), DELETE, id.clone()).await;
        assert_eq!(body["data"]["deleteMedia"], false, "{backend}: {body}");

        let types = attachment_types(&service, "alice", TODO).await;
        assert_eq!(types, ["text/markdown"], "{backend}");
    }
}

#[tokio::test]
async fn deleted_media_are_gone_everywhere() {
    for (backend, service) in subgraphs().await {
        let kept = attach(&service, "alice", TODO, "image/gif").await;
        let gone = attach(&service, "alice", TODO, "image/webp").await;
        let id = json!({ "id": gone["id"] });

        let (_, body) = run(&service, Some("alice"), DELETE, id.clone()).await;
        assert_eq!(body["data"]["deleteMedia"], true, "{backend}: {body}");
        let (_, body) = run(&service, Some("alice"), DELETE, id.clone()).await;
        assert_eq!(body["data"]["deleteMedia"], false, "{backend}: {body}");
        let (_, body) = run(&service, Some("alice"), MEDIA, id).await;
        assert_eq!(body["data"]["media"], Value::Null);

        let types = attachment_types(&service, "alice", TODO).await;
        assert_eq!(types, ["image/gif"], "{backend}");
        let (_, body) = run(&service, Some("alice"), MEDIA, json!({ "id": kept["id"] })).await;
        assert_eq!(body["data"]["media"]["contentType"], "image/gif");
    }
}

#[tokio::test]
async fn bad_input_is_bad_user_input_with_a_reason() {
    for (backend, service) in subgraphs().await {
        let cases = [
            (json!("../x"), json!("image/png"), json!(1), "todo id"),
            (
                json!(TODO.to_lowercase()),
                json!("image/png"),
                json!(1),
                "todo id",
            ),
            (json!(TODO), json!("image"), json!(1), "type/subtype"),
            (
                json!(TODO),
                json!("image/png; q=1"),
                json!(1),
                "type/subtype",
            ),
            (json!(TODO), json!("text/html"), json!(1), "not accepted"),
            (json!(TODO), json!("image/svg+xml"), json!(1), "scripts"),
            (json!(TODO), json!("image/png"), json!(0), "size"),
            (
                json!(TODO),
                json!("image/png"),
                json!(5_368_709_121_u64),
                "size",
            ),
            (json!(TODO), json!("image/png"), json!(-1), "whole number"),
            (json!(TODO), json!("image/png"), json!(1.5), "whole number"),
            (
                json!(TODO),
                json!("image/png"),
                json!(9_007_199_254_740_992_u64),
                "whole number",
            ),
            (json!(TODO), json!("image/png"), json!("12"), "ByteCount"),
        ];
        for (todo, kind, size, reason) in cases {
            let variables = json!({ "todo": todo, "type": kind, "size": size });
            let (_, body) = run(&service, Some("alice"), ATTACH, variables.clone()).await;
            assert_eq!(
                first_code(&body),
                "BAD_USER_INPUT",
                "{backend} {variables}: {body}"
            );
            let message = body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains(reason), "{variables}: {message}");
        }
        let (_, body) = run(&service, Some("alice"), MEDIA, json!({ "id": "nope" })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
        let (_, body) = run(&service, Some("alice"), TODO_ENTITIES, todo_refs(&["nope"])).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
        assert!(attachment_types(&service, "alice", TODO).await.is_empty());
    }
}

#[tokio::test]
async fn sizes_past_the_graphql_int_range_are_kept_exactly() {
    for (backend, service) in subgraphs().await {
        let five_gib = 5_u64 * 1024 * 1024 * 1024;
        let variables = json!({ "todo": TODO, "type": "video/quicktime", "size": five_gib });
        let (_, body) = run(&service, Some("alice"), ATTACH, variables).await;
        assert_eq!(
            body["data"]["attachMedia"]["size"], five_gib,
            "{backend}: {body}"
        );
        let inline = format!(
            "mutation {{ attachMedia(todoId: \"{TODO}\", contentType: \"audio/flac\", size: {}) {{ size }} }}",
            five_gib - 1
        );
        let (_, body) = run(&service, Some("alice"), &inline, json!({})).await;
        assert_eq!(body["data"]["attachMedia"]["size"], five_gib - 1, "{body}");
    }
}

#[tokio::test]
async fn anonymous_callers_are_unauthenticated() {
    for (backend, service) in subgraphs().await {
        let calls = [
            (MEDIA, json!({ "id": TODO })),
            (DELETE, json!({ "id": TODO })),
            (
                ATTACH,
                json!({ "todo": TODO, "type": "image/png", "size": 1 }),
            ),
            (TODO_ENTITIES, todo_refs(&[TODO])),
            (
                MEDIA_ENTITIES,
                json!({ "r": [{ "__typename": "Media", "id": TODO }] }),
            ),
        ];
        for (query, variables) in calls {
            let (_, body) = run(&service, None, query, variables).await;
            assert_eq!(
                first_code(&body),
                "UNAUTHENTICATED",
                "{backend} {query}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn the_hundred_and_first_attachment_is_a_conflict() {
    // On the embedded table only: a hundred attaches on moto are slow, and the counting is the
    // same transaction on both backends (see the service's tests).
    let service = support::subgraph();
    for _ in 0..100 {
        attach(&service, "alice", TODO, "image/png").await;
    }
    let variables = json!({ "todo": TODO, "type": "image/png", "size": 1 });
    let (_, body) = run(&service, Some("alice"), ATTACH, variables.clone()).await;
    assert_eq!(first_code(&body), "CONFLICT", "{body}");
    assert_eq!(attachment_types(&service, "alice", TODO).await.len(), 100);
    let (_, body) = run(&service, Some("bob"), ATTACH, variables).await;
    assert!(
        body["errors"].is_null(),
        "another owner's todo has room: {body}"
    );
}
