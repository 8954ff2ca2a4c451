//! The one error type of this crate.

use std::fmt;

use stack_core::error::{EdgeError, ErrorKind};

/// A boxed source error, as kept inside [`Error`].
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a table or backend operation failed.
///
/// Ask what happened with the `is_*` predicates. The message never repeats the source error;
/// log the whole chain once, where the error is handled (see `stack_core::error::chain`).
///
/// At the edge, [`EdgeError::kind`] maps it to a status: not found, conflict, bad user input,
/// or internal for everything else (throttling, an unreachable service, corrupt data).
#[non_exhaustive]
pub struct Error {
    kind: Kind,
    message: String,
    source: Option<BoxError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NotFound,
    Conflict,
    Validation,
    Throttled,
    Unavailable,
    Internal,
}

impl Error {
    /// An error for input the caller must fix, such as a rule checked inside an update.
    ///
    /// Its message is shown to the caller at the edge (as `BAD_USER_INPUT`), so keep it free of
    /// internal details.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(Kind::Validation, message)
    }

    /// The item does not exist (or is not of the expected type).
    pub fn is_not_found(&self) -> bool {
        self.kind == Kind::NotFound
    }

    /// The write conflicts with what is stored: the key already exists on create, or the
    /// stored version is not the expected one.
    pub fn is_conflict(&self) -> bool {
        self.kind == Kind::Conflict
    }

    /// A condition checked atomically with a write did not hold.
    ///
    /// Every conflict in this version comes from such a condition, so this agrees with
    /// [`is_conflict`](Self::is_conflict); it is the predicate to use with raw
    /// [`Backend`](crate::Backend) writes.
    pub fn is_condition_failed(&self) -> bool {
        self.kind == Kind::Conflict
    }

    /// The input was rejected: a malformed key, an out-of-range limit, a foreign cursor.
    pub fn is_validation(&self) -> bool {
        self.kind == Kind::Validation
    }

    /// Trying again later may succeed: the table was throttled or could not be reached.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, Kind::Throttled | Kind::Unavailable)
    }
}

// Constructors used inside the crate, named after the situation they describe.
impl Error {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    // Messages of public kinds (not found, conflict, validation) reach callers at the edge, so
    // they name the entity type but never the key, which may hold internal ids.

    pub(crate) fn not_found(entity_type: &str) -> Self {
        Self::new(Kind::NotFound, format!("{entity_type} not found"))
    }

    pub(crate) fn version_mismatch(entity_type: &str, expected: u64, stored: u64) -> Self {
        let message =
            format!("the {entity_type} is at version {stored}, not the expected {expected}");
        Self::new(Kind::Conflict, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(Kind::Conflict, message)
    }
}

/// Constructors for [`Backend`](crate::Backend) implementations.
impl Error {
    /// A write's condition did not hold ([`is_condition_failed`](Self::is_condition_failed)).
    pub fn condition_failed() -> Self {
        Self::new(Kind::Conflict, "the condition on the write did not hold")
    }

    /// The table is throttling requests ([`is_retryable`](Self::is_retryable)).
    pub fn throttled(source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Throttled, "the table is throttling requests").with_source(source)
    }

    /// `operation` could not reach the table, or the table failed on its side
    /// ([`is_retryable`](Self::is_retryable)).
    pub fn unavailable(operation: &str, source: impl Into<BoxError>) -> Self {
        let message = format!("{operation} could not reach the table");
        Self::new(Kind::Unavailable, message).with_source(source)
    }

    /// Anything else: a bug, corrupt data, a misconfigured table. Callers see a generic
    /// message at the edge; `message` and the source are for the logs.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Kind::Internal, message)
    }

    /// An internal error caused by `source`.
    pub fn internal_from(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::internal(message).with_source(source)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|source| source as _)
    }
}

impl EdgeError for Error {
    fn kind(&self) -> ErrorKind {
        match self.kind {
            Kind::NotFound => ErrorKind::NotFound,
            Kind::Conflict => ErrorKind::Conflict,
            Kind::Validation => ErrorKind::BadUserInput,
            Kind::Throttled | Kind::Unavailable | Kind::Internal => ErrorKind::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_predicate_matches_its_own_kind_only() {
        let not_found = Error::not_found("Todo");
        let conflict = Error::version_mismatch("Todo", 1, 2);
        let validation = Error::validation("bad");
        let throttled = Error::throttled("slow down");

        assert!(not_found.is_not_found() && !not_found.is_conflict());
        assert!(conflict.is_conflict() && conflict.is_condition_failed());
        assert!(validation.is_validation() && !validation.is_retryable());
        assert!(throttled.is_retryable() && !throttled.is_conflict());
    }

    #[test]
    fn kinds_map_to_edge_kinds() {
        assert_eq!(Error::not_found("Todo").kind(), ErrorKind::NotFound);
        assert_eq!(Error::conflict("taken").kind(), ErrorKind::Conflict);
        assert_eq!(Error::validation("bad").kind(), ErrorKind::BadUserInput);
        assert_eq!(Error::throttled("slow").kind(), ErrorKind::Internal);
        assert_eq!(Error::internal("boom").kind(), ErrorKind::Internal);
    }

    #[test]
    fn display_does_not_repeat_the_source() {
        let error = Error::internal_from("decoding failed", "bad byte");
        assert_eq!(error.to_string(), "decoding failed");
        assert_eq!(
            stack_core::error::chain(&error),
            "decoding failed: bad byte"
        );
    }
}
