//! The crate's error type.

use stack_core::ErrorKind;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a notification could not be rendered or sent.
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
    /// The input is invalid (an unknown template, a missing variable, a bad address).
    Validation,
    /// Every recipient is on the account's suppression list; nothing was sent.
    Suppressed,
    /// The service throttled or failed transiently; retrying may succeed.
    Retryable,
    /// Anything else.
    Internal,
}

impl Error {
    pub(crate) fn new(kind: Kind, message: impl Into<String>, source: Option<BoxError>) -> Self {
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

    /// A transient failure.
    pub fn retryable(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Retryable, message, Some(source.into()))
    }

    /// Anything else, with its cause.
    pub fn internal(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::new(Kind::Internal, message, Some(source.into()))
    }

    /// The kind of failure.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether the input was invalid.
    pub fn is_validation(&self) -> bool {
        self.kind == Kind::Validation
    }

    /// Whether every recipient was suppressed (not worth retrying).
    pub fn is_suppressed(&self) -> bool {
        self.kind == Kind::Suppressed
    }

    /// Whether retrying may succeed.
    pub fn is_retryable(&self) -> bool {
        self.kind == Kind::Retryable
    }
}

impl stack_core::EdgeError for Error {
    fn kind(&self) -> ErrorKind {
        match self.kind {
            Kind::Validation | Kind::Suppressed => ErrorKind::BadUserInput,
            _ => ErrorKind::Internal,
        }
    }
}
