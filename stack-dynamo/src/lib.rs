//! Typed entities in one DynamoDB table, with an embedded backend of the same semantics.
//!
//! A service keeps all its entity types in one table (single-table design). Each entity type
//! declares its key templates once; the [`Table`] computes `pk`, `sk` and every global
//! secondary index key from the entity's fields, stamps the entity type, schema version,
//! optimistic-lock version, `createdAt`/`updatedAt` and TTL on every item, and gives typed
//! operations on top: reads, conditional writes, partial updates, queries with signed
//! cursors, batches, transactions, collections, scans, idempotency records, and typed
//! decoding of stream records.
//!
//! The table runs on a [`Backend`]: DynamoDB in AWS ([`AwsBackend`]), or an embedded store
//! on disk or in memory ([`EmbeddedBackend`]) when the service runs locally, with the same
//! semantics, its indexes, TTL expiry and a change feed shaped like DynamoDB Streams. One
//! conformance suite (`tests/conformance.rs`) runs every operation against the embedded
//! backend (in memory and on disk) and against DynamoDB's emulator moto.
//!
//! # Example
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use stack_dynamo::{EmbeddedBackend, Entity, IndexKeys, Keys, Patch, Query, Table};
//!
//! #[derive(Debug, Serialize, Deserialize)]
//! struct Todo {
//!     list: String,
//!     id: String,
//!     title: String,
//!     due: Option<String>,
//!     #[serde(default)]
//!     version: u64,
//! }
//!
//! impl Entity for Todo {
//!     const TYPE: &'static str = "Todo";
//!     // A list's todos in id order; todos with a due date also by date, across lists.
//!     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}")
//!         .with_indexes(&[IndexKeys::new("gsi1", "DUE", "{due}#{id}")]);
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), stack_dynamo::Error> {
//! // In AWS: Table::new(AwsBackend::new(client, "app")); locally, a directory on disk.
//! let table = Table::new(EmbeddedBackend::in_memory()?);
//!
//! for (id, due) in [("1", "2030-03-01"), ("2", "2030-01-15"), ("3", "2030-02-01")] {
//!     let (list, title, due) = ("home".into(), format!("task {id}"), Some(due.into()));
//!     table.create(Todo { list, id: id.into(), title, due, version: 0 }).await?;
//! }
//!
//! // Two at a time, in id order, with a cursor for the rest.
//! let first = Query::new("LIST#home").sk_prefix("TODO#").limit(2);
//! let page = table.query::<Todo>(first.clone()).await?;
//! let rest = table.query::<Todo>(first.after(page.next_cursor)).await?;
//! assert_eq!(rest.items[0].title, "task 3");
//!
//! // By due date, through the index.
//! let soonest = table.query::<Todo>(Query::on_index("gsi1", "DUE").limit(1)).await?;
//! assert_eq!(soonest.items[0].id, "2");
//!
//! // A partial update at a known version (optimistic locking).
//! let key = Todo::KEYS.key_of(&[("list", "home"), ("id", "2")])?;
//! let rename = Patch::<Todo>::new(key).set("title", "oat milk").expect_version(1);
//! let renamed = table.patch(rename).await?;
//! assert_eq!(renamed.version, 2);
//! # Ok(())
//! # }
//! ```
//!
//! # Entities and keys
//!
//! An [`Entity`] is a serde type with a name ([`Entity::TYPE`]), a schema version
//! ([`Entity::SCHEMA_VERSION`], with [`Entity::upgrade`] for older items) and [`Keys`]:
//! templates such as `"LIST#{list}"` whose `{field}` placeholders are filled from the
//! entity's serialised fields, exactly as stored: case is preserved, numbers keep their text,
//! booleans read `true`/`false`. Index templates an entity cannot fill (an optional field is
//! absent) leave it out of that index, which makes sparse indexes. [`Entity::expires_at`]
//! sets the `ttl` attribute; expired items are never returned by reads, even before DynamoDB
//! deletes them. The attribute names the crate reserves are in [`attr`].
//!
//! # Operations
//!
//! | operation | method | DynamoDB call | example |
//! |---|---|---|---|
//! | get | [`Table::get`] | `GetItem` (consistent) | [`Table::get`] |
//! | batch get (any number, 100 a call, unprocessed retried) | [`Table::batch_get`] | `BatchGetItem` | [`BatchWrite`] |
//! | create only | [`Table::create`] | `PutItem` + `attribute_not_exists` | [`Table::create`] |
//! | put (create or overwrite, `createdAt` kept) | [`Table::put`] | `GetItem` + conditional `PutItem` | [tour](#a-tour) |
//! | replace at a version | [`Table::replace`] | `GetItem` + conditional `PutItem` | [tour](#a-tour) |
//! | conditional put | [`Table::put_if`] | as put, with your condition | [`Table::put_if`] |
//! | read-modify-write | [`Table::update`] | `GetItem` + conditional `PutItem`, retried | [`Table`] |
//! | partial update (set, remove, add; index keys recomputed) | [`Table::patch`] | `UpdateItem` | [`Patch`] |
//! | delete, at a version, on a condition | [`Table::delete`], [`Table::delete_if_version`], [`Table::delete_if`] | `DeleteItem` | [`Table::delete_if`], [tour](#a-tour) |
//! | query (table or index; sort-key conditions, filters, projections, both directions, limit, cursors) | [`Table::query`], [`Table::query_as`] | `Query` | [`Query`], [tour](#a-tour) |
//! | collection (several types, one query) | [`Table::collection`] | `Query` | [`Collection`] |
//! | scan, parallel scan | [`Table::scan`], [`Table::parallel_scan`] | `Scan` (segments) | [`Table::parallel_scan`], [tour](#a-tour) |
//! | transaction (up to 100 items) | [`Table::transact`] | `TransactWriteItems` | [`Transaction`] |
//! | batch write (any number, 25 a call, unprocessed retried) | [`Table::batch_write`] | `BatchWriteItem` | [`BatchWrite`] |
//! | idempotency records | [`idempotency::Idempotency`] | conditional `PutItem`/`UpdateItem` | [`idempotency::Idempotency`] |
//! | stream records to typed changes | [`stream::Change`] | (Lambda event) | [`stream`] |
//! | embedded change feed, TTL expiry | `EmbeddedBackend::changes`, [`EmbeddedBackend::purge_expired`] | (DynamoDB Streams, TTL) | [tour](#a-tour) |
//!
//! # A tour
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! # use stack_dynamo::{Entity, Keys};
//! # #[derive(Debug, Clone, Serialize, Deserialize)]
//! # struct Todo {
//! #     list: String, id: String, title: String, done: bool,
//! #     #[serde(default)] version: u64,
//! # }
//! # impl Entity for Todo {
//! #     const TYPE: &'static str = "Todo";
//! #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
//! # }
//! # fn todo(id: &str, done: bool) -> Todo {
//! #     Todo { list: "home".into(), id: id.into(), title: id.into(), done, version: 0 }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), stack_dynamo::Error> {
//! use serde::Deserialize;
//! use serde_dynamo::AttributeValue;
//! use stack_dynamo::{Condition, EmbeddedBackend, Query, Scan, SortKey, Table};
//!
//! let backend = EmbeddedBackend::in_memory()?;
//! let table = Table::new(backend.clone());
//! for id in ["a", "b", "c", "d"] {
//!     table.put(todo(id, id == "b")).await?; // create or overwrite
//! }
//!
//! // Replace at the version last read; a stale version is a conflict.
//! let mut a: Todo = table.get(&todo("a", false).key()?).await?.expect("stored");
//! a.title = "renamed".into();
//! let a = table.replace(a, 1).await?;
//! assert!(table.replace(a.clone(), 1).await.is_err_and(|error| error.is_conflict()));
//!
//! // Sort-key ranges, filters, newest first, and a projection read as another type.
//! let open_from_b = Query::new("LIST#home")
//!     .sk(SortKey::AtLeast("TODO#b".into()))
//!     .filter(Condition::equals("done", AttributeValue::Bool(false)))
//!     .descending();
//! let page = table.query::<Todo>(open_from_b).await?;
//! let ids: Vec<&str> = page.items.iter().map(|todo| todo.id.as_str()).collect();
//! assert_eq!(ids, ["d", "c"]);
//!
//! #[derive(Deserialize)]
//! struct Title { title: String }
//! let titles = table.query_as::<Todo, Title>(Query::new("LIST#home").project(["title"])).await?;
//! assert_eq!(titles.items[0].title, "renamed");
//!
//! // Deletes: at a version, or plainly; a scan sees what is left.
//! assert!(table.delete_if_version::<Todo>(&a.key()?, 2).await?);
//! assert!(table.delete::<Todo>(&todo("b", true).key()?).await?);
//! assert_eq!(table.scan::<Todo>(Scan::new()).await?.items.len(), 2);
//!
//! // Expired items go when the embedded backend purges them (DynamoDB does it on its own).
//! assert_eq!(backend.purge_expired().await?, 0);
//! # #[cfg(feature = "streams")]
//! # {
//! // Every write is in the change feed, as DynamoDB Streams records.
//! let feed = backend.changes(0, 100).await?;
//! assert_eq!(feed.records.len(), 4 + 1 + 2);
//! # }
//! # Ok(())
//! # }
//! ```
//!
//! # Cursors
//!
//! [`Page::next_cursor`] is present exactly when another item follows. A cursor is opaque
//! (URL-safe base64), bound to the query that produced it (entity types, index, partition,
//! sort-key condition, direction) and signed with HMAC-SHA256, so a changed or foreign cursor
//! is refused with a validation error. Every instance that serves the same queries must sign
//! with the same [`CursorKey`]: keep it in a secret store, hand it to the functions as an
//! environment variable (for example `STACK_CURSOR_KEY`, base64 of 32 random bytes), and
//! give it to [`Table::with_cursor_key`]; rotate with [`Table::with_previous_cursor_key`].
//!
//! # Semantics both backends share
//!
//! - Reads by key are strongly consistent; writes are atomic, their conditions checked
//!   atomically with them; a transaction is all or nothing.
//! - Keys are stored exactly as given and sort keys order by their UTF-8 bytes, in the table
//!   and in indexes; keys longer than DynamoDB's limits are refused.
//! - A read applies its limit *before* filtering (DynamoDB's `Limit`); [`Table`] keeps
//!   reading until a page is full, so pages are exact however many other items share the
//!   partition.
//! - Conditions compare numbers by value and strings by bytes; comparisons with a missing
//!   attribute or a value of another type are false.
//! - Batches and transactions refuse a key named twice and more items than the API allows.
//!
//! Where the embedded backend differs: it never throttles or leaves batch work unprocessed;
//! numbers are exact as integers up to 128 bits, otherwise through `f64` (DynamoDB: 38
//! digits); it does not enforce the 400 KB item size; it reports no consumed capacity; it
//! deletes expired items only when [`EmbeddedBackend::purge_expired`] runs.
//!
//! Where moto (the emulator the tests use) differs from DynamoDB: it stores the TTL setting
//! but never deletes expired items; it reports a fixed consumed capacity whatever the item
//! size; it never leaves batch work unprocessed (`tests/batch_retries.rs` covers that path
//! with a backend of its own). The semantics this crate guarantees (expired items are not
//! read, retries happen) are tested on both.
//!
//! # Errors
//!
//! Every operation returns [`Error`], which answers `is_not_found`, `is_conflict`,
//! `is_condition_failed`, `is_transaction_cancelled` (with
//! [`cancellation_reasons`](Error::cancellation_reasons), one per item), `is_validation`,
//! `is_throttled` and `is_retryable`, and implements `stack_core::error::EdgeError` so the
//! edge maps it to an HTTP status and a GraphQL code.
//!
//! # Telemetry
//!
//! Every backend call runs in a `dynamodb` span with `db.system`, `db.operation`,
//! `aws.dynamodb.table_names`, `aws.dynamodb.index_name`, `aws.dynamodb.limit`,
//! `aws.dynamodb.count` and, on DynamoDB, `aws.dynamodb.consumed_capacity`; a failed call
//! records `error.type` and `otel.status_code`. The error itself is logged by whoever
//! handles it.
//!
//! # Compared with ElectroDB and modyne
//!
//! From their public documentation at the time of writing (ElectroDB 3, modyne 0.3); tell us
//! where we are wrong.
//!
//! | | stack-dynamo | ElectroDB (TypeScript) | modyne (Rust) |
//! |---|---|---|---|
//! | entity declaration | trait with `const` key templates | schema object, attribute types and validation | trait, key from a `KeyInput` type |
//! | key templates, composite keys | yes, case kept exactly | yes (composite attributes; lowercases keys unless told not to) | hand-written key functions |
//! | attribute validation, defaults, computed attributes | no (serde only) | yes | no (serde only) |
//! | GSIs, sparse indexes | yes | yes | yes |
//! | local secondary indexes | no | yes | not that we found |
//! | sort-key conditions, filters, projections | yes (top-level attributes) | yes, with nested paths and more functions | yes, through the SDK's expression builder |
//! | partial update recomputing index keys | yes, or refused naming the missing field | yes (composite attributes required) | no (you build the update) |
//! | opaque cursors | signed (HMAC) and bound to the query | opaque, not signed | no (raw `LastEvaluatedKey`) |
//! | batch get/write chunked, unprocessed retried | yes, with backoff and jitter | chunked; unprocessed returned to you | helpers; retrying is yours |
//! | transactions | writes, with a reason per item | writes and reads | writes (reads: not that we found) |
//! | collections (several types, one query) | yes | yes (collections across entities) | yes (projections/aggregates) |
//! | parallel scan | yes ([`Table::parallel_scan`]) | scan (segments by hand) | scan (segments by hand) |
//! | optimistic locking | built in (`version` on every item) | by hand with conditions | by hand with conditions |
//! | `createdAt`/`updatedAt`, TTL | built in | by attribute settings | by hand |
//! | idempotency records | yes | no | no |
//! | stream records to typed changes | yes (TTL deletions, unknown types raw) | parse raw items | no |
//! | local backend with the same semantics, change feed | yes (embedded, durable) | no | no |
//! | a span per call with consumed capacity | yes | no | yes |
//! | derive macros | no | n/a (TypeScript inference) | yes (entity definitions, projections) |
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `aws` | yes | [`AwsBackend`]: DynamoDB through aws-sdk-dynamodb |
//! | `local` | yes | [`EmbeddedBackend`]: a redb file under a data directory, or memory |
//! | `streams` | yes | [`stream`]: typed stream records; with `local`, the change feed as stream records |
//!
//! Without any feature the crate still offers [`Table`] over a [`Backend`] of your own.
//!
//! # ROADMAP
//!
//! What is not here yet, and why:
//!
//! - conditions, filters and updates on nested paths, `size()`, `contains()`, `<>`, list
//!   appends: top-level attributes covered every use so far;
//! - `TransactGetItems`: no caller has needed a transactional read;
//! - local secondary indexes, and index keys that are not strings: the table shape is fixed
//!   (`<index>pk`/`<index>sk` strings, projecting everything) to keep both backends equal;
//! - [`Table::put`] and [`Table::replace`] read before they write, to keep `createdAt` and
//!   check the version: two round trips where a blind `PutItem` takes one; batch puts
//!   cannot read, so they write `createdAt` anew;
//! - a patch does not recompute [`Entity::expires_at`]; set it with [`Patch::expires_at`];
//! - on the embedded backend, the change feed keeps records until
//!   [`EmbeddedBackend::trim_changes`] (DynamoDB keeps them 24 hours), and a removed index's
//!   table stays in the file;
//! - a derive macro for entities: the trait's constants are short, and a macro would cost
//!   every build a proc-macro crate.
//!
//! # MSRV
//!
//! Rust 1.89, as the rest of the workspace.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod backend;
mod entity;
mod error;
mod expr;
pub mod idempotency;
mod key;
mod query;
#[cfg(feature = "streams")]
#[cfg_attr(docsrs, doc(cfg(feature = "streams")))]
pub mod stream;
mod table;

#[cfg(feature = "aws")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws")))]
pub use backend::aws::AwsBackend;
#[cfg(all(feature = "local", feature = "streams"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "local", feature = "streams"))))]
pub use backend::embedded::ChangeBatch;
#[cfg(feature = "local")]
#[cfg_attr(docsrs, doc(cfg(feature = "local")))]
pub use backend::embedded::{EmbeddedBackend, EmbeddedOptions};
pub use backend::{Backend, QueryOutput, QueryRequest, TableBackend};
pub use entity::{Entity, from_item, to_item};
pub use error::{CancellationReason, Error};
pub use expr::{Comparison, Condition, SortKey, Update};
pub use key::{IndexKeys, Key, KeyTemplate, Keys, attr};
pub use query::{Collection, CursorKey, Page, Query, Scan};
pub use serde_dynamo::{AttributeValue, Item};
pub use table::{BatchWrite, Patch, Table, Transaction};
