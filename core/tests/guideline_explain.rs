//! Snapshot tests of `guideline::explain` for two fixed people, in English and Chinese
//! (full strings). The expected texts were reviewed line by line against the rules.

use cvdscreen::criteria::mpp2014::evaluate;
use cvdscreen::evaluated::{EvaluatedRecord, FieldSet};
use cvdscreen::exchange::parse_pairs;
use cvdscreen::finding::Lang;
use cvdscreen::followup::FollowUpOptions;
use cvdscreen::guideline::{explain, GuidelineOptions};
use cvdscreen::profile::Profile;

const A: &[(&str, &str)] = &[
    ("id", "A"),
    ("sex", "male"),
    ("age", "58"),
    ("sbp_1", "166"),
    ("dbp_1", "92"),
    ("sbp_2", "158"),
    ("dbp_2", "90"),
    ("history_mi", "0"),
    ("history_pci", "0"),
    ("history_cabg", "0"),
    ("history_ischaemic_stroke", "0"),
    ("history_haemorrhagic_stroke", "0"),
    ("diabetes", "0"),
    ("current_smoker", "1"),
    ("bp_treated", "0"),
    ("tc_mmol", "5.6"),
    ("hdl_mmol", "1.1"),
    ("ldl_mmol", "3.6"),
    ("fbg_mmol", "5.8"),
    ("height_cm", "170"),
    ("weight_kg", "75"),
    ("hr_exam_date", "2025-05-10"),
    ("lipid_treated", "0"),
];
const B: &[(&str, &str)] = &[
    ("id", "B"),
    ("sex", "female"),
    ("age", "66"),
    ("sbp", "128"),
    ("dbp", "76"),
    ("history_mi", "1"),
    ("history_pci", "0"),
    ("history_cabg", "0"),
    ("history_ischaemic_stroke", "1"),
    ("history_haemorrhagic_stroke", "0"),
    ("diabetes", "1"),
    ("current_smoker", "0"),
    ("bp_treated", "1"),
    ("tc_mgdl", "190"),
    ("hdl_mgdl", "45"),
    ("ldl_mgdl", "110"),
    ("hr_exam_date", "2024-11-30"),
    ("lipid_treated", "1"),
];

fn render(pairs: &[(&str, &str)], lang: Lang) -> String {
    let (rec, f) = parse_pairs(pairs);
    assert!(f.is_empty());
    let profile = Profile::default();
    let ev = EvaluatedRecord::new(&rec, &profile, FieldSet::default());
    let hr = evaluate(&rec, &ev, &profile);
    explain(
        &rec,
        &ev,
        &hr,
        Some(7.25),
        &GuidelineOptions::default(),
        &FollowUpOptions::default(),
        lang,
    )
}

#[test]
fn explain_a_en() {
    let expected = r#"Programme high-risk status (mpp-2014): high risk
MPP2014-HR-5 fired: SBP 162.0 ≥ 160 mmHg
MPP2014-HR-8 fired: 10-year CVD risk ≥ 20 % on the WHO/ISH risk prediction chart
bp_grade (bpc-cn2018): grade_2 (BPC-4)
risk_level (cn2019): medium (CN2019-2, CN2019-3)
lipid_risk_level (lip2023): high (LIP-TAB-1, LIP-TAB-2, LIP-TAB-4); LDL-C target < 2.6 mmol/L
Assumed absent (COND-10): history_tia, acs_within_12m, history_pad, ckd_stage, ascvd_recurrence_at_low_ldl, chd_onset_age, familial_hypercholesterolaemia, history_pad_revasc
urgent_referral: no
Plan:
- hr_survey_referral (HRS-8): Referral to the technical-support hospital for the high-risk survey: questionnaire, ECG, carotid ultrasound, echocardiography, blood and urine tests
- antihypertensive (CN2020-4 [UNVERIFIED]): Start antihypertensive drugs; BP target < 130/80 mmHg
- bp_control (INT-2): Hypertension: individual blood-pressure control advice
- statin (LIP-TGT-3 [UNVERIFIED]): Statin (moderate intensity first; recheck lipids after 4–6 weeks); target LDL-C < 2.6 mmol/L
- lipid_control? (INT-2): Dyslipidaemia: individual lipid control advice [undecided, missing: tg]
- aspirin_consideration? (CN2020-2 [UNVERIFIED]): Consider low-dose aspirin after assessing bleeding risk [undecided, missing: bleeding_risk_high]
- smoking_cessation (INT-PLAN-1): Stop smoking; offer cessation support
- diet_salt (INT-PLAN-1): Reduce salt and fat intake; healthy diet
- weight (INT-PLAN-1): Weight control towards BMI < 24 kg/m²
- physical_activity (INT-PLAN-1): Regular, appropriate physical activity and exercise
- handbook_lifestyle (INT-1): Health handbook; advice: no smoking, limit alcohol, healthy low-fat diet, weight control, regular exercise
next_follow_up: 2025-08-10
"#;
    assert_eq!(render(A, Lang::En), expected);
}

