//! Why a token was refused, why keys could not be loaded, why the local issuer failed.

use stack_core::{EdgeError, ErrorKind};

/// Why a token was refused.
///
/// Every variant but [`KeysUnavailable`](Self::KeysUnavailable) is the caller's problem: a
/// missing, malformed, forged, expired or misdirected token. `KeysUnavailable` means the
/// verifier could not load the signing keys, so it could not decide.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The request carries no bearer token.
    #[error("the request carries no bearer token")]
    Missing,
    /// The token is not a well-formed compact JWS (what is wrong is named).
    #[error("the token is malformed: {0}")]
    Malformed(&'static str),
    /// No trusted key has the token's key id (or the token names none).
    #[error("no trusted key has the token's key id")]
    UnknownKey,
    /// The token's `alg` is not the algorithm its key is pinned to.
    #[error("the token's algorithm {found:?} is not its key's {expected}")]
    AlgorithmMismatch {
        /// The key's algorithm.
        expected: &'static str,
        /// What the token's header says.
        found: String,
    },
    /// The signature does not verify with the token's key.
    #[error("the signature does not verify")]
    BadSignature,
    /// A required claim is missing, or a claim has the wrong type.
    #[error("the claim `{0}` is missing or invalid")]
    InvalidClaim(&'static str),
    /// The token was issued by another issuer.
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    /// The token's `token_use` is not one this verifier accepts.
    #[error("the token's use {0:?} is not accepted")]
    WrongTokenUse(String),
    /// The token was issued to a client this verifier does not trust.
    #[error("the token was issued to another client")]
    WrongClient,
    /// The token has expired (`exp`, after the leeway).
    #[error("the token has expired")]
    Expired,
    /// The token is not valid yet (`nbf` or `iat` in the future, after the leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// The signing keys could not be loaded, so nothing could be decided.
    #[error("the signing keys are unavailable")]
    KeysUnavailable(#[source] JwksError),
}

impl TokenError {
    /// Whether the verifier could not decide because its keys are unavailable (not the
    /// caller's fault; worth retrying).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::KeysUnavailable(_))
    }

    /// Whether the token has expired.
    pub fn is_expired(&self) -> bool {
        matches!(self, Self::Expired)
    }

    /// Whether the request carried no token at all.
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Missing)
    }

    /// Whether the token could be forged: a bad signature, an unknown key or an algorithm other
    /// than its key's.
    pub fn is_untrusted(&self) -> bool {
        matches!(
            self,
            Self::UnknownKey | Self::AlgorithmMismatch { .. } | Self::BadSignature
        )
    }

    /// A short, stable name for logs and metrics, such as `expired` or `bad_signature`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed(_) => "malformed",
            Self::UnknownKey => "unknown_key",
            Self::AlgorithmMismatch { .. } => "algorithm_mismatch",
            Self::BadSignature => "bad_signature",
            Self::InvalidClaim(_) => "invalid_claim",
            Self::WrongIssuer => "wrong_issuer",
            Self::WrongTokenUse(_) => "wrong_token_use",
            Self::WrongClient => "wrong_client",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::KeysUnavailable(_) => "keys_unavailable",
        }
    }
}

impl EdgeError for TokenError {
    fn kind(&self) -> ErrorKind {
        if self.is_unavailable() {
            ErrorKind::Internal
        } else {
            ErrorKind::Unauthenticated
        }
    }
}

/// The signing keys could not be fetched or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// The JWKS URL is not usable (not `https`, or `http` to a host other than loopback).
    #[error("the JWKS URL {url:?} is not usable: {reason}")]
    InvalidUrl {
        /// The URL as configured.
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The request failed: connection, TLS, timeout or an oversized body.
    #[error("fetching the JWKS from {url} failed: {reason}")]
    Fetch {
        /// Where the keys were fetched from.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The server answered with a status other than 2xx.
    #[error("the JWKS endpoint {url} answered {status}")]
    Status {
        /// Where the keys were fetched from.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The document is not a JSON Web Key Set.
    #[error("the document is not a JSON Web Key Set: {0}")]
    Invalid(String),
}

impl JwksError {
    /// Whether the failure may pass on its own (network, timeout, server error).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Fetch { .. } => true,
            Self::Status { status, .. } => *status >= 500 || *status == 429,
            Self::InvalidUrl { .. } | Self::Invalid(_) => false,
        }
    }
}

/// The local token issuer could not load, create or use its key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerError {
    /// The key file could not be read or written.
    #[error("the local signing key at {path} could not be {action}")]
    KeyFile {
        /// The key file.
        path: std::path::PathBuf,
        /// `read`, `written` or `parsed`.
        action: &'static str,
        /// The I/O failure, if there was one.
        #[source]
        source: Option<std::io::Error>,
    },
    /// The key could not be generated or could not sign.
    #[error("the local signing key failed to {0}")]
    Crypto(&'static str),
    /// The token request is not acceptable (the reason is safe to show).
    #[error("{0}")]
    BadRequest(String),
}

impl IssuerError {
    /// Whether the request, not the issuer, was at fault.
    pub fn is_bad_request(&self) -> bool {
        matches!(self, Self::BadRequest(_))
    }
}

impl EdgeError for IssuerError {
    fn kind(&self) -> ErrorKind {
        if self.is_bad_request() {
            ErrorKind::BadUserInput
        } else {
            ErrorKind::Internal
        }
    }
}

/// The authorizer could not answer an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizerError {
    /// The event is not an API Gateway authorizer request (it has neither `methodArn` nor a
    /// payload 2.0 `routeArn`).
    #[error("the event is not an API Gateway Lambda authorizer request")]
    UnrecognizedEvent,
    /// The signing keys are unavailable; answering `Deny` would be cached by API Gateway and
    /// lock callers out after the keys come back, so the invocation fails instead.
    #[error("the token could not be verified")]
    Unavailable(#[source] TokenError),
}

impl AuthorizerError {
    /// Whether the event was not an authorizer request.
    pub fn is_unrecognized_event(&self) -> bool {
        matches!(self, Self::UnrecognizedEvent)
    }
}

impl EdgeError for AuthorizerError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::UnrecognizedEvent => ErrorKind::BadUserInput,
            Self::Unavailable(_) => ErrorKind::Internal,
        }
    }
}
