//! The publisher: fewest PutEvents calls, every entry checked and retried, failures reported
//! from the first failed record, the oversize policy, trace headers, real stream payloads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use stack_async::bus::Bus;
use stack_async::event::{DomainEvent, EntryOutcome};
use stack_async::publisher::{OversizePolicy, PointerStore, Publisher};
use stack_async::retry::{Backoff, RecordingSleeper};
use stack_async::{Error, local::LocalBus};
use support::{event_of, fixture, todo_record};

/// Records every call; answers from a script of refusals (entry positions refused per call).
#[derive(Debug, Default)]
struct ScriptedBus {
    calls: Mutex<Vec<Vec<DomainEvent>>>,
    refusals: Mutex<VecDeque<Vec<usize>>>,
    throttle_first: Mutex<usize>,
}

impl ScriptedBus {
    fn calls(&self) -> Vec<Vec<DomainEvent>> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl Bus for ScriptedBus {
    async fn put_events(&self, events: &[DomainEvent]) -> Result<Vec<EntryOutcome>, Error> {
        {
            let mut throttles = self.throttle_first.lock().unwrap();
            if *throttles > 0 {
                *throttles -= 1;
                return Err(Error::retryable("throttled", "ThrottlingException"));
            }
        }
        self.calls.lock().unwrap().push(events.to_vec());
        let refused = self
            .refusals
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_default();
        let outcome = |(i, _)| match refused.contains(&i) {
            true => EntryOutcome::failed("InternalFailure", "try again"),
            false => EntryOutcome::Accepted(format!("id-{i}")),
        };
        Ok(events.iter().enumerate().map(outcome).collect())
    }
}

fn publisher(bus: Arc<ScriptedBus>) -> Publisher<Arc<ScriptedBus>> {
    let backoff = Backoff::new(
        std::time::Duration::from_millis(10),
        std::time::Duration::from_secs(1),
        3,
    );
    Publisher::new(bus, "app.todo")
        .with_backoff(backoff)
        .with_sleeper(Arc::new(RecordingSleeper::default()))
}

fn records(n: u64) -> Vec<aws_lambda_events::dynamodb::EventRecord> {
    (1..=n).map(|i| todo_record(i, "small")).collect()
}

#[tokio::test]
async fn small_events_take_the_fewest_put_events_calls() {
    for n in [1u64, 9, 10, 11, 95, 100] {
        let bus = Arc::new(ScriptedBus::default());
        let response = publisher(bus.clone())
            .publish(&event_of(records(n)), None)
            .await;
        assert!(response.batch_item_failures.is_empty());
        assert_eq!(bus.calls().len() as u64, n.div_ceil(10), "{n} events");
    }
}

#[tokio::test]
async fn chunks_stay_under_256_kb() {
    let bus = Arc::new(ScriptedBus::default());
    let big = "x".repeat(100 * 1024);
    let records = (1..=5).map(|i| todo_record(i, &big)).collect();
    publisher(bus.clone())
        .publish(&event_of(records), None)
        .await;
    let sizes: Vec<usize> = bus
        .calls()
        .iter()
        .map(|call| call.iter().map(DomainEvent::size).sum())
        .collect();
    assert_eq!(
        bus.calls().iter().map(Vec::len).collect::<Vec<_>>(),
        [2, 2, 1]
    );
    assert!(sizes.iter().all(|&size| size <= 256 * 1024), "{sizes:?}");
}

#[tokio::test]
async fn refused_entries_are_retried_alone() {
    let bus = Arc::new(ScriptedBus::default());
    bus.refusals.lock().unwrap().extend([vec![2, 5], vec![]]);
    let response = publisher(bus.clone())
        .publish(&event_of(records(10)), None)
        .await;
    assert!(response.batch_item_failures.is_empty());
    let calls = bus.calls();
    assert_eq!(calls.len(), 2);
    let retried: Vec<&str> = calls[1]
        .iter()
        .map(|e| e.detail["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(retried, ["event-3", "event-6"]);
}

#[tokio::test]
async fn throttled_calls_are_retried_with_backoff() {
    let bus = Arc::new(ScriptedBus::default());
    *bus.throttle_first.lock().unwrap() = 2;
    let sleeper = Arc::new(RecordingSleeper::default());
    let publisher = publisher(bus.clone()).with_sleeper(sleeper.clone());
    let response = publisher.publish(&event_of(records(3)), None).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(sleeper.waits().len(), 2);
}

#[tokio::test]
async fn what_still_fails_is_reported_from_the_first_failed_record() {
    let bus = Arc::new(ScriptedBus::default());
    // Second chunk (records 11..20): position 3 (record 14) is refused on every attempt.
    bus.refusals
        .lock()
        .unwrap()
        .extend([vec![], vec![3, 7], vec![0], vec![0]]);
    let response = publisher(bus.clone())
        .publish(&event_of(records(30)), None)
        .await;
    let failures: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.clone())
        .collect();
    assert_eq!(failures, [Some(format!("{:021}", 14))]);
    assert_eq!(
        bus.calls().len(),
        4,
        "nothing after the failed chunk is put"
    );
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(
        json["batchItemFailures"][0]["itemIdentifier"],
        format!("{:021}", 14)
    );
}

#[tokio::test]
async fn oversize_events_follow_the_policy() {
    let huge = "y".repeat(300 * 1024);
    let bus = Arc::new(ScriptedBus::default());
    publisher(bus.clone())
        .publish(&event_of(vec![todo_record(1, &huge)]), None)
        .await;
    let sent = &bus.calls()[0][0];
    assert_eq!(sent.detail["imagesOmitted"], "oversize");
    assert_eq!(sent.detail["keys"]["pk"], "USER#ann");
    assert!(sent.detail["newImage"].is_null());

    #[derive(Debug)]
    struct Store;
    #[async_trait::async_trait]
    impl PointerStore for Store {
        async fn store(&self, id: &str, _: &DomainEvent) -> Result<String, Error> {
            Ok(format!("s3://changes/{id}.json"))
        }
    }
    let bus = Arc::new(ScriptedBus::default());
    let pointer =
        publisher(bus.clone()).with_oversize_policy(OversizePolicy::Pointer(Arc::new(Store)));
    pointer
        .publish(&event_of(vec![todo_record(1, &huge)]), None)
        .await;
    assert_eq!(
        bus.calls()[0][0].detail["imagesAt"],
        "s3://changes/event-1.json"
    );

    let bus = Arc::new(ScriptedBus::default());
    let failing = publisher(bus.clone()).with_oversize_policy(OversizePolicy::Fail);
    let response = failing
        .publish(
            &event_of(vec![todo_record(1, "ok"), todo_record(2, &huge)]),
            None,
        )
        .await;
    assert_eq!(
        response.batch_item_failures[0].item_identifier,
        Some(format!("{:021}", 2))
    );
    assert_eq!(
        bus.calls().len(),
        1,
        "the record before the oversize one is still published"
    );
}

#[tokio::test]
async fn events_carry_type_keys_images_and_the_trace_header() {
    let bus = Arc::new(ScriptedBus::default());
    let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    publisher(bus.clone())
        .publish(&event_of(records(1)), Some(trace))
        .await;
    let event = &bus.calls()[0][0];
    assert_eq!(
        (event.source.as_str(), event.detail_type.as_str()),
        ("app.todo", "TodoCreated")
    );
    assert_eq!(event.trace_header.as_deref(), Some(trace));
    assert_eq!(event.detail["newImage"]["title"], "small");
    assert_eq!(event.detail["eventName"], "INSERT");
}

#[tokio::test]
async fn only_listed_entities_are_published() {
    let bus = Arc::new(ScriptedBus::default());
    let publisher = publisher(bus.clone()).only_entities(["Stats"]);
    let response = publisher.publish(&event_of(records(3)), None).await;
    assert!(response.batch_item_failures.is_empty());
    assert!(bus.calls().is_empty());
}

#[tokio::test]
async fn the_real_stream_payload_publishes_one_event_per_record() {
    let payload =
        fixture("aws-lambda-rust-runtime/lambda-events-fixtures/example-dynamodb-event.json");
    let event = stack_dynamo::stream::parse_event(payload.as_bytes()).unwrap();
    let bus = Arc::new(ScriptedBus::default());
    let response = publisher(bus.clone()).publish(&event, None).await;
    assert!(response.batch_item_failures.is_empty());
    let types: Vec<String> = bus
        .calls()
        .concat()
        .iter()
        .map(|e| e.detail_type.clone())
        .collect();
    assert_eq!(types.len(), event.records.len());
    assert!(types.iter().all(|t| t.starts_with("Item")), "{types:?}");
    let first: &Value = &bus.calls()[0][0].detail;
    assert!(first["keys"].is_object());
}

#[tokio::test]
async fn the_local_bus_accepts_every_entry() {
    let publisher = Publisher::new(LocalBus::new(), "app.todo");
    let response = publisher.publish(&event_of(records(25)), None).await;
    assert!(response.batch_item_failures.is_empty());
}
