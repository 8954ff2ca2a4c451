//! DynamoDB stream records decoded into typed changes.
//!
//! A stream handler receives `aws_lambda_events::dynamodb::Event`s, from DynamoDB Streams in
//! Lambda or from the embedded backend's change feed locally, and turns each record into a
//! [`Change`]: what happened (insert, modify, remove), to which item, with both images, and
//! whether DynamoDB's TTL process deleted it. [`Change::entity`] then gives a typed
//! [`EntityChange`] for the entity types the handler knows; items of any other type stay
//! available raw, never dropped.
//!
//! # Examples
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! # use stack_dynamo::{Entity, Keys};
//! # #[derive(Debug, Serialize, Deserialize)]
//! # struct Todo { list: String, id: String, title: String }
//! # impl Entity for Todo {
//! #     const TYPE: &'static str = "Todo";
//! #     const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}");
//! # }
//! use stack_dynamo::stream::{Change, EntityChange, parse_event};
//!
//! # fn handle(payload: &[u8]) -> Result<(), stack_dynamo::Error> {
//! let event = parse_event(payload)?;
//! for record in &event.records {
//!     let change = Change::from_record(record)?;
//!     match change.entity::<Todo>()? {
//!         Some(EntityChange::Created(todo)) => println!("new todo {}", todo.title),
//!         Some(EntityChange::Deleted { expired: true, .. }) => println!("a todo expired"),
//!         Some(other) => println!("{other:?}"),
//!         None => println!("a {:?} changed", change.entity_type),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use aws_lambda_events::dynamodb::{Event, EventRecord};
use serde_dynamo::Item;

use crate::entity::from_item;
use crate::key::{attr, string_attribute};
use crate::{Entity, Error, Key};

/// The principal DynamoDB's TTL process deletes items as.
const TTL_PRINCIPAL: &str = "dynamodb.amazonaws.com";

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeKind {
    /// The item was created (`INSERT`).
    Insert,
    /// The item was changed (`MODIFY`).
    Modify,
    /// The item was deleted (`REMOVE`), by a caller or by TTL expiry.
    Remove,
}

/// One stream record, decoded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Change {
    /// What happened.
    pub kind: ChangeKind,
    /// The item's key attributes, as the record gives them.
    pub keys: Item,
    /// The item's `pk`/`sk`, when the table uses this crate's key names.
    pub key: Option<Key>,
    /// The entity type from the new image, or the old one; `None` for items this crate did
    /// not write or streams without images.
    pub entity_type: Option<String>,
    /// The item before the change; `None` for inserts and streams without old images.
    pub old_image: Option<Item>,
    /// The item after the change; `None` for removals and streams without new images.
    pub new_image: Option<Item>,
    /// Whether DynamoDB's TTL process deleted the item (a [`ChangeKind::Remove`] by the
    /// service principal `dynamodb.amazonaws.com`).
    pub expired: bool,
    /// The record's event id.
    pub event_id: String,
    /// The record's sequence number, when present; report it as a batch item failure.
    pub sequence_number: Option<String>,
    /// When the change was approximately made.
    pub approximate_time: SystemTime,
}

/// A change to an entity of a known type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EntityChange<E> {
    /// The entity was created.
    Created(E),
    /// The entity was changed; `old` is `None` when the stream has no old images.
    Updated {
        /// Before.
        old: Option<E>,
        /// After.
        new: E,
    },
    /// The entity was deleted; `old` is `None` when the stream has no old images.
    Deleted {
        /// Before.
        old: Option<E>,
        /// Whether TTL expiry deleted it.
        expired: bool,
    },
}

/// Parses a stream event from its JSON payload.
///
/// # Errors
///
/// A validation error when the payload is not a DynamoDB stream event.
pub fn parse_event(payload: &[u8]) -> Result<Event, Error> {
    serde_json::from_slice(payload)
        .map_err(|error| Error::validation(format!("not a DynamoDB stream event: {error}")))
}

impl Change {
    /// Decodes one record.
    ///
    /// # Errors
    ///
    /// A validation error for an event name other than `INSERT`, `MODIFY` or `REMOVE`.
    pub fn from_record(record: &EventRecord) -> Result<Self, Error> {
        let kind = match record.event_name.as_str() {
            "INSERT" => ChangeKind::Insert,
            "MODIFY" => ChangeKind::Modify,
            "REMOVE" => ChangeKind::Remove,
            other => {
                return Err(Error::validation(format!(
                    "unknown stream event name {other:?}"
                )));
            }
        };
        let change = &record.change;
        let image = |item: &Item| (!item.is_empty()).then(|| item.clone());
        let (old_image, new_image) = (image(&change.old_image), image(&change.new_image));
        let entity_type = [&new_image, &old_image]
            .into_iter()
            .flatten()
            .find_map(|item| string_attribute(item, attr::TYPE).ok().map(str::to_owned));

        Ok(Self {
            kind,
            key: Key::from_item(&change.keys).ok(),
            keys: change.keys.clone(),
            entity_type,
            old_image,
            new_image,
            expired: kind == ChangeKind::Remove && by_ttl(record),
            event_id: record.event_id.clone(),
            sequence_number: change.sequence_number.clone(),
            approximate_time: system_time(change.approximate_creation_date_time.timestamp_millis()),
        })
    }

    /// Decodes every record of an event, one result per record.
    pub fn from_event(event: &Event) -> Vec<Result<Self, Error>> {
        event.records.iter().map(Self::from_record).collect()
    }

    /// Whether the change is to an `E`.
    pub fn is<E: Entity>(&self) -> bool {
        self.entity_type.as_deref() == Some(E::TYPE)
    }

    /// The change as a change to an `E`, or `None` when the item is of another type (use
    /// the raw images then).
    ///
    /// # Errors
    ///
    /// An internal error when an image cannot be deserialised as `E`; a validation error
    /// when an insert or modify has no new image (the stream must carry new images).
    pub fn entity<E: Entity>(&self) -> Result<Option<EntityChange<E>>, Error> {
        if !self.is::<E>() {
            return Ok(None);
        }
        let old = self.old_image.clone().map(from_item::<E>).transpose()?;
        let new = || {
            let image = self.new_image.clone();
            image.map(from_item::<E>).transpose()?.ok_or_else(|| {
                Error::validation("the stream record has no new image; use NEW_AND_OLD_IMAGES")
            })
        };
        let change = match self.kind {
            ChangeKind::Insert => EntityChange::Created(new()?),
            ChangeKind::Modify => EntityChange::Updated { old, new: new()? },
            ChangeKind::Remove => EntityChange::Deleted {
                old,
                expired: self.expired,
            },
        };
        Ok(Some(change))
    }
}

fn by_ttl(record: &EventRecord) -> bool {
    record.user_identity.as_ref().is_some_and(|identity| {
        identity.type_ == "Service" && identity.principal_id == TTL_PRINCIPAL
    })
}

fn system_time(millis: i64) -> SystemTime {
    let offset = Duration::from_millis(millis.unsigned_abs());
    if millis >= 0 {
        UNIX_EPOCH + offset
    } else {
        UNIX_EPOCH - offset
    }
}
