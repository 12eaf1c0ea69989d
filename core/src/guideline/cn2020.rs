//! Rule set `cn2020`: 中国心血管病一级预防指南 (2020), spec/domain.md §9.3.
//!
//! **Every rule here is \[UNVERIFIED\]** (only the guideline's existence and chapters
//! were checked, S16); results carry the label and must be verified against the
//! original text before a release that claims guideline conformity (OQ-6).

use super::conditions::{Person, Threshold};
use super::lipid::{self, Flow, LipidLevel, LipidStratum};
use super::tv::{Enumerations, Op, Oracle};
use serde::{Deserialize, Serialize};

crate::define_rules! {
    CN2020_1 = "CN2020-1", "cn2020", [Unverified], "domain.md §9.3; S16",
        "Risk assessment as in the lipid guideline: direct high risk incl. CKD 3–4, the 10-year table, the lifetime add-on",
        "风险评估同血脂指南：直接高危（含CKD 3–4期）、10年风险表、余生风险补充评估";
    CN2020_2 = "CN2020-2", "cn2020", [Unverified, ConfirmedS, ConfirmedP, Decision], "domain.md §9.3; S16, S23",
        "Low-dose aspirin may be considered at ages 40–70 with high 10-year ASCVD risk (direct criteria or table) and no increased bleeding risk",
        "40–70岁、10年ASCVD风险高危（直接高危或风险表）且出血风险不高者，可考虑小剂量阿司匹林";
    CN2020_3 = "CN2020-3", "cn2020", [Unverified], "domain.md §9.3",
        "Statins: LDL-C ≥ 4.9 mmol/L; diabetes aged 40–75 with LDL-C ≥ 1.8 (at least moderate intensity); high risk to target; medium risk consider with risk enhancers",
        "他汀：LDL-C≥4.9 mmol/L；40–75岁糖尿病且LDL-C≥1.8（至少中等强度）；高危者治疗至目标值；中危者有风险增强因素时考虑";
    CN2020_4 = "CN2020-4", "cn2020", [Unverified, Decision], "domain.md §9.3",
        "BP drugs: start at ≥ 160/100, or 140–159/90–99 with high risk, CVD, diabetes or CKD; target < 140/90, < 130/80 if tolerated or high risk",
        "降压药：血压≥160/100，或140–159/90–99且合并高危、心血管病、糖尿病或CKD时启动；目标<140/90，可耐受或高危者<130/80";
}

/// CN2020-1: the `cn2020` stratum (established ASCVD is reported as `very_high`,
/// i.e. secondary prevention, outside the primary-prevention guideline).
pub fn stratify(p: &Person<'_>) -> LipidStratum {
    lipid::run(p, Flow::Cn2020, false, "cn2020")
}

/// Source of "high ASCVD risk" for aspirin (option `aspirin_risk_source`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum AspirinRiskSource {
    /// The `cn2020` 10-year stratum `high` via direct criteria or the table (default).
    #[default]
    Cn2020Stratum,
    /// China-PAR 10-year ≥ 10 % (CN2019-2).
    ChinaPar,
}

/// CN2020-2 advice.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AspirinAdvice {
    /// Eligible, low bleeding risk: may be considered (class IIb).
    MayBeConsidered,
    /// Eligible but `bleeding_risk_high` = 1: not recommended.
    NotRecommendedBleeding,
    /// Eligible, bleeding risk unknown: consider after assessing bleeding risk
    /// (Indeterminate).
    ConsiderAfterBleedingAssessment,
    /// Not in the group (ASCVD, age outside 40–70, or not high 10-year risk).
    NotApplicable,
    /// Eligibility depends on unknown inputs.
    Indeterminate,
}

/// CN2020-2 result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aspirin {
    /// Advice.
    pub advice: AspirinAdvice,
    /// Inputs the eligibility depends on (Indeterminate).
    pub missing: Vec<&'static str>,
}

