//! Variable values coerced as the GraphQL specification's `CoerceVariableValues` asks, before
//! any subgraph sees them.
//!
//! Each variable the operation defines gets its value, or its default, or an error; values
//! are checked and converted against the public schema: integers must fit 32 bits, IDs
//! become strings, enum values must be public ones, input objects get their fields' defaults
//! and refuse unknown fields, and a single value where a list is expected becomes a list of
//! one. Custom scalars pass as they are: only the subgraph that defines them knows their
//! rules. Variables the operation does not define are dropped.

use async_graphql::Positioned;
use async_graphql::parser::types::{BaseType, Type, VariableDefinition};
use graphql_tools::static_graphql::schema::{InputValue, TypeDefinition};
use serde_json::{Map, Number, Value, json};
use stack_core::ErrorKind;

use super::schema::{self, PublicSchema};

/// At most this many errors are reported for one request.
const MAX_ERRORS: usize = 50;

/// Values quoted in error messages are cut to this many characters.
const MAX_QUOTED: usize = 80;

/// Coerces `given` for the variables `definitions` declares.
///
/// # Errors
///
/// GraphQL errors (`extensions.code` `BAD_USER_INPUT`) naming each variable whose value is
/// missing or invalid, and the path inside it.
pub(crate) fn coerce(
    schema: &PublicSchema,
    definitions: &[Positioned<VariableDefinition>],
    mut given: Map<String, Value>,
) -> Result<Map<String, Value>, Vec<Value>> {
    let mut coerced = Map::new();
    let mut errors = Vec::new();
    for definition in definitions {
        let name = definition.node.name.node.as_str();
        let coercion = Coercion { schema };
        let ty = &definition.node.var_type.node;
        let value = match (given.remove(name), &definition.node.default_value) {
            (None, Some(default)) => match default.node.clone().into_json() {
                Ok(default) => coercion.value(ty, default, &mut Path::new(name)),
                Err(_) => Err(Invalid::at(&Path::new(name), "the default is not valid")),
            },
            (None, None) if !ty.nullable => Err(Invalid::missing(name, ty)),
            (None, None) => continue,
            (Some(Value::Null), _) if !ty.nullable => Err(Invalid::null(name, ty)),
            (Some(value), _) => coercion.value(ty, value, &mut Path::new(name)),
        };
        match value {
            Ok(value) => {
                coerced.insert(name.to_owned(), value);
            }
            Err(invalid) => errors.push(invalid.into_error(name, definition)),
        }
        if errors.len() >= MAX_ERRORS {
            break;
        }
    }
    if errors.is_empty() {
        Ok(coerced)
    } else {
        Err(errors)
    }
}

/// Where in a variable's value coercion is: `input.items[2].size`.
struct Path {
    text: String,
}

impl Path {
    fn new(variable: &str) -> Self {
        Self {
            text: variable.to_owned(),
        }
    }

    /// Runs `step` one field deeper, then comes back.
    fn field<T>(&mut self, name: &str, step: impl FnOnce(&mut Self) -> T) -> T {
        let length = self.text.len();
        self.text.push('.');
        self.text.push_str(name);
        let result = step(self);
        self.text.truncate(length);
        result
    }

    /// Runs `step` one list item deeper, then comes back.
    fn index<T>(&mut self, index: usize, step: impl FnOnce(&mut Self) -> T) -> T {
        let length = self.text.len();
        self.text.push_str(&format!("[{index}]"));
        let result = step(self);
        self.text.truncate(length);
        result
    }
}

/// Why a variable's value was refused, and where.
#[derive(Debug)]
struct Invalid {
    /// The path inside the value; `None` for the variable as a whole.
    at: Option<String>,
    reason: String,
}

impl Invalid {
    fn at(path: &Path, reason: impl Into<String>) -> Self {
        Self {
            at: Some(path.text.clone()),
            reason: reason.into(),
        }
    }

    fn missing(variable: &str, ty: &Type) -> Self {
        Self {
            at: None,
            reason: format!("Variable \"${variable}\" of required type \"{ty}\" was not provided."),
        }
    }

    fn null(variable: &str, ty: &Type) -> Self {
        Self {
            at: None,
            reason: format!("Variable \"${variable}\" of non-null type \"{ty}\" must not be null."),
        }
    }

