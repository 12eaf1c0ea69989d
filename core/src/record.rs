//! The screening record (one row of the exchange format, spec/csv-schema.md) and the
//! values derived from it: blood pressure by protocol (BP-5…BP-10), BMI (UNIT-5), age
//! (UNIT-10), smoker and diabetes status (csv-schema.md DECISIONs).

use crate::date::Date;
use crate::exchange::{Col, ColumnSet};
use crate::units::{
    bmi, Cholesterol, Cm, Conc, Glucose, Kg, KgPerM2, MgDl, MmHg, MmolL, Triglycerides, Years,
};
use crate::value::Obs;
use serde::{Deserialize, Serialize};

crate::define_rules! {
    BP_1 = "BP-1", "bp-protocol", [ConfirmedP], "domain.md §5 BP-1; S1",
        "Mean of two readings (2014 protocol text): `Mean2`",
        "两次读数取平均值（2014年方案原文）：Mean2";
    BP_3 = "BP-3", "bp-protocol", [Unverified], "domain.md §5 BP-3; MPP papers",
        "SBPs of two readings > 10 mmHg apart: a third, mean of the last two: `MppMeanOfLastTwo`",
        "两次收缩压相差>10 mmHg时测第三次，取后两次平均值：MppMeanOfLastTwo";
    BP_4 = "BP-4", "bp-protocol", [ConfirmedS], "domain.md §5 BP-4; S18",
        "SBP or DBP of two readings > 10 mmHg apart: a third, mean of all three: `Cn2024MeanOf2Or3`",
        "收缩压或舒张压相差>10 mmHg时测第三次，取三次平均值：Cn2024MeanOf2Or3";
    BP_6 = "BP-6", "bp-protocol", [Decision], "domain.md §5 BP-6; OQ-3",
        "The programme profiles derive BP with `MppMeanOfLastTwo`",
        "项目方案默认按 MppMeanOfLastTwo 计算血压";
    BP_5 = "BP-5", "bp-protocol", [Decision], "domain.md §5 BP-5",
        "Derived SBP/DBP are the means over one selected set of valid readings, chosen by the BP protocol",
        "按血压测量方案选取同一组有效读数，收缩压和舒张压均取其平均值";
    BP_8 = "BP-8", "bp-protocol", [Decision], "domain.md §5 BP-8",
        "Fewer than `min_readings` valid readings: the derived BP is unknown",
        "有效读数少于规定次数时，血压视为未知";
    BP_9 = "BP-9", "bp-protocol", [ConfirmedP, Decision], "domain.md §5 BP-9; S19",
        "A reading pair is valid only if both values are present, inside their plausible ranges and SBP > DBP",
        "一组读数仅当收缩压和舒张压均存在、均在合理范围内且收缩压>舒张压时有效";
    BP_10 = "BP-10", "bp-protocol", [Decision], "domain.md §5 BP-10",
        "Final `sbp`/`dbp` are used only when no reading is supplied",
        "仅在未提供任何读数时使用最终血压值 sbp/dbp";
}

/// Sex.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl Sex {
    /// `male` / `female`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// Race, used only by the US Pooled Cohort Equations (csv-schema.md `race`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Race {
    /// White.
    White,
    /// African American.
    AfricanAmerican,
    /// Any other; the PCE use the white equations.
    Other,
}

/// Chronic kidney disease stage (csv-schema.md `ckd_stage`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CkdStage {
    /// Stage 1.
    S1,
    /// Stage 2.
    S2,
    /// Stage 3 (unsplit).
    S3,
    /// Stage 3a.
    S3a,
    /// Stage 3b.
    S3b,
    /// Stage 4.
    S4,
    /// Stage 5.
    S5,
}

/// CV risk level from the hypertension guideline's stratification (BPC-9).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HtnCvRisk {
    /// 低危
    Low,
    /// 中危
    Medium,
    /// 高危
    High,
    /// 很高危
    VeryHigh,
}

