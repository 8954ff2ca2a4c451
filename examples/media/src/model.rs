//! The stored media items, their keys, and the rules for their fields.
//!
//! Media live in the table the Todo service uses, under the same user partitions, with sort
//! keys of their own so neither service reads the other's items:
//!
//! | item | `pk` | `sk` | `gsi1pk` | `gsi1sk` |
//! |---|---|---|---|---|
//! | [`Media`] | `USER#{owner}` | `MEDIA#{id}` | `USER#{owner}#TODO#{todoId}` | `MEDIA#{id}` |
//! | [`AttachmentCount`] | `USER#{owner}` | `ATTACHMENTS#{todoId}` | | |
//! | (Todo service) todo | `USER#{owner}` | `TODO#{id}` | | |
//!
//! Reading one media item by id is one `GetItem`; a todo's attachments are one `Query` of
//! `gsi1`. The index partition names the owner, so a todo id never reaches another user's
//! media, and ends with the todo id, a ULID of fixed length, so no two (owner, todo) pairs
//! share a partition whatever the owner's id contains.

use async_graphql::Enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stack_dynamo::{Entity, IndexKeys, Key, Keys};

use crate::error::MediaError;

/// The largest upload accepted, in bytes: 5 GiB, the most one S3 `PUT` takes.
pub const MAX_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// The most attachments one todo may have, so `attachments` stays one bounded read.
pub const MAX_ATTACHMENTS: u64 = 100;

/// The longest content type accepted, in bytes (RFC 6838 allows 127 for each half).
pub const MAX_CONTENT_TYPE_BYTES: usize = 255;

/// The index that lists a todo's attachments.
pub const ATTACHMENTS_INDEX: &str = "gsi1";

/// The sort-key prefix of media items, in the table and in [`ATTACHMENTS_INDEX`].
pub const SORT_PREFIX: &str = "MEDIA#";

/// What a media item holds, from its content type's family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaKind {
    /// `image/*`.
    Image,
    /// `video/*`.
    Video,
    /// `audio/*`.
    Audio,
    /// PDF, plain text and office documents.
    Document,
}

/// Where a media item is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaStatus {
    /// Recorded, waiting for its upload.
    Pending,
    /// Uploaded and processed; ready to serve.
    Ready,
    /// The upload or its processing failed.
    Failed,
}

/// A file attached to a todo: one item in the table, under its owner's partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    /// The owner's user id; it scopes every read and write.
    pub owner: String,
    /// A ULID: unique, and ordered by creation time.
    pub id: String,
    /// The todo it is attached to (a ULID from the Todo service).
    pub todo_id: String,
    /// What it holds, from the content type.
    pub kind: MediaKind,
    /// Where it is in its life.
    pub status: MediaStatus,
    /// The media type, lower case, without parameters.
    pub content_type: String,
    /// Its size in bytes, as announced when it was attached.
    pub size: u64,
    /// The optimistic-lock version (kept by the table).
    #[serde(default)]
    pub version: u64,
    /// When it was attached (kept by the table).
    pub created_at: DateTime<Utc>,
}

impl Media {
    /// A new, pending media item of `owner`, attached to `todo_id` at `now`.
    pub fn pending(
        owner: &str,
        id: String,
        todo_id: String,
        file: FileInfo,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            owner: owner.to_owned(),
            id,
            todo_id,
            kind: file.kind,
            status: MediaStatus::Pending,
            content_type: file.content_type,
            size: file.size,
            version: 0,
            created_at: now,
        }
    }

    /// The key of `owner`'s media item `id`.
    pub fn key_of(owner: &str, id: &str) -> Key {
        Key::new(partition_of(owner), format!("{SORT_PREFIX}{id}"))
    }
}

impl Entity for Media {
    const TYPE: &'static str = "Media";
    const KEYS: Keys = Keys::new("USER#{owner}", "MEDIA#{id}").with_indexes(&[IndexKeys::new(
        ATTACHMENTS_INDEX,
        "USER#{owner}#TODO#{todoId}",
        "MEDIA#{id}",
    )]);
}

/// How many media a todo has, kept in the same transaction as each attach and delete so the
/// [`MAX_ATTACHMENTS`] cap holds under concurrent writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentCount {
    /// The owner's user id.
    pub owner: String,
    /// The todo.
    pub todo_id: String,
    /// How many media are attached.
    pub count: u64,
    /// The optimistic-lock version (kept by the table).
    #[serde(default)]
    pub version: u64,
}

