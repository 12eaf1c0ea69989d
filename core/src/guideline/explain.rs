//! Rule-set listing and a readable account of one person's guideline reasoning, plan
//! and follow-up, in Chinese or English.

use super::bp_class::classify;
use super::cn2019;
use super::conditions::{Conditions, Person};
use super::lipid;
use super::GuidelineOptions;
use crate::criteria::mpp2014::{HighRiskResult, HighRiskStatus, HR_5, HR_6, HR_7};
use crate::evaluated::EvaluatedRecord;
use crate::finding::Lang;
use crate::followup::{next_follow_up_column, FollowUpOptions};
use crate::intervention::{plan, ItemStatus};
use crate::record::ScreeningRecord;
use crate::value::{Obs, Outcome};
use serde::Serialize;
use std::fmt::Write;

/// A versioned rule set.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSetInfo {
    /// Rule-set id.
    pub id: &'static str,
    /// Version (year of the source text).
    pub version: &'static str,
    /// Citation.
    pub citation: &'static str,
}

/// The guideline, follow-up and plan rule sets of this crate.
pub fn rule_sets() -> &'static [RuleSetInfo] {
    &[
        RuleSetInfo { id: "cn2019", version: "2019", citation: "中国心血管病风险评估和管理指南. 中华预防医学杂志 2019;53(1):13-35 (S12)" },
        RuleSetInfo { id: "lip2016", version: "2016", citation: "中国成人血脂异常防治指南（2016年修订版）" },
        RuleSetInfo { id: "lip2023", version: "2023", citation: "中国血脂管理指南（2023年）. 中华心血管病杂志 2023;51(3):221-255 (S14)" },
        RuleSetInfo { id: "cn2020", version: "2020", citation: "中国心血管病一级预防指南. 中华心血管病杂志 2020;48(12):1000-1038 (S16) [UNVERIFIED rules]" },
        RuleSetInfo { id: "bpc-cn2018", version: "2018", citation: "中国高血压防治指南2018, as tabled in 高血压基层诊疗指南（实践版·2019）Table 1" },
        RuleSetInfo { id: "bpc-cn2022", version: "2022", citation: "中国高血压临床实践指南（2022）(S18)" },
        RuleSetInfo { id: "bphs-2017", version: "2017", citation: "国家基本公共卫生服务规范（第三版）(S17)" },
        RuleSetInfo { id: "mpp-followup", version: "2014–2025", citation: "domain.md §8.3 FU-1…FU-10 (S1, S2, S7)" },
        RuleSetInfo { id: "intervention", version: "2014", citation: "domain.md §8.2 INT-1…INT-5 (S1)" },
    ]
}

