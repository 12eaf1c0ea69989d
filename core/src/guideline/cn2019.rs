//! Rule set `cn2019`: 中国心血管病风险评估和管理指南 (2019), spec/domain.md §9.1.
//!
//! CN2019-1…CN2019-6 are encoded; the China-PAR 10-year risk is a **parameter**
//! (`china_par_pct`, percent) computed elsewhere (`models`), and the lifetime risk
//! (CN2019-3) is accepted only as an externally supplied value (OQ-7).
//! CN2019-7 — a "direct high risk without scoring" list sometimes attributed to this
//! guideline — is deliberately **not** implemented: the guideline's full text has no
//! such step (its LDL-C/diabetes items live in the lipid guidelines, LIP2016-2 and
//! LIP2023-4).
//!
//! ```
//! use cvdscreen::guideline::cn2019::{stratum_from_china_par, Cn2019Level};
//! assert_eq!(stratum_from_china_par(4.999), Cn2019Level::Low);
//! assert_eq!(stratum_from_china_par(5.0), Cn2019Level::Medium);
//! assert_eq!(stratum_from_china_par(10.0), Cn2019Level::High);
//! ```

use super::conditions::{CondValue, Person, Threshold};
use super::lipid::reduction;
use super::tv::{decide, enumerate, Enumerated, Enumerations, Op};
use crate::value::Outcome;
use serde::{Deserialize, Serialize};

crate::define_rules! {
    CN2019_1 = "CN2019-1", "cn2019", [ConfirmedP, Decision], "domain.md §9.1; S12",
        "Established CVD (COND-1) is very high risk and is not risk-scored", "已患心血管病者（COND-1）为极高危，不再进行风险评分";
    CN2019_2 = "CN2019-2", "cn2019", [ConfirmedP, Decision], "domain.md §9.1; S12; OQ-8",
        "Without CVD, age ≥ 20: China-PAR 10-year ASCVD risk < 5 % low, 5 % to < 10 % medium, ≥ 10 % high (unrounded)",
        "无心血管病、年龄≥20岁：China-PAR 10年ASCVD风险<5%为低危，5%–<10%为中危，≥10%为高危（不取整）";
    CN2019_3 = "CN2019-3", "cn2019", [ConfirmedP, Decision], "domain.md §9.1; S12; OQ-7",
        "Ages 20–59 at low or medium 10-year risk: lifetime risk ≥ 32.8 % is lifetime high risk (external value only)",
        "20–59岁10年风险为低危或中危者：余生风险≥32.8%为余生高危（仅接受外部提供的数值）";
    CN2019_4 = "CN2019-4", "cn2019", [ConfirmedP, ConfirmedS], "domain.md §9.1; S12, S13",
        "China-PAR predictors: sex, age, treated/untreated SBP, TC, HDL-C, smoking, diabetes, waist, north/south, urban/rural, family history",
        "China-PAR预测因素：性别、年龄、治疗/未治疗收缩压、TC、HDL-C、吸烟、糖尿病、腰围、南北方、城乡、家族史";
    CN2019_5 = "CN2019-5", "cn2019", [ConfirmedP, Decision], "domain.md §9.1; S12 Table 3; OQ-9",
        "LDL-C targets: low/medium < 3.4 mmol/L (130 mg/dL) or ≥ 30 % reduction; high (incl. LDL-C ≥ 4.9 and diabetes aged ≥ 40) < 2.6 (100) or ≥ 50 % reduction",
        "LDL-C目标：低/中危<3.4 mmol/L（130 mg/dL）或降低≥30%；高危（含LDL-C≥4.9及40岁以上糖尿病）<2.6（100）或降低≥50%";
    CN2019_6 = "CN2019-6", "cn2019", [ConfirmedS], "domain.md §9.1",
        "Ideal risk: the same equation with ideal risk-factor values", "理想风险：以理想危险因素水平代入同一方程";
}

/// A `cn2019` level (the `risk_level` column).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cn2019Level {
    /// < 5 %
    Low,
    /// 5 % to < 10 %
    Medium,
    /// ≥ 10 %
    High,
    /// Established CVD.
    VeryHigh,
}

impl Cn2019Level {
    /// `low`, `medium`, `high`, `very_high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cn2019Level::Low => "low",
            Cn2019Level::Medium => "medium",
            Cn2019Level::High => "high",
            Cn2019Level::VeryHigh => "very_high",
        }
    }
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Cn2019Level::Low => "低危",
            Cn2019Level::Medium => "中危",
            Cn2019Level::High => "高危",
            Cn2019Level::VeryHigh => "极高危",
        }
    }
}

/// CN2019-2 strata on the unrounded percentage.
pub fn stratum_from_china_par(pct: f64) -> Cn2019Level {
    if pct < 5.0 {
        Cn2019Level::Low
    } else if pct < 10.0 {
        Cn2019Level::Medium
    } else {
        Cn2019Level::High
    }
}

/// CN2019-3 lifetime risk.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifetime {
    /// ≥ 32.8 %.
    High,
    /// < 32.8 %.
    Low,
    /// Applies, but no external lifetime value was supplied (OQ-7).
    Unavailable,
    /// Outside ages 20–59 or not low/medium 10-year risk.
    NotApplicable,
}

