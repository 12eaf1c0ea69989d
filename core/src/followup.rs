//! Follow-up: the programme schedule of high-risk persons (spec/domain.md §8.3,
//! FU-5…FU-10) and the basic-public-health hypertension and type-2 diabetes visits
//! (§10, rule set `bphs-2017`: BPHS-HTN-*, BPHS-DM-*, BPHS-ENG-*), over typed
//! [`VisitRecord`]s (csv-schema.md, follow-up visit records).
//!
//! ```
//! use cvdscreen::date::Date;
//! use cvdscreen::followup::{next_follow_up, FollowUpOptions, FuPerson};
//! use cvdscreen::criteria::mpp2014::HighRiskStatus;
//! let d = |s: &str| s.parse::<Date>().unwrap();
//! let person = FuPerson { high_risk: HighRiskStatus::HighRisk, hr_exam_date: Some(d("2025-05-10")),
//!     intervention_date: None, birth_date: None };
//! // No visits yet: the short-term visit is due 3 months after the examination (FU-5).
//! assert_eq!(next_follow_up(&person, &[], d("2025-05-10"), &FollowUpOptions::default()), Some(d("2025-08-10")));
//! ```

use crate::criteria::mpp2014::HighRiskStatus;
use crate::date::Date;
use crate::exchange::{parse_bool, parse_lab, parse_number, parse_sex, DQ_PARSE_1};
use crate::finding::{Finding, Severity};
use crate::guideline::conditions::{lab_cmp, plausible, Person, Threshold};
use crate::guideline::tv::{decide, enumerate, Op, Oracle};
use crate::profile::CanonicalUnit;
use crate::record::{derive_bp, BpProtocol, Dual, Reading, ScreeningRecord, Sex};
use crate::units::{Cm, Glucose, Kg, MgDl, MmHg, MmolL};
use crate::value::{Interval, Obs, Outcome};
use serde::{Deserialize, Serialize};

crate::define_rules! {
    FU_5 = "FU-5", "mpp-followup", [Decision, ConfirmedS], "domain.md §8.3 FU-3, FU-5; S7",
        "Short-term follow-up due 3 months after the high-risk examination; on time within ±1 month",
        "短期随访于高危筛查后3个月到期，前后1个月内为按时";
    FU_6 = "FU-6", "mpp-followup", [Decision, ConfirmedS], "domain.md §8.3 FU-4, FU-6; S7",
        "Long-term follow-up: one per project year after the examination's year; earliest 3 months after the short-term visit (or its due date), then 6 months after the previous counted visit",
        "长期随访：高危筛查所在项目年之后每个项目年1次；首次不早于短期随访（或其到期日）后3个月，之后不早于上次计数随访后6个月";
    FU_7 = "FU-7", "mpp-followup", [Decision], "domain.md §8.3 FU-7",
        "No follow-up is due for persons who died or withdrew; a later done visit means the person came back",
        "死亡或退出者不再安排随访；退出后又完成随访视为重新参加";
    FU_8 = "FU-8", "mpp-followup", [Decision, ConfirmedP], "domain.md §8.3 FU-2, FU-8; S2",
        "Pilot2014: 1-month follow-up after the intervention (else the examination), on time within ±14 days",
        "2014试点：干预（无则高危筛查）后1个月随访，前后14天内为按时";
    FU_9 = "FU-9", "mpp-followup", [Decision], "domain.md §8.3 FU-9",
        "A project year is a calendar year unless project_year_start_month says otherwise",
        "项目年默认为自然年，可由 project_year_start_month 另设起始月";
    FU_10 = "FU-10", "mpp-followup", [Decision], "domain.md §8.3 FU-10",
        "Next programme follow-up: short-term due while pending, else the long-term due date of the first project year without a counted visit",
        "下次项目随访：短期随访未完成且未过窗口时为其到期日，否则为首个无计数随访项目年的长期随访到期日";
    BPHS_HTN_1 = "BPHS-HTN-1", "bphs-2017", [ConfirmedS], "domain.md §10.1; S17",
        "Target group: permanent residents aged ≥ 35 with primary hypertension", "服务对象：辖区内35岁及以上常住居民中原发性高血压患者";
    BPHS_HTN_3 = "BPHS-HTN-3", "bphs-2017", [ConfirmedS], "domain.md §10.1; S17",
        "First SBP ≥ 140 and/or DBP ≥ 90: re-measure on non-same days; three raised readings → preliminary diagnosis and referral",
        "首次发现收缩压≥140和（或）舒张压≥90：非同日复测，3次升高者初步诊断并转诊";
    BPHS_HTN_4 = "BPHS-HTN-4", "bphs-2017", [ConfirmedS, Unverified, Decision], "domain.md §10.1; S17",
        "High-risk group: high-normal BP 130–139/85–89, overweight/obesity or abdominal obesity, family history, high-salt diet, excessive drinking, age ≥ 55",
        "高危人群：血压130–139/85–89、超重肥胖或中心性肥胖、高血压家族史、长期高盐饮食、长期过量饮酒、年龄≥55岁";
    BPHS_HTN_5 = "BPHS-HTN-5", "bphs-2017", [ConfirmedS, Decision], "domain.md §10.1; S17",
        "Emergency referral: SBP ≥ 180 and/or DBP ≥ 110, listed symptoms, pregnancy/lactation with BP ≥ 140/90, or any unmanageable condition",
        "紧急转诊：收缩压≥180和（或）舒张压≥110、所列症状、妊娠或哺乳期血压≥140/90，或其他无法处理的情况";
    BPHS_HTN_7 = "BPHS-HTN-7", "bphs-2017", [ConfirmedS, Unverified], "domain.md §10.1; S17",
        "Controlled: SBP < 140 and DBP < 90 (age ≥ 65: < 150/90), no ADR, no new complication → next routine visit",
        "控制满意：收缩压<140且舒张压<90（65岁及以上<150/90），无药物不良反应及新发并发症→预约下次随访";
    BPHS_HTN_8 = "BPHS-HTN-8", "bphs-2017", [ConfirmedS, Unverified], "domain.md §10.1; S17",
        "First-time uncontrolled or ADR: adjust drugs, follow up within 2 weeks", "第一次控制不满意或出现药物不良反应：调整用药，2周内随访";
    BPHS_HTN_9 = "BPHS-HTN-9", "bphs-2017", [ConfirmedS, Unverified], "domain.md §10.1; S17",
        "Uncontrolled at two consecutive visits, ADR hard to control, or a new/worsening complication: refer, follow up within 2 weeks",
        "连续两次控制不满意、不良反应难以控制或出现新的并发症或原有并发症加重：转诊，2周内随访";
    BPHS_HTN_13 = "BPHS-HTN-13", "bphs-2017", [Decision], "domain.md §10.1",
        "The age ≥ 65 target uses the age at the visit; a per-visit bp_target or target_override replaces the targets",
        "65岁目标按随访日年龄判断；每次随访的 bp_target 或 target_override 可替代目标值";
    BPHS_DM_1 = "BPHS-DM-1", "bphs-2017", [ConfirmedS], "domain.md §10.2",
        "Target group: permanent residents aged ≥ 35 with type-2 diabetes", "服务对象：辖区内35岁及以上常住居民中2型糖尿病患者";
    BPHS_DM_4 = "BPHS-DM-4", "bphs-2017", [ConfirmedS, Decision], "domain.md §10.2; S17",
        "Emergency referral: glucose ≥ 16.7 mmol/L (300 mg/dL) or ≤ 3.9 (70) as reported, BP ≥ 180/110, listed symptoms, HR > 100, T > 39 ℃, pregnancy with high glucose, unmanageable condition",
        "紧急转诊：血糖≥16.7 mmol/L（300 mg/dL）或≤3.9（70）（按报告单位比较）、血压≥180/110、所列症状、心率>100、体温>39℃、妊娠期血糖高于正常或其他无法处理的情况";
    BPHS_DM_6 = "BPHS-DM-6", "bphs-2017", [ConfirmedS], "domain.md §10.2; S17",
        "Controlled: fasting glucose < 7.0 mmol/L (126 mg/dL), no ADR, no new complication", "控制满意：空腹血糖<7.0 mmol/L（126 mg/dL），无不良反应及新发并发症";
    BPHS_DM_7 = "BPHS-DM-7", "bphs-2017", [ConfirmedS], "domain.md §10.2; S17",
        "First-time uncontrolled (fasting glucose ≥ 7.0) or ADR: adjust drugs, follow up at 2 weeks", "第一次控制不满意（空腹血糖≥7.0）或出现不良反应：调整用药，2周时随访";
    BPHS_DM_8 = "BPHS-DM-8", "bphs-2017", [ConfirmedS], "domain.md §10.2; S17",
        "Uncontrolled at two consecutive visits, ADR hard to control or new/worsening complication: refer, follow up within 2 weeks",
        "连续两次控制不满意、不良反应难以控制或并发症新发/加重：转诊，2周内随访";
    BPHS_ENG_1 = "BPHS-ENG-1", "bphs-2017", [Decision], "domain.md §10.3",
        "Two consecutive = this and the preceding assessed visit of the same kind; unassessed visits are skipped",
        "“连续两次”指本次与同类上一次有测量值的随访；无测量值的随访跳过";
    BPHS_ENG_2 = "BPHS-ENG-2", "bphs-2017", [Decision], "domain.md §10.3",
        "Within 2 weeks = on or before visit date + 14 days; controlled → next visit + 3 months",
        "两周内指不晚于随访日+14天；控制满意者下次随访为+3个月";
    BPHS_ENG_3 = "BPHS-ENG-3", "bphs-2017", [Decision], "domain.md §10.3",
        "Emergency referral is evaluated first; the class is still computed", "先判断紧急转诊，同时仍给出分类";
    BPHS_ENG_4 = "BPHS-ENG-4", "bphs-2017", [Decision], "domain.md §10.3",
        "Uncontrolled means the measurement criterion; an ADR-only visit ends a run", "控制不满意仅指测量值未达标；仅因不良反应分类的随访中断连续计数";
    BPHS_ENG_5 = "BPHS-ENG-5", "bphs-2017", [Decision], "domain.md §10.3",
        "Visit BP: readings by visit_bp_protocol (default Cn2024MeanOf2Or3, 1 reading suffices), else sbp/dbp",
        "随访血压：按 visit_bp_protocol（默认2024方案，1次读数即可）计算，否则用 sbp/dbp";
    BPHS_ENG_6 = "BPHS-ENG-6", "bphs-2017", [Decision], "domain.md §10.3",
        "A visit without its measurement is not assessed unless a complication or ADR classifies it; recheck within 2 weeks",
        "无测量值的随访除并发症或不良反应外记为未评估，2周内复查";
}

