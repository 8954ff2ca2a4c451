//! DynamoDB expressions with `#name` and `:value` placeholders.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue as AwsValue;
use serde_dynamo::AttributeValue;

use crate::key::attr;
use crate::{Condition, SortKey, Update};

/// The placeholders of one request, shared by all its expressions (DynamoDB refuses a request
/// with an unused placeholder, or one defined twice).
#[derive(Debug, Default)]
pub(super) struct Expressions {
    names: HashMap<String, String>,
    values: HashMap<String, AwsValue>,
}

/// `ExpressionAttributeNames` and `ExpressionAttributeValues`, `None` when empty.
pub(super) type Parts = (
    Option<HashMap<String, String>>,
    Option<HashMap<String, AwsValue>>,
);

impl Expressions {
    /// `pk = :pk`, with the sort-key condition when there is one, on the given attributes.
    pub(super) fn key_condition(
        &mut self,
        (pk_name, sk_name): (&str, &str),
        pk: &str,
        sk: Option<&SortKey>,
    ) -> String {
        let partition = format!("{} = {}", self.name(pk_name), self.text(pk));
        let Some(sk) = sk else {
            return partition;
        };
        let name = self.name(sk_name);
        let range = match sk {
            SortKey::BeginsWith(prefix) => format!("begins_with({name}, {})", self.text(prefix)),
            SortKey::Between(low, high) => {
                format!("{name} BETWEEN {} AND {}", self.text(low), self.text(high))
            }
            other => {
                let value = self.text(other.values()[0]);
                format!("{name} {} {value}", other.operator())
            }
        };
        format!("{partition} AND {range}")
    }

    /// The expression for a condition or filter.
    pub(super) fn condition(&mut self, condition: &Condition) -> String {
        match condition {
            Condition::Exists => format!("attribute_exists({})", self.name(attr::PK)),
            Condition::NotExists => format!("attribute_not_exists({})", self.name(attr::PK)),
            Condition::AttributeExists(name) => format!("attribute_exists({})", self.name(name)),
            Condition::AttributeNotExists(name) => {
                format!("attribute_not_exists({})", self.name(name))
            }
            Condition::Compare(name, comparison, value) => {
                let (name, value) = (self.name(name), self.value(value.clone()));
                format!("{name} {} {value}", comparison.operator())
            }
            Condition::BeginsWith(name, prefix) => {
                format!("begins_with({}, {})", self.name(name), self.text(prefix))
            }
            Condition::Between(name, low, high) => {
                let name = self.name(name);
                let (low, high) = (self.value(low.clone()), self.value(high.clone()));
                format!("{name} BETWEEN {low} AND {high}")
            }
            Condition::And(left, right) => {
                format!("({}) AND ({})", self.condition(left), self.condition(right))
            }
            Condition::Or(left, right) => {
                format!("({}) OR ({})", self.condition(left), self.condition(right))
            }
            Condition::Not(inner) => format!("NOT ({})", self.condition(inner)),
        }
    }

    /// `SET a = :v, ... REMOVE b, ... ADD c :w, ...`.
    pub(super) fn update(&mut self, update: &Update) -> String {
        let mut clauses = Vec::new();
        if !update.set.is_empty() {
            let set: Vec<String> = update
                .set
                .iter()
                .map(|(name, value)| format!("{} = {}", self.name(name), self.value(value.clone())))
                .collect();
            clauses.push(format!("SET {}", set.join(", ")));
        }
        if !update.remove.is_empty() {
            let remove: Vec<String> = update.remove.iter().map(|name| self.name(name)).collect();
            clauses.push(format!("REMOVE {}", remove.join(", ")));
        }
        if !update.add.is_empty() {
            let add: Vec<String> = update
                .add
                .iter()
                .map(|(name, value)| format!("{} {}", self.name(name), self.value(value.clone())))
                .collect();
            clauses.push(format!("ADD {}", add.join(", ")));
        }
        clauses.join(" ")
    }

    /// `#a, #b` for a projection.
    pub(super) fn projection(&mut self, names: &[String]) -> String {
        let names: Vec<String> = names.iter().map(|name| self.name(name)).collect();
        names.join(", ")
    }

    /// The placeholder maps, ready for the request builder.
    pub(super) fn into_parts(self) -> Parts {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        (names, values)
    }

    /// The placeholder for an attribute name, reused when the name appears again.
    fn name(&mut self, name: &str) -> String {
        let existing = self.names.iter().find(|(_, known)| *known == name);
        if let Some((placeholder, _)) = existing {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        placeholder
    }

    fn text(&mut self, text: &str) -> String {
        self.value(AttributeValue::S(text.to_owned()))
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value.into());
        placeholder
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_reused_and_values_are_not() {
        let mut expressions = Expressions::default();
        let guard =
            Condition::NotExists.or(Condition::type_is("Todo").and(Condition::version_is(3)));

        let prefix = SortKey::BeginsWith("T#".into());
        let key_condition = expressions.key_condition(("pk", "sk"), "P", Some(&prefix));
        let condition = expressions.condition(&guard);
        assert_eq!(key_condition, "#n0 = :v0 AND begins_with(#n1, :v1)");
        assert_eq!(
            condition,
            "(attribute_not_exists(#n0)) OR ((#n2 = :v2) AND (#n3 = :v3))"
        );

        let (names, values) = expressions.into_parts();
        assert_eq!(names.unwrap()["#n2"], attr::TYPE);
        assert_eq!(values.unwrap()[":v3"], AwsValue::N("3".into()));
    }

    #[test]
    fn sort_key_operators_and_updates_render() {
        let mut expressions = Expressions::default();
        let at_most = SortKey::AtMost("b".into());
        let key = expressions.key_condition(("gsi1pk", "gsi1sk"), "G", Some(&at_most));
        assert_eq!(key, "#n0 = :v0 AND #n1 <= :v1");

        let update = Update::new()
            .set("title", AttributeValue::S("x".into()))
            .remove("gone")
            .add("count", AttributeValue::N("1".into()));
        assert_eq!(
            expressions.update(&update),
            "SET #n2 = :v2 REMOVE #n3 ADD #n4 :v3"
        );
    }

    #[test]
    fn no_placeholders_means_no_maps() {
        assert_eq!(Expressions::default().into_parts(), (None, None));
    }
}
