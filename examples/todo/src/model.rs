//! The stored todo and the rules for its fields.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stack_dynamo::{Entity, Key, Keys};

use crate::error::TodoError;

/// The longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// A todo: one item in the table, under its owner's partition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(complex)]
pub struct Todo {
    /// The owner's user id; never exposed, it scopes every read and write.
    #[graphql(skip)]
    pub owner: String,
    /// A ULID: unique, and ordered by creation time.
    #[graphql(skip)]
    pub id: String,
    /// What is to be done.
    pub title: String,
    /// Whether it is done.
    pub completed: bool,
    /// The optimistic-lock version: 1 when created, one more after each update (kept by the
    /// table).
    #[serde(default)]
    pub version: u64,
    /// When it was created (kept by the table).
    pub created_at: DateTime<Utc>,
    /// When it last changed (kept by the table).
    pub updated_at: DateTime<Utc>,
}

impl Todo {
    /// A new, open todo of `owner`.
    pub fn new(owner: &str, id: String, title: String, now: DateTime<Utc>) -> Self {
        Self {
            owner: owner.to_owned(),
            id,
            title,
            completed: false,
            version: 0,
            created_at: now,
            updated_at: now,
        }
    }

    /// The key of `owner`'s todo `id`.
    pub fn key_of(owner: &str, id: &str) -> Key {
        Key::new(partition_of(owner), format!("{SORT_PREFIX}{id}"))
    }
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";
    // Ids are ULIDs, so a user's todos sort by creation time within their partition.
    const KEYS: Keys = Keys::new("USER#{owner}", "TODO#{id}");
}

/// The sort-key prefix shared by every todo, so a partition can hold other entity types too.
pub const SORT_PREFIX: &str = "TODO#";

/// The partition that holds `owner`'s items.
pub fn partition_of(owner: &str) -> String {
    format!("USER#{owner}")
}

/// A title, trimmed, checked non-empty and at most [`MAX_TITLE_CHARS`] long.
pub fn valid_title(title: &str) -> Result<String, TodoError> {
    let trimmed = title.trim();
    if trimmed.is_empty() {
        return Err(TodoError::InvalidTitle(
            "the title must not be empty".into(),
        ));
    }
    let length = trimmed.chars().count();
    if length > MAX_TITLE_CHARS {
        return Err(TodoError::InvalidTitle(format!(
            "the title has {length} characters; at most {MAX_TITLE_CHARS} are allowed"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TodoError::InvalidTitle(
            "the title must not contain control characters".into(),
        ));
    }
    Ok(trimmed.to_owned())
}

/// A todo id as given by a client: it must be a ULID.
pub fn valid_id(id: &str) -> Result<String, TodoError> {
    ulid::Ulid::from_string(id)
        .map(|ulid| ulid.to_string())
        .map_err(|_| TodoError::InvalidId)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(valid_title("  buy milk ").ok().as_deref(), Some("buy milk"));
        assert!(valid_title("   ").is_err());
        assert!(valid_title(&"é".repeat(MAX_TITLE_CHARS)).is_ok());
        assert!(valid_title(&"é".repeat(MAX_TITLE_CHARS + 1)).is_err());
        assert!(valid_title("a\u{0}b").is_err());
    }

    #[test]
    fn ids_must_be_ulids() {
        assert!(valid_id("01ARZ3NDEKTSV4RRFFQ69G5FAV").is_ok());
        assert!(valid_id("../../etc").is_err());
        assert!(valid_id("").is_err());
    }

    #[test]
    fn keys_keep_the_owner_case() {
        assert_eq!(
            Todo::key_of("Alice", "01ARZ3NDEKTSV4RRFFQ69G5FAV").pk,
            "USER#Alice"
        );
    }

    #[test]
    fn the_key_template_agrees_with_key_of() {
        let todo = Todo::new(
            "Alice",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV".into(),
            "t".into(),
            Utc::now(),
        );
        let computed = todo.key().ok();
        assert_eq!(
            computed,
            Some(Todo::key_of("Alice", "01ARZ3NDEKTSV4RRFFQ69G5FAV"))
        );
    }
}
