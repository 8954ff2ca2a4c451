//! EventBridge event patterns, matched in process.

use serde_json::{Map, Value};

use crate::Error;

/// An EventBridge event pattern, checked when built and matched against event JSON.
///
/// Supported: exact values (strings, numbers, booleans, null), `prefix` (also with
/// `equals-ignore-case`), `suffix`, `equals-ignore-case`, `wildcard`, `anything-but` (a value,
/// a list, or a `prefix`/`suffix`/`equals-ignore-case` matcher), `numeric` (`=`, `<`, `<=`,
/// `>`, `>=`, two-sided ranges), `exists`, nested objects, array fields (any element
/// matches) and `$or`. Not supported: `cidr` (the example needs none; see the ROADMAP).
///
/// # Examples
///
/// ```
/// use serde_json::json;
/// use stack_async::local::Pattern;
///
/// let pattern = Pattern::new(json!({
///     "source": [{ "prefix": "app." }],
///     "detail-type": [{ "anything-but": "TodoDeleted" }],
///     "detail": { "newImage": { "priority": [{ "numeric": [">", 0, "<=", 5] }] } },
/// }))?;
/// let event = json!({ "source": "app.todo", "detail-type": "TodoCreated",
///                     "detail": { "newImage": { "priority": 3 } } });
/// assert!(pattern.matches(&event));
/// # Ok::<(), stack_async::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern(Map<String, Value>);

impl Pattern {
    /// Checks and keeps `pattern`.
    ///
    /// # Errors
    ///
    /// A validation error naming the first part that is not a valid pattern.
    pub fn new(pattern: Value) -> Result<Self, Error> {
        match pattern {
            Value::Object(object) => {
                check_object(&object)?;
                Ok(Self(object))
            }
            other => Err(Error::validation(format!(
                "a pattern is a JSON object, not {other}"
            ))),
        }
    }

    /// Matches every event.
    pub fn any() -> Self {
        Self(Map::new())
    }

    /// Whether `event` matches.
    pub fn matches(&self, event: &Value) -> bool {
        object_matches(&self.0, event)
    }
}

fn check_object(object: &Map<String, Value>) -> Result<(), Error> {
    for (key, value) in object {
        match value {
            Value::Array(alternatives) if key == "$or" => {
                for alternative in alternatives {
                    let Value::Object(inner) = alternative else {
                        return Err(Error::validation("$or takes a list of patterns"));
                    };
                    check_object(inner)?;
                }
            }
            Value::Object(inner) => check_object(inner)?,
            Value::Array(matchers) => matchers.iter().try_for_each(check_matcher)?,
            other => {
                return Err(Error::validation(format!(
                    "{key}: expected a list, got {other}"
                )));
            }
        }
    }
    Ok(())
}

fn check_matcher(matcher: &Value) -> Result<(), Error> {
    let Value::Object(object) = matcher else {
        return Ok(());
    };
    let known = [
        "prefix",
        "suffix",
        "equals-ignore-case",
        "wildcard",
        "anything-but",
        "numeric",
        "exists",
    ];
    match object.keys().next().map(String::as_str) {
        Some("numeric") => check_numeric(&object["numeric"]),
        Some(name) if known.contains(&name) && object.len() == 1 => Ok(()),
        _ => Err(Error::validation(format!("unsupported matcher {matcher}"))),
    }
}

fn check_numeric(spec: &Value) -> Result<(), Error> {
    let parts = spec.as_array().map(Vec::as_slice).unwrap_or_default();
    let valid = matches!(parts.len(), 2 | 4)
        && parts.chunks(2).all(|pair| {
            pair[0]
                .as_str()
                .is_some_and(|op| ["=", "<", "<=", ">", ">="].contains(&op))
                && pair[1].is_number()
        });
    if valid {
        Ok(())
    } else {
        Err(Error::validation(format!("invalid numeric matcher {spec}")))
    }
}

fn object_matches(pattern: &Map<String, Value>, event: &Value) -> bool {
    pattern.iter().all(|(key, expected)| match expected {
        Value::Array(alternatives) if key == "$or" => alternatives.iter().any(|alternative| {
            alternative
                .as_object()
                .is_some_and(|inner| object_matches(inner, event))
        }),
        Value::Object(inner) => event
            .get(key)
            .is_some_and(|field| object_matches(inner, field)),
        Value::Array(matchers) => leaf_matches(matchers, event.get(key)),
        _ => false,
    })
}

fn leaf_matches(matchers: &[Value], field: Option<&Value>) -> bool {
    matchers.iter().any(
        |matcher| match matcher.get("exists").and_then(Value::as_bool) {
            Some(exists) => exists == field.is_some_and(|value| !value.is_object()),
            None => field
                .is_some_and(|field| values_of(field).any(|value| value_matches(matcher, value))),
        },
    )
}

/// A field's values: the elements of an array, else the field itself.
fn values_of(field: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match field {
        Value::Array(items) => Box::new(items.iter()),
        single => Box::new(std::iter::once(single)),
    }
}

fn value_matches(matcher: &Value, value: &Value) -> bool {
    let Value::Object(object) = matcher else {
        return equal(matcher, value);
    };
    let Some((name, argument)) = object.iter().next() else {
        return false;
    };
    let text = value.as_str();
    match name.as_str() {
        "prefix" => text.is_some_and(|text| affix(argument, text, true)),
        "suffix" => text.is_some_and(|text| affix(argument, text, false)),
        "equals-ignore-case" => text
            .zip(argument.as_str())
            .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b)),
        "wildcard" => text
            .zip(argument.as_str())
            .is_some_and(|(text, glob)| wildcard(glob, text)),
        "anything-but" => !excluded(argument, value),
        "numeric" => value
            .as_f64()
            .is_some_and(|number| numeric(argument, number)),
        _ => false,
    }
}

