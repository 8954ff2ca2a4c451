//! The Media operations, independent of GraphQL: every call is scoped to its owner.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use stack_core::clock::SharedClock;
use stack_dynamo::{AttributeValue, Comparison, Condition, Patch, Query, Table, Transaction};

use crate::error::MediaError;
use crate::model::{
    ATTACHMENTS_INDEX, AttachmentCount, FileInfo, MAX_ATTACHMENTS, Media, SORT_PREFIX,
    attachments_partition_of, valid_media_id, valid_todo_id,
};

/// How many times a write that lost a race with another write to the same todo's
/// attachments is tried before [`MediaError::Contended`].
const ATTEMPTS: usize = 5;

/// The Media operations over one table.
pub struct MediaService {
    table: Table,
    clock: SharedClock,
    ids: Mutex<ulid::Generator>,
}

impl std::fmt::Debug for MediaService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaService")
            .field("table", &self.table)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl MediaService {
    /// A service storing media in `table`, stamping times from `clock` (the table keeps
    /// `createdAt` with it).
    pub fn new(table: Table, clock: SharedClock) -> Self {
        Self {
            table: table.with_clock(clock.clone()),
            clock,
            ids: Mutex::new(ulid::Generator::new()),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(self.clock.now())
    }

    /// A new id, increasing even within one millisecond so attachments list in order.
    fn next_id(&self) -> String {
        let now = self.clock.now();
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.generate_from_datetime(now)
            .unwrap_or_else(|_| ulid::Ulid::from_datetime(now))
            .to_string()
    }

    /// `owner`'s media item `id`, if it exists.
    ///
    /// # Errors
    ///
    /// [`MediaError::InvalidMediaId`], or a storage error.
    pub async fn get(&self, owner: &str, id: &str) -> Result<Option<Media>, MediaError> {
        let key = Media::key_of(owner, &valid_media_id(id)?);
        Ok(self.table.get::<Media>(&key).await?)
    }

    /// The media `owner` attached to `todo_id`, oldest first; at most [`MAX_ATTACHMENTS`].
    ///
    /// Read from an index: on DynamoDB an attachment made a moment ago may not be listed yet.
    ///
    /// # Errors
    ///
    /// [`MediaError::InvalidTodoId`], or a storage error.
    pub async fn attachments(&self, owner: &str, todo_id: &str) -> Result<Vec<Media>, MediaError> {
        let partition = attachments_partition_of(owner, &valid_todo_id(todo_id)?);
        let query = Query::on_index(ATTACHMENTS_INDEX, partition)
            .sk_prefix(SORT_PREFIX)
            .limit(usize::try_from(MAX_ATTACHMENTS).unwrap_or(100));
        let mut page = self.table.query::<Media>(query.clone()).await?;
        let mut media = std::mem::take(&mut page.items);
        // The cap keeps a todo's media to one page; more only if the cap was ever lowered.
        while page.next_cursor.is_some() {
            page = self
                .table
                .query::<Media>(query.clone().after(page.next_cursor.take()))
                .await?;
            media.append(&mut page.items);
        }
        Ok(media)
    }

    /// Records a pending media item of `owner` attached to `todo_id`, counting it against the
    /// todo's [`MAX_ATTACHMENTS`] in the same transaction.
    ///
    /// The todo id is checked for its form only: the todo belongs to the Todo service.
    ///
    /// # Errors
    ///
    /// [`MediaError::InvalidTodoId`], [`MediaError::InvalidContentType`],
    /// [`MediaError::InvalidSize`], [`MediaError::TooManyAttachments`],
    /// [`MediaError::Contended`] when other writes to the same todo's attachments kept winning,
    /// or a storage error.
    pub async fn attach(
        &self,
        owner: &str,
        todo_id: &str,
        content_type: &str,
        size: u64,
    ) -> Result<Media, MediaError> {
        let todo_id = valid_todo_id(todo_id)?;
        let file = FileInfo::new(content_type, size)?;
        let media = Media::pending(owner, self.next_id(), todo_id.clone(), file, self.now());
        let count_key = AttachmentCount::key_of(owner, &todo_id);
        for _ in 0..ATTEMPTS {
            let count = self.table.get::<AttachmentCount>(&count_key).await?;
            let counted = match count {
                Some(count) if count.count >= MAX_ATTACHMENTS => {
                    return Err(MediaError::TooManyAttachments {
                        max: MAX_ATTACHMENTS,
                    });
                }
                Some(_) => Transaction::new().patch(count_one_more(count_key.clone())),
                None => Transaction::new().create(AttachmentCount {
                    owner: owner.to_owned(),
                    todo_id: todo_id.clone(),
                    count: 1,
                    version: 0,
                }),
            };
            match self.table.transact(counted.create(media.clone())).await {
                Ok(()) => return self.stored(media).await,
                // The count changed since it was read: read it again.
                Err(error) if lost_race(&error, 1) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Err(MediaError::Contended)
    }

    /// The media item as stored (with the table's version and `createdAt`).
    async fn stored(&self, media: Media) -> Result<Media, MediaError> {
        let key = Media::key_of(&media.owner, &media.id);
        Ok(self.table.get::<Media>(&key).await?.unwrap_or(media))
    }

    /// Deletes `owner`'s media item `id` and uncounts it from its todo; `false` when there was
    /// none.
    ///
    /// # Errors
    ///
    /// [`MediaError::InvalidMediaId`], [`MediaError::Contended`], or a storage error.
    pub async fn delete(&self, owner: &str, id: &str) -> Result<bool, MediaError> {
        let key = Media::key_of(owner, &valid_media_id(id)?);
        for _ in 0..ATTEMPTS {
            let Some(media) = self.table.get::<Media>(&key).await? else {
                return Ok(false);
            };
            let count_key = AttachmentCount::key_of(owner, &media.todo_id);
            let both = Transaction::new()
                .delete_if_version::<Media>(key.clone(), media.version)
                .patch(count_one_less(count_key));
            let Err(error) = self.table.transact(both).await else {
                return Ok(true);
            };
            if !error.is_transaction_cancelled() {
                return Err(error.into());
            }
            if counter_missing(&error) {
                // A count that never was (or is already zero) must not keep media alive.
                let deleted = self
                    .table
                    .delete_if_version::<Media>(&key, media.version)
                    .await;
                match deleted {
                    Ok(true) => return Ok(true),
                    Ok(false) => {}
                    Err(error) if error.is_conflict() => {}
                    Err(error) => return Err(error.into()),
                }
            } else if !media_changed(&error) && !error.is_retryable() {
                return Err(error.into());
            }
        }
        Err(MediaError::Contended)
    }
}

/// The count one up, if it is still under the cap.
fn count_one_more(key: stack_dynamo::Key) -> Patch<AttachmentCount> {
    let cap = AttributeValue::N(MAX_ATTACHMENTS.to_string());
    Patch::new(key)
        .add("count", 1)
        .only_if(Condition::compare("count", Comparison::Less, cap))
}

/// The count one down, if it is above zero.
fn count_one_less(key: stack_dynamo::Key) -> Patch<AttachmentCount> {
    let zero = AttributeValue::N("0".to_owned());
    Patch::new(key)
        .add("count", -1)
        .only_if(Condition::compare("count", Comparison::Greater, zero))
}

/// Whether a transaction failed only because another write got there first, leaving the item
/// at `fine` untouched: worth reading again and retrying.
fn lost_race(error: &stack_dynamo::Error, fine: usize) -> bool {
    if error.is_retryable() {
        return true;
    }
    let reasons = error.cancellation_reasons();
    error.is_transaction_cancelled()
        && reasons.get(fine).is_some_and(|reason| !reason.is_failure())
        && reasons
            .iter()
            .any(stack_dynamo::CancellationReason::is_failure)
}

/// Whether a delete's transaction failed because the media item (item 0) changed or went
/// since it was read.
fn media_changed(error: &stack_dynamo::Error) -> bool {
    let reasons = error.cancellation_reasons();
    reasons
        .first()
        .is_some_and(stack_dynamo::CancellationReason::is_condition_failed)
}

/// Whether a delete's transaction failed on the count alone (item 1), with the media item
/// (item 0) as read.
fn counter_missing(error: &stack_dynamo::Error) -> bool {
    let reasons = error.cancellation_reasons();
    reasons.first().is_some_and(|reason| !reason.is_failure())
        && reasons
            .get(1)
            .is_some_and(stack_dynamo::CancellationReason::is_condition_failed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use stack_core::clock::FixedClock;
    use stack_dynamo::EmbeddedBackend;

    use super::*;
    use crate::model::MediaStatus;

    const TODO: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

    fn service() -> (MediaService, Table) {
        let clock = FixedClock::at(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
        let table = Table::new(EmbeddedBackend::in_memory().unwrap());
        (MediaService::new(table.clone(), Arc::new(clock)), table)
    }

    async fn count(table: &Table, owner: &str) -> Option<u64> {
        let key = AttachmentCount::key_of(owner, TODO);
        let count = table.get::<AttachmentCount>(&key).await.unwrap();
        count.map(|count| count.count)
    }

    #[tokio::test]
    async fn attach_records_a_pending_item_and_counts_it() {
        let (service, table) = service();
        let media = service
            .attach("ann", TODO, "Image/PNG", 2048)
            .await
            .unwrap();
        assert_eq!(media.status, MediaStatus::Pending);
        assert_eq!(media.content_type, "image/png");
        assert_eq!((media.version, media.size), (1, 2048));
        assert_eq!(media.created_at.timestamp(), 1_800_000_000);
        assert_eq!(count(&table, "ann").await, Some(1));
        assert_eq!(service.get("ann", &media.id).await.unwrap(), Some(media));
    }

    #[tokio::test]
    async fn the_cap_holds_and_deleting_frees_a_place() {
        let (service, table) = service();
        let mut ids = Vec::new();
        for _ in 0..MAX_ATTACHMENTS {
            ids.push(
                service
                    .attach("ann", TODO, "audio/mpeg", 1)
                    .await
                    .unwrap()
                    .id,
            );
        }
        let refused = service.attach("ann", TODO, "audio/mpeg", 1).await;
        assert!(matches!(
            refused,
            Err(MediaError::TooManyAttachments { max: 100 })
        ));
        let listed = service.attachments("ann", TODO).await.unwrap();
        let listed: Vec<String> = listed.into_iter().map(|media| media.id).collect();
        assert_eq!(listed, ids, "all of them, oldest first");

        assert!(service.delete("ann", &ids[0]).await.unwrap());
        assert!(!service.delete("ann", &ids[0]).await.unwrap());
        assert_eq!(count(&table, "ann").await, Some(MAX_ATTACHMENTS - 1));
        assert!(service.attach("ann", TODO, "audio/mpeg", 1).await.is_ok());
        assert!(
            service.attach("bob", TODO, "audio/mpeg", 1).await.is_ok(),
            "per owner"
        );
    }

    #[tokio::test]
    async fn concurrent_attaches_never_pass_the_cap() {
        let (service, table) = service();
        let service = Arc::new(service);
        for _ in 0..MAX_ATTACHMENTS - 3 {
            service.attach("ann", TODO, "video/mp4", 1).await.unwrap();
        }
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let service = Arc::clone(&service);
                tokio::spawn(async move { service.attach("ann", TODO, "video/mp4", 1).await })
            })
            .collect();
        let mut attached = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => attached += 1,
                Err(MediaError::TooManyAttachments { .. } | MediaError::Contended) => {}
                Err(error) => panic!("{error}"),
            }
        }
        assert!(attached <= 3, "{attached}");
        let listed = service.attachments("ann", TODO).await.unwrap().len();
        let counted = count(&table, "ann").await.unwrap();
        assert_eq!(u64::try_from(listed).unwrap(), counted);
        assert!(counted <= MAX_ATTACHMENTS);
    }

    #[tokio::test]
    async fn media_without_a_count_can_still_be_deleted() {
        let (service, table) = service();
        let media = service.attach("ann", TODO, "text/csv", 5).await.unwrap();
        let key = AttachmentCount::key_of("ann", TODO);
        assert!(table.delete::<AttachmentCount>(&key).await.unwrap());
        assert!(service.delete("ann", &media.id).await.unwrap());
        assert_eq!(service.get("ann", &media.id).await.unwrap(), None);
    }
}
