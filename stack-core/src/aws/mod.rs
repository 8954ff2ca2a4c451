//! The shared AWS SDK configuration, loaded once per cold start.
//!
//! [`load_config`] follows the standard environment: `AWS_REGION`, the credential variables,
//! `AWS_ENDPOINT_URL` (and per-service `AWS_ENDPOINT_URL_<SERVICE>`), profiles. Every client in
//! the process is built from the one configuration it returns.
//!
//! Local mode must not call it: without credentials and a region in the environment, the SDK's
//! default chain would probe the instance metadata address.

use tokio::sync::OnceCell;

pub use aws_config::SdkConfig;

static CONFIG: OnceCell<SdkConfig> = OnceCell::const_new();

/// The process's AWS configuration, loaded on the first call and shared afterwards.
pub async fn load_config() -> &'static SdkConfig {
    CONFIG
        .get_or_init(|| aws_config::defaults(aws_config::BehaviorVersion::latest()).load())
        .await
}
