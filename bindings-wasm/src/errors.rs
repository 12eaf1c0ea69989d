//! The one error the module throws: a bad argument (conventions.md §1 — validation
//! failures of the *data* are returned as findings; only malformed calls throw).
//! In JS it is an `Error` whose `name` is `CvdscreenError`, with `field`, `value` and
//! `ruleId` properties.

use cvdscreen::exchange::{CellError, DQ_PARSE_1};
use cvdscreen::models::ModelError;
use std::fmt;

/// A call that cannot produce a result.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// The record key or option name concerned (`None`: the argument as a whole).
    pub field: Option<String>,
    /// `DQ-PARSE-1` for a record value of a type no cell can hold; `None` for options.
    pub rule_id: Option<&'static str>,
    /// English message.
    pub message: String,
}

impl InputError {
    /// A record value of an unusable JS type (object, array, function, symbol).
    pub fn value_type(field: &str, js_type: &str) -> Self {
        InputError {
            field: Some(field.to_string()),
            rule_id: Some(DQ_PARSE_1),
            message: format!(
                "`{field}` is {js_type}: expected a number, string, boolean, null or undefined"
            ),
        }
    }

    /// A bad option value.
    pub fn option(name: &str, why: impl fmt::Display) -> Self {
        InputError {
            field: Some(name.to_string()),
            rule_id: None,
            message: format!("option `{name}`: {why}"),
        }
    }

    /// A batch column that is absent or of the wrong type (`why`: what it is and what
    /// was expected).
    pub fn column(name: &str, why: impl fmt::Display) -> Self {
        InputError {
            field: Some(name.to_string()),
            rule_id: None,
            message: format!("column `{name}`: {why}"),
        }
    }

    /// A model-function cell the core's exchange parser cannot read.
    pub fn cell(e: &CellError) -> Self {
        InputError {
            field: Some(e.column.to_string()),
            rule_id: Some(DQ_PARSE_1),
            message: e.to_string(),
        }
    }

    /// A model input that is missing, out of range or not finite, or a batch column
    /// of the wrong length: the core's message, naming the field.
    pub fn model(e: &ModelError) -> Self {
        let field = match *e {
            ModelError::OutOfRange { field, .. }
            | ModelError::NotFinite { field, .. }
            | ModelError::MissingInput { field, .. }
            | ModelError::LengthMismatch { field, .. } => Some(field.to_string()),
            ModelError::DataTable { .. } => None,
        };
        InputError {
            field,
            rule_id: None,
            message: e.to_string(),
        }
    }

    /// A batch too large for the module's memory.
    pub fn memory(field: &str, n: usize) -> Self {
        InputError {
            field: Some(field.to_string()),
            rule_id: None,
            message: format!("`{field}`: {n} rows do not fit in the module's memory"),
        }
    }

    /// A bad argument as a whole (`what` = `record`, `options`).
    pub fn argument(what: &str, js_type: &str, expected: &str) -> Self {
        InputError {
            field: None,
            rule_id: None,
            message: format!("`{what}` is {js_type}: expected {expected}"),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field() {
        let e = InputError::value_type("sbp_1", "an object");
        assert_eq!(e.field.as_deref(), Some("sbp_1"));
        assert_eq!(e.rule_id, Some("DQ-PARSE-1"));
        assert_eq!(
            e.to_string(),
            "`sbp_1` is an object: expected a number, string, boolean, null or undefined"
        );
        let e = InputError::argument("record", "an array", "an object keyed by column names");
        assert_eq!(e.field, None);
        assert!(e.to_string().starts_with("`record` is an array"));
    }
}
