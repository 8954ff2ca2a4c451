//! Asynchronous building blocks: table changes to EventBridge, SQS workers and producer,
//! EventBridge consumers, and all of it in one process locally.
//!
//! - [`publisher`]: a DynamoDB stream handler that turns typed table changes into domain
//!   events (`TodoCreated`, `TodoUpdated`, `TodoDeleted`), puts them on a [`Bus`] in the
//!   fewest `PutEvents` calls, checks and retries every entry, and reports what still fails
//!   as stream batch item failures. Oversize events follow an explicit policy.
//! - [`sqs`]: typed workers that answer with partial batch responses (FIFO-aware, with
//!   idempotent side effects) and a producer that sends in batches and retries.
//! - [`consumer`]: EventBridge consumers, typed and routed by detail-type.
//! - [`local`]: the embedded table's change feed, a bus matching EventBridge patterns and
//!   queues with SQS's delivery rules, running the same publisher and worker code.
//!
//! Every side effect on AWS sits behind a trait ([`Bus`], [`sqs::Queue`]) with an AWS and
//! a local implementation; the same tests run against both (AWS through moto).
//!
//! # Example
//!
//! The local path end to end: a table write becomes an event, a rule delivers it to a
//! queue, and a worker handles it.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//!
//! use serde_json::json;
//! use stack_async::consumer::Consumers;
//! use stack_async::local::{ChangeFeed, LocalBus, LocalQueue, Pattern, Target};
//! use stack_async::publisher::Publisher;
//! use stack_dynamo::{EmbeddedBackend, Entity, Keys, Table};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Note { id: String }
//! impl Entity for Note {
//!     const TYPE: &'static str = "Note";
//!     const KEYS: Keys = Keys::new("NOTE#{id}", "NOTE");
//! }
//!
//! let backend = EmbeddedBackend::in_memory()?;
//! Table::new(backend.clone()).create(Note { id: "1".into() }).await?;
//!
//! let (bus, queue) = (LocalBus::new(), LocalQueue::new("notes"));
//! let created = Pattern::new(json!({ "detail-type": ["NoteCreated"] }))?;
//! bus.add_rule("created", created, Target::Queue(queue.clone()));
//!
//! let publisher = Arc::new(Publisher::new(bus, "app.notes"));
//! ChangeFeed::new(backend, publisher).drain().await?;
//!
//! let delivered = queue.receive(10);
//! let worker = stack_async::sqs::SqsWorker::new(Consumers::new());
//! assert!(worker.process(&delivered).await?.batch_item_failures.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `publisher` | yes | [`publisher`]: stream records to domain events (no AWS SDK on its own) |
//! | `sqs` | yes | [`sqs::SqsQueue`] on `aws-sdk-sqs` (the worker and producer come with `sqs` or `local`) |
//! | `eventbridge` | yes | [`bus::EventBridgeBus`] on `aws-sdk-eventbridge`, and [`consumer`] |
//! | `local` | yes | [`local`]: change feed, local bus and queues; no AWS SDK |
//!
//! MSRV: Rust 1.89.
//!
//! # Delivery guarantees
//!
//! Every path is at least once: a stream batch is republished from its first failed record,
//! SQS redelivers failed messages. Side effects are made exactly once by idempotency
//! records keyed on a stable id: [`sqs::MessageHandler::idempotency`] (the stream record's
//! `eventId` for [`consumer::Consumers`]).
//!
//! # ROADMAP
//!
//! - No S3 implementation of [`publisher::PointerStore`] yet: `aws-sdk-s3` is the heaviest
//!   SDK crate to build and the example never emits a 256 KB change; the trait is the seam.
//! - The producer does not keep FIFO order across retries of refused entries: a refused
//!   entry can be overtaken by a later entry of its group in the same batch. Send one
//!   group's messages one batch at a time when that matters.
//! - An idempotent side effect and its completion record are two writes: if the process
//!   dies between them, the record is taken over after its in-progress timeout and the side
//!   effect can run again. Side effects that are themselves conditional writes avoid this.
//! - The local bus has no `cidr` matcher, no archive/replay and no input transformers.
//! - Local consumer targets ([`local::Target::Consumers`]) retry three times, then log and
//!   drop; use a queue target where nothing may be lost (the example does).

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bus;
#[cfg(any(feature = "eventbridge", feature = "local"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "eventbridge", feature = "local"))))]
pub mod consumer;
mod error;
pub mod event;
#[cfg(feature = "local")]
#[cfg_attr(docsrs, doc(cfg(feature = "local")))]
pub mod local;
#[cfg(feature = "publisher")]
#[cfg_attr(docsrs, doc(cfg(feature = "publisher")))]
pub mod publisher;
pub mod retry;
#[cfg(any(feature = "sqs", feature = "local"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "sqs", feature = "local"))))]
pub mod sqs;

pub use bus::Bus;
pub use error::{Error, Kind};
pub use event::DomainEvent;