/// Result of [`risk_level`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cn2019Result {
    /// Level; `None` when it cannot be decided.
    pub level: Option<Cn2019Level>,
    /// Rules that decided it.
    pub rules: Vec<&'static str>,
    /// Why no level: missing inputs (`history_*`, `china_par_10y_pct`, `age`).
    pub missing: Vec<&'static str>,
    /// The China-PAR value used (returned even when COND-1 is unknown).
    pub china_par_pct: Option<f64>,
    /// CN2019-3.
    pub lifetime: Lifetime,
    /// Guideline-only flags read as No (COND-10).
    pub assumed_absent: Vec<&'static str>,
}

/// CN2019-1…3: the person's `cn2019` level from COND-1 and the China-PAR percentage.
pub fn risk_level(
    p: &Person<'_>,
    china_par_pct: Option<f64>,
    lifetime_pct: Option<f64>,
) -> Cn2019Result {
    risk_level_with(p, china_par_pct, lifetime_pct, &mut Enumerations::new())
}

/// [`risk_level`] on the caller's oracle (the pipeline's).
pub(crate) fn risk_level_with(
    p: &Person<'_>,
    china_par_pct: Option<f64>,
    lifetime_pct: Option<f64>,
    e: &mut Enumerations,
) -> Cn2019Result {
    let (cvd, missing, assumed_absent) = e.decide(|q| p.cond1_cvd(q));
    let mut r = Cn2019Result {
        level: None,
        rules: Vec::new(),
        missing: Vec::new(),
        china_par_pct,
        lifetime: Lifetime::NotApplicable,
        assumed_absent,
    };
    match cvd {
        Outcome::Fired => {
            r.level = Some(Cn2019Level::VeryHigh);
            r.rules = vec![CN2019_1];
        }
        Outcome::Indeterminate => r.missing = missing,
        Outcome::NotFired => {
            let age = p.ev.age.map(|a| a.years);
            match (age, china_par_pct) {
                (Some(a), _) if a < 20.0 => {}
                (None, _) => r.missing.push("age"),
                (_, None) => r.missing.push("china_par_10y_pct"),
                (Some(a), Some(pct)) => {
                    let level = stratum_from_china_par(pct);
                    r.level = Some(level);
                    // Room for CN2019-3: allocated once.
                    r.rules = Vec::with_capacity(2);
                    r.rules.push(CN2019_2);
                    if (20.0..60.0).contains(&a) && level <= Cn2019Level::Medium {
                        r.rules.push(CN2019_3);
                        r.lifetime = match lifetime_pct {
                            Some(l) if l >= 32.8 => Lifetime::High,
                            Some(_) => Lifetime::Low,
                            None => Lifetime::Unavailable,
                        };
                    }
                }
            }
        }
    }
    r
}

/// A CN2019-5 target: `ldl < target OR reduction ≥ pct`.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Cn2019Target {
    /// mmol/L bound.
    pub ldl_mmol: f64,
    /// The mg/dL figure printed next to it (UNIT-7).
    pub ldl_mgdl: f64,
    /// Alternative reduction from baseline, percent (≥).
    pub reduction_pct: f64,
}

const TARGET_LOW: Cn2019Target = Cn2019Target {
    ldl_mmol: 3.4,
    ldl_mgdl: 130.0,
    reduction_pct: 30.0,
};
const TARGET_HIGH: Cn2019Target = Cn2019Target {
    ldl_mmol: 2.6,
    ldl_mgdl: 100.0,
    reduction_pct: 50.0,
};

fn target_in(
    p: &Person<'_>,
    q: &mut super::tv::Oracle,
    level: Cn2019Level,
) -> Option<Cn2019Target> {
    match level {
        Cn2019Level::VeryHigh => None,
        Cn2019Level::High => Some(TARGET_HIGH),
        _ => {
            let high = p.ldl(q, Op::Ge, Threshold::mmol(4.9))
                || (p.cond5_diabetes(q) && p.age(q, Op::Ge, 40.0));
            Some(if high { TARGET_HIGH } else { TARGET_LOW })
        }
    }
}

/// CN2019-5 target for a level (`None` for `very_high`, which CN2019-5 does not cover,
/// and when undecided). Severe hypercholesterolaemia (LDL-C ≥ 4.9) and diabetes at
/// age ≥ 40 take the high-risk target whatever the China-PAR stratum.
pub fn ldl_target(p: &Person<'_>, level: Cn2019Level) -> Option<Cn2019Target> {
    match enumerate(
        |q| target_in(p, q, level),
        |t| t.map(|t| t.ldl_mmol.to_bits()),
    ) {
        Enumerated::Determined { values, .. } => values[0],
        Enumerated::Indeterminate { .. } => None,
    }
}

