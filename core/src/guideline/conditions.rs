//! The conditions the guideline rules name (spec/domain.md §9.0, COND-1…COND-10),
//! each defined once from the exchange-format columns.
//!
//! Every condition is written as a procedure over an [`Oracle`], so
//! the same definition serves a stand-alone three-valued answer ([`Conditions`]) and
//! the stratification procedures of [`super::lipid`], [`super::cn2020`] and the plan,
//! where one unknown input is enumerated once however many conditions use it (TV-2).

use super::tv::{decide, enumerate, Enumerated, Op, Oracle};
use crate::evaluated::{lab_interval, EvaluatedRecord};
use crate::profile::CanonicalUnit;
use crate::record::{CkdStage, ScreeningRecord, Sex};
use crate::units::{Analyte, Cholesterol, Conc, ConcUnit, Glucose, Triglycerides};
use crate::value::{Interval, Obs, Outcome};
use serde::Serialize;

crate::define_rules! {
    COND_1 = "COND-1", "guideline-conditions", [Decision], "domain.md §9.0 COND-1",
        "Established CVD: MI, PCI, CABG, ischaemic or haemorrhagic stroke, TIA, ACS within 12 months or symptomatic PAD",
        "已确诊心血管病：心肌梗死、PCI、CABG、缺血性或出血性脑卒中、TIA、12个月内急性冠脉综合征或有症状的外周动脉疾病";
    COND_2 = "COND-2", "guideline-conditions", [Decision, Unverified], "domain.md §9.0 COND-2",
        "Established ASCVD: as COND-1 without haemorrhagic stroke",
        "已确诊动脉粥样硬化性心血管病：同COND-1，但不含出血性脑卒中";
    COND_3 = "COND-3", "guideline-conditions", [Decision], "domain.md §9.0 COND-3; S4",
        "Hypertension: derived SBP ≥ 140 or DBP ≥ 90, or on antihypertensives, or a self-reported diagnosis (BP alone = single-visit screening finding)",
        "高血压：测得收缩压≥140或舒张压≥90，或正在服用降压药，或自报既往诊断（仅凭本次血压者为单次筛查发现）";
    COND_4 = "COND-4", "guideline-conditions", [Decision], "domain.md §9.0 COND-4; LIP-DYS-1",
        "Dyslipidaemia as operationalised in MPP research (LIP-DYS-1)",
        "血脂异常（采用项目研究定义 LIP-DYS-1）";
    COND_5 = "COND-5", "guideline-conditions", [Decision], "domain.md §9.0 COND-5",
        "Diabetes: the programme's diabetes status (self-report or glucose-lowering treatment), never derived from glucose",
        "糖尿病：项目的糖尿病状态（自报或正在降糖治疗），不由血糖推断";
    COND_6 = "COND-6", "guideline-conditions", [Decision], "domain.md §9.0 COND-6",
        "CKD stage 3–4: recorded stage 3, 3a, 3b or 4; when no stage is recorded, 15 ≤ eGFR < 60 (one value, flagged)",
        "慢性肾脏病3–4期：记录的分期为3、3a、3b或4期；未记录分期时按 15≤eGFR<60 判断（单次数值，予以标注）";
    COND_7 = "COND-7", "guideline-conditions", [Decision], "domain.md §9.0 COND-7; LIP2023-2",
        "Number of severe ASCVD events: the recorded count, else ACS < 12 months + prior MI (not counted with that ACS) + ischaemic stroke + PAD with revascularisation/amputation",
        "严重ASCVD事件数：采用记录的次数，否则为近1年ACS+既往心梗（与该ACS不重复计）+缺血性脑卒中+血运重建或截肢的外周动脉疾病";
    COND_8 = "COND-8", "guideline-conditions", [Decision], "domain.md §9.0 COND-8; LIP2023-3",
        "At least 2 of the 8 high-risk factors of LIP2023-3",
        "具备LIP2023-3所列8项高危因素中的至少2项";
    COND_9 = "COND-9", "guideline-conditions", [Decision], "domain.md §9.0 COND-9",
        "Baseline LDL-C: the recorded pre-treatment value, else the current LDL-C of an untreated person, else unknown",
        "基线LDL-C：记录的治疗前数值；未治疗者为当前LDL-C；否则未知";
    COND_10 = "COND-10", "guideline-conditions", [Decision], "domain.md §9.0 COND-10",
        "Guideline-only flags the screening forms do not collect count as No when empty and are listed as assumed absent",
        "筛查表不采集的指南专用项目留空时按“无”处理，并列为“假定不存在”";
}

