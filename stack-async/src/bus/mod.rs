//! The event bus: EventBridge in AWS, the local bus in one process.

#[cfg(feature = "eventbridge")]
mod eventbridge;

#[cfg(feature = "eventbridge")]
#[cfg_attr(docsrs, doc(cfg(feature = "eventbridge")))]
pub use eventbridge::EventBridgeBus;

use crate::Error;
use crate::event::{DomainEvent, EntryOutcome};

/// Puts events on a bus, one outcome per entry, in order.
///
/// One call gets at most [`MAX_ENTRIES_PER_PUT`](crate::event::MAX_ENTRIES_PER_PUT) events
/// within [`MAX_PUT_BYTES`](crate::event::MAX_PUT_BYTES); the [`Publisher`] chunks for you.
///
/// [`Publisher`]: crate::publisher::Publisher
#[async_trait::async_trait]
pub trait Bus: Send + Sync + std::fmt::Debug + 'static {
    /// Puts `events`; a whole-call failure is an error, a refused entry is an outcome.
    ///
    /// # Errors
    ///
    /// A retryable error when the call was throttled or failed transiently, another error
    /// when it cannot succeed.
    async fn put_events(&self, events: &[DomainEvent]) -> Result<Vec<EntryOutcome>, Error>;
}

#[async_trait::async_trait]
impl<B: Bus + ?Sized> Bus for std::sync::Arc<B> {
    async fn put_events(&self, events: &[DomainEvent]) -> Result<Vec<EntryOutcome>, Error> {
        (**self).put_events(events).await
    }
}
