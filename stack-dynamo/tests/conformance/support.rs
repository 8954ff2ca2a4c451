//! Backends and entities for the conformance cases.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::{Credentials, Region};
use serde::{Deserialize, Serialize};
use stack_dynamo::{AwsBackend, EmbeddedBackend, Entity, Key, Table};

/// The moto server's URL, for example `http://127.0.0.1:5055`.
const MOTO_URL: &str = "STACK_TEST_MOTO_URL";
/// Set to `1` to fail, rather than skip, the DynamoDB cases when there is no moto server.
const REQUIRE_MOTO: &str = "STACK_TEST_REQUIRE_MOTO";

pub(crate) fn in_memory() -> Table {
    Table::new(EmbeddedBackend::in_memory().unwrap())
}

pub(crate) fn on_disk(dir: &Path) -> Table {
    Table::new(EmbeddedBackend::open(dir, "conformance").unwrap())
}

/// A table of its own on the moto server, or `None` (after a notice) when there is none.
pub(crate) async fn moto() -> Option<Table> {
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
    Some(Table::new(backend))
}

/// A client for moto only: static credentials, fixed region, loopback endpoint.
fn moto_client(url: &str) -> aws_sdk_dynamodb::Client {
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

/// An entity whose key is computed from other fields, as real ones are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Todo {
    pub(crate) list: String,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) version: u64,
}

impl Todo {
    pub(crate) fn new(list: &str, id: &str, title: &str) -> Self {
        let (list, id, title) = (list.into(), id.into(), title.into());
        Self {
            list,
            id,
            title,
            version: 0,
        }
    }
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";

    fn key(&self) -> Key {
        Key::new(format!("LIST#{}", self.list), format!("TODO#{}", self.id))
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn set_version(&mut self, version: u64) {
        self.version = version;
    }
}

/// An entity placed at an explicit key, to test key handling itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) pk: String,
    pub(crate) sk: String,
    pub(crate) count: u64,
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

    fn key(&self) -> Key {
        Key::new(&self.pk, &self.sk)
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn set_version(&mut self, version: u64) {
        self.version = version;
    }
}

/// Another entity type sharing partitions and prefixes with [`Record`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Other {
    pub(crate) pk: String,
    pub(crate) sk: String,
    pub(crate) version: u64,
}

impl Other {
    pub(crate) fn new(pk: &str, sk: &str) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
            version: 0,
        }
    }
}

impl Entity for Other {
    const TYPE: &'static str = "Other";

    fn key(&self) -> Key {
        Key::new(&self.pk, &self.sk)
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn set_version(&mut self, version: u64) {
        self.version = version;
    }
}

/// Creates a [`Record`] at each sort key of partition `pk`.
pub(crate) async fn create_records(table: &Table, pk: &str, sort_keys: &[&str]) {
    for sk in sort_keys {
        table.create(&mut Record::new(pk, sk)).await.unwrap();
    }
}

/// The sort keys of some records, in order.
pub(crate) fn sort_keys(records: &[Record]) -> Vec<&str> {
    records.iter().map(|record| record.sk.as_str()).collect()
}