/// CN2020-2 aspirin for primary prevention.
pub fn aspirin(p: &Person<'_>, source: AspirinRiskSource, china_par_pct: Option<f64>) -> Aspirin {
    aspirin_with(p, source, china_par_pct, &mut Enumerations::new())
}

/// [`aspirin`] on the caller's oracle (the plan's).
pub(crate) fn aspirin_with(
    p: &Person<'_>,
    source: AspirinRiskSource,
    china_par_pct: Option<f64>,
    e: &mut Enumerations,
) -> Aspirin {
    let e = e.first(
        |q| {
            !p.cond2_ascvd(q)
                && p.age(q, Op::Ge, 40.0)
                && p.age(q, Op::Le, 70.0)
                && match source {
                    AspirinRiskSource::Cn2020Stratum => {
                        lipid::procedure(p, q, Flow::Cn2020, true).0 == LipidLevel::High
                    }
                    AspirinRiskSource::ChinaPar => match china_par_pct {
                        Some(v) => v >= 10.0,
                        None => q.flag("china_par_10y_pct", None),
                    },
                }
        },
        |b| *b,
    );
    let (advice, mut missing) = match e {
        Ok(true) => (
            match p.rec.bleeding_risk_high {
                Some(true) => AspirinAdvice::NotRecommendedBleeding,
                Some(false) => AspirinAdvice::MayBeConsidered,
                None => AspirinAdvice::ConsiderAfterBleedingAssessment,
            },
            Vec::new(),
        ),
        Ok(false) => (AspirinAdvice::NotApplicable, Vec::new()),
        Err(missing) => (AspirinAdvice::Indeterminate, missing),
    };
    if advice == AspirinAdvice::ConsiderAfterBleedingAssessment {
        missing.push("bleeding_risk_high");
    }
    Aspirin { advice, missing }
}

/// CN2020-3 statin indication.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatinIndication {
    /// Not indicated by CN2020-3.
    NotIndicated,
    /// Medium risk: consider with risk-enhancing factors.
    Consider,
    /// High risk (or established ASCVD, secondary prevention): statin to target.
    ToTarget,
    /// Diabetes aged 40–75 with LDL-C ≥ 1.8: at least moderate intensity.
    AtLeastModerate,
    /// LDL-C ≥ 4.9 mmol/L.
    SevereHypercholesterolaemia,
}

fn statin_in(p: &Person<'_>, q: &mut Oracle) -> StatinIndication {
    if p.ldl(q, Op::Ge, Threshold::mmol(4.9)) {
        return StatinIndication::SevereHypercholesterolaemia;
    }
    if p.cond5_diabetes(q)
        && p.age(q, Op::Ge, 40.0)
        && p.age(q, Op::Le, 75.0)
        && p.ldl(q, Op::Ge, Threshold::mmol(1.8))
    {
        return StatinIndication::AtLeastModerate;
    }
    match lipid::procedure(p, q, Flow::Cn2020, false).0 {
        LipidLevel::High | LipidLevel::VeryHigh | LipidLevel::Extreme => StatinIndication::ToTarget,
        LipidLevel::Medium => StatinIndication::Consider,
        LipidLevel::Low | LipidLevel::NotCovered => StatinIndication::NotIndicated,
    }
}

/// CN2020-3: statin indication; `Err(missing)` when undecided.
pub fn statin(p: &Person<'_>) -> Result<StatinIndication, Vec<&'static str>> {
    statin_with(p, &mut Enumerations::new())
}

/// [`statin`] on the caller's oracle (the plan's).
pub(crate) fn statin_with(
    p: &Person<'_>,
    e: &mut Enumerations,
) -> Result<StatinIndication, Vec<&'static str>> {
    e.first(|q| statin_in(p, q), |s| *s)
}

