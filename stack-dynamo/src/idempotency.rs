//! Idempotency records: run an operation once per key, and answer repeats with its result.
//!
//! A worker, webhook or mutation that may be delivered twice calls [`Idempotency::begin`]
//! with a key the sender chose (a message id, an `Idempotency-Key` header) and the payload.
//! The first caller gets [`Begin::Started`] and runs the operation, then stores its result
//! with [`Idempotency::complete`] (or [`Idempotency::release`]s the key when it failed, so a
//! retry can run it again). A later caller with the same key and payload gets
//! [`Begin::Completed`] with the stored result; with a different payload it is refused. A
//! caller that arrives while the first is still running gets a retryable conflict; a record
//! left in progress by a crashed caller can be taken over after the in-progress timeout.
//! Records expire (TTL) after the configured time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_dynamo::AttributeValue;
use sha2::{Digest, Sha256};

use crate::{Comparison, Condition, Entity, Error, Key, Keys, Patch, Table, attr};

/// How long a completed record answers repeats, unless set otherwise.
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(60 * 60);
/// How long a caller may hold a key in progress before another may take it over.
pub const DEFAULT_IN_PROGRESS_TIMEOUT: Duration = Duration::from_secs(60);

/// Idempotency records in a table.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_dynamo::Error> {
/// use stack_dynamo::idempotency::{Begin, Idempotency};
/// use stack_dynamo::{EmbeddedBackend, Table};
///
/// let records = Idempotency::new(Table::new(EmbeddedBackend::in_memory()?));
/// let payload = serde_json::json!({ "amount": 42 });
///
/// if records.begin("charge-7", &payload).await? == Begin::Started {
///     let receipt = "receipt-1"; // ... run the operation ...
///     records.complete("charge-7", &receipt).await?;
/// }
///
/// let again = records.begin("charge-7", &payload).await?;
/// assert_eq!(again.result::<String>()?.as_deref(), Some("receipt-1"));
///
/// let other = serde_json::json!({ "amount": 43 });
/// assert!(records.begin("charge-7", &other).await.unwrap_err().is_validation());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Idempotency {
    table: Table,
    expiry: Duration,
    in_progress_timeout: Duration,
}

/// What [`Idempotency::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Begin {
    /// The key is now held by this caller: run the operation, then complete or release.
    Started,
    /// The operation already ran with this payload; here is its stored result (JSON).
    Completed(String),
}