    fn into_error(self, variable: &str, definition: &Positioned<VariableDefinition>) -> Value {
        let message = match self.at {
            None => self.reason,
            Some(at) if at == variable => {
                format!(
                    "Variable \"${variable}\" got invalid value: {}",
                    self.reason
                )
            }
            Some(at) => {
                format!(
                    "Variable \"${variable}\" got invalid value at \"{at}\": {}",
                    self.reason
                )
            }
        };
        let position = definition.pos;
        json!({
            "message": message,
            "locations": [{ "line": position.line, "column": position.column }],
            "extensions": { "code": ErrorKind::BadUserInput.graphql_code() },
        })
    }
}

/// Coerces the value of one variable.
struct Coercion<'a> {
    schema: &'a PublicSchema,
}

impl Coercion<'_> {
    fn value(&self, ty: &Type, value: Value, path: &mut Path) -> Result<Value, Invalid> {
        if value.is_null() {
            if ty.nullable {
                return Ok(Value::Null);
            }
            let reason = format!("Expected non-nullable type \"{ty}\" not to be null.");
            return Err(Invalid::at(path, reason));
        }
        match &ty.base {
            BaseType::List(item) => self.list(item, value, path),
            BaseType::Named(name) => self.named(name, value, path),
        }
    }

    fn list(&self, item: &Type, value: Value, path: &mut Path) -> Result<Value, Invalid> {
        let Value::Array(items) = value else {
            // A single value where a list is expected is a list of one.
            return Ok(Value::Array(vec![self.value(item, value, path)?]));
        };
        let coerced = items
            .into_iter()
            .enumerate()
            .map(|(index, value)| path.index(index, |path| self.value(item, value, path)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Value::Array(coerced))
    }

    fn named(&self, name: &str, value: Value, path: &mut Path) -> Result<Value, Invalid> {
        match name {
            "Int" => int(&value).map_err(|reason| Invalid::at(path, reason)),
            "Float" => float(&value).map_err(|reason| Invalid::at(path, reason)),
            "String" => string(value).map_err(|reason| Invalid::at(path, reason)),
            "Boolean" => boolean(value).map_err(|reason| Invalid::at(path, reason)),
            "ID" => id(value).map_err(|reason| Invalid::at(path, reason)),
            _ => match self.schema.named(name) {
                Some(TypeDefinition::Scalar(_)) => Ok(value),
                Some(TypeDefinition::Enum(enumeration)) => {
                    let values = enumeration.values.iter().map(|v| v.name.as_str());
                    enum_value(name, values, value).map_err(|reason| Invalid::at(path, reason))
                }
                Some(TypeDefinition::InputObject(input)) => {
                    let is_one_of = schema::directive(&input.directives, "oneOf").is_some();
                    self.input_object(name, &input.fields, is_one_of, value, path)
                }
                Some(_) | None => {
                    let reason = format!("\"{name}\" is not an input type of this schema.");
                    Err(Invalid::at(path, reason))
                }
            },
        }
    }

    fn input_object(
        &self,
        name: &str,
        definitions: &[InputValue],
        is_one_of: bool,
        value: Value,
        path: &mut Path,
    ) -> Result<Value, Invalid> {
        let Value::Object(mut given) = value else {
            let reason = format!("Expected type \"{name}\" to be an object.");
            return Err(Invalid::at(path, reason));
        };
        if let Some(unknown) = given
            .keys()
            .find(|key| !definitions.iter().any(|d| d.name == **key))
        {
            let reason = format!("Field \"{unknown}\" is not defined by type \"{name}\".");
            return Err(Invalid::at(path, reason));
        }
        if is_one_of {
            check_one_of(name, &given).map_err(|reason| Invalid::at(path, reason))?;
        }
        let mut coerced = Map::new();
        for definition in definitions {
            let field = definition.name.as_str();
            let ty = field_type(&definition.value_type);
            let value = match (given.remove(field), &definition.default_value) {
                (None, Some(default)) => graphql_to_json(default),
                (None, None) if !ty.nullable => {
                    let reason =
                        format!("Field \"{field}\" of required type \"{ty}\" was not provided.");
                    return Err(Invalid::at(path, reason));
                }
                (None, None) => continue,
                (Some(value), _) => value,
            };
            let value = path.field(field, |path| self.value(&ty, value, path))?;
            coerced.insert(field.to_owned(), value);
        }
        Ok(Value::Object(coerced))
    }
}

