//! Notifications: email through SES v2 with our own templates, mobile push through SNS, and
//! a local mailbox and push log for running everything in one process.
//!
//! - [`email`]: an [`email::Email`] with text and HTML parts, rendered from
//!   [`email::Templates`] (minijinja, HTML-escaped, strict about missing variables), sent by a
//!   [`email::Mailer`]: [`email::SesMailer`] (configuration set, suppression-list check) or
//!   [`email::LocalMailbox`] (`.eml` files under `STACK_DATA_DIR`, listed at
//!   `GET /dev/mailbox` by [`email::mailbox_endpoint`]).
//! - [`push`]: devices with token rotation and inactive marking ([`push::Pusher`]) over a
//!   [`push::PushService`]: [`push::SnsPush`] (platform endpoints for APNs and FCM) or
//!   [`push::LocalPushLog`].
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), stack_notify::Error> {
//! use stack_notify::email::{Email, LocalMailbox, Mailer, Templates};
//!
//! let mut templates = Templates::new();
//! templates.add("reminder", "Todo: {{ title }}", "Remember: {{ title }}", "<p>Remember: {{ title }}</p>")?;
//! let body = templates.render("reminder", &serde_json::json!({ "title": "milk & eggs" }))?;
//!
//! let dir = std::env::temp_dir().join(format!("notify-doc-{}", std::process::id()));
//! let mailer = LocalMailbox::open(&dir)?;
//! let email = Email::new("app@example.test", "ann@example.test", body.subject).with_body(body.text, body.html);
//! mailer.send(&email).await?;
//! assert_eq!(mailer.list()?.len(), 1);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `email` | yes | [`email::SesMailer`] (`aws-sdk-sesv2`) and [`email::Templates`] (`minijinja`) |
//! | `push` | yes | [`push::SnsPush`] (`aws-sdk-sns`) |
//! | `local` | yes | [`email::LocalMailbox`], [`email::mailbox_endpoint`], [`push::LocalPushLog`] |
//!
//! MSRV: Rust 1.89.
//!
//! # ROADMAP
//!
//! - The suppression check is one `GetSuppressedDestination` call per recipient; a cache
//!   would save calls for repeat recipients, but would also hide a new suppression.
//!   Emulators without the call (moto) need [`email::SesMailer::without_suppression_check`].
//! - No attachments, no SES-stored templates, no list-unsubscribe headers yet: the example
//!   sends none of them.
//! - Devices are stored by the caller; the crate has no device repository yet.

#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "email", feature = "local"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "email", feature = "local"))))]
pub mod email;
mod error;
#[cfg(any(feature = "push", feature = "local"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "push", feature = "local"))))]
pub mod push;

pub use error::{Error, Kind};