/// CN2020-4 drug decision.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BpDrugDecision {
    /// No hypertension (COND-3 = No).
    NotApplicable,
    /// Hypertension, drug start not indicated at this BP: lifestyle first.
    LifestyleFirst,
    /// Already on antihypertensives: only the target applies.
    AlreadyTreated,
    /// Start antihypertensive drugs.
    Start,
}

/// CN2020-4 result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BpDrugs {
    /// Decision; `None` when undecided.
    pub decision: Option<BpDrugDecision>,
    /// BP target `(SBP, DBP)`: `< 130/80` for high risk, else `< 140/90` (lower if tolerated).
    pub target: Option<(f64, f64)>,
    /// Inputs the decision depends on.
    pub missing: Vec<&'static str>,
}

fn high_risk(p: &Person<'_>, q: &mut Oracle) -> bool {
    lipid::procedure(p, q, Flow::Cn2020, false).0 >= LipidLevel::High
}

fn ckd_any(p: &Person<'_>, q: &mut Oracle) -> bool {
    match p.rec.ckd_stage {
        Some(_) => true,
        None => match (p.rec.egfr, p.ev.egfr) {
            (None, _) => {
                q.assume("ckd_stage");
                false
            }
            (Some(_), e) => q.cmp(
                "egfr",
                e.map_or(
                    crate::value::Interval::closed(
                        super::conditions::plausible::EGFR.0,
                        super::conditions::plausible::EGFR.1,
                    ),
                    crate::value::Interval::point,
                ),
                Op::Lt,
                60.0,
            ),
        },
    }
}

/// One run of CN2020-4; `htn`: COND-3 when it is a constant of the person
/// ([`Enumerations::constant`]), read instead of asked.
fn bp_in(p: &Person<'_>, q: &mut Oracle, htn: Option<bool>) -> (BpDrugDecision, Option<(u8, u8)>) {
    let htn = match htn {
        Some(b) => b,
        None => p.cond3_htn(q),
    };
    if !htn {
        return (BpDrugDecision::NotApplicable, None);
    }
    let target = if high_risk(p, q) {
        (130, 80)
    } else {
        (140, 90)
    };
    if q.flag("bp_treated", p.rec.bp_treated) {
        return (BpDrugDecision::AlreadyTreated, Some(target));
    }
    let start = p.sbp(q, Op::Ge, 160.0)
        || p.dbp(q, Op::Ge, 100.0)
        || ((p.sbp(q, Op::Ge, 140.0) || p.dbp(q, Op::Ge, 90.0))
            && (target == (130, 80) || p.cond1_cvd(q) || p.cond5_diabetes(q) || ckd_any(p, q)));
    let d = if start {
        BpDrugDecision::Start
    } else {
        BpDrugDecision::LifestyleFirst
    };
    (d, Some(target))
}

/// CN2020-4: antihypertensive start and BP target.
pub fn bp_drugs(p: &Person<'_>) -> BpDrugs {
    bp_drugs_with(p, &mut Enumerations::new(), None)
}

