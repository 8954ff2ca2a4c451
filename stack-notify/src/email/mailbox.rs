//! The local mailbox: emails as `.eml` files, listed at `GET /dev/mailbox`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use stack_core::http::{HttpService, Request, Response, json_response};

use super::{Email, Mailer};
use crate::Error;

/// The path the mailbox listing is served at, in local mode only.
pub const MAILBOX_PATH: &str = "/dev/mailbox";

/// Writes each email as an RFC 5322 `.eml` file (multipart/alternative, text and HTML) under
/// `<data dir>/mailbox/`, named so they list in sending order.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_notify::Error> {
/// use stack_notify::email::{Email, LocalMailbox, Mailer};
///
/// let dir = std::env::temp_dir().join(format!("mailbox-doc-{}", std::process::id()));
/// let mailbox = LocalMailbox::open(&dir)?;
/// let email = Email::new("app@example.test", "ann@example.test", "Hi").with_body("hi", "<p>hi</p>");
/// mailbox.send(&email).await?;
/// assert_eq!(mailbox.list()?[0].subject, "Hi");
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct LocalMailbox {
    dir: PathBuf,
    /// Ids grow even within one millisecond, so files list in the order they were sent.
    ids: Arc<std::sync::Mutex<ulid::Generator>>,
}

impl std::fmt::Debug for LocalMailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalMailbox")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// One email in the local mailbox, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MailboxEntry {
    /// The file name without `.eml`.
    pub id: String,
    /// The sender.
    pub from: String,
    /// The recipients, comma-separated as in the header.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The `Date` header.
    pub date: String,
    /// The plain-text part.
    pub text: String,
    /// Where the `.eml` file is.
    pub path: PathBuf,
}

impl LocalMailbox {
    /// The mailbox under `data_dir/mailbox`, created if missing.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created.
    pub fn open(data_dir: impl AsRef<Path>) -> Result<Self, Error> {
        let dir = data_dir.as_ref().join("mailbox");
        std::fs::create_dir_all(&dir)
            .map_err(|error| Error::internal("cannot create the mailbox", error))?;
        Ok(Self {
            dir,
            ids: Arc::new(std::sync::Mutex::new(ulid::Generator::new())),
        })
    }

    /// Every email, oldest first.
    ///
    /// # Errors
    ///
    /// When the directory or a file cannot be read.
    pub fn list(&self) -> Result<Vec<MailboxEntry>, Error> {
        let read = |error| Error::internal("cannot read the mailbox", error);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map_err(read)?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        paths.sort();
        paths.into_iter().map(|path| entry_of(&path)).collect()
    }
}

fn entry_of(path: &Path) -> Result<MailboxEntry, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| Error::internal("cannot read an email", error))?;
    let header = |name: &str| {
        let prefix = format!("{name}: ");
        text.lines()
            .take_while(|line| !line.is_empty())
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_default()
            .to_owned()
    };
    let plain = text
        .split("Content-Type: text/plain; charset=utf-8\r\n\r\n")
        .nth(1)
        .and_then(|rest| rest.split("\r\n--").next())
        .unwrap_or_default()
        .to_owned();
    let id = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(MailboxEntry {
        id,
        from: header("From"),
        to: header("To"),
        subject: header("Subject"),
        date: header("Date"),
        text: plain,
        path: path.to_owned(),
    })
}

/// The email as an `.eml` file: headers, then a text and an HTML part.
fn eml(email: &Email, id: &str, date: &str) -> String {
    let boundary = format!("=_stack_{id}");
    let mut out = String::new();
    for (name, value) in [
        ("From", email.from.clone()),
        ("To", email.to.join(", ")),
        ("Subject", email.subject.clone()),
        ("Date", date.to_owned()),
        ("Message-ID", format!("<{id}@stack.local>")),
        ("MIME-Version", "1.0".into()),
    ] {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n"
    ));
    for (kind, body) in [("plain", &email.text), ("html", &email.html)] {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: text/{kind}; charset=utf-8\r\n\r\n{body}\r\n"
        ));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

impl LocalMailbox {
    fn next_id(&self) -> String {
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.generate()
            .unwrap_or_else(|_| ulid::Ulid::new())
            .to_string()
    }
}

#[async_trait::async_trait]
impl Mailer for LocalMailbox {
    async fn send(&self, email: &Email) -> Result<String, Error> {
        email.validate()?;
        let id = self.next_id();
        let date = chrono::Utc::now().to_rfc2822();
        let path = self.dir.join(format!("{id}.eml"));
        tokio::fs::write(&path, eml(email, &id, &date))
            .await
            .map_err(|error| Error::internal("cannot write the email", error))?;
        tracing::info!(path = %path.display(), subject = %email.subject, "email written to the local mailbox");
        Ok(id)
    }
}

/// An HTTP service answering `GET /dev/mailbox` with the mailbox as JSON (`{"emails": [...]}`)
/// and 404 for everything else. Mount it in local mode only.
pub fn mailbox_endpoint(mailbox: LocalMailbox) -> impl HttpService {
    let mailbox = Arc::new(mailbox);
    move |request: Request| {
        let mailbox = Arc::clone(&mailbox);
        async move { answer(&mailbox, &request) }
    }
}

fn answer(mailbox: &LocalMailbox, request: &Request) -> Response {
    use http::StatusCode;

    if request.method() != http::Method::GET || request.uri().path() != MAILBOX_PATH {
        return json_response(
            StatusCode::NOT_FOUND,
            &serde_json::json!({ "error": "not found" }),
        );
    }
    match mailbox.list() {
        Ok(emails) => json_response(StatusCode::OK, &serde_json::json!({ "emails": emails })),
        Err(error) => {
            tracing::error!(error = %stack_core::error::chain(&error), "cannot list the mailbox");
            json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &serde_json::json!({ "error": "internal" }),
            )
        }
    }
}
