//! Per-field metadata of the exchange format for forms and documentation: label,
//! unit, kind and the plausibility range QC applies (spec/domain.md §12.3), in the
//! column's own unit. One source of truth for `min`/`max` hints in a web form.
//!
//! ```
//! use cvdscreen::fields::field_rule;
//! use cvdscreen::exchange::Col;
//! let r = field_rule(Col::Sbp1);
//! assert_eq!((r.min, r.max, r.unit), (Some(70.0), Some(270.0), "mmHg"));
//! ```

use crate::exchange::{Col, Kind};
use crate::qc::ranges as r;
use crate::record::{DBP_RANGE, SBP_RANGE};
use crate::units::{
    CHOLESTEROL_MGDL_PER_MMOL as CHOL, GLUCOSE_MGDL_PER_MMOL as GLU,
    TRIGLYCERIDE_MGDL_PER_MMOL as TG,
};
use serde::Serialize;

/// Metadata of one input column.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct FieldRule {
    /// Column name.
    pub name: &'static str,
    /// Value kind.
    pub kind: Kind,
    /// Unit (`""` when none).
    pub unit: &'static str,
    /// Lowest plausible value (closed), in `unit`.
    pub min: Option<f64>,
    /// Highest plausible value (closed), in `unit`.
    pub max: Option<f64>,
    /// The QC rule that enforces the range.
    pub range_rule: Option<&'static str>,
    /// English label.
    pub label_en: &'static str,
    /// Chinese label.
    pub label_zh: &'static str,
    /// Mandatory at initial screening (DQ-PRG-3) under the default profile.
    pub mandatory: bool,
}

