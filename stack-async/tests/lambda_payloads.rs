//! Real Lambda payloads through the handlers as Lambda invokes them: SQS batches answer in
//! the exact partial-batch shape, stream batches in the stream batch-item-failure shape, and
//! EventBridge events reach the consumer of their detail-type.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use stack_async::Error;
use stack_async::consumer::{Consumers, Delivered};
use stack_async::local::LocalBus;
use stack_async::publisher::Publisher;
use stack_async::sqs::{Message, MessageHandler, SqsWorker};
use stack_core::events::{Invocation, invoke};
use support::fixture;

#[derive(Debug, serde::Deserialize)]
struct Greeting {
    message: String,
}

#[derive(Debug, Default)]
struct Greetings(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl MessageHandler for Greetings {
    type Body = Greeting;

    async fn handle(&self, message: &Message<Greeting>) -> Result<(), Error> {
        self.0.lock().unwrap().push(message.body.message.clone());
        Ok(())
    }
}

fn payload(relative: &str) -> Value {
    serde_json::from_str(&fixture(relative)).unwrap()
}

#[tokio::test]
async fn an_sqs_batch_reports_only_its_failed_message_ids() {
    let worker = SqsWorker::new(Greetings::default());
    // The real payload's body is plain text; a copy of its record gets a JSON body.
    let mut event = payload("aws-lambda-go/events-testdata/sqs-event.json");
    let mut second = event["Records"][0].clone();
    second["messageId"] = json!("MessageID_2");
    second["body"] = json!(r#"{"message": "foo1"}"#);
    event["Records"].as_array_mut().unwrap().push(second);
    let response = invoke(&worker, event, Invocation::default()).await.unwrap();
    assert_eq!(
        serde_json::to_value(response).unwrap(),
        json!({ "batchItemFailures": [{ "itemIdentifier": "MessageID_1" }] }),
        "the plain-text body does not decode; the JSON one is handled"
    );
    assert_eq!(*worker.handler().0.lock().unwrap(), ["foo1"]);
}

#[tokio::test]
async fn a_stream_batch_answers_in_the_stream_failure_shape() {
    let event = payload("powertools-python/tests-events/dynamoStreamEvent.json");
    let publisher = Publisher::new(LocalBus::new(), "app.test");
    let response = invoke(&publisher, event, Invocation::default())
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(response).unwrap(),
        json!({ "batchItemFailures": [] })
    );

    let mut broken = payload("powertools-python/tests-events/dynamoStreamEvent.json");
    broken["Records"][1]["eventName"] = json!("UNKNOWN");
    let response = invoke(&publisher, broken, Invocation::default())
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(response).unwrap(),
        json!({ "batchItemFailures": [{ "itemIdentifier": "222" }] }),
        "an undecodable record is reported, never skipped"
    );
}

#[tokio::test]
async fn an_eventbridge_event_reaches_the_consumer_of_its_detail_type() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorded = seen.clone();
    let consumers = Consumers::new().on(
        "EC2 Instance State-change Notification",
        move |event: Delivered<Value>| {
            let recorded = recorded.clone();
            async move {
                recorded
                    .lock()
                    .unwrap()
                    .push(event.detail["state"].as_str().unwrap().to_owned());
                Ok(())
            }
        },
    );
    let event = payload(
        "aws-lambda-rust-runtime/lambda-events-fixtures/example-eventbridge-event-obj.json",
    );
    invoke(&consumers, event, Invocation::default())
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["pending"]);

    let other =
        payload("powertools-python/tests-events/s3EventBridgeNotificationObjectCreatedEvent.json");
    invoke(&consumers, other, Invocation::default())
        .await
        .unwrap();
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "other detail types are ignored"
    );
}