// ---------------------------------------------------------------------------------
// Visit records
// ---------------------------------------------------------------------------------

/// `visit_kind`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// Programme short-term (3-month; 1-month under `Pilot2014`).
    ShortTerm,
    /// Programme long-term (FU-6).
    LongTerm,
    /// Basic-public-health hypertension visit.
    BphsHtn,
    /// Basic-public-health diabetes visit.
    BphsDm,
}

/// `mode`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitMode {
    /// Face to face (clinic or home).
    FaceToFace,
    /// Telephone.
    Phone,
    /// Other.
    Other,
}

/// The tick-box symptoms of the visit forms (empty = not present).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Symptoms {
    pub altered_consciousness: bool,
    pub severe_headache_dizziness: bool,
    pub nausea_vomiting: bool,
    pub blurred_vision: bool,
    pub eye_pain: bool,
    pub palpitations: bool,
    pub chest_tightness: bool,
    pub orthopnoea: bool,
    pub acetone_breath: bool,
    pub sweating: bool,
    pub anorexia: bool,
    pub polydipsia_polyuria: bool,
    pub abdominal_pain: bool,
    pub deep_breathing: bool,
    pub flushed_skin: bool,
    pub sudden_vision_loss: bool,
}

/// One follow-up visit row (csv-schema.md, follow-up visit records).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct VisitRecord {
    /// Person id.
    pub id: Option<String>,
    /// Visit date (or date of death/withdrawal).
    pub visit_date: Option<Date>,
    /// Kind.
    pub visit_kind: Option<VisitKind>,
    /// Mode; empty = unknown.
    pub mode: Option<VisitMode>,
    /// Site.
    pub site_id: Option<String>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Birth date.
    pub birth_date: Option<Date>,
    /// Completed years at the visit.
    pub age: Option<f64>,
    /// BP readings.
    pub readings: [Reading; 3],
    /// Final SBP.
    pub sbp: Option<MmHg>,
    /// Final DBP.
    pub dbp: Option<MmHg>,
    /// Fasting glucose.
    pub fbg: Dual<Glucose>,
    /// Non-fasting glucose.
    pub glucose: Dual<Glucose>,
    /// Heart rate, beats/min.
    pub heart_rate: Option<f64>,
    /// Temperature, °C.
    pub temperature_c: Option<f64>,
    /// Height.
    pub height_cm: Option<Cm>,
    /// Weight.
    pub weight_kg: Option<Kg>,
    /// Waist.
    pub waist_cm: Option<Cm>,
    /// Hip.
    pub hip_cm: Option<Cm>,
    /// ECG done at a programme visit.
    pub ecg_done: bool,
    /// Symptoms.
    pub symptoms: Symptoms,
    /// Pregnant or lactating.
    pub pregnant_or_lactating: bool,
    /// Other condition the facility cannot manage.
    pub other_unmanageable: bool,
    /// Adverse drug reaction.
    pub adr: bool,
    /// ADR hard to control (clinician's judgement).
    pub adr_hard_to_control: bool,
    /// New or worsening complication.
    pub complication: bool,
    /// Per-patient BP target `SBP/DBP`.
    pub bp_target: Option<(f64, f64)>,
    /// Death recorded.
    pub died: bool,
    /// Withdrawal recorded.
    pub withdrawn: bool,
}

impl VisitRecord {
    /// A done visit (not an outcome row).
    pub fn is_done(&self) -> bool {
        !self.died && !self.withdrawn
    }
}

/// Column names of the visit format.
pub const VISIT_COLUMNS: &[&str] = &[
    "id",
    "visit_date",
    "visit_kind",
    "mode",
    "site_id",
    "sex",
    "birth_date",
    "age",
    "sbp_1",
    "dbp_1",
    "sbp_2",
    "dbp_2",
    "sbp_3",
    "dbp_3",
    "sbp",
    "dbp",
    "fbg_mmol",
    "fbg_mgdl",
    "glucose_mmol",
    "glucose_mgdl",
    "heart_rate",
    "temperature_c",
    "height_cm",
    "weight_kg",
    "waist_cm",
    "hip_cm",
    "ecg_done",
    "sym_altered_consciousness",
    "sym_severe_headache_dizziness",
    "sym_nausea_vomiting",
    "sym_blurred_vision",
    "sym_eye_pain",
    "sym_palpitations",
    "sym_chest_tightness",
    "sym_orthopnoea",
    "sym_acetone_breath",
    "sym_sweating",
    "sym_anorexia",
    "sym_polydipsia_polyuria",
    "sym_abdominal_pain",
    "sym_deep_breathing",
    "sym_flushed_skin",
    "sym_sudden_vision_loss",
    "pregnant_or_lactating",
    "other_unmanageable",
    "adr",
    "adr_hard_to_control",
    "complication",
    "bp_target",
    "died",
    "withdrawn",
];

/// Parses a `SBP/DBP` target (`130/80`; positive numbers, decimals allowed).
pub fn parse_bp_target(s: &str) -> Option<(f64, f64)> {
    let (a, b) = s.split_once('/')?;
    let (a, b) = (parse_number(a.trim())?, parse_number(b.trim())?);
    (a > 0.0 && b > 0.0).then_some((a, b))
}

