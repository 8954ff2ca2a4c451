//! Test helpers for services built on `stack-core` (feature `testing`).
//!
//! - [`http_call`]: a minimal HTTP/1.1 client for talking to a local server in tests.
//! - [`json_files_under`]: every JSON file under a folder, for tests that walk fixtures.
//! - [`FakeLambdaRuntime`]: a Lambda runtime API on 127.0.0.1, so a binary can be started as a
//!   real Lambda (`AWS_LAMBDA_RUNTIME_API` pointing at it) and invoked from a test.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::http::local::LocalServer;
use crate::http::{Request, Response, json_response, response};

/// Every `.json` file under `dir`, recursively, sorted by path.
///
/// # Errors
///
/// Fails when a folder cannot be read.
pub fn json_files_under(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A response read by [`http_call`].
#[derive(Debug, Clone)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl HttpReply {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends one HTTP/1.1 request and reads the whole response.
///
/// # Errors
///
/// Fails when the connection fails or the response is not HTTP.
pub async fn http_call(
    address: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpReply> {
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    parse_reply(&raw)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP response"))
}

fn parse_reply(raw: &[u8]) -> Option<HttpReply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &raw[split + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else {
        rest.to_vec()
    };
    Some(HttpReply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).ok()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        let start = line_end + 2;
        body.extend_from_slice(rest.get(start..start + size)?);
        rest = rest.get(start + size + 2..)?;
    }
}

/// What a function answered to one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The function's response.
    Response(Value),
    /// The function's error report (`errorType`, `errorMessage`).
    Error(Value),
}

struct Pending {
    request_id: String,
    event: Value,
    trace_id: Option<String>,
}

#[derive(Default)]
struct RuntimeState {
    queue: Mutex<Option<mpsc::Receiver<Pending>>>,
    waiting: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
}

/// A Lambda runtime API on 127.0.0.1 that hands out events one at a time.
pub struct FakeLambdaRuntime {
    address: SocketAddr,
    events: mpsc::Sender<Pending>,
    state: Arc<RuntimeState>,
    _stop: oneshot::Sender<()>,
}

impl FakeLambdaRuntime {
    /// Starts the runtime API on a free port; it stops when dropped.
    ///
    /// # Errors
    ///
    /// Fails when no port can be bound.
    pub async fn start() -> Result<Self, crate::RuntimeError> {
        let server = LocalServer::bind(0).await?;
        let address = server.address();
        let (events, queue) = mpsc::channel(64);
        let state = Arc::new(RuntimeState {
            queue: Mutex::new(Some(queue)),
            ..Default::default()
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let service_state = state.clone();
        let service = move |request: Request| {
            let state = service_state.clone();
            async move { answer(&state, request).await }
        };
        tokio::spawn(server.serve(service, async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            address,
            events,
            state,
            _stop: stop,
        })
    }

    /// The value for `AWS_LAMBDA_RUNTIME_API`.
    pub fn runtime_api(&self) -> String {
        self.address.to_string()
    }

    /// Invokes the function with `event` and waits for its answer.
    ///
    /// # Errors
    ///
    /// Fails when the function never polls or never answers (the runtime stopped).
    pub async fn invoke(&self, event: Value, trace_id: Option<&str>) -> Result<Outcome, String> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let request_id = format!(
            "00000000-0000-4000-8000-{:012}",
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let (answered, answer) = oneshot::channel();
        self.state
            .waiting
            .lock()
            .await
            .insert(request_id.clone(), answered);
        let pending = Pending {
            request_id,
            event,
            trace_id: trace_id.map(str::to_owned),
        };
        self.events
            .send(pending)
            .await
            .map_err(|_| "the runtime API stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the function never answered".to_owned())
    }
}

async fn answer(state: &RuntimeState, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["2018-06-01", "runtime", "invocation", "next"] => next_event(state).await,
        ["2018-06-01", "runtime", "invocation", id, verdict] => {
            record(state, id, verdict, request.body()).await
        }
        ["2018-06-01", "runtime", "init", "error"] => {
            json_response(http::StatusCode::ACCEPTED, &Value::Null)
        }
        _ => json_response(http::StatusCode::NOT_FOUND, &Value::Null),
    }
}

async fn next_event(state: &RuntimeState) -> Response {
    let mut queue = state.queue.lock().await;
    let Some(receiver) = queue.as_mut() else {
        return json_response(http::StatusCode::GONE, &Value::Null);
    };
    let Some(pending) = receiver.recv().await else {
        return json_response(http::StatusCode::GONE, &Value::Null);
    };
    let mut reply = response(
        http::StatusCode::OK,
        "application/json",
        Bytes::from(pending.event.to_string()),
    );
    let headers = reply.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = http::HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", &pending.request_id);
    set("lambda-runtime-deadline-ms", "9999999999999");
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:test",
    );
    if let Some(trace_id) = &pending.trace_id {
        set("lambda-runtime-trace-id", trace_id);
    }
    reply
}

async fn record(state: &RuntimeState, id: &str, verdict: &str, body: &Bytes) -> Response {
    let value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let outcome = if verdict == "response" {
        Outcome::Response(value)
    } else {
        Outcome::Error(value)
    };
    if let Some(waiting) = state.waiting.lock().await.remove(id) {
        let _ = waiting.send(outcome);
    }
    json_response(
        http::StatusCode::ACCEPTED,
        &serde_json::json!({ "status": "OK" }),
    )
}