/// Plausible range of a column: (min, max, the QC rule that enforces it).
type Range = (Option<f64>, Option<f64>, Option<&'static str>);

/// A closed QC range in the column's unit (`factor` converts from mmol/L).
fn range(bounds: (f64, f64), factor: f64, rule: &'static str) -> Range {
    let hi = bounds.1 * factor;
    (
        Some(bounds.0 * factor),
        hi.is_finite().then_some(hi),
        Some(rule),
    )
}

/// The metadata of one column.
pub fn field_rule(c: Col) -> FieldRule {
    use Col as C;
    let n = c.name();
    let k = c.kind();
    let sbp: Range = range(SBP_RANGE, 1.0, r::DQ_RANGE_8);
    let dbp: Range = range(DBP_RANGE, 1.0, r::DQ_RANGE_9);
    let (unit, (min, max, rule), en, zh, mandatory): (&str, Range, &str, &str, bool) = match c {
        C::Id => ("", (None, None, None), "Person id", "编号", true),
        C::SiteId => ("", (None, None, None), "Screening site", "筛查点", false),
        C::ScreenDate => ("", (None, None, None), "Screening date", "筛查日期", true),
        C::Sex => ("", (None, None, None), "Sex", "性别", true),
        C::Age => (
            "years",
            range(r::AGE_YEARS, 1.0, r::DQ_RANGE_18),
            "Age",
            "年龄",
            true,
        ),
        C::BirthDate => ("", (None, None, None), "Birth date", "出生日期", false),
        C::Sbp1 => (
            "mmHg",
            sbp,
            "Systolic BP, reading 1",
            "收缩压（第1次）",
            true,
        ),
        C::Dbp1 => (
            "mmHg",
            dbp,
            "Diastolic BP, reading 1",
            "舒张压（第1次）",
            true,
        ),
        C::Sbp2 => (
            "mmHg",
            sbp,
            "Systolic BP, reading 2",
            "收缩压（第2次）",
            true,
        ),
        C::Dbp2 => (
            "mmHg",
            dbp,
            "Diastolic BP, reading 2",
            "舒张压（第2次）",
            true,
        ),
        C::Sbp3 => (
            "mmHg",
            sbp,
            "Systolic BP, reading 3",
            "收缩压（第3次）",
            false,
        ),
        C::Dbp3 => (
            "mmHg",
            dbp,
            "Diastolic BP, reading 3",
            "舒张压（第3次）",
            false,
        ),
        C::Sbp => (
            "mmHg",
            sbp,
            "Systolic BP (final value)",
            "收缩压（最终值）",
            false,
        ),
        C::Dbp => (
            "mmHg",
            dbp,
            "Diastolic BP (final value)",
            "舒张压（最终值）",
            false,
        ),
        C::HeightCm => (
            "cm",
            range(r::HEIGHT_CM, 1.0, r::DQ_RANGE_1),
            "Height",
            "身高",
            true,
        ),
        C::WeightKg => (
            "kg",
            range(r::WEIGHT_KG, 1.0, r::DQ_RANGE_2),
            "Weight",
            "体重",
            true,
        ),
        C::WaistCm => (
            "cm",
            range(r::WAIST_CM, 1.0, r::DQ_RANGE_4),
            "Waist circumference",
            "腰围",
            false,
        ),
        C::Bmi => (
            "kg/m²",
            range(r::BMI, 1.0, r::DQ_RANGE_3),
            "Body-mass index",
            "体重指数",
            false,
        ),
        C::TcMmol => (
            "mmol/L",
            range(r::TC_MMOL, 1.0, r::DQ_RANGE_10),
            "Total cholesterol",
            "总胆固醇",
            true,
        ),
        C::TcMgdl => (
            "mg/dL",
            range(r::TC_MMOL, CHOL, r::DQ_RANGE_10),
            "Total cholesterol",
            "总胆固醇",
            true,
        ),
        C::HdlMmol => (
            "mmol/L",
            range(r::HDL_MMOL, 1.0, r::DQ_RANGE_11),
            "HDL cholesterol",
            "高密度脂蛋白胆固醇",
            true,
        ),
        C::HdlMgdl => (
            "mg/dL",
            range(r::HDL_MMOL, CHOL, r::DQ_RANGE_11),
            "HDL cholesterol",
            "高密度脂蛋白胆固醇",
            true,
        ),
        C::LdlMmol => (
            "mmol/L",
            range(r::LDL_MMOL, 1.0, r::DQ_RANGE_12),
            "LDL cholesterol",
            "低密度脂蛋白胆固醇",
            false,
        ),
        C::LdlMgdl => (
            "mg/dL",
            range(r::LDL_MMOL, CHOL, r::DQ_RANGE_12),
            "LDL cholesterol",
            "低密度脂蛋白胆固醇",
            false,
        ),
        C::TgMmol => (
            "mmol/L",
            range(r::TG_MMOL, 1.0, r::DQ_RANGE_13),
            "Triglycerides",
            "甘油三酯",
            false,
        ),
        C::TgMgdl => (
            "mg/dL",
            range(r::TG_MMOL, TG, r::DQ_RANGE_13),
            "Triglycerides",
            "甘油三酯",
            false,
        ),
        C::FbgMmol => (
            "mmol/L",
            range(r::FBG_MMOL, 1.0, r::DQ_RANGE_14),
            "Fasting glucose",
            "空腹血糖",
            false,
        ),
        C::FbgMgdl => (
            "mg/dL",
            range(r::FBG_MMOL, GLU, r::DQ_RANGE_14),
            "Fasting glucose",
            "空腹血糖",
            false,
        ),
        C::CurrentSmoker => (
            "",
            (None, None, None),
            "Current smoker (incl. quit < 12 months)",
            "现在吸烟（含戒烟不足12个月）",
            true,
        ),
        C::Diabetes => (
            "",
            (None, None, None),
            "Diabetes (diagnosed, drugs or insulin)",
            "糖尿病（已诊断、服药或注射胰岛素）",
            true,
        ),
        C::BpTreated => (
            "",
            (None, None, None),
            "On antihypertensive drugs",
            "正在服用降压药",
            false,
        ),
        C::LipidTreated => (
            "",
            (None, None, None),
            "On lipid-lowering drugs",
            "正在服用调脂药",
            false,
        ),
        C::GlucoseTreated => (
            "",
            (None, None, None),
            "On glucose-lowering drugs or insulin",
            "正在使用降糖药或胰岛素",
            false,
        ),
        C::HistoryMi => (
            "",
            (None, None, None),
            "History of myocardial infarction",
            "心肌梗死病史",
            true,
        ),
        C::HistoryPci => ("", (None, None, None), "Received PCI", "接受过PCI", true),
        C::HistoryCabg => ("", (None, None, None), "Received CABG", "接受过CABG", true),
        C::HistoryIschaemicStroke => (
            "",
            (None, None, None),
            "History of ischaemic stroke",
            "缺血性脑卒中病史",
            true,
        ),
        C::HistoryHaemorrhagicStroke => (
            "",
            (None, None, None),
            "History of haemorrhagic stroke",
            "出血性脑卒中病史",
            true,
        ),
        C::FamilyHistoryAscvd => (
            "",
            (None, None, None),
            "Parent or sibling with MI or stroke",
            "父母或兄弟姐妹患心肌梗死或脑卒中",
            false,
        ),
        C::North => (
            "",
            (None, None, None),
            "Lives north of the Yangtze",
            "居住在长江以北",
            false,
        ),
        C::Urban => ("", (None, None, None), "Urban residence", "城市居住", false),
        C::Egfr => (
            "mL/min/1.73m²",
            range(r::EGFR, 1.0, r::DQ_RANGE_17),
            "eGFR",
            "估算肾小球滤过率",
            false,
        ),
        C::Race => (
            "",
            (None, None, None),
            "Race (PCE only)",
            "种族（仅用于PCE）",
            false,
        ),
        C::SmokingQuitDate => (
            "",
            (None, None, None),
            "Date stopped smoking",
            "戒烟日期",
            false,
        ),
        C::HistoryTia => (
            "",
            (None, None, None),
            "History of TIA",
            "短暂性脑缺血发作病史",
            false,
        ),
        C::Statin => ("", (None, None, None), "On a statin", "正在服用他汀", false),
        C::HipCm => (
            "cm",
            range(r::HIP_CM, 1.0, r::DQ_RANGE_5),
            "Hip circumference",
            "臀围",
            false,
        ),
        C::Hba1cPct => (
            "%",
            range(r::HBA1C_PCT, 1.0, r::DQ_RANGE_15),
            "HbA1c",
            "糖化血红蛋白",
            false,
        ),
        C::CreatinineUmol => (
            "µmol/L",
            range(r::CREATININE_UMOL, 1.0, r::DQ_RANGE_16),
            "Serum creatinine",
            "血肌酐",
            false,
        ),
        C::IdNumber => (
            "",
            (None, None, None),
            "Resident identity number",
            "居民身份证号",
            false,
        ),
        C::Consent => (
            "",
            (None, None, None),
            "Signed informed consent",
            "已签署知情同意书",
            false,
        ),
        C::ResidenceMonths => (
            "months",
            (None, None, None),
            "Months lived in the community",
            "在本社区居住月数",
            false,
        ),
        C::HukouLocal => (
            "",
            (None, None, None),
            "Household-registered at the site",
            "项目点户籍",
            false,
        ),
        C::UnableToComply => (
            "",
            (None, None, None),
            "Unable to comply with screening or follow-up",
            "无法配合筛查或随访",
            false,
        ),
        C::LipidDevice => (
            "",
            (None, None, None),
            "Lipid device",
            "血脂检测仪器",
            false,
        ),
        C::LipidNotDoneReason => (
            "",
            (None, None, None),
            "Reason lipid test not done",
            "未做血脂检测原因",
            false,
        ),
        C::EntryDate => ("", (None, None, None), "Data entry date", "录入日期", false),
        C::HighRiskRecorded => (
            "",
            (None, None, None),
            "High-risk status recorded by the source system",
            "原系统记录的高危状态",
            false,
        ),
        C::HrExamDate => (
            "",
            (None, None, None),
            "High-risk survey date",
            "高危对象调查日期",
            false,
        ),
        C::HrQuestionnaireDone => (
            "",
            (None, None, None),
            "High-risk questionnaire done",
            "高危调查表已完成",
            false,
        ),
        C::HrChecklistDone => (
            "",
            (None, None, None),
            "High-risk checklist done",
            "高危核查表已完成",
            false,
        ),
        C::EcgDone => ("", (None, None, None), "ECG done", "心电图已完成", false),
        C::CarotidUsDone => (
            "",
            (None, None, None),
            "Carotid ultrasound done",
            "颈动脉超声已完成",
            false,
        ),
        C::EchoDone => (
            "",
            (None, None, None),
            "Echocardiography done",
            "心脏超声已完成",
            false,
        ),
        C::BloodSampleDone => (
            "",
            (None, None, None),
            "Blood sample taken",
            "已采血样",
            false,
        ),
        C::UrineSampleDone => (
            "",
            (None, None, None),
            "Urine sample taken",
            "已采尿样",
            false,
        ),
        C::InterventionDate => (
            "",
            (None, None, None),
            "Intervention date",
            "干预日期",
            false,
        ),
        C::Hypertension => (
            "",
            (None, None, None),
            "Diagnosed hypertension (self-reported)",
            "已诊断高血压（自报）",
            false,
        ),
        C::FamilyHistoryHtn => (
            "",
            (None, None, None),
            "Family history of hypertension",
            "高血压家族史",
            false,
        ),
        C::HighSaltDiet => (
            "",
            (None, None, None),
            "Long-term high-salt diet",
            "长期高盐饮食",
            false,
        ),
        C::LiquorMlPerDay => (
            "mL/day",
            (None, None, None),
            "Liquor per day",
            "每日白酒量",
            false,
        ),
        C::AcsWithin12m => (
            "",
            (None, None, None),
            "Acute coronary syndrome in the past 12 months",
            "近12个月急性冠脉综合征",
            false,
        ),
        C::HistoryPad => (
            "",
            (None, None, None),
            "Symptomatic peripheral artery disease",
            "有症状的外周动脉疾病",
            false,
        ),
        C::HistoryPadRevasc => (
            "",
            (None, None, None),
            "PAD with revascularisation or amputation",
            "外周动脉疾病已行血运重建或截肢",
            false,
        ),
        C::SevereAscvdEvents => (
            "",
            (None, None, None),
            "Number of severe ASCVD events",
            "严重ASCVD事件次数",
            false,
        ),
        C::AscvdRecurrenceAtLowLdl => (
            "",
            (None, None, None),
            "Recurrent ASCVD event with LDL-C ≤ 1.8 mmol/L",
            "LDL-C≤1.8 mmol/L时再发ASCVD事件",
            false,
        ),
        C::ChdOnsetAge => (
            "years",
            (None, None, None),
            "Age at first CHD diagnosis",
            "首次诊断冠心病年龄",
            false,
        ),
        C::FamilialHypercholesterolaemia => (
            "",
            (None, None, None),
            "Familial hypercholesterolaemia",
            "家族性高胆固醇血症",
            false,
        ),
        C::CkdStage => ("", (None, None, None), "CKD stage", "慢性肾脏病分期", false),
        C::LdlBaselineMmol => (
            "mmol/L",
            (None, None, None),
            "LDL-C before treatment",
            "治疗前LDL-C",
            false,
        ),
        C::LdlBaselineMgdl => (
            "mg/dL",
            (None, None, None),
            "LDL-C before treatment",
            "治疗前LDL-C",
            false,
        ),
        C::ManageAsHighRisk => (
            "",
            (None, None, None),
            "Clinician manages as high risk",
            "医生按高危管理",
            false,
        ),
        C::BleedingRiskHigh => (
            "",
            (None, None, None),
            "Increased bleeding risk",
            "出血风险增高",
            false,
        ),
        C::HtnCvRisk => (
            "",
            (None, None, None),
            "CV risk level (hypertension guideline)",
            "心血管风险分层（高血压指南）",
            false,
        ),
    };
    FieldRule {
        name: n,
        kind: k,
        unit,
        min,
        max,
        range_rule: rule,
        label_en: en,
        label_zh: zh,
        mandatory,
    }
}

/// Metadata of every input column, in exchange-format order.
pub fn field_rules() -> Vec<FieldRule> {
    Col::ALL.iter().map(|&c| field_rule(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_labels_and_sane_ranges() {
        for r in field_rules() {
            assert!(
                !r.label_en.is_empty() && !r.label_zh.is_empty(),
                "{}",
                r.name
            );
            if let (Some(lo), Some(hi)) = (r.min, r.max) {
                assert!(lo < hi, "{}", r.name);
            }
            assert_eq!(r.range_rule.is_some(), r.min.is_some(), "{}", r.name);
        }
        let tc = field_rule(Col::TcMgdl);
        assert!((tc.min.unwrap() - 67.6725).abs() < 1e-9);
    }
}
