//! Local mode: the whole asynchronous path in one process.
//!
//! The embedded table's change feed ([`ChangeFeed`]) drives the same [`Publisher`] the
//! stream Lambda runs, into a [`LocalBus`] that matches EventBridge [`Pattern`]s and
//! delivers to [`LocalQueue`]s, whose workers run the same [`SqsWorker`] code as the
//! Lambda consumers.
//!
//! [`Publisher`]: crate::publisher::Publisher
//! [`SqsWorker`]: crate::sqs::SqsWorker

mod bus;
mod feed;
mod pattern;
mod queue;

pub use bus::{LocalBus, Target};
pub use feed::ChangeFeed;
pub use pattern::Pattern;
pub use queue::LocalQueue;
