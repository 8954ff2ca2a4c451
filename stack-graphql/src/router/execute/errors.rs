//! The GraphQL errors of one execution, with their paths in the client's response.

use serde_json::{Map, Value, json};

use super::path::{self, Step};
use crate::router::error::TransportError;

/// Errors collected while a plan runs and while the response is shaped.
#[derive(Debug, Default)]
pub(crate) struct Errors {
    list: Vec<Value>,
    /// Whether a root fetch came back without data, with errors that say why: its root
    /// fields are all null for those errors' sake, whatever their paths.
    root_fetch_failed: bool,
}

impl Errors {
    /// Adds an error as a subgraph wrote it, with its path replaced by `at` (plus whatever
    /// followed the entity index), or left without one when `at` is `None`.
    pub(crate) fn subgraph(&mut self, service: &str, mut error: Value, at: Option<Value>) {
        let Some(object) = error.as_object_mut() else {
            let message = format!("subgraph `{service}` returned a malformed error");
            return self.message(&message, None);
        };
        match at {
            Some(path) => {
                object.insert("path".to_owned(), path);
            }
            None => {
                object.remove("path");
            }
        }
        let extensions = object
            .entry("extensions")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(extensions) = extensions.as_object_mut() {
            extensions
                .entry("serviceName")
                .or_insert_with(|| Value::String(service.to_owned()));
        }
        self.list.push(error);
    }

    /// Reports a subgraph that gave no usable answer, at `at` when the fetch had a path.
    pub(crate) fn transport(&mut self, error: &TransportError, service: &str, at: Option<Value>) {
        let mut value = json!({
            "message": error.to_string(),
            "extensions": { "code": error.code(), "serviceName": service },
        });
        if let (Some(at), Some(object)) = (at, value.as_object_mut()) {
            object.insert("path".to_owned(), at);
        }
        self.list.push(value);
    }

    /// Notes that a root fetch answered no data (a transport failure, or `data: null` with
    /// errors), so nulls in its root fields are already explained.
    pub(crate) fn root_fetch_failed(&mut self) {
        self.root_fetch_failed = true;
    }

    /// Reports a problem with no more detail than a message.
    pub(crate) fn message(&mut self, message: &str, code: Option<&str>) {
        let mut value = json!({ "message": message });
        if let (Some(code), Some(object)) = (code, value.as_object_mut()) {
            object.insert("extensions".to_owned(), json!({ "code": code }));
        }
        self.list.push(value);
    }

    /// Reports a null in a non-null position, unless an error already explains it: one at the
    /// same path, below it, or above it, or, for a root field, a root fetch that failed.
    pub(crate) fn null_in_non_null(&mut self, at: &[Step]) {
        if self.root_fetch_failed && at.len() == 1 {
            return;
        }
        let at_json = path::to_json(at);
        let Some(at_steps) = at_json.as_array() else {
            return;
        };
        let explained = self.list.iter().any(|error| {
            error
                .get("path")
                .and_then(Value::as_array)
                .is_some_and(|other| related(at_steps, other))
        });
        if !explained {
            let message = "Cannot return null for non-nullable field".to_owned();
            let mut value = json!({ "message": message, "path": at_json });
            if let Some(object) = value.as_object_mut() {
                object.insert(
                    "extensions".to_owned(),
                    json!({ "code": "NULL_IN_NON_NULL" }),
                );
            }
            self.list.push(value);
        }
    }

    /// The errors, in the order they happened.
    pub(crate) fn into_vec(self) -> Vec<Value> {
        self.list
    }
}

fn related(a: &[Value], b: &[Value]) -> bool {
    let shorter = a.len().min(b.len());
    a[..shorter] == b[..shorter]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_null_already_explained_by_a_subgraph_error_is_not_reported_twice() {
        let mut errors = Errors::default();
        let error = json!({"message": "boom", "path": ["_entities", 0, "name"]});
        errors.subgraph("a", error, Some(json!(["users", 0, "name"])));
        errors.null_in_non_null(&[Step::Key("users".into()), Step::Index(0)]);
        assert_eq!(errors.into_vec().len(), 1);
    }

    #[test]
    fn root_fields_of_a_failed_root_fetch_are_not_reported_again() {
        let mut errors = Errors::default();
        let error = json!({"message": "bad title", "path": ["b"]});
        errors.subgraph("todo", error, Some(json!(["b"])));
        errors.root_fetch_failed();
        errors.null_in_non_null(&[Step::Key("a".into())]);
        errors.null_in_non_null(&[Step::Key("b".into())]);
        assert_eq!(errors.into_vec().len(), 1);
    }

    #[test]
    fn subgraph_errors_name_their_service() {
        let mut errors = Errors::default();
        errors.subgraph("a", json!({"message": "boom"}), None);
        let list = errors.into_vec();
        assert_eq!(list[0]["extensions"]["serviceName"], "a");
    }
}
