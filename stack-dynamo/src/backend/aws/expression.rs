//! DynamoDB expressions with `#name` and `:value` placeholders.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue as AwsValue;
use serde_dynamo::AttributeValue;

use crate::Condition;
use crate::key::attr;

/// The placeholders of one request, shared by all its expressions (DynamoDB refuses a request
/// with an unused placeholder, or one defined twice).
#[derive(Debug, Default)]
pub(super) struct Expressions {
    names: HashMap<String, String>,
    values: HashMap<String, AwsValue>,
}

/// `ExpressionAttributeNames` and `ExpressionAttributeValues`, `None` when empty.
type Parts = (
    Option<HashMap<String, String>>,
    Option<HashMap<String, AwsValue>>,
);

impl Expressions {
    /// `pk = :pk`, with `AND begins_with(sk, :prefix)` when there is a prefix.
    pub(super) fn key_condition(&mut self, pk: &str, sk_prefix: Option<&str>) -> String {
        let partition = self.equals(attr::PK, AttributeValue::S(pk.to_owned()));
        let Some(prefix) = sk_prefix else {
            return partition;
        };
        let name = self.name(attr::SK);
        let value = self.value(AttributeValue::S(prefix.to_owned()));
        format!("{partition} AND begins_with({name}, {value})")
    }

    /// The expression for a condition or filter.
    pub(super) fn condition(&mut self, condition: &Condition) -> String {
        match condition {
            Condition::Exists => format!("attribute_exists({})", self.name(attr::PK)),
            Condition::NotExists => format!("attribute_not_exists({})", self.name(attr::PK)),
            Condition::Equals(name, value) => self.equals(name, value.clone()),
            Condition::And(left, right) => {
                format!("({}) AND ({})", self.condition(left), self.condition(right))
            }
            Condition::Or(left, right) => {
                format!("({}) OR ({})", self.condition(left), self.condition(right))
            }
        }
    }

    /// The placeholder maps, ready for the request builder.
    pub(super) fn into_parts(self) -> Parts {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        (names, values)
    }

    fn equals(&mut self, name: &str, value: AttributeValue) -> String {
        format!("{} = {}", self.name(name), self.value(value))
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

        let key_condition = expressions.key_condition("P", Some("T#"));
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
    fn no_placeholders_means_no_maps() {
        assert_eq!(Expressions::default().into_parts(), (None, None));
    }
}
