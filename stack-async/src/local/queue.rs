//! An in-process queue with SQS's delivery rules, feeding the same worker code.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage, SqsMessageAttribute};

use crate::Error;
use crate::sqs::{MessageHandler, OutgoingMessage, Queue, SendOutcome, SqsWorker, TRACE_ATTRIBUTE};

/// A local queue: standard or FIFO, with redelivery of failed messages and a dead-letter
/// list after `max_receives` deliveries, as an SQS queue with a redrive policy.
///
/// FIFO: a group with a message in flight or waiting for redelivery is held back, so
/// messages of one group are handled in order, one batch at a time.
#[derive(Debug, Clone)]
pub struct LocalQueue {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: String,
    fifo: bool,
    max_receives: u32,
    redelivery_delay: Duration,
    state: Mutex<State>,
    ready: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct State {
    next_sequence: u64,
    waiting: VecDeque<Stored>,
    in_flight: HashMap<String, Stored>,
    dead: Vec<Stored>,
    deduplication: HashSet<String>,
}

#[derive(Debug, Clone)]
struct Stored {
    sequence: u64,
    id: String,
    message: OutgoingMessage,
    receive_count: u32,
    visible_at: Option<Instant>,
}

impl LocalQueue {
    /// A standard queue named `name`; 5 deliveries before a message is dead-lettered.
    pub fn new(name: impl Into<String>) -> Self {
        Self::build(name.into(), false)
    }

    /// A FIFO queue named `name` (by convention ending in `.fifo`).
    pub fn fifo(name: impl Into<String>) -> Self {
        Self::build(name.into(), true)
    }

