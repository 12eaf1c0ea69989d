//! High-risk rule set `mpp-2014` (spec/domain.md §6, MPP2014-HR-1…8, MPP2014-EV-1…8).
//!
//! Source S1, the 2014 pilot protocol: a person is high risk if they meet any one of
//! three classes of criteria — (A) disease history, (B) BP/lipids, (C) a 10-year
//! risk ≥ 20 % on the WHO/ISH chart. Missing values are three-valued (TV-1…TV-4):
//! a person is "not high risk" only when all eight rules were evaluable and none
//! fired.
//!
//! ```
//! use cvdscreen::criteria::mpp2014::{evaluate, HighRiskStatus};
//! use cvdscreen::evaluated::{EvaluatedRecord, FieldSet};
//! use cvdscreen::exchange::parse_pairs;
//! use cvdscreen::profile::Profile;
//! let (rec, _) = parse_pairs(&[("sex", "male"), ("age", "58"), ("sbp_1", "166"), ("dbp_1", "92"),
//!     ("sbp_2", "162"), ("dbp_2", "90"), ("history_mi", "0")]);
//! let profile = Profile::default();
//! let r = evaluate(&rec, &EvaluatedRecord::new(&rec, &profile, FieldSet::default()), &profile);
//! assert_eq!(r.status, HighRiskStatus::HighRisk);
//! assert_eq!(r.reasons, vec!["MPP2014-HR-5"]);
//! ```

use crate::evaluated::{lab_interval, EvaluatedRecord};
use crate::models::who_ish2007::{self, WhoIshBounds, WhoIshRange};
use crate::profile::{CanonicalUnit, Profile, SbpBinning};
use crate::record::ScreeningRecord;
use crate::units::{Cholesterol, Conc, ConcUnit};
use crate::value::{Interval, Obs, Outcome};
use serde::{Deserialize, Serialize};

crate::define_rules! {
    HR_1 = "MPP2014-HR-1", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1 (2014 pilot protocol, class A)",
        "History of myocardial infarction", "心肌梗死病史";
    HR_2 = "MPP2014-HR-2", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1 (class A)",
        "Received PCI", "接受过经皮冠状动脉介入治疗（PCI）";
    HR_3 = "MPP2014-HR-3", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1 (class A)",
        "Received CABG", "接受过冠状动脉旁路移植术（CABG）";
    HR_4 = "MPP2014-HR-4", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1 (class A)",
        "History of ischaemic or haemorrhagic stroke (TIA does not count)", "缺血型或出血型脑卒中病史（短暂性脑缺血发作不计）";
    HR_5 = "MPP2014-HR-5", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1 (class B)",
        "SBP ≥ 160 mmHg or DBP ≥ 100 mmHg (mean of the protocol's readings)", "收缩压≥160 mmHg 或舒张压≥100 mmHg（按测量方案取均值）";
    HR_6 = "MPP2014-HR-6", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1 (class B)",
        "LDL-C ≥ 160 mg/dL (4.14 mmol/L)", "低密度脂蛋白胆固醇≥160 mg/dL（4.14 mmol/L）";
    HR_7 = "MPP2014-HR-7", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1 (class B)",
        "HDL-C < 30 mg/dL (0.78 mmol/L)", "高密度脂蛋白胆固醇<30 mg/dL（0.78 mmol/L）";
    HR_8 = "MPP2014-HR-8", "mpp-2014", [ConfirmedP], "domain.md §6.1, §7; S1 (class C)",
        "10-year CVD risk ≥ 20 % on the WHO/ISH risk prediction chart", "WHO/ISH 风险预测图 10 年心血管病风险≥20%";
    EV_7 = "MPP2014-EV-7", "mpp-2014", [Decision], "domain.md §6.2 MPP2014-EV-7; TV-4",
        "High risk if any rule fired; not high risk only if all eight did not fire; otherwise indeterminate",
        "任一条标准满足即为高危；八条均不满足才判为非高危；否则为无法判定";
}

/// The eight rule ids in order.
pub const RULE_IDS: [&str; 8] = [HR_1, HR_2, HR_3, HR_4, HR_5, HR_6, HR_7, HR_8];

