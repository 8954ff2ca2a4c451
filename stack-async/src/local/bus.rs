//! The in-process event bus: EventBridge rules matched locally.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde_json::{Value, json};
use stack_core::clock::{SharedClock, SystemClock};

use super::{LocalQueue, Pattern};
use crate::Error;
use crate::bus::Bus;
use crate::consumer::Consumers;
use crate::event::{DomainEvent, EntryOutcome};
use crate::sqs::OutgoingMessage;

/// Where a rule delivers matching events.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Target {
    /// Enqueue the event JSON on a local queue (as an SQS rule target does).
    Queue(LocalQueue),
    /// Invoke consumers directly (as a Lambda rule target does, asynchronously), retried a
    /// few times with a short pause.
    Consumers(Arc<Consumers>),
}

/// A local EventBridge bus: rules with event patterns and targets.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_async::Error> {
/// use serde_json::json;
/// use stack_async::bus::Bus;
/// use stack_async::event::DomainEvent;
/// use stack_async::local::{LocalBus, LocalQueue, Pattern, Target};
///
/// let bus = LocalBus::new();
/// let queue = LocalQueue::new("analytics");
/// bus.add_rule("todos", Pattern::new(json!({"source": [{"prefix": "app."}]}))?, Target::Queue(queue.clone()));
///
/// bus.put_events(&[DomainEvent::new("app.todo", "TodoCreated", json!({}))]).await?;
/// assert_eq!(queue.len(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct LocalBus {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    rules: RwLock<Vec<Rule>>,
    clock: SharedClock,
}

#[derive(Debug)]
struct Rule {
    name: String,
    pattern: Pattern,
    target: Target,
}

impl Default for LocalBus {
    fn default() -> Self {
        Self::new()
    }
}

impl LocalBus {
    /// A bus without rules, stamping events with the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// A bus stamping events with `clock`.
    pub fn with_clock(clock: SharedClock) -> Self {
        let inner = Inner {
            rules: RwLock::new(Vec::new()),
            clock,
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Adds a rule: events matching `pattern` go to `target`.
    pub fn add_rule(&self, name: impl Into<String>, pattern: Pattern, target: Target) {
        let rule = Rule {
            name: name.into(),
            pattern,
            target,
        };
        self.inner
            .rules
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(rule);
    }

    /// The event as EventBridge delivers it to targets.
    fn envelope(&self, event: &DomainEvent) -> Value {
        let time = chrono::DateTime::<chrono::Utc>::from(self.inner.clock.now());
        json!({
            "version": "0",
            "id": ulid::Ulid::new().to_string(),
            "detail-type": event.detail_type,
            "source": event.source,
            "account": "000000000000",
            "time": time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "region": "local",
            "resources": event.resources,
            "detail": event.detail,
        })
    }

    fn deliver(&self, envelope: &Value, trace_header: Option<&String>) {
        let rules = self
            .inner
            .rules
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for rule in rules.iter().filter(|rule| rule.pattern.matches(envelope)) {
            tracing::debug!(rule = %rule.name, "local rule matched");
            match &rule.target {
                Target::Queue(queue) => {
                    let message = OutgoingMessage::new(envelope.to_string());
                    queue.push(message.with_trace_header(trace_header.cloned()));
                }
                Target::Consumers(consumers) => {
                    invoke_later(Arc::clone(consumers), envelope.clone());
                }
            }
        }
    }
}

fn invoke_later(consumers: Arc<Consumers>, envelope: Value) {
    tokio::spawn(async move {
        let Ok(event) = serde_json::from_value(envelope) else {
            return;
        };
        for attempt in 0..3u32 {
            match consumers.dispatch(Clone::clone(&event)).await {
                Ok(()) => return,
                Err(error) => tracing::warn!(%error, attempt, "a local consumer failed"),
            }
            tokio::time::sleep(Duration::from_millis(100) * (attempt + 1)).await;
        }
        tracing::error!("a local consumer failed three times; the event is dropped");
    });
}

#[async_trait::async_trait]
impl Bus for LocalBus {
    async fn put_events(&self, events: &[DomainEvent]) -> Result<Vec<EntryOutcome>, Error> {
        let outcomes = events.iter().map(|event| {
            let envelope = self.envelope(event);
            self.deliver(&envelope, event.trace_header.as_ref());
            let id = envelope["id"].as_str().unwrap_or_default().to_owned();
            EntryOutcome::Accepted(id)
        });
        Ok(outcomes.collect())
    }
}