impl AttachmentCount {
    /// The key of the count of `owner`'s todo `todo_id`.
    pub fn key_of(owner: &str, todo_id: &str) -> Key {
        Key::new(partition_of(owner), format!("ATTACHMENTS#{todo_id}"))
    }
}

impl Entity for AttachmentCount {
    const TYPE: &'static str = "AttachmentCount";
    const KEYS: Keys = Keys::new("USER#{owner}", "ATTACHMENTS#{todoId}");
}

/// The partition that holds `owner`'s items (shared with the Todo service).
pub fn partition_of(owner: &str) -> String {
    format!("USER#{owner}")
}

/// The [`ATTACHMENTS_INDEX`] partition of `owner`'s todo `todo_id`.
pub fn attachments_partition_of(owner: &str, todo_id: &str) -> String {
    format!("USER#{owner}#TODO#{todo_id}")
}

/// A file as announced by `attachMedia`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The media type, lower case.
    pub content_type: String,
    /// What it holds.
    pub kind: MediaKind,
    /// Its size in bytes.
    pub size: u64,
}

impl FileInfo {
    /// Checks a content type and size: see [`valid_content_type`] and [`valid_size`].
    ///
    /// # Errors
    ///
    /// [`MediaError::InvalidContentType`] or [`MediaError::InvalidSize`].
    pub fn new(content_type: &str, size: u64) -> Result<Self, MediaError> {
        let (content_type, kind) = valid_content_type(content_type)?;
        Ok(Self {
            content_type,
            kind,
            size: valid_size(size)?,
        })
    }
}

/// An id as given by a client: a ULID in its canonical form (upper case, first character 0
/// to 7), so one item has exactly one id.
fn canonical_ulid(id: &str) -> Option<String> {
    let canonical = ulid::Ulid::from_string(id).ok()?.to_string();
    (canonical == id).then_some(canonical)
}

/// A media id as given by a client: a canonical ULID.
///
/// # Errors
///
/// [`MediaError::InvalidMediaId`] otherwise.
pub fn valid_media_id(id: &str) -> Result<String, MediaError> {
    canonical_ulid(id).ok_or(MediaError::InvalidMediaId)
}

/// A todo id as given by a client: a canonical ULID, as the Todo service issues them.
///
/// # Errors
///
/// [`MediaError::InvalidTodoId`] otherwise.
pub fn valid_todo_id(id: &str) -> Result<String, MediaError> {
    canonical_ulid(id).ok_or(MediaError::InvalidTodoId)
}

/// A size from 1 byte to [`MAX_SIZE`].
///
/// # Errors
///
/// [`MediaError::InvalidSize`] otherwise.
pub fn valid_size(size: u64) -> Result<u64, MediaError> {
    if (1..=MAX_SIZE).contains(&size) {
        Ok(size)
    } else {
        Err(MediaError::InvalidSize {
            got: size,
            max: MAX_SIZE,
        })
    }
}

/// The document types accepted besides the `image/`, `video/` and `audio/` families.
const DOCUMENT_TYPES: &[&str] = &[
    "application/pdf",
    "text/plain",
    "text/csv",
    "text/markdown",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
];

/// Whether a (lower-case) type of the accepted families can carry scripts when served back to
/// a browser: SVG under any of its names (`image/svg+xml`, `image/svg`, `image/x-svg+xml`,
/// compressed variants), and any XML-based subtype.
fn is_active(subtype: &str) -> bool {
    subtype.contains("svg") || subtype.contains("xml")
}

/// A content type in the form `type/subtype` (RFC 6838 names, no parameters), matched without
/// regard to case, of an accepted family: any `image/`, `video/` or `audio/` subtype except
/// those that can carry scripts (SVG under any name, XML-based subtypes), or one of a few document types (PDF, plain
/// text, CSV, Markdown, Office Open XML and OpenDocument). Returns it in lower case, with its
/// [`MediaKind`].
///
/// # Errors
///
/// [`MediaError::InvalidContentType`], saying what is wrong.
pub fn valid_content_type(content_type: &str) -> Result<(String, MediaKind), MediaError> {
    let invalid = |reason: String| Err(MediaError::InvalidContentType(reason));
    if content_type.len() > MAX_CONTENT_TYPE_BYTES {
        return invalid(format!(
            "at most {MAX_CONTENT_TYPE_BYTES} characters are allowed"
        ));
    }
    let Some((family, subtype)) = content_type.split_once('/') else {
        return invalid("expected `type/subtype`, such as `image/png`".to_owned());
    };
    if !is_restricted_name(family) || !is_restricted_name(subtype) {
        return invalid(
            "expected `type/subtype` of letters, digits and `!#$&-^_.+`, without parameters"
                .to_owned(),
        );
    }
    let lower = content_type.to_ascii_lowercase();
    let lower_family = family.to_ascii_lowercase();
    let media_family = matches!(lower_family.as_str(), "image" | "video" | "audio");
    if media_family && is_active(&subtype.to_ascii_lowercase()) {
        return invalid(format!("`{lower}` can carry scripts and is not accepted"));
    }
    let kind = match family.to_ascii_lowercase().as_str() {
        "image" => MediaKind::Image,
        "video" => MediaKind::Video,
        "audio" => MediaKind::Audio,
        _ if DOCUMENT_TYPES.contains(&lower.as_str()) => MediaKind::Document,
        _ => {
            return invalid(format!(
                "`{lower}` is not accepted; use an image, video or audio type, or a document \
                 type such as `application/pdf`"
            ));
        }
    };
    Ok((lower, kind))
}

