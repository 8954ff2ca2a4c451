//! GraphQL errors as callers see them: a message and a machine-readable `extensions.code`.
//!
//! Resolvers turn their crate's errors into GraphQL errors with [`to_graphql_error`], which takes
//! the code from the [`ErrorKind`](stack_core::ErrorKind) and hides the message of internal
//! errors. The subgraph handler then masks what slipped through (see [`codes`] for every code it writes):
//!
//! - an error that has a code is returned as it is;
//! - an error without a code that was converted from another error type (the `?` operator on,
//!   say, an SDK error) is masked: its message becomes `internal server error`, its code
//!   `INTERNAL_SERVER_ERROR`, and the original message is logged once at error level;
//! - an argument that async-graphql could not read (out of range, of the wrong type, refused
//!   by a validator) gets `BAD_USER_INPUT` and keeps its message;
//! - any other error without a code whose message was written on purpose (`Error::new("...")`,
//!   `"...".into()`) keeps its message and gets no code.

use async_graphql::ErrorExtensions as _;
use stack_core::error::{EdgeError, chain};

/// The `extensions.code` values this crate writes, besides those of [`ErrorKind`](stack_core::ErrorKind).
pub mod codes {
    /// The document could not be parsed.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document is not valid against the schema (including disabled introspection).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The document asks for more than the [`Limits`](crate::Limits) allow;
    /// `extensions.limit` names the limit and `extensions.maximum` gives its value.
    pub const OPERATION_LIMIT_EXCEEDED: &str = "OPERATION_LIMIT_EXCEEDED";
    /// The HTTP request is not a well-formed GraphQL request (bad JSON, bad parameters).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
}

/// Turns any [`EdgeError`] into a GraphQL error with the code of its kind.
///
/// The message is the error's [`public_message`](EdgeError::public_message): internal errors
/// read `internal server error`, and their whole chain of sources is logged here, once, at
/// error level.
///
/// ```
/// use stack_core::{EdgeError, ErrorKind};
///
/// #[derive(Debug)]
/// struct TodoNotFound;
///
/// impl std::fmt::Display for TodoNotFound {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("no such todo")
///     }
/// }
///
/// impl std::error::Error for TodoNotFound {}
///
/// impl EdgeError for TodoNotFound {
///     fn kind(&self) -> ErrorKind {
///         ErrorKind::NotFound
///     }
/// }
///
/// let error = stack_graphql::to_graphql_error(&TodoNotFound);
/// assert_eq!(error.message, "no such todo");
/// ```
pub fn to_graphql_error<E: EdgeError + 'static>(error: &E) -> async_graphql::Error {
    let kind = error.kind();
    if !kind.is_public() {
        tracing::error!(
            target: "stack_graphql",
            error = %chain(error),
            code = kind.graphql_code(),
            "a resolver failed",
        );
    }
    async_graphql::Error::new(error.public_message())
        .extend_with(|_, extensions| extensions.set("code", kind.graphql_code()))
}

#[cfg(all(test, feature = "subgraph"))]
pub(crate) use self::outgoing::code_of;
#[cfg(feature = "subgraph")]
pub(crate) use self::outgoing::{coded, mask, with_code};

/// What the subgraph handler does to errors on their way out.
#[cfg(feature = "subgraph")]
mod outgoing {
    use async_graphql::{PathSegment, ServerError};
    use stack_core::error::{ErrorKind, INTERNAL_MESSAGE};

    /// A GraphQL error with a message and a code.
    pub(crate) fn coded(message: impl Into<String>, code: &str) -> ServerError {
        with_code(ServerError::new(message, None), code)
    }