/// Plausibility ranges (domain.md §12.3) used as the values an unknown input may take.
pub mod plausible {
    /// DQ-RANGE-18: age, years.
    pub const AGE: (f64, f64) = (15.0, 120.0);
    /// DQ-RANGE-8: SBP, mmHg.
    pub const SBP: (f64, f64) = crate::record::SBP_RANGE;
    /// DQ-RANGE-9: DBP, mmHg.
    pub const DBP: (f64, f64) = crate::record::DBP_RANGE;
    /// DQ-RANGE-3: BMI, kg/m².
    pub const BMI: (f64, f64) = (10.0, 80.0);
    /// DQ-RANGE-4: waist, cm.
    pub const WAIST: (f64, f64) = (30.0, 300.0);
    /// DQ-RANGE-10: TC, mmol/L.
    pub const TC_MMOL: (f64, f64) = (1.75, 20.0);
    /// DQ-RANGE-11: HDL-C, mmol/L.
    pub const HDL_MMOL: (f64, f64) = (0.5, 10.0);
    /// DQ-RANGE-12: LDL-C, mmol/L (lower bound only).
    pub const LDL_MMOL: (f64, f64) = (0.4, f64::INFINITY);
    /// DQ-RANGE-13: TG, mmol/L.
    pub const TG_MMOL: (f64, f64) = (0.2, 20.0);
    /// DQ-RANGE-14: glucose, mmol/L.
    pub const GLUCOSE_MMOL: (f64, f64) = (2.0, 30.0);
    /// DQ-RANGE-17: eGFR, mL/min/1.73 m².
    pub const EGFR: (f64, f64) = (5.0, 250.0);
    /// Non-HDL-C when nothing is known (TC range minus HDL-C range), mmol/L.
    pub const NON_HDL_MMOL: (f64, f64) = (1.75 - 10.0, 20.0 - 0.5);
}

/// A threshold as published: mmol/L, and the mg/dL figure printed next to it when the
/// source prints one (UNIT-7). Without a mg/dL figure a mg/dL value is converted.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Threshold {
    /// mmol/L figure.
    pub mmol: f64,
    /// mg/dL figure printed by the source, if any.
    pub mgdl: Option<f64>,
}

impl Threshold {
    /// A pair printed by the source.
    pub const fn pair(mmol: f64, mgdl: f64) -> Self {
        Threshold {
            mmol,
            mgdl: Some(mgdl),
        }
    }
    /// A mmol/L-only threshold.
    pub const fn mmol(mmol: f64) -> Self {
        Threshold { mmol, mgdl: None }
    }
}

/// The inputs of the guideline rules for one person: the record (flags) and the values
/// QC lets the rules see, with the unit policy (UNIT-7/UNIT-8).
#[derive(Copy, Clone, Debug)]
pub struct Person<'a> {
    /// The screening record (flags, guideline-only columns).
    pub rec: &'a ScreeningRecord,
    /// The evaluated values (derived BP, masked labs, smoker and diabetes status).
    pub ev: &'a EvaluatedRecord,
    /// Unit policy.
    pub unit_policy: CanonicalUnit,
}

fn range(r: (f64, f64)) -> Interval {
    Interval::closed(r.0, r.1)
}

fn num(v: Option<f64>, r: (f64, f64)) -> Interval {
    v.map_or(range(r), Interval::point)
}

/// Compares a lab value with a published threshold under a unit policy (UNIT-7/UNIT-8):
/// known values exactly in the comparison unit; unknown and censored values are
/// enumerated (TV-2) in the unit they were reported in (mmol/L when unknown).
///
/// A known value (most calls) is compared in line on native targets: at a call site
/// with a fixed operator and threshold that is a unit test and one comparison.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn lab_cmp<A: Analyte>(
    policy: CanonicalUnit,
    q: &mut Oracle,
    name: &'static str,
    o: Obs<Conc<A>>,
    plausible_mmol: (f64, f64),
    op: Op,
    t: Threshold,
) -> bool {
    match o {
        Obs::Known(c) => {
            let (cu, tc) = comparison::<A>(policy, t, Some(c.unit()));
            op.apply(c.in_unit(cu), tc)
        }
        _ => lab_cmp_open(policy, q, name, o, plausible_mmol, op, t),
    }
}

