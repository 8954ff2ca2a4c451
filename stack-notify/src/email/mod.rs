//! Email: messages, the [`Mailer`] trait, our templates, SES v2 and the local mailbox.

#[cfg(feature = "local")]
mod mailbox;
#[cfg(feature = "email")]
mod ses;
#[cfg(feature = "email")]
mod template;

#[cfg(feature = "local")]
#[cfg_attr(docsrs, doc(cfg(feature = "local")))]
pub use mailbox::{LocalMailbox, MAILBOX_PATH, MailboxEntry, mailbox_endpoint};
#[cfg(feature = "email")]
#[cfg_attr(docsrs, doc(cfg(feature = "email")))]
pub use ses::SesMailer;
#[cfg(feature = "email")]
#[cfg_attr(docsrs, doc(cfg(feature = "email")))]
pub use template::{Rendered, Templates};

use crate::Error;

/// An email with a text and an HTML part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Email {
    /// The sender address.
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

impl Email {
    /// An email from `from` to `to`.
    pub fn new(from: impl Into<String>, to: impl Into<String>, subject: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            to: vec![to.into()],
            subject: subject.into(),
            text: String::new(),
            html: String::new(),
        }
    }

    /// The same email with `text` and `html` parts.
    pub fn with_body(mut self, text: impl Into<String>, html: impl Into<String>) -> Self {
        self.text = text.into();
        self.html = html.into();
        self
    }

    /// Checks the addresses are plausible: one `@`, no spaces or line breaks (which would
    /// let a value inject headers).
    ///
    /// # Errors
    ///
    /// A validation error naming the bad address.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |address: &str| {
            address.matches('@').count() != 1
                || address.chars().any(|c| c.is_whitespace() || c.is_control())
        };
        match std::iter::once(&self.from)
            .chain(&self.to)
            .find(|address| bad(address))
        {
            Some(address) => Err(Error::validation(format!(
                "invalid email address {address:?}"
            ))),
            None if self.to.is_empty() => Err(Error::validation("an email needs a recipient")),
            None if self.subject.contains(['\r', '\n']) => {
                Err(Error::validation("the subject has a line break"))
            }
            None => Ok(()),
        }
    }
}

/// Sends email: SES v2 in AWS, the local mailbox in one process.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug + 'static {
    /// Sends `email`; returns the provider's message id.
    ///
    /// # Errors
    ///
    /// A validation error for bad addresses, [`Error::is_suppressed`] when every recipient
    /// is suppressed, a retryable error when the provider throttled.
    async fn send(&self, email: &Email) -> Result<String, Error>;
}

#[async_trait::async_trait]
impl<M: Mailer + ?Sized> Mailer for std::sync::Arc<M> {
    async fn send(&self, email: &Email) -> Result<String, Error> {
        (**self).send(email).await
    }
}
