//! Stream records decode into typed changes: real DynamoDB Streams payloads, and the embedded
//! backend's change feed, which must look the same.

#![cfg(all(feature = "streams", feature = "local"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use stack_core::clock::FixedClock;
use stack_dynamo::stream::{Change, ChangeKind, EntityChange, EventRecord, parse_event};
use stack_dynamo::{
    EmbeddedBackend, EmbeddedOptions, Entity, Key, Keys, Patch, Table, Transaction,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(env!("STACK_FIXTURES_DIR"))
        .join("lambda-events")
}

/// Every DynamoDB stream event among the shared fixtures that is valid JSON.
fn stream_events() -> Vec<(PathBuf, Vec<u8>)> {
    let events = [
        "powertools-python/tests-events/dynamoStreamEvent.json",
        "aws-lambda-rust-runtime/lambda-events-fixtures/example-dynamodb-event.json",
        "aws-lambda-go/events-testdata/dynamodb-event.json",
        "aws-lambda-go/events-testdata/dynamodb-time-window-event.json",
    ];
    events
        .iter()
        .map(|path| {
            let path = fixtures().join(path);
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

#[test]
fn real_stream_events_decode_and_round_trip() {
    for (path, bytes) in stream_events() {
        let event = parse_event(&bytes).unwrap_or_else(|error| panic!("{path:?}: {error}"));
        let again = parse_event(&serde_json::to_vec(&event).unwrap()).unwrap();
        assert_eq!(again, event, "{path:?} round trips");

        let changes: Vec<_> = Change::from_event(&event).into_iter().collect();
        assert_eq!(
            changes.len(),
            event.records.len(),
            "{path:?}: one change per record"
        );
        for (record, change) in event.records.iter().zip(changes) {
            let change = change.unwrap_or_else(|error| panic!("{path:?}: {error}"));
            assert_eq!(
                format!("{:?}", change.kind).to_uppercase(),
                record.event_name
            );
            assert_eq!(change.keys, record.change.keys);
            assert!(change.key.is_none(), "these tables do not use pk/sk");
            assert_eq!(change.entity_type, None, "items not written by us stay raw");
            assert!(change.entity::<Todo>().unwrap().is_none());
            if change.kind == ChangeKind::Remove {
                assert!(change.new_image.is_none() && !change.expired, "{path:?}");
            } else {
                assert!(change.new_image.is_some(), "{path:?}");
            }
        }
    }
}

#[test]
fn a_malformed_payload_is_a_typed_error() {
    let path = fixtures().join("aws-lambda-go/events-testdata/dynamodb-event-malformed.2.json");
    let error = parse_event(&std::fs::read(path).unwrap()).unwrap_err();
    assert!(error.is_validation(), "{error:?}");
    for garbage in [&b""[..], b"null", b"{\"Records\": 7}", b"\xff\xfe"] {
        assert!(parse_event(garbage).is_err());
    }
}

#[test]
fn a_record_with_optional_fields_decodes() {
    let path = fixtures().join(
        "aws-lambda-rust-runtime/lambda-events-fixtures/\
         example-dynamodb-event-record-with-optional-fields.json",
    );
    let record: EventRecord = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let change = Change::from_record(&record).unwrap();
    assert_eq!(
        (change.kind, change.expired, change.sequence_number),
        (ChangeKind::Insert, false, None)
    );
}

#[test]
fn a_removal_by_the_ttl_service_is_recognised() {
    let path = fixtures().join("aws-lambda-go/events-testdata/dynamodb-time-window-event.json");
    let mut event: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let records = event["Records"].as_array_mut().unwrap();
    let remove = records
        .iter_mut()
        .find(|record| record["eventName"] == "REMOVE")
        .unwrap();
    remove["userIdentity"] =
        serde_json::json!({ "type": "Service", "principalId": "dynamodb.amazonaws.com" });

    let event = parse_event(&serde_json::to_vec(&event).unwrap()).unwrap();
    let expired: Vec<bool> = Change::from_event(&event)
        .into_iter()
        .map(|change| change.unwrap().expired)
        .collect();
    assert_eq!(expired, [false, false, true]);
}

#[test]
fn an_unknown_event_name_is_refused() {
    let mut record = EventRecord::default();
    record.event_name = "TRUNCATE".into();
    assert!(Change::from_record(&record).unwrap_err().is_validation());
}

// The embedded change feed.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Todo {
    list: String,
    id: String,
    title: String,
    expires: Option<u64>,
}

impl Todo {
    fn new(id: &str, title: &str) -> Self {
        Self {
            list: "home".into(),
            id: id.into(),
            title: title.into(),
            expires: None,
        }
    }
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";
    const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");

    fn expires_at(&self) -> Option<SystemTime> {
        self.expires
            .map(|seconds| UNIX_EPOCH + Duration::from_secs(seconds))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Note {
    id: String,
}

impl Entity for Note {
    const TYPE: &'static str = "Note";
    const KEYS: Keys = Keys::new("NOTES", "{id}");
}

fn embedded(clock: &FixedClock, dir: Option<&Path>) -> (EmbeddedBackend, Table) {
    let options = EmbeddedOptions::default().with_clock(Arc::new(clock.clone()));
    let backend = match dir {
        Some(dir) => EmbeddedBackend::open_with(dir, "feed", options).unwrap(),
        None => EmbeddedBackend::in_memory_with(options).unwrap(),
    };
    let table = Table::new(backend.clone()).with_clock(Arc::new(clock.clone()));
    (backend, table)
}

fn clock() -> FixedClock {
    FixedClock::at(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
}

#[tokio::test]
async fn the_feed_yields_typed_changes_in_commit_order() {
    let clock = clock();
    let (backend, table) = embedded(&clock, None);
    let key = Todo::KEYS.key_of(&[("list", "home"), ("id", "1")]).unwrap();
    table.create(Todo::new("1", "Milk")).await.unwrap();
    table
        .patch(Patch::<Todo>::new(key.clone()).set("title", "Oat milk"))
        .await
        .unwrap();
    table.create(Note { id: "n".into() }).await.unwrap();
    table.delete::<Todo>(&key).await.unwrap();

    let batch = backend.changes(0, 100).await.unwrap();
    assert_eq!(batch.last_sequence, 4);
    let event = parse_event(&serde_json::to_vec(&batch.clone().into_event()).unwrap()).unwrap();
    let changes: Vec<Change> = Change::from_event(&event)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let kinds: Vec<ChangeKind> = changes.iter().map(|change| change.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::Insert,
            ChangeKind::Modify,
            ChangeKind::Insert,
            ChangeKind::Remove
        ]
    );
    assert_eq!(changes[0].key, Some(key));
    assert_eq!(
        changes[0].approximate_time,
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    );

    let typed: Vec<Option<EntityChange<Todo>>> = changes
        .iter()
        .map(|change| change.entity().unwrap())
        .collect();
    assert!(matches!(&typed[0], Some(EntityChange::Created(todo)) if todo.title == "Milk"));
    assert!(
        matches!(&typed[1], Some(EntityChange::Updated { old: Some(old), new })
            if (old.title.as_str(), new.title.as_str()) == ("Milk", "Oat milk"))
    );
    assert!(typed[2].is_none(), "a Note is handed through raw");
    assert_eq!(changes[2].entity_type.as_deref(), Some("Note"));
    assert!(matches!(
        &typed[3],
        Some(EntityChange::Deleted {
            old: Some(_),
            expired: false
        })
    ));

    let sequence_numbers: Vec<_> = batch
        .records
        .iter()
        .map(|record| record.change.sequence_number.clone().unwrap())
        .collect();
    let mut sorted = sequence_numbers.clone();
    sorted.sort();
    assert_eq!(
        sequence_numbers, sorted,
        "sequence numbers sort as text, as DynamoDB's do"
    );
}

#[tokio::test]
async fn ttl_expiry_deletes_and_records_the_service_identity() {
    let clock = clock();
    let (backend, table) = embedded(&clock, None);
    let mut todo = Todo::new("1", "Milk");
    todo.expires = Some(1_700_000_060);
    table.create(todo).await.unwrap();
    table.create(Todo::new("2", "Eggs")).await.unwrap();

    assert_eq!(backend.purge_expired().await.unwrap(), 0);
    clock.advance(Duration::from_secs(60));
    assert_eq!(backend.purge_expired().await.unwrap(), 1);

    let batch = backend.changes(2, 10).await.unwrap();
    let change = Change::from_record(&batch.records[0]).unwrap();
    assert!(change.expired && change.new_image.is_none());
    let identity = batch.records[0].user_identity.clone().unwrap();
    assert_eq!(
        (identity.type_.as_str(), identity.principal_id.as_str()),
        ("Service", "dynamodb.amazonaws.com")
    );
    assert!(matches!(
        change.entity::<Todo>().unwrap(),
        Some(EntityChange::Deleted { expired: true, .. })
    ));
}

#[tokio::test]
async fn the_feed_survives_a_restart_and_can_be_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    {
        let (_, table) = embedded(&clock, Some(dir.path()));
        table.create(Todo::new("1", "Milk")).await.unwrap();
        table.create(Todo::new("2", "Eggs")).await.unwrap();
    }
    let (backend, table) = embedded(&clock, Some(dir.path()));
    table.create(Todo::new("3", "Bread")).await.unwrap();
    let batch = backend.changes(0, 10).await.unwrap();
    assert_eq!(batch.records.len(), 3);

    backend.trim_changes(2).await.unwrap();
    let rest = backend.changes(0, 10).await.unwrap();
    assert_eq!((rest.records.len(), rest.last_sequence), (1, 3));
}

#[tokio::test]
async fn sequence_numbers_are_never_reused_after_trimming_everything() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    {
        let (backend, table) = embedded(&clock, Some(dir.path()));
        table.create(Todo::new("1", "Milk")).await.unwrap();
        table.create(Todo::new("2", "Eggs")).await.unwrap();
        backend.trim_changes(2).await.unwrap();
        assert!(backend.changes(0, 10).await.unwrap().records.is_empty());
    }
    let (backend, table) = embedded(&clock, Some(dir.path()));
    table.create(Todo::new("3", "Bread")).await.unwrap();
    let batch = backend.changes(0, 10).await.unwrap();
    assert_eq!(
        (batch.records.len(), batch.last_sequence),
        (1, 3),
        "numbering goes on from 2"
    );
}

#[tokio::test]
async fn transactions_record_all_or_nothing() {
    let clock = clock();
    let (backend, table) = embedded(&clock, None);
    table.create(Todo::new("1", "Milk")).await.unwrap();

    let failing = Transaction::new()
        .create(Todo::new("2", "Eggs"))
        .create(Todo::new("1", "again"));
    table.transact(failing).await.unwrap_err();
    assert_eq!(backend.changes(1, 10).await.unwrap().records.len(), 0);

    let passing = Transaction::new()
        .create(Todo::new("2", "Eggs"))
        .create(Todo::new("3", "Jam"));
    table.transact(passing).await.unwrap();
    assert_eq!(backend.changes(1, 10).await.unwrap().records.len(), 2);
}

#[tokio::test]
async fn a_reader_waits_for_the_next_change() {
    let clock = clock();
    let (backend, table) = embedded(&clock, None);
    let reader = tokio::spawn({
        let backend = backend.clone();
        async move { backend.next_changes(0, 10).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    table.create(Todo::new("1", "Milk")).await.unwrap();

    let batch = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(batch.records[0].event_name, "INSERT");
    let unchanged = Key::new("LIST#home", "TODO#1");
    assert!(
        table
            .backend()
            .get_item(&unchanged)
            .await
            .unwrap()
            .is_some()
    );
}