/// LIP-TGT-9 for `cn2019`: met = `ldl < target OR reduction ≥ pct` (the guideline's 或);
/// an unknown baseline leaves only the absolute term decisive.
pub fn ldl_target_met(p: &Person<'_>, level: Cn2019Level) -> CondValue {
    let (value, missing, assumed_absent) = decide(|q| match target_in(p, q, level) {
        None => false,
        Some(t) => {
            p.ldl(q, Op::Lt, Threshold::pair(t.ldl_mmol, t.ldl_mgdl))
                || reduction(p, q, t.reduction_pct, true)
        }
    });
    CondValue {
        value,
        missing,
        assumed_absent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guideline::conditions::tests::person;
    use crate::profile::CanonicalUnit;

    const NO_CVD: [(&str, &str); 6] = [
        ("history_mi", "0"),
        ("history_pci", "0"),
        ("history_cabg", "0"),
        ("history_ischaemic_stroke", "0"),
        ("history_haemorrhagic_stroke", "0"),
        ("age", "45"),
    ];

    fn level(pairs: &[(&str, &str)], pct: Option<f64>, life: Option<f64>) -> Cn2019Result {
        let (rec, ev) = person(pairs);
        risk_level(
            &Person::new(&rec, &ev, CanonicalUnit::AsReported),
            pct,
            life,
        )
    }

    #[test]
    fn cn2019_2_strata_edges() {
        assert_eq!(stratum_from_china_par(4.999), Cn2019Level::Low);
        assert_eq!(stratum_from_china_par(5.0), Cn2019Level::Medium);
        assert_eq!(stratum_from_china_par(9.999), Cn2019Level::Medium);
        assert_eq!(stratum_from_china_par(10.0), Cn2019Level::High);
        // OQ-8: 4.96 displays as 5.0 but is low.
        assert_eq!(stratum_from_china_par(4.96), Cn2019Level::Low);
        assert_eq!(
            level(&NO_CVD, Some(9.999), None).level,
            Some(Cn2019Level::Medium)
        );
    }

    #[test]
    fn cn2019_1_cvd_and_unknowns() {
        let mut p = NO_CVD.to_vec();
        p[4] = ("history_haemorrhagic_stroke", "1");
        let r = level(&p, Some(3.0), None);
        assert_eq!(
            (r.level, r.rules.clone()),
            (Some(Cn2019Level::VeryHigh), vec![CN2019_1])
        );
        let r = level(&NO_CVD[1..], Some(3.0), None);
        assert_eq!(
            (r.level, r.missing.clone(), r.china_par_pct),
            (None, vec!["history_mi"], Some(3.0))
        );
        assert_eq!(
            level(&NO_CVD, None, None).missing,
            vec!["china_par_10y_pct"]
        );
        let mut young = NO_CVD.to_vec();
        young[5] = ("age", "19");
        assert_eq!(level(&young, Some(1.0), None).level, None);
    }

    #[test]
    fn cn2019_3_lifetime_external_only() {
        assert_eq!(
            level(&NO_CVD, Some(6.0), Some(32.8)).lifetime,
            Lifetime::High
        );
        assert_eq!(
            level(&NO_CVD, Some(6.0), Some(32.79)).lifetime,
            Lifetime::Low
        );
        assert_eq!(
            level(&NO_CVD, Some(6.0), None).lifetime,
            Lifetime::Unavailable
        );
        assert_eq!(
            level(&NO_CVD, Some(10.0), Some(50.0)).lifetime,
            Lifetime::NotApplicable
        );
        let mut old = NO_CVD.to_vec();
        old[5] = ("age", "60");
        assert_eq!(
            level(&old, Some(6.0), Some(50.0)).lifetime,
            Lifetime::NotApplicable
        );
    }

    #[test]
    fn cn2019_5_targets_or_semantics() {
        let t = |pairs: &[(&str, &str)], l| {
            let (rec, ev) = person(pairs);
            let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
            (
                ldl_target(&p, l).map(|t| t.ldl_mmol),
                ldl_target_met(&p, l).value,
            )
        };
        let mut p = NO_CVD.to_vec();
        p.extend([
            ("ldl_mmol", "3.39"),
            ("diabetes", "0"),
            ("lipid_treated", "0"),
        ]);
        assert_eq!(t(&p, Cn2019Level::Medium), (Some(3.4), Outcome::Fired));
        p[6] = ("ldl_mgdl", "130");
        assert_eq!(t(&p, Cn2019Level::Medium), (Some(3.4), Outcome::NotFired));
        // Diabetes at ≥ 40 takes the high target.
        p[7] = ("diabetes", "1");
        assert_eq!(t(&p, Cn2019Level::Low).0, Some(2.6));
        // Treated, unknown baseline: below target met; otherwise Indeterminate (OR).
        let q = [("ldl_mmol", "2.5"), ("lipid_treated", "1")];
        assert_eq!(t(&q, Cn2019Level::High).1, Outcome::Fired);
        let q = [("ldl_mmol", "2.7"), ("lipid_treated", "1")];
        assert_eq!(t(&q, Cn2019Level::High).1, Outcome::Indeterminate);
        // 50 % reduction (≥) meets the target even above 2.6.
        let q = [
            ("ldl_mmol", "2.7"),
            ("lipid_treated", "1"),
            ("ldl_baseline_mmol", "5.4"),
        ];
        assert_eq!(t(&q, Cn2019Level::High).1, Outcome::Fired);
    }
}
