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
