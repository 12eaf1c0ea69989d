//! Metadata for forms and explanations: `fieldRules()` and `rules()`, mirrored from
//! `cvdscreen::fields` and `cvdscreen::rules` with a pinned shape (the TS types).

use cvdscreen::exchange::Kind;
use cvdscreen::fields::field_rules;
use cvdscreen::finding::Lang;

/// One input column for a form.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FieldRuleOut {
    /// Column name (the record key).
    pub name: &'static str,
    /// Label in the chosen language.
    pub label: &'static str,
    /// Unit (`""` when none).
    pub unit: &'static str,
    /// Lowest plausible value (closed), in `unit`.
    pub min: Option<f64>,
    /// Highest plausible value (closed), in `unit`.
    pub max: Option<f64>,
    /// QC rule enforcing the range.
    pub range_rule: Option<&'static str>,
    /// Value kind (`number`, `bool`, `lab`, …).
    pub kind: Kind,
    /// Mandatory at initial screening under the default profile.
    pub mandatory: bool,
}

/// Every input column, in exchange-format order.
pub fn fields(lang: Lang) -> Vec<FieldRuleOut> {
    field_rules()
        .into_iter()
        .map(|r| FieldRuleOut {
            name: r.name,
            label: match lang {
                Lang::En => r.label_en,
                Lang::Zh => r.label_zh,
            },
            unit: r.unit,
            min: r.min,
            max: r.max,
            range_rule: r.range_rule,
            kind: r.kind,
            mandatory: r.mandatory,
        })
        .collect()
}

/// One rule of the registry.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleOut {
    /// Stable id.
    pub id: &'static str,
    /// Rule set or group.
    pub rule_set: &'static str,
    /// Evidence labels (`CONFIRMED-P`, …), main label first.
    pub evidence: Vec<&'static str>,
    /// Citation.
    pub citation: &'static str,
    /// English text.
    pub en: &'static str,
    /// Chinese text.
    pub zh: &'static str,
}

/// The whole registry, in declaration order.
pub fn rules() -> Vec<RuleOut> {
    cvdscreen::rules::all()
        .map(|r| RuleOut {
            id: r.id,
            rule_set: r.rule_set,
            evidence: r.evidence.iter().map(|e| e.as_str()).collect(),
            citation: r.citation,
            en: r.en,
            zh: r.zh,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cvdscreen::exchange::Col;

    #[test]
    fn one_field_per_column_with_labels_in_both_languages() {
        let en = fields(Lang::En);
        let zh = fields(Lang::Zh);
        assert_eq!(en.len(), Col::ALL.len());
        let sbp = en.iter().find(|f| f.name == "sbp_1").expect("sbp_1");
        assert_eq!(
            (sbp.min, sbp.max, sbp.unit),
            (Some(70.0), Some(270.0), "mmHg")
        );
        assert_eq!(sbp.range_rule, Some("DQ-RANGE-8"));
        let sbp_zh = zh.iter().find(|f| f.name == "sbp_1").expect("sbp_1");
        assert_ne!(sbp.label, sbp_zh.label);
        let v = serde_json::to_value(sbp).expect("serialisable");
        assert_eq!(v["kind"], "number");
    }

    #[test]
    fn registry_has_the_eight_criteria() {
        let r = rules();
        for n in 1..=8 {
            let id = format!("MPP2014-HR-{n}");
            let rule = r.iter().find(|x| x.id == id).expect("criterion present");
            assert_eq!(rule.rule_set, "mpp-2014");
            assert!(!rule.evidence.is_empty() && !rule.zh.is_empty());
        }
    }
}