fn set_visit_cell(v: &mut VisitRecord, col: &str, s: &str) -> Option<()> {
    let num = || parse_number(s);
    let mmhg = || parse_number(s).map(MmHg);
    let tick = || parse_bool(s);
    let reading = |v: &mut VisitRecord, i: usize, sys: bool| -> Option<()> {
        let x = mmhg()?;
        if sys {
            v.readings[i].sbp = Some(x);
        } else {
            v.readings[i].dbp = Some(x);
        }
        Some(())
    };
    match col {
        "id" => v.id = Some(s.to_string()),
        "site_id" => v.site_id = Some(s.to_string()),
        "visit_date" => v.visit_date = Some(Date::parse_iso(s).ok()?),
        "birth_date" => v.birth_date = Some(Date::parse_iso(s).ok()?),
        "visit_kind" => {
            v.visit_kind = Some(match s {
                "short_term" => VisitKind::ShortTerm,
                "long_term" => VisitKind::LongTerm,
                "bphs_htn" => VisitKind::BphsHtn,
                "bphs_dm" => VisitKind::BphsDm,
                _ => return None,
            })
        }
        "mode" => {
            v.mode = Some(match s.to_ascii_lowercase().as_str() {
                "face_to_face" | "面对面" => VisitMode::FaceToFace,
                "phone" | "电话" => VisitMode::Phone,
                "other" | "其他" => VisitMode::Other,
                _ => return None,
            })
        }
        "sex" => v.sex = Some(parse_sex(s)?),
        "age" => v.age = Some(num()?),
        "sbp_1" => reading(v, 0, true)?,
        "dbp_1" => reading(v, 0, false)?,
        "sbp_2" => reading(v, 1, true)?,
        "dbp_2" => reading(v, 1, false)?,
        "sbp_3" => reading(v, 2, true)?,
        "dbp_3" => reading(v, 2, false)?,
        "sbp" => v.sbp = Some(mmhg()?),
        "dbp" => v.dbp = Some(mmhg()?),
        "fbg_mmol" => v.fbg.mmol = parse_lab(s)?.map(MmolL::new),
        "fbg_mgdl" => v.fbg.mgdl = parse_lab(s)?.map(MgDl::new),
        "glucose_mmol" => v.glucose.mmol = parse_lab(s)?.map(MmolL::new),
        "glucose_mgdl" => v.glucose.mgdl = parse_lab(s)?.map(MgDl::new),
        "heart_rate" => v.heart_rate = Some(num()?),
        "temperature_c" => v.temperature_c = Some(num()?),
        "height_cm" => v.height_cm = Some(Cm(num()?)),
        "weight_kg" => v.weight_kg = Some(Kg(num()?)),
        "waist_cm" => v.waist_cm = Some(Cm(num()?)),
        "hip_cm" => v.hip_cm = Some(Cm(num()?)),
        "bp_target" => v.bp_target = Some(parse_bp_target(s)?),
        other => {
            let b = tick()?;
            let sy = &mut v.symptoms;
            match other {
                "ecg_done" => v.ecg_done = b,
                "sym_altered_consciousness" => sy.altered_consciousness = b,
                "sym_severe_headache_dizziness" => sy.severe_headache_dizziness = b,
                "sym_nausea_vomiting" => sy.nausea_vomiting = b,
                "sym_blurred_vision" => sy.blurred_vision = b,
                "sym_eye_pain" => sy.eye_pain = b,
                "sym_palpitations" => sy.palpitations = b,
                "sym_chest_tightness" => sy.chest_tightness = b,
                "sym_orthopnoea" => sy.orthopnoea = b,
                "sym_acetone_breath" => sy.acetone_breath = b,
                "sym_sweating" => sy.sweating = b,
                "sym_anorexia" => sy.anorexia = b,
                "sym_polydipsia_polyuria" => sy.polydipsia_polyuria = b,
                "sym_abdominal_pain" => sy.abdominal_pain = b,
                "sym_deep_breathing" => sy.deep_breathing = b,
                "sym_flushed_skin" => sy.flushed_skin = b,
                "sym_sudden_vision_loss" => sy.sudden_vision_loss = b,
                "pregnant_or_lactating" => v.pregnant_or_lactating = b,
                "other_unmanageable" => v.other_unmanageable = b,
                "adr" => v.adr = b,
                "adr_hard_to_control" => v.adr_hard_to_control = b,
                "complication" => v.complication = b,
                "died" => v.died = b,
                "withdrawn" => v.withdrawn = b,
                _ => {}
            }
        }
    }
    Some(())
}

/// Parses one visit row from `(column, cell)` pairs (file rules of csv-schema.md:
/// trimmed cells, empty = not recorded, unknown columns ignored). A cell that cannot be
/// read raises DQ-PARSE-1 and stays unknown.
pub fn parse_visit<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> (VisitRecord, Vec<Finding>) {
    let mut v = VisitRecord::default();
    let mut findings = Vec::new();
    for (k, cell) in pairs {
        let s = cell.as_ref().trim();
        let Some(col) = VISIT_COLUMNS.iter().find(|c| **c == k.as_ref()) else {
            continue;
        };
        if s.is_empty() {
            continue;
        }
        if set_visit_cell(&mut v, col, s).is_none() {
            findings.push(Finding::new(
                DQ_PARSE_1,
                Severity::Reject,
                *col,
                Some(s.to_string()),
                format!("`{col}` is `{s}`, which cannot be read"),
                format!("`{col}` 的值 `{s}` 无法解析"),
            ));
        }
    }
    (v, findings)
}

// ---------------------------------------------------------------------------------
// Programme schedule (FU-5…FU-10)
// ---------------------------------------------------------------------------------

/// FU-8 stage model.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum StageModel {
    /// 3-month short-term visit, then long-term (default).
    #[default]
    Current,
    /// 1-month visit after the intervention, then long-term (2014 pilot).
    Pilot2014,
}

/// Follow-up options with their defaults (MPP2014-PROF-1).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowUpOptions {
    /// `fu_stage_model`.
    pub stage_model: StageModel,
    /// `short_term_window` in months (FU-5, default 1).
    pub short_term_window_months: i32,
    /// `pilot_fu_window_days` (FU-8, default 14).
    pub pilot_fu_window_days: i64,
    /// `project_year_start_month` (FU-9, 1–12, default 1).
    pub project_year_start_month: u8,
}

impl Default for FollowUpOptions {
    fn default() -> Self {
        FollowUpOptions {
            stage_model: StageModel::Current,
            short_term_window_months: 1,
            pilot_fu_window_days: 14,
            project_year_start_month: 1,
        }
    }
}

/// The screening-side facts the schedule needs.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct FuPerson {
    /// Recomputed high-risk status.
    pub high_risk: HighRiskStatus,
    /// `hr_exam_date`.
    pub hr_exam_date: Option<Date>,
    /// `intervention_date` (FU-8 anchor).
    pub intervention_date: Option<Date>,
    /// Birth date (BPHS-HTN-13 age fallback).
    pub birth_date: Option<Date>,
}

impl FuPerson {
    /// From a screening record and its high-risk status.
    pub fn from_record(rec: &ScreeningRecord, high_risk: HighRiskStatus) -> Self {
        FuPerson {
            high_risk,
            hr_exam_date: rec.hr_exam_date,
            intervention_date: rec.intervention_date,
            birth_date: rec.birth_date,
        }
    }
}

/// FU-9: the project year containing `d`.
pub fn project_year(d: Date, start_month: u8) -> i32 {
    if d.month() >= start_month.clamp(1, 12) {
        d.year()
    } else {
        d.year() - 1
    }
}

/// FU-9: first and last day of project year `y`.
pub fn project_year_bounds(y: i32, start_month: u8) -> (Date, Date) {
    let m = start_month.clamp(1, 12);
    let first = Date::new(y, m, 1).unwrap_or_else(|_| unreachable!("month 1–12, day 1"));
    (first, first.add_months(12).add_days(-1))
}

/// A first (short-term or 1-month) follow-up due date with its window.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ShortTermDue {
    /// Due date.
    pub due: Date,
    /// First on-time day.
    pub window_start: Date,
    /// Last on-time day.
    pub window_end: Date,
    /// The rule (FU-5 or FU-8).
    pub rule: &'static str,
}

/// FU-5 / FU-8: the first follow-up due date and window.
pub fn short_term_due(p: &FuPerson, opts: &FollowUpOptions) -> Option<ShortTermDue> {
    let exam = p.hr_exam_date?;
    Some(match opts.stage_model {
        StageModel::Current => {
            let due = exam.add_months(3);
            ShortTermDue {
                due,
                window_start: due.add_months(-opts.short_term_window_months),
                window_end: due.add_months(opts.short_term_window_months),
                rule: FU_5,
            }
        }
        StageModel::Pilot2014 => {
            let due = p.intervention_date.unwrap_or(exam).add_months(1);
            ShortTermDue {
                due,
                window_start: due.add_days(-opts.pilot_fu_window_days),
                window_end: due.add_days(opts.pilot_fu_window_days),
                rule: FU_8,
            }
        }
    })
}

/// FU-7 status on a date.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LifeStatus {
    /// In follow-up.
    Active,
    /// Died on or before the date.
    Dead,
    /// Withdrawn on the date.
    Withdrawn,
}

/// FU-7: a person's status on `t` from their visit rows.
pub fn status_on(visits: &[VisitRecord], t: Date) -> LifeStatus {
    if visits
        .iter()
        .any(|v| v.died && v.visit_date.is_some_and(|d| d <= t))
    {
        return LifeStatus::Dead;
    }
    // Latest event on or before t; on equal dates a done visit counts as later.
    let latest = visits
        .iter()
        .filter(|v| v.visit_date.is_some_and(|d| d <= t) && (v.withdrawn || v.is_done()))
        .max_by_key(|v| (v.visit_date, v.is_done()));
    match latest {
        Some(v) if v.withdrawn => LifeStatus::Withdrawn,
        _ => LifeStatus::Active,
    }
}