/// Point-of-care lipid device (csv-schema.md `lipid_device`, OQ-15).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LipidDevice {
    /// PTS Diagnostics CardioChek PA (device ranges DEV-2).
    CardiochekPa,
    /// Any other device, by name.
    Other(String),
}

/// One analyte that may arrive in mmol/L, mg/dL or both columns.
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Dual<A: crate::units::Analyte> {
    /// The `*_mmol` column.
    pub mmol: Obs<MmolL<A>>,
    /// The `*_mgdl` column.
    pub mgdl: Obs<MgDl<A>>,
}

impl<A: crate::units::Analyte> Clone for Dual<A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<A: crate::units::Analyte> Copy for Dual<A> {}
impl<A: crate::units::Analyte> Default for Dual<A> {
    fn default() -> Self {
        Dual {
            mmol: Obs::Unknown,
            mgdl: Obs::Unknown,
        }
    }
}
impl<A: crate::units::Analyte> std::fmt::Debug for Dual<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dual")
            .field("mmol", &self.mmol)
            .field("mgdl", &self.mgdl)
            .finish()
    }
}
impl<A: crate::units::Analyte> PartialEq for Dual<A> {
    fn eq(&self, o: &Self) -> bool {
        self.mmol == o.mmol && self.mgdl == o.mgdl
    }
}

impl<A: crate::units::Analyte> Dual<A> {
    /// The value as reported: the mmol/L column when filled (DQ-XF-6: "the mmol/L
    /// value is used"), else the mg/dL column.
    pub fn reported(&self) -> Obs<Conc<A>> {
        match self.mmol {
            Obs::Unknown => self.mgdl.map(Conc::MgDl),
            m => m.map(Conc::MmolL),
        }
    }
    /// Both columns filled.
    pub fn both(&self) -> bool {
        self.mmol.is_present() && self.mgdl.is_present()
    }
}

/// One BP reading pair as entered (`sbp_n`, `dbp_n`).
#[derive(Copy, Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Reading {
    /// Systolic, mmHg.
    pub sbp: Option<MmHg>,
    /// Diastolic, mmHg.
    pub dbp: Option<MmHg>,
}

