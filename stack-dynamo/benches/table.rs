//! What the table costs: embedded backend throughput, and our per-item overhead over plain
//! serde_dynamo.
//!
//! ```sh
//! cargo bench -p stack-dynamo --bench table
//! ```
//!
//! - `embedded/*`: one operation on the in-memory embedded table through [`Table`], from the
//!   caller's side (tokio's blocking pool, redb transaction, JSON encoding, tracing span).
//! - `item/*`: turning one entity into an item and back: ours computes the keys from
//!   templates and stamps the reserved attributes; the baseline is `serde_dynamo` alone.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};
use stack_dynamo::{EmbeddedBackend, Entity, IndexKeys, Keys, Query, Table};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Todo {
    list: String,
    id: String,
    title: String,
    completed: bool,
    tags: Vec<String>,
    due: Option<String>,
    #[serde(default)]
    version: u64,
}

impl Entity for Todo {
    const TYPE: &'static str = "Todo";
    const KEYS: Keys = Keys::new("LIST#{list}", "TODO#{id}").with_indexes(&[IndexKeys::new(
        "gsi1",
        "DUE",
        "{due}#{id}",
    )]);
}

fn todo(id: u64) -> Todo {
    Todo {
        list: "groceries".into(),
        id: format!("{id:010}"),
        title: "Buy oat milk and a loaf of sourdough".into(),
        completed: false,
        tags: vec!["shop".into(), "weekly".into()],
        due: Some("2030-01-01".into()),
        version: 0,
    }
}

fn embedded(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let table = Table::new(EmbeddedBackend::in_memory().unwrap());
    runtime.block_on(async {
        for id in 0..1000 {
            table.create(todo(id)).await.unwrap();
        }
    });
    let key = todo(500).key().unwrap();
    let next_id = AtomicU64::new(1_000_000);

    let mut group = c.benchmark_group("embedded");
    group.bench_function("get", |b| {
        b.iter(|| {
            runtime
                .block_on(table.get::<Todo>(black_box(&key)))
                .unwrap()
        });
    });
    group.bench_function("put (create)", |b| {
        b.iter(|| {
            let todo = todo(next_id.fetch_add(1, Ordering::Relaxed));
            runtime.block_on(table.create(todo)).unwrap()
        });
    });
    group.bench_function("query page of 20", |b| {
        let query = Query::new("LIST#groceries").sk_prefix("TODO#").limit(20);
        b.iter(|| {
            runtime
                .block_on(table.query::<Todo>(black_box(query.clone())))
                .unwrap()
        });
    });
    group.finish();
}

fn per_item(c: &mut Criterion) {
    let todo = todo(42);
    let now = SystemTime::now();
    let ours = stack_dynamo::to_item(&todo, now).unwrap();
    let plain: stack_dynamo::Item = serde_dynamo::to_item(&todo).unwrap();

    let mut group = c.benchmark_group("item");
    group.bench_function("to_item: stack-dynamo (keys + stamp)", |b| {
        b.iter(|| stack_dynamo::to_item(black_box(&todo), now).unwrap());
    });
    group.bench_function("to_item: serde_dynamo", |b| {
        b.iter(|| serde_dynamo::to_item::<_, stack_dynamo::Item>(black_box(&todo)).unwrap());
    });
    group.bench_function("from_item: stack-dynamo", |b| {
        b.iter(|| stack_dynamo::from_item::<Todo>(black_box(ours.clone())).unwrap());
    });
    group.bench_function("from_item: serde_dynamo", |b| {
        b.iter(|| serde_dynamo::from_item::<_, Todo>(black_box(plain.clone())).unwrap());
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = embedded, per_item
}
criterion_main!(benches);