/// FU-6 for one project year.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LongTermYear {
    /// Project year.
    pub year: i32,
    /// Earliest date (FU-6 a).
    pub earliest: Date,
    /// `long_term_due` = max(earliest, first day of the year) (FU-6 b).
    pub due: Date,
    /// Last on-time day (last day of the year).
    pub due_until: Date,
    /// The visit counted for this year (FU-6 c), if any.
    pub counted: Option<Date>,
}

fn done_dates(visits: &[VisitRecord], kind: VisitKind, as_of: Date) -> Vec<Date> {
    let mut d: Vec<Date> = visits
        .iter()
        .filter(|v| v.is_done() && v.visit_kind == Some(kind))
        .filter_map(|v| v.visit_date)
        .filter(|d| *d <= as_of)
        .collect();
    // Equal dates are identical values, so the unstable sort gives the same order (and
    // spares the wasm module the stable sort's merge code).
    d.sort_unstable();
    d
}

/// FU-5: the date of the person's short-term (or 1-month, FU-8) visit — their first
/// done `short_term` visit dated on or before `as_of`.
pub fn first_short_term(visits: &[VisitRecord], as_of: Date) -> Option<Date> {
    done_dates(visits, VisitKind::ShortTerm, as_of)
        .first()
        .copied()
}

/// FU-6 (a) and (c) for one person: the earliest date of the first long-term visit
/// and the counted long-term visits (the first done one of each project year, up to
/// `as_of`).
struct LongTermPlan {
    first_lt: Date,
    counted: Vec<Date>,
}

impl LongTermPlan {
    fn new(
        p: &FuPerson,
        visits: &[VisitRecord],
        as_of: Date,
        opts: &FollowUpOptions,
    ) -> Option<Self> {
        let st = short_term_due(p, opts)?;
        let first_lt = match done_dates(visits, VisitKind::ShortTerm, as_of).first() {
            Some(d) => d.add_months(3),
            None => st.due.add_months(3),
        };
        let m = opts.project_year_start_month;
        let mut counted: Vec<Date> = Vec::new();
        for d in done_dates(visits, VisitKind::LongTerm, as_of) {
            if counted
                .last()
                .is_none_or(|c| project_year(*c, m) != project_year(d, m))
            {
                counted.push(d);
            }
        }
        Some(LongTermPlan { first_lt, counted })
    }

    /// FU-6 (a): the earliest date of a long-term visit in the project year starting
    /// on `first`: the last counted visit before it + 6 months, else the first
    /// long-term visit's earliest date.
    fn earliest(&self, first: Date) -> Date {
        self.counted
            .iter()
            .rfind(|d| **d < first)
            .map_or(self.first_lt, |d| d.add_months(6))
    }
}

/// FU-6: the long-term requirement of project year `y` given the visits up to `as_of`;
/// `None` when no visit is required in `y` (the examination's own year or earlier, or
/// the earliest date falls after the year).
pub fn long_term_year(
    p: &FuPerson,
    visits: &[VisitRecord],
    y: i32,
    as_of: Date,
    opts: &FollowUpOptions,
) -> Option<LongTermYear> {
    let exam = p.hr_exam_date?;
    let m = opts.project_year_start_month;
    if y <= project_year(exam, m) {
        return None;
    }
    let (first, last) = project_year_bounds(y, m);
    let plan = LongTermPlan::new(p, visits, as_of, opts)?;
    let earliest = plan.earliest(first);
    if earliest > last {
        return None;
    }
    Some(LongTermYear {
        year: y,
        earliest,
        due: earliest.max(first),
        due_until: last,
        counted: plan
            .counted
            .iter()
            .copied()
            .find(|d| project_year(*d, m) == y),
    })
}

/// A counted long-term visit (FU-6 c) with the earliest date it had to respect
/// (FU-6 a); `early` when it was held before that date (DQ-PRG-11: it still counts).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountedLongTerm {
    /// Visit date.
    pub date: Date,
    /// Project year (FU-9).
    pub year: i32,
    /// Earliest date (FU-6 a).
    pub earliest: Date,
}

impl CountedLongTerm {
    /// Held before its earliest date.
    pub fn early(&self) -> bool {
        self.date < self.earliest
    }
}

/// FU-6 (c): the person's counted long-term visits up to `as_of`, one per project
/// year (the first done one), each with its earliest date (FU-6 a) — including a
/// visit in the examination's own project year, which counts for the spacing only.
/// Empty without an `hr_exam_date`.
pub fn counted_long_term(
    p: &FuPerson,
    visits: &[VisitRecord],
    as_of: Date,
    opts: &FollowUpOptions,
) -> Vec<CountedLongTerm> {
    let Some(plan) = LongTermPlan::new(p, visits, as_of, opts) else {
        return Vec::new();
    };
    let m = opts.project_year_start_month;
    plan.counted
        .iter()
        .map(|d| {
            let year = project_year(*d, m);
            CountedLongTerm {
                date: *d,
                year,
                earliest: plan.earliest(project_year_bounds(year, m).0),
            }
        })
        .collect()
}

/// FU-10: the next programme follow-up date; `None` when the person is dead or
/// withdrawn on `as_of`, not `HighRisk`, or has no `hr_exam_date`. Visits dated after
/// `as_of` are ignored (IND-GEN-3).
pub fn next_follow_up(
    p: &FuPerson,
    visits: &[VisitRecord],
    as_of: Date,
    opts: &FollowUpOptions,
) -> Option<Date> {
    if p.high_risk != HighRiskStatus::HighRisk || status_on(visits, as_of) != LifeStatus::Active {
        return None;
    }
    let exam = p.hr_exam_date?;
    let st = short_term_due(p, opts)?;
    if done_dates(visits, VisitKind::ShortTerm, as_of).is_empty() && as_of <= st.window_end {
        return Some(st.due);
    }
    let m = opts.project_year_start_month;
    let start = project_year(as_of, m).max(project_year(exam, m) + 1);
    // Years without a requirement are skipped; the first open one is due. The search
    // is bounded: a required year exists within two years of the earliest date.
    (start..start + 3)
        .filter_map(|y| long_term_year(p, visits, y, as_of, opts))
        .find(|y| y.counted.is_none())
        .map(|y| y.due)
}

/// The `next_follow_up` column of `cvdscreen screen`: FU-10 with no visit rows and
/// `as_of = hr_exam_date`, i.e. the short-term (or 1-month) due date of a high-risk
/// person with an examination date.
pub fn next_follow_up_column(
    rec: &ScreeningRecord,
    high_risk: HighRiskStatus,
    opts: &FollowUpOptions,
) -> Option<Date> {
    let p = FuPerson::from_record(rec, high_risk);
    next_follow_up(&p, &[], rec.hr_exam_date?, opts)
}

// ---------------------------------------------------------------------------------
// Basic public health: emergency referral and visit classes
// ---------------------------------------------------------------------------------

/// `bphs-2017` options with their defaults (MPP2014-PROF-1).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BphsOptions {
    /// Unit policy (UNIT-7/UNIT-8).
    pub canonical_unit: CanonicalUnit,
    /// `pregnancy_bp_high` (default 140/90).
    pub pregnancy_bp_high: (f64, f64),
    /// `pregnancy_glucose_high` fasting pair (default 7.0 mmol/L ↔ 126 mg/dL).
    pub pregnancy_fbg_high: (f64, f64),
    /// `pregnancy_glucose_high` non-fasting pair (default 11.1 mmol/L ↔ 200 mg/dL).
    pub pregnancy_glucose_high: (f64, f64),
    /// `target_override` (BPHS-HTN-13); the visit's `bp_target` wins.
    pub target_override: Option<(f64, f64)>,
    /// `visit_bp_protocol` (BPHS-ENG-5).
    pub visit_bp_protocol: BpProtocol,
    /// `visit_min_readings` (BPHS-ENG-5).
    pub visit_min_readings: u8,
}

impl Default for BphsOptions {
    fn default() -> Self {
        BphsOptions {
            canonical_unit: CanonicalUnit::AsReported,
            pregnancy_bp_high: (140.0, 90.0),
            pregnancy_fbg_high: (7.0, 126.0),
            pregnancy_glucose_high: (11.1, 200.0),
            target_override: None,
            visit_bp_protocol: BpProtocol::Cn2024MeanOf2Or3,
            visit_min_readings: 1,
        }
    }
}