/// An RFC 6838 `restricted-name`: 1 to 127 characters, a letter or digit first, then letters,
/// digits and `!#$&-^_.+`.
fn is_restricted_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    first_ok
        && name.len() <= 127
        && chars.all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

    #[test]
    fn content_types_of_the_accepted_families_are_lowercased_and_classified() {
        let cases = [
            ("image/png", "image/png", MediaKind::Image),
            ("Image/HEIC", "image/heic", MediaKind::Image),
            ("video/mp4", "video/mp4", MediaKind::Video),
            ("audio/x-m4a", "audio/x-m4a", MediaKind::Audio),
            ("application/PDF", "application/pdf", MediaKind::Document),
            ("text/plain", "text/plain", MediaKind::Document),
        ];
        for (given, stored, kind) in cases {
            let checked = valid_content_type(given).ok();
            assert_eq!(checked, Some((stored.to_owned(), kind)), "{given}");
        }
    }

    #[test]
    fn malformed_or_unaccepted_content_types_are_refused() {
        let long = format!("image/{}", "a".repeat(128));
        for given in [
            "",
            "image",
            "image/",
            "/png",
            "image/png; charset=utf-8",
            " image/png",
            "image/png/x",
            "image/-png",
            "image/pñg",
            "text/html",
            "application/octet-stream",
            "application/x-msdownload",
            "image/svg+xml",
            "IMAGE/SVG+XML",
            "image/x-svg+xml",
            "image/svg",
            "image/svg-xml",
            "image/svg+xml-compressed",
            "video/vnd.something+xml",
            long.as_str(),
        ] {
            assert!(
                matches!(
                    valid_content_type(given),
                    Err(MediaError::InvalidContentType(_))
                ),
                "{given:?}"
            );
        }
    }

    #[test]
    fn sizes_are_bounded() {
        assert!(valid_size(1).is_ok());
        assert!(valid_size(MAX_SIZE).is_ok());
        assert!(matches!(
            valid_size(0),
            Err(MediaError::InvalidSize { got: 0, .. })
        ));
        assert!(valid_size(MAX_SIZE + 1).is_err());
    }

    #[test]
    fn ids_must_be_canonical_ulids() {
        assert_eq!(valid_media_id(ID).ok().as_deref(), Some(ID));
        assert!(valid_todo_id(ID).is_ok());
        assert!(matches!(
            valid_media_id(&ID.to_lowercase()),
            Err(MediaError::InvalidMediaId)
        ));
        assert!(matches!(
            valid_todo_id("../x"),
            Err(MediaError::InvalidTodoId)
        ));
        assert!(valid_todo_id(&format!("8{}", &ID[1..])).is_err());
    }

    #[test]
    fn the_key_templates_agree_with_key_of_and_the_index_partition() {
        let file = FileInfo::new("image/png", 10).ok();
        let media =
            file.map(|file| Media::pending("Al#ice", ID.into(), ID.into(), file, Utc::now()));
        let key = media.as_ref().and_then(|media| media.key().ok());
        assert_eq!(key, Some(Media::key_of("Al#ice", ID)));
        let index_pk =
            Media::KEYS.index_pk_of(ATTACHMENTS_INDEX, &[("owner", "Al#ice"), ("todoId", ID)]);
        assert_eq!(index_pk.ok(), Some(attachments_partition_of("Al#ice", ID)));
        let count = AttachmentCount {
            owner: "Al#ice".into(),
            todo_id: ID.into(),
            count: 1,
            version: 0,
        };
        assert_eq!(
            count.key().ok(),
            Some(AttachmentCount::key_of("Al#ice", ID))
        );
    }
}
