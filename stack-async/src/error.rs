//! The crate's error type.

use stack_core::ErrorKind;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a publish, send, receive or handler call failed.
///
/// Opaque on purpose: callers ask the predicates ([`Error::is_retryable`],
/// [`Error::is_validation`], ...) instead of matching on AWS error types, which never leak
/// into this crate's API.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: Kind,
    message: String,
    #[source]
    source: Option<BoxError>,
}

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// The input is invalid (a malformed message body, an event pattern we cannot read).
    Validation,
    /// The service throttled the call or failed transiently; retrying may succeed.
    Retryable,
    /// Some entries of a batch still failed after every retry.
    PartialFailure,
    /// The handler failed for this message or event.
    Handler,
    /// Anything else: a misconfigured client, an unexpected response.
    Internal,
}

impl Error {
    fn new(kind: Kind, message: impl Into<String>, source: Option<BoxError>) -> Self {
        Self {
            kind,
            message: message.into(),
            source,
        }
    }

    /// Invalid input.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(Kind::Validation, message, None)
    }

    /// A transient failure worth retrying.
    pub fn retryable(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Retryable, message, Some(source.into()))
    }

    /// Entries of a batch that still failed after every retry.
    pub fn partial_failure(message: impl Into<String>) -> Self {
        Self::new(Kind::PartialFailure, message, None)
    }

    /// A handler failure, with its cause.
    pub fn handler(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Handler, message, Some(source.into()))
    }

    /// A handler failure without a separate cause.
    pub fn handler_message(message: impl Into<String>) -> Self {
        Self::new(Kind::Handler, message, None)
    }

    /// Anything else, with its cause.
    pub fn internal(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Internal, message, Some(source.into()))
    }

    /// The kind of failure.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether the input was invalid; retrying the same input fails again.
    pub fn is_validation(&self) -> bool {
        self.kind == Kind::Validation
    }

    /// Whether retrying the call may succeed (throttling, transient service errors).
    pub fn is_retryable(&self) -> bool {
        self.kind == Kind::Retryable
    }

    /// Whether some entries of a batch failed after every retry.
    pub fn is_partial_failure(&self) -> bool {
        self.kind == Kind::PartialFailure
    }

    /// Whether a message or event handler failed.
    pub fn is_handler(&self) -> bool {
        self.kind == Kind::Handler
    }
}

impl From<stack_dynamo::Error> for Error {
    fn from(error: stack_dynamo::Error) -> Self {
        let kind = if error.is_retryable() || error.is_conflict() {
            Kind::Retryable
        } else if error.is_validation() {
            Kind::Validation
        } else {
            Kind::Internal
        };
        Self::new(kind, "the table call failed", Some(Box::new(error)))
    }
}

impl stack_core::EdgeError for Error {
    fn kind(&self) -> ErrorKind {
        match self.kind {
            Kind::Validation => ErrorKind::BadUserInput,
            _ => ErrorKind::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use stack_core::EdgeError;

    use super::*;

    #[test]
    fn predicates_follow_the_kind() {
        let error = Error::retryable("throttled", "slow down");
        assert!(error.is_retryable() && !error.is_validation());
        assert!(Error::validation("bad").is_validation());
        assert_eq!(
            EdgeError::kind(&Error::validation("bad")),
            ErrorKind::BadUserInput
        );
        assert_eq!(EdgeError::kind(&error), ErrorKind::Internal);
    }
}