    fn build(name: String, fifo: bool) -> Self {
        let inner = Inner {
            name,
            fifo,
            max_receives: 5,
            redelivery_delay: Duration::from_millis(200),
            state: Mutex::new(State::default()),
            ready: tokio::sync::Notify::new(),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Sets how many deliveries a message gets before it is dead-lettered, and how long a
    /// failed message stays invisible (SQS's visibility timeout). Call before sharing.
    pub fn with_redrive(self, max_receives: u32, redelivery_delay: Duration) -> Self {
        let mut inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            name: shared.name.clone(),
            fifo: shared.fifo,
            max_receives: shared.max_receives,
            redelivery_delay: shared.redelivery_delay,
            state: Mutex::new(State::default()),
            ready: tokio::sync::Notify::new(),
        });
        inner.max_receives = max_receives.max(1);
        inner.redelivery_delay = redelivery_delay;
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The queue's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Enqueues `message` and returns its id; a FIFO duplicate (same deduplication id) is
    /// accepted and dropped, as SQS does.
    pub fn push(&self, message: OutgoingMessage) -> String {
        let mut state = self.state();
        state.next_sequence += 1;
        let id = format!("{}-{:012}", self.inner.name, state.next_sequence);
        if self.inner.fifo
            && let Some(key) = &message.deduplication_id
            && !state.deduplication.insert(key.clone())
        {
            return id;
        }
        let sequence = state.next_sequence;
        state.waiting.push_back(Stored {
            sequence,
            id: id.clone(),
            message,
            receive_count: 0,
            visible_at: None,
        });
        drop(state);
        self.inner.ready.notify_one();
        id
    }

    /// Messages waiting (not in flight, not dead).
    pub fn len(&self) -> usize {
        self.state().waiting.len()
    }

    /// Whether no message is waiting (some may be in flight).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether no message is waiting or in flight.
    pub fn is_idle(&self) -> bool {
        let state = self.state();
        state.waiting.is_empty() && state.in_flight.is_empty()
    }

    /// The bodies of dead-lettered messages.
    pub fn dead_letters(&self) -> Vec<String> {
        self.state()
            .dead
            .iter()
            .map(|stored| stored.message.body.clone())
            .collect()
    }

    /// Takes up to `max` visible messages as the event Lambda would get.
    pub fn receive(&self, max: usize) -> SqsEvent {
        let now = Instant::now();
        let mut state = self.state();
        let mut held_groups = held_groups(&state);
        let mut taken = Vec::new();
        let mut kept = VecDeque::new();
        while let Some(stored) = state.waiting.pop_front() {
            let group = stored.message.group_id.clone().filter(|_| self.inner.fifo);
            let visible = stored.visible_at.is_none_or(|at| at <= now);
            let held = group
                .as_ref()
                .is_some_and(|group| held_groups.contains(group));
            if taken.len() < max && visible && !held {
                taken.push(stored);
            } else {
                held_groups.extend(group);
                kept.push_back(stored);
            }
        }
        state.waiting = kept;
        let records = taken.into_iter().map(|mut stored| {
            stored.receive_count += 1;
            let record = self.record_of(&stored);
            state.in_flight.insert(stored.id.clone(), stored);
            record
        });
        let mut event = SqsEvent::default();
        event.records = records.collect();
        event
    }

    /// Deletes the handled messages of `event`; the failed ones become visible again after
    /// the redelivery delay, or are dead-lettered after their last delivery.
    pub fn settle(&self, event: &SqsEvent, response: &SqsBatchResponse) {
        let failed: HashSet<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        let mut state = self.state();
        for record in &event.records {
            let Some(id) = record.message_id.as_deref() else {
                continue;
            };
            let Some(mut stored) = state.in_flight.remove(id) else {
                continue;
            };
            if !failed.contains(id) {
                continue;
            }
            if stored.receive_count >= self.inner.max_receives {
                tracing::warn!(queue = %self.inner.name, id, "message dead-lettered");
                state.dead.push(stored);
            } else {
                stored.visible_at = Some(Instant::now() + self.inner.redelivery_delay);
                state.waiting.push_back(stored);
            }
        }
        state
            .waiting
            .make_contiguous()
            .sort_by_key(|stored| stored.sequence);
        drop(state);
        self.inner.ready.notify_one();
    }

    /// Receives, processes and settles batches forever: the local equivalent of the Lambda
    /// event source mapping. Spawn it.
    pub async fn run_worker<H: MessageHandler>(self, worker: Arc<SqsWorker<H>>, batch_size: usize) {
        loop {
            let event = self.receive(batch_size);
            if event.records.is_empty() {
                let wait = self.inner.ready.notified();
                let _ = tokio::time::timeout(self.inner.redelivery_delay, wait).await;
                continue;
            }
            let response = worker.process(&event).await.unwrap_or_else(|error| {
                tracing::error!(%error, queue = %self.inner.name, "the batch failed as a whole");
                every_message_failed(&event)
            });
            self.settle(&event, &response);
        }
    }

    fn record_of(&self, stored: &Stored) -> SqsMessage {
        let mut record = SqsMessage::default();
        record.message_id = Some(stored.id.clone());
        record.receipt_handle = Some(format!("{}#{}", stored.id, stored.receive_count));
        record.body = Some(stored.message.body.clone());
        record.event_source = Some("aws:sqs".into());
        record.event_source_arn = Some(format!(
            "arn:aws:sqs:local:000000000000:{}",
            self.inner.name
        ));
        record.aws_region = Some("local".into());
        record.attributes.insert(
            "ApproximateReceiveCount".into(),
            stored.receive_count.to_string(),
        );
        if let Some(group) = stored.message.group_id.clone() {
            record.attributes.insert("MessageGroupId".into(), group);
        }
        if let Some(trace) = &stored.message.trace_header {
            let mut attribute = SqsMessageAttribute::default();
            attribute.data_type = Some("String".into());
            attribute.string_value = Some(trace.clone());
            record
                .message_attributes
                .insert(TRACE_ATTRIBUTE.into(), attribute);
        }
        record
    }
}

/// FIFO groups with a message in flight.
fn held_groups(state: &State) -> HashSet<String> {
    state
        .in_flight
        .values()
        .filter_map(|stored| stored.message.group_id.clone())
        .collect()
}

fn every_message_failed(event: &SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for id in event
        .records
        .iter()
        .filter_map(|record| record.message_id.clone())
    {
        let mut failure = aws_lambda_events::sqs::BatchItemFailure::default();
        failure.item_identifier = id;
        response.batch_item_failures.push(failure);
    }
    response
}

#[async_trait::async_trait]
impl Queue for LocalQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<SendOutcome>, Error> {
        Ok(messages
            .iter()
            .map(|message| SendOutcome::Sent(self.push(message.clone())))
            .collect())
    }
}
