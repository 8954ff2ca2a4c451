//! The introspection types (`__Schema`, `__Type`, ...) resolved over the public schema.

use async_graphql::parser::types::Field;
use graphql_tools::static_graphql::schema::{
    self as ast, DirectiveDefinition, EnumValue, InputValue, TypeDefinition,
};
use serde_json::{Map, Value};

use super::collect::{Collector, Grouped, selection_sets};
use super::literal;
use crate::router::schema::{self, PublicSchema};

/// The reason `@deprecated` gives when it names none.
const DEFAULT_DEPRECATION: &str = "No longer supported";

/// An object of an introspection type.
#[derive(Clone, Copy)]
pub(super) enum Node<'s> {
    Schema,
    Type(TypeRef<'s>),
    Field(&'s ast::Field),
    InputValue(&'s InputValue),
    EnumValue(&'s EnumValue),
    Directive(&'s DirectiveDefinition),
}

/// A `__Type`: a named type of the schema, or a list or non-null wrapper of a type.
#[derive(Clone, Copy)]
pub(super) enum TypeRef<'s> {
    Named(&'s TypeDefinition),
    List(&'s ast::Type),
    NonNull(&'s ast::Type),
}

impl Node<'_> {
    fn typename(self) -> &'static str {
        match self {
            Self::Schema => "__Schema",
            Self::Type(_) => "__Type",
            Self::Field(_) => "__Field",
            Self::InputValue(_) => "__InputValue",
            Self::EnumValue(_) => "__EnumValue",
            Self::Directive(_) => "__Directive",
        }
    }
}

/// Resolves introspection selections against the public schema.
pub(super) struct Resolver<'a> {
    pub(super) schema: &'a PublicSchema,
    pub(super) collector: Collector<'a>,
}

impl<'a> Resolver<'a> {
    /// The object `node` with the fields grouped under one response key (`fields`) selected.
    pub(super) fn object(&self, node: Node<'a>, fields: &[&'a Field]) -> Value {
        let selected = self
            .collector
            .collect(node.typename(), &selection_sets(fields));
        Value::Object(self.fields(node, &selected))
    }

    /// `object` for an optional node: null when there is none.
    pub(super) fn optional(&self, node: Option<Node<'a>>, fields: &[&'a Field]) -> Value {
        node.map_or(Value::Null, |node| self.object(node, fields))
    }

    fn list(&self, nodes: impl Iterator<Item = Node<'a>>, fields: &[&'a Field]) -> Value {
        Value::Array(nodes.map(|node| self.object(node, fields)).collect())
    }

    fn fields(&self, node: Node<'a>, selected: &Grouped<'a>) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, fields) in selected {
            let Some(first) = fields.first() else {
                continue;
            };
            let name = first.name.node.as_str();
            let value = if name == "__typename" {
                Value::String(node.typename().to_owned())
            } else {
                self.field(node, name, first, fields)
            };
            out.insert((*key).to_owned(), value);
        }
        out
    }

    fn field(&self, node: Node<'a>, name: &str, first: &Field, fields: &[&'a Field]) -> Value {
        match node {
            Node::Schema => self.schema_field(name, first, fields),
            Node::Type(ty) => self.type_field(ty, name, first, fields),
            Node::Field(field) => self.field_field(field, name, first, fields),
            Node::InputValue(value) => self.input_value_field(value, name, fields),
            Node::EnumValue(value) => enum_value_field(value, name),
            Node::Directive(directive) => self.directive_field(directive, name, first, fields),
        }
    }

    /// A field of `__Schema`, also used for `__type(name:)` at the root.
    pub(super) fn schema_field(&self, name: &str, first: &Field, fields: &[&'a Field]) -> Value {
        let root = |name: Option<&str>| name.and_then(|name| self.named(name));
        match name {
            "types" => self.list(self.schema.types().map(named), fields),
            "queryType" => self.optional(root(Some(self.schema.query_type())), fields),
            "mutationType" => self.optional(root(self.schema.mutation_type()), fields),
            "subscriptionType" => self.optional(root(self.schema.subscription_type()), fields),
            "directives" => self.list(self.schema.directives().map(Node::Directive), fields),
            "__type" => {
                let name = self.collector.argument(first, "name");
                self.optional(name.as_str().and_then(|name| self.named(name)), fields)
            }
            _ => Value::Null,
        }
    }

    fn type_field(
        &self,
        ty: TypeRef<'a>,
        name: &str,
        first: &Field,
        fields: &[&'a Field],
    ) -> Value {
        let definition = match ty {
            TypeRef::Named(definition) => definition,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => {
                return match name {
                    "kind" => kind(ty).into(),
                    "ofType" => self.optional(self.type_node(inner), fields),
                    _ => Value::Null,
                };
            }
        };
        let include_deprecated = self.include_deprecated(first);
        match (name, definition) {
            ("kind", _) => kind(ty).into(),
            ("name", _) => schema::type_name(definition).into(),
            ("description", _) => description(type_description(definition)),
            ("specifiedByURL", TypeDefinition::Scalar(scalar)) => {
                let url = schema::directive(&scalar.directives, "specifiedBy")
                    .and_then(|directive| argument(directive, "url"))
                    .and_then(text);
                url.map_or(Value::Null, Value::from)
            }
            ("fields", TypeDefinition::Object(object)) => {
                self.output_fields(&object.fields, include_deprecated, fields)
            }
            ("fields", TypeDefinition::Interface(interface)) => {
                self.output_fields(&interface.fields, include_deprecated, fields)
            }
            ("interfaces", TypeDefinition::Object(object)) => {
                self.interfaces(&object.implements_interfaces, fields)
            }
            ("interfaces", TypeDefinition::Interface(interface)) => {
                self.interfaces(&interface.implements_interfaces, fields)
            }
            ("possibleTypes", TypeDefinition::Interface(interface)) => {
                let objects = self.schema.implementations(&interface.name);
                self.objects(objects, fields)
            }
            ("possibleTypes", TypeDefinition::Union(union)) => self.objects(&union.types, fields),
            ("enumValues", TypeDefinition::Enum(enumeration)) => {
                let values = enumeration.values.iter();
                let shown = values.filter(|v| include_deprecated || !deprecated(&v.directives));
                self.list(shown.map(Node::EnumValue), fields)
            }
            ("inputFields", TypeDefinition::InputObject(input)) => {
                self.input_values(&input.fields, include_deprecated, fields)
            }
            ("isOneOf", TypeDefinition::InputObject(input)) => {
                schema::directive(&input.directives, "oneOf")
                    .is_some()
                    .into()
            }
            _ => Value::Null,
        }
    }

    fn field_field(
        &self,
        field: &'a ast::Field,
        name: &str,
        first: &Field,
        fields: &[&'a Field],
    ) -> Value {
        match name {
            "name" => field.name.as_str().into(),
            "description" => description(field.description.as_ref()),
            "args" => {
                let include_deprecated = self.include_deprecated(first);
                self.input_values(&field.arguments, include_deprecated, fields)
            }
            "type" => self.optional(self.type_node(&field.field_type), fields),
            "isDeprecated" => deprecated(&field.directives).into(),
            "deprecationReason" => deprecation_reason(&field.directives),
            _ => Value::Null,
        }
    }

    fn input_value_field(&self, value: &'a InputValue, name: &str, fields: &[&'a Field]) -> Value {
        match name {
            "name" => value.name.as_str().into(),
            "description" => description(value.description.as_ref()),
            "type" => self.optional(self.type_node(&value.value_type), fields),
            "defaultValue" => value
                .default_value
                .as_ref()
                .map_or(Value::Null, |default| literal::print(default).into()),
            "isDeprecated" => deprecated(&value.directives).into(),
            "deprecationReason" => deprecation_reason(&value.directives),
            _ => Value::Null,
        }
    }

    fn directive_field(
        &self,
        directive: &'a DirectiveDefinition,
        name: &str,
        first: &Field,
        fields: &[&'a Field],
    ) -> Value {
        match name {
            "name" => directive.name.as_str().into(),
            "description" => description(directive.description.as_ref()),
            "locations" => Value::Array(
                directive
                    .locations
                    .iter()
                    .map(|location| location.as_str().into())
                    .collect(),
            ),
            "args" => {
                let include_deprecated = self.include_deprecated(first);
                self.input_values(&directive.arguments, include_deprecated, fields)
            }
            "isRepeatable" => directive.repeatable.into(),
            _ => Value::Null,
        }
    }

    fn output_fields(
        &self,
        definitions: &'a [ast::Field],
        include_deprecated: bool,
        fields: &[&'a Field],
    ) -> Value {
        // The consumer schema adds `__schema` and `__type` to the query type; they are
        // introspection's own fields, not part of the type.
        let shown = definitions.iter().filter(|field| {
            !field.name.starts_with("__") && (include_deprecated || !deprecated(&field.directives))
        });
        self.list(shown.map(Node::Field), fields)
    }

    fn input_values(
        &self,
        values: &'a [InputValue],
        include_deprecated: bool,
        fields: &[&'a Field],
    ) -> Value {
        let shown = values
            .iter()
            .filter(|value| include_deprecated || !deprecated(&value.directives));
        self.list(shown.map(Node::InputValue), fields)
    }

    /// The interfaces among `names` that the public schema has.
    fn interfaces(&self, names: &'a [String], fields: &[&'a Field]) -> Value {
        let interfaces = names
            .iter()
            .filter_map(|name| match self.schema.named(name) {
                Some(definition @ TypeDefinition::Interface(_)) => Some(named(definition)),
                _ => None,
            });
        self.list(interfaces, fields)
    }

    /// The object types among `names` that the public schema has.
    fn objects(&self, names: &'a [String], fields: &[&'a Field]) -> Value {
        let objects = names
            .iter()
            .filter_map(|name| match self.schema.named(name) {
                Some(definition @ TypeDefinition::Object(_)) => Some(named(definition)),
                _ => None,
            });
        self.list(objects, fields)
    }

    fn named(&self, name: &str) -> Option<Node<'a>> {
        self.schema.named(name).map(named)
    }

    fn type_node(&self, ty: &'a ast::Type) -> Option<Node<'a>> {
        let reference = match ty {
            ast::Type::NamedType(name) => TypeRef::Named(self.schema.named(name)?),
            ast::Type::ListType(inner) => TypeRef::List(inner),
            ast::Type::NonNullType(inner) => TypeRef::NonNull(inner),
        };
        Some(Node::Type(reference))
    }

    fn include_deprecated(&self, field: &Field) -> bool {
        self.collector
            .argument(field, "includeDeprecated")
            .as_bool()
            .unwrap_or(false)
    }
}

fn named(definition: &TypeDefinition) -> Node<'_> {
    Node::Type(TypeRef::Named(definition))
}

fn enum_value_field(value: &EnumValue, name: &str) -> Value {
    match name {
        "name" => value.name.as_str().into(),
        "description" => description(value.description.as_ref()),
        "isDeprecated" => deprecated(&value.directives).into(),
        "deprecationReason" => deprecation_reason(&value.directives),
        _ => Value::Null,
    }
}

fn kind(ty: TypeRef<'_>) -> &'static str {
    match ty {
        TypeRef::List(_) => "LIST",
        TypeRef::NonNull(_) => "NON_NULL",
        TypeRef::Named(TypeDefinition::Scalar(_)) => "SCALAR",
        TypeRef::Named(TypeDefinition::Object(_)) => "OBJECT",
        TypeRef::Named(TypeDefinition::Interface(_)) => "INTERFACE",
        TypeRef::Named(TypeDefinition::Union(_)) => "UNION",
        TypeRef::Named(TypeDefinition::Enum(_)) => "ENUM",
        TypeRef::Named(TypeDefinition::InputObject(_)) => "INPUT_OBJECT",
    }
}

fn type_description(definition: &TypeDefinition) -> Option<&String> {
    match definition {
        TypeDefinition::Scalar(t) => t.description.as_ref(),
        TypeDefinition::Object(t) => t.description.as_ref(),
        TypeDefinition::Interface(t) => t.description.as_ref(),
        TypeDefinition::Union(t) => t.description.as_ref(),
        TypeDefinition::Enum(t) => t.description.as_ref(),
        TypeDefinition::InputObject(t) => t.description.as_ref(),
    }
}

fn description(text: Option<&String>) -> Value {
    text.map_or(Value::Null, |text| text.as_str().into())
}

fn deprecated(directives: &[ast::Directive]) -> bool {
    schema::directive(directives, "deprecated").is_some()
}

fn deprecation_reason(directives: &[ast::Directive]) -> Value {
    let Some(directive) = schema::directive(directives, "deprecated") else {
        return Value::Null;
    };
    let reason = argument(directive, "reason").and_then(text);
    reason.unwrap_or(DEFAULT_DEPRECATION).into()
}

fn argument<'d>(directive: &'d ast::Directive, name: &str) -> Option<&'d ast::Value> {
    directive
        .arguments
        .iter()
        .find(|(argument, _)| argument == name)
        .map(|(_, value)| value)
}

fn text(value: &ast::Value) -> Option<&str> {
    match value {
        ast::Value::String(text) => Some(text),
        _ => None,
    }
}
