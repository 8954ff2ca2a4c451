//! The asynchronous half of the service in one process: the table's change feed publishes
//! todo events on a local bus; rules deliver them to the analytics and notification queues,
//! whose workers run the same code as the Lambda consumers; emails land in the local mailbox
//! and pushes in the local push log under `STACK_DATA_DIR`.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use stack_async::local::{ChangeFeed, LocalBus, LocalQueue, Pattern, Target};
use stack_async::publisher::Publisher;
use stack_dynamo::{EmbeddedBackend, Table};
use stack_notify::email::{LocalMailbox, Mailer};
use stack_notify::push::LocalPushLog;
use tokio::task::JoinHandle;

use crate::analytics::analytics_worker;
use crate::app::StartError;
use crate::notifications::{
    Notifier, NotifySettings, TableDevices, notification_worker, notify_pattern,
};

/// The `source` of the Todo service's events.
pub const EVENT_SOURCE: &str = "app.todo";

/// The running local pipeline; dropping it stops its tasks.
#[derive(Debug)]
pub struct LocalAsync {
    /// Where emails are written (serve it with [`stack_notify::email::mailbox_endpoint`]).
    pub mailbox: LocalMailbox,
    /// Where pushes are logged.
    pub push_log: LocalPushLog,
    /// The analytics queue.
    pub analytics: LocalQueue,
    /// The notification queue.
    pub notifications: LocalQueue,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for LocalAsync {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// The bus pattern of the events the analytics consumer counts.
pub fn analytics_pattern(source: &str) -> serde_json::Value {
    json!({ "source": [source], "detail-type": ["TodoCreated", "TodoUpdated"] })
}

/// Starts the pipeline over `backend` (the table's embedded backend) and `table`, with the
/// mailbox and push log under `data_dir`. Call it inside a tokio runtime.
///
/// # Errors
///
/// When the mailbox or push log cannot be created.
pub fn start_local_async(
    backend: EmbeddedBackend,
    table: Table,
    data_dir: &Path,
) -> Result<LocalAsync, StartError> {
    let mailbox = LocalMailbox::open(data_dir)?;
    let push_log = LocalPushLog::open(data_dir)?;
    let (analytics, notifications) = (
        LocalQueue::new("analytics"),
        LocalQueue::new("notifications"),
    );

    let bus = LocalBus::new();
    let to_analytics = Pattern::new(analytics_pattern(EVENT_SOURCE))?;
    bus.add_rule("analytics", to_analytics, Target::Queue(analytics.clone()));
    let to_notifications = Pattern::new(notify_pattern(EVENT_SOURCE))?;
    bus.add_rule(
        "notifications",
        to_notifications,
        Target::Queue(notifications.clone()),
    );

    let publisher = Publisher::new(bus, EVENT_SOURCE).only_entities(["Todo"]);
    let feed = ChangeFeed::new(backend, Arc::new(publisher));
    let mailer: Arc<dyn Mailer> = Arc::new(mailbox.clone());
    let notifier = Notifier::new(mailer, NotifySettings::default())?;
    let devices = Arc::new(TableDevices::new(table.clone()));
    let notifier = Arc::new(notifier.with_push(Arc::new(push_log.clone()), devices));

    let tasks = vec![
        tokio::spawn(async move {
            if let Err(error) = feed.run().await {
                tracing::error!(error = %stack_core::error::chain(&error), "the change feed stopped");
            }
        }),
        tokio::spawn(
            analytics
                .clone()
                .run_worker(Arc::new(analytics_worker(table.clone())), 10),
        ),
        tokio::spawn(
            notifications
                .clone()
                .run_worker(Arc::new(notification_worker(notifier, table)), 10),
        ),
    ];
    Ok(LocalAsync {
        mailbox,
        push_log,
        analytics,
        notifications,
        tasks,
    })
}