/// BPHS-ENG-5: the visit BP of a BPHS visit.
pub fn visit_bp(v: &VisitRecord, opts: &BphsOptions) -> (Option<f64>, Option<f64>) {
    let d = derive_bp(
        &v.readings,
        v.sbp,
        v.dbp,
        opts.visit_bp_protocol,
        opts.visit_min_readings,
    );
    (d.sbp.map(|x| x.0), d.dbp.map(|x| x.0))
}

fn bp_iv(v: Option<f64>, r: (f64, f64)) -> Interval {
    v.map_or(Interval::closed(r.0, r.1), Interval::point)
}

/// The emergency-referral decision of one visit (BPHS-HTN-5 or BPHS-DM-4).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Emergency {
    /// Fired / NotFired / Indeterminate (only the BP or glucose criterion can be unknown).
    pub outcome: Outcome,
    /// Criteria that fired.
    pub reasons: Vec<&'static str>,
    /// Criteria not evaluated (unknown measurement).
    pub not_evaluated: Vec<&'static str>,
}

fn glucose(
    q: &mut Oracle,
    u: CanonicalUnit,
    name: &'static str,
    o: Obs<crate::units::Conc<Glucose>>,
    op: Op,
    t: Threshold,
) -> bool {
    lab_cmp(u, q, name, o, plausible::GLUCOSE_MMOL, op, t)
}

/// `emergency_referral`: BPHS-HTN-5 at `bphs_htn` visits, BPHS-DM-4 at `bphs_dm` visits
/// (BPHS-ENG-3: evaluated first). Programme visits have no emergency list.
pub fn emergency_referral(v: &VisitRecord, opts: &BphsOptions) -> Emergency {
    let (sbp, dbp) = visit_bp(v, opts);
    let u = opts.canonical_unit;
    let bp_hi = |q: &mut Oracle| {
        q.cmp("sbp", bp_iv(sbp, plausible::SBP), Op::Ge, 180.0)
            || q.cmp("dbp", bp_iv(dbp, plausible::DBP), Op::Ge, 110.0)
    };
    let (ps, pd) = opts.pregnancy_bp_high;
    let mut crit: Vec<(&'static str, Outcome)> = Vec::new();
    let s = v.symptoms;
    let b = Outcome::from_bool;
    match v.visit_kind {
        Some(VisitKind::BphsHtn) => {
            crit.push(("bp_180_110", decide(bp_hi).0));
            for (n, x) in [
                ("altered_consciousness", s.altered_consciousness),
                ("severe_headache_dizziness", s.severe_headache_dizziness),
                ("nausea_vomiting", s.nausea_vomiting),
                ("blurred_vision", s.blurred_vision),
                ("eye_pain", s.eye_pain),
                ("palpitations", s.palpitations),
                ("chest_tightness", s.chest_tightness),
                ("orthopnoea", s.orthopnoea),
                ("other_unmanageable", v.other_unmanageable),
            ] {
                crit.push((n, b(x)));
            }
            let preg = if v.pregnant_or_lactating {
                decide(|q| {
                    q.cmp("sbp", bp_iv(sbp, plausible::SBP), Op::Ge, ps)
                        || q.cmp("dbp", bp_iv(dbp, plausible::DBP), Op::Ge, pd)
                })
                .0
            } else {
                Outcome::NotFired
            };
            crit.push(("pregnancy_bp", preg));
        }
        Some(VisitKind::BphsDm) => {
            let (fbg, glu) = (v.fbg.reported(), v.glucose.reported());
            let hi = Threshold::pair(16.7, 300.0);
            let lo = Threshold::pair(3.9, 70.0);
            let any_glucose = fbg.is_present() || glu.is_present();
            let gh = decide(|q| {
                glucose(q, u, "fbg", fbg, Op::Ge, hi) && fbg.is_present()
                    || glucose(q, u, "glucose", glu, Op::Ge, hi) && glu.is_present()
            })
            .0;
            let gl = decide(|q| {
                glucose(q, u, "fbg", fbg, Op::Le, lo) && fbg.is_present()
                    || glucose(q, u, "glucose", glu, Op::Le, lo) && glu.is_present()
            })
            .0;
            // Without any glucose value the glucose criteria are not evaluated.
            let unk = |o: Outcome| {
                if any_glucose {
                    o
                } else {
                    Outcome::Indeterminate
                }
            };
            crit.push(("glucose_high", unk(gh)));
            crit.push(("glucose_low", unk(gl)));
            crit.push(("bp_180_110", decide(bp_hi).0));
            for (n, x) in [
                ("altered_consciousness", s.altered_consciousness),
                ("acetone_breath", s.acetone_breath),
                ("palpitations", s.palpitations),
                ("sweating", s.sweating),
                ("anorexia", s.anorexia),
                ("nausea_vomiting", s.nausea_vomiting),
                ("polydipsia_polyuria", s.polydipsia_polyuria),
                ("abdominal_pain", s.abdominal_pain),
                ("deep_breathing", s.deep_breathing),
                ("flushed_skin", s.flushed_skin),
                ("sudden_vision_loss", s.sudden_vision_loss),
                ("other_unmanageable", v.other_unmanageable),
            ] {
                crit.push((n, b(x)));
            }
            crit.push((
                "heart_rate_gt_100",
                v.heart_rate
                    .map_or(Outcome::Indeterminate, |h| b(h > 100.0)),
            ));
            crit.push((
                "temperature_gt_39",
                v.temperature_c
                    .map_or(Outcome::Indeterminate, |t| b(t > 39.0)),
            ));
            let preg = if v.pregnant_or_lactating {
                let (fm, fg) = opts.pregnancy_fbg_high;
                let (gm, gg) = opts.pregnancy_glucose_high;
                decide(|q| {
                    glucose(q, u, "fbg", fbg, Op::Ge, Threshold::pair(fm, fg))
                        || glucose(q, u, "glucose", glu, Op::Ge, Threshold::pair(gm, gg))
                })
                .0
            } else {
                Outcome::NotFired
            };
            crit.push(("pregnancy_glucose", preg));
        }
        _ => {}
    }
    Emergency {
        outcome: Outcome::any(crit.iter().map(|c| c.1)),
        reasons: crit
            .iter()
            .filter(|c| c.1 == Outcome::Fired)
            .map(|c| c.0)
            .collect(),
        not_evaluated: crit
            .iter()
            .filter(|c| c.1 == Outcome::Indeterminate)
            .map(|c| c.0)
            .collect(),
    }
}

/// Class of a BPHS visit.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitClass {
    /// BPHS-HTN-7 / BPHS-DM-6.
    Controlled,
    /// BPHS-HTN-8 / BPHS-DM-7.
    FirstUncontrolledOrAdr,
    /// BPHS-HTN-9 / BPHS-DM-8.
    Referral,
    /// BPHS-ENG-6: no measurement.
    NotAssessed,
    /// The target depends on an unknown age (BPHS-HTN-13).
    Indeterminate,
}

impl VisitClass {
    /// `controlled`, `uncontrolled_or_adr`, `referral`, `not_assessed`, `indeterminate`.
    pub fn as_str(self) -> &'static str {
        match self {
            VisitClass::Controlled => "controlled",
            VisitClass::FirstUncontrolledOrAdr => "uncontrolled_or_adr",
            VisitClass::Referral => "referral",
            VisitClass::NotAssessed => "not_assessed",
            VisitClass::Indeterminate => "indeterminate",
        }
    }
}

/// The assessment of one BPHS visit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VisitAssessment {
    /// Visit date.
    pub visit_date: Date,
    /// Emergency referral (evaluated first, BPHS-ENG-3).
    pub emergency: Emergency,
    /// Class.
    pub class: VisitClass,
    /// Rule of the class (`BPHS-HTN-8` …; `BPHS-ENG-6` when not assessed).
    pub class_rule: &'static str,
    /// Measurement at or above target (BPHS-ENG-4); `None` when not assessed.
    pub uncontrolled: Option<bool>,
    /// Next visit due (BPHS-ENG-2: +14 days, or +3 months when controlled and no emergency).
    pub next_visit: Date,
    /// DQ-VIS-4 raised (measurement missing).
    pub dq_vis_4: bool,
}

impl VisitAssessment {
    /// BPHS-ENG-2: is a next visit on `date` on time (day 14 included)?
    pub fn next_on_time(&self, date: Date) -> bool {
        date <= self.next_visit
    }
}

fn age_at(v: &VisitRecord, fallback_birth: Option<Date>) -> Option<f64> {
    let d = v.visit_date?;
    v.birth_date
        .map(|b| f64::from(b.completed_years_until(d)))
        .or(v.age)
        .or_else(|| fallback_birth.map(|b| f64::from(b.completed_years_until(d))))
}

