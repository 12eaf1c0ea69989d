//! `--mask-values`: findings serialised without the personal values they quote.

use cvdscreen::finding::{Finding, Lang};
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};

/// Findings as in the JSON output, with `value` null and both messages through
/// [`Finding::masked_message`] (the value replaced by `***`).
pub struct MaskedFindings<'a>(pub &'a [Finding]);

impl serde::Serialize for MaskedFindings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for f in self.0 {
            seq.serialize_element(&Masked(f))?;
        }
        seq.end()
    }
}

struct Masked<'a>(&'a Finding);

impl serde::Serialize for Masked<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut st = s.serialize_struct("Finding", 6)?;
        st.serialize_field("rule_id", f.rule_id)?;
        st.serialize_field("severity", &f.severity)?;
        st.serialize_field("field", &f.field)?;
        st.serialize_field("value", &None::<&str>)?;
        st.serialize_field("message_en", &f.masked_message(Lang::En))?;
        st.serialize_field("message_zh", &f.masked_message(Lang::Zh))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cvdscreen::finding::Severity;

    #[test]
    fn masked_findings_keep_the_shape_and_drop_the_value() {
        let f = Finding::new(
            "DQ-RANGE-1",
            Severity::Reject,
            "sbp_1",
            Some("312".into()),
            "`sbp_1` = 312 is outside 50-300",
            "`sbp_1` = 312 超出 50-300",
        );
        let plain = serde_json::to_value([&f]).unwrap();
        let masked = serde_json::to_value(MaskedFindings(std::slice::from_ref(&f))).unwrap();
        let keys = |v: &serde_json::Value| {
            v[0].as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&plain), keys(&masked));
        assert_eq!(masked[0]["value"], serde_json::Value::Null);
        assert_eq!(masked[0]["message_en"], "`sbp_1` = *** is outside 50-300");
        assert!(!masked.to_string().contains("312"));
        assert_eq!(masked[0]["severity"], plain[0]["severity"]);
    }
}
