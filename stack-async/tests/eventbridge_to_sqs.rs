//! End to end on moto and locally: stream records published to EventBridge, a rule with an
//! event pattern delivering to SQS, and the typed consumer routed by detail-type; the
//! producer's trace attribute; our pattern matcher agreeing with EventBridge's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use std::sync::{Arc, Mutex};

use aws_lambda_events::sqs::{SqsEvent, SqsMessage, SqsMessageAttribute};
use serde_json::{Value, json};
use stack_async::bus::EventBridgeBus;
use stack_async::consumer::{Consumers, Delivered};
use stack_async::local::{LocalBus, LocalQueue, Pattern, Target};
use stack_async::publisher::Publisher;
use stack_async::sqs::{OutgoingMessage, Producer, SqsQueue, SqsWorker, TRACE_ATTRIBUTE};
use support::{event_of, todo_record};

const TRACE: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

fn created_pattern() -> Value {
    json!({ "source": [{ "prefix": "app." }], "detail-type": ["TodoCreated"], "detail": { "newImage": { "owner": ["ann"] } } })
}

/// Consumers that record the titles of created todos.
fn recording_consumers() -> (Consumers, Arc<Mutex<Vec<String>>>) {
    let titles: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = titles.clone();
    let consumers = Consumers::new().on("TodoCreated", move |event: Delivered<Value>| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(
                event.detail["newImage"]["title"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
            Ok(())
        }
    });
    (consumers, titles)
}

fn sqs_event(received: &[aws_sdk_sqs::types::Message]) -> SqsEvent {
    let mut event = SqsEvent::default();
    for message in received {
        let mut record = SqsMessage::default();
        record.message_id = message.message_id.clone();
        record.body = message.body.clone();
        for (name, value) in message.message_attributes.clone().unwrap_or_default() {
            let mut attribute = SqsMessageAttribute::default();
            attribute.string_value = value.string_value;
            attribute.data_type = Some(value.data_type);
            record.message_attributes.insert(name, attribute);
        }
        event.records.push(record);
    }
    event
}