/// [`bp_drugs`] on the caller's oracle (the plan's), with COND-3 when it is a
/// constant of the person ([`Enumerations::constant`]).
pub(crate) fn bp_drugs_with(p: &Person<'_>, e: &mut Enumerations, htn: Option<bool>) -> BpDrugs {
    match e.first(|q| bp_in(p, q, htn), |r| *r) {
        Ok((decision, target)) => BpDrugs {
            decision: Some(decision),
            target: target.map(|(s, d)| (f64::from(s), f64::from(d))),
            missing: Vec::new(),
        },
        Err(missing) => BpDrugs {
            decision: None,
            target: None,
            missing,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guideline::conditions::tests::person;
    use crate::profile::CanonicalUnit;

    fn high(age: &'static str, bleed: Option<&'static str>) -> AspirinAdvice {
        // Diabetes at ≥ 40 with normal lipids: cn2020 direct high risk (CN2020-1).
        let mut v = vec![
            ("history_mi", "0"),
            ("history_pci", "0"),
            ("history_cabg", "0"),
            ("history_ischaemic_stroke", "0"),
            ("diabetes", "1"),
            ("age", age),
            ("ldl_mmol", "3.0"),
            ("tc_mmol", "5.0"),
        ];
        if let Some(b) = bleed {
            v.push(("bleeding_risk_high", b));
        }
        let (rec, ev) = person(&v);
        aspirin(
            &Person::new(&rec, &ev, CanonicalUnit::AsReported),
            AspirinRiskSource::Cn2020Stratum,
            None,
        )
        .advice
    }

    #[test]
    fn cn2020_2_ages_40_to_70_inclusive_and_bleeding() {
        assert_eq!(high("40", Some("0")), AspirinAdvice::MayBeConsidered);
        assert_eq!(high("70", Some("0")), AspirinAdvice::MayBeConsidered);
        assert_eq!(high("70.5", Some("0")), AspirinAdvice::NotApplicable);
        assert_eq!(high("39", Some("0")), AspirinAdvice::NotApplicable);
        assert_eq!(high("50", Some("1")), AspirinAdvice::NotRecommendedBleeding);
        assert_eq!(
            high("50", None),
            AspirinAdvice::ConsiderAfterBleedingAssessment
        );
    }

    #[test]
    fn cn2020_2_china_par_source_and_ascvd() {
        let (rec, ev) = person(&[
            ("history_mi", "0"),
            ("history_pci", "0"),
            ("history_cabg", "0"),
            ("history_ischaemic_stroke", "0"),
            ("age", "55"),
            ("bleeding_risk_high", "0"),
        ]);
        let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
        assert_eq!(
            aspirin(&p, AspirinRiskSource::ChinaPar, Some(10.0)).advice,
            AspirinAdvice::MayBeConsidered
        );
        assert_eq!(
            aspirin(&p, AspirinRiskSource::ChinaPar, Some(9.99)).advice,
            AspirinAdvice::NotApplicable
        );
        assert_eq!(
            aspirin(&p, AspirinRiskSource::ChinaPar, None).advice,
            AspirinAdvice::Indeterminate
        );
        let (rec, ev) = person(&[
            ("history_pci", "1"),
            ("age", "55"),
            ("bleeding_risk_high", "0"),
        ]);
        let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
        assert_eq!(
            aspirin(&p, AspirinRiskSource::ChinaPar, Some(30.0)).advice,
            AspirinAdvice::NotApplicable
        );
    }

    #[test]
    fn cn2020_3_and_4() {
        let (rec, ev) = person(&[("ldl_mmol", "4.9"), ("history_pci", "0")]);
        let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
        assert_eq!(
            statin(&p),
            Ok(StatinIndication::SevereHypercholesterolaemia)
        );
        let bp = |s: &'static str, dm: &'static str| {
            let (rec, ev) = person(&[
                ("sbp", s),
                ("dbp", "85"),
                ("bp_treated", "0"),
                ("diabetes", dm),
                ("history_mi", "0"),
                ("history_pci", "0"),
                ("history_cabg", "0"),
                ("history_ischaemic_stroke", "0"),
                ("history_haemorrhagic_stroke", "0"),
                ("age", "45"),
                ("sex", "female"),
                ("ldl_mmol", "2.0"),
                ("tc_mmol", "4.0"),
                ("hdl_mmol", "1.4"),
                ("current_smoker", "0"),
                ("bmi", "22"),
            ]);
            bp_drugs(&Person::new(&rec, &ev, CanonicalUnit::AsReported)).decision
        };
        assert_eq!(bp("160", "0"), Some(BpDrugDecision::Start));
        assert_eq!(bp("159.9", "0"), Some(BpDrugDecision::LifestyleFirst));
        assert_eq!(bp("140", "1"), Some(BpDrugDecision::Start));
        assert_eq!(bp("139.9", "1"), Some(BpDrugDecision::NotApplicable));
    }
}
