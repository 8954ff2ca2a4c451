//! DynamoDB stream records to domain events on a [`Bus`].
//!
//! For each stream batch the [`Publisher`]:
//!
//! 1. decodes every record into a typed [`Change`] and the change into a [`DomainEvent`]
//!    (`<Entity>Created` / `<Entity>Updated` / `<Entity>Deleted`, see [`detail_of`]);
//! 2. applies the [`OversizePolicy`] to events over 256 KB;
//! 3. puts the events in record order, in the fewest `PutEvents` calls the limits allow (10
//!    entries, 256 KB), checks every entry's result, and retries the refused entries with
//!    backoff and jitter;
//! 4. reports the first record that still failed as a batch item failure, so the stream
//!    retries from there. Nothing after it is put in this invocation, and nothing is dropped:
//!    a record that cannot be decoded is a failure too, not a skip.
//!
//! Records before the failure that were put are put again on the retry: delivery is at
//! least once, and each event's `detail.eventId` (the stream record's id) stays the same,
//! which is the key consumers deduplicate on.

mod detail;

use std::sync::Arc;

use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use stack_core::events::{EventHandler, Invocation};
use stack_dynamo::stream::Change;

pub use detail::{detail_of, detail_type_of};

use crate::Error;
use crate::bus::Bus;
use crate::event::{DomainEvent, EntryOutcome, MAX_ENTRIES_PER_PUT, MAX_PUT_BYTES, chunk_ranges};
use crate::retry::{Backoff, Sleeper, TokioSleeper};

/// Stores the full change of an oversize event and returns where it is (an `s3://` URI for
/// the S3 implementation you provide); the event then carries that pointer.
#[async_trait::async_trait]
pub trait PointerStore: Send + Sync + std::fmt::Debug + 'static {
    /// Stores `event` under a name derived from `event_id` and returns its location.
    ///
    /// # Errors
    ///
    /// When the store fails; the record is then reported failed and retried.
    async fn store(&self, event_id: &str, event: &DomainEvent) -> Result<String, Error>;
}

/// What to do with an event over EventBridge's 256 KB entry limit.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum OversizePolicy {
    /// Send the keys and change metadata only, with `detail.imagesOmitted = "oversize"`;
    /// consumers read the item from the table when they need it.
    #[default]
    KeysOnly,
    /// Store the full event with a [`PointerStore`] and send the keys with
    /// `detail.imagesAt = <location>`.
    Pointer(Arc<dyn PointerStore>),
    /// Report the record as failed (it blocks the shard until the stream's retry policy
    /// sends it elsewhere); for teams that want to handle it by hand.
    Fail,
}

/// Publishes a service's table changes as domain events.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use stack_async::local::LocalBus;
/// use stack_async::publisher::Publisher;
///
/// let publisher = Publisher::new(LocalBus::new(), "app.todo").only_entities(["Todo"]);
/// let response = publisher.publish(&Default::default(), None).await;
/// assert!(response.batch_item_failures.is_empty());
/// # }
/// ```
#[derive(Debug)]
pub struct Publisher<B> {
    bus: B,
    source: String,
    entities: Option<Vec<String>>,
    oversize: OversizePolicy,
    backoff: Backoff,
    sleeper: Arc<dyn Sleeper>,
}

/// A record's position in the batch and its event, ready to put.
struct Prepared {
    record: usize,
    event: DomainEvent,
}

impl<B: Bus> Publisher<B> {
    /// Events go to `bus` with source `source` (such as `app.todo`), for every entity type.
    pub fn new(bus: B, source: impl Into<String>) -> Self {
        Self {
            bus,
            source: source.into(),
            entities: None,
            oversize: OversizePolicy::default(),
            backoff: Backoff::default(),
            sleeper: Arc::new(TokioSleeper),
        }
    }

