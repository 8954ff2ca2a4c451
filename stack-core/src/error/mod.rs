//! The error model shared by every crate at the edge.
//!
//! Each crate keeps its own typed error. At the edge (an HTTP response, a Lambda error, a GraphQL
//! error) every error is reduced to an [`ErrorKind`], which decides the HTTP status, the Lambda
//! `error_type` and the GraphQL `extensions.code`. Internal details are logged, never returned.

use http::StatusCode;

/// What kind of failure an error is, as seen by a caller outside the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller sent something invalid; retrying the same input fails again.
    BadUserInput,
    /// The caller is not authenticated.
    Unauthenticated,
    /// The caller is authenticated but may not do this.
    Forbidden,
    /// The thing the caller asked for does not exist (or is not theirs).
    NotFound,
    /// The request conflicts with the current state, such as a stale version.
    Conflict,
    /// Something failed on our side; details are logged, not returned.
    Internal,
}

impl ErrorKind {
    /// The GraphQL `extensions.code` for this kind.
    pub fn graphql_code(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::Internal => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status for this kind.
    pub fn http_status(self) -> StatusCode {
        match self {
            Self::BadUserInput => StatusCode::BAD_REQUEST,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The Lambda `error_type` reported to the runtime API for this kind.
    pub fn lambda_error_type(self) -> &'static str {
        match self {
            Self::BadUserInput => "Stack.BadUserInput",
            Self::Unauthenticated => "Stack.Unauthenticated",
            Self::Forbidden => "Stack.Forbidden",
            Self::NotFound => "Stack.NotFound",
            Self::Conflict => "Stack.Conflict",
            Self::Internal => "Stack.InternalError",
        }
    }

    /// Whether the error's own message may be shown to the caller.
    ///
    /// Internal errors are replaced by a generic message at the edge.
    pub fn is_public(self) -> bool {
        !matches!(self, Self::Internal)
    }
}

/// An error that knows how it looks from outside the process.
///
/// Implemented by each crate's error type so the edge can map it without knowing the crate.
pub trait EdgeError: std::error::Error {
    /// The kind of failure, which decides status codes and GraphQL codes.
    fn kind(&self) -> ErrorKind;

    /// The message shown to the caller: the error's own message when the kind is public, a
    /// generic one otherwise.
    fn public_message(&self) -> String {
        if self.kind().is_public() {
            self.to_string()
        } else {
            INTERNAL_MESSAGE.to_owned()
        }
    }
}

/// The message callers see for every internal error.
pub const INTERNAL_MESSAGE: &str = "internal server error";

/// Formats an error with its whole chain of sources, for logging once at the edge.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner;

    impl EdgeError for Outer {
        fn kind(&self) -> ErrorKind {
            ErrorKind::Internal
        }
    }

    #[test]
    fn internal_errors_hide_their_message() {
        assert_eq!(Outer(Inner).public_message(), INTERNAL_MESSAGE);
    }

    #[test]
    fn chain_joins_every_source() {
        assert_eq!(chain(&Outer(Inner)), "outer: inner");
    }

    #[test]
    fn every_kind_maps_to_distinct_codes() {
        let kinds = [
            ErrorKind::BadUserInput,
            ErrorKind::Unauthenticated,
            ErrorKind::Forbidden,
            ErrorKind::NotFound,
            ErrorKind::Conflict,
            ErrorKind::Internal,
        ];
        let codes: std::collections::HashSet<_> = kinds.iter().map(|k| k.graphql_code()).collect();
        let statuses: std::collections::HashSet<_> =
            kinds.iter().map(|k| k.http_status()).collect();
        assert_eq!(codes.len(), kinds.len());
        assert_eq!(statuses.len(), kinds.len());
    }
}
