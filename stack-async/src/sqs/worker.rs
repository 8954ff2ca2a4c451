//! The typed SQS worker.

use std::collections::HashSet;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use serde::de::DeserializeOwned;
use serde_json::Value;
use stack_core::events::{EventHandler, Invocation};
use stack_dynamo::idempotency::{Begin, Idempotency};

use super::Message;
use crate::Error;

/// Handles one decoded message.
///
/// # Examples
///
/// ```
/// use stack_async::Error;
/// use stack_async::sqs::{Message, MessageHandler};
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Welcome { user: String }
///
/// struct SendWelcome;
///
/// #[async_trait::async_trait]
/// impl MessageHandler for SendWelcome {
///     type Body = Welcome;
///
///     async fn handle(&self, message: &Message<Welcome>) -> Result<(), Error> {
///         tracing::info!(user = %message.body.user, "welcome sent");
///         Ok(())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait MessageHandler: Send + Sync + 'static {
    /// The body type, decoded from the message's JSON body.
    type Body: DeserializeOwned + Send + Sync;

    /// Handles one message; an error reports it failed (SQS redelivers it).
    ///
    /// # Errors
    ///
    /// Whatever failed; the worker logs it once and reports the message.
    async fn handle(&self, message: &Message<Self::Body>) -> Result<(), Error>;

    /// The idempotency key and the payload it must always come with. The default is the
    /// message id and raw body; override it when the same logical message can arrive under
    /// several message ids (events republished after a partial failure).
    fn idempotency(&self, message: &Message<Self::Body>) -> (String, Value) {
        (message.id.clone(), Value::String(message.raw_body.clone()))
    }
}

/// Runs a [`MessageHandler`] over SQS batches, answering with partial batch failures.
///
/// It is an [`EventHandler`], so `stack_core::run_events(worker)` serves it in Lambda and
/// locally; the local queue calls [`SqsWorker::process`] directly.
#[derive(Debug)]
pub struct SqsWorker<H> {
    handler: H,
    idempotency: Option<Idempotency>,
}

impl<H: MessageHandler> SqsWorker<H> {
    /// A worker running `handler` for every message, without idempotency records.
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            idempotency: None,
        }
    }

    /// The same worker running each side effect once per idempotency key.
    pub fn idempotent(mut self, records: Idempotency) -> Self {
        self.idempotency = Some(records);
        self
    }

    /// The handler.
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// Handles a batch and lists the failed messages, only ids that were in the batch.
    ///
    /// # Errors
    ///
    /// A validation error when a message that failed has no id to report (then Lambda
    /// retries the whole batch, the only safe answer).
    pub async fn process(&self, event: &SqsEvent) -> Result<SqsBatchResponse, Error> {
        let mut response = SqsBatchResponse::default();
        let mut failed_groups = HashSet::new();
        for raw in &event.records {
            let group = raw.attributes.get("MessageGroupId");
            let blocked = group.is_some_and(|group| failed_groups.contains(group));
            let outcome = if blocked {
                Err(Error::handler_message(
                    "an earlier message of its FIFO group failed",
                ))
            } else {
                self.process_one(raw).await
            };
            if let Err(error) = outcome {
                if !blocked {
                    tracing::warn!(error = %stack_core::error::chain(&error), message_id = ?raw.message_id, "message failed");
                }
                failed_groups.extend(group.cloned());
                response.batch_item_failures.push(failure_of(raw)?);
            }
        }
        Ok(response)
    }

    async fn process_one(&self, raw: &SqsMessage) -> Result<(), Error> {
        let id = raw.message_id.clone().unwrap_or_default();
        let body = raw.body.as_deref().unwrap_or_default();
        let body = serde_json::from_str::<H::Body>(body).map_err(|error| {
            Error::validation(format!("the message body does not decode: {error}"))
        })?;
        let message = Message::from_raw(raw, id, body);
        match &self.idempotency {
            Some(records) => self.once(records, &message).await,
            None => self.handler.handle(&message).await,
        }
    }

    async fn once(&self, records: &Idempotency, message: &Message<H::Body>) -> Result<(), Error> {
        let (key, payload) = self.handler.idempotency(message);
        match records.begin(&key, &payload).await? {
            Begin::Started => {}
            Begin::Completed(_) => {
                tracing::debug!(key, "already handled; skipping the side effect");
                return Ok(());
            }
            other => {
                return Err(Error::handler_message(format!(
                    "unexpected idempotency state {other:?}"
                )));
            }
        }
        match self.handler.handle(message).await {
            Ok(()) => Ok(records.complete(&key, &true).await?),
            Err(error) => {
                if let Err(release) = records.release(&key).await {
                    tracing::warn!(%release, key, "could not release the idempotency key");
                }
                Err(error)
            }
        }
    }
}

fn failure_of(raw: &SqsMessage) -> Result<BatchItemFailure, Error> {
    let id = raw
        .message_id
        .clone()
        .ok_or_else(|| Error::validation("a failed message has no id"))?;
    let mut failure = BatchItemFailure::default();
    failure.item_identifier = id;
    Ok(failure)
}

impl<H: MessageHandler> EventHandler for SqsWorker<H> {
    type Event = SqsEvent;
    type Output = SqsBatchResponse;
    type Error = Error;

    async fn handle(&self, event: SqsEvent, _: Invocation) -> Result<SqsBatchResponse, Error> {
        self.process(&event).await
    }
}
