//! SQS: typed workers with partial batch responses, and a batching producer.
//!
//! A [`SqsWorker`] runs a [`MessageHandler`] over each message of a batch and answers Lambda
//! with the ids of the failed messages only, so SQS redelivers just those. On FIFO queues,
//! once a message of a group fails, the later messages of that group in the batch are
//! reported failed without running, so the group keeps its order; other groups go on.
//! With [`SqsWorker::idempotent`], each message's side effect runs once per idempotency key
//! (stack-dynamo idempotency records), even when SQS delivers the message twice.
//!
//! A [`Producer`] sends messages in `SendMessageBatch` calls within the API limits (10
//! entries, 256 KB) and retries the entries SQS refused, with backoff and jitter.

mod message;
mod producer;
#[cfg(feature = "sqs")]
mod queue;
mod worker;

pub use message::{Message, OutgoingMessage, TRACE_ATTRIBUTE};
pub use producer::{MAX_ENTRIES_PER_SEND, MAX_SEND_BYTES, Producer, Queue, SendOutcome};
#[cfg(feature = "sqs")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqs")))]
pub use queue::SqsQueue;
pub use worker::{MessageHandler, SqsWorker};