#[test]
fn explain_a_zh() {
    let expected = r#"项目高危判定 (mpp-2014): 高危
MPP2014-HR-5 满足: SBP 162.0 ≥ 160 mmHg
MPP2014-HR-8 满足: WHO/ISH 风险预测图 10 年心血管病风险≥20%
bp_grade (bpc-cn2018): 2级高血压 (BPC-4)
risk_level (cn2019): 中危 (CN2019-2, CN2019-3)
lipid_risk_level (lip2023): 高危 (LIP-TAB-1, LIP-TAB-2, LIP-TAB-4); LDL-C目标 < 2.6 mmol/L
假定不存在 (COND-10): history_tia, acs_within_12m, history_pad, ckd_stage, ascvd_recurrence_at_low_ldl, chd_onset_age, familial_hypercholesterolaemia, history_pad_revasc
urgent_referral: 否
干预计划:
- hr_survey_referral (HRS-8): 转至技术支持医院进行高危对象调查：问卷、心电图、颈动脉超声、心脏超声、血尿检测
- antihypertensive (CN2020-4 [UNVERIFIED]): 启动降压药物治疗；血压目标<130/80 mmHg
- bp_control (INT-2): 高血压：个体化血压控制指导
- statin (LIP-TGT-3 [UNVERIFIED]): 他汀治疗（起始中等强度，4–6周后复查血脂）；目标LDL-C<2.6 mmol/L
- lipid_control? (INT-2): 血脂异常：个体化血脂控制指导 [无法判定，缺失: tg]
- aspirin_consideration? (CN2020-2 [UNVERIFIED]): 评估出血风险后考虑小剂量阿司匹林 [无法判定，缺失: bleeding_risk_high]
- smoking_cessation (INT-PLAN-1): 戒烟，提供戒烟支持
- diet_salt (INT-PLAN-1): 减少食盐和脂肪摄入，合理膳食
- weight (INT-PLAN-1): 控制体重，使BMI<24 kg/m²
- physical_activity (INT-PLAN-1): 规律、适量的身体活动和运动
- handbook_lifestyle (INT-1): 发放《健康手册》；指导戒烟限酒、合理低脂膳食、控制体重、适量运动
next_follow_up: 2025-08-10
"#;
    assert_eq!(render(A, Lang::Zh), expected);
}

