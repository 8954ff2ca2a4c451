//! [`Mailer`] on Amazon SES v2.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use tracing::Instrument;

use super::{Email, Mailer};
use crate::Error;
use crate::error::Kind;

/// Sends email with SES v2 `SendEmail`, as our rendered text and HTML (not SES templates),
/// through a configuration set, after checking each recipient against the account-level
/// suppression list.
///
/// # Examples
///
/// ```no_run
/// # async fn run() {
/// use stack_notify::email::SesMailer;
///
/// let client = aws_sdk_sesv2::Client::new(stack_core::aws::load_config().await);
/// let mailer = SesMailer::new(client).with_configuration_set("app-mail");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    configuration_set: Option<String>,
    check_suppression: bool,
}

impl SesMailer {
    /// Sends through `client`, checking the suppression list, without a configuration set.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            configuration_set: None,
            check_suppression: true,
        }
    }

    /// Sends through the configuration set `name` (event publishing, dedicated IPs).
    pub fn with_configuration_set(mut self, name: impl Into<String>) -> Self {
        self.configuration_set = Some(name.into());
        self
    }

    /// Skips the suppression-list lookup (one `GetSuppressedDestination` per recipient);
    /// for accounts without account-level suppression, and for emulators that lack it.
    pub fn without_suppression_check(mut self) -> Self {
        self.check_suppression = false;
        self
    }

    /// The recipients not on the suppression list.
    async fn deliverable(&self, recipients: &[String]) -> Result<Vec<String>, Error> {
        if !self.check_suppression {
            return Ok(recipients.to_vec());
        }
        let mut deliverable = Vec::with_capacity(recipients.len());
        for address in recipients {
            let lookup = self
                .client
                .get_suppressed_destination()
                .email_address(address)
                .send()
                .await;
            match lookup {
                Ok(_) => tracing::warn!("a recipient is on the suppression list; skipping it"),
                Err(error) if error.code() == Some("NotFoundException") => {
                    deliverable.push(address.clone());
                }
                Err(error) => return Err(call_error("GetSuppressedDestination", error)),
            }
        }
        Ok(deliverable)
    }
}

#[async_trait::async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &Email) -> Result<String, Error> {
        email.validate()?;
        let to = self.deliverable(&email.to).await?;
        if to.is_empty() {
            return Err(Error::new(
                Kind::Suppressed,
                "every recipient is suppressed",
                None,
            ));
        }
        let content = |text: &str| Content::builder().data(text).charset("UTF-8").build();
        let part =
            |text: &str| content(text).map_err(|error| Error::internal("bad content", error));
        let body = Body::builder()
            .text(part(&email.text)?)
            .html(part(&email.html)?)
            .build();
        let message = Message::builder()
            .subject(part(&email.subject)?)
            .body(body)
            .build();
        let span = tracing::info_span!("SendEmail", rpc.service = "SESv2", recipients = to.len());
        let output = self
            .client
            .send_email()
            .from_email_address(&email.from)
            .destination(Destination::builder().set_to_addresses(Some(to)).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .instrument(span)
            .await
            .map_err(|error| call_error("SendEmail", error))?;
        Ok(output.message_id().unwrap_or_default().to_owned())
    }
}

fn call_error<E, R>(operation: &str, error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = error.code().unwrap_or_default().to_owned();
    let message = format!("{operation} failed ({code})");
    match code.as_str() {
        "TooManyRequestsException" | "LimitExceededException" => Error::retryable(message, error),
        "BadRequestException" | "MessageRejected" | "MailFromDomainNotVerifiedException" => {
            Error::new(Kind::Validation, message, Some(Box::new(error)))
        }
        _ if matches!(
            error,
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)
        ) =>
        {
            Error::retryable(message, error)
        }
        _ => Error::internal(message, error),
    }
}
