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
    /// Whether its owner asked to be notified of its creation; stored with the todo, so the
    /// change stream carries the request to the notification worker (nothing is lost between
    /// the write and the queue).
    #[graphql(skip)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notify: bool,
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
            notify: false,
        }
    }

    /// The same todo, asking (or not) for a notification when it is created.
    pub fn with_notify(mut self, notify: bool) -> Self {
        self.notify = notify;
        self
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

/// A user's counters, kept by the analytics consumer from the todo events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// The owner's user id.
    #[graphql(skip)]
    pub owner: String,
    /// How many todos the user created.
    pub created: u64,
    /// How many times the user completed a todo.
    pub completed: u64,
    /// The optimistic-lock version (kept by the table).
    #[graphql(skip)]
    #[serde(default)]
    pub version: u64,
}

impl Entity for Stats {
    const TYPE: &'static str = "Stats";
    const KEYS: Keys = Keys::new("USER#{owner}", "STATS");
}

impl Stats {
    /// The key of `owner`'s counters.
    pub fn key_of(owner: &str) -> Key {
        Key::new(partition_of(owner), "STATS")
    }
}

/// The sort-key prefix shared by every todo, so a partition can hold other entity types too.
pub const SORT_PREFIX: &str = "TODO#";

/// The partition that holds `owner`'s items.
pub fn partition_of(owner: &str) -> String {
    format!("USER#{owner}")
}

/// A title, trimmed, checked to have something visible, at most [`MAX_TITLE_CHARS`] long, and
/// free of control characters and of the bidirectional overrides that can make text display
/// differently from what it says.
pub fn valid_title(title: &str) -> Result<String, TodoError> {
    let trimmed = title.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if trimmed.is_empty() {
        return Err(invalid_title("the title must not be empty".into()));
    }
    let length = trimmed.chars().count();
    if length > MAX_TITLE_CHARS {
        let message =
            format!("the title has {length} characters; at most {MAX_TITLE_CHARS} are allowed");
        return Err(invalid_title(message));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() || is_bidi_control(c))
    {
        return Err(invalid_title(
            "the title must not contain control characters".into(),
        ));
    }
    Ok(trimmed.to_owned())
}

fn invalid_title(message: String) -> TodoError {
    TodoError::InvalidTitle(message)
}

/// Format characters that take no space: zero-width spaces and joiners, the byte-order mark,
/// the soft hyphen, invisible operators and tag characters.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{E0000}'..='\u{E007F}')
}

/// Bidirectional embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A todo id as given by a client: a ULID in its canonical form (upper case, first character
/// 0 to 7), so one todo has exactly one id.
pub fn valid_id(id: &str) -> Result<String, TodoError> {
    let ulid = ulid::Ulid::from_string(id).map_err(|_| TodoError::InvalidId)?;
    let canonical = ulid.to_string();
    if canonical == id {
        Ok(canonical)
    } else {
        Err(TodoError::InvalidId)
    }
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
    fn titles_need_something_visible_and_no_bidi_controls() {
        for title in [
            "\u{200B}",
            "\u{FEFF}",
            "\u{E0001}",
            &"\u{200B}".repeat(200),
            "\u{202E}evil",
            "a\u{2066}b",
        ] {
            assert!(valid_title(title).is_err(), "{title:?}");
        }
        assert_eq!(
            valid_title("\u{200B} tea \u{FEFF}").ok().as_deref(),
            Some("tea")
        );
        assert!(
            valid_title("emoji 👩\u{200D}💻 ok").is_ok(),
            "joiners inside emoji stay"
        );
    }

    #[test]
    fn ids_must_be_canonical_ulids() {
        let id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
        assert!(valid_id(id).is_ok());
        assert!(valid_id(&id.to_lowercase()).is_err());
        assert!(valid_id(&format!("8{}", &id[1..])).is_err());
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