/// HR-5 thresholds, mmHg (inclusive).
pub const SBP_HIGH: f64 = 160.0;
/// HR-5 DBP threshold, mmHg (inclusive).
pub const DBP_HIGH: f64 = 100.0;
/// HR-6 LDL-C threshold pair (inclusive): mg/dL and the programme's mmol/L figure.
pub const LDL_HIGH: (f64, f64) = (160.0, 4.14);
/// HR-7 HDL-C threshold pair (exclusive): mg/dL and mmol/L.
pub const HDL_LOW: (f64, f64) = (30.0, 0.78);

// Plausibility ranges used as the possible values of an unknown input (TV-2, §12.3).
const SBP_PLAUSIBLE: (f64, f64) = crate::record::SBP_RANGE;
const DBP_PLAUSIBLE: (f64, f64) = crate::record::DBP_RANGE;
const LDL_PLAUSIBLE_MMOL: (f64, f64) = crate::qc::ranges::LDL_MMOL;
const HDL_PLAUSIBLE_MMOL: (f64, f64) = crate::qc::ranges::HDL_MMOL;
const TC_PLAUSIBLE_MMOL: (f64, f64) = crate::qc::ranges::TC_MMOL;
const AGE_PLAUSIBLE: (f64, f64) = crate::qc::ranges::AGE_YEARS;

/// Overall status (MPP2014-EV-7).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HighRiskStatus {
    /// At least one rule fired.
    HighRisk,
    /// All eight rules evaluable and none fired.
    NotHighRisk,
    /// A rule could not be decided from what was measured.
    Indeterminate,
}

impl HighRiskStatus {
    /// `yes`, `no`, `indeterminate` (the `high_risk` column).
    pub fn as_str(self) -> &'static str {
        match self {
            HighRiskStatus::HighRisk => "yes",
            HighRiskStatus::NotHighRisk => "no",
            HighRiskStatus::Indeterminate => "indeterminate",
        }
    }
    /// As a three-valued boolean.
    pub fn to_opt(self) -> Option<bool> {
        match self {
            HighRiskStatus::HighRisk => Some(true),
            HighRiskStatus::NotHighRisk => Some(false),
            HighRiskStatus::Indeterminate => None,
        }
    }
}

/// One rule's outcome with the inputs whose absence left it undecided.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleOutcome {
    /// Rule id.
    pub rule_id: &'static str,
    /// Class A, B or C.
    pub class: char,
    /// Outcome.
    pub outcome: Outcome,
    /// For `Indeterminate`: the unknown or censored inputs it depends on.
    pub missing: Vec<&'static str>,
}

/// WHO/ISH evaluation used for HR-8 (MPP2014-EV-6, RM-WHOISH-7).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhoIshEvaluation {
    /// Category range over compatible cells; the category when unique.
    pub range: WhoIshRange,
    /// SBP binning used.
    pub sbp_binning: SbpBinning,
    /// The no-cholesterol chart was used because TC was unknown
    /// (`whoish_fallback_no_cholesterol`).
    pub fallback_no_cholesterol: bool,
}

/// Result of `is_mpp_high_risk` (MPP2014-EV-8: never short-circuited).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HighRiskResult {
    /// Overall status.
    pub status: HighRiskStatus,
    /// Rule set id (`mpp-2014`).
    pub ruleset: &'static str,
    /// All eight rule outcomes, HR-1…HR-8.
    pub rules: Vec<RuleOutcome>,
    /// Ids of the rules that fired, ascending (the `high_risk_reasons` column).
    pub reasons: Vec<&'static str>,
    /// Inputs whose absence prevents a decision (empty unless `Indeterminate`),
    /// each once, in rule order.
    pub missing_fields: Vec<&'static str>,
    /// WHO/ISH chart evaluation.
    pub whoish: WhoIshEvaluation,
}

