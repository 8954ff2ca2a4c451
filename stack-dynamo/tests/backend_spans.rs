//! Every backend call runs in a `dynamodb` span with OpenTelemetry-style `db.*` fields.

#![cfg(feature = "local")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use stack_dynamo::{EmbeddedBackend, Entity, Keys, Query, Table};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

type Fields = BTreeMap<String, String>;

/// Keeps the fields of every span, with late-recorded ones, in creation order.
#[derive(Clone, Default)]
struct SpanLog(Arc<Mutex<Vec<(Id, Fields)>>>);

struct FieldWriter<'a>(&'a mut Fields);

impl Visit for FieldWriter<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        );
    }
}

impl<S: tracing::Subscriber> Layer<S> for SpanLog {
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = Fields::new();
        attributes.record(&mut FieldWriter(&mut fields));
        self.0.lock().unwrap().push((id.clone(), fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some((_, fields)) = spans.iter_mut().rev().find(|(span, _)| span == id) {
            values.record(&mut FieldWriter(fields));
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Todo {
    id: String,
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";
    const KEYS: Keys = Keys::new("LIST#home", "TODO#{id}");
}

#[tokio::test]
async fn each_call_has_a_span_with_db_fields() {
    let log = SpanLog::default();
    let _default = tracing::subscriber::set_default(Registry::default().with(log.clone()));
    let table = Table::new(EmbeddedBackend::in_memory().unwrap());

    let todo = Todo { id: "1".into() };
    table.create(todo.clone()).await.unwrap();
    table.create(todo).await.unwrap_err();
    table.query::<Todo>(Query::new("LIST#home")).await.unwrap();
    let by_due = Query::on_index("gsi1", "DUE");
    table.query::<Todo>(by_due).await.unwrap();

    let spans = log.0.lock().unwrap();
    let field = |index: usize, name: &str| spans[index].1.get(name).cloned().unwrap_or_default();
    let operations: Vec<_> = (0..spans.len())
        .map(|index| field(index, "db.operation"))
        .collect();
    assert_eq!(operations, ["PutItem", "PutItem", "Query", "Query"]);
    assert!((0..spans.len()).all(|index| field(index, "db.system") == "dynamodb"));
    assert_eq!(field(0, "aws.dynamodb.table_names"), "in-memory");
    assert_eq!(field(1, "error.type"), "Conflict");
    assert_eq!(field(2, "aws.dynamodb.count"), "1");
    assert_eq!(field(2, "aws.dynamodb.index_name"), "");
    assert_eq!(field(3, "aws.dynamodb.index_name"), "gsi1");
}

/// On DynamoDB (moto), the span also carries the capacity the call consumed.
#[cfg(feature = "aws")]
#[tokio::test]
async fn dynamodb_calls_record_consumed_capacity() {
    use aws_sdk_dynamodb::config::{Credentials, Region};

    let Ok(url) = std::env::var("STACK_TEST_MOTO_URL") else {
        assert!(std::env::var("STACK_TEST_REQUIRE_MOTO").as_deref() != Ok("1"));
        return;
    };
    assert!(url.starts_with("http://127.0.0.1:") || url.starts_with("http://localhost:"));
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(url)
        .build();
    let name = format!("spans-{}", std::process::id());
    let backend = stack_dynamo::AwsBackend::new(aws_sdk_dynamodb::Client::from_conf(config), name);
    backend.create_table_if_missing().await.unwrap();
    let table = Table::new(backend);

    let log = SpanLog::default();
    let _default = tracing::subscriber::set_default(Registry::default().with(log.clone()));
    table.create(Todo { id: "1".into() }).await.unwrap();
    table
        .query::<Todo>(Query::on_index("gsi1", "DUE"))
        .await
        .unwrap();

    // The SDK has spans of its own; ours are the ones with `db.system`.
    let spans = log.0.lock().unwrap();
    let ours: Vec<&Fields> = spans
        .iter()
        .map(|(_, fields)| fields)
        .filter(|fields| fields.contains_key("db.system"))
        .collect();
    let capacity = ours[0].get("aws.dynamodb.consumed_capacity");
    assert!(
        capacity.is_some_and(|units| units.parse::<f64>().is_ok()),
        "{ours:?}"
    );
    let index = ours[1].get("aws.dynamodb.index_name");
    assert_eq!(index.map(String::as_str), Some("gsi1"));
}
