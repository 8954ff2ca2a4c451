//! [`Bus`] on Amazon EventBridge.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, PutEventsResultEntry};
use tracing::Instrument;

use super::Bus;
use crate::Error;
use crate::event::{DomainEvent, EntryOutcome};

/// Puts events on an EventBridge bus with `PutEvents`.
///
/// # Examples
///
/// ```no_run
/// # async fn run() {
/// use stack_async::bus::EventBridgeBus;
///
/// let client = aws_sdk_eventbridge::Client::new(stack_core::aws::load_config().await);
/// let bus = EventBridgeBus::new(client, "app-events");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    /// Events go to the bus named `bus_name` (or its ARN) through `client`.
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }

    fn entry(&self, event: &DomainEvent) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(&event.source)
            .detail_type(&event.detail_type)
            .detail(event.detail.to_string())
            .set_resources((!event.resources.is_empty()).then(|| event.resources.clone()))
            .set_trace_header(event.trace_header.clone())
            .build()
    }
}

#[async_trait::async_trait]
impl Bus for EventBridgeBus {
    async fn put_events(&self, events: &[DomainEvent]) -> Result<Vec<EntryOutcome>, Error> {
        let span = tracing::info_span!(
            "PutEvents",
            rpc.service = "EventBridge",
            messaging.batch.message_count = events.len(),
            failed = tracing::field::Empty
        );
        let entries = events.iter().map(|event| self.entry(event)).collect();
        let call = self.client.put_events().set_entries(Some(entries)).send();
        let output = call.instrument(span.clone()).await.map_err(call_error)?;
        span.record("failed", output.failed_entry_count());
        let outcomes: Vec<_> = output.entries().iter().map(outcome).collect();
        if outcomes.len() != events.len() {
            let message = format!(
                "PutEvents answered {} entries for {}",
                outcomes.len(),
                events.len()
            );
            return Err(Error::internal(message, "unexpected response"));
        }
        Ok(outcomes)
    }
}

fn outcome(entry: &PutEventsResultEntry) -> EntryOutcome {
    match (entry.event_id(), entry.error_code()) {
        (Some(id), None) => EntryOutcome::Accepted(id.to_owned()),
        (_, code) => EntryOutcome::failed(
            code.unwrap_or("Unknown"),
            entry.error_message().unwrap_or_default(),
        ),
    }
}

fn call_error<E, R>(error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = error.code().unwrap_or_default().to_owned();
    let retryable = matches!(
        error,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_)
    ) || code.contains("Throttl")
        || code == "InternalException"
        || code == "ServiceUnavailable";
    let message = format!("PutEvents failed ({code})");
    if retryable {
        Error::retryable(message, error)
    } else {
        Error::internal(message, error)
    }
}