fn t(lang: Lang, en: &str, zh: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

fn lab(o: Obs<crate::units::Conc<crate::units::Cholesterol>>) -> String {
    match o {
        Obs::Known(c) => format!("{c}"),
        Obs::Censored { bound, dir } => format!(
            "{}{bound}",
            if dir == crate::value::Censor::Below {
                "<"
            } else {
                ">"
            }
        ),
        Obs::Unknown => "?".into(),
    }
}

/// Renders one person's guideline reasoning, plan and first follow-up date as text.
/// `hr` is the `mpp-2014` result for the same record; `china_par_pct` the China-PAR
/// 10-year percentage when computed.
pub fn explain(
    rec: &ScreeningRecord,
    ev: &EvaluatedRecord,
    hr: &HighRiskResult,
    china_par_pct: Option<f64>,
    opts: &GuidelineOptions,
    fu: &FollowUpOptions,
    lang: Lang,
) -> String {
    let zh = lang == Lang::Zh;
    let p = Person::new(rec, ev, opts.canonical_unit);
    let mut s = String::new();
    let status = match (hr.status, zh) {
        (HighRiskStatus::HighRisk, false) => "high risk",
        (HighRiskStatus::NotHighRisk, false) => "not high risk",
        (HighRiskStatus::Indeterminate, false) => "indeterminate",
        (HighRiskStatus::HighRisk, true) => "高危",
        (HighRiskStatus::NotHighRisk, true) => "非高危",
        (HighRiskStatus::Indeterminate, true) => "无法判定",
    };
    let _ = writeln!(
        s,
        "{} ({}): {status}",
        t(lang, "Programme high-risk status", "项目高危判定"),
        hr.ruleset
    );
    for r in &hr.rules {
        if r.outcome != Outcome::Fired {
            continue;
        }
        let detail = match r.rule_id {
            id if id == HR_5 => {
                let sbp = ev.sbp().unwrap_or(f64::NAN);
                let dbp = ev.dbp().unwrap_or(f64::NAN);
                if sbp >= 160.0 {
                    format!("SBP {sbp:.1} ≥ 160 mmHg")
                } else {
                    format!("DBP {dbp:.1} ≥ 100 mmHg")
                }
            }
            id if id == HR_6 => format!("LDL-C {} ≥ 160 mg/dL (4.14 mmol/L)", lab(ev.ldl)),
            id if id == HR_7 => format!("HDL-C {} < 30 mg/dL (0.78 mmol/L)", lab(ev.hdl)),
            id => crate::rules::get(id).map_or(String::new(), |x| {
                if zh {
                    x.zh.to_string()
                } else {
                    x.en.to_string()
                }
            }),
        };
        let _ = writeln!(s, "{} {}: {detail}", r.rule_id, t(lang, "fired", "满足"));
    }
    if !hr.missing_fields.is_empty() {
        let _ = writeln!(
            s,
            "{}: {}",
            t(lang, "Missing", "缺失"),
            hr.missing_fields.join(", ")
        );
    }
    // BP grade.
    match classify(opts.bp_scheme, ev.sbp(), ev.dbp()) {
        Some(g) => {
            let _ = writeln!(
                s,
                "bp_grade ({}): {} ({})",
                opts.bp_scheme.as_str(),
                if zh { g.zh() } else { g.as_str() },
                g.rule
            );
        }
        None => {
            let _ = writeln!(
                s,
                "bp_grade ({}): {}",
                opts.bp_scheme.as_str(),
                t(lang, "not classified (BP unknown)", "未分级（血压未知）")
            );
        }
    }
    // cn2019.
    let c19 = cn2019::risk_level(&p, china_par_pct, None);
    match c19.level {
        Some(l) => {
            let _ = writeln!(
                s,
                "risk_level (cn2019): {} ({})",
                if zh { l.zh() } else { l.as_str() },
                c19.rules.join(", ")
            );
        }
        None => {
            let _ = writeln!(
                s,
                "risk_level (cn2019): {}: {}",
                t(lang, "not decided, missing", "无法判定，缺失"),
                c19.missing.join(", ")
            );
        }
    }
    // Lipids.
    let st = lipid::stratify(&p, opts.lipid_ruleset);
    match st.level {
        Some(l) => {
            let target = lipid::ldl_target(&p, opts.lipid_ruleset);
            let tt = target.target().map_or(String::new(), |x| {
                let red = if x.reduction_required {
                    t(lang, " and reduction > 50 %", "且降幅>50%")
                } else {
                    String::new()
                };
                format!(
                    "; {} < {} mmol/L{red}",
                    t(lang, "LDL-C target", "LDL-C目标"),
                    x.column()
                )
            });
            let _ = writeln!(
                s,
                "lipid_risk_level ({}): {} ({}){tt}",
                st.rule_set,
                if zh { l.zh() } else { l.as_str() },
                st.rules.join(", ")
            );
        }
        None => {
            let _ = writeln!(
                s,
                "lipid_risk_level ({}): {}: {}",
                st.rule_set,
                t(lang, "not decided, missing", "无法判定，缺失"),
                st.missing.join(", ")
            );
        }
    }
    let conds = Conditions::evaluate(&p);
    if !conds.assumed_absent.is_empty() {
        let _ = writeln!(
            s,
            "{} (COND-10): {}",
            t(lang, "Assumed absent", "假定不存在"),
            conds.assumed_absent.join(", ")
        );
    }
    // Plan.
    let pl = plan(rec, ev, hr.status, china_par_pct, opts);
    let u = &pl.urgent;
    let _ = write!(
        s,
        "urgent_referral: {}",
        if zh {
            if u.fired {
                "是"
            } else {
                "否"
            }
        } else {
            u.column()
        }
    );
    if !u.not_evaluated.is_empty() {
        let _ = write!(
            s,
            " ({}: {})",
            t(lang, "not evaluated", "未评估"),
            u.not_evaluated.join(", ")
        );
    }
    s.push('\n');
    let _ = writeln!(s, "{}:", t(lang, "Plan", "干预计划"));
    for i in &pl.items {
        let text = if zh { &i.zh } else { &i.en };
        let unv = if i.evidence.contains(&crate::rules::Evidence::Unverified) {
            " [UNVERIFIED]"
        } else {
            ""
        };
        match &i.status {
            ItemStatus::Recommended => {
                let _ = writeln!(s, "- {} ({}{unv}): {text}", i.id, i.rule_id);
            }
            ItemStatus::Indeterminate { missing } => {
                let _ = writeln!(
                    s,
                    "- {}? ({}{unv}): {text} [{}: {}]",
                    i.id,
                    i.rule_id,
                    t(lang, "undecided, missing", "无法判定，缺失"),
                    missing.join(", ")
                );
            }
        }
    }
    match next_follow_up_column(rec, hr.status, fu) {
        Some(d) => {
            let _ = writeln!(s, "next_follow_up: {d}");
        }
        None => {
            let _ = writeln!(s, "next_follow_up: {}", t(lang, "none", "无"));
        }
    }
    s
}
