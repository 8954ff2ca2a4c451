//! The embedded table's change feed driving the publisher, as DynamoDB Streams drives the
//! publisher Lambda.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use stack_dynamo::EmbeddedBackend;

use crate::Error;
use crate::bus::Bus;
use crate::publisher::Publisher;

/// Reads the embedded change feed in commit order and publishes it, batch by batch.
///
/// Published records are trimmed from the feed, which makes the feed the durable checkpoint:
/// a restart goes on where it stopped. After a reported failure it retries from the failed
/// record, as Lambda does with a stream's batch item failure.
///
/// The newest published record is kept (trimmed with the next batch): the embedded feed
/// numbers a new record one past the last one it holds, so emptying it would reuse sequence
/// numbers, and with them the event ids consumers deduplicate on. The cost is that a restart
/// publishes that one record again, which idempotent consumers absorb.
#[derive(Debug)]
pub struct ChangeFeed<B> {
    backend: EmbeddedBackend,
    publisher: Arc<Publisher<B>>,
    batch_size: usize,
    retry_delay: Duration,
    after: AtomicU64,
}

impl<B: Bus> ChangeFeed<B> {
    /// Publishes `backend`'s changes through `publisher`, 100 records a batch.
    pub fn new(backend: EmbeddedBackend, publisher: Arc<Publisher<B>>) -> Self {
        Self {
            backend,
            publisher,
            batch_size: 100,
            retry_delay: Duration::from_millis(200),
            after: AtomicU64::new(0),
        }
    }

    /// Sets the batch size (DynamoDB Streams' default for Lambda is 100).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Sets the pause before retrying after a failed batch.
    pub fn with_retry_delay(mut self, retry_delay: Duration) -> Self {
        self.retry_delay = retry_delay;
        self
    }

    /// Publishes what is in the feed now; returns how many records were published.
    ///
    /// # Errors
    ///
    /// When the feed cannot be read or trimmed, or a record still fails after its retries
    /// (it stays in the feed for the next call).
    pub async fn drain(&self) -> Result<usize, Error> {
        let mut published = 0;
        loop {
            let batch = self.backend.changes(self.after(), self.batch_size).await?;
            if batch.records.is_empty() {
                return Ok(published);
            }
            let count = batch.records.len();
            if let Some(failed) = self.publish(batch).await? {
                return Err(Error::partial_failure(format!(
                    "record {failed} could not be published"
                )));
            }
            published += count;
        }
    }

    /// Publishes forever, waiting for new changes. Spawn it.
    ///
    /// # Errors
    ///
    /// When the feed cannot be read or trimmed.
    pub async fn run(self) -> Result<(), Error> {
        loop {
            let batch = self
                .backend
                .next_changes(self.after(), self.batch_size)
                .await?;
            if self.publish(batch).await?.is_some() {
                tokio::time::sleep(self.retry_delay).await;
            }
        }
    }

    fn after(&self) -> u64 {
        self.after.load(Ordering::Relaxed)
    }

    /// Publishes one batch, trims what was published but the newest record, and returns the
    /// sequence number of the failed record, if any.
    async fn publish(&self, batch: stack_dynamo::ChangeBatch) -> Result<Option<u64>, Error> {
        let last = batch.last_sequence;
        let response = self.publisher.publish(&batch.into_event(), None).await;
        let failed = response.batch_item_failures.first().map(|failure| {
            let sequence = failure
                .item_identifier
                .as_deref()
                .and_then(|id| id.parse().ok());
            sequence.unwrap_or(self.after() + 1)
        });
        let published = failed.map_or(last, |failed| failed.saturating_sub(1));
        self.after.fetch_max(published, Ordering::Relaxed);
        if published > 1 {
            self.backend.trim_changes(published - 1).await?;
        }
        Ok(failed)
    }
}