/// The comparison unit of a value reported in `reported` (`None`: unknown) and the
/// threshold in that unit (UNIT-7/UNIT-8).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn comparison<A: Analyte>(
    policy: CanonicalUnit,
    t: Threshold,
    reported: Option<ConcUnit>,
) -> (ConcUnit, f64) {
    // A threshold published in mmol/L only is compared in mmol/L (UNIT-7).
    let cu = if t.mgdl.is_some() {
        policy.comparison_unit(reported)
    } else {
        ConcUnit::MmolL
    };
    let tc = match cu {
        ConcUnit::MgDl => t.mgdl.unwrap_or(t.mmol * A::MGDL_PER_MMOL),
        ConcUnit::MmolL => t.mmol,
    };
    (cu, tc)
}

/// [`lab_cmp`] of an unknown or censored value: enumerated in its reported unit.
fn lab_cmp_open<A: Analyte>(
    policy: CanonicalUnit,
    q: &mut Oracle,
    name: &'static str,
    o: Obs<Conc<A>>,
    plausible_mmol: (f64, f64),
    op: Op,
    t: Threshold,
) -> bool {
    let reported = match o {
        Obs::Known(c) => Some(c.unit()),
        Obs::Censored { bound, .. } => Some(bound.unit()),
        Obs::Unknown => None,
    };
    let (cu, tc) = comparison::<A>(policy, t, reported);
    match o {
        Obs::Known(c) => op.apply(c.in_unit(cu), tc),
        _ => {
            let vu = reported.unwrap_or(ConcUnit::MmolL);
            let f = A::MGDL_PER_MMOL;
            let pr = match vu {
                ConcUnit::MmolL => plausible_mmol,
                ConcUnit::MgDl => (plausible_mmol.0 * f, plausible_mmol.1 * f),
            };
            let tv = match (cu, vu) {
                (ConcUnit::MmolL, ConcUnit::MgDl) => tc * f,
                (ConcUnit::MgDl, ConcUnit::MmolL) => tc / f,
                _ => tc,
            };
            q.cmp(name, lab_interval(o, vu, pr), op, tv)
        }
    }
}

impl<'a> Person<'a> {
    /// Builds the inputs.
    pub fn new(
        rec: &'a ScreeningRecord,
        ev: &'a EvaluatedRecord,
        unit_policy: CanonicalUnit,
    ) -> Self {
        Person {
            rec,
            ev,
            unit_policy,
        }
    }