#[test]
fn explain_b_en() {
    let expected = r#"Programme high-risk status (mpp-2014): high risk
MPP2014-HR-1 fired: History of myocardial infarction
MPP2014-HR-4 fired: History of ischaemic or haemorrhagic stroke (TIA does not count)
bp_grade (bpc-cn2018): high_normal (BPC-2)
risk_level (cn2019): very_high (CN2019-1)
lipid_risk_level (lip2023): extreme (LIP2023-1, LIP2023-2); LDL-C target < 1.4 mmol/L and reduction > 50 %
Assumed absent (COND-10): ckd_stage, ascvd_recurrence_at_low_ldl, chd_onset_age, familial_hypercholesterolaemia, acs_within_12m, history_pad_revasc
urgent_referral: no (not evaluated: glucose_high, glucose_low)
Plan:
- hr_survey_referral (HRS-8): Referral to the technical-support hospital for the high-risk survey: questionnaire, ECG, carotid ultrasound, echocardiography, blood and urine tests
- secondary_prevention (INT-3): Established CVD: individual drug-therapy and rehabilitation advice to prevent progression and recurrence
- bp_control (INT-2): Hypertension: individual blood-pressure control advice
- statin (LIP-TGT-5 [UNVERIFIED]): Statin (moderate intensity first; recheck lipids after 4–6 weeks); target LDL-C < 1.4 mmol/L and a reduction > 50 % from baseline
- lipid_control (INT-2): Dyslipidaemia: individual lipid control advice
- glucose_management_referral (BPHS-DM-1): Diabetes: refer to basic-public-health type-2 diabetes management (fasting glucose 4 times a year)
- diet_salt (INT-PLAN-1): Reduce salt and fat intake; healthy diet
- weight? (INT-PLAN-1): Weight control towards BMI < 24 kg/m² [undecided, missing: bmi, waist_cm]
- physical_activity (INT-PLAN-1): Regular, appropriate physical activity and exercise
- handbook_lifestyle (INT-1): Health handbook; advice: no smoking, limit alcohol, healthy low-fat diet, weight control, regular exercise
next_follow_up: 2025-02-28
"#;
    assert_eq!(render(B, Lang::En), expected);
}

#[test]
fn explain_b_zh() {
    let expected = r#"项目高危判定 (mpp-2014): 高危
MPP2014-HR-1 满足: 心肌梗死病史
MPP2014-HR-4 满足: 缺血型或出血型脑卒中病史（短暂性脑缺血发作不计）
bp_grade (bpc-cn2018): 正常高值 (BPC-2)
risk_level (cn2019): 极高危 (CN2019-1)
lipid_risk_level (lip2023): 超高危 (LIP2023-1, LIP2023-2); LDL-C目标 < 1.4 mmol/L且降幅>50%
假定不存在 (COND-10): ckd_stage, ascvd_recurrence_at_low_ldl, chd_onset_age, familial_hypercholesterolaemia, acs_within_12m, history_pad_revasc
urgent_referral: 否 (未评估: glucose_high, glucose_low)
干预计划:
- hr_survey_referral (HRS-8): 转至技术支持医院进行高危对象调查：问卷、心电图、颈动脉超声、心脏超声、血尿检测
- secondary_prevention (INT-3): 已患心血管病：给予个体化药物治疗和康复指导，预防进展和复发
- bp_control (INT-2): 高血压：个体化血压控制指导
- statin (LIP-TGT-5 [UNVERIFIED]): 他汀治疗（起始中等强度，4–6周后复查血脂）；目标LDL-C<1.4 mmol/L且较基线降低>50%
- lipid_control (INT-2): 血脂异常：个体化血脂控制指导
- glucose_management_referral (BPHS-DM-1): 糖尿病：纳入基本公共卫生2型糖尿病患者健康管理（每年4次空腹血糖检测）
- diet_salt (INT-PLAN-1): 减少食盐和脂肪摄入，合理膳食
- weight? (INT-PLAN-1): 控制体重，使BMI<24 kg/m² [无法判定，缺失: bmi, waist_cm]
- physical_activity (INT-PLAN-1): 规律、适量的身体活动和运动
- handbook_lifestyle (INT-1): 发放《健康手册》；指导戒烟限酒、合理低脂膳食、控制体重、适量运动
next_follow_up: 2025-02-28
"#;
    assert_eq!(render(B, Lang::Zh), expected);
}
