//! Mobile push: devices, the [`PushService`] trait, SNS platform endpoints and the local log.
//!
//! A [`Device`] is an app install: its platform, its current token, its endpoint and
//! whether it is active. [`Pusher`] keeps those facts right:
//!
//! - [`Pusher::register`] creates the platform endpoint, or on token rotation updates the
//!   existing endpoint to the new token and enables it again;
//! - [`Pusher::push`] sends to every active device and marks a device inactive when its
//!   endpoint is disabled (the platform said the token is dead); a later registration with a
//!   new token re-enables it.
//!
//! The caller stores the devices (in the table, usually) after each call.

#[cfg(feature = "local")]
mod log;
#[cfg(feature = "push")]
mod sns;

#[cfg(feature = "local")]
#[cfg_attr(docsrs, doc(cfg(feature = "local")))]
pub use log::LocalPushLog;
#[cfg(feature = "push")]
#[cfg_attr(docsrs, doc(cfg(feature = "push")))]
pub use sns::SnsPush;

use serde::{Deserialize, Serialize};

use crate::Error;

/// A push platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Platform {
    /// Apple Push Notification service.
    Apns,
    /// APNs sandbox (development builds).
    ApnsSandbox,
    /// Firebase Cloud Messaging.
    Fcm,
}

impl Platform {
    /// The key of this platform in an SNS JSON message.
    pub fn sns_key(self) -> &'static str {
        match self {
            Self::Apns => "APNS",
            Self::ApnsSandbox => "APNS_SANDBOX",
            Self::Fcm => "GCM",
        }
    }
}

/// One app install that can receive pushes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Device {
    /// The platform.
    pub platform: Platform,
    /// The current device token.
    pub token: String,
    /// The endpoint (an SNS endpoint ARN), once registered.
    pub endpoint: Option<String>,
    /// Whether pushes go to it; false after its endpoint was disabled.
    pub active: bool,
}

impl Device {
    /// A new, unregistered, active device.
    pub fn new(platform: Platform, token: impl Into<String>) -> Self {
        Self {
            platform,
            token: token.into(),
            endpoint: None,
            active: true,
        }
    }
}

/// A push notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PushMessage {
    /// The title.
    pub title: String,
    /// The body text.
    pub body: String,
}

impl PushMessage {
    /// A notification with `title` and `body`.
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            body: body.into(),
        }
    }
}

/// What sending to one endpoint did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PushOutcome {
    /// Accepted, with the provider's message id.
    Sent(String),
    /// The endpoint is disabled: the token is no longer valid.
    EndpointDisabled,
}

/// Platform endpoints and sending: SNS in AWS, a local log in one process.
#[async_trait::async_trait]
pub trait PushService: Send + Sync + std::fmt::Debug + 'static {
    /// Creates an endpoint for `device`, or brings its existing endpoint up to date (token,
    /// enabled); returns the endpoint.
    ///
    /// # Errors
    ///
    /// When the provider refuses or fails.
    async fn register(&self, device: &Device) -> Result<String, Error>;

    /// Sends `message` to the endpoint for `platform`.
    ///
    /// # Errors
    ///
    /// When the provider fails (a disabled endpoint is an outcome, not an error).
    async fn send(
        &self,
        endpoint: &str,
        platform: Platform,
        message: &PushMessage,
    ) -> Result<PushOutcome, Error>;
}

#[async_trait::async_trait]
impl<P: PushService + ?Sized> PushService for std::sync::Arc<P> {
    async fn register(&self, device: &Device) -> Result<String, Error> {
        (**self).register(device).await
    }

    async fn send(
        &self,
        endpoint: &str,
        platform: Platform,
        message: &PushMessage,
    ) -> Result<PushOutcome, Error> {
        (**self).send(endpoint, platform, message).await
    }
}

/// Keeps devices registered and sends to the active ones.
#[derive(Debug)]
pub struct Pusher<P> {
    service: P,
}

impl<P: PushService> Pusher<P> {
    /// Pushes through `service`.
    pub fn new(service: P) -> Self {
        Self { service }
    }

    /// Registers `device` with its current token (first time or after rotation) and marks
    /// it active.
    ///
    /// # Errors
    ///
    /// When the provider fails.
    pub async fn register(&self, device: &mut Device) -> Result<(), Error> {
        device.endpoint = Some(self.service.register(device).await?);
        device.active = true;
        Ok(())
    }

    /// Registers `device` under a new token: the endpoint is updated and enabled again.
    ///
    /// # Errors
    ///
    /// When the provider fails.
    pub async fn rotate(&self, device: &mut Device, token: impl Into<String>) -> Result<(), Error> {
        device.token = token.into();
        self.register(device).await
    }

    /// Sends `message` to every active, registered device; devices whose endpoint is
    /// disabled are marked inactive. Returns how many pushes were sent.
    ///
    /// # Errors
    ///
    /// The first provider failure (devices before it were sent to).
    pub async fn push(
        &self,
        devices: &mut [Device],
        message: &PushMessage,
    ) -> Result<usize, Error> {
        let mut sent = 0;
        for device in devices.iter_mut().filter(|device| device.active) {
            let Some(endpoint) = device.endpoint.clone() else {
                continue;
            };
            match self
                .service
                .send(&endpoint, device.platform, message)
                .await?
            {
                PushOutcome::Sent(_) => sent += 1,
                PushOutcome::EndpointDisabled => {
                    tracing::info!("a device's endpoint is disabled; marking it inactive");
                    device.active = false;
                }
            }
        }
        Ok(sent)
    }
}
