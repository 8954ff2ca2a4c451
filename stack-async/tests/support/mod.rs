//! Shared test helpers: moto clients, stream records, fixtures.
#![allow(dead_code, unreachable_pub, clippy::print_stderr, clippy::panic)]

use std::path::PathBuf;

use aws_lambda_events::dynamodb::{Event, EventRecord};
use serde_dynamo::{AttributeValue, Item};

/// The moto URL, or `None` (with a notice) when the tests should skip; panics when moto is
/// required but not configured.
pub fn moto_url(test: &str) -> Option<String> {
    match std::env::var("STACK_TEST_MOTO_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("STACK_TEST_REQUIRE_MOTO").as_deref() == Ok("1") => {
            panic!("STACK_TEST_REQUIRE_MOTO=1 but STACK_TEST_MOTO_URL is not set")
        }
        Err(_) => {
            eprintln!("skipping {test}: set STACK_TEST_MOTO_URL to run it against moto");
            None
        }
    }
}

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", ulid::Ulid::new().to_string().to_lowercase())
}

pub fn sqs_client(url: &str) -> aws_sdk_sqs::Client {
    use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(url)
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// Creates a standard queue on moto and returns its URL.
pub async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    let created = sqs.create_queue().queue_name(name).send().await.unwrap();
    created.queue_url().unwrap().to_owned()
}

/// Routes events matching `pattern` on `bus` to the queue named `queue_name` with rule `rule`.
pub async fn route_to_queue(
    events: &aws_sdk_eventbridge::Client,
    bus: &str,
    rule: &str,
    pattern: &serde_json::Value,
    queue_name: &str,
) {
    events
        .put_rule()
        .name(rule)
        .event_bus_name(bus)
        .event_pattern(pattern.to_string())
        .send()
        .await
        .unwrap();
    let arn = format!("arn:aws:sqs:us-east-1:123456789012:{queue_name}");
    let target = aws_sdk_eventbridge::types::Target::builder()
        .id("queue")
        .arn(arn)
        .build()
        .unwrap();
    events
        .put_targets()
        .rule(rule)
        .event_bus_name(bus)
        .targets(target)
        .send()
        .await
        .unwrap();
}

pub fn eventbridge_client(url: &str) -> aws_sdk_eventbridge::Client {
    use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_eventbridge::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(url)
        .build();
    aws_sdk_eventbridge::Client::from_conf(config)
}

pub fn fixture(relative: &str) -> String {
    let path = PathBuf::from(env!("STACK_FIXTURES_DIR"))
        .join("lambda-events")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// An INSERT record of a `Todo` with `title`, sequence number `sequence`.
pub fn todo_record(sequence: u64, title: &str) -> EventRecord {
    let mut record = EventRecord::default();
    record.event_id = format!("event-{sequence}");
    record.event_name = "INSERT".into();
    record.event_source = Some("aws:dynamodb".into());
    let keys: Item = [
        ("pk".to_owned(), s("USER#ann")),
        ("sk".to_owned(), s(&format!("TODO#{sequence}"))),
    ]
    .into_iter()
    .collect::<std::collections::HashMap<_, _>>()
    .into();
    let mut image: std::collections::HashMap<String, AttributeValue> = keys.clone().into_inner();
    image.insert("_type".into(), s("Todo"));
    image.insert("title".into(), s(title));
    image.insert("owner".into(), s("ann"));
    record.change.keys = keys;
    record.change.new_image = image.into();
    record.change.sequence_number = Some(format!("{sequence:021}"));
    record
}

pub fn event_of(records: Vec<EventRecord>) -> Event {
    let mut event = Event::default();
    event.records = records;
    event
}
