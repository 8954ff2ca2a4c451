//! Composition is deterministic, and a committed supergraph is checked against the code and
//! rewritten on request.

#![cfg(feature = "compose")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use async_graphql::{EmptyMutation, EmptySubscription, ID, Object, Schema, SimpleObject};
use stack_graphql::compose::{Composer, Drift, OnDrift, SubgraphSdl, check_committed_with};

#[derive(SimpleObject)]
struct Todo {
    id: ID,
    title: String,
}

struct TodoQuery;

#[Object(name = "Query")]
impl TodoQuery {
    async fn todos(&self) -> Vec<Todo> {
        Vec::new()
    }

    #[graphql(entity)]
    async fn todo_by_id(&self, id: ID) -> Todo {
        Todo {
            id,
            title: String::new(),
        }
    }
}

const MEDIA: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

type Query {
  uploads: [Upload!]!
}

type Upload {
  key: String!
}

type Todo @key(fields: "id") {
  id: ID!
  attachments: [Upload!]!
}
"#;

fn composer(media_first: bool) -> Composer {
    let todo = Schema::build(TodoQuery, EmptyMutation, EmptySubscription).finish();
    let composer = Composer::new();
    let composer = if media_first {
        composer.subgraph("media", "http://127.0.0.1:4002/graphql", MEDIA)
    } else {
        composer
    };
    let composer = composer.schema("todo", "http://127.0.0.1:4001/graphql", &todo);
    if media_first {
        composer
    } else {
        composer.subgraph("media", "http://127.0.0.1:4002/graphql", MEDIA)
    }
}

fn sdl(media_first: bool) -> String {
    composer(media_first).compose().unwrap().into_sdl()
}

#[test]
fn the_same_subgraphs_compose_to_the_same_bytes() {
    let first = sdl(false);
    for _ in 0..5 {
        assert_eq!(sdl(false), first);
    }
}

#[test]
fn the_order_subgraphs_are_added_in_does_not_matter() {
    assert_eq!(sdl(true), sdl(false));
    let composer = composer(true);
    let names: Vec<&str> = composer.subgraphs().iter().map(SubgraphSdl::name).collect();
    assert_eq!(names, ["media", "todo"]);
}

#[test]
fn a_matching_committed_supergraph_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("supergraph.graphql");
    std::fs::write(&path, sdl(false).replace('\n', "\r\n")).unwrap();
    check_committed_with(&path, &sdl(false), OnDrift::Fail).unwrap();
}

#[test]
fn a_drifted_supergraph_fails_with_the_first_difference_and_how_to_update() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("supergraph.graphql");
    let composed = sdl(false);
    let committed = composed.replace("attachments: [Upload!]!", "files: [Upload!]!");
    std::fs::write(&path, &committed).unwrap();
    let drift = check_committed_with(&path, &composed, OnDrift::Fail).unwrap_err();
    let Drift::Differs {
        line,
        committed: old,
        composed: new,
        ..
    } = &drift
    else {
        panic!("{drift:?}");
    };
    let expected_line = composed
        .lines()
        .position(|l| l.contains("attachments"))
        .unwrap()
        + 1;
    assert_eq!(*line, expected_line);
    assert!(
        old.contains("files") && new.contains("attachments"),
        "{drift}"
    );
    let message = drift.to_string();
    assert!(message.contains("STACK_UPDATE_SUPERGRAPH=1"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    // Nothing was written.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), committed);
}

#[test]
fn a_missing_supergraph_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("supergraph.graphql");
    let drift = check_committed_with(&path, &sdl(false), OnDrift::Fail).unwrap_err();
    assert!(matches!(drift, Drift::Missing { .. }), "{drift:?}");
    assert!(!path.exists());
}

#[test]
fn rewrite_updates_a_drifted_or_missing_supergraph() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("graphql").join("supergraph.graphql");
    let composed = sdl(false);
    check_committed_with(&path, &composed, OnDrift::Rewrite).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), composed);
    std::fs::write(&path, "type Query { stale: Int }\n").unwrap();
    check_committed_with(&path, &composed, OnDrift::Rewrite).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), composed);
    check_committed_with(&path, &composed, OnDrift::Fail).unwrap();
}
