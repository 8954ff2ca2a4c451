//! Choosing the mode and running a service in it.

use std::net::SocketAddr;

use crate::config::{ConfigError, EnvReader};
use crate::events::EventHandler;
use crate::http::HttpService;

/// The variable whose presence means the process runs inside Lambda.
pub const LAMBDA_RUNTIME_API: &str = "AWS_LAMBDA_RUNTIME_API";

/// Where the process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Inside AWS Lambda, polling the runtime API.
    Lambda,
    /// On a developer's machine or in tests, serving on 127.0.0.1.
    Local,
}

impl Mode {
    /// Lambda when `AWS_LAMBDA_RUNTIME_API` is set, local otherwise.
    pub fn detect() -> Self {
        Self::from_env(&EnvReader::from_process())
    }

    /// The mode that an environment snapshot implies.
    pub fn from_env(env: &EnvReader) -> Self {
        if env.is_set(LAMBDA_RUNTIME_API) {
            Self::Lambda
        } else {
            Self::Local
        }
    }
}

/// The runtime could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The local server could not bind its address.
    #[error("could not listen on {address}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The Lambda runtime stopped with an error.
    #[error("the Lambda runtime failed: {0}")]
    Lambda(String),
    /// The binary was built without the feature this mode needs.
    #[error("this binary was built without the `{0}` feature")]
    MissingFeature(&'static str),
}

/// Runs an HTTP service: as a Lambda when `AWS_LAMBDA_RUNTIME_API` is set, otherwise as a local
/// server on `127.0.0.1:$PORT` (default 4000) until Ctrl-C or SIGTERM.
///
/// # Errors
///
/// Fails on invalid configuration, when the port cannot be bound, or when the Lambda runtime
/// fails.
pub async fn run_http<S: HttpService>(service: S) -> Result<(), RuntimeError> {
    match Mode::detect() {
        Mode::Lambda => serve_lambda(service).await,
        Mode::Local => serve_local(service).await,
    }
}

#[cfg(feature = "lambda")]
async fn serve_lambda<S: HttpService>(service: S) -> Result<(), RuntimeError> {
    crate::http::lambda::serve(service).await
}

#[cfg(not(feature = "lambda"))]
async fn serve_lambda<S: HttpService>(_service: S) -> Result<(), RuntimeError> {
    Err(RuntimeError::MissingFeature("lambda"))
}

#[cfg(feature = "local")]
async fn serve_local<S: HttpService>(service: S) -> Result<(), RuntimeError> {
    crate::http::local::serve_until_signal(service).await
}

#[cfg(not(feature = "local"))]
async fn serve_local<S: HttpService>(_service: S) -> Result<(), RuntimeError> {
    Err(RuntimeError::MissingFeature("local"))
}

/// Runs an event handler: under the Lambda runtime when in Lambda, otherwise behind a local
/// invoke endpoint (see [`crate::events`]).
///
/// # Errors
///
/// As [`run_http`].
pub async fn run_events<H: EventHandler>(handler: H) -> Result<(), RuntimeError> {
    match Mode::detect() {
        Mode::Lambda => crate::events::serve_lambda(handler).await,
        Mode::Local => crate::events::serve_local(handler).await,
    }
}

/// Checks the variables the Lambda runtime needs, so a missing one is an error, not a panic.
#[cfg(feature = "lambda")]
pub(crate) fn check_lambda_environment() -> Result<(), RuntimeError> {
    let mut env = EnvReader::from_process();
    let _: String = env.required(LAMBDA_RUNTIME_API);
    let _: String = env.required("AWS_LAMBDA_FUNCTION_NAME");
    let _: String = env.required("AWS_LAMBDA_FUNCTION_VERSION");
    let _: i32 = env.required("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
    env.finish().map_err(RuntimeError::from)
}
