//! One person's full reasoning as readable text: QC findings, every high-risk rule
//! with its outcome, the WHO/ISH chart cell, each risk model's value or why it was not
//! computed, then the guideline stratification, plan and follow-up
//! ([`guideline::explain()`](crate::guideline::explain::explain)). Used by
//! `cvdscreen explain`.

use crate::assess::Assessment;
use crate::evaluated::EvaluatedRecord;
use crate::finding::Lang;
use crate::guideline;
use crate::models::error::ModelError;
use crate::output::fmt_pct;
use crate::profile::Profile;
use crate::record::{BpSource, DerivedBp, ScreeningRecord, BP_10, BP_5, BP_8, BP_9};
use crate::rules;
use crate::units::MmHg;
use crate::value::Outcome;
use std::fmt::Write;

fn model_line<T>(
    out: &mut String,
    zh: bool,
    name: &str,
    r: &Result<T, ModelError>,
    pct: impl Fn(&T) -> f64,
) {
    let _ = match r {
        Ok(v) => writeln!(out, "  {name}: {} %", fmt_pct(pct(v))),
        Err(e) if zh => writeln!(out, "  {name}: 未计算（{e}）"),
        Err(e) => writeln!(out, "  {name}: not computed ({e})"),
    };
}

/// The derived blood pressure every BP rule reads (BP-5…BP-10): the value, where it came
/// from, and the protocol's rule with its evidence.
fn bp_line(s: &mut String, bp: &DerivedBp, min_readings: u8, zh: bool) {
    let mm = |v: Option<MmHg>| v.map_or_else(|| "?".to_string(), |v| v.0.to_string());
    let value = format!("{}/{} mmHg", mm(bp.sbp), mm(bp.dbp));
    let _ = match (bp.source, bp.sbp.is_some() || bp.dbp.is_some()) {
        (BpSource::Readings, true) => {
            let used = bp
                .readings_used
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(if zh { "、" } else { ", " });
            let rule = bp.protocol.rule_id();
            let unv = match rules::get(rule) {
                Some(r) if r.is_unverified() => " [UNVERIFIED]",
                _ => "",
            };
            let p = bp.protocol.as_str();
            if zh {
                writeln!(s, "\n血压 ({BP_5}): {value}，第 {used} 次读数的平均值（方案 {p}，{rule}{unv}）")
            } else {
                writeln!(s, "\nBlood pressure ({BP_5}): {value}, mean of readings {used} (protocol {p}, {rule}{unv})")
            }
        }
        (BpSource::Readings, false) if zh => writeln!(
            s,
            "\n血压 ({BP_8}): 未知，有效读数 {} 组，少于 {min_readings} 组 ({BP_9})",
            bp.valid_readings
        ),
        (BpSource::Readings, false) => writeln!(
            s,
            "\nBlood pressure ({BP_8}): unknown, {} valid reading(s) of the {min_readings} required ({BP_9})",
            bp.valid_readings
        ),
        (BpSource::Final, true) if zh => {
            writeln!(s, "\n血压 ({BP_10}): {value}，记录的最终值 sbp/dbp（未提供读数）")
        }
        (BpSource::Final, true) => writeln!(
            s,
            "\nBlood pressure ({BP_10}): {value}, the record's final sbp/dbp (no readings supplied)"
        ),
        (BpSource::Final, false) if zh => writeln!(s, "\n血压 ({BP_10}): 未知，最终值 sbp/dbp 无效"),
        (BpSource::Final, false) => writeln!(
            s,
            "\nBlood pressure ({BP_10}): unknown, the final sbp/dbp are not a valid pair"
        ),
        (BpSource::None, _) if zh => writeln!(s, "\n血压: 未记录"),
        (BpSource::None, _) => writeln!(s, "\nBlood pressure: not recorded"),
    };
}

