//! The embedded backend keeps every committed write across a restart of the process.

#![cfg(feature = "local")]
#![allow(clippy::unwrap_used)]

use serde::{Deserialize, Serialize};
use stack_dynamo::{EmbeddedBackend, Entity, Keys, Query, Table};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Todo {
    id: String,
    title: String,
    #[serde(default)]
    version: u64,
}

impl Todo {
    fn new(id: &str, title: &str) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            version: 0,
        }
    }
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";
    const KEYS: Keys = Keys::new("LIST#home", "TODO#{id}");
}

#[tokio::test]
async fn a_reopened_table_has_every_committed_write() {
    let dir = tempfile::tempdir().unwrap();
    let table = Table::new(EmbeddedBackend::open(dir.path(), "app").unwrap());
    for (id, title) in [("1", "Milk"), ("2", "Eggs"), ("3", "Bread")] {
        table.create(Todo::new(id, title)).await.unwrap();
    }
    let retitle = |todo: &mut Todo| {
        todo.title = "Oat milk".into();
        Ok(())
    };
    table
        .update::<Todo, _>(&Todo::new("1", "").key().unwrap(), Some(1), retitle)
        .await
        .unwrap();
    table
        .delete::<Todo>(&Todo::new("2", "").key().unwrap())
        .await
        .unwrap();
    drop(table);

    let reopened = Table::new(EmbeddedBackend::open(dir.path(), "app").unwrap());
    let page = reopened
        .query::<Todo>(Query::new("LIST#home"))
        .await
        .unwrap();
    let titles: Vec<_> = page
        .items
        .iter()
        .map(|todo| (todo.title.as_str(), todo.version))
        .collect();
    assert_eq!(titles, [("Oat milk", 2), ("Bread", 1)]);
}

#[tokio::test]
async fn a_table_open_twice_at_once_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _open = EmbeddedBackend::open(dir.path(), "app").unwrap();
    assert!(EmbeddedBackend::open(dir.path(), "app").is_err());
}

#[tokio::test]
async fn an_index_added_later_is_built_from_stored_items() {
    use stack_dynamo::{EmbeddedOptions, IndexKeys};

    #[derive(Debug, Serialize, Deserialize)]
    struct Tagged {
        id: String,
        tag: String,
    }

    impl Entity for Tagged {
        const TYPE: &'static str = "Tagged";
        const KEYS: Keys = Keys::new("TAGGED", "{id}").with_indexes(&[IndexKeys::new(
            "bytag",
            "TAG#{tag}",
            "{id}",
        )]);
    }

    let dir = tempfile::tempdir().unwrap();
    let without = EmbeddedOptions::default().with_indexes(&["gsi1"]);
    let table = Table::new(EmbeddedBackend::open_with(dir.path(), "app", without).unwrap());
    for (id, tag) in [("1", "red"), ("2", "blue"), ("3", "red")] {
        let tagged = Tagged {
            id: id.into(),
            tag: tag.into(),
        };
        table.create(tagged).await.unwrap();
    }
    drop(table);

    let with = EmbeddedOptions::default().with_indexes(&["gsi1", "bytag"]);
    let table = Table::new(EmbeddedBackend::open_with(dir.path(), "app", with).unwrap());
    let red = table
        .query::<Tagged>(Query::on_index("bytag", "TAG#red"))
        .await
        .unwrap();
    let ids: Vec<_> = red.items.iter().map(|tagged| tagged.id.as_str()).collect();
    assert_eq!(ids, ["1", "3"]);
}
