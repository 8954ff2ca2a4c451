//! The runtime spine of The Stack: one service, two modes.
//!
//! A service built on `stack-core` runs as an AWS Lambda function when `AWS_LAMBDA_RUNTIME_API`
//! is set, and as a local HTTP server on `127.0.0.1:$PORT` otherwise. Both modes hand the
//! service the same [`http::Request`] with the same [`http::EdgeContext`], so the code under
//! test locally is the code that runs in Lambda.
//!
//! ```no_run
//! use stack_core::http::{Request, Response, response};
//!
//! async fn hello(_request: Request) -> Response {
//!     response(::http::StatusCode::OK, "text/plain", "hello")
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), stack_core::RuntimeError> {
//!     stack_core::telemetry::init();
//!     stack_core::run_http(hello).await
//! }
//! ```
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `lambda` | on | the Lambda runtime and the adaptation of API Gateway (REST and HTTP), function URL and ALB events |
//! | `local` | on | the local HTTP server |
//! | `aws` | on | [`aws::load_config`], the shared AWS SDK configuration |
//! | `testing` | off | test helpers: a small HTTP client and a fake Lambda runtime API |
//!
//! The minimum supported Rust version is 1.89.
//!
//! # Roadmap
//!
//! - **X-Ray segments and CloudWatch EMF metrics** (the `xray` and `metrics` features of the
//!   design). Today the X-Ray trace header of each invocation is logged and handed to services in
//!   [`http::EdgeContext`], so traces can be joined to logs, but no subsegments are emitted and no
//!   metrics are written; both need an exporter that Lambda's telemetry API accepts without
//!   slowing cold starts, which is still to be chosen.
//! - **Response streaming** from Lambda: responses are buffered, which caps them at Lambda's
//!   6 MB.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
#[cfg(feature = "aws")]
pub mod aws;
pub mod clock;
pub mod config;
pub mod error;
pub mod events;
pub mod http;
mod runtime;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::{EdgeError, ErrorKind};
pub use runtime::{LAMBDA_RUNTIME_API, Mode, RuntimeError, run_events, run_http};
