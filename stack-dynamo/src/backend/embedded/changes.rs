//! The change feed: one record per committed change of an item, in commit order.
//!
//! Records are stored in this crate's own small form, so the feed works without the
//! `streams` feature; with it, [`EmbeddedBackend::changes`](super::EmbeddedBackend::changes)
//! hands them out in the shape of DynamoDB Streams records (`aws_lambda_events`), so the code
//! that handles a stream in Lambda handles the embedded one unchanged.

use serde::{Deserialize, Serialize};
use serde_dynamo::Item;

use crate::Key;

/// A change as stored in the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct StoredChange {
    /// The primary key.
    pub(super) pk: String,
    /// The sort key.
    pub(super) sk: String,
    /// The item before, absent for an insert.
    pub(super) old: Option<Item>,
    /// The item after, absent for a removal.
    pub(super) new: Option<Item>,
    /// When the change committed, by the backend's clock.
    pub(super) at_millis: u64,
    /// Whether the removal came from TTL expiry.
    pub(super) by_ttl: bool,
}

impl StoredChange {
    pub(super) fn new(
        key: &Key,
        old: Option<Item>,
        new: Option<Item>,
        at_millis: u64,
        by_ttl: bool,
    ) -> Self {
        Self {
            pk: key.pk.clone(),
            sk: key.sk.clone(),
            old,
            new,
            at_millis,
            by_ttl,
        }
    }
}

#[cfg(feature = "streams")]
mod records {
    use aws_lambda_events::dynamodb::{EventRecord, StreamRecord, StreamViewType, UserIdentity};
    use chrono::DateTime;

    use super::StoredChange;
    use crate::Key;

    /// The region the embedded records claim to come from.
    const REGION: &str = "local";

    impl StoredChange {
        /// The record DynamoDB Streams would deliver for this change, with both images
        /// (`NEW_AND_OLD_IMAGES`).
        pub(in crate::backend::embedded) fn to_record(
            &self,
            sequence: u64,
            table_name: &str,
        ) -> EventRecord {
            let mut record = EventRecord::default();
            record.aws_region = REGION.to_owned();
            record.event_id = format!("{sequence:032x}");
            record.event_name = self.event_name().to_owned();
            record.event_source = Some("aws:dynamodb".to_owned());
            record.event_version = Some("1.1".to_owned());
            record.event_source_arn = Some(format!(
                "arn:aws:dynamodb:{REGION}:000000000000:table/{table_name}/stream/embedded"
            ));
            record.table_name = Some(table_name.to_owned());
            record.user_identity = self.by_ttl.then(ttl_identity);
            record.change = self.stream_record(sequence);
            record
        }

        fn event_name(&self) -> &'static str {
            match (&self.old, &self.new) {
                (None, _) => "INSERT",
                (Some(_), Some(_)) => "MODIFY",
                (Some(_), None) => "REMOVE",
            }
        }

        fn stream_record(&self, sequence: u64) -> StreamRecord {
            let mut change = StreamRecord::default();
            let millis = i64::try_from(self.at_millis).unwrap_or(i64::MAX);
            change.approximate_creation_date_time =
                DateTime::from_timestamp_millis(millis).unwrap_or_default();
            change.keys = Key::new(&self.pk, &self.sk).to_item();
            change.new_image = self.new.clone().unwrap_or_default();
            change.old_image = self.old.clone().unwrap_or_default();
            change.sequence_number = Some(format!("{sequence:021}"));
            change.size_bytes = self.size_bytes();
            change.stream_view_type = Some(StreamViewType::NewAndOldImages);
            change
        }

        fn size_bytes(&self) -> i64 {
            let size = |item: &Option<serde_dynamo::Item>| {
                item.as_ref()
                    .map_or(0, |item| serde_json::to_vec(item).map_or(0, |b| b.len()))
            };
            i64::try_from(size(&self.old) + size(&self.new)).unwrap_or(i64::MAX)
        }
    }

    /// The identity DynamoDB puts on removals by TTL.
    fn ttl_identity() -> UserIdentity {
        let mut identity = UserIdentity::default();
        identity.type_ = "Service".to_owned();
        identity.principal_id = "dynamodb.amazonaws.com".to_owned();
        identity
    }
}
