//! Messages, as received and as sent.

use std::time::Duration;

use aws_lambda_events::sqs::SqsMessage;

/// The message attribute that carries the X-Ray trace header between services (SQS also
/// sets the `AWSTraceHeader` system attribute when the sender was traced; both are read).
pub const TRACE_ATTRIBUTE: &str = "x-amzn-trace-id";

/// A received message with its body decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Message<T> {
    /// The SQS message id.
    pub id: String,
    /// The decoded body.
    pub body: T,
    /// The raw body, as sent.
    pub raw_body: String,
    /// The FIFO message group, if any.
    pub group_id: Option<String>,
    /// How many times SQS has delivered the message, this time included.
    pub receive_count: u32,
    /// The trace header the sender attached.
    pub trace_header: Option<String>,
}

impl<T> Message<T> {
    /// The message with `body`, the rest from `raw`.
    pub(crate) fn from_raw(raw: &SqsMessage, id: String, body: T) -> Self {
        let attribute = |name: &str| raw.attributes.get(name).cloned();
        let trace = raw.message_attributes.get(TRACE_ATTRIBUTE);
        Self {
            id,
            body,
            raw_body: raw.body.clone().unwrap_or_default(),
            group_id: attribute("MessageGroupId"),
            receive_count: attribute("ApproximateReceiveCount")
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
            trace_header: trace
                .and_then(|value| value.string_value.clone())
                .or_else(|| attribute("AWSTraceHeader")),
        }
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct OutgoingMessage {
    /// The body (JSON for typed workers).
    pub body: String,
    /// The FIFO message group (required on FIFO queues).
    pub group_id: Option<String>,
    /// The FIFO deduplication id (else the queue must deduplicate by content).
    pub deduplication_id: Option<String>,
    /// Delivery delay (standard queues only).
    pub delay: Option<Duration>,
    /// The X-Ray trace header to carry, as the [`TRACE_ATTRIBUTE`] message attribute.
    pub trace_header: Option<String>,
}

impl OutgoingMessage {
    /// A message with `body`.
    pub fn new(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            ..Self::default()
        }
    }

    /// A message whose body is `value` as JSON.
    ///
    /// # Errors
    ///
    /// A validation error when `value` cannot be serialised.
    pub fn json(value: &impl serde::Serialize) -> Result<Self, crate::Error> {
        let body = serde_json::to_string(value).map_err(|error| {
            crate::Error::validation(format!("unserialisable message: {error}"))
        })?;
        Ok(Self::new(body))
    }

    /// The same message in FIFO group `group`, deduplicated by `deduplication_id`.
    pub fn in_group(
        mut self,
        group: impl Into<String>,
        deduplication_id: impl Into<String>,
    ) -> Self {
        self.group_id = Some(group.into());
        self.deduplication_id = Some(deduplication_id.into());
        self
    }

    /// The same message carrying `trace_header`.
    pub fn with_trace_header(mut self, trace_header: Option<String>) -> Self {
        self.trace_header = trace_header;
        self
    }

    /// The size SQS counts against its 256 KB limit: body plus attribute names and values.
    pub fn size(&self) -> usize {
        let trace = self.trace_header.as_ref().map_or(0, |header| {
            TRACE_ATTRIBUTE.len() + "String".len() + header.len()
        });
        self.body.len() + trace
    }
}