/// A screening record: every input column of spec/csv-schema.md, typed. Empty cells
/// are `None` / [`Obs::Unknown`] (never zero).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ScreeningRecord {
    /// Columns present in the source (file header or object keys). Used for the
    /// "absent from the whole file" rules (ELIG-AND, DQ-PRG-3, DQ-PRG-4).
    #[serde(skip)]
    pub columns: ColumnSet,
    /// `id`
    pub id: Option<String>,
    /// `site_id`
    pub site_id: Option<String>,
    /// `screen_date`
    pub screen_date: Option<Date>,
    /// `sex`
    pub sex: Option<Sex>,
    /// `age` (years, decimals allowed)
    pub age: Option<Years>,
    /// `birth_date`
    pub birth_date: Option<Date>,
    /// `sbp_1`/`dbp_1` … `sbp_3`/`dbp_3`
    pub readings: [Reading; 3],
    /// `sbp` (final value when no readings are supplied)
    pub sbp: Option<MmHg>,
    /// `dbp`
    pub dbp: Option<MmHg>,
    /// `height_cm`
    pub height_cm: Option<Cm>,
    /// `weight_kg`
    pub weight_kg: Option<Kg>,
    /// `waist_cm`
    pub waist_cm: Option<Cm>,
    /// `hip_cm`
    pub hip_cm: Option<Cm>,
    /// `bmi` as supplied
    pub bmi: Option<KgPerM2>,
    /// `tc_mmol` / `tc_mgdl`
    pub tc: Dual<Cholesterol>,
    /// `hdl_mmol` / `hdl_mgdl`
    pub hdl: Dual<Cholesterol>,
    /// `ldl_mmol` / `ldl_mgdl`
    pub ldl: Dual<Cholesterol>,
    /// `tg_mmol` / `tg_mgdl`
    pub tg: Dual<Triglycerides>,
    /// `fbg_mmol` / `fbg_mgdl`
    pub fbg: Dual<Glucose>,
    /// `ldl_baseline_mmol` / `ldl_baseline_mgdl`
    pub ldl_baseline: Dual<Cholesterol>,
    /// `current_smoker`
    pub current_smoker: Option<bool>,
    /// `smoking_quit_date`
    pub smoking_quit_date: Option<Date>,
    /// `diabetes`
    pub diabetes: Option<bool>,
    /// `bp_treated`
    pub bp_treated: Option<bool>,
    /// `lipid_treated`
    pub lipid_treated: Option<bool>,
    /// `glucose_treated`
    pub glucose_treated: Option<bool>,
    /// `statin`
    pub statin: Option<bool>,
    /// `history_mi`
    pub history_mi: Option<bool>,
    /// `history_pci`
    pub history_pci: Option<bool>,
    /// `history_cabg`
    pub history_cabg: Option<bool>,
    /// `history_ischaemic_stroke`
    pub history_ischaemic_stroke: Option<bool>,
    /// `history_haemorrhagic_stroke`
    pub history_haemorrhagic_stroke: Option<bool>,
    /// `history_tia`
    pub history_tia: Option<bool>,
    /// `family_history_ascvd`
    pub family_history_ascvd: Option<bool>,
    /// `north`
    pub north: Option<bool>,
    /// `urban`
    pub urban: Option<bool>,
    /// `egfr`
    pub egfr: Option<f64>,
    /// `race`
    pub race: Option<Race>,
    /// `hba1c_pct`
    pub hba1c_pct: Option<f64>,
    /// `creatinine_umol`
    pub creatinine_umol: Option<f64>,
    /// `id_number`
    pub id_number: Option<String>,
    /// `consent`
    pub consent: Option<bool>,
    /// `residence_months`
    pub residence_months: Option<f64>,
    /// `hukou_local`
    pub hukou_local: Option<bool>,
    /// `unable_to_comply`
    pub unable_to_comply: Option<bool>,
    /// `lipid_device`
    pub lipid_device: Option<LipidDevice>,
    /// `lipid_not_done_reason`
    pub lipid_not_done_reason: Option<String>,
    /// `entry_date`
    pub entry_date: Option<Date>,
    /// `high_risk_recorded`
    pub high_risk_recorded: Option<bool>,
    /// `hr_exam_date`
    pub hr_exam_date: Option<Date>,
    /// `hr_questionnaire_done`
    pub hr_questionnaire_done: Option<bool>,
    /// `hr_checklist_done`
    pub hr_checklist_done: Option<bool>,
    /// `ecg_done`
    pub ecg_done: Option<bool>,
    /// `carotid_us_done`
    pub carotid_us_done: Option<bool>,
    /// `echo_done`
    pub echo_done: Option<bool>,
    /// `blood_sample_done`
    pub blood_sample_done: Option<bool>,
    /// `urine_sample_done`
    pub urine_sample_done: Option<bool>,
    /// `intervention_date`
    pub intervention_date: Option<Date>,
    /// `hypertension`
    pub hypertension: Option<bool>,
    /// `family_history_htn`
    pub family_history_htn: Option<bool>,
    /// `high_salt_diet`
    pub high_salt_diet: Option<bool>,
    /// `liquor_ml_per_day`
    pub liquor_ml_per_day: Option<f64>,
    /// `acs_within_12m`
    pub acs_within_12m: Option<bool>,
    /// `history_pad`
    pub history_pad: Option<bool>,
    /// `history_pad_revasc`
    pub history_pad_revasc: Option<bool>,
    /// `severe_ascvd_events`
    pub severe_ascvd_events: Option<u32>,
    /// `ascvd_recurrence_at_low_ldl`
    pub ascvd_recurrence_at_low_ldl: Option<bool>,
    /// `chd_onset_age`
    pub chd_onset_age: Option<f64>,
    /// `familial_hypercholesterolaemia`
    pub familial_hypercholesterolaemia: Option<bool>,
    /// `ckd_stage`
    pub ckd_stage: Option<CkdStage>,
    /// `manage_as_high_risk`
    pub manage_as_high_risk: Option<bool>,
    /// `bleeding_risk_high`
    pub bleeding_risk_high: Option<bool>,
    /// `htn_cv_risk`
    pub htn_cv_risk: Option<HtnCvRisk>,
}

