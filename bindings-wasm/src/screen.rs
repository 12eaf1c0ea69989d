//! `checkRecord` and `assess` as plain Rust: record pairs in, serialisable results out.
//! The JS layer (`api`) only converts values; everything here is tested natively.

use crate::errors::InputError;
use cvdscreen::assess::{assess_with, Assessment};
use cvdscreen::exchange::{parse_pairs, Col};
use cvdscreen::finding::{Finding, Lang};
use cvdscreen::output::named_cells;
use cvdscreen::profile::Profile;
use cvdscreen::rules;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Options shared by `checkRecord` and `assess`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Message language.
    pub lang: Lang,
    /// Programme profile (default `mpp-national`).
    pub profile: Profile,
}

/// Parses the `lang` option (`"en"`, `"zh"`, …; see [`Lang`]).
pub fn parse_lang(s: &str) -> Result<Lang, InputError> {
    s.parse::<Lang>().map_err(|e| InputError::option("lang", e))
}

/// Looks a shipped profile up by name.
pub fn profile_by_name(name: &str) -> Result<Profile, InputError> {
    Profile::by_name(name).ok_or_else(|| {
        InputError::option(
            "profile",
            format!("unknown profile `{name}`, expected `mpp-national` or `mpp-2014-pilot`"),
        )
    })
}

/// Keeps the pairs whose name is an input column (the exchange format ignores other
/// columns), with the name as the core's `&'static str`.
pub fn known_column(name: &str) -> Option<&'static str> {
    Col::from_name(name).map(Col::name)
}

/// One QC finding with its message in the chosen language.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FindingOut {
    /// Rule id (`DQ-PARSE-1`).
    pub rule_id: &'static str,
    /// Column or derived value concerned.
    pub field: String,
    /// `info`, `warn` or `reject`.
    pub severity: &'static str,
    /// The offending value as text, if any.
    pub value: Option<String>,
    /// Message in the chosen language.
    pub message: String,
}

impl FindingOut {
    fn new(f: &Finding, lang: Lang) -> Self {
        FindingOut {
            rule_id: f.rule_id,
            field: f.field.clone(),
            severity: f.severity.as_str(),
            value: f.value.clone(),
            message: f.message(lang).to_string(),
        }
    }
}

/// Result of `checkRecord`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CheckResult {
    /// `ok`, `warn`, `reject`.
    pub qc_status: &'static str,
    /// Every finding.
    pub findings: Vec<FindingOut>,
}

/// A fired criterion with its text.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Reason {
    /// Rule id (`MPP2014-HR-5`).
    pub id: &'static str,
    /// Rule text in the chosen language.
    pub text: &'static str,
}

/// One high-risk rule outcome.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleOutcomeOut {
    /// Rule id.
    pub rule_id: &'static str,
    /// Class `A`, `B` or `C`.
    pub class: String,
    /// `fired`, `not_fired`, `indeterminate`.
    pub outcome: cvdscreen::value::Outcome,
    /// Inputs whose absence left the rule undecided.
    pub missing: Vec<&'static str>,
    /// Rule text in the chosen language.
    pub text: &'static str,
}

/// Result of `assess`: the output columns (keys and cell text exactly as the CLI
/// writes them) followed by structured details. Serialises as one flat object.
#[derive(Clone, Debug, PartialEq)]
pub struct AssessResult {
    /// `(output column, cell text)`, from the core's `named_cells`.
    pub cells: Vec<(&'static str, String)>,
    /// QC findings.
    pub findings: Vec<FindingOut>,
    /// Criteria that fired.
    pub reasons: Vec<Reason>,
    /// Inputs whose absence prevents a decision.
    pub missing_fields: Vec<&'static str>,
    /// All eight rule outcomes.
    pub rules: Vec<RuleOutcomeOut>,
    /// Name of the profile used.
    pub profile: String,
}

/// Keys `AssessResult` adds after the output columns; none may be an output column.
pub const DETAIL_KEYS: [&str; 5] = ["findings", "reasons", "missing_fields", "rules", "profile"];

impl Serialize for AssessResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.cells.len() + DETAIL_KEYS.len()))?;
        for (k, v) in &self.cells {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry(DETAIL_KEYS[0], &self.findings)?;
        m.serialize_entry(DETAIL_KEYS[1], &self.reasons)?;
        m.serialize_entry(DETAIL_KEYS[2], &self.missing_fields)?;
        m.serialize_entry(DETAIL_KEYS[3], &self.rules)?;
        m.serialize_entry(DETAIL_KEYS[4], &self.profile)?;
        m.end()
    }
}

