//! The detail and detail type of a change's event.

use serde_dynamo::Item;
use serde_json::{Map, Value, json};
use stack_dynamo::stream::{Change, ChangeKind};

/// `<Entity>Created`, `<Entity>Updated` or `<Entity>Deleted`.
pub fn detail_type_of(entity: &str, kind: ChangeKind) -> String {
    let verb = match kind {
        ChangeKind::Insert => "Created",
        ChangeKind::Modify => "Updated",
        _ => "Deleted",
    };
    format!("{entity}{verb}")
}

/// The event detail of a change, as plain JSON (not DynamoDB's typed attribute values):
///
/// ```json
/// { "eventId": "…", "eventName": "INSERT", "entityType": "Todo",
///   "keys": { "pk": "…", "sk": "…" }, "oldImage": null, "newImage": { … },
///   "expired": false, "sequenceNumber": "…", "approximateTime": "2030-01-01T00:00:00Z" }
/// ```
pub fn detail_of(change: &Change) -> Value {
    let name = match change.kind {
        ChangeKind::Insert => "INSERT",
        ChangeKind::Modify => "MODIFY",
        _ => "REMOVE",
    };
    let time = chrono::DateTime::<chrono::Utc>::from(change.approximate_time);
    json!({
        "eventId": change.event_id,
        "eventName": name,
        "entityType": change.entity_type,
        "keys": plain(&change.keys),
        "oldImage": change.old_image.as_ref().map(plain),
        "newImage": change.new_image.as_ref().map(plain),
        "expired": change.expired,
        "sequenceNumber": change.sequence_number,
        "approximateTime": time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })
}

/// Removes both images and sets `marker` (such as `imagesOmitted: "oversize"`).
pub(super) fn strip_images(detail: &mut Value, marker: (&str, String)) {
    if let Some(object) = detail.as_object_mut() {
        object.insert("oldImage".into(), Value::Null);
        object.insert("newImage".into(), Value::Null);
        object.insert(marker.0.into(), Value::String(marker.1));
    }
}

/// An item as plain JSON; an attribute JSON cannot hold (binary sets) as its typed form.
fn plain(item: &Item) -> Value {
    serde_dynamo::from_item::<_, Value>(item.clone()).unwrap_or_else(|_| {
        let typed = serde_json::to_value(item).unwrap_or_default();
        Value::Object(Map::from_iter([("typed".to_owned(), typed)]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_types_name_the_entity_and_the_change() {
        assert_eq!(detail_type_of("Todo", ChangeKind::Insert), "TodoCreated");
        assert_eq!(detail_type_of("Todo", ChangeKind::Modify), "TodoUpdated");
        assert_eq!(detail_type_of("Todo", ChangeKind::Remove), "TodoDeleted");
    }
}