    /// Compares a lab value with a published threshold under the unit policy. Known
    /// values are compared exactly in the comparison unit; unknown and censored values
    /// are enumerated in the unit they were reported in (mmol/L when unknown).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn lab<A: Analyte>(
        &self,
        q: &mut Oracle,
        name: &'static str,
        o: Obs<Conc<A>>,
        plausible_mmol: (f64, f64),
        op: Op,
        t: Threshold,
    ) -> bool {
        lab_cmp(self.unit_policy, q, name, o, plausible_mmol, op, t)
    }

    /// Male? (unknown sex branches over both, TV-2).
    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    pub fn male(&self, q: &mut Oracle) -> bool {
        match self.ev.sex {
            Some(s) => s == Sex::Male,
            None => q.one_of("sex", 2) == 1,
        }
    }
    /// Age (UNIT-10) compared with `t`.
    pub fn age(&self, q: &mut Oracle, op: Op, t: f64) -> bool {
        q.cmp(
            "age",
            num(self.ev.age.map(|a| a.years), plausible::AGE),
            op,
            t,
        )
    }
    /// Derived SBP compared with `t`.
    pub fn sbp(&self, q: &mut Oracle, op: Op, t: f64) -> bool {
        q.cmp("sbp", num(self.ev.sbp(), plausible::SBP), op, t)
    }
    /// Derived DBP compared with `t`.
    pub fn dbp(&self, q: &mut Oracle, op: Op, t: f64) -> bool {
        q.cmp("dbp", num(self.ev.dbp(), plausible::DBP), op, t)
    }
    /// BMI compared with `t`.
    pub fn bmi(&self, q: &mut Oracle, op: Op, t: f64) -> bool {
        q.cmp("bmi", num(self.ev.bmi.map(|b| b.0), plausible::BMI), op, t)
    }
    /// LDL-C compared with `t`.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn ldl(&self, q: &mut Oracle, op: Op, t: Threshold) -> bool {
        self.lab(q, "ldl", self.ev.ldl, plausible::LDL_MMOL, op, t)
    }
    /// TC compared with `t`.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn tc(&self, q: &mut Oracle, op: Op, t: Threshold) -> bool {
        self.lab(q, "tc", self.ev.tc, plausible::TC_MMOL, op, t)
    }
    /// HDL-C compared with `t`.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn hdl(&self, q: &mut Oracle, op: Op, t: Threshold) -> bool {
        self.lab(q, "hdl", self.ev.hdl, plausible::HDL_MMOL, op, t)
    }
    /// TG compared with `t`.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn tg(&self, q: &mut Oracle, op: Op, t: Threshold) -> bool {
        self.lab::<Triglycerides>(q, "tg", self.ev.tg, plausible::TG_MMOL, op, t)
    }
    /// Fasting glucose compared with `t`.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn fbg(&self, q: &mut Oracle, op: Op, t: Threshold) -> bool {
        self.lab::<Glucose>(q, "fbg", self.ev.fbg, plausible::GLUCOSE_MMOL, op, t)
    }
    /// LDL-C was reported (numeric or censored): the table uses it rather than TC (OQ-12).
    pub fn ldl_present(&self) -> bool {
        self.ev.ldl.is_present()
    }
    /// Non-HDL-C = TC − HDL-C in one unit (UNIT-1a), compared with `t` (§9.2.2).
    /// Both known: computed in TC's reported unit (HDL-C converted), compared as
    /// reported. Otherwise a variable bounded by the current TC and HDL-C intervals.
    pub fn non_hdl(&self, q: &mut Oracle, op: Op, t: Threshold) -> bool {
        if let (Obs::Known(tc), Obs::Known(hdl)) = (self.ev.tc, self.ev.hdl) {
            let u = tc.unit();
            let v = tc.raw() - hdl.in_unit(u);
            let known = Obs::Known(Conc::<Cholesterol>::from_unit(v, u));
            return self.lab(q, "non_hdl", known, plausible::NON_HDL_MMOL, op, t);
        }
        // Bounds in mmol/L from the current intervals of TC and HDL-C.
        let tci = q.interval(
            "tc",
            self.chol_mmol_interval(self.ev.tc, plausible::TC_MMOL),
        );
        let hdi = q.interval(
            "hdl",
            self.chol_mmol_interval(self.ev.hdl, plausible::HDL_MMOL),
        );
        let iv = Interval {
            lo: tci.lo - hdi.hi,
            hi: tci.hi - hdi.lo,
            lo_open: tci.lo_open || hdi.hi_open,
            hi_open: tci.hi_open || hdi.lo_open,
        };
        q.cmp("non_hdl", iv, op, t.mmol)
    }
    fn chol_mmol_interval(&self, o: Obs<Conc<Cholesterol>>, p: (f64, f64)) -> Interval {
        // Only used for non-known values: the oracle's interval is in the reported unit.
        let vu = match o {
            Obs::Censored { bound, .. } => bound.unit(),
            _ => ConcUnit::MmolL,
        };
        let f = crate::units::CHOLESTEROL_MGDL_PER_MMOL;
        let pr = match vu {
            ConcUnit::MmolL => p,
            ConcUnit::MgDl => (p.0 * f, p.1 * f),
        };
        let iv = lab_interval(o, vu, pr);
        match vu {
            ConcUnit::MmolL => iv,
            ConcUnit::MgDl => iv.map_increasing(|v| v / f),
        }
    }
    /// Smoker status (csv-schema.md).
    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    pub fn smoker(&self, q: &mut Oracle) -> bool {
        q.flag("current_smoker", self.ev.smoker)
    }

    /// COND-1 established CVD.
    pub fn cond1_cvd(&self, q: &mut Oracle) -> bool {
        let r = self.rec;
        q.flag("history_mi", r.history_mi)
            || q.flag("history_pci", r.history_pci)
            || q.flag("history_cabg", r.history_cabg)
            || q.flag("history_ischaemic_stroke", r.history_ischaemic_stroke)
            || q.flag("history_haemorrhagic_stroke", r.history_haemorrhagic_stroke)
            || q.assumed_flag("history_tia", r.history_tia)
            || q.assumed_flag("acs_within_12m", r.acs_within_12m)
            || q.assumed_flag("history_pad", r.history_pad)
    }
    /// COND-2 established ASCVD (COND-1 without haemorrhagic stroke).
    pub fn cond2_ascvd(&self, q: &mut Oracle) -> bool {
        let r = self.rec;
        q.flag("history_mi", r.history_mi)
            || q.flag("history_pci", r.history_pci)
            || q.flag("history_cabg", r.history_cabg)
            || q.flag("history_ischaemic_stroke", r.history_ischaemic_stroke)
            || q.assumed_flag("history_tia", r.history_tia)
            || q.assumed_flag("acs_within_12m", r.acs_within_12m)
            || q.assumed_flag("history_pad", r.history_pad)
    }
    /// COND-3 hypertension.
    pub fn cond3_htn(&self, q: &mut Oracle) -> bool {
        self.sbp(q, Op::Ge, 140.0)
            || self.dbp(q, Op::Ge, 90.0)
            || q.flag("bp_treated", self.rec.bp_treated)
            || q.assumed_flag("hypertension", self.rec.hypertension)
    }
    /// COND-4 dyslipidaemia = LIP-DYS-1 (`dyslipidaemia_mpp_research`).
    pub fn cond4_dyslipidaemia(&self, q: &mut Oracle) -> bool {
        super::lipid::dys_procedure(self, q)
    }
    /// COND-5 diabetes.
    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    pub fn cond5_diabetes(&self, q: &mut Oracle) -> bool {
        q.flag("diabetes", self.ev.diabetes)
    }
    /// COND-6 CKD stage 3–4.
    pub fn cond6_ckd34(&self, q: &mut Oracle) -> bool {
        match self.rec.ckd_stage {
            Some(s) => matches!(
                s,
                CkdStage::S3 | CkdStage::S3a | CkdStage::S3b | CkdStage::S4
            ),
            None => match (self.rec.egfr, self.ev.egfr) {
                (None, _) => {
                    q.assume("ckd_stage");
                    false
                }
                (Some(_), e) => {
                    let iv = num(e, plausible::EGFR);
                    q.cmp("egfr", iv, Op::Ge, 15.0) && q.cmp("egfr", iv, Op::Lt, 60.0)
                }
            },
        }
    }
    /// COND-7 number of severe ASCVD events.
    pub fn cond7_events(&self, q: &mut Oracle) -> u32 {
        let r = self.rec;
        if let Some(n) = r.severe_ascvd_events {
            return n;
        }
        let acs = q.assumed_flag("acs_within_12m", r.acs_within_12m);
        let mi = !acs && q.flag("history_mi", r.history_mi);
        let stroke = q.flag("history_ischaemic_stroke", r.history_ischaemic_stroke);
        let pad = q.assumed_flag("history_pad_revasc", r.history_pad_revasc);
        [acs, mi, stroke, pad].iter().filter(|b| **b).count() as u32
    }
    /// COND-9 baseline LDL-C compared with a mmol/L threshold.
    pub fn cond9_baseline_ldl(&self, q: &mut Oracle, op: Op, t: Threshold) -> bool {
        let given = self.rec.ldl_baseline.reported();
        if given.is_present() {
            return self.lab(q, "ldl_baseline", given, plausible::LDL_MMOL, op, t);
        }
        if q.flag("lipid_treated", self.rec.lipid_treated) {
            self.lab::<Cholesterol>(q, "ldl_baseline", Obs::Unknown, plausible::LDL_MMOL, op, t)
        } else {
            self.ldl(q, op, t)
        }
    }
    /// COND-8: at least two of the eight LIP2023-3 factors.
    pub fn cond8_two_factors(&self, q: &mut Oracle) -> bool {
        let r = self.rec;
        let mut n = 0;
        let items: [&dyn Fn(&mut Oracle) -> bool; 8] = [
            &|q| q.assumed_flag("ascvd_recurrence_at_low_ldl", r.ascvd_recurrence_at_low_ldl),
            &|q| match r.chd_onset_age {
                None => {
                    q.assume("chd_onset_age");
                    false
                }
                Some(a) => a < if self.male(q) { 55.0 } else { 65.0 },
            },
            &|q| {
                q.assumed_flag(
                    "familial_hypercholesterolaemia",
                    r.familial_hypercholesterolaemia,
                ) || self.cond9_baseline_ldl(q, Op::Ge, Threshold::mmol(4.9))
            },
            &|q| q.flag("history_pci", r.history_pci) || q.flag("history_cabg", r.history_cabg),
            &|q| self.cond5_diabetes(q),
            &|q| self.cond3_htn(q),
            &|q| self.cond6_ckd34(q),
            &|q| self.smoker(q),
        ];
        for item in items {
            if item(q) {
                n += 1;
                if n >= 2 {
                    return true;
                }
            }
        }
        false
    }
}

