//! Typed entities in one DynamoDB table, with an embedded backend of the same semantics.
//!
//! A service keeps all its entity types in one table (single-table design). Each item carries
//! its key in `pk`/`sk`, its type in `_type` and an optimistic-lock `version`; the rest of the
//! entity is serialised with serde_dynamo. A [`Table`] gives typed operations: get,
//! create-if-absent, update with a version check, delete, and queries of one partition by
//! sort-key prefix, paginated with opaque cursors.
//!
//! The table runs on a [`Backend`]: DynamoDB in AWS, or an embedded store on disk (or in
//! memory) when the service runs locally. One conformance suite (`tests/conformance.rs`) runs
//! against both, the DynamoDB side against moto, so code that works locally works in AWS.
//!
//! # Example
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use stack_dynamo::{EmbeddedBackend, Entity, Key, Query, Table};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Todo {
//!     list: String,
//!     id: String,
//!     title: String,
//!     version: u64,
//! }
//!
//! impl Entity for Todo {
//!     const TYPE: &'static str = "Todo";
//!
//!     fn key(&self) -> Key {
//!         Key::new(format!("LIST#{}", self.list), format!("TODO#{}", self.id))
//!     }
//!
//!     fn version(&self) -> u64 {
//!         self.version
//!     }
//!
//!     fn set_version(&mut self, version: u64) {
//!         self.version = version;
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), stack_dynamo::Error> {
//! // In AWS: Table::new(AwsBackend::new(client, "app")); locally, a directory on disk.
//! let table = Table::new(EmbeddedBackend::in_memory()?);
//!
//! for id in ["1", "2", "3"] {
//!     let title = format!("task {id}");
//!     let mut todo = Todo { list: "home".into(), id: id.into(), title, version: 0 };
//!     table.create(&mut todo).await?;
//! }
//!
//! let first = Query::new("LIST#home").sk_prefix("TODO#").limit(2);
//! let page = table.query::<Todo>(first.clone()).await?;
//! assert_eq!(page.items.len(), 2);
//!
//! let rest = table.query::<Todo>(first.after(page.next_cursor)).await?;
//! assert_eq!(rest.items[0].title, "task 3");
//! assert!(!rest.has_next_page());
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `aws` | yes | `AwsBackend`: DynamoDB through aws-sdk-dynamodb |
//! | `local` | yes | `EmbeddedBackend`: a redb file under a data directory, or memory |
//!
//! Without either feature the crate still offers [`Table`] over a [`Backend`] of your own.
//!
//! # Semantics both backends share
//!
//! - Reads by key are strongly consistent; writes are atomic and their conditions are checked
//!   atomically with them.
//! - Keys are stored exactly as given (case and Unicode form preserved) and sort keys order by
//!   their UTF-8 bytes; keys longer than DynamoDB's limits are refused.
//! - A query reads its limit *before* filtering (DynamoDB's `Limit`); [`Table::query`] keeps
//!   reading until a page is full, so pages are exact however many other entity types share
//!   the partition.
//! - [`Page::next_cursor`] is present exactly when another item follows.
//!
//! # Errors
//!
//! Every operation returns [`Error`], which answers `is_not_found`, `is_conflict`,
//! `is_condition_failed`, `is_validation` and `is_retryable`, and implements
//! `stack_core::error::EdgeError` so the edge maps it to an HTTP status and GraphQL code.
//!
//! # ROADMAP
//!
//! The full data layer issue builds on the two layers here ([`Backend`] for raw items,
//! [`Table`] for typed entities) and adds:
//!
//! - key templates declared once per entity (ElectroDB-style), instead of a hand-written
//!   [`Entity::key`];
//! - global secondary indexes, and queries on them (the cursor format has a version byte for
//!   their extra key attributes);
//! - batch reads and writes, and transactions (`TransactWriteItems`), on both backends;
//! - richer conditions and filters (nested paths, comparisons, `begins_with`, sizes), and
//!   condition failures that are not conflicts;
//! - HMAC-signed cursors: today a cursor is checked against its query, so it cannot reach
//!   another partition or prefix, but it can be forged within them;
//! - TTL attributes, and expiry on the embedded backend;
//! - a change stream from the embedded backend and typed decoding of DynamoDB stream records
//!   (feature `streams`), feeding the same publisher;
//! - idempotency records for workers and webhooks;
//! - DynamoDB's 400 KB item-size limit on the embedded backend (today only DynamoDB enforces
//!   it), and numeric comparison of numbers in embedded conditions (today by text).
//!
//! # MSRV
//!
//! Rust 1.89, as the rest of the workspace.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod backend;
mod condition;
mod cursor;
mod entity;
mod error;
mod key;
mod query;
mod table;

#[cfg(feature = "aws")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws")))]
pub use backend::aws::AwsBackend;
#[cfg(feature = "local")]
#[cfg_attr(docsrs, doc(cfg(feature = "local")))]
pub use backend::embedded::EmbeddedBackend;
pub use backend::{Backend, QueryOutput, QueryRequest};
pub use condition::Condition;
pub use entity::Entity;
pub use error::Error;
pub use key::{Key, attr};
pub use query::{Page, Query};
pub use serde_dynamo::{AttributeValue, Item};
pub use table::Table;
