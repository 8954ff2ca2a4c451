//! Batches retry what the table leaves unprocessed, with backoff, and give up in the end.
//!
//! Neither the embedded backend nor moto ever leaves work unprocessed, so a backend of our own
//! (which also shows that [`Backend`] can be implemented outside the crate) does it here.

#![cfg(feature = "local")]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use stack_dynamo::backend::{
    Backend, BatchGetOutput, QueryOutput, QueryRequest, ScanRequest, TransactItem, WriteRequest,
};
use stack_dynamo::{
    BatchWrite, Condition, EmbeddedBackend, Entity, Error, Item, Key, Keys, Table, Update,
};

/// An embedded table that handles at most `per_call` keys or writes of each batch call.
#[derive(Clone)]
struct Stingy {
    inner: EmbeddedBackend,
    per_call: usize,
    calls: Arc<AtomicUsize>,
}

#[async_trait]
impl Backend for Stingy {
    fn table_name(&self) -> &str {
        self.inner.table_name()
    }

    fn implementation(&self) -> &'static str {
        "stingy"
    }

    fn indexes(&self) -> &[String] {
        self.inner.indexes()
    }

    async fn get_item(&self, key: &Key) -> Result<Option<Item>, Error> {
        self.inner.get_item(key).await
    }

    async fn batch_get_items(&self, mut keys: Vec<Key>) -> Result<BatchGetOutput, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let later = keys.split_off(keys.len().min(self.per_call));
        let mut output = if keys.is_empty() {
            BatchGetOutput::default()
        } else {
            self.inner.batch_get_items(keys).await?
        };
        output.unprocessed = later;
        Ok(output)
    }

    async fn put_item(&self, item: Item, condition: Option<Condition>) -> Result<(), Error> {
        self.inner.put_item(item, condition).await
    }

    async fn update_item(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> Result<Item, Error> {
        self.inner.update_item(key, update, condition).await
    }

    async fn delete_item(
        &self,
        key: &Key,
        condition: Option<Condition>,
    ) -> Result<Option<Item>, Error> {
        self.inner.delete_item(key, condition).await
    }

    async fn batch_write_items(
        &self,
        mut writes: Vec<WriteRequest>,
    ) -> Result<Vec<WriteRequest>, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let later = writes.split_off(writes.len().min(self.per_call));
        if !writes.is_empty() {
            self.inner.batch_write_items(writes).await?;
        }
        Ok(later)
    }

    async fn transact_write_items(&self, items: Vec<TransactItem>) -> Result<(), Error> {
        self.inner.transact_write_items(items).await
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryOutput, Error> {
        self.inner.query(request).await
    }

    async fn scan(&self, request: ScanRequest) -> Result<QueryOutput, Error> {
        self.inner.scan(request).await
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Thing {
    id: String,
}

impl Entity for Thing {
    const TYPE: &'static str = "Item";
    const KEYS: Keys = Keys::new("ITEMS", "{id}");
}

fn stingy(per_call: usize) -> (Table, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let backend = Stingy {
        inner: EmbeddedBackend::in_memory().unwrap(),
        per_call,
        calls: calls.clone(),
    };
    (Table::new(backend), calls)
}

fn keys(count: usize) -> Vec<Key> {
    (0..count)
        .map(|id| Key::new("ITEMS", format!("{id:03}")))
        .collect()
}

#[tokio::test]
async fn unprocessed_writes_and_keys_are_sent_again() {
    let (table, calls) = stingy(10);
    let batch = (0..30).fold(BatchWrite::new(), |batch, id| {
        batch.put(Thing {
            id: format!("{id:03}"),
        })
    });
    table.batch_write(batch).await.unwrap();
    // Chunks of 25 and 5: the first takes three calls, the second one.
    assert_eq!(calls.swap(0, Ordering::Relaxed), 4);

    let items: Vec<Thing> = table.batch_get(&keys(30)).await.unwrap();
    assert_eq!(items.len(), 30);
    assert_eq!(calls.load(Ordering::Relaxed), 3);
}

#[tokio::test]
async fn a_table_that_never_catches_up_is_reported_as_throttled() {
    let (table, calls) = stingy(0);
    let error = table.batch_get::<Thing>(&keys(3)).await.unwrap_err();
    assert!(error.is_throttled() && error.is_retryable(), "{error:?}");
    assert_eq!(calls.load(Ordering::Relaxed), 8);
}