/// A condition's three-valued answer with the inputs it lacks and the COND-10 flags
/// it assumed absent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CondValue {
    /// Yes (`Fired`), No (`NotFired`) or Unknown (`Indeterminate`).
    pub value: Outcome,
    /// Inputs the answer depends on when Unknown.
    pub missing: Vec<&'static str>,
    /// Guideline-only flags read as No (COND-10).
    pub assumed_absent: Vec<&'static str>,
}

impl CondValue {
    fn of(f: impl FnMut(&mut Oracle) -> bool) -> Self {
        let (value, missing, assumed_absent) = decide(f);
        CondValue {
            value,
            missing,
            assumed_absent,
        }
    }
}

/// COND-1…COND-9 of one person, each three-valued.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conditions {
    /// COND-1 established CVD.
    pub established_cvd: CondValue,
    /// COND-2 established ASCVD.
    pub established_ascvd: CondValue,
    /// COND-3 hypertension.
    pub hypertension: CondValue,
    /// COND-3 flag: the Yes rests on the screening BP alone (a finding, not a diagnosis).
    pub single_visit_bp: bool,
    /// COND-4 dyslipidaemia (LIP-DYS-1).
    pub dyslipidaemia: CondValue,
    /// COND-5 diabetes.
    pub diabetes: CondValue,
    /// COND-6 CKD stage 3–4.
    pub ckd_3_4: CondValue,
    /// COND-6 flag: decided from eGFR because no stage was recorded.
    pub ckd_from_egfr: bool,
    /// COND-7 severe ASCVD events as the range of possible counts `(min, max)`.
    pub severe_events: (u32, u32),
    /// COND-8 "≥ 2 high-risk factors".
    pub two_high_risk_factors: CondValue,
    /// COND-10: every guideline-only flag read as No, over all conditions above.
    pub assumed_absent: Vec<&'static str>,
}

