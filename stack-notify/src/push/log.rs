//! The local push log: pushes appended as JSON lines.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::AsyncWriteExt;

use super::{Device, Platform, PushMessage, PushOutcome, PushService};
use crate::Error;

/// Appends each push as one JSON line to `<data dir>/push.log`. Endpoints are
/// `local:<platform>:<token>`; [`LocalPushLog::disable`] disables one, as a platform does
/// for a dead token, until it is registered again.
#[derive(Debug, Clone)]
pub struct LocalPushLog {
    path: PathBuf,
    disabled: Arc<Mutex<HashSet<String>>>,
}

impl LocalPushLog {
    /// The log at `data_dir/push.log`.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created.
    pub fn open(data_dir: impl AsRef<Path>) -> Result<Self, Error> {
        std::fs::create_dir_all(&data_dir)
            .map_err(|error| Error::internal("cannot create the data dir", error))?;
        Ok(Self {
            path: data_dir.as_ref().join("push.log"),
            disabled: Arc::default(),
        })
    }

    /// Disables `endpoint`: sends to it answer [`PushOutcome::EndpointDisabled`].
    pub fn disable(&self, endpoint: &str) {
        self.disabled().insert(endpoint.to_owned());
    }

    /// Every push logged so far, as JSON values.
    ///
    /// # Errors
    ///
    /// When the log cannot be read.
    pub fn entries(&self) -> Result<Vec<serde_json::Value>, Error> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(Error::internal("cannot read the push log", error)),
        };
        Ok(text
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect())
    }

    fn disabled(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.disabled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl PushService for LocalPushLog {
    async fn register(&self, device: &Device) -> Result<String, Error> {
        if let Some(old) = &device.endpoint {
            self.disabled().remove(old);
        }
        let endpoint = format!("local:{}:{}", device.platform.sns_key(), device.token);
        self.disabled().remove(&endpoint);
        Ok(endpoint)
    }

    async fn send(
        &self,
        endpoint: &str,
        platform: Platform,
        message: &PushMessage,
    ) -> Result<PushOutcome, Error> {
        if self.disabled().contains(endpoint) {
            return Ok(PushOutcome::EndpointDisabled);
        }
        let id = ulid::Ulid::new().to_string();
        let line = serde_json::json!({ "id": id, "endpoint": endpoint, "platform": platform, "message": message });
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .map_err(|error| Error::internal("cannot open the push log", error))?;
        file.write_all(format!("{line}\n").as_bytes())
            .await
            .map_err(|error| Error::internal("cannot write the push log", error))?;
        // tokio hands writes to a blocking thread; flush so the line is on disk on return.
        file.flush()
            .await
            .map_err(|error| Error::internal("cannot write the push log", error))?;
        Ok(PushOutcome::Sent(id))
    }
}
