//! Default values printed as GraphQL literals, as `__InputValue.defaultValue` reports them.

use std::fmt::Write as _;

use graphql_tools::static_graphql::schema::Value;

/// `value` as GraphQL source text: `"text"`, `RED`, `[1, 2]`, `{size: 3}`.
pub(super) fn print(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Variable(name) => {
            out.push('$');
            out.push_str(name);
        }
        Value::Int(number) => {
            let _ = write!(out, "{}", number.as_i64().unwrap_or_default());
        }
        Value::Float(float) => write_float(out, *float),
        Value::String(text) => write_string(out, text),
        Value::Boolean(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
        Value::Enum(name) => out.push_str(name),
        Value::List(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (index, (name, item)) in fields.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(name);
                out.push_str(": ");
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// A float as a GraphQL float literal: always with a fraction or an exponent (`2.0`, `1e300`).
fn write_float(out: &mut String, float: f64) {
    let _ = write!(out, "{float:?}");
}

/// A string literal, with the escapes GraphQL defines for quotes, backslashes and control
/// characters.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use graphql_tools::parser::schema::parse_schema;
    use graphql_tools::static_graphql::schema::{Definition, TypeDefinition};

    use super::*;

    /// The default of the only argument of `Query.f` in `sdl`.
    fn default_of(sdl: &str) -> String {
        let document = parse_schema::<String>(sdl).unwrap().into_static();
        let Some(Definition::TypeDefinition(TypeDefinition::Object(query))) =
            document.definitions.first()
        else {
            panic!("no query type");
        };
        print(query.fields[0].arguments[0].default_value.as_ref().unwrap())
    }

    #[test]
    fn scalars_print_as_literals() {
        assert_eq!(default_of("type Query { f(a: Int = -3): Int }"), "-3");
        assert_eq!(default_of("type Query { f(a: Float = 1.5): Int }"), "1.5");
        assert_eq!(default_of("type Query { f(a: Float = 2.0): Int }"), "2.0");
        assert_eq!(
            default_of("type Query { f(a: Float = 1e3): Int }"),
            "1000.0"
        );
        assert_eq!(
            default_of("type Query { f(a: Boolean = true): Int }"),
            "true"
        );
        assert_eq!(
            default_of("type Query { f(a: String = null): Int }"),
            "null"
        );
        assert_eq!(default_of("type Query { f(a: Color = RED): Int }"), "RED");
    }

    #[test]
    fn strings_are_escaped() {
        let sdl = r#"type Query { f(a: String = "say \"hi\"\n\\ \u0001 é"): Int }"#;
        assert_eq!(default_of(sdl), r#""say \"hi\"\n\\ \u0001 é""#);
    }

    #[test]
    fn lists_and_objects_keep_their_order() {
        let sdl = r#"type Query { f(a: In = {size: 3, tags: ["a", "b"], by: {z: 1, a: 2}}): Int }"#;
        assert_eq!(
            default_of(sdl),
            r#"{size: 3, tags: ["a", "b"], by: {z: 1, a: 2}}"#
        );
    }
}
