//! What can go wrong while building a router or reaching a subgraph.

use std::time::Duration;

/// A router that cannot be built from its supergraph and subgraphs.
///
/// These are configuration mistakes, found once at start: a process that gets one should stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouterError {
    /// The supergraph SDL does not parse.
    #[error("the supergraph SDL does not parse: {reason}")]
    InvalidSupergraph {
        /// What the parser reported.
        reason: String,
    },
    /// The query planner refused the supergraph.
    #[error("the query planner cannot use the supergraph: {reason}")]
    Planner {
        /// What the planner reported.
        reason: String,
    },
    /// The supergraph names a subgraph that no transport was given for.
    #[error("no transport for subgraph `{name}`, which the supergraph names")]
    MissingSubgraph {
        /// The subgraph's name in the supergraph (`@join__graph(name:)`).
        name: String,
    },
    /// A subgraph URL that an HTTP transport cannot use.
    #[error("the URL `{url}` cannot be used for a subgraph: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A setting for invoking subgraph Lambdas is missing or unusable.
    #[error("the Lambda Invoke setting `{setting}` {reason}")]
    LambdaSetting {
        /// The environment variable it was read from (`AWS_REGION`, ...), or the setting's
        /// name when it was given in code (`region`, `function`, ...).
        setting: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl RouterError {
    /// Whether a subgraph was left without a transport.
    pub fn is_missing_subgraph(&self) -> bool {
        matches!(self, Self::MissingSubgraph { .. })
    }

    /// Whether a setting for invoking subgraph Lambdas is missing or unusable.
    pub fn is_lambda_setting(&self) -> bool {
        matches!(self, Self::LambdaSetting { .. })
    }
}

/// A subgraph request that got no usable answer.
///
/// The executor turns it into a GraphQL error (`SUBGRAPH_REQUEST_FAILED`, or
/// `SUBGRAPH_TIMEOUT`) and goes on with the rest of the plan.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The request could not be sent or its answer not read.
    #[error("the request to subgraph `{service}` failed: {reason}")]
    Failed {
        /// The subgraph's name.
        service: String,
        /// What failed, without secrets.
        reason: String,
    },
    /// The subgraph answered with a status and a body that is not a GraphQL response.
    #[error("subgraph `{service}` answered with HTTP status {status}")]
    Status {
        /// The subgraph's name.
        service: String,
        /// The HTTP status.
        status: u16,
    },
    /// The Lambda service refused or failed an Invoke call, so the function did not answer.
    ///
    /// Throttling (429) and the service's own failures (5xx) are not retried: the subgraph's
    /// timeout bounds the whole request, and the client may retry the operation.
    #[error(
        "Lambda Invoke for subgraph `{service}` failed with HTTP status {status} ({error_type}{}): {message}",
        invoke_hint(*.status)
    )]
    Invoke {
        /// The subgraph's name.
        service: String,
        /// The HTTP status of the Invoke call.
        status: u16,
        /// The service's error type, such as `ResourceNotFoundException`.
        error_type: String,
        /// The service's message.
        message: String,
    },
    /// No answer within the subgraph's timeout.
    #[error("subgraph `{service}` did not answer within {timeout:?}")]
    TimedOut {
        /// The subgraph's name.
        service: String,
        /// The timeout that passed.
        timeout: Duration,
    },
}

impl TransportError {
    /// Whether the subgraph did not answer in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::TimedOut { .. })
    }

    /// Whether Lambda reported that the subgraph's function (or its alias) does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Invoke { status: 404, .. })
    }

    /// Whether Lambda refused the call for lack of capacity (HTTP 429).
    pub fn is_throttled(&self) -> bool {
        matches!(self, Self::Invoke { status: 429, .. })
    }

    /// The GraphQL `extensions.code` this failure is reported with.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TimedOut { .. } => "SUBGRAPH_TIMEOUT",
            Self::Failed { .. } | Self::Status { .. } | Self::Invoke { .. } => {
                "SUBGRAPH_REQUEST_FAILED"
            }
        }
    }
}

/// What an Invoke failure's status says about the service, for the message.
fn invoke_hint(status: u16) -> &'static str {
    match status {
        429 => ", throttled by the Lambda service, not retried",
        500..=599 => ", a failure of the Lambda service, not retried",
        _ => "",
    }
}
