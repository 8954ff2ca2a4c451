//! The notification worker: emails (and pushes to) the owner of a todo created with
//! `notify: true`.
//!
//! A bus rule sends `TodoCreated` events whose new image has `notify: true` to the
//! notification queue; this worker renders our template and sends it with the configured
//! [`Mailer`] (SES in AWS, the local mailbox locally), then pushes to the owner's active
//! devices if a [`PushService`] and devices are given. Each event notifies once.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use stack_async::Error;
use stack_async::consumer::{Consumers, Delivered};
use stack_async::sqs::SqsWorker;
use stack_dynamo::idempotency::Idempotency;
use stack_dynamo::{Entity, Keys, Query, Table};
use stack_notify::email::{Email, Mailer, Templates};
use stack_notify::push::{Device, PushMessage, PushService, Pusher};

/// The bus pattern of events that ask for a notification.
pub fn notify_pattern(source: &str) -> serde_json::Value {
    json!({
        "source": [source],
        "detail-type": ["TodoCreated"],
        "detail": { "newImage": { "notify": [true] } },
    })
}

/// Where notifications go and what they say.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// The sender address.
    pub from: String,
    /// Owners are emailed at `<owner>@<domain>` (`example.test` locally).
    pub domain: String,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            from: "todos@example.test".into(),
            domain: "example.test".into(),
        }
    }
}

/// Finds the devices of an owner (and stores them back after a push).
#[async_trait::async_trait]
pub trait Devices: Send + Sync + std::fmt::Debug + 'static {
    /// `owner`'s devices.
    async fn of(&self, owner: &str) -> Result<Vec<Device>, Error>;
    /// Stores `owner`'s devices after a push marked some inactive.
    async fn store(&self, owner: &str, devices: Vec<Device>) -> Result<(), Error>;
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    new_image: Option<Image>,
}

#[derive(Debug, Deserialize, Serialize)]
struct Image {
    owner: String,
    id: String,
    title: String,
}

/// The push service and where the devices are.
type PushTo = (Pusher<Arc<dyn PushService>>, Arc<dyn Devices>);

/// A device of a user, stored in the table next to their todos.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredDevice {
    /// The owner's user id.
    pub owner: String,
    /// A stable id for the install (not the token, which rotates).
    pub install: String,
    /// The device facts push needs.
    pub device: Device,
    /// The optimistic-lock version (kept by the table).
    #[serde(default)]
    pub version: u64,
}

impl Entity for StoredDevice {
    const TYPE: &'static str = "Device";
    const KEYS: Keys = Keys::new("USER#{owner}", "DEVICE#{install}");
}

/// [`Devices`] stored in the table as [`StoredDevice`] items.
#[derive(Debug, Clone)]
pub struct TableDevices {
    table: Table,
}

impl TableDevices {
    /// Devices in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }
}

#[async_trait::async_trait]
impl Devices for TableDevices {
    async fn of(&self, owner: &str) -> Result<Vec<Device>, Error> {
        let query = Query::new(crate::model::partition_of(owner))
            .sk_prefix("DEVICE#")
            .limit(100);
        let page = self.table.query::<StoredDevice>(query).await?;
        Ok(page.items.into_iter().map(|stored| stored.device).collect())
    }

    async fn store(&self, owner: &str, devices: Vec<Device>) -> Result<(), Error> {
        let query = Query::new(crate::model::partition_of(owner))
            .sk_prefix("DEVICE#")
            .limit(100);
        let page = self.table.query::<StoredDevice>(query).await?;
        for (mut stored, device) in page.items.into_iter().zip(devices) {
            if stored.device != device {
                stored.device = device;
                self.table.put(stored).await?;
            }
        }
        Ok(())
    }
}

/// Sends the notifications.
#[derive(Debug)]
pub struct Notifier {
    mailer: Arc<dyn Mailer>,
    push: Option<PushTo>,
    templates: Templates,
    settings: NotifySettings,
}

impl Notifier {
    /// Emails through `mailer` with `settings`.
    ///
    /// # Errors
    ///
    /// When the built-in template does not parse (a bug).
    pub fn new(
        mailer: Arc<dyn Mailer>,
        settings: NotifySettings,
    ) -> Result<Self, stack_notify::Error> {
        let mut templates = Templates::new();
        templates.add(
            "todo-created",
            "New todo: {{ title }}",
            "Hello {{ owner }},\n\nyou created the todo \"{{ title }}\".\n",
            "<p>Hello {{ owner }},</p><p>you created the todo <b>{{ title }}</b>.</p>",
        )?;
        Ok(Self {
            mailer,
            push: None,
            templates,
            settings,
        })
    }

    /// Also pushes to the owner's active devices.
    pub fn with_push(mut self, service: Arc<dyn PushService>, devices: Arc<dyn Devices>) -> Self {
        self.push = Some((Pusher::new(service), devices));
        self
    }

    async fn notify(&self, image: &Image) -> Result<(), Error> {
        let failed = |error: stack_notify::Error| Error::handler("the notification failed", error);
        let body = self
            .templates
            .render("todo-created", image)
            .map_err(failed)?;
        let to = format!("{}@{}", image.owner, self.settings.domain);
        let email =
            Email::new(&self.settings.from, to, body.subject).with_body(body.text, body.html);
        match self.mailer.send(&email).await {
            Err(error) if error.is_suppressed() => {
                tracing::info!("the owner's address is suppressed");
            }
            other => drop(other.map_err(failed)?),
        }
        self.push(image).await
    }

    async fn push(&self, image: &Image) -> Result<(), Error> {
        let Some((pusher, devices)) = &self.push else {
            return Ok(());
        };
        let mut known = devices.of(&image.owner).await?;
        let message = PushMessage::new("New todo", &image.title);
        let pushed = pusher.push(&mut known, &message).await;
        pushed.map_err(|error| Error::handler("the push failed", error))?;
        devices.store(&image.owner, known).await
    }
}

/// The notification consumers: `TodoCreated` with `notify: true` sends the notification.
pub fn notification_consumers(notifier: Arc<Notifier>) -> Consumers {
    Consumers::named("notifications").on("TodoCreated", move |event: Delivered<Created>| {
        let notifier = Arc::clone(&notifier);
        async move {
            match event.detail.new_image {
                Some(image) => notifier.notify(&image).await,
                None => Ok(()),
            }
        }
    })
}

/// The notification SQS worker: each event notifies once.
pub fn notification_worker(notifier: Arc<Notifier>, table: Table) -> SqsWorker<Consumers> {
    SqsWorker::new(notification_consumers(notifier)).idempotent(Idempotency::new(table))
}
