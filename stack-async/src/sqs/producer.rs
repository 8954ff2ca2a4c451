//! Sending messages in batches, retrying refused entries.

use std::sync::Arc;

use super::OutgoingMessage;
use crate::Error;
use crate::event::chunk_ranges;
use crate::retry::{Backoff, Sleeper, TokioSleeper};

/// The most entries one `SendMessageBatch` call takes.
pub const MAX_ENTRIES_PER_SEND: usize = 10;
/// The most bytes of one `SendMessageBatch` call (256 KB).
pub const MAX_SEND_BYTES: usize = 256 * 1024;

/// What the queue answered for one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendOutcome {
    /// Accepted, with the message id.
    Sent(String),
    /// Refused; `sender_fault` entries fail the same way again.
    Failed {
        /// The queue's error code.
        code: String,
        /// Whether the entry itself is at fault (retrying will not help).
        sender_fault: bool,
    },
}

/// A queue messages are sent to: SQS in AWS, a local queue in one process.
#[async_trait::async_trait]
pub trait Queue: Send + Sync + std::fmt::Debug + 'static {
    /// Sends up to 10 messages within 256 KB; one outcome per message, in order.
    ///
    /// # Errors
    ///
    /// A retryable error when the call was throttled or failed transiently.
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<SendOutcome>, Error>;
}

#[async_trait::async_trait]
impl<Q: Queue + ?Sized> Queue for Arc<Q> {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<SendOutcome>, Error> {
        (**self).send_batch(messages).await
    }
}

/// Sends any number of messages in the fewest batches, retrying refused entries.
///
/// Order across retries is not kept: on FIFO queues, send one group's messages one
/// `send` call at a time if a refused entry must not be overtaken (see the ROADMAP).
#[derive(Debug)]
pub struct Producer<Q> {
    queue: Q,
    backoff: Backoff,
    sleeper: Arc<dyn Sleeper>,
}

impl<Q: Queue> Producer<Q> {
    /// A producer for `queue` with the default backoff.
    pub fn new(queue: Q) -> Self {
        Self {
            queue,
            backoff: Backoff::default(),
            sleeper: Arc::new(TokioSleeper),
        }
    }

    /// Sets the retry backoff.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets what waits between retries.
    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// The queue.
    pub fn queue(&self) -> &Q {
        &self.queue
    }

    /// Sends every message; returns the message ids in order.
    ///
    /// # Errors
    ///
    /// A validation error for a message over 256 KB (nothing is sent), a partial failure
    /// when some entries were still refused after every retry.
    pub async fn send(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, Error> {
        let sizes: Vec<usize> = messages.iter().map(OutgoingMessage::size).collect();
        if let Some(size) = sizes.iter().find(|&&size| size > MAX_SEND_BYTES) {
            return Err(Error::validation(format!(
                "a message of {size} bytes is over 256 KB"
            )));
        }
        let mut ids = Vec::with_capacity(messages.len());
        for range in chunk_ranges(&sizes, MAX_ENTRIES_PER_SEND, MAX_SEND_BYTES) {
            ids.extend(self.send_chunk(&messages[range]).await?);
        }
        Ok(ids)
    }

    async fn send_chunk(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, Error> {
        let mut ids: Vec<Option<String>> = vec![None; messages.len()];
        for attempt in 0..self.backoff.max_attempts {
            if attempt > 0 {
                self.sleeper.sleep(self.backoff.delay(attempt - 1)).await;
            }
            let pending: Vec<usize> = (0..messages.len()).filter(|&i| ids[i].is_none()).collect();
            let batch: Vec<OutgoingMessage> =
                pending.iter().map(|&i| messages[i].clone()).collect();
            match self.queue.send_batch(&batch).await {
                Ok(outcomes) => record_outcomes(&mut ids, &pending, outcomes)?,
                Err(error) if error.is_retryable() => {
                    tracing::warn!(%error, "SendMessageBatch failed; retrying");
                }
                Err(error) => return Err(error),
            }
            if ids.iter().all(Option::is_some) {
                return Ok(ids.into_iter().flatten().collect());
            }
        }
        let failed = ids.iter().filter(|id| id.is_none()).count();
        Err(Error::partial_failure(format!(
            "{failed} messages were refused after every retry"
        )))
    }
}

fn record_outcomes(
    ids: &mut [Option<String>],
    pending: &[usize],
    outcomes: Vec<SendOutcome>,
) -> Result<(), Error> {
    for (&index, outcome) in pending.iter().zip(outcomes) {
        match outcome {
            SendOutcome::Sent(id) => ids[index] = Some(id),
            SendOutcome::Failed {
                code,
                sender_fault: true,
            } => {
                return Err(Error::validation(format!("SQS refused a message: {code}")));
            }
            SendOutcome::Failed { code, .. } => tracing::debug!(code, "SQS refused an entry"),
        }
    }
    Ok(())
}
