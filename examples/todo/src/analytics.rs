//! The analytics consumer: per-user counters kept from the todo events.
//!
//! It receives `TodoCreated` and `TodoUpdated` events (from an SQS queue a bus rule fills)
//! and counts, per owner, the todos created and the todos completed (an update from open to
//! done). Each event counts once: the worker's idempotency records are keyed on the stream
//! record's id, which stays the same when the publisher puts the event again.

use serde::Deserialize;
use stack_async::Error;
use stack_async::consumer::{Consumers, Delivered};
use stack_async::sqs::SqsWorker;
use stack_dynamo::idempotency::Idempotency;
use stack_dynamo::{Patch, Table};

use crate::model::Stats;

/// The fields of a todo image the counters need.
#[derive(Debug, Deserialize)]
struct Image {
    owner: String,
    #[serde(default)]
    completed: bool,
}

/// The detail of a todo event, as the publisher writes it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Detail {
    old_image: Option<Image>,
    new_image: Option<Image>,
}

/// Which counter an event moves.
#[derive(Debug, Clone, Copy)]
enum Counter {
    Created,
    Completed,
}

impl Counter {
    fn field(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Completed => "completed",
        }
    }
}

/// The analytics consumers over `table`, routed by detail-type.
pub fn analytics_consumers(table: Table) -> Consumers {
    let (on_created, on_updated) = (table.clone(), table);
    Consumers::named("analytics")
        .on("TodoCreated", move |event: Delivered<Detail>| {
            let table = on_created.clone();
            async move { count(&table, event.detail.new_image, Counter::Created).await }
        })
        .on("TodoUpdated", move |event: Delivered<Detail>| {
            let table = on_updated.clone();
            async move {
                let was_open = event
                    .detail
                    .old_image
                    .as_ref()
                    .is_none_or(|old| !old.completed);
                let completion = event
                    .detail
                    .new_image
                    .filter(|new| new.completed && was_open);
                count(&table, completion, Counter::Completed).await
            }
        })
}

/// The analytics SQS worker: the consumers, each event counted once.
pub fn analytics_worker(table: Table) -> SqsWorker<Consumers> {
    let records = Idempotency::new(table.clone());
    SqsWorker::new(analytics_consumers(table)).idempotent(records)
}

async fn count(table: &Table, image: Option<Image>, counter: Counter) -> Result<(), Error> {
    let Some(image) = image else { return Ok(()) };
    let key = Stats::key_of(&image.owner);
    let bump = || Patch::<Stats>::new(key.clone()).add(counter.field(), 1);
    match table.patch(bump()).await {
        Err(error) if error.is_not_found() => {}
        other => return other.map(drop).map_err(Error::from),
    }
    let mut first = Stats {
        owner: image.owner.clone(),
        ..Stats::default()
    };
    match counter {
        Counter::Created => first.created = 1,
        Counter::Completed => first.completed = 1,
    }
    match table.create(first).await {
        // Another worker created the counters meanwhile: add to them.
        Err(error) if error.is_conflict() => {
            table.patch(bump()).await.map(drop).map_err(Error::from)
        }
        other => other.map(drop).map_err(Error::from),
    }
}

/// `owner`'s counters, zero when nothing was counted yet.
///
/// # Errors
///
/// When the table cannot be read.
pub async fn stats_of(table: &Table, owner: &str) -> Result<Stats, stack_dynamo::Error> {
    let stats = table.get::<Stats>(&Stats::key_of(owner)).await?;
    Ok(stats.unwrap_or_else(|| Stats {
        owner: owner.to_owned(),
        ..Stats::default()
    }))
}