impl Conditions {
    /// Evaluates COND-1…COND-9 (COND-10 applied throughout).
    pub fn evaluate(p: &Person<'_>) -> Self {
        let established_cvd = CondValue::of(|q| p.cond1_cvd(q));
        let established_ascvd = CondValue::of(|q| p.cond2_ascvd(q));
        let hypertension = CondValue::of(|q| p.cond3_htn(q));
        let bp_only = hypertension.value == Outcome::Fired
            && p.rec.bp_treated != Some(true)
            && p.rec.hypertension != Some(true);
        let dyslipidaemia = CondValue::of(|q| p.cond4_dyslipidaemia(q));
        let diabetes = CondValue::of(|q| p.cond5_diabetes(q));
        let ckd_3_4 = CondValue::of(|q| p.cond6_ckd34(q));
        let ckd_from_egfr = p.rec.ckd_stage.is_none() && p.rec.egfr.is_some();
        let (events, events_assumed) = match enumerate(|q| p.cond7_events(q), |_| ()) {
            Enumerated::Determined {
                values,
                assumed_absent,
            } => (
                (
                    values.iter().copied().min().unwrap_or(0),
                    values.iter().copied().max().unwrap_or(0),
                ),
                assumed_absent,
            ),
            Enumerated::Indeterminate { .. } => ((0, 4), Vec::new()),
        };
        let two_high_risk_factors = CondValue::of(|q| p.cond8_two_factors(q));
        let mut assumed_absent: Vec<&'static str> = Vec::new();
        for c in [
            &established_cvd,
            &established_ascvd,
            &hypertension,
            &dyslipidaemia,
            &diabetes,
            &ckd_3_4,
            &two_high_risk_factors,
        ] {
            for a in &c.assumed_absent {
                if !assumed_absent.contains(a) {
                    assumed_absent.push(a);
                }
            }
        }
        for a in events_assumed {
            if !assumed_absent.contains(&a) {
                assumed_absent.push(a);
            }
        }
        Conditions {
            established_cvd,
            established_ascvd,
            hypertension,
            single_visit_bp: bp_only,
            dyslipidaemia,
            diabetes,
            ckd_3_4,
            ckd_from_egfr,
            severe_events: events,
            two_high_risk_factors,
            assumed_absent,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::evaluated::FieldSet;
    use crate::exchange::parse_pairs;
    use crate::profile::Profile;

    /// UNIT-7/UNIT-8: every policy × reported unit × threshold kind.
    #[test]
    fn comparison_unit_and_threshold_per_policy() {
        use crate::units::Cholesterol;
        let (mm, mg) = (Some(ConcUnit::MmolL), Some(ConcUnit::MgDl));
        let pair = Threshold::pair(4.14, 160.0);
        let only = Threshold::mmol(2.6);
        let cases = [
            (CanonicalUnit::AsReported, mm, pair, (ConcUnit::MmolL, 4.14)),
            (CanonicalUnit::AsReported, mg, pair, (ConcUnit::MgDl, 160.0)),
            (
                CanonicalUnit::AsReported,
                None,
                pair,
                (ConcUnit::MmolL, 4.14),
            ),
            (CanonicalUnit::MgDl, mm, pair, (ConcUnit::MgDl, 160.0)),
            (CanonicalUnit::MgDl, None, pair, (ConcUnit::MgDl, 160.0)),
            (CanonicalUnit::MmolL, mg, pair, (ConcUnit::MmolL, 4.14)),
            // A threshold published in mmol/L only: compared in mmol/L under every policy.
            (CanonicalUnit::AsReported, mg, only, (ConcUnit::MmolL, 2.6)),
            (CanonicalUnit::MgDl, mg, only, (ConcUnit::MmolL, 2.6)),
            (CanonicalUnit::MmolL, mm, only, (ConcUnit::MmolL, 2.6)),
        ];
        for (policy, reported, t, want) in cases {
            assert_eq!(
                comparison::<Cholesterol>(policy, t, reported),
                want,
                "{policy:?} {reported:?} {t:?}"
            );
        }
    }

    /// Builds a record and its evaluated values from column pairs.
    pub(crate) fn person(pairs: &[(&str, &str)]) -> (ScreeningRecord, EvaluatedRecord) {
        let (rec, f) = parse_pairs(pairs);
        assert!(f.is_empty(), "parse findings: {f:?}");
        let ev = EvaluatedRecord::new(&rec, &Profile::default(), FieldSet::default());
        (rec, ev)
    }

    fn conds(pairs: &[(&str, &str)]) -> Conditions {
        let (rec, ev) = person(pairs);
        Conditions::evaluate(&Person::new(&rec, &ev, CanonicalUnit::AsReported))
    }

    const NO_HISTORY: [(&str, &str); 5] = [
        ("history_mi", "0"),
        ("history_pci", "0"),
        ("history_cabg", "0"),
        ("history_ischaemic_stroke", "0"),
        ("history_haemorrhagic_stroke", "0"),
    ];

    #[test]
    fn cond_1_and_2_haemorrhagic_stroke_and_tia() {
        let mut p = NO_HISTORY.to_vec();
        let c = conds(&p);
        assert_eq!(c.established_cvd.value, Outcome::NotFired);
        assert!(c.established_cvd.assumed_absent.contains(&"history_tia"));
        p[4] = ("history_haemorrhagic_stroke", "1");
        let c = conds(&p);
        assert_eq!(c.established_cvd.value, Outcome::Fired);
        assert_eq!(c.established_ascvd.value, Outcome::NotFired);
        let mut p = NO_HISTORY.to_vec();
        p.push(("history_tia", "1"));
        let c = conds(&p);
        assert_eq!(c.established_ascvd.value, Outcome::Fired);
        // Unknown MI: Unknown, naming the field.
        let c = conds(&NO_HISTORY[1..]);
        assert_eq!(c.established_cvd.value, Outcome::Indeterminate);
        assert_eq!(c.established_cvd.missing, vec!["history_mi"]);
    }

    #[test]
    fn cond_3_both_sides_and_single_visit_flag() {
        let c = conds(&[("sbp", "140"), ("dbp", "80"), ("bp_treated", "0")]);
        assert_eq!(c.hypertension.value, Outcome::Fired);
        assert!(c.single_visit_bp);
        let c = conds(&[("sbp", "139.9"), ("dbp", "89.9"), ("bp_treated", "0")]);
        assert_eq!(c.hypertension.value, Outcome::NotFired);
        let c = conds(&[("sbp", "120"), ("dbp", "90"), ("bp_treated", "0")]);
        assert_eq!(c.hypertension.value, Outcome::Fired);
        let c = conds(&[("sbp", "120"), ("dbp", "70"), ("bp_treated", "1")]);
        assert_eq!(c.hypertension.value, Outcome::Fired);
        assert!(!c.single_visit_bp);
        let c = conds(&[("sbp", "120"), ("dbp", "70")]);
        assert_eq!(c.hypertension.value, Outcome::Indeterminate);
        assert_eq!(c.hypertension.missing, vec!["bp_treated"]);
        let c = conds(&[("bp_treated", "0"), ("hypertension", "1")]);
        assert_eq!(c.hypertension.value, Outcome::Fired);
        let c = conds(&[("bp_treated", "0")]);
        assert_eq!(c.hypertension.value, Outcome::Indeterminate);
    }

    #[test]
    fn cond_6_stage_and_egfr() {
        assert_eq!(conds(&[("ckd_stage", "3a")]).ckd_3_4.value, Outcome::Fired);
        assert_eq!(
            conds(&[("ckd_stage", "5")]).ckd_3_4.value,
            Outcome::NotFired
        );
        assert_eq!(
            conds(&[("ckd_stage", "2")]).ckd_3_4.value,
            Outcome::NotFired
        );
        let c = conds(&[("egfr", "59.9")]);
        assert_eq!(c.ckd_3_4.value, Outcome::Fired);
        assert!(c.ckd_from_egfr);
        assert_eq!(conds(&[("egfr", "60")]).ckd_3_4.value, Outcome::NotFired);
        assert_eq!(conds(&[("egfr", "15")]).ckd_3_4.value, Outcome::Fired);
        assert_eq!(conds(&[("egfr", "14.9")]).ckd_3_4.value, Outcome::NotFired);
        let c = conds(&[]);
        assert_eq!(c.ckd_3_4.value, Outcome::NotFired);
        assert!(c.ckd_3_4.assumed_absent.contains(&"ckd_stage"));
    }

    #[test]
    fn cond_7_counts_and_ranges() {
        let c = conds(&[
            ("acs_within_12m", "1"),
            ("history_mi", "1"),
            ("history_ischaemic_stroke", "0"),
        ]);
        assert_eq!(c.severe_events, (1, 1));
        let c = conds(&[("history_mi", "1"), ("history_ischaemic_stroke", "1")]);
        assert_eq!(c.severe_events, (2, 2));
        let c = conds(&[("history_mi", "1")]);
        assert_eq!(c.severe_events, (1, 2));
        let c = conds(&[("severe_ascvd_events", "3"), ("history_mi", "0")]);
        assert_eq!(c.severe_events, (3, 3));
    }

    #[test]
    fn cond_8_two_factors_three_valued() {
        // Diabetes + smoking: 2 factors.
        let c = conds(&[("diabetes", "1"), ("current_smoker", "1")]);
        assert_eq!(c.two_high_risk_factors.value, Outcome::Fired);
        // One Yes, the rest known No: not met.
        let base = [
            ("diabetes", "1"),
            ("current_smoker", "0"),
            ("sbp", "120"),
            ("dbp", "70"),
            ("bp_treated", "0"),
            ("history_pci", "0"),
            ("history_cabg", "0"),
            ("lipid_treated", "0"),
            ("ldl_mmol", "3.0"),
        ];
        assert_eq!(conds(&base).two_high_risk_factors.value, Outcome::NotFired);
        // Baseline LDL-C 4.9 (untreated: the current value) is the second factor.
        let mut p = base.to_vec();
        p[8] = ("ldl_mmol", "4.9");
        assert_eq!(conds(&p).two_high_risk_factors.value, Outcome::Fired);
        p[8] = ("ldl_mmol", "4.89");
        assert_eq!(conds(&p).two_high_risk_factors.value, Outcome::NotFired);
        // One Yes and smoking unknown: Indeterminate.
        let mut p = base.to_vec();
        p.remove(1);
        let c = conds(&p);
        assert_eq!(c.two_high_risk_factors.value, Outcome::Indeterminate);
        assert_eq!(c.two_high_risk_factors.missing, vec!["current_smoker"]);
        // Premature CHD: men < 55.
        let mut p = base.to_vec();
        p.extend([("sex", "male"), ("chd_onset_age", "54.9")]);
        assert_eq!(conds(&p).two_high_risk_factors.value, Outcome::Fired);
        let n = p.len();
        p[n - 1] = ("chd_onset_age", "55");
        assert_eq!(conds(&p).two_high_risk_factors.value, Outcome::NotFired);
        p[n - 2] = ("sex", "female");
        assert_eq!(conds(&p).two_high_risk_factors.value, Outcome::Fired);
    }

    #[test]
    fn cond_9_treated_without_baseline_is_unknown() {
        let (rec, ev) = person(&[("lipid_treated", "1"), ("ldl_mmol", "2.0")]);
        let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
        let (o, missing, _) = decide(|q| p.cond9_baseline_ldl(q, Op::Ge, Threshold::mmol(4.9)));
        assert_eq!((o, missing), (Outcome::Indeterminate, vec!["ldl_baseline"]));
        let (rec, ev) = person(&[("lipid_treated", "1"), ("ldl_baseline_mgdl", "190")]);
        let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
        // 190 mg/dL ÷ 38.67 = 4.913 ≥ 4.9.
        assert_eq!(
            decide(|q| p.cond9_baseline_ldl(q, Op::Ge, Threshold::mmol(4.9))).0,
            Outcome::Fired
        );
    }
}
