//! What can go wrong in the Media service, and how callers see it.

use stack_core::{EdgeError, ErrorKind};

/// A failed Media operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The request has no caller identity.
    #[error("sign in to use media")]
    Unauthenticated,
    /// A media id is not a media id.
    #[error("invalid media id")]
    InvalidMediaId,
    /// A todo id is not a todo id.
    #[error("invalid todo id")]
    InvalidTodoId,
    /// The content type is malformed or not one the service accepts.
    #[error("invalid content type: {0}")]
    InvalidContentType(String),
    /// The size is zero or over the limit.
    #[error("the size must be from 1 to {max} bytes, got {got}")]
    InvalidSize {
        /// What was given.
        got: u64,
        /// The largest size accepted.
        max: u64,
    },
    /// The todo already has as many attachments as it may.
    #[error("the todo already has {max} attachments; delete one first")]
    TooManyAttachments {
        /// The most attachments a todo may have.
        max: u64,
    },
    /// Concurrent changes to the same todo's attachments kept the write from applying.
    #[error("the todo's attachments are changing; retry")]
    Contended,
    /// The table failed.
    #[error(transparent)]
    Storage(#[from] stack_dynamo::Error),
}

impl EdgeError for MediaError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Unauthenticated => ErrorKind::Unauthenticated,
            Self::InvalidMediaId
            | Self::InvalidTodoId
            | Self::InvalidContentType(_)
            | Self::InvalidSize { .. } => ErrorKind::BadUserInput,
            Self::TooManyAttachments { .. } | Self::Contended => ErrorKind::Conflict,
            Self::Storage(error) => error.kind(),
        }
    }
}
