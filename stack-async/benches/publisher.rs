//! Publisher cost: stream records turned into events and put per second of CPU (on a bus
//! that accepts everything at no cost), and `PutEvents` calls per N small events, which
//! must be ceil(N / 10), the fewest the API allows.
//!
//! `cargo bench -p stack-async --bench publisher -- --warm-up-time 1 --measurement-time 3`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::panic
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use aws_lambda_events::dynamodb::{Event, EventRecord};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_dynamo::AttributeValue;
use stack_async::Error;
use stack_async::bus::Bus;
use stack_async::event::{DomainEvent, EntryOutcome};
use stack_async::publisher::Publisher;

/// Accepts everything and counts the calls.
#[derive(Debug, Default)]
struct CountingBus(AtomicUsize);

#[async_trait::async_trait]
impl Bus for CountingBus {
    async fn put_events(&self, events: &[DomainEvent]) -> Result<Vec<EntryOutcome>, Error> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(events
            .iter()
            .map(|_| EntryOutcome::Accepted(String::new()))
            .collect())
    }
}

fn record(sequence: usize) -> EventRecord {
    let s = |value: String| AttributeValue::S(value);
    let keys: std::collections::HashMap<String, AttributeValue> = [
        ("pk".into(), s("USER#ann".into())),
        ("sk".into(), s(format!("TODO#{sequence}"))),
    ]
    .into();
    let mut image = keys.clone();
    image.insert("_type".into(), s("Todo".into()));
    image.insert("title".into(), s(format!("todo number {sequence}")));
    image.insert("completed".into(), AttributeValue::Bool(false));
    let mut record = EventRecord::default();
    record.event_id = format!("{sequence:032x}");
    record.event_name = "INSERT".into();
    record.change.keys = keys.into();
    record.change.new_image = image.into();
    record.change.sequence_number = Some(format!("{sequence:021}"));
    record
}

fn event(n: usize) -> Event {
    let mut event = Event::default();
    event.records = (1..=n).map(record).collect();
    event
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

fn records_per_second(c: &mut Criterion) {
    let (runtime, batch) = (runtime(), event(100));
    let publisher = Publisher::new(CountingBus::default(), "app.todo");
    let mut group = c.benchmark_group("publisher");
    group.throughput(Throughput::Elements(100));
    group.bench_function("100 records", |b| {
        b.iter(|| runtime.block_on(publisher.publish(&batch, None)));
    });
    group.finish();
}

fn put_events_calls(_: &mut Criterion) {
    let runtime = runtime();
    for n in [1, 9, 10, 11, 95, 100, 1000] {
        let publisher = Publisher::new(CountingBus::default(), "app.todo");
        runtime.block_on(publisher.publish(&event(n), None));
        let calls = publisher.bus().0.load(Ordering::Relaxed);
        eprintln!(
            "PutEvents calls for {n} small events: {calls} (minimum {})",
            n.div_ceil(10)
        );
        assert_eq!(calls, n.div_ceil(10));
    }
}

criterion_group!(benches, records_per_second, put_events_calls);
criterion_main!(benches);