/// Blood-pressure protocol (BP-5).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum BpProtocol {
    /// Mean of readings 1 and 2 (S1 text, BP-1).
    Mean2,
    /// Readings 1 and 2; if |SBP₁ − SBP₂| > 10 and a third exists, readings 2 and 3
    /// (the MPP papers, BP-3 \[UNVERIFIED\]; default, BP-6).
    #[default]
    MppMeanOfLastTwo,
    /// If SBP or DBP of readings 1 and 2 differ by > 10 and a third exists, mean of
    /// all three; else mean of 1 and 2 (2024 Chinese hypertension guideline, BP-4).
    Cn2024MeanOf2Or3,
}

impl BpProtocol {
    /// The name, as serialised (`MppMeanOfLastTwo`).
    pub fn as_str(self) -> &'static str {
        match self {
            BpProtocol::Mean2 => "Mean2",
            BpProtocol::MppMeanOfLastTwo => "MppMeanOfLastTwo",
            BpProtocol::Cn2024MeanOf2Or3 => "Cn2024MeanOf2Or3",
        }
    }

    /// The rule the protocol implements: BP-1, BP-3 or BP-4.
    pub fn rule_id(self) -> &'static str {
        match self {
            BpProtocol::Mean2 => BP_1,
            BpProtocol::MppMeanOfLastTwo => BP_3,
            BpProtocol::Cn2024MeanOf2Or3 => BP_4,
        }
    }
}

/// Where the derived BP came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BpSource {
    /// From the readings (BP-5).
    Readings,
    /// From the final `sbp`/`dbp` columns (BP-10).
    Final,
    /// No BP at all.
    None,
}

/// The derived blood pressure of a record (BP-5…BP-10).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DerivedBp {
    /// Derived SBP (unknown when too few valid readings).
    pub sbp: Option<MmHg>,
    /// Derived DBP.
    pub dbp: Option<MmHg>,
    /// Readings or final values.
    pub source: BpSource,
    /// Protocol used.
    pub protocol: BpProtocol,
    /// Original reading numbers (1-based) averaged.
    pub readings_used: Vec<u8>,
    /// Number of valid readings (BP-9).
    pub valid_readings: u8,
    /// A third reading was required by the protocol but absent (DQ-BP-4).
    pub third_reading_missing: bool,
}

/// DQ-RANGE-8: plausible SBP per reading, mmHg (closed).
pub const SBP_RANGE: (f64, f64) = (70.0, 270.0);
/// DQ-RANGE-9: plausible DBP per reading, mmHg (closed).
pub const DBP_RANGE: (f64, f64) = (30.0, 150.0);

fn in_range(v: f64, (lo, hi): (f64, f64)) -> bool {
    v >= lo && v <= hi
}

/// BP-9: a reading pair is valid when both values are present, both in range and SBP > DBP.
pub fn reading_is_valid(r: &Reading) -> bool {
    match (r.sbp, r.dbp) {
        (Some(s), Some(d)) => in_range(s.0, SBP_RANGE) && in_range(d.0, DBP_RANGE) && s.0 > d.0,
        _ => false,
    }
}

