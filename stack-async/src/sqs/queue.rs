//! [`Queue`] on Amazon SQS.

use std::collections::HashMap;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use tracing::Instrument;

use super::{OutgoingMessage, Queue, SendOutcome, TRACE_ATTRIBUTE};
use crate::Error;

/// Sends to an SQS queue with `SendMessageBatch`.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> Result<(), stack_async::Error> {
/// use stack_async::sqs::{OutgoingMessage, Producer, SqsQueue};
///
/// let client = aws_sdk_sqs::Client::new(stack_core::aws::load_config().await);
/// let producer = Producer::new(SqsQueue::new(client, "https://sqs.us-east-1.amazonaws.com/1/jobs"));
/// producer.send(&[OutgoingMessage::new(r#"{"job":1}"#)]).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    url: String,
}

impl SqsQueue {
    /// Messages go to the queue at `url` through `client`.
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    /// The queue URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

fn entry(index: usize, message: &OutgoingMessage) -> Result<SendMessageBatchRequestEntry, Error> {
    let trace = message.trace_header.as_ref().map(|header| {
        let value = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(header)
            .build();
        value.map(|value| HashMap::from([(TRACE_ATTRIBUTE.to_owned(), value)]))
    });
    let delay = message
        .delay
        .map(|delay| i32::try_from(delay.as_secs()).unwrap_or(900));
    SendMessageBatchRequestEntry::builder()
        .id(index.to_string())
        .message_body(&message.body)
        .set_message_group_id(message.group_id.clone())
        .set_message_deduplication_id(message.deduplication_id.clone())
        .set_delay_seconds(delay)
        .set_message_attributes(
            trace
                .transpose()
                .map_err(|e| Error::internal("bad attribute", e))?,
        )
        .build()
        .map_err(|error| Error::internal("could not build a batch entry", error))
}

#[async_trait::async_trait]
impl Queue for SqsQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<SendOutcome>, Error> {
        let span = tracing::info_span!(
            "SendMessageBatch",
            rpc.service = "SQS",
            messaging.batch.message_count = messages.len()
        );
        let entries = messages
            .iter()
            .enumerate()
            .map(|(i, m)| entry(i, m))
            .collect::<Result<Vec<_>, _>>()?;
        let call = self
            .client
            .send_message_batch()
            .queue_url(&self.url)
            .set_entries(Some(entries));
        let output = call.send().instrument(span).await.map_err(call_error)?;

        let mut outcomes = vec![None; messages.len()];
        for sent in output.successful() {
            if let Ok(index) = sent.id().parse::<usize>()
                && index < outcomes.len()
            {
                outcomes[index] = Some(SendOutcome::Sent(sent.message_id().to_owned()));
            }
        }
        for failed in output.failed() {
            if let Ok(index) = failed.id().parse::<usize>()
                && index < outcomes.len()
            {
                let (code, sender_fault) = (failed.code().to_owned(), failed.sender_fault());
                outcomes[index] = Some(SendOutcome::Failed { code, sender_fault });
            }
        }
        let missing = || SendOutcome::Failed {
            code: "Missing".into(),
            sender_fault: false,
        };
        Ok(outcomes
            .into_iter()
            .map(|outcome| outcome.unwrap_or_else(missing))
            .collect())
    }
}

fn call_error<E, R>(error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = error.code().unwrap_or_default().to_owned();
    let transient = matches!(
        error,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)
    );
    let message = format!("SendMessageBatch failed ({code})");
    if transient || code.contains("Throttl") || code.contains("RequestThrottled") {
        Error::retryable(message, error)
    } else {
        Error::internal(message, error)
    }
}