/// Measurement criterion of BPHS-HTN-8 / BPHS-DM-7 (`None` = no measurement,
/// `Some(Indeterminate)` = depends on an unknown age).
fn uncontrolled(v: &VisitRecord, birth: Option<Date>, opts: &BphsOptions) -> Option<Outcome> {
    match v.visit_kind? {
        VisitKind::BphsHtn => {
            let (s, d) = visit_bp(v, opts);
            let (s, d) = (s?, d?);
            let age = age_at(v, birth);
            let target = v.bp_target.or(opts.target_override);
            Some(
                enumerate(
                    |q| {
                        let (ts, td) = target.unwrap_or_else(|| {
                            let old = q.cmp(
                                "age",
                                age.map_or(
                                    Interval::closed(plausible::AGE.0, plausible::AGE.1),
                                    Interval::point,
                                ),
                                Op::Ge,
                                65.0,
                            );
                            if old {
                                (150.0, 90.0)
                            } else {
                                (140.0, 90.0)
                            }
                        });
                        s >= ts || d >= td
                    },
                    |b| *b,
                )
                .outcome(),
            )
        }
        VisitKind::BphsDm => {
            let f = v.fbg.reported();
            if !f.is_present() {
                return None;
            }
            Some(
                decide(|q| {
                    lab_cmp(
                        opts.canonical_unit,
                        q,
                        "fbg",
                        f,
                        plausible::GLUCOSE_MMOL,
                        Op::Ge,
                        Threshold::pair(7.0, 126.0),
                    )
                })
                .0,
            )
        }
        _ => None,
    }
}

/// Assesses one patient's BPHS visits of one kind in date order (`bphs_htn` or
/// `bphs_dm`), applying BPHS-ENG-1…6. Rows without a date, of another kind, or
/// outcome rows are skipped. `birth_date` is the screening record's, the last
/// fallback for the age ≥ 65 target.
pub fn assess_visits(
    visits: &[VisitRecord],
    kind: VisitKind,
    birth_date: Option<Date>,
    opts: &BphsOptions,
) -> Vec<VisitAssessment> {
    let mut vs: Vec<&VisitRecord> = visits
        .iter()
        .filter(|v| v.is_done() && v.visit_kind == Some(kind) && v.visit_date.is_some())
        .collect();
    vs.sort_by_key(|v| v.visit_date);
    let htn = kind == VisitKind::BphsHtn;
    let (r_ctrl, r_first, r_ref) = if htn {
        (BPHS_HTN_7, BPHS_HTN_8, BPHS_HTN_9)
    } else {
        (BPHS_DM_6, BPHS_DM_7, BPHS_DM_8)
    };
    let mut prev_uncontrolled: Option<bool> = None;
    let mut out = Vec::new();
    for v in vs {
        let date = v
            .visit_date
            .unwrap_or_else(|| unreachable!("filtered above"));
        let emergency = emergency_referral(v, opts);
        let unc = uncontrolled(v, birth_date, opts);
        let (class, rule) = match unc {
            None => {
                if v.complication || v.adr_hard_to_control {
                    (VisitClass::Referral, r_ref)
                } else if v.adr {
                    (VisitClass::FirstUncontrolledOrAdr, r_first)
                } else {
                    (VisitClass::NotAssessed, BPHS_ENG_6)
                }
            }
            Some(o) => {
                let run = o.and(Outcome::from_bool(prev_uncontrolled == Some(true)));
                if v.complication || v.adr_hard_to_control || run == Outcome::Fired {
                    (VisitClass::Referral, r_ref)
                } else if o == Outcome::Indeterminate {
                    (VisitClass::Indeterminate, BPHS_HTN_13)
                } else if o == Outcome::Fired || v.adr {
                    (VisitClass::FirstUncontrolledOrAdr, r_first)
                } else {
                    (VisitClass::Controlled, r_ctrl)
                }
            }
        };
        let uncontrolled = unc.and_then(Outcome::to_opt);
        if unc.is_some() {
            prev_uncontrolled = uncontrolled;
        }
        let next_visit = if class == VisitClass::Controlled && emergency.outcome != Outcome::Fired {
            date.add_months(3)
        } else {
            date.add_days(14)
        };
        out.push(VisitAssessment {
            visit_date: date,
            emergency,
            class,
            class_rule: rule,
            uncontrolled,
            next_visit,
            dq_vis_4: unc.is_none(),
        });
    }
    out
}

/// BPHS-HTN-4 item 1 (high-normal for this purpose): `SBP < 140 AND DBP < 90 AND
/// (SBP ≥ 130 OR DBP ≥ 85)`.
pub fn bphs_htn_high_normal(sbp: f64, dbp: f64) -> bool {
    sbp < 140.0 && dbp < 90.0 && (sbp >= 130.0 || dbp >= 85.0)
}

/// BPHS-HTN-3: a first raised reading (SBP ≥ 140 or DBP ≥ 90) → re-measure on non-same days.
pub fn bphs_htn_raised(sbp: f64, dbp: f64) -> bool {
    sbp >= 140.0 || dbp >= 90.0
}

/// BPHS-HTN-4 result for a screening record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HtnScreen {
    /// Evaluated at all (age ≥ 35, not a hypertension patient).
    pub applies: Outcome,
    /// The high-risk group (Kleene OR of the six items).
    pub high_risk_group: Outcome,
    /// Missing inputs.
    pub missing: Vec<&'static str>,
    /// Items whose column is absent from the file.
    pub criteria_not_evaluated: Vec<&'static str>,
}

