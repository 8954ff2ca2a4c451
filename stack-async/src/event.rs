//! Domain events: what the publisher puts on the bus.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The most entries one `PutEvents` call takes.
pub const MAX_ENTRIES_PER_PUT: usize = 10;
/// The most bytes one `PutEvents` call and one event may have (256 KB), counted as
/// EventBridge counts them (see [`DomainEvent::size`]).
pub const MAX_PUT_BYTES: usize = 256 * 1024;

/// One event for the bus: where it comes from, what happened, and the details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DomainEvent {
    /// The service the event comes from, such as `app.todo`.
    pub source: String,
    /// What happened, such as `TodoCreated`.
    pub detail_type: String,
    /// The event's details, a JSON object.
    pub detail: Value,
    /// Resource ARNs the event is about; usually empty.
    #[serde(default)]
    pub resources: Vec<String>,
    /// The X-Ray trace header to carry along.
    #[serde(default)]
    pub trace_header: Option<String>,
}

impl DomainEvent {
    /// An event from `source` of type `detail_type` with `detail`.
    pub fn new(source: impl Into<String>, detail_type: impl Into<String>, detail: Value) -> Self {
        Self {
            source: source.into(),
            detail_type: detail_type.into(),
            detail,
            resources: Vec::new(),
            trace_header: None,
        }
    }

    /// The same event carrying `trace_header`.
    pub fn with_trace_header(mut self, trace_header: Option<String>) -> Self {
        self.trace_header = trace_header;
        self
    }

    /// The entry size as EventBridge computes it against the 256 KB limit: the UTF-8 bytes
    /// of source, detail type, detail and resources, plus 14 bytes for the time.
    pub fn size(&self) -> usize {
        let detail = serde_json::to_string(&self.detail).map_or(0, |text| text.len());
        let resources: usize = self.resources.iter().map(String::len).sum();
        14 + self.source.len() + self.detail_type.len() + detail + resources
    }
}

/// What the bus answered for one entry of a put.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryOutcome {
    /// Accepted, with the bus's event id.
    Accepted(String),
    /// Refused, with the bus's error code and message.
    Failed {
        /// Such as `ThrottlingException` or `InternalFailure`.
        code: String,
        /// The bus's message.
        message: String,
    },
}

impl EntryOutcome {
    /// A refusal with `code` and `message`.
    pub fn failed(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Failed {
            code: code.into(),
            message: message.into(),
        }
    }

    /// Whether the entry was accepted.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted(_))
    }
}

/// Splits `sizes` into consecutive chunks of at most `max_entries` entries and `max_bytes`
/// bytes each, as index ranges. An entry bigger than `max_bytes` gets a chunk of its own
/// (the caller handles it by policy before it gets here).
pub fn chunk_ranges(
    sizes: &[usize],
    max_entries: usize,
    max_bytes: usize,
) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (index, size) in sizes.iter().enumerate() {
        let full = index - start == max_entries || (index > start && bytes + size > max_bytes);
        if full {
            ranges.push(start..index);
            (start, bytes) = (index, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_respect_count_and_bytes() {
        assert_eq!(chunk_ranges(&[1; 25], 10, 100), vec![0..10, 10..20, 20..25]);
        assert_eq!(chunk_ranges(&[60, 60, 30, 10], 10, 100), vec![0..1, 1..4]);
        assert_eq!(chunk_ranges(&[200, 1], 10, 100), vec![0..1, 1..2]);
        assert!(chunk_ranges(&[], 10, 100).is_empty());
    }

    #[test]
    fn size_counts_what_eventbridge_counts() {
        let event = DomainEvent::new("app", "T", serde_json::json!({"a": 1}));
        assert_eq!(event.size(), 14 + 3 + 1 + r#"{"a":1}"#.len());
    }
}
