//! Backends and entities for the conformance cases.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::{Credentials, Region};
use serde::{Deserialize, Serialize};
use stack_core::clock::FixedClock;
use stack_dynamo::{
    AwsBackend, EmbeddedBackend, EmbeddedOptions, Entity, IndexKeys, Key, Keys, Table,
};

/// The moto server's URL, for example `http://127.0.0.1:5055`.
const MOTO_URL: &str = "STACK_TEST_MOTO_URL";
/// Set to `1` to fail, rather than skip, the DynamoDB cases when there is no moto server.
const REQUIRE_MOTO: &str = "STACK_TEST_REQUIRE_MOTO";

/// A fresh table and the clock it reads.
pub(crate) struct Fixture {
    pub(crate) table: Table,
    pub(crate) clock: FixedClock,
}

impl Fixture {
    fn new(backend: impl stack_dynamo::Backend, clock: FixedClock) -> Self {
        let table = Table::new(backend).with_clock(Arc::new(clock.clone()));
        Self { table, clock }
    }
}

/// A clock near the real time, so that DynamoDB-side checks agree with it, and fixed.
fn clock() -> FixedClock {
    FixedClock::at(SystemTime::now())
}

pub(crate) fn in_memory() -> Fixture {
    let clock = clock();
    let options = EmbeddedOptions::default().with_clock(Arc::new(clock.clone()));
    Fixture::new(EmbeddedBackend::in_memory_with(options).unwrap(), clock)
}

pub(crate) fn on_disk(dir: &Path) -> Fixture {
    let clock = clock();
    let options = EmbeddedOptions::default().with_clock(Arc::new(clock.clone()));
    Fixture::new(
        EmbeddedBackend::open_with(dir, "conformance", options).unwrap(),
        clock,
    )
}

/// A table of its own on the moto server, or `None` (after a notice) when there is none.
pub(crate) async fn moto() -> Option<Fixture> {
    let Ok(url) = std::env::var(MOTO_URL) else {
        assert!(
            std::env::var(REQUIRE_MOTO).as_deref() != Ok("1"),
            "{REQUIRE_MOTO}=1 but {MOTO_URL} is not set"
        );
        eprintln!("skipped: set {MOTO_URL} to run this case on DynamoDB (moto)");
        return None;
    };
    let backend = AwsBackend::new(moto_client(&url), unique_table_name());
    backend.create_table_if_missing().await.unwrap();
    Some(Fixture::new(backend, clock()))
}

/// A client for moto only: static credentials, fixed region, loopback endpoint.
pub(crate) fn moto_client(url: &str) -> aws_sdk_dynamodb::Client {
    let loopback = ["http://127.0.0.1:", "http://localhost:"];
    assert!(
        loopback.iter().any(|prefix| url.starts_with(prefix)),
        "{MOTO_URL} must be loopback"
    );

    let credentials = Credentials::new("test", "test", None, None, "static");
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials)
        .endpoint_url(url)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// A table name no other test uses, on this or an earlier run.
fn unique_table_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("conformance-{}-{nanos}-{count}", std::process::id())
}

/// A todo: keys from its fields, a sparse index by due date, an index by list and state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Todo {
    pub(crate) list: String,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) due: Option<String>,
    pub(crate) done: bool,
    #[serde(default)]
    pub(crate) version: u64,
    #[serde(default)]
    pub(crate) created_at: String,
    #[serde(default)]
    pub(crate) updated_at: String,
}

impl Todo {
    pub(crate) fn new(list: &str, id: &str, title: &str) -> Self {
        let (list, id, title) = (list.into(), id.into(), title.into());
        Self {
            list,
            id,
            title,
            due: None,
            done: false,
            version: 0,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    pub(crate) fn due(mut self, due: &str) -> Self {
        self.due = Some(due.into());
        self
    }

    pub(crate) fn key_of(list: &str, id: &str) -> Key {
        Self::KEYS.key_of(&[("list", list), ("id", id)]).unwrap()
    }
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";
    const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}").with_indexes(&[
        IndexKeys::new("gsi1", "DUE", "{due}#{id}"),
        IndexKeys::new("gsi2", "LIST#{list}#DONE#{done}", "{id}"),
    ]);
}

/// A list, sharing its partition with its todos.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct List {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) count: i64,
}

impl List {
    pub(crate) fn new(id: &str, name: &str) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            count: 0,
        }
    }

    pub(crate) fn key_of(id: &str) -> Key {
        Self::KEYS.key_of(&[("id", id)]).unwrap()
    }
}

impl Entity for List {
    const TYPE: &'static str = "List";
    const KEYS: Keys = Keys::new("LIST#{id}", "LIST");
}

/// An entity placed at an explicit key, to test key handling itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) pk: String,
    pub(crate) sk: String,
    pub(crate) count: u64,
    #[serde(default)]
    pub(crate) version: u64,
}

impl Record {
    pub(crate) fn new(pk: &str, sk: &str) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
            count: 0,
            version: 0,
        }
    }
}

impl Entity for Record {
    const TYPE: &'static str = "Record";
    const KEYS: Keys = Keys::new("{pk}", "{sk}");
}

/// Another entity type sharing partitions and prefixes with [`Record`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Other {
    pub(crate) pk: String,
    pub(crate) sk: String,
}

impl Other {
    pub(crate) fn new(pk: &str, sk: &str) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

impl Entity for Other {
    const TYPE: &'static str = "Other";
    const KEYS: Keys = Keys::new("{pk}", "{sk}");
}

/// A session that expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) expires: u64,
}

impl Entity for Session {
    const TYPE: &'static str = "Session";
    const KEYS: Keys = Keys::new("SESSIONS", "{id}");

    fn expires_at(&self) -> Option<SystemTime> {
        Some(UNIX_EPOCH + Duration::from_secs(self.expires))
    }
}

/// Creates a [`Record`] at each sort key of partition `pk`.
pub(crate) async fn create_records(table: &Table, pk: &str, sort_keys: &[&str]) {
    for sk in sort_keys {
        table.create(Record::new(pk, sk)).await.unwrap();
    }
}

/// The sort keys of some records, in order.
pub(crate) fn sort_keys(records: &[Record]) -> Vec<&str> {
    records.iter().map(|record| record.sk.as_str()).collect()
}

/// Seconds since the epoch on `clock`.
pub(crate) fn epoch_seconds(clock: &FixedClock) -> u64 {
    use stack_core::clock::Clock;
    clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}
