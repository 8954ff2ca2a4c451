//! EventBridge consumers: typed handlers routed by detail-type.
//!
//! [`Consumers`] is an [`EventHandler`] for events EventBridge invokes a Lambda with, and a
//! [`MessageHandler`] for events a rule delivers to an SQS queue (the usual, buffered shape),
//! so one set of handlers serves both.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use stack_core::events::{EventHandler, Invocation};

use crate::Error;
#[cfg(any(feature = "sqs", feature = "local"))]
use crate::sqs::{Message, MessageHandler};

/// An event delivered to a consumer, its detail decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivered<T> {
    /// The bus's event id (new on every put; use `detail.eventId` to deduplicate).
    pub id: Option<String>,
    /// The source, such as `app.todo`.
    pub source: String,
    /// The detail type, such as `TodoCreated`.
    pub detail_type: String,
    /// When the event was put.
    pub time: Option<DateTime<Utc>>,
    /// The decoded detail.
    pub detail: T,
}

type Route = Arc<dyn Fn(EventBridgeEvent<Value>) -> RouteFuture + Send + Sync>;
type RouteFuture = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// Typed handlers by detail-type.
///
/// # Examples
///
/// ```
/// use stack_async::consumer::{Consumers, Delivered};
///
/// #[derive(serde::Deserialize)]
/// struct Created { #[serde(rename = "eventId")] event_id: String }
///
/// let consumers = Consumers::new().on("TodoCreated", |event: Delivered<Created>| async move {
///     tracing::info!(id = event.detail.event_id, "a todo was created");
///     Ok(())
/// });
/// assert!(consumers.handles("TodoCreated"));
/// ```
#[derive(Clone, Default)]
pub struct Consumers {
    name: String,
    routes: HashMap<String, Route>,
}

impl std::fmt::Debug for Consumers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumers")
            .field("detail_types", &self.routes.keys())
            .finish()
    }
}

impl Consumers {
    /// No handlers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// No handlers yet, named `name`: the name prefixes idempotency keys, so two consumers
    /// of the same event sharing one idempotency table each run their side effect.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            routes: HashMap::new(),
        }
    }

    /// Routes events of `detail_type` to `handler`, their detail decoded as `T`.
    pub fn on<T, F, Fut>(mut self, detail_type: impl Into<String>, handler: F) -> Self
    where
        T: DeserializeOwned + Send + 'static,
        F: Fn(Delivered<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let route: Route = Arc::new(move |event| {
            let handler = Arc::clone(&handler);
            Box::pin(async move { handler(decode(event)?).await })
        });
        self.routes.insert(detail_type.into(), route);
        self
    }

    /// The name given with [`Consumers::named`] (empty otherwise).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a handler is routed for `detail_type`.
    pub fn handles(&self, detail_type: &str) -> bool {
        self.routes.contains_key(detail_type)
    }

    /// Runs the handler for the event's detail type; events nobody handles are ignored
    /// (logged at debug), since a rule may deliver more than one consumer wants.
    ///
    /// # Errors
    ///
    /// A validation error when the detail does not decode, else the handler's error.
    pub async fn dispatch(&self, event: EventBridgeEvent<Value>) -> Result<(), Error> {
        match self.routes.get(&event.detail_type) {
            Some(route) => route(event).await,
            None => {
                tracing::debug!(detail_type = %event.detail_type, "no consumer for this event");
                Ok(())
            }
        }
    }
}

fn decode<T: DeserializeOwned>(event: EventBridgeEvent<Value>) -> Result<Delivered<T>, Error> {
    let detail = serde_json::from_value(event.detail).map_err(|error| {
        Error::validation(format!(
            "the {} detail does not decode: {error}",
            event.detail_type
        ))
    })?;
    Ok(Delivered {
        id: event.id,
        source: event.source,
        detail_type: event.detail_type,
        time: event.time,
        detail,
    })
}

impl EventHandler for Consumers {
    type Event = EventBridgeEvent<Value>;
    type Output = ();
    type Error = Error;

    async fn handle(&self, event: Self::Event, _: Invocation) -> Result<(), Error> {
        self.dispatch(event).await
    }
}

#[cfg(any(feature = "sqs", feature = "local"))]
#[async_trait::async_trait]
impl MessageHandler for Consumers {
    type Body = EventBridgeEvent<Value>;

    async fn handle(&self, message: &Message<Self::Body>) -> Result<(), Error> {
        self.dispatch(message.body.clone()).await
    }

    /// The stream record's `detail.eventId` with the detail: the same change republished
    /// after a partial failure is the same key and payload.
    fn idempotency(&self, message: &Message<Self::Body>) -> (String, Value) {
        let event = &message.body;
        let stable = event
            .detail
            .get("eventId")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let key = stable
            .or_else(|| event.id.clone())
            .unwrap_or_else(|| message.id.clone());
        (
            format!("{}#{}#{key}", self.name, event.detail_type),
            event.detail.clone(),
        )
    }
}