fn rule_text(id: &str, lang: Lang) -> &'static str {
    match (rules::get(id), lang) {
        (Some(r), Lang::En) => r.en,
        (Some(r), Lang::Zh) => r.zh,
        (None, _) => "",
    }
}

fn run(pairs: &[(&'static str, String)], opts: &Options) -> Assessment {
    let (record, parse_findings) = parse_pairs(pairs);
    assess_with(&record, parse_findings, &opts.profile, None)
}

/// QC of one record: parse findings plus every record-level QC rule of the core.
pub fn check(pairs: &[(&'static str, String)], opts: &Options) -> CheckResult {
    let a = run(pairs, opts);
    CheckResult {
        qc_status: a.qc_status().as_str(),
        findings: a
            .qc
            .findings
            .iter()
            .map(|f| FindingOut::new(f, opts.lang))
            .collect(),
    }
}

/// Full assessment of one record.
pub fn assess(pairs: &[(&'static str, String)], opts: &Options) -> AssessResult {
    let a = run(pairs, opts);
    let hr = &a.high_risk;
    AssessResult {
        cells: named_cells(&a),
        findings: a
            .qc
            .findings
            .iter()
            .map(|f| FindingOut::new(f, opts.lang))
            .collect(),
        reasons: hr
            .reasons
            .iter()
            .map(|&id| Reason {
                id,
                text: rule_text(id, opts.lang),
            })
            .collect(),
        missing_fields: hr.missing_fields.clone(),
        rules: hr
            .rules
            .iter()
            .map(|r| RuleOutcomeOut {
                rule_id: r.rule_id,
                class: r.class.to_string(),
                outcome: r.outcome,
                missing: r.missing.clone(),
                text: rule_text(r.rule_id, opts.lang),
            })
            .collect(),
        profile: a.profile.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cvdscreen::output::OUTPUT_COLUMNS;
    use serde_json::Value;

    fn pairs(kv: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        kv.iter()
            .filter_map(|(k, v)| known_column(k).map(|k| (k, v.to_string())))
            .collect()
    }

    fn high_risk_person() -> Vec<(&'static str, String)> {
        pairs(&[
            ("id", "P1"),
            ("sex", "female"),
            ("age", "62"),
            ("sbp_1", "172"),
            ("dbp_1", "96"),
            ("sbp_2", "170"),
            ("dbp_2", "94"),
            ("history_mi", "0"),
            ("unknown_column", "whatever"),
        ])
    }

    #[test]
    fn detail_keys_never_shadow_output_columns() {
        for k in DETAIL_KEYS {
            assert!(!OUTPUT_COLUMNS.contains(&k), "{k} is an output column");
        }
    }

    #[test]
    fn assess_is_one_flat_object_with_every_output_column() {
        let r = assess(&high_risk_person(), &Options::default());
        let v = serde_json::to_value(&r).expect("serialisable");
        let obj = v.as_object().expect("object");
        for c in OUTPUT_COLUMNS {
            assert!(obj.get(*c).is_some_and(Value::is_string), "{c}");
        }
        assert_eq!(obj.len(), OUTPUT_COLUMNS.len() + DETAIL_KEYS.len());
        assert_eq!(v["high_risk"], "yes");
        // SBP 171 (mean of the last two) fires HR-5; the unknown TC, smoking and
        // diabetes leave every compatible chart cell ≥ 20 %, so HR-8 fires too.
        assert_eq!(v["high_risk_reasons"], "MPP2014-HR-5;MPP2014-HR-8");
        assert_eq!(v["reasons"][0]["id"], "MPP2014-HR-5");
        assert_eq!(v["rules"].as_array().map(Vec::len), Some(8));
        assert_eq!(v["rules"][4]["outcome"], "fired");
        assert_eq!(v["profile"], "mpp-national");
        // Serialised in column order, then the details.
        let text = serde_json::to_string(&r).expect("serialisable");
        assert!(text.starts_with("{\"qc_status\":"), "{text}");
        assert!(text.ends_with("\"profile\":\"mpp-national\"}"), "{text}");
    }

    #[test]
    fn messages_follow_the_language() {
        let p = pairs(&[("sbp_1", "12o"), ("sex", "male")]);
        let en = check(&p, &Options::default());
        let zh = check(
            &p,
            &Options {
                lang: Lang::Zh,
                ..Options::default()
            },
        );
        assert_eq!(en.qc_status, "reject");
        let f = en
            .findings
            .iter()
            .find(|f| f.field == "sbp_1")
            .expect("sbp_1 finding");
        assert_eq!((f.rule_id, f.severity), ("DQ-PARSE-1", "reject"));
        assert_eq!(f.value.as_deref(), Some("12o"));
        assert!(f.message.contains("cannot be read"), "{}", f.message);
        let z = zh.findings.iter().find(|f| f.field == "sbp_1").expect("zh");
        assert!(z.message.contains("无法解析"), "{}", z.message);

        let a = assess(
            &high_risk_person(),
            &Options {
                lang: Lang::Zh,
                ..Options::default()
            },
        );
        assert!(
            a.reasons[0].text.contains("收缩压"),
            "{}",
            a.reasons[0].text
        );
    }

    #[test]
    fn options_are_validated() {
        assert_eq!(parse_lang("zh").ok(), Some(Lang::Zh));
        assert_eq!(parse_lang("中文").ok(), Some(Lang::Zh));
        let e = parse_lang("fr").expect_err("fr is not supported");
        assert_eq!(e.field.as_deref(), Some("lang"));
        assert!(profile_by_name("mpp-2014-pilot").is_ok());
        let e = profile_by_name("nope").expect_err("unknown profile");
        assert!(e.message.contains("unknown profile"), "{}", e.message);
    }

    #[test]
    fn profile_changes_the_decision() {
        // T-HR-18: readings (150,90),(162,88),(158,86): MppMeanOfLastTwo → 160 → HR-5;
        // the pilot's Mean2 → 156 → not fired.
        let p = pairs(&[
            ("sbp_1", "150"),
            ("dbp_1", "90"),
            ("sbp_2", "162"),
            ("dbp_2", "88"),
            ("sbp_3", "158"),
            ("dbp_3", "86"),
        ]);
        let nat = assess(&p, &Options::default());
        let pilot = assess(
            &p,
            &Options {
                profile: Profile::mpp_2014_pilot(),
                ..Options::default()
            },
        );
        assert_eq!(nat.rules[4].outcome, cvdscreen::value::Outcome::Fired);
        assert_eq!(pilot.rules[4].outcome, cvdscreen::value::Outcome::NotFired);
        assert_eq!(pilot.profile, "mpp-2014-pilot");
    }

    /// Random cells through the whole path must always give a result (a panic in
    /// wasm is a trap). Deterministic xorshift so a failure reproduces.
    #[test]
    fn garbage_cells_never_panic() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let texts = [
            "",
            " ",
            "0",
            "-0",
            "1",
            "是",
            "否",
            "男",
            "女",
            "<",
            ">",
            "<15",
            ">-1e308",
            "1e309",
            "NaN",
            "Infinity",
            "-Infinity",
            "12o",
            "💥🫀",
            "2025-02-30",
            "2025-13-01",
            "9999-99-99",
            "2024-02-29",
            "0000-01-01",
            "3a",
            "very_high",
            "11010519491231002x",
            "１２０",
            "\u{0}",
            "\u{feff}160",
            "e",
            "-",
            "+.",
            "1.7976931348623157e308",
        ];
        let cols = Col::ALL;
        for _ in 0..1500 {
            let n = (next() % 24) as usize;
            let mut pairs = Vec::new();
            for _ in 0..n {
                let c = cols[(next() % cols.len() as u64) as usize];
                let v = match next() % 4 {
                    0 => texts[(next() % texts.len() as u64) as usize].to_string(),
                    1 => crate::cell::Cell::Number(f64::from_bits(next())).to_text(),
                    2 => format!("{}", (next() % 400) as f64 / 2.0),
                    _ => {
                        let len = (next() % 12) as usize;
                        (0..len)
                            .filter_map(|_| char::from_u32((next() % 0x1_F000) as u32))
                            .collect()
                    }
                };
                pairs.push((c.name(), v));
            }
            let opts = Options {
                lang: if next() % 2 == 0 { Lang::En } else { Lang::Zh },
                ..Options::default()
            };
            let r = assess(&pairs, &opts);
            assert_eq!(r.rules.len(), 8);
            let c = check(&pairs, &opts);
            assert_eq!(c.findings, r.findings);
        }
    }
}