/// BP-5…BP-10: derive the record's SBP/DBP with `protocol` and `min_readings`.
pub fn derive_bp(
    readings: &[Reading; 3],
    final_sbp: Option<MmHg>,
    final_dbp: Option<MmHg>,
    protocol: BpProtocol,
    min_readings: u8,
) -> DerivedBp {
    let supplied = readings.iter().any(|r| r.sbp.is_some() || r.dbp.is_some());
    if !supplied {
        // BP-10: final values are the derived BP (range/pair rules applied as for readings).
        let pair = Reading {
            sbp: final_sbp,
            dbp: final_dbp,
        };
        let ok_s = final_sbp.filter(|s| in_range(s.0, SBP_RANGE));
        let ok_d = final_dbp.filter(|d| in_range(d.0, DBP_RANGE));
        let (sbp, dbp) = match (ok_s, ok_d) {
            (Some(_), Some(_)) if !reading_is_valid(&pair) => (None, None),
            other => other,
        };
        let source = if final_sbp.is_some() || final_dbp.is_some() {
            BpSource::Final
        } else {
            BpSource::None
        };
        return DerivedBp {
            sbp,
            dbp,
            source,
            protocol,
            readings_used: Vec::new(),
            valid_readings: 0,
            third_reading_missing: false,
        };
    }
    // The valid readings (number, SBP, DBP), at most three: kept on the stack, as
    // this runs several times per record (QC and evaluation).
    let mut valid = [(0u8, 0.0f64, 0.0f64); 3];
    let mut n = 0usize;
    for (i, r) in readings.iter().enumerate() {
        if reading_is_valid(r) {
            valid[n] = (
                i as u8 + 1,
                r.sbp.map_or(0.0, |v| v.0),
                r.dbp.map_or(0.0, |v| v.0),
            );
            n += 1;
        }
    }
    let valid = &valid[..n];
    let mut out = DerivedBp {
        sbp: None,
        dbp: None,
        source: BpSource::Readings,
        protocol,
        readings_used: Vec::new(),
        valid_readings: n as u8,
        third_reading_missing: false,
    };
    if (n as u8) < min_readings.max(1) {
        return out;
    }
    // Which of the valid readings are averaged, as indices into `valid`.
    let chosen: &[usize] = if valid.len() == 1 {
        &[0]
    } else {
        let (a, b) = (&valid[0], &valid[1]);
        let sbp_gap = (a.1 - b.1).abs() > 10.0;
        let dbp_gap = (a.2 - b.2).abs() > 10.0;
        let third = valid.len() > 2;
        match protocol {
            BpProtocol::Mean2 => &[0, 1],
            BpProtocol::MppMeanOfLastTwo => {
                if sbp_gap {
                    if third {
                        &[1, 2]
                    } else {
                        out.third_reading_missing = true;
                        &[0, 1]
                    }
                } else {
                    &[0, 1]
                }
            }
            BpProtocol::Cn2024MeanOf2Or3 => {
                if sbp_gap || dbp_gap {
                    if third {
                        &[0, 1, 2]
                    } else {
                        out.third_reading_missing = true;
                        &[0, 1]
                    }
                } else {
                    &[0, 1]
                }
            }
        }
    };
    let k = chosen.len() as f64;
    out.sbp = Some(MmHg(chosen.iter().map(|&i| valid[i].1).sum::<f64>() / k));
    out.dbp = Some(MmHg(chosen.iter().map(|&i| valid[i].2).sum::<f64>() / k));
    out.readings_used = chosen.iter().map(|&i| valid[i].0).collect();
    out
}

/// Age of a record (UNIT-10).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgeInfo {
    /// Age passed to risk equations and chart binning: completed years when derived
    /// from `birth_date`, else the supplied `age` unchanged (decimals kept).
    pub years: f64,
    /// Completed years, for eligibility (floor of a supplied age).
    pub completed: i32,
    /// True when derived from `birth_date` at `screen_date`.
    pub from_birth_date: bool,
}

/// `x.floor() as i32` (saturating, 0 for NaN) without the `floor` call, a libm
/// routine on the x86-64 baseline: the saturating cast truncates towards zero, one
/// step down where that rounded a negative non-integer up.
fn floor_i32(x: f64) -> i32 {
    let t = x as i32;
    if f64::from(t) > x {
        t.saturating_sub(1)
    } else {
        t
    }
}

