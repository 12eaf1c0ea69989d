//! QC findings: what is wrong with a record, where, and how bad (spec/domain.md §12.2).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Severity of a finding (§12.2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A recorded fact needing no action.
    Info,
    /// Plausible but suspicious, or a protocol deviation; the value is used.
    Warn,
    /// Impossible/implausible value, missing mandatory item or a programme-rule
    /// violation: the record is unqualified (不合格).
    Reject,
}

impl Severity {
    /// `info`, `warn`, `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Reject => "reject",
        }
    }
}

/// Message language.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese (简体中文).
    Zh,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "zh" | "cn" | "zh-cn" | "chinese" | "中文" => Ok(Lang::Zh),
            other => Err(format!("unknown language `{other}`, expected `en` or `zh`")),
        }
    }
}

/// One QC finding about a record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable rule id (`DQ-RANGE-8`).
    pub rule_id: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The exchange-format column (or derived value, e.g. `bmi`, `sbp`) concerned.
    pub field: String,
    /// The offending value as text, when there is one.
    pub value: Option<String>,
    /// English message.
    pub message_en: String,
    /// Chinese message.
    pub message_zh: String,
}

impl Finding {
    /// Builds a finding.
    pub fn new(
        rule_id: &'static str,
        severity: Severity,
        field: impl Into<String>,
        value: Option<String>,
        message_en: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        Finding {
            rule_id,
            severity,
            field: field.into(),
            value,
            message_en: message_en.into(),
            message_zh: message_zh.into(),
        }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.message_en,
            Lang::Zh => &self.message_zh,
        }
    }

    /// The message with the value replaced by `***`, for logs of personal health data.
    pub fn masked_message(&self, lang: Lang) -> String {
        let m = self.message(lang);
        match &self.value {
            Some(v) if !v.is_empty() => m.replace(v.as_str(), "***"),
            _ => m.to_string(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}: {}",
            self.rule_id,
            self.severity.as_str(),
            self.field,
            self.message_en
        )
    }
}

/// Formats a number for messages: shortest round-trip form, no exponent for
/// ordinary magnitudes.
pub fn fmt_num(v: f64) -> String {
    if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