impl HighRiskResult {
    /// Classes (A, B, C) with at least one fired rule.
    pub fn classes(&self) -> Vec<char> {
        let mut c: Vec<char> = self
            .rules
            .iter()
            .filter(|r| r.outcome == Outcome::Fired)
            .map(|r| r.class)
            .collect();
        c.dedup();
        c
    }
    /// Outcome of one rule by id.
    pub fn outcome(&self, id: &str) -> Option<Outcome> {
        self.rules
            .iter()
            .find(|r| r.rule_id == id)
            .map(|r| r.outcome)
    }
}

fn flag_rule(id: &'static str, class: char, v: Option<bool>, field: &'static str) -> RuleOutcome {
    let outcome = Outcome::from_opt(v);
    RuleOutcome {
        rule_id: id,
        class,
        outcome,
        missing: if outcome == Outcome::Indeterminate {
            vec![field]
        } else {
            Vec::new()
        },
    }
}

fn num_interval(v: Option<f64>, plausible: (f64, f64)) -> Interval {
    v.map_or(Interval::closed(plausible.0, plausible.1), Interval::point)
}

/// The unit a lab value is compared in (UNIT-7/UNIT-8).
fn compare_unit<A: crate::units::Analyte>(o: &Obs<Conc<A>>, policy: CanonicalUnit) -> ConcUnit {
    policy.comparison_unit(match o {
        Obs::Known(c) => Some(c.unit()),
        Obs::Censored { bound, .. } => Some(bound.unit()),
        Obs::Unknown => None,
    })
}

/// The interval of a cholesterol value in `unit`, an unknown value spanning its
/// plausibility range (given in mmol/L).
fn chol_interval(
    o: Obs<Conc<Cholesterol>>,
    unit: ConcUnit,
    plausible_mmol: (f64, f64),
) -> Interval {
    let f = match unit {
        ConcUnit::MmolL => 1.0,
        ConcUnit::MgDl => crate::units::CHOLESTEROL_MGDL_PER_MMOL,
    };
    lab_interval(o, unit, (plausible_mmol.0 * f, plausible_mmol.1 * f))
}

