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
    reasons: Vec<CancellationReason>,
    source: Option<BoxError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    NotFound,
    Conflict,
    Cancelled,
    Validation,
    Throttled,
    Unavailable,
    Internal,
}

/// Why one item of a cancelled transaction failed, in the order the items were given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancellationReason {
    /// DynamoDB's code: `None` for an item that was fine, `ConditionalCheckFailed`,
    /// `TransactionConflict`, `ItemCollectionSizeLimitExceeded`, `ThrottlingError`,
    /// `ValidationError`, ...
    pub code: String,
    /// DynamoDB's message for the item, when it gave one.
    pub message: Option<String>,
}

impl CancellationReason {
    /// The code DynamoDB uses for an item that did not cause the cancellation.
    pub const NONE: &'static str = "None";
    /// The code for an item whose condition did not hold.
    pub const CONDITION_FAILED: &'static str = "ConditionalCheckFailed";

    /// A reason with a code and an optional message.
    pub fn new(code: impl Into<String>, message: Option<String>) -> Self {
        Self {
            code: code.into(),
            message,
        }
    }

    /// This item was fine; another one cancelled the transaction.
    pub fn none() -> Self {
        Self::new(Self::NONE, None)
    }

    /// This item's condition did not hold.
    pub fn condition_failed() -> Self {
        Self::new(Self::CONDITION_FAILED, None)
    }

    /// Whether this item caused the cancellation.
    pub fn is_failure(&self) -> bool {
        self.code != Self::NONE
    }

    /// Whether this item's condition did not hold.
    pub fn is_condition_failed(&self) -> bool {
        self.code == Self::CONDITION_FAILED
    }

    /// Whether this reason is worth a retry (a conflicting transaction or throttling).
    fn is_retryable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded"
        )
    }
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

    /// The write conflicts with what is stored: the key already exists on create, the stored
    /// version is not the expected one, a condition did not hold, or a transaction was
    /// cancelled by a condition or a conflicting transaction.
    pub fn is_conflict(&self) -> bool {
        match self.kind {
            Kind::Conflict => true,
            Kind::Cancelled => self
                .reasons
                .iter()
                .any(|reason| reason.is_condition_failed() || reason.code == "TransactionConflict"),
            _ => false,
        }
    }

    /// A condition checked atomically with a write did not hold; for a transaction, the
    /// condition of at least one item.
    pub fn is_condition_failed(&self) -> bool {
        match self.kind {
            Kind::Conflict => true,
            Kind::Cancelled => self
                .reasons
                .iter()
                .any(CancellationReason::is_condition_failed),
            _ => false,
        }
    }

    /// A transaction was cancelled; [`cancellation_reasons`](Self::cancellation_reasons) says
    /// which item failed and why.
    pub fn is_transaction_cancelled(&self) -> bool {
        self.kind == Kind::Cancelled
    }

    /// One reason per item of a cancelled transaction, in order; empty for other errors.
    pub fn cancellation_reasons(&self) -> &[CancellationReason] {
        &self.reasons
    }

    /// The input was rejected: a malformed key, an out-of-range limit, a foreign or altered
    /// cursor, an update that cannot recompute an index key.
    pub fn is_validation(&self) -> bool {
        self.kind == Kind::Validation
    }

    /// DynamoDB throttled the request (it is also [`is_retryable`](Self::is_retryable)).
    pub fn is_throttled(&self) -> bool {
        self.kind == Kind::Throttled
    }

    /// Trying again later may succeed: the table was throttled or could not be reached, or a
    /// transaction met a conflicting one.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            Kind::Throttled | Kind::Unavailable => true,
            Kind::Cancelled => self.reasons.iter().any(CancellationReason::is_retryable),
            _ => false,
        }
    }
}

// Constructors used inside the crate, named after the situation they describe.
impl Error {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            reasons: Vec::new(),
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

    /// A transaction was cancelled, with one reason per item in the order given.
    pub fn transaction_cancelled(reasons: Vec<CancellationReason>) -> Self {
        let failed: Vec<String> = reasons
            .iter()
            .enumerate()
            .filter(|(_, reason)| reason.is_failure())
            .map(|(index, reason)| format!("item {index}: {}", reason.code))
            .collect();
        let message = format!("the transaction was cancelled ({})", failed.join(", "));
        let mut error = Self::new(Kind::Cancelled, message);
        error.reasons = reasons;
        error
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
            .field("reasons", &self.reasons)
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
            Kind::Cancelled if self.is_conflict() => ErrorKind::Conflict,
            Kind::Validation => ErrorKind::BadUserInput,
            Kind::Cancelled | Kind::Throttled | Kind::Unavailable | Kind::Internal => {
                ErrorKind::Internal
            }
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
        assert!(throttled.is_retryable() && throttled.is_throttled() && !throttled.is_conflict());
    }

    #[test]
    fn a_cancelled_transaction_says_which_item_failed() {
        let reasons = vec![
            CancellationReason::none(),
            CancellationReason::condition_failed(),
        ];
        let error = Error::transaction_cancelled(reasons);

        assert!(error.is_transaction_cancelled() && error.is_condition_failed());
        assert!(error.is_conflict() && !error.is_retryable());
        assert_eq!(
            error.to_string(),
            "the transaction was cancelled (item 1: ConditionalCheckFailed)"
        );
        assert!(error.cancellation_reasons()[1].is_condition_failed());
        assert_eq!(error.kind(), ErrorKind::Conflict);
    }

    #[test]
    fn a_conflicting_transaction_is_retryable() {
        let reason = CancellationReason::new("TransactionConflict", None);
        let error = Error::transaction_cancelled(vec![reason]);
        assert!(error.is_retryable() && !error.is_condition_failed());
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
