//! The asynchronous half, locally in one process: creating and completing todos moves
//! `myStats`, and `notify: true` puts an email in the mailbox, both in-process and through
//! the binary as a user runs it (with `GET /dev/mailbox`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

mod support;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use stack_core::testing::http_call;
use stack_dynamo::{EmbeddedBackend, Table};
use stack_notify::push::{Device, Platform, PushService};
use todo_service::local::start_local_async;
use todo_service::notifications::StoredDevice;
use todo_service::schema_for;

const CREATE: &str =
    "mutation($title: String!) { createTodo(input: {title: $title, notify: true}) { id } }";
const STATS: &str = "{ myStats { created completed } }";

/// Polls `check` every 50 ms for up to five seconds.
async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn todos_move_my_stats_and_notify_in_process() {
    let dir = tempfile::tempdir().unwrap();
    let backend = EmbeddedBackend::open(dir.path(), "todos").unwrap();
    let table = Table::new(backend.clone());
    let pipeline = start_local_async(backend, table.clone(), dir.path()).unwrap();
    let mut device = Device::new(Platform::Fcm, "token-1");
    device.endpoint = Some(pipeline.push_log.register(&device).await.unwrap());
    let stored = StoredDevice {
        owner: "ann".into(),
        install: "phone".into(),
        device,
        version: 0,
    };
    table.create(stored).await.unwrap();
    let subgraph = stack_graphql::Subgraph::new(schema_for(table));

    let (_, created) = support::run(
        &subgraph,
        Some("ann"),
        CREATE,
        json!({ "title": "buy milk" }),
    )
    .await;
    let id = created["data"]["createTodo"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    support::run(
        &subgraph,
        Some("ann"),
        CREATE.replace("true", "false").as_str(),
        json!({ "title": "quiet" }),
    )
    .await;

    let stats = || async {
        support::run(&subgraph, Some("ann"), STATS, json!({}))
            .await
            .1["data"]["myStats"]
            .clone()
    };
    assert!(
        eventually(|| async { stats().await["created"] == 2 }).await,
        "{}",
        stats().await
    );
    assert!(eventually(|| async { pipeline.mailbox.list().unwrap().len() == 1 }).await);
    let email = &pipeline.mailbox.list().unwrap()[0];
    assert_eq!(email.to, "ann@example.test");
    assert!(email.subject.contains("buy milk") && email.text.contains("buy milk"));
    let pushes = pipeline.push_log.entries().unwrap();
    assert_eq!(pushes.len(), 1, "one push to ann's one device");
    assert_eq!(pushes[0]["message"]["body"], "buy milk");

    let complete =
        "mutation($id: ID!) { updateTodo(id: $id, input: {completed: true}) { completed } }";
    support::run(&subgraph, Some("ann"), complete, json!({ "id": id })).await;
    assert!(
        eventually(|| async { stats().await["completed"] == 1 }).await,
        "{}",
        stats().await
    );
    let bob = support::run(&subgraph, Some("bob"), STATS, json!({}))
        .await
        .1;
    assert_eq!(
        bob["data"]["myStats"],
        json!({ "created": 0, "completed": 0 })
    );
}

/// A child process that is killed when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start(data_dir: &std::path::Path) -> (Running, SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_todo-service"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STACK_DATA_DIR", data_dir)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PORT", port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (running, address) = (Running(child), SocketAddr::from(([127, 0, 0, 1], port)));
    let up = || async {
        http_call(address, "GET", "/health", &[], b"")
            .await
            .is_ok_and(|r| r.status == 200)
    };
    assert!(eventually(up).await, "the service did not start");
    (running, address)
}

async fn graphql(address: SocketAddr, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let headers = [
        ("content-type", "application/json"),
        ("x-stack-user", "carol"),
    ];
    http_call(address, "POST", "/graphql", &headers, body.as_bytes())
        .await
        .unwrap()
        .json()
}

#[tokio::test]
async fn the_binary_counts_and_mails_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let (_running, address) = start(dir.path()).await;
    graphql(address, CREATE, json!({ "title": "call mum" })).await;

    let created =
        || async { graphql(address, STATS, json!({})).await["data"]["myStats"]["created"] == 1 };
    assert!(eventually(created).await);
    let mailbox = || async {
        http_call(address, "GET", "/dev/mailbox", &[], b"")
            .await
            .unwrap()
            .json()
    };
    assert!(
        eventually(|| async {
            mailbox().await["emails"]
                .as_array()
                .is_some_and(|e| e.len() == 1)
        })
        .await
    );
    let listing = mailbox().await;
    assert_eq!(listing["emails"][0]["to"], "carol@example.test");
    assert!(
        listing["emails"][0]["subject"]
            .as_str()
            .unwrap()
            .contains("call mum")
    );
    let eml = std::fs::read_dir(dir.path().join("mailbox"))
        .unwrap()
        .count();
    assert_eq!(eml, 1);
}