/// For an `Indeterminate` outcome, the fields of `fields()` flagged unknown; else
/// nothing (the list is only built when needed: most rules are decided).
#[inline]
fn missing_if<const N: usize>(
    o: Outcome,
    fields: impl FnOnce() -> [(&'static str, bool); N],
) -> Vec<&'static str> {
    if o == Outcome::Indeterminate {
        fields()
            .iter()
            .filter(|(_, unknown)| *unknown)
            .map(|(f, _)| *f)
            .collect()
    } else {
        Vec::new()
    }
}

/// Evaluates `mpp-2014` on a record as QC lets the rules see it (MPP2014-EV-1…8).
pub fn evaluate(rec: &ScreeningRecord, ev: &EvaluatedRecord, profile: &Profile) -> HighRiskResult {
    let policy = profile.canonical_unit;
    let mut rules = Vec::with_capacity(8);

    // MPP2014-EV-2: class A from the history flags.
    rules.push(flag_rule(HR_1, 'A', rec.history_mi, "history_mi"));
    rules.push(flag_rule(HR_2, 'A', rec.history_pci, "history_pci"));
    rules.push(flag_rule(HR_3, 'A', rec.history_cabg, "history_cabg"));
    let hr4 = Outcome::from_opt(rec.history_ischaemic_stroke)
        .or(Outcome::from_opt(rec.history_haemorrhagic_stroke));
    rules.push(RuleOutcome {
        rule_id: HR_4,
        class: 'A',
        outcome: hr4,
        missing: missing_if(hr4, || {
            [
                (
                    "history_ischaemic_stroke",
                    rec.history_ischaemic_stroke.is_none(),
                ),
                (
                    "history_haemorrhagic_stroke",
                    rec.history_haemorrhagic_stroke.is_none(),
                ),
            ]
        }),
    });

    // MPP2014-EV-3: HR-5 on the protocol-derived mean, Kleene OR.
    let (sbp, dbp) = (ev.sbp(), ev.dbp());
    let hr5 = num_interval(sbp, SBP_PLAUSIBLE)
        .ge(SBP_HIGH)
        .or(num_interval(dbp, DBP_PLAUSIBLE).ge(DBP_HIGH));
    rules.push(RuleOutcome {
        rule_id: HR_5,
        class: 'B',
        outcome: hr5,
        missing: missing_if(hr5, || [("sbp", sbp.is_none()), ("dbp", dbp.is_none())]),
    });

    // MPP2014-EV-4: HR-6, LDL-C ≥ 160 mg/dL / 4.14 mmol/L, compared per UNIT-7/8.
    let u = compare_unit(&ev.ldl, policy);
    let t = if u == ConcUnit::MgDl {
        LDL_HIGH.0
    } else {
        LDL_HIGH.1
    };
    let hr6 = chol_interval(ev.ldl, u, LDL_PLAUSIBLE_MMOL).ge(t);
    rules.push(RuleOutcome {
        rule_id: HR_6,
        class: 'B',
        outcome: hr6,
        missing: missing_if(hr6, || [("ldl", true)]),
    });

    // MPP2014-EV-5: HR-7, HDL-C < 30 mg/dL / 0.78 mmol/L (exclusive).
    let u = compare_unit(&ev.hdl, policy);
    let t = if u == ConcUnit::MgDl {
        HDL_LOW.0
    } else {
        HDL_LOW.1
    };
    let hr7 = chol_interval(ev.hdl, u, HDL_PLAUSIBLE_MMOL).lt(t);
    rules.push(RuleOutcome {
        rule_id: HR_7,
        class: 'B',
        outcome: hr7,
        missing: missing_if(hr7, || [("hdl", true)]),
    });

    // MPP2014-EV-6: HR-8 for every screenee, across every compatible chart cell.
    let fallback = profile.whoish_fallback_no_cholesterol && ev.tc.is_unknown();
    let age = ev.age.map(|a| a.years);
    let bounds = WhoIshBounds {
        sex: ev.sex,
        age: num_interval(age, AGE_PLAUSIBLE),
        sbp: num_interval(sbp, SBP_PLAUSIBLE),
        tc_mmol: if fallback {
            None
        } else {
            Some(chol_interval(ev.tc, ConcUnit::MmolL, TC_PLAUSIBLE_MMOL))
        },
        diabetes: ev.diabetes,
        smoker: ev.smoker,
    };
    let range = who_ish2007::evaluate_bounds(&bounds, profile.whoish_sbp_binning);
    let hr8 = if range.min >= who_ish2007::Category::R20To30 {
        Outcome::Fired
    } else if range.max < who_ish2007::Category::R20To30 {
        Outcome::NotFired
    } else {
        Outcome::Indeterminate
    };
    rules.push(RuleOutcome {
        rule_id: HR_8,
        class: 'C',
        outcome: hr8,
        missing: missing_if(hr8, || {
            [
                ("sex", ev.sex.is_none()),
                ("age", age.is_none()),
                ("sbp", sbp.is_none()),
                ("tc", !fallback && !matches!(ev.tc, Obs::Known(_))),
                ("current_smoker", ev.smoker.is_none()),
                ("diabetes", ev.diabetes.is_none()),
            ]
        }),
    });

    // MPP2014-EV-7.
    let all = Outcome::any(rules.iter().map(|r| r.outcome));
    let status = match all {
        Outcome::Fired => HighRiskStatus::HighRisk,
        Outcome::NotFired => HighRiskStatus::NotHighRisk,
        Outcome::Indeterminate => HighRiskStatus::Indeterminate,
    };
    let reasons = rules
        .iter()
        .filter(|r| r.outcome == Outcome::Fired)
        .map(|r| r.rule_id)
        .collect();
    let mut missing_fields: Vec<&'static str> = Vec::new();
    if status == HighRiskStatus::Indeterminate {
        for f in rules.iter().flat_map(|r| r.missing.iter()) {
            if !missing_fields.contains(f) {
                missing_fields.push(f);
            }
        }
    }
    HighRiskResult {
        status,
        ruleset: profile.ruleset.as_str(),
        rules,
        reasons,
        missing_fields,
        whoish: WhoIshEvaluation {
            range,
            sbp_binning: profile.whoish_sbp_binning,
            fallback_no_cholesterol: fallback,
        },
    }
}
