//! The subgraph's federation face: the SDL the composition reads, and `Todo` references
//! resolved from their id alone, without reading the Todo service's items.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use support::{run, subgraph};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

const TODO: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

#[tokio::test]
async fn the_sdl_is_the_served_one_and_declares_both_entities() {
    let service = subgraph();
    let sdl = media_service::sdl();
    assert_eq!(sdl, service.sdl());
    let (_, body) = run(&service, None, "{ _service { sdl } }", json!({})).await;
    assert_eq!(body["data"]["_service"]["sdl"], sdl.as_str());

    for expected in [
        "type Media @key(fields: \"id\")",
        "type Todo @key(fields: \"id\")",
        "attachments: [Media!]!",
        "scalar ByteCount",
        "attachMedia(todoId: ID!, contentType: String!, size: ByteCount!): Media!",
        "deleteMedia(id: ID!): Boolean!",
        "media(id: ID!): Media",
        "enum MediaKind",
        "enum MediaStatus",
    ] {
        assert!(sdl.contains(expected), "missing {expected:?} in\n{sdl}");
    }
}

/// Counts the `dynamodb` spans, one per backend call.
struct CountCalls(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> Layer<S> for CountCalls {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: Context<'_, S>,
    ) {
        if attrs.metadata().name() == "dynamodb" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn todo_references_read_no_item_unless_attachments_are_asked_for() {
    let calls = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(CountCalls(Arc::clone(&calls)));
    let _guard = tracing::subscriber::set_default(subscriber);
    let service = subgraph();
    let refs = json!({ "r": [{ "__typename": "Todo", "id": TODO }] });

    let ids_only = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Todo { id } } }";
    let (_, body) = run(&service, Some("alice"), ids_only, refs.clone()).await;
    assert_eq!(body["data"]["_entities"], json!([{ "id": TODO }]), "{body}");
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no table call for ids");

    let with_attachments = "query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Todo { attachments { id } } } }";
    let (_, body) = run(&service, Some("alice"), with_attachments, refs).await;
    assert_eq!(
        body["data"]["_entities"],
        json!([{ "attachments": [] }]),
        "{body}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one query of the index");
}