impl ScreeningRecord {
    /// True when column `c` was present in the source.
    pub fn has_column(&self, c: Col) -> bool {
        self.columns.contains(c)
    }

    /// UNIT-10: age from `birth_date` at `screen_date` (completed years) when both are
    /// known, else the supplied `age`.
    pub fn age_info(&self) -> Option<AgeInfo> {
        if let (Some(b), Some(s)) = (self.birth_date, self.screen_date) {
            let y = b.completed_years_until(s);
            return Some(AgeInfo {
                years: f64::from(y),
                completed: y,
                from_birth_date: true,
            });
        }
        self.age.map(|a| AgeInfo {
            years: a.0,
            completed: floor_i32(a.0),
            from_birth_date: false,
        })
    }

    /// BMI used for evaluation: weight ÷ height² whenever both are known (unrounded),
    /// else the supplied `bmi` (csv-schema.md `bmi` DECISION).
    pub fn bmi_used(&self) -> Option<KgPerM2> {
        match (self.weight_kg, self.height_cm) {
            (Some(w), Some(h)) if h.0 > 0.0 => Some(bmi(w, h)),
            _ => self.bmi,
        }
    }

    /// True when BMI is computed from height and weight.
    pub fn bmi_is_derived(&self) -> bool {
        matches!((self.weight_kg, self.height_cm), (Some(_), Some(h)) if h.0 > 0.0)
    }

    /// Smoker status (csv-schema.md `smoking_quit_date` DECISION; WHOISH-8): Yes if
    /// `current_smoker` = 1 or `screen_date` < quit date + 12 months; No if
    /// `current_smoker` = 0 and no quit date or one 12 months or more before the
    /// screening; unknown otherwise.
    pub fn smoker_status(&self) -> Option<bool> {
        let quit_recent = match (self.smoking_quit_date, self.screen_date) {
            (Some(q), Some(s)) => Some(s < q.add_months(12)),
            (Some(_), None) => None,
            (None, _) => Some(false),
        };
        match self.current_smoker {
            Some(true) => Some(true),
            Some(false) => quit_recent,
            None => match self.smoking_quit_date {
                Some(_) => quit_recent,
                None => None,
            },
        }
    }

    /// Diabetes status (csv-schema.md `diabetes` DECISION): `glucose_treated` = 1
    /// makes it Yes; otherwise `diabetes` as given. Never derived from glucose.
    pub fn diabetes_status(&self) -> Option<bool> {
        if self.glucose_treated == Some(true) {
            Some(true)
        } else {
            self.diabetes
        }
    }