/// `bphs_htn_screen`: BPHS-HTN-4 over a screening record (`excess_liquor_ml_per_day`
/// default 100).
pub fn bphs_htn_screen(p: &Person<'_>, excess_liquor_ml_per_day: f64) -> HtnScreen {
    use crate::exchange::Col;
    let rec = p.rec;
    let mut not_eval = Vec::new();
    for (c, n) in [
        (Col::FamilyHistoryHtn, "family_history_htn"),
        (Col::HighSaltDiet, "high_salt_diet"),
        (Col::LiquorMlPerDay, "liquor_ml_per_day"),
    ] {
        if !rec.has_column(c) {
            not_eval.push(n);
        }
    }
    let (applies, _, _) = decide(|q| {
        p.age(q, Op::Ge, 35.0)
            && !q.assumed_flag("hypertension", rec.hypertension)
            && !q.flag("bp_treated", rec.bp_treated)
    });
    let ne = not_eval.clone();
    let (group, missing, _) = decide(|q| {
        let item1 = !p.sbp(q, Op::Ge, 140.0)
            && !p.dbp(q, Op::Ge, 90.0)
            && (p.sbp(q, Op::Ge, 130.0) || p.dbp(q, Op::Ge, 85.0));
        item1
            || p.bmi(q, Op::Ge, 24.0)
            || {
                let t = if p.male(q) { 90.0 } else { 85.0 };
                q.cmp(
                    "waist_cm",
                    p.ev.waist.map_or(
                        Interval::closed(plausible::WAIST.0, plausible::WAIST.1),
                        |w| Interval::point(w.0),
                    ),
                    Op::Ge,
                    t,
                )
            }
            || (!ne.contains(&"family_history_htn")
                && q.flag("family_history_htn", rec.family_history_htn))
            || (!ne.contains(&"high_salt_diet") && q.flag("high_salt_diet", rec.high_salt_diet))
            || (!ne.contains(&"liquor_ml_per_day")
                && q.cmp(
                    "liquor_ml_per_day",
                    rec.liquor_ml_per_day
                        .map_or(Interval::closed(0.0, f64::INFINITY), Interval::point),
                    Op::Ge,
                    excess_liquor_ml_per_day,
                ))
            || p.age(q, Op::Ge, 55.0)
    });
    HtnScreen {
        applies,
        high_risk_group: applies.and(group),
        missing,
        criteria_not_evaluated: not_eval,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }
    fn visit(pairs: &[(&str, &str)]) -> VisitRecord {
        let (v, f) = parse_visit(pairs);
        assert!(f.is_empty(), "{f:?}");
        v
    }
    fn dm(col: &str, val: &str) -> VisitRecord {
        visit(&[
            ("id", "P"),
            ("visit_date", "2025-03-01"),
            ("visit_kind", "bphs_dm"),
            (col, val),
        ])
    }
    fn em(v: &VisitRecord, u: CanonicalUnit) -> Outcome {
        let o = BphsOptions {
            canonical_unit: u,
            ..Default::default()
        };
        emergency_referral(v, &o).outcome
    }
    /// The glucose limbs of BPHS-DM-4 only (the other criteria have no inputs here).
    fn gl(v: &VisitRecord, u: CanonicalUnit) -> Outcome {
        let o = BphsOptions {
            canonical_unit: u,
            ..Default::default()
        };
        let e = emergency_referral(v, &o);
        let limbs = ["glucose_high", "glucose_low"];
        if e.reasons.iter().any(|r| limbs.contains(r)) {
            Outcome::Fired
        } else if e.not_evaluated.iter().any(|r| limbs.contains(r)) {
            Outcome::Indeterminate
        } else {
            Outcome::NotFired
        }
    }
    const R: CanonicalUnit = CanonicalUnit::AsReported;
    const M: CanonicalUnit = CanonicalUnit::MmolL;

    #[test]
    fn t_bphs_1_2_300_mgdl() {
        assert_eq!(gl(&dm("glucose_mgdl", "300"), R), Outcome::Fired);
        assert_eq!(gl(&dm("glucose_mgdl", "300"), M), Outcome::NotFired);
        assert_eq!(gl(&dm("glucose_mgdl", "299"), R), Outcome::NotFired);
        assert_eq!(gl(&dm("glucose_mgdl", "299"), M), Outcome::NotFired);
    }

    #[test]
    fn t_bphs_3_4_5_6_glucose_limbs() {
        assert_eq!(gl(&dm("fbg_mmol", "16.7"), R), Outcome::Fired);
        assert_eq!(gl(&dm("fbg_mmol", "16.69"), R), Outcome::NotFired);
        assert_eq!(gl(&dm("glucose_mgdl", "70"), R), Outcome::Fired);
        assert_eq!(gl(&dm("glucose_mgdl", "70"), M), Outcome::Fired);
        assert_eq!(gl(&dm("glucose_mgdl", "71"), R), Outcome::NotFired);
        assert_eq!(gl(&dm("glucose_mgdl", "71"), M), Outcome::NotFired);
        assert_eq!(gl(&dm("fbg_mmol", "3.9"), R), Outcome::Fired);
        assert_eq!(gl(&dm("fbg_mmol", "3.91"), R), Outcome::NotFired);
        let hi = emergency_referral(&dm("glucose_mgdl", ">600"), &BphsOptions::default());
        assert_eq!(
            (hi.outcome, hi.reasons.clone()),
            (Outcome::Fired, vec!["glucose_high"])
        );
        let lo = emergency_referral(&dm("glucose_mgdl", "<20"), &BphsOptions::default());
        assert_eq!(
            (lo.outcome, lo.reasons.clone()),
            (Outcome::Fired, vec!["glucose_low"])
        );
    }

    fn classes(rows: &[&[(&str, &str)]], kind: VisitKind) -> Vec<VisitAssessment> {
        let vs: Vec<VisitRecord> = rows.iter().map(|r| visit(r)).collect();
        assess_visits(&vs, kind, None, &BphsOptions::default())
    }

    #[test]
    fn t_bphs_7_fasting_126() {
        let a = classes(
            &[&[
                ("id", "P"),
                ("visit_date", "2025-01-01"),
                ("visit_kind", "bphs_dm"),
                ("fbg_mgdl", "126"),
            ]],
            VisitKind::BphsDm,
        );
        assert_eq!(
            (a[0].class, a[0].class_rule),
            (VisitClass::FirstUncontrolledOrAdr, BPHS_DM_7)
        );
        let a = classes(
            &[&[
                ("id", "P"),
                ("visit_date", "2025-01-01"),
                ("visit_kind", "bphs_dm"),
                ("fbg_mgdl", "125"),
            ]],
            VisitKind::BphsDm,
        );
        assert_eq!(
            (a[0].class, a[0].class_rule),
            (VisitClass::Controlled, BPHS_DM_6)
        );
        assert_eq!(a[0].next_visit, d("2025-04-01"));
    }

    #[test]
    fn t_bphs_8_high_normal_item_1() {
        assert!(bphs_htn_high_normal(135.0, 80.0));
        assert!(bphs_htn_high_normal(125.0, 86.0));
        assert!(bphs_htn_high_normal(139.5, 89.5));
        assert!(!bphs_htn_high_normal(135.0, 92.0));
        assert!(bphs_htn_raised(135.0, 92.0));
        assert!(!bphs_htn_high_normal(129.5, 84.5));
        assert!(!bphs_htn_raised(129.5, 84.5));
    }

    #[test]
    fn t_bphs_9_two_weeks_inclusive() {
        let a = classes(
            &[&[
                ("id", "P"),
                ("visit_date", "2025-03-01"),
                ("visit_kind", "bphs_htn"),
                ("sbp", "150"),
                ("dbp", "85"),
            ]],
            VisitKind::BphsHtn,
        );
        assert_eq!(a[0].class_rule, BPHS_HTN_8);
        assert!(a[0].next_on_time(d("2025-03-15")));
        assert!(!a[0].next_on_time(d("2025-03-16")));
    }

    #[test]
    fn t_bphs_10_phone_visit_is_skipped() {
        let a = classes(
            &[
                &[
                    ("id", "P"),
                    ("visit_date", "2025-01-01"),
                    ("visit_kind", "bphs_htn"),
                    ("sbp", "150"),
                    ("dbp", "85"),
                ],
                &[
                    ("id", "P"),
                    ("visit_date", "2025-01-10"),
                    ("visit_kind", "bphs_htn"),
                    ("mode", "phone"),
                ],
                &[
                    ("id", "P"),
                    ("visit_date", "2025-01-14"),
                    ("visit_kind", "bphs_htn"),
                    ("sbp", "152"),
                    ("dbp", "88"),
                ],
            ],
            VisitKind::BphsHtn,
        );
        assert_eq!(a[0].class_rule, BPHS_HTN_8);
        assert_eq!((a[1].class, a[1].dq_vis_4), (VisitClass::NotAssessed, true));
        assert_eq!(a[1].next_visit, d("2025-01-24"));
        assert_eq!(
            (a[2].class, a[2].class_rule),
            (VisitClass::Referral, BPHS_HTN_9)
        );
    }

    #[test]
    fn t_bphs_11_adr_only_ends_the_run() {
        let a = classes(
            &[
                &[
                    ("id", "P"),
                    ("visit_date", "2025-01-01"),
                    ("visit_kind", "bphs_htn"),
                    ("sbp", "150"),
                    ("dbp", "85"),
                ],
                &[
                    ("id", "P"),
                    ("visit_date", "2025-01-10"),
                    ("visit_kind", "bphs_htn"),
                    ("sbp", "130"),
                    ("dbp", "80"),
                    ("adr", "1"),
                ],
                &[
                    ("id", "P"),
                    ("visit_date", "2025-01-20"),
                    ("visit_kind", "bphs_htn"),
                    ("sbp", "150"),
                    ("dbp", "85"),
                ],
            ],
            VisitKind::BphsHtn,
        );
        assert_eq!(
            a.iter().map(|x| x.class_rule).collect::<Vec<_>>(),
            vec![BPHS_HTN_8; 3]
        );
        assert_eq!(a[1].uncontrolled, Some(false));
    }

    #[test]
    fn t_bphs_12_age_65_target_and_override() {
        let one = |age: &str, target: Option<&str>| {
            let mut r = vec![
                ("id", "P"),
                ("visit_date", "2025-01-01"),
                ("visit_kind", "bphs_htn"),
                ("sbp", "145"),
                ("dbp", "85"),
                ("age", age),
            ];
            if let Some(t) = target {
                r.push(("bp_target", t));
            }
            classes(&[&r], VisitKind::BphsHtn)[0].class
        };
        assert_eq!(one("66", None), VisitClass::Controlled);
        assert_eq!(one("64", None), VisitClass::FirstUncontrolledOrAdr);
        assert_eq!(
            one("66", Some("130/80")),
            VisitClass::FirstUncontrolledOrAdr
        );
        // Age unknown: 145/85 depends on it; 155/85 does not.
        let r: &[(&str, &str)] = &[
            ("id", "P"),
            ("visit_date", "2025-01-01"),
            ("visit_kind", "bphs_htn"),
            ("sbp", "145"),
            ("dbp", "85"),
        ];
        assert_eq!(
            classes(&[r], VisitKind::BphsHtn)[0].class,
            VisitClass::Indeterminate
        );
        let r: &[(&str, &str)] = &[
            ("id", "P"),
            ("visit_date", "2025-01-01"),
            ("visit_kind", "bphs_htn"),
            ("sbp", "155"),
            ("dbp", "85"),
        ];
        assert_eq!(
            classes(&[r], VisitKind::BphsHtn)[0].class,
            VisitClass::FirstUncontrolledOrAdr
        );
    }

    #[test]
    fn t_bphs_13_htn_emergency() {
        let h = |s: &str, dd: &str, preg: &str| {
            em(
                &visit(&[
                    ("id", "P"),
                    ("visit_date", "2025-01-01"),
                    ("visit_kind", "bphs_htn"),
                    ("sbp", s),
                    ("dbp", dd),
                    ("pregnant_or_lactating", preg),
                ]),
                R,
            )
        };
        assert_eq!(h("180", "100", "0"), Outcome::Fired);
        assert_eq!(h("179.5", "109.5", "0"), Outcome::NotFired);
        assert_eq!(h("140", "85", "1"), Outcome::Fired);
        assert_eq!(h("139", "89", "1"), Outcome::NotFired);
        assert_eq!(h("130", "110", "0"), Outcome::Fired);
        // A symptom alone fires; BP unknown without symptoms is not evaluated.
        let v = visit(&[
            ("id", "P"),
            ("visit_date", "2025-01-01"),
            ("visit_kind", "bphs_htn"),
            ("sym_chest_tightness", "1"),
        ]);
        assert_eq!(em(&v, R), Outcome::Fired);
        let v = visit(&[
            ("id", "P"),
            ("visit_date", "2025-01-01"),
            ("visit_kind", "bphs_htn"),
        ]);
        assert_eq!(em(&v, R), Outcome::Indeterminate);
    }

    #[test]
    fn dm_emergency_heart_rate_and_temperature_are_strict() {
        let v = |hr: &str, t: &str| {
            visit(&[
                ("id", "P"),
                ("visit_date", "2025-01-01"),
                ("visit_kind", "bphs_dm"),
                ("fbg_mmol", "6"),
                ("sbp", "120"),
                ("dbp", "70"),
                ("heart_rate", hr),
                ("temperature_c", t),
            ])
        };
        assert_eq!(em(&v("100", "39.0"), R), Outcome::NotFired);
        assert_eq!(em(&v("101", "39.0"), R), Outcome::Fired);
        assert_eq!(em(&v("80", "39.1"), R), Outcome::Fired);
    }

    fn person(exam: &str) -> FuPerson {
        FuPerson {
            high_risk: HighRiskStatus::HighRisk,
            hr_exam_date: Some(d(exam)),
            intervention_date: None,
            birth_date: None,
        }
    }
    fn fu(kind: &str, date: &str) -> VisitRecord {
        visit(&[("id", "P"), ("visit_date", date), ("visit_kind", kind)])
    }

    #[test]
    fn fu_5_due_and_window() {
        let p = person("2024-11-30");
        let st = short_term_due(&p, &FollowUpOptions::default()).unwrap();
        // UNIT-11: 30 Nov + 3 months = 28 Feb.
        assert_eq!(
            (st.due, st.window_start, st.window_end),
            (d("2025-02-28"), d("2025-01-28"), d("2025-03-28"))
        );
        let o = FollowUpOptions::default();
        assert_eq!(
            next_follow_up(&p, &[], d("2025-03-28"), &o),
            Some(d("2025-02-28"))
        );
        // After the window without a short-term visit: the long-term visit of 2025.
        assert_eq!(
            next_follow_up(&p, &[], d("2025-03-29"), &o),
            Some(d("2025-05-28"))
        );
    }

    #[test]
    fn fu_6_worked_example() {
        let p = person("2025-05-10");
        let o = FollowUpOptions::default();
        let st = fu("short_term", "2025-08-20");
        assert_eq!(
            long_term_year(&p, std::slice::from_ref(&st), 2025, d("2025-12-31"), &o),
            None
        );
        let y26 = long_term_year(&p, std::slice::from_ref(&st), 2026, d("2025-12-31"), &o).unwrap();
        assert_eq!((y26.earliest, y26.due), (d("2025-11-20"), d("2026-01-01")));
        assert_eq!(
            next_follow_up(&p, std::slice::from_ref(&st), d("2025-09-01"), &o),
            Some(d("2026-01-01"))
        );
        let vs = vec![st, fu("long_term", "2026-03-02")];
        let y27 = long_term_year(&p, &vs, 2027, d("2026-12-31"), &o).unwrap();
        assert_eq!((y27.earliest, y27.due), (d("2026-09-02"), d("2027-01-01")));
        assert_eq!(
            next_follow_up(&p, &vs, d("2026-06-01"), &o),
            Some(d("2027-01-01"))
        );
        // Only the first long-term visit of a year counts.
        let mut vs2 = vs.clone();
        vs2.push(fu("long_term", "2026-10-01"));
        assert_eq!(
            long_term_year(&p, &vs2, 2026, d("2026-12-31"), &o)
                .unwrap()
                .counted,
            Some(d("2026-03-02"))
        );
    }

    #[test]
    fn fu_6_earliest_after_year_end_skips_the_year() {
        // Exam 2025-12-01, no short-term visit: earliest 2026-06-01 → due 2026-06-01.
        let p = person("2025-12-01");
        let o = FollowUpOptions::default();
        let y = long_term_year(&p, &[], 2026, d("2026-12-31"), &o).unwrap();
        assert_eq!(y.due, d("2026-06-01"));
        // A late counted visit on 2026-12-20 pushes the earliest of 2027 to 2027-06-20.
        let vs = [
            fu("short_term", "2026-03-01"),
            fu("long_term", "2026-12-20"),
        ];
        let y27 = long_term_year(&p, &vs, 2027, d("2027-12-31"), &o).unwrap();
        assert_eq!(y27.due, d("2027-06-20"));
    }

    #[test]
    fn fu_7_death_and_withdrawal() {
        let p = person("2025-05-10");
        let o = FollowUpOptions::default();
        let died = visit(&[
            ("id", "P"),
            ("visit_date", "2025-06-01"),
            ("visit_kind", "short_term"),
            ("died", "1"),
        ]);
        assert_eq!(
            next_follow_up(&p, std::slice::from_ref(&died), d("2025-06-01"), &o),
            None
        );
        assert_eq!(
            next_follow_up(&p, &[died], d("2025-05-31"), &o),
            Some(d("2025-08-10"))
        );
        let w = visit(&[
            ("id", "P"),
            ("visit_date", "2025-06-01"),
            ("visit_kind", "short_term"),
            ("withdrawn", "1"),
        ]);
        assert_eq!(
            status_on(std::slice::from_ref(&w), d("2025-06-02")),
            LifeStatus::Withdrawn
        );
        // A later done visit (or one on the same day) means the person came back.
        let back = fu("short_term", "2025-06-01");
        assert_eq!(status_on(&[w, back], d("2025-06-02")), LifeStatus::Active);
    }

    #[test]
    fn fu_8_pilot_and_fu_9_project_year() {
        let mut p = person("2014-10-01");
        p.intervention_date = Some(d("2014-10-15"));
        let o = FollowUpOptions {
            stage_model: StageModel::Pilot2014,
            ..Default::default()
        };
        let st = short_term_due(&p, &o).unwrap();
        assert_eq!(
            (st.due, st.window_start, st.window_end),
            (d("2014-11-15"), d("2014-11-01"), d("2014-11-29"))
        );
        assert_eq!(project_year(d("2025-06-30"), 7), 2024);
        assert_eq!(project_year(d("2025-07-01"), 7), 2025);
        assert_eq!(
            project_year_bounds(2025, 7),
            (d("2025-07-01"), d("2026-06-30"))
        );
        assert_eq!(
            project_year_bounds(2025, 1),
            (d("2025-01-01"), d("2025-12-31"))
        );
    }

    #[test]
    fn fu_10_only_high_risk_with_exam_date() {
        let mut p = person("2025-05-10");
        p.high_risk = HighRiskStatus::Indeterminate;
        assert_eq!(
            next_follow_up(&p, &[], d("2025-05-10"), &FollowUpOptions::default()),
            None
        );
        p.high_risk = HighRiskStatus::HighRisk;
        p.hr_exam_date = None;
        assert_eq!(
            next_follow_up(&p, &[], d("2025-05-10"), &FollowUpOptions::default()),
            None
        );
    }

    #[test]
    fn visit_parser_reports_bad_cells() {
        let (v, f) = parse_visit(&[
            ("id", "P"),
            ("visit_kind", "weekly"),
            ("bp_target", "130"),
            ("mode", "电话"),
        ]);
        assert_eq!(f.len(), 2);
        assert_eq!(v.visit_kind, None);
        assert_eq!(v.mode, Some(VisitMode::Phone));
        assert_eq!(parse_bp_target("130/80"), Some((130.0, 80.0)));
        assert_eq!(parse_bp_target("-1/80"), None);
    }
}
