//! In Lambda, each log line is one JSON object carrying the invocation's request id, its X-Ray
//! trace id and the cold-start flag.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use stack_core::telemetry::{JsonLines, SpanFields, invocation_span};
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn lines_carry_the_invocation_fields() {
    let captured = Captured::default();
    let writer = captured.clone();
    let fmt = tracing_subscriber::fmt::layer()
        .event_format(JsonLines)
        .with_writer(move || writer.clone());
    let subscriber = tracing_subscriber::registry()
        .with(SpanFields::layer())
        .with(fmt);

    tracing::subscriber::with_default(subscriber, || {
        let span = invocation_span("req-7", Some("Root=1-abc;Sampled=1"), true);
        let _entered = span.enter();
        tracing::info!(items = 3, "handled the batch");
    });

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    let line = &lines[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["message"], "handled the batch");
    assert_eq!(line["items"], 3);
    assert_eq!(line["requestId"], "req-7");
    assert_eq!(line["traceId"], "Root=1-abc;Sampled=1");
    assert_eq!(line["coldStart"], true);
    assert!(line["timestamp"].as_str().unwrap().contains('T'));
}