    /// Derived BP under a protocol (BP-5…BP-10).
    pub fn derived_bp(&self, protocol: BpProtocol, min_readings: u8) -> DerivedBp {
        derive_bp(&self.readings, self.sbp, self.dbp, protocol, min_readings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::xorshift64;

    fn r(s: f64, d: f64) -> Reading {
        Reading {
            sbp: Some(MmHg(s)),
            dbp: Some(MmHg(d)),
        }
    }
    const NONE: Reading = Reading {
        sbp: None,
        dbp: None,
    };

    #[test]
    fn floor_i32_is_floor_as_i32() {
        let mut vals = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            -1.0,
            1.0,
            -1.5,
            2147483647.0,
            2147483647.5,
            2147483648.0,
            -2147483648.0,
            -2147483648.5,
            -2147483649.0,
            1e300,
            -1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
        ];
        let mut r = 0x1234_5678_9ABC_DEF1u64;
        for i in 0..100_000 {
            xorshift64(&mut r);
            vals.push(f64::from_bits(r));
            vals.push((r % 4000) as f64 / 10.0 - 200.0 + f64::from(i % 3) * 1e-9);
        }
        for x in vals {
            assert_eq!(floor_i32(x), x.floor() as i32, "{x:e}");
        }
    }

    #[test]
    fn bp_9_example_excludes_out_of_range_pair() {
        // BP-9: (300, 80), (150, 90), (162, 88) → valid (150,90),(162,88) → 156/89 + DQ-BP-4.
        let d = derive_bp(
            &[r(300.0, 80.0), r(150.0, 90.0), r(162.0, 88.0)],
            None,
            None,
            BpProtocol::MppMeanOfLastTwo,
            2,
        );
        assert_eq!(d.sbp, Some(MmHg(156.0)));
        assert_eq!(d.dbp, Some(MmHg(89.0)));
        assert!(d.third_reading_missing);
        assert_eq!(d.readings_used, vec![2, 3]);
    }

    #[test]
    fn t_hr_18_protocols_differ() {
        let rs = [r(150.0, 90.0), r(162.0, 88.0), r(158.0, 86.0)];
        let m = derive_bp(&rs, None, None, BpProtocol::MppMeanOfLastTwo, 2);
        assert_eq!(m.sbp, Some(MmHg(160.0)));
        let m2 = derive_bp(&rs, None, None, BpProtocol::Mean2, 2);
        assert_eq!(m2.sbp, Some(MmHg(156.0)));
        let c = derive_bp(&rs, None, None, BpProtocol::Cn2024MeanOf2Or3, 2);
        assert!((c.sbp.unwrap().0 - 156.666_666).abs() < 1e-5);
    }

    #[test]
    fn bp_8_single_reading_is_unknown() {
        let d = derive_bp(
            &[r(150.0, 90.0), NONE, NONE],
            None,
            None,
            BpProtocol::MppMeanOfLastTwo,
            2,
        );
        assert_eq!(d.sbp, None);
        assert_eq!(d.valid_readings, 1);
        assert_eq!(d.source, BpSource::Readings);
    }

    #[test]
    fn bp_10_final_values_and_readings_win() {
        let d = derive_bp(
            &[NONE, NONE, NONE],
            Some(MmHg(150.0)),
            Some(MmHg(95.0)),
            BpProtocol::MppMeanOfLastTwo,
            2,
        );
        assert_eq!((d.sbp, d.source), (Some(MmHg(150.0)), BpSource::Final));
        let d = derive_bp(
            &[r(120.0, 80.0), r(122.0, 80.0), NONE],
            Some(MmHg(150.0)),
            Some(MmHg(95.0)),
            BpProtocol::MppMeanOfLastTwo,
            2,
        );
        assert_eq!(d.sbp, Some(MmHg(121.0)));
    }

    #[test]
    fn bp_7_mean_keeps_fraction() {
        let d = derive_bp(
            &[r(160.0, 90.0), r(159.0, 90.0), NONE],
            None,
            None,
            BpProtocol::MppMeanOfLastTwo,
            2,
        );
        assert_eq!(d.sbp, Some(MmHg(159.5)));
    }

    #[test]
    fn smoker_status_quit_dates() {
        let mut rec = ScreeningRecord {
            screen_date: Some("2025-05-10".parse().unwrap()),
            current_smoker: Some(false),
            ..Default::default()
        };
        // T-HR-16: quit 8 months ago counts as smoker.
        rec.smoking_quit_date = Some("2024-09-10".parse().unwrap());
        assert_eq!(rec.smoker_status(), Some(true));
        // T-HR-17: exactly 12 months before → not a smoker.
        rec.smoking_quit_date = Some("2024-05-10".parse().unwrap());
        assert_eq!(rec.smoker_status(), Some(false));
        rec.current_smoker = None;
        assert_eq!(rec.smoker_status(), Some(false));
        rec.smoking_quit_date = None;
        assert_eq!(rec.smoker_status(), None);
    }

    #[test]
    fn diabetes_from_glucose_treated() {
        // T-HR-20
        let rec = ScreeningRecord {
            diabetes: Some(false),
            glucose_treated: Some(true),
            ..Default::default()
        };
        assert_eq!(rec.diabetes_status(), Some(true));
    }
}
