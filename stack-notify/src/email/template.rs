//! Our email templates, rendered with minijinja.

use minijinja::{AutoEscape, Environment};
use serde::Serialize;

use crate::Error;

/// A rendered email body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rendered {
    /// The subject line (one line).
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part, with every variable HTML-escaped.
    pub html: String,
}

/// Named email templates: a subject, a text and an HTML template each.
///
/// Variables are escaped in the HTML part and left as they are in the text part and subject;
/// a variable a template uses but the context lacks is an error, never an empty string.
///
/// # Examples
///
/// ```
/// use stack_notify::email::Templates;
///
/// let mut templates = Templates::new();
/// templates.add("welcome", "Hi {{ name }}", "Hello {{ name }}!", "<p>Hello {{ name }}!</p>")?;
/// let rendered = templates.render("welcome", &serde_json::json!({ "name": "<Ann>" }))?;
/// assert_eq!(rendered.text, "Hello <Ann>!");
/// assert_eq!(rendered.html, "<p>Hello &lt;Ann&gt;!</p>");
/// # Ok::<(), stack_notify::Error>(())
/// ```
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// No templates yet.
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        Self { env }
    }

    /// Adds the template `name` from its three parts.
    ///
    /// # Errors
    ///
    /// A validation error when a part does not parse.
    pub fn add(&mut self, name: &str, subject: &str, text: &str, html: &str) -> Result<(), Error> {
        for (suffix, source) in [("subject", subject), ("txt", text), ("html", html)] {
            let full = format!("{name}.{suffix}");
            self.env
                .add_template_owned(full, source.to_owned())
                .map_err(|error| Error::validation(format!("template {name}.{suffix}: {error}")))?;
        }
        Ok(())
    }

    /// Renders `name` with `context`.
    ///
    /// # Errors
    ///
    /// A validation error for an unknown template, a missing variable, or a subject that
    /// renders with a line break.
    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<Rendered, Error> {
        let part = |suffix: &str| {
            let template = self
                .env
                .get_template(&format!("{name}.{suffix}"))
                .map_err(|error| Error::validation(format!("no template {name}: {error}")))?;
            template
                .render(context)
                .map_err(|error| Error::validation(format!("template {name}.{suffix}: {error}")))
        };
        let subject = part("subject")?;
        if subject.contains(['\r', '\n']) {
            return Err(Error::validation(format!(
                "template {name}: the subject has a line break"
            )));
        }
        Ok(Rendered {
            subject,
            text: part("txt")?,
            html: part("html")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn missing_variables_and_unknown_templates_are_errors() {
        let mut templates = Templates::new();
        assert!(templates.add("t", "{{ a }}", "{{ b }}", "{{ c }}").is_ok());
        assert!(
            templates
                .render("t", &json!({"a": 1}))
                .is_err_and(|e| e.is_validation())
        );
        assert!(templates.render("nope", &json!({})).is_err());
        assert!(
            templates
                .render("t", &json!({"a": "x\ny", "b": 1, "c": 2}))
                .is_err()
        );
    }
}
