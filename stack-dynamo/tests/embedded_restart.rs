//! The embedded backend keeps every committed write across a restart of the process.

#![cfg(feature = "local")]
#![allow(clippy::unwrap_used)]

use serde::{Deserialize, Serialize};
use stack_dynamo::{EmbeddedBackend, Entity, Key, Query, Table};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Todo {
    id: String,
    title: String,
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

    fn key(&self) -> Key {
        Key::new("LIST#home", format!("TODO#{}", self.id))
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn set_version(&mut self, version: u64) {
        self.version = version;
    }
}

#[tokio::test]
async fn a_reopened_table_has_every_committed_write() {
    let dir = tempfile::tempdir().unwrap();
    let table = Table::new(EmbeddedBackend::open(dir.path(), "app").unwrap());
    for (id, title) in [("1", "Milk"), ("2", "Eggs"), ("3", "Bread")] {
        table.create(&mut Todo::new(id, title)).await.unwrap();
    }
    let retitle = |todo: &mut Todo| {
        todo.title = "Oat milk".into();
        Ok(())
    };
    table
        .update::<Todo, _>(&Todo::new("1", "").key(), Some(1), retitle)
        .await
        .unwrap();
    table
        .delete::<Todo>(&Todo::new("2", "").key())
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
