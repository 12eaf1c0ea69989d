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
    let mut s = String::new();
    push_num(&mut s, v);
    s
}

/// Appends [`fmt_num`]`(v)` to `s`: an integer below 10^15 as `format!("{}", v as i64)`
/// writes it (so `-0` as `0`), anything else as `format!("{v}")`, without `core::fmt`
/// (messages are built for every finding).
pub(crate) fn push_num(s: &mut String, v: f64) {
    // Below 10^15 `v as i64` truncates exactly and converts back exactly, so this is
    // `v == v.trunc()` without the `trunc` call (a libm routine on the x86-64
    // baseline); false for NaN and ±∞.
    if v.abs() < 1e15 && (v as i64) as f64 == v {
        push_int(s, v as i64);
    } else {
        crate::shortest::push(s, v, 0);
    }
}

/// Appends the decimal digits of `n` (with `-` when negative), as `{}` writes them.
pub(crate) fn push_int(s: &mut String, n: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        s.push('-');
    }
    // ASCII digits only.
    s.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::xorshift64;

    /// The `core::fmt` definition that [`fmt_num`] writes without `core::fmt`.
    fn fmt_num_reference(v: f64) -> String {
        if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        }
    }

    #[test]
    fn fmt_num_is_the_core_fmt_text() {
        let mut vals = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -2.5,
            1e15,
            -1e15,
            999_999_999_999_999.0,
            -999_999_999_999_999.0,
            1e15 - 0.5,
            1e16,
            1e300,
            5e-324,
            -1e-7,
            0.1 + 0.2,
            i64::MIN as f64,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        let mut r = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..200_000u32 {
            xorshift64(&mut r);
            vals.push(f64::from_bits(r));
            // Values as entered: integers and one to three decimals, both signs.
            let k = (r % 2_000_000) as f64 - 1_000_000.0;
            vals.push(k / [1.0, 10.0, 100.0, 1000.0][(i % 4) as usize]);
        }
        for v in vals {
            assert_eq!(fmt_num(v), fmt_num_reference(v), "{v:e}");
        }
    }
}
