//! What can go wrong in the Todo service, and how callers see it.

use stack_core::{EdgeError, ErrorKind};

/// A failed Todo operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TodoError {
    /// The request has no caller identity.
    #[error("sign in to use todos")]
    Unauthenticated,
    /// The title is empty, too long or contains control characters.
    #[error("invalid title: {0}")]
    InvalidTitle(String),
    /// The id is not a todo id.
    #[error("invalid todo id")]
    InvalidId,
    /// The page size is out of range.
    #[error("`first` must be between 1 and {max}, got {got}")]
    InvalidPageSize {
        /// What was asked for.
        got: i32,
        /// The largest page.
        max: i32,
    },
    /// The todo does not exist, or is someone else's.
    #[error("todo not found")]
    NotFound,
    /// The expected version is not the stored one.
    #[error("the todo was changed since version {expected}; read it again and retry")]
    StaleVersion {
        /// The version the caller expected.
        expected: u64,
    },
    /// The table failed.
    #[error(transparent)]
    Storage(#[from] stack_dynamo::Error),
}

impl EdgeError for TodoError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Unauthenticated => ErrorKind::Unauthenticated,
            Self::InvalidTitle(_) | Self::InvalidId | Self::InvalidPageSize { .. } => {
                ErrorKind::BadUserInput
            }
            Self::NotFound => ErrorKind::NotFound,
            Self::StaleVersion { .. } => ErrorKind::Conflict,
            Self::Storage(error) if error.is_not_found() => ErrorKind::NotFound,
            Self::Storage(error) => error.kind(),
        }
    }
}