/// A OneOf input object: exactly one field, and not null.
fn check_one_of(name: &str, given: &Map<String, Value>) -> Result<(), String> {
    match given.iter().next() {
        Some((field, value)) if given.len() == 1 => {
            if value.is_null() {
                Err(format!(
                    "Field \"{field}\" of OneOf type \"{name}\" must be non-null."
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(format!(
            "Exactly one field must be given for OneOf type \"{name}\"."
        )),
    }
}

fn int(value: &Value) -> Result<Value, String> {
    let number = value.as_number();
    let int = number
        .and_then(integral)
        .and_then(|int| i32::try_from(int).ok());
    let whole = number
        .and_then(Number::as_f64)
        .is_some_and(|float| float.fract() == 0.0);
    match int {
        Some(int) => Ok(Value::from(int)),
        None if whole => Err(format!(
            "Int cannot represent non 32-bit signed integer value: {}",
            quote(value)
        )),
        None => Err(format!(
            "Int cannot represent non-integer value: {}",
            quote(value)
        )),
    }
}

fn float(value: &Value) -> Result<Value, String> {
    match value.as_number().and_then(Number::as_f64) {
        Some(float) if float.is_finite() => Ok(Value::from(float)),
        _ => Err(format!(
            "Float cannot represent non numeric value: {}",
            quote(value)
        )),
    }
}

fn string(value: Value) -> Result<Value, String> {
    match value {
        Value::String(_) => Ok(value),
        _ => Err(format!(
            "String cannot represent a non string value: {}",
            quote(&value)
        )),
    }
}

fn boolean(value: Value) -> Result<Value, String> {
    match value {
        Value::Bool(_) => Ok(value),
        _ => Err(format!(
            "Boolean cannot represent a non boolean value: {}",
            quote(&value)
        )),
    }
}

fn id(value: Value) -> Result<Value, String> {
    if let Value::String(_) = value {
        return Ok(value);
    }
    match value.as_number().and_then(integral) {
        Some(int) => Ok(Value::String(int.to_string())),
        None => Err(format!("ID cannot represent value: {}", quote(&value))),
    }
}

fn enum_value<'v>(
    name: &str,
    mut values: impl Iterator<Item = &'v str>,
    value: Value,
) -> Result<Value, String> {
    let known = value
        .as_str()
        .is_some_and(|given| values.any(|known| known == given));
    if known {
        Ok(value)
    } else if value.is_string() {
        Err(format!(
            "Value {} does not exist in \"{name}\" enum.",
            quote(&value)
        ))
    } else {
        Err(format!(
            "Enum \"{name}\" cannot represent non-string value: {}",
            quote(&value)
        ))
    }
}

/// The integer a JSON number stands for: integers, and floats without a fraction (`3.0`),
/// which JSON cannot tell apart.
fn integral(number: &Number) -> Option<i64> {
    if let Some(int) = number.as_i64() {
        return Some(int);
    }
    let float = number.as_f64()?;
    let in_range = (-9_007_199_254_740_991.0..=9_007_199_254_740_991.0).contains(&float);
    (float.fract() == 0.0 && in_range).then_some(float as i64)
}

/// A value as JSON for a message, cut when long.
fn quote(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(MAX_QUOTED) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// The type of an input field, in the form variable types have.
fn field_type(ty: &graphql_tools::static_graphql::schema::Type) -> Type {
    use graphql_tools::static_graphql::schema::Type as Ast;
    match ty {
        Ast::NamedType(name) => Type {
            base: BaseType::Named(async_graphql::Name::new(name)),
            nullable: true,
        },
        Ast::ListType(item) => Type {
            base: BaseType::List(Box::new(field_type(item))),
            nullable: true,
        },
        Ast::NonNullType(inner) => Type {
            nullable: false,
            ..field_type(inner)
        },
    }
}

/// A default value of the schema as the JSON a client would have sent.
fn graphql_to_json(value: &graphql_tools::static_graphql::schema::Value) -> Value {
    use graphql_tools::static_graphql::schema::Value as Literal;
    match value {
        Literal::Variable(_) | Literal::Null => Value::Null,
        Literal::Int(number) => number.as_i64().map_or(Value::Null, Value::from),
        Literal::Float(float) => Value::from(*float),
        Literal::String(text) => Value::String(text.clone()),
        Literal::Boolean(flag) => Value::Bool(*flag),
        Literal::Enum(name) => Value::String(name.clone()),
        Literal::List(items) => Value::Array(items.iter().map(graphql_to_json).collect()),
        Literal::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| (name.clone(), graphql_to_json(value)))
                .collect(),
        ),
    }
}
