//! What this crate needs to know about a schema's types, read once from its SDL.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{Type, TypeKind, TypeSystemDefinition};

/// The types of a schema, as far as entities and null propagation need them.
#[derive(Debug, Default)]
pub(crate) struct SchemaTypes {
    /// The members of the `_Entity` union; `None` when the schema has no entities or its SDL
    /// could not be read (representations are then left to async-graphql to judge).
    entity_types: Option<HashSet<String>>,
    /// The type of each field, by object or interface type and field name.
    fields: HashMap<String, HashMap<String, Type>>,
}

impl SchemaTypes {
    /// Reads the types from SDL as `Schema::sdl` exports it.
    pub(crate) fn from_sdl(sdl: &str) -> Self {
        let document = match async_graphql::parser::parse_schema(sdl) {
            Ok(document) => document,
            Err(error) => {
                tracing::warn!(target: "stack_graphql", %error, "could not read the schema's SDL");
                return Self::default();
            }
        };
        let mut types = Self::default();
        for definition in document.definitions {
            if let TypeSystemDefinition::Type(definition) = definition {
                types.add(definition.node.name.node.as_str(), definition.node.kind);
            }
        }
        types
    }

    fn add(&mut self, name: &str, kind: TypeKind) {
        match kind {
            TypeKind::Object(object) => self.add_fields(name, object.fields),
            TypeKind::Interface(interface) => self.add_fields(name, interface.fields),
            TypeKind::Union(union) if name == "_Entity" => {
                let members = union
                    .members
                    .into_iter()
                    .map(|member| member.node.to_string());
                self.entity_types = Some(members.collect());
            }
            _ => {}
        }
    }

    fn add_fields(
        &mut self,
        name: &str,
        fields: Vec<async_graphql::Positioned<async_graphql::parser::types::FieldDefinition>>,
    ) {
        let known = self.fields.entry(name.to_owned()).or_default();
        for field in fields {
            known.insert(field.node.name.node.to_string(), field.node.ty.node);
        }
    }

    /// The entity types, when known.
    pub(crate) fn entity_types(&self) -> Option<&HashSet<String>> {
        self.entity_types.as_ref()
    }

    /// The declared type of `field` on `owner`.
    pub(crate) fn field_type(&self, owner: &str, field: &str) -> Option<&Type> {
        self.fields.get(owner)?.get(field)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_entity_types_are_read() {
        let sdl = "type A { id: ID! tags: [String]! } interface I { id: ID } union _Entity = A";
        let types = SchemaTypes::from_sdl(sdl);
        assert_eq!(
            types
                .field_type("A", "id")
                .map(ToString::to_string)
                .as_deref(),
            Some("ID!")
        );
        assert_eq!(
            types
                .field_type("A", "tags")
                .map(ToString::to_string)
                .as_deref(),
            Some("[String]!")
        );
        assert_eq!(types.field_type("I", "id").map(|t| t.nullable), Some(true));
        assert_eq!(types.entity_types(), Some(&["A".to_owned()].into()));
    }

    #[test]
    fn unreadable_sdl_knows_nothing() {
        let types = SchemaTypes::from_sdl("type {");
        assert!(types.entity_types().is_none());
        assert!(types.field_type("A", "id").is_none());
    }
}
