//! The whole AWS path on moto: table writes read back from DynamoDB Streams, published by the
//! stream handler to EventBridge, delivered by a rule to SQS, and counted by the consumer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    StreamSpecification, StreamViewType,
};
use aws_sdk_dynamodbstreams::types::{AttributeValue as StreamValue, ShardIteratorType};
use serde_dynamo::AttributeValue;
use serde_json::{Value, json};
use stack_async::bus::EventBridgeBus;
use stack_async::consumer::{Consumers, Delivered};
use stack_async::publisher::Publisher;
use stack_async::sqs::SqsWorker;
use stack_dynamo::{AwsBackend, Entity, Keys, Table};

#[derive(serde::Serialize, serde::Deserialize)]
struct Todo {
    owner: String,
    id: String,
    title: String,
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";
    const KEYS: Keys = Keys::new("USER#{owner}", "TODO#{id}");
}

fn dynamodb(url: &str) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(url)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

fn streams(url: &str) -> aws_sdk_dynamodbstreams::Client {
    use aws_sdk_dynamodbstreams::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(url)
        .build();
    aws_sdk_dynamodbstreams::Client::from_conf(config)
}

async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str) -> String {
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    };
    let stream = StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::NewAndOldImages)
        .build()
        .unwrap();
    let created = client
        .create_table()
        .table_name(name)
        .attribute_definitions(attribute("pk"))
        .attribute_definitions(attribute("sk"))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(stream)
        .send()
        .await
        .unwrap();
    created
        .table_description()
        .unwrap()
        .latest_stream_arn()
        .unwrap()
        .to_owned()
}

/// A stream attribute value as the Lambda event carries it.
fn value(attribute: StreamValue) -> AttributeValue {
    match attribute {
        StreamValue::S(text) => AttributeValue::S(text),
        StreamValue::N(number) => AttributeValue::N(number),
        StreamValue::Bool(flag) => AttributeValue::Bool(flag),
        StreamValue::Null(_) => AttributeValue::Null(true),
        StreamValue::B(bytes) => AttributeValue::B(bytes.into_inner()),
        StreamValue::Ss(set) => AttributeValue::Ss(set),
        StreamValue::Ns(set) => AttributeValue::Ns(set),
        StreamValue::L(list) => AttributeValue::L(list.into_iter().map(value).collect()),
        StreamValue::M(map) => {
            AttributeValue::M(map.into_iter().map(|(k, v)| (k, value(v))).collect())
        }
        other => panic!("unexpected stream attribute {other:?}"),
    }
}

fn item(map: Option<HashMap<String, StreamValue>>) -> serde_dynamo::Item {
    let map: HashMap<String, AttributeValue> = map
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, value(v)))
        .collect();
    map.into()
}

/// The records of every shard, shaped as the Lambda event source mapping delivers them.
async fn stream_event(client: &aws_sdk_dynamodbstreams::Client, stream_arn: &str) -> Event {
    let described = client
        .describe_stream()
        .stream_arn(stream_arn)
        .send()
        .await
        .unwrap();
    let mut event = Event::default();
    for shard in described.stream_description().unwrap().shards() {
        let iterator = client
            .get_shard_iterator()
            .stream_arn(stream_arn)
            .shard_id(shard.shard_id().unwrap())
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap();
        let records = client
            .get_records()
            .shard_iterator(iterator.shard_iterator().unwrap())
            .send()
            .await
            .unwrap();
        for record in records.records() {
            let change = record.dynamodb().unwrap().clone();
            let mut lambda = EventRecord::default();
            lambda.event_id = record.event_id().unwrap_or_default().to_owned();
            lambda.event_name = record.event_name().unwrap().as_str().to_owned();
            lambda.event_source = Some("aws:dynamodb".into());
            lambda.change.keys = item(change.keys);
            lambda.change.new_image = item(change.new_image);
            lambda.change.old_image = item(change.old_image);
            lambda.change.sequence_number = change.sequence_number;
            event.records.push(lambda);
        }
    }
    event
}

#[tokio::test]
async fn table_writes_reach_the_consumer_through_streams_eventbridge_and_sqs_on_moto() {
    let Some(url) = support::moto_url(
        "table_writes_reach_the_consumer_through_streams_eventbridge_and_sqs_on_moto",
    ) else {
        return;
    };
    let (dynamo, events, sqs) = (
        dynamodb(&url),
        support::eventbridge_client(&url),
        support::sqs_client(&url),
    );
    let table_name = support::unique("todos");
    let stream_arn = create_table(&dynamo, &table_name).await;
    let table = Table::new(AwsBackend::new(dynamo, &table_name));
    for id in ["1", "2", "3"] {
        let todo = Todo {
            owner: "ann".into(),
            id: id.into(),
            title: format!("todo {id}"),
        };
        table.create(todo).await.unwrap();
    }

    let (bus_name, queue_name) = (support::unique("bus"), support::unique("analytics"));
    events
        .create_event_bus()
        .name(&bus_name)
        .send()
        .await
        .unwrap();
    let queue_url = support::create_queue(&sqs, &queue_name).await;
    let pattern = json!({ "source": ["app.todo"], "detail-type": ["TodoCreated"] });
    support::route_to_queue(&events, &bus_name, "created", &pattern, &queue_name).await;

    let event = stream_event(&streams(&url), &stream_arn).await;
    assert_eq!(event.records.len(), 3);
    let publisher = Publisher::new(EventBridgeBus::new(events, &bus_name), "app.todo");
    assert!(
        publisher
            .publish(&event, None)
            .await
            .batch_item_failures
            .is_empty()
    );

    let titles = Arc::new(Mutex::new(Vec::new()));
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
    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let mut sqs_event = aws_lambda_events::sqs::SqsEvent::default();
    for message in received.messages() {
        let mut record = aws_lambda_events::sqs::SqsMessage::default();
        record.message_id = message.message_id.clone();
        record.body = message.body.clone();
        sqs_event.records.push(record);
    }
    assert!(
        SqsWorker::new(consumers)
            .process(&sqs_event)
            .await
            .unwrap()
            .batch_item_failures
            .is_empty()
    );
    let mut titles = titles.lock().unwrap().clone();
    titles.sort();
    assert_eq!(titles, ["todo 1", "todo 2", "todo 3"]);
}