    /// Sets the code of an error that has none.
    pub(crate) fn with_code(mut error: ServerError, code: &str) -> ServerError {
        if code_of(&error).is_none() {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
        error
    }

    /// The `extensions.code` of an error, if it has one.
    pub(crate) fn code_of(error: &ServerError) -> Option<&async_graphql::Value> {
        error.extensions.as_ref()?.get("code")
    }

    /// Masks an error that has no code and was converted from another error type, and codes
    /// async-graphql's own argument errors as `BAD_USER_INPUT`.
    pub(crate) fn mask(error: ServerError) -> ServerError {
        if code_of(&error).is_some() {
            return error;
        }
        if is_input_error(&error) {
            return with_code(error, ErrorKind::BadUserInput.graphql_code());
        }
        if !is_converted(&error) {
            return error;
        }
        tracing::error!(
            target: "stack_graphql",
            error = %error.message,
            graphql.path = %display_path(&error.path),
            "a resolver failed",
        );
        let masked = ServerError {
            message: INTERNAL_MESSAGE.to_owned(),
            source: None,
            ..error
        };
        with_code(masked, ErrorKind::Internal.graphql_code())
    }

    /// Whether async-graphql raised the error while reading an argument (a value out of range,
    /// of the wrong type, or refused by a validator). It has no error type of its own for these,
    /// so the messages it writes are the only sign.
    fn is_input_error(error: &ServerError) -> bool {
        let prefixes = [
            "Failed to parse \"",
            "Expected input type \"",
            "Invalid value for argument",
        ];
        error.source.is_none()
            && prefixes
                .iter()
                .any(|prefix| error.message.starts_with(prefix))
    }

    /// Whether the error came from another error type rather than from a message.
    ///
    /// async-graphql keeps what an error was converted from as its source; strings are messages
    /// written on purpose.
    fn is_converted(error: &ServerError) -> bool {
        error.source.is_some()
            && error.source::<&'static str>().is_none()
            && error.source::<String>().is_none()
    }

    /// A response path as `a.0.b`, for logs.
    fn display_path(path: &[PathSegment]) -> String {
        let segments: Vec<String> = path
            .iter()
            .map(|segment| match segment {
                PathSegment::Field(name) => name.clone(),
                PathSegment::Index(index) => index.to_string(),
            })
            .collect();
        segments.join(".")
    }
}

#[cfg(all(test, feature = "subgraph"))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use async_graphql::ServerError;
    use stack_core::error::{ErrorKind, INTERNAL_MESSAGE};

    use super::*;

    #[derive(Debug)]
    struct Failure(ErrorKind);

    impl std::fmt::Display for Failure {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("table `secret-table` is unreachable")
        }
    }

    impl std::error::Error for Failure {}

    impl EdgeError for Failure {
        fn kind(&self) -> ErrorKind {
            self.0
        }
    }

    fn code(error: &ServerError) -> Option<String> {
        code_of(error).map(ToString::to_string)
    }

    #[test]
    fn edge_errors_carry_the_code_of_their_kind() {
        let error =
            to_graphql_error(&Failure(ErrorKind::Conflict)).into_server_error(Default::default());
        assert_eq!(code(&error).as_deref(), Some("\"CONFLICT\""));
        assert_eq!(error.message, "table `secret-table` is unreachable");
    }

    #[test]
    fn internal_edge_errors_hide_their_message() {
        let error =
            to_graphql_error(&Failure(ErrorKind::Internal)).into_server_error(Default::default());
        assert_eq!(error.message, INTERNAL_MESSAGE);
        assert_eq!(code(&error).as_deref(), Some("\"INTERNAL_SERVER_ERROR\""));
    }

    #[test]
    fn converted_errors_are_masked() {
        let converted = async_graphql::Error::from("x".parse::<i32>().unwrap_err());
        let error = mask(converted.into_server_error(Default::default()));
        assert_eq!(error.message, INTERNAL_MESSAGE);
        assert_eq!(code(&error).as_deref(), Some("\"INTERNAL_SERVER_ERROR\""));
    }

    #[test]
    fn written_messages_are_kept() {
        for written in [async_graphql::Error::new("written"), "written".into()] {
            let error = mask(written.into_server_error(Default::default()));
            assert_eq!((error.message.as_str(), code(&error)), ("written", None));
        }
        let owned = async_graphql::Error::from(String::from("written"));
        assert_eq!(
            mask(owned.into_server_error(Default::default())).message,
            "written"
        );
    }

    #[test]
    fn coded_errors_are_kept() {
        let error = coded("kept", "FORBIDDEN");
        assert_eq!(mask(error.clone()), error);
    }
}