/// Renders the assessment of `record` (the same record `a` was computed from) in
/// `lang`. Every line names the rule id it rests on.
pub fn explain(record: &ScreeningRecord, a: &Assessment, profile: &Profile, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut s = String::new();
    let id = a.id.as_deref().unwrap_or("?");
    let _ = if zh {
        writeln!(s, "对象 {id}（方案 {}）", a.profile)
    } else {
        writeln!(s, "Person {id} (profile {})", a.profile)
    };

    // QC.
    let _ = if zh {
        writeln!(s, "\n数据质控: {}", a.qc_status().as_str())
    } else {
        writeln!(s, "\nQC: {}", a.qc_status().as_str())
    };
    for f in &a.qc.findings {
        let _ = writeln!(
            s,
            "  {} [{}] {}",
            f.rule_id,
            f.severity.as_str(),
            f.message(lang)
        );
    }

    bp_line(&mut s, &a.evaluated.bp, profile.min_readings, zh);

    // High-risk rules, all eight (MPP2014-EV-8).
    let hr = &a.high_risk;
    let _ = if zh {
        writeln!(s, "\n高危标准 ({}):", hr.ruleset)
    } else {
        writeln!(s, "\nHigh-risk criteria ({}):", hr.ruleset)
    };
    for r in &hr.rules {
        let text = rules::get(r.rule_id)
            .map(|x| if zh { x.zh } else { x.en })
            .unwrap_or("");
        let outcome = match (r.outcome, zh) {
            (Outcome::Fired, false) => "fired",
            (Outcome::NotFired, false) => "not fired",
            (Outcome::Indeterminate, false) => "indeterminate",
            (Outcome::Fired, true) => "满足",
            (Outcome::NotFired, true) => "不满足",
            (Outcome::Indeterminate, true) => "无法判定",
        };
        let missing = if r.missing.is_empty() {
            String::new()
        } else if zh {
            format!("（缺失: {}）", r.missing.join(", "))
        } else {
            format!(" (missing: {})", r.missing.join(", "))
        };
        let _ = writeln!(
            s,
            "  {} [{}] {outcome}{missing}: {text}",
            r.rule_id, r.class
        );
    }
    let w = &hr.whoish;
    let band = w.range.category().map_or_else(
        || format!("{}…{}", w.range.min.as_str(), w.range.max.as_str()),
        |c| c.as_str().to_string(),
    );
    let cell = w
        .range
        .cell
        .map(|c| format!("age {} / SBP {} / TC {}", c.age_band, c.sbp_band, c.tc_band))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "  WHO/ISH WPR B ({}, {:?}): {band} {cell}",
        w.range.chart.as_str(),
        w.sbp_binning
    );

    // Models.
    let m = &a.models;
    let _ = writeln!(
        s,
        "{}",
        if zh {
            "\n风险模型:"
        } else {
            "\nRisk models:"
        }
    );
    model_line(&mut s, zh, "china_par_10y_pct", &m.china_par, |r| {
        r.risk10_pct
    });
    model_line(&mut s, zh, "who2019_lab_pct", &m.who2019_lab, |r| r.cvd_pct);
    model_line(&mut s, zh, "who2019_nonlab_pct", &m.who2019_nonlab, |r| {
        r.cvd_pct
    });
    model_line(&mut s, zh, "pce_10y_pct", &m.pce, |r| r.risk10_pct);
    model_line(&mut s, zh, "prevent_cvd_10y_pct", &m.prevent_10y, |r| {
        r.total_cvd.pct
    });
    model_line(&mut s, zh, "prevent_ascvd_10y_pct", &m.prevent_10y, |r| {
        r.ascvd.pct
    });
    model_line(&mut s, zh, "framingham_cvd_10y_pct", &m.framingham, |r| {
        r.risk10_pct
    });

    // Guideline reasoning, plan and follow-up.
    let _ = writeln!(
        s,
        "{}",
        if zh {
            "\n指南与干预:"
        } else {
            "\nGuidelines and plan:"
        }
    );
    let ev: &EvaluatedRecord = &a.evaluated;
    s.push_str(&guideline::explain(
        record,
        ev,
        hr,
        m.china_par.as_ref().ok().map(|r| r.risk10_pct),
        &profile.guideline_options(),
        &profile.followup,
        lang,
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::assess;
    use crate::exchange::parse_pairs;

    #[test]
    fn explains_every_part_in_both_languages() {
        let (rec, _) = parse_pairs(&[
            ("id", "P1"),
            ("sex", "male"),
            ("age", "58"),
            ("sbp", "172"),
            ("dbp", "96"),
            ("history_mi", "0"),
            ("tc_mmol", "5.2"),
        ]);
        let p = Profile::default();
        let a = assess(&rec, &p);
        let en = explain(&rec, &a, &p, Lang::En);
        for needle in ["Person P1", "QC: reject", "DQ-PRG-3", "MPP2014-HR-5 [B] fired", "MPP2014-HR-4 [A] indeterminate (missing: history_ischaemic_stroke, history_haemorrhagic_stroke)", "china_par_10y_pct: not computed (`bp_treated` is missing", "bp_grade (bpc-cn2018): grade_2"] {
            assert!(en.contains(needle), "missing {needle:?} in\n{en}");
        }
        let zh = explain(&rec, &a, &p, Lang::Zh);
        for needle in [
            "对象 P1",
            "数据质控: reject",
            "MPP2014-HR-5 [B] 满足",
            "风险模型",
            "指南与干预",
        ] {
            assert!(zh.contains(needle), "missing {needle:?} in\n{zh}");
        }
    }

    /// The derived BP line names where the value came from and the protocol's rule,
    /// with its evidence: the default protocol rests on BP-3, which is [UNVERIFIED].
    #[test]
    fn explains_the_derived_bp() {
        let line = |pairs: &[(&str, &str)], p: &Profile, lang: Lang| {
            let (rec, _) = parse_pairs(pairs);
            let text = explain(&rec, &assess(&rec, p), p, lang);
            let key = if lang == Lang::Zh {
                "血压"
            } else {
                "Blood pressure"
            };
            text.lines()
                .find(|l| l.starts_with(key))
                .unwrap_or_else(|| panic!("no BP line in\n{text}"))
                .to_string()
        };
        let base = [("id", "B1"), ("sex", "male"), ("age", "50")];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut v = base.to_vec();
            v.extend_from_slice(extra);
            v
        };
        let three = with(&[
            ("sbp_1", "150"),
            ("dbp_1", "90"),
            ("sbp_2", "170"),
            ("dbp_2", "95"),
            ("sbp_3", "158"),
            ("dbp_3", "92"),
        ]);
        let national = Profile::default();
        assert_eq!(
            line(&three, &national, Lang::En),
            "Blood pressure (BP-5): 164/93.5 mmHg, mean of readings 2, 3 \
             (protocol MppMeanOfLastTwo, BP-3 [UNVERIFIED])"
        );
        assert_eq!(
            line(&three, &national, Lang::Zh),
            "血压 (BP-5): 164/93.5 mmHg，第 2、3 次读数的平均值（方案 MppMeanOfLastTwo，BP-3 [UNVERIFIED]）"
        );
        // The 2014 pilot profile takes the first two, under BP-1 (confirmed: no label).
        assert_eq!(
            line(&three, &Profile::mpp_2014_pilot(), Lang::En),
            "Blood pressure (BP-5): 160/92.5 mmHg, mean of readings 1, 2 (protocol Mean2, BP-1)"
        );
        assert_eq!(
            line(
                &with(&[("sbp_1", "150"), ("dbp_1", "90")]),
                &national,
                Lang::En
            ),
            "Blood pressure (BP-8): unknown, 1 valid reading(s) of the 2 required (BP-9)"
        );
        assert_eq!(
            line(&with(&[("sbp", "145"), ("dbp", "85")]), &national, Lang::En),
            "Blood pressure (BP-10): 145/85 mmHg, the record's final sbp/dbp (no readings supplied)"
        );
        assert_eq!(
            line(&with(&[("sbp", "80"), ("dbp", "90")]), &national, Lang::En),
            "Blood pressure (BP-10): unknown, the final sbp/dbp are not a valid pair"
        );
        assert_eq!(
            line(&with(&[]), &national, Lang::En),
            "Blood pressure: not recorded"
        );
    }
}
