//! Thousands of table writes through the change feed, a bus that throttles and refuses
//! entries, and a worker whose handler fails at random: every event reaches the side effect
//! exactly once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use stack_async::Error;
use stack_async::bus::Bus;
use stack_async::consumer::{Consumers, Delivered};
use stack_async::event::{DomainEvent, EntryOutcome};
use stack_async::local::{ChangeFeed, LocalBus, LocalQueue, Pattern, Target};
use stack_async::publisher::Publisher;
use stack_async::retry::{Backoff, RecordingSleeper};
use stack_async::sqs::SqsWorker;
use stack_dynamo::idempotency::Idempotency;
use stack_dynamo::{EmbeddedBackend, Entity, Keys, Table};

const RECORDS: usize = 2_000;

#[derive(serde::Serialize, serde::Deserialize)]
struct Note {
    id: String,
}

impl Entity for Note {
    const TYPE: &'static str = "Note";
    const KEYS: Keys = Keys::new("NOTE#{id}", "NOTE");
}

/// A deterministic coin: true about `percent` times in a hundred.
#[derive(Debug)]
struct Coin(AtomicU64);

impl Coin {
    fn flip(&self, percent: u64) -> bool {
        let mut x = self.0.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.store(x, Ordering::Relaxed);
        x % 100 < percent
    }
}

/// The local bus behind injected throttling (whole calls) and refused entries.
#[derive(Debug)]
struct FlakyBus {
    inner: LocalBus,
    coin: Coin,
    throttled: AtomicU64,
    refused: AtomicU64,
}

#[async_trait::async_trait]
impl Bus for FlakyBus {
    async fn put_events(&self, events: &[DomainEvent]) -> Result<Vec<EntryOutcome>, Error> {
        if self.coin.flip(15) {
            self.throttled.fetch_add(1, Ordering::Relaxed);
            return Err(Error::retryable("injected", "ThrottlingException"));
        }
        let mut outcomes = Vec::with_capacity(events.len());
        for event in events {
            if self.coin.flip(10) {
                self.refused.fetch_add(1, Ordering::Relaxed);
                outcomes.push(EntryOutcome::failed("InternalFailure", "injected"));
            } else {
                outcomes.extend(self.inner.put_events(std::slice::from_ref(event)).await?);
            }
        }
        Ok(outcomes)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_reaches_the_side_effect_exactly_once() {
    let backend = EmbeddedBackend::in_memory().unwrap();
    let table = Table::new(backend.clone());
    for i in 0..RECORDS {
        table
            .create(Note {
                id: format!("{i:05}"),
            })
            .await
            .unwrap();
    }

    let queue = LocalQueue::new("notes").with_redrive(100, Duration::ZERO);
    let bus = LocalBus::new();
    let created =
        Pattern::new(json!({ "source": ["app.notes"], "detail-type": [{ "prefix": "Note" }] }))
            .unwrap();
    bus.add_rule("notes", created, Target::Queue(queue.clone()));
    let flaky = FlakyBus {
        inner: bus,
        coin: Coin(AtomicU64::new(7)),
        throttled: 0.into(),
        refused: 0.into(),
    };
    let backoff = Backoff::new(Duration::from_millis(1), Duration::from_millis(5), 3);
    let publisher = Publisher::new(flaky, "app.notes")
        .with_backoff(backoff)
        .with_sleeper(Arc::new(RecordingSleeper::default()));
    let publisher = Arc::new(publisher);

    // Republish from the failed record until the feed is empty, as the stream would.
    let feed = ChangeFeed::new(backend, publisher.clone());
    let mut rounds = 0;
    while feed.drain().await.is_err() {
        rounds += 1;
        assert!(rounds < 10_000, "the feed never drained");
    }

    let effects: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let coin = Arc::new(Coin(AtomicU64::new(11)));
    let (seen, flaky_coin) = (effects.clone(), coin.clone());
    let consumers = Consumers::new().on("NoteCreated", move |event: Delivered<Value>| {
        let (seen, coin) = (seen.clone(), flaky_coin.clone());
        async move {
            if coin.flip(20) {
                return Err(Error::handler_message("injected handler failure"));
            }
            let id = event.detail["eventId"].as_str().unwrap().to_owned();
            *seen.lock().unwrap().entry(id).or_default() += 1;
            Ok(())
        }
    });
    let records = Idempotency::new(Table::new(EmbeddedBackend::in_memory().unwrap()));
    let worker = SqsWorker::new(consumers).idempotent(records);
    while !queue.is_idle() {
        let event = queue.receive(10);
        if event.records.is_empty() {
            continue;
        }
        let response = worker.process(&event).await.unwrap();
        queue.settle(&event, &response);
    }

    let effects = effects.lock().unwrap();
    assert_eq!(effects.len(), RECORDS, "every event arrived");
    assert!(effects.values().all(|&count| count == 1), "none twice");
    assert!(queue.dead_letters().is_empty());
    let bus = publisher.bus();
    assert!(
        bus.throttled.load(Ordering::Relaxed) > 10 && bus.refused.load(Ordering::Relaxed) > 100
    );
    assert!(
        rounds > 0,
        "some records were reported failed and republished"
    );
}