    /// Publishes changes to these entity types only; others are skipped on purpose (such as
    /// idempotency records and counters).
    pub fn only_entities<I: IntoIterator<Item = S>, S: Into<String>>(mut self, types: I) -> Self {
        self.entities = Some(types.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the oversize policy (default [`OversizePolicy::KeysOnly`]).
    pub fn with_oversize_policy(mut self, policy: OversizePolicy) -> Self {
        self.oversize = policy;
        self
    }

    /// Sets the retry backoff for refused entries and throttled calls.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets what waits between retries (tests inject one that does not wait).
    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// The bus events go to.
    pub fn bus(&self) -> &B {
        &self.bus
    }

    /// The event for `change`, or `None` when its entity type is not published.
    pub fn event_for(&self, change: &Change) -> Option<DomainEvent> {
        let entity = change.entity_type.as_deref().unwrap_or("Item");
        if let Some(types) = &self.entities
            && !types.iter().any(|known| known == entity)
        {
            return None;
        }
        let detail_type = detail_type_of(entity, change.kind);
        Some(DomainEvent::new(
            &self.source,
            detail_type,
            detail_of(change),
        ))
    }

    /// Publishes a stream batch and returns the batch item failures to give back to Lambda:
    /// empty when every event was accepted, else the sequence number of the first record
    /// that could not be published.
    pub async fn publish(
        &self,
        event: &Event,
        trace_header: Option<&str>,
    ) -> DynamoDbEventResponse {
        let (prepared, mut failed_at) = self.prepare(event, trace_header).await;
        if let Some(first_refused) = self.put_in_order(&prepared).await {
            failed_at = Some(failed_at.map_or(first_refused, |at| at.min(first_refused)));
        }
        let mut response = DynamoDbEventResponse::default();
        if let Some(index) = failed_at {
            let record = &event.records[index];
            tracing::warn!(record = index, event_id = %record.event_id,
                "reporting a stream record as failed; the stream retries from it");
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
        }
        response
    }

    /// Decodes records into events up to the first one that cannot be, whose index is
    /// returned with them.
    async fn prepare(&self, event: &Event, trace: Option<&str>) -> (Vec<Prepared>, Option<usize>) {
        let mut prepared = Vec::with_capacity(event.records.len());
        for (index, record) in event.records.iter().enumerate() {
            let change = match Change::from_record(record) {
                Ok(change) => change,
                Err(error) => {
                    tracing::error!(%error, event_id = %record.event_id, "undecodable stream record");
                    return (prepared, Some(index));
                }
            };
            let Some(domain) = self.event_for(&change) else {
                continue;
            };
            let domain = domain.with_trace_header(trace.map(str::to_owned));
            match self.fit(domain, &change.event_id).await {
                Ok(fitted) => prepared.push(Prepared {
                    record: index,
                    event: fitted,
                }),
                Err(error) => {
                    tracing::error!(error = %stack_core::error::chain(&error), "oversize event");
                    return (prepared, Some(index));
                }
            }
        }
        (prepared, None)
    }

    /// Applies the oversize policy to an event over the entry limit.
    async fn fit(&self, mut event: DomainEvent, event_id: &str) -> Result<DomainEvent, Error> {
        if event.size() <= MAX_PUT_BYTES {
            return Ok(event);
        }
        let marker = match &self.oversize {
            OversizePolicy::KeysOnly => ("imagesOmitted", "oversize".to_owned()),
            OversizePolicy::Pointer(store) => ("imagesAt", store.store(event_id, &event).await?),
            OversizePolicy::Fail => {
                return Err(Error::validation(format!(
                    "event {event_id} is over 256 KB"
                )));
            }
        };
        detail::strip_images(&mut event.detail, marker);
        if event.size() > MAX_PUT_BYTES {
            return Err(Error::validation(format!(
                "event {event_id} is over 256 KB without images"
            )));
        }
        Ok(event)
    }

    /// Puts the events chunk by chunk; returns the record index of the first event that
    /// still failed, and puts nothing after its chunk.
    async fn put_in_order(&self, prepared: &[Prepared]) -> Option<usize> {
        let sizes: Vec<usize> = prepared.iter().map(|item| item.event.size()).collect();
        for range in chunk_ranges(&sizes, MAX_ENTRIES_PER_PUT, MAX_PUT_BYTES) {
            let chunk = &prepared[range];
            let events: Vec<DomainEvent> = chunk.iter().map(|item| item.event.clone()).collect();
            if let Some(position) = self.put_with_retries(&events).await {
                return Some(chunk[position].record);
            }
        }
        None
    }

    /// Puts one chunk, retrying refused entries and failed calls; returns the position of
    /// the first entry still refused after the last attempt.
    async fn put_with_retries(&self, events: &[DomainEvent]) -> Option<usize> {
        let mut pending: Vec<usize> = (0..events.len()).collect();
        for attempt in 0..self.backoff.max_attempts {
            if attempt > 0 {
                self.sleeper.sleep(self.backoff.delay(attempt - 1)).await;
            }
            let batch: Vec<DomainEvent> = pending.iter().map(|&i| events[i].clone()).collect();
            match self.bus.put_events(&batch).await {
                Ok(outcomes) => pending = still_pending(&pending, &outcomes),
                Err(error) if error.is_retryable() => {
                    tracing::warn!(%error, attempt, "PutEvents failed; retrying");
                }
                Err(error) => {
                    tracing::error!(error = %stack_core::error::chain(&error), "PutEvents failed");
                    break;
                }
            }
            if pending.is_empty() {
                return None;
            }
        }
        pending.first().copied()
    }
}

/// The positions whose outcome is a refusal, logged with their codes.
fn still_pending(pending: &[usize], outcomes: &[EntryOutcome]) -> Vec<usize> {
    let refused = pending
        .iter()
        .zip(outcomes)
        .filter(|(_, outcome)| !outcome.is_accepted());
    refused
        .map(|(&position, outcome)| {
            if let EntryOutcome::Failed { code, message } = outcome {
                tracing::debug!(code, message, position, "PutEvents refused an entry");
            }
            position
        })
        .collect()
}

impl<B: Bus> EventHandler for Publisher<B> {
    type Event = Event;
    type Output = DynamoDbEventResponse;
    type Error = Error;

    async fn handle(&self, event: Event, invocation: Invocation) -> Result<Self::Output, Error> {
        Ok(self.publish(&event, invocation.trace_id.as_deref()).await)
    }
}