impl Begin {
    /// The stored result as `T`, or `None` for [`Begin::Started`].
    ///
    /// # Errors
    ///
    /// An internal error when the stored result is not a `T`.
    pub fn result<T: DeserializeOwned>(&self) -> Result<Option<T>, Error> {
        match self {
            Self::Started => Ok(None),
            Self::Completed(json) => serde_json::from_str(json).map(Some).map_err(|error| {
                Error::internal_from("the stored result has another shape", error)
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    InProgress,
    Completed,
}

/// The record as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    key: String,
    payload_hash: String,
    status: Status,
    /// Epoch seconds after which another caller may take over an in-progress record.
    in_progress_until: u64,
    result: Option<String>,
    /// Epoch seconds; becomes the item's `ttl`.
    expires: u64,
}

impl Entity for Record {
    const TYPE: &'static str = "Idempotency";
    const KEYS: Keys = Keys::new("IDEMPOTENCY#{key}", "IDEMPOTENCY");

    fn expires_at(&self) -> Option<SystemTime> {
        Some(UNIX_EPOCH + Duration::from_secs(self.expires))
    }
}

impl Idempotency {
    /// Records in `table`, kept for [`DEFAULT_EXPIRY`], taken over after
    /// [`DEFAULT_IN_PROGRESS_TIMEOUT`]. Times come from the table's clock.
    pub fn new(table: Table) -> Self {
        Self {
            table,
            expiry: DEFAULT_EXPIRY,
            in_progress_timeout: DEFAULT_IN_PROGRESS_TIMEOUT,
        }
    }

    /// Keeps records for `expiry` after they are begun.
    pub fn with_expiry(mut self, expiry: Duration) -> Self {
        self.expiry = expiry;
        self
    }

    /// Lets another caller take over a record left in progress for longer than `timeout`.
    pub fn with_in_progress_timeout(mut self, timeout: Duration) -> Self {
        self.in_progress_timeout = timeout;
        self
    }

    /// Claims `key` for `payload`, or reports the stored result of an earlier call.
    ///
    /// # Errors
    ///
    /// A validation error when the key was used with a different payload; a conflict
    /// (retry later) while another caller holds the key.
    pub async fn begin(&self, key: &str, payload: &impl Serialize) -> Result<Begin, Error> {
        let hash = payload_hash(payload)?;
        let now = self.table.now_seconds();
        let record = Record {
            key: key.to_owned(),
            payload_hash: hash.clone(),
            status: Status::InProgress,
            in_progress_until: now + self.in_progress_timeout.as_secs(),
            result: None,
            expires: now + self.expiry.as_secs(),
        };
        match self.table.put_if(record, claimable(now)).await {
            Ok(_) => Ok(Begin::Started),
            Err(error) if error.is_conflict() => self.existing(key, &hash).await,
            Err(error) => Err(error),
        }
    }

    /// What the record that refused the claim says.
    async fn existing(&self, key: &str, hash: &str) -> Result<Begin, Error> {
        let stored: Option<Record> = self.table.get(&record_key(key)?).await?;
        let Some(stored) = stored else {
            return Err(Error::conflict(
                "the idempotency key changed hands; try again",
            ));
        };
        if stored.payload_hash != hash {
            return Err(Error::validation(
                "the idempotency key was used with a different payload",
            ));
        }
        match (stored.status, stored.result) {
            (Status::Completed, Some(result)) => Ok(Begin::Completed(result)),
            _ => Err(Error::conflict(
                "the operation is in progress under this idempotency key",
            )),
        }
    }

    /// Stores the result of the operation begun under `key`.
    ///
    /// # Errors
    ///
    /// Not found or a conflict when the key is not in progress (it expired, or was taken
    /// over).
    pub async fn complete(&self, key: &str, result: &impl Serialize) -> Result<(), Error> {
        let json = serde_json::to_string(result)
            .map_err(|error| Error::internal_from("cannot store the result", error))?;
        let patch = Patch::<Record>::new(record_key(key)?)
            .set("status", Status::Completed)
            .set("result", json)
            .only_if(in_progress());
        self.table.patch(patch).await.map(drop)
    }

    /// Gives `key` up after the operation failed, so that a retry may run it again.
    ///
    /// # Errors
    ///
    /// A conflict when the record is already completed.
    pub async fn release(&self, key: &str) -> Result<(), Error> {
        self.table
            .delete_if::<Record>(&record_key(key)?, in_progress())
            .await
            .map(drop)
    }
}

fn record_key(key: &str) -> Result<Key, Error> {
    Record::KEYS.key_of(&[("key", key)])
}

fn in_progress() -> Condition {
    Condition::equals("status", AttributeValue::S("IN_PROGRESS".into()))
}

/// No record, an expired one, or one left in progress past its timeout.
fn claimable(now: u64) -> Condition {
    let now = AttributeValue::N(now.to_string());
    let expired = Condition::compare(attr::TTL, Comparison::LessOrEqual, now.clone());
    let abandoned = in_progress().and(Condition::compare(
        "inProgressUntil",
        Comparison::LessOrEqual,
        now,
    ));
    Condition::NotExists.or(expired).or(abandoned)
}

/// SHA-256 of the payload's JSON, hex.
/// The SHA-256 of the payload's canonical JSON: object keys sorted at every level, so the same
/// payload hashes the same whatever order its maps were built in (images read from DynamoDB
/// come in no particular order).
fn payload_hash(payload: &impl Serialize) -> Result<String, Error> {
    let value = serde_json::to_value(payload)
        .map_err(|error| Error::internal_from("cannot hash the payload", error))?;
    let json = serde_json::to_vec(&canonical(value))
        .map_err(|error| Error::internal_from("cannot hash the payload", error))?;
    Ok(Sha256::digest(json)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

fn canonical(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(fields) => {
            let mut fields: Vec<_> = fields.into_iter().collect();
            fields.sort_by(|(a, _), (b, _)| a.cmp(b));
            Value::Object(
                fields
                    .into_iter()
                    .map(|(name, value)| (name, canonical(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::payload_hash;

    #[test]
    fn the_payload_hash_ignores_the_order_of_keys() {
        let one: serde_json::Value =
            serde_json::from_str(r#"{"b": 1, "a": {"y": [1, {"q": 1, "p": 2}], "x": null}}"#)
                .unwrap();
        let other: serde_json::Value =
            serde_json::from_str(r#"{"a": {"x": null, "y": [1, {"p": 2, "q": 1}]}, "b": 1}"#)
                .unwrap();
        assert_eq!(payload_hash(&one).unwrap(), payload_hash(&other).unwrap());
        let different = json!({"a": {"x": null, "y": [{"p": 2, "q": 1}, 1]}, "b": 1});
        assert_ne!(
            payload_hash(&one).unwrap(),
            payload_hash(&different).unwrap()
        );
    }
}