#[tokio::test]
async fn stream_records_reach_the_consumer_through_eventbridge_and_sqs_on_moto() {
    let Some(url) =
        support::moto_url("stream_records_reach_the_consumer_through_eventbridge_and_sqs_on_moto")
    else {
        return;
    };
    let (events, sqs) = (support::eventbridge_client(&url), support::sqs_client(&url));
    let (bus_name, queue_name) = (support::unique("bus"), support::unique("analytics"));
    events
        .create_event_bus()
        .name(&bus_name)
        .send()
        .await
        .unwrap();
    let queue_url = support::create_queue(&sqs, &queue_name).await;
    support::route_to_queue(
        &events,
        &bus_name,
        "created",
        &created_pattern(),
        &queue_name,
    )
    .await;

    let publisher = Publisher::new(EventBridgeBus::new(events.clone(), &bus_name), "app.todo");
    let records = (1..=12)
        .map(|i| todo_record(i, &format!("todo {i}")))
        .collect();
    let response = publisher.publish(&event_of(records), Some(TRACE)).await;
    assert!(response.batch_item_failures.is_empty());

    let (consumers, titles) = recording_consumers();
    let worker = SqsWorker::new(consumers);
    for _ in 0..5 {
        let received = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let event = sqs_event(received.messages());
        if event.records.is_empty() {
            break;
        }
        assert!(
            worker
                .process(&event)
                .await
                .unwrap()
                .batch_item_failures
                .is_empty()
        );
        for message in received.messages() {
            sqs.delete_message()
                .queue_url(&queue_url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
    let mut titles = titles.lock().unwrap().clone();
    titles.sort_by_key(|title| title[5..].parse::<u32>().unwrap());
    assert_eq!(
        titles,
        (1..=12).map(|i| format!("todo {i}")).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn stream_records_reach_the_consumer_through_the_local_bus() {
    let (bus, queue) = (LocalBus::new(), LocalQueue::new("analytics"));
    bus.add_rule(
        "created",
        Pattern::new(created_pattern()).unwrap(),
        Target::Queue(queue.clone()),
    );
    let publisher = Publisher::new(bus, "app.todo");
    let records = (1..=12)
        .map(|i| todo_record(i, &format!("todo {i}")))
        .collect();
    assert!(
        publisher
            .publish(&event_of(records), Some(TRACE))
            .await
            .batch_item_failures
            .is_empty()
    );

    let (consumers, titles) = recording_consumers();
    let event = queue.receive(20);
    let trace = event.records[0]
        .message_attributes
        .get(TRACE_ATTRIBUTE)
        .and_then(|a| a.string_value.clone());
    assert_eq!(trace.as_deref(), Some(TRACE));
    assert!(
        SqsWorker::new(consumers)
            .process(&event)
            .await
            .unwrap()
            .batch_item_failures
            .is_empty()
    );
    assert_eq!(titles.lock().unwrap().len(), 12);
}

#[tokio::test]
async fn the_producer_sends_in_batches_with_the_trace_attribute_on_moto() {
    let Some(url) =
        support::moto_url("the_producer_sends_in_batches_with_the_trace_attribute_on_moto")
    else {
        return;
    };
    let sqs = support::sqs_client(&url);
    let queue_url = support::create_queue(&sqs, &support::unique("jobs")).await;
    let messages: Vec<_> = (0..25)
        .map(|i| {
            OutgoingMessage::json(&json!({ "job": i }))
                .unwrap()
                .with_trace_header(Some(TRACE.into()))
        })
        .collect();
    let ids = Producer::new(SqsQueue::new(sqs.clone(), &queue_url))
        .send(&messages)
        .await
        .unwrap();
    assert_eq!(ids.len(), 25);

    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap();
    let event = sqs_event(received.messages());
    let trace = event.records[0]
        .message_attributes
        .get(TRACE_ATTRIBUTE)
        .and_then(|a| a.string_value.clone());
    assert_eq!(trace.as_deref(), Some(TRACE));
}

#[tokio::test]
async fn the_local_pattern_matcher_agrees_with_eventbridge_on_moto() {
    let Some(url) = support::moto_url("the_local_pattern_matcher_agrees_with_eventbridge_on_moto")
    else {
        return;
    };
    let events = support::eventbridge_client(&url);
    let event = json!({
        "id": "1", "account": "123456789012", "region": "us-east-1", "time": "2030-01-01T00:00:00Z",
        "source": "app.todo", "detail-type": "TodoCreated", "resources": [],
        "detail": { "newImage": { "owner": "ann", "priority": 3, "tags": ["home", "urgent"] }, "expired": false },
    });
    let patterns = [
        json!({ "source": ["app.todo"] }),
        json!({ "source": [{ "prefix": "app." }] }),
        json!({ "source": [{ "prefix": "web." }] }),
        json!({ "detail-type": [{ "anything-but": "TodoDeleted" }] }),
        json!({ "detail-type": [{ "anything-but": ["TodoCreated", "TodoDeleted"] }] }),
        json!({ "detail": { "newImage": { "priority": [{ "numeric": [">", 0, "<=", 5] }] } } }),
        json!({ "detail": { "newImage": { "priority": [{ "numeric": [">", 3] }] } } }),
        json!({ "detail": { "newImage": { "owner": [{ "exists": true }] } } }),
        json!({ "detail": { "newImage": { "due": [{ "exists": false }] } } }),
        json!({ "detail": { "newImage": { "due": [{ "exists": true }] } } }),
        json!({ "detail": { "newImage": { "tags": ["urgent"] } } }),
        json!({ "detail": { "expired": [false] } }),
    ];
    // moto has no TestEventPattern, so each pattern gets a rule and a queue of its own, and
    // a queue that received the event is a match.
    let sqs = support::sqs_client(&url);
    let bus_name = support::unique("patterns");
    events
        .create_event_bus()
        .name(&bus_name)
        .send()
        .await
        .unwrap();
    let mut queues = Vec::new();
    for (index, pattern) in patterns.iter().enumerate() {
        let queue_name = support::unique(&format!("pattern{index}"));
        let queue_url = support::create_queue(&sqs, &queue_name).await;
        let rule = format!("rule{index}");
        support::route_to_queue(&events, &bus_name, &rule, pattern, &queue_name).await;
        queues.push(queue_url);
    }
    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
        .event_bus_name(&bus_name)
        .source("app.todo")
        .detail_type("TodoCreated")
        .detail(event["detail"].to_string())
        .build();
    events.put_events().entries(entry).send().await.unwrap();

    for (pattern, queue_url) in patterns.iter().zip(&queues) {
        let received = sqs
            .receive_message()
            .queue_url(queue_url)
            .send()
            .await
            .unwrap();
        let theirs = !received.messages().is_empty();
        let ours = Pattern::new(pattern.clone()).unwrap().matches(&event);
        assert_eq!(ours, theirs, "{pattern}");
    }
}
