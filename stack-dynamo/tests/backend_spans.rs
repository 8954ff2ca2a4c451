//! Every backend call runs in a `dynamodb` span with OpenTelemetry-style `db.*` fields.

#![cfg(feature = "local")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use stack_dynamo::{EmbeddedBackend, Entity, Key, Query, Table};
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

#[derive(Serialize, Deserialize)]
struct Todo {
    id: String,
    version: u64,
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";

    fn key(&self) -> Key {
        Key::new("LIST#home", format!("TODO#{}", self.id))
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn set_version(&mut self, version: u64) {
        self.version = version;
    }
}

#[tokio::test]
async fn each_call_has_a_span_with_db_fields() {
    let log = SpanLog::default();
    let _default = tracing::subscriber::set_default(Registry::default().with(log.clone()));
    let table = Table::new(EmbeddedBackend::in_memory().unwrap());

    let mut todo = Todo {
        id: "1".into(),
        version: 0,
    };
    table.create(&mut todo).await.unwrap();
    table.create(&mut todo).await.unwrap_err();
    table.query::<Todo>(Query::new("LIST#home")).await.unwrap();

    let spans = log.0.lock().unwrap();
    let field = |index: usize, name: &str| spans[index].1.get(name).cloned().unwrap_or_default();
    let operations: Vec<_> = (0..spans.len())
        .map(|index| field(index, "db.operation"))
        .collect();
    assert_eq!(operations, ["PutItem", "PutItem", "Query"]);
    assert!((0..spans.len()).all(|index| field(index, "db.system") == "dynamodb"));
    assert_eq!(field(0, "aws.dynamodb.table_names"), "in-memory");
    assert_eq!(field(1, "error.type"), "Conflict");
    assert_eq!(field(2, "aws.dynamodb.count"), "1");
}
