//! [`PushService`] on Amazon SNS mobile push.

use aws_sdk_sns::Client;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};

use super::{Device, Platform, PushMessage, PushOutcome, PushService};
use crate::Error;

/// SNS platform endpoints under one platform application per platform.
///
/// # Examples
///
/// ```no_run
/// # async fn run() {
/// use stack_notify::push::{Platform, SnsPush};
///
/// let client = aws_sdk_sns::Client::new(stack_core::aws::load_config().await);
/// let push = SnsPush::new(client)
///     .with_application(Platform::Fcm, "arn:aws:sns:us-east-1:1:app/GCM/app");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SnsPush {
    client: Client,
    applications: Vec<(Platform, String)>,
}

impl SnsPush {
    /// Pushes through `client`; add a platform application per platform.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            applications: Vec::new(),
        }
    }

    /// Registers devices of `platform` under the platform application `arn`.
    pub fn with_application(mut self, platform: Platform, arn: impl Into<String>) -> Self {
        self.applications.push((platform, arn.into()));
        self
    }

    fn application(&self, platform: Platform) -> Result<&str, Error> {
        let found = self
            .applications
            .iter()
            .find(|(known, _)| *known == platform);
        found
            .map(|(_, arn)| arn.as_str())
            .ok_or_else(|| Error::validation(format!("no platform application for {platform:?}")))
    }

    async fn create(&self, device: &Device) -> Result<String, Error> {
        let output = self
            .client
            .create_platform_endpoint()
            .platform_application_arn(self.application(device.platform)?)
            .token(&device.token)
            .send()
            .await
            .map_err(|error| call_error("CreatePlatformEndpoint", error))?;
        output
            .endpoint_arn()
            .map(str::to_owned)
            .ok_or_else(|| Error::validation("CreatePlatformEndpoint returned no endpoint"))
    }

    /// Brings an existing endpoint to the device's token, enabled; `false` when it is gone.
    async fn refresh(&self, endpoint: &str, device: &Device) -> Result<bool, Error> {
        let current = self
            .client
            .get_endpoint_attributes()
            .endpoint_arn(endpoint)
            .send()
            .await;
        let attributes = match current {
            Ok(output) => output.attributes.unwrap_or_default(),
            Err(error) if error.code() == Some("NotFound") => return Ok(false),
            Err(error) => return Err(call_error("GetEndpointAttributes", error)),
        };
        let up_to_date = attributes.get("Token") == Some(&device.token)
            && attributes
                .get("Enabled")
                .is_some_and(|enabled| enabled == "true");
        if !up_to_date {
            self.client
                .set_endpoint_attributes()
                .endpoint_arn(endpoint)
                .attributes("Token", &device.token)
                .attributes("Enabled", "true")
                .send()
                .await
                .map_err(|error| call_error("SetEndpointAttributes", error))?;
        }
        Ok(true)
    }
}

#[async_trait::async_trait]
impl PushService for SnsPush {
    async fn register(&self, device: &Device) -> Result<String, Error> {
        if let Some(endpoint) = &device.endpoint
            && self.refresh(endpoint, device).await?
        {
            return Ok(endpoint.clone());
        }
        self.create(device).await
    }

    async fn send(
        &self,
        endpoint: &str,
        platform: Platform,
        message: &PushMessage,
    ) -> Result<PushOutcome, Error> {
        let payload = platform_payload(platform, message);
        let sent = self
            .client
            .publish()
            .target_arn(endpoint)
            .message_structure("json")
            .message(payload.to_string())
            .send()
            .await;
        match sent {
            Ok(output) => Ok(PushOutcome::Sent(
                output.message_id().unwrap_or_default().to_owned(),
            )),
            Err(error) if error.code() == Some("EndpointDisabled") => {
                Ok(PushOutcome::EndpointDisabled)
            }
            Err(error) => Err(call_error("Publish", error)),
        }
    }
}

/// The SNS JSON message: a default, and the platform's own payload as a string.
fn platform_payload(platform: Platform, message: &PushMessage) -> serde_json::Value {
    let native = match platform {
        Platform::Fcm => {
            serde_json::json!({ "notification": { "title": message.title, "body": message.body } })
        }
        _ => {
            serde_json::json!({ "aps": { "alert": { "title": message.title, "body": message.body } } })
        }
    };
    serde_json::json!({ "default": message.body, platform.sns_key(): native.to_string() })
}

fn call_error<E, R>(operation: &str, error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = error.code().unwrap_or_default().to_owned();
    let message = format!("{operation} failed ({code})");
    let transient = matches!(
        error,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)
    );
    if transient || code == "Throttling" || code == "InternalError" {
        Error::retryable(message, error)
    } else if code == "InvalidParameter" {
        Error::validation(format!(
            "{message}: {}",
            error.message().unwrap_or_default()
        ))
    } else {
        Error::internal(message, error)
    }
}