fn excluded(argument: &Value, value: &Value) -> bool {
    match argument {
        Value::Array(values) => values.iter().any(|excluded| equal(excluded, value)),
        Value::Object(_) => value_matches(argument, value),
        single => equal(single, value),
    }
}

fn affix(argument: &Value, text: &str, prefix: bool) -> bool {
    let (wanted, fold) = match argument {
        Value::String(wanted) => (wanted.as_str(), false),
        Value::Object(inner) => match inner.get("equals-ignore-case").and_then(Value::as_str) {
            Some(wanted) => (wanted, true),
            None => return false,
        },
        _ => return false,
    };
    let (text, wanted) = if fold {
        (text.to_lowercase(), wanted.to_lowercase())
    } else {
        (text.to_owned(), wanted.to_owned())
    };
    if prefix {
        text.starts_with(&wanted)
    } else {
        text.ends_with(&wanted)
    }
}

fn equal(expected: &Value, value: &Value) -> bool {
    match (expected.as_f64(), value.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => expected == value,
    }
}

fn numeric(spec: &Value, number: f64) -> bool {
    let parts = spec.as_array().map(Vec::as_slice).unwrap_or_default();
    parts.chunks(2).all(|pair| {
        let bound = pair[1].as_f64().unwrap_or(f64::NAN);
        match pair[0].as_str() {
            Some("=") => number == bound,
            Some("<") => number < bound,
            Some("<=") => number <= bound,
            Some(">") => number > bound,
            Some(">=") => number >= bound,
            _ => false,
        }
    })
}

/// `*` matches any run of characters.
fn wildcard(glob: &str, text: &str) -> bool {
    let mut parts = glob.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (index, part) in parts.iter().enumerate() {
        if index == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[allow(clippy::needless_pass_by_value)]
    fn matches(pattern: Value, event: Value) -> bool {
        Pattern::new(pattern)
            .map(|pattern| pattern.matches(&event))
            .unwrap_or(false)
    }

    #[test]
    fn exact_prefix_suffix_and_case() {
        assert!(matches(
            json!({"source": ["a", "b"]}),
            json!({"source": "b"})
        ));
        assert!(!matches(json!({"source": ["a"]}), json!({"source": "b"})));
        assert!(matches(
            json!({"s": [{"prefix": "app."}]}),
            json!({"s": "app.todo"})
        ));
        assert!(matches(
            json!({"s": [{"prefix": {"equals-ignore-case": "APP."}}]}),
            json!({"s": "app.x"})
        ));
        assert!(matches(
            json!({"s": [{"suffix": ".png"}]}),
            json!({"s": "a.png"})
        ));
        assert!(matches(
            json!({"s": [{"equals-ignore-case": "TODO"}]}),
            json!({"s": "todo"})
        ));
        assert!(matches(
            json!({"s": [{"wildcard": "a*c*e"}]}),
            json!({"s": "abcde"})
        ));
        assert!(!matches(
            json!({"s": [{"wildcard": "a*c"}]}),
            json!({"s": "abcd"})
        ));
    }

    #[test]
    fn anything_but_numeric_and_exists() {
        assert!(matches(
            json!({"t": [{"anything-but": "X"}]}),
            json!({"t": "Y"})
        ));
        assert!(!matches(
            json!({"t": [{"anything-but": ["X", "Y"]}]}),
            json!({"t": "Y"})
        ));
        assert!(!matches(
            json!({"t": [{"anything-but": {"prefix": "Y"}}]}),
            json!({"t": "Yes"})
        ));
        assert!(!matches(json!({"t": [{"anything-but": "X"}]}), json!({})));
        assert!(matches(
            json!({"n": [{"numeric": [">", 0, "<=", 5]}]}),
            json!({"n": 5})
        ));
        assert!(!matches(
            json!({"n": [{"numeric": [">", 0, "<=", 5]}]}),
            json!({"n": 0})
        ));
        assert!(matches(json!({"n": [{"exists": false}]}), json!({})));
        assert!(matches(
            json!({"n": [{"exists": true}]}),
            json!({"n": null})
        ));
        assert!(!matches(json!({"n": [{"exists": true}]}), json!({})));
    }

    #[test]
    fn nesting_arrays_and_or() {
        let pattern = json!({"detail": {"tags": ["red"]}});
        assert!(matches(
            pattern.clone(),
            json!({"detail": {"tags": ["blue", "red"]}})
        ));
        assert!(!matches(pattern, json!({"detail": {}})));
        let or = json!({"$or": [{"a": [1]}, {"b": [2]}]});
        assert!(matches(or.clone(), json!({"b": 2})));
        assert!(!matches(or, json!({"a": 2})));
        assert!(matches(json!({"n": [3]}), json!({"n": 3.0})));
    }

    #[test]
    fn invalid_patterns_are_refused() {
        assert!(Pattern::new(json!(["x"])).is_err());
        assert!(Pattern::new(json!({"a": "x"})).is_err());
        assert!(Pattern::new(json!({"a": [{"numeric": [">"]}]})).is_err());
        assert!(Pattern::new(json!({"a": [{"cidr": "10.0.0.0/24"}]})).is_err());
    }
}
