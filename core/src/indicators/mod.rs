//! Programme indicators (spec/domain.md §11): the indicator value type with the
//! percentage arithmetic of IND-GEN-4 and the anomaly rule of IND-GEN-6, the legacy
//! platform rounding (IND-MPP-PLAT), and the modules that compute indicators from
//! screening assessments ([`screening`]), programme follow-up visits ([`followup`]),
//! basic-public-health visits ([`bphs`]),
//! quotas ([`quota`]) and standard populations ([`standard`]).
//!
//! Every rate is a percentage `(100 × numerator) ÷ denominator` in `f64`, the
//! multiplication first, unrounded; a zero or unknown denominator gives `None`.
//! Values are never clamped: a rate above 100 % is reported as computed, together
//! with an IND-GEN-6 `Warn` finding.
//!
//! ```
//! use cvdscreen::indicators::{Indicator, IND_MPP_4};
//! let i = Indicator::rate(IND_MPP_4, "", 3.0, 12.0);
//! assert_eq!(i.value, Some(25.0));
//! assert!(Indicator::rate(IND_MPP_4, "", 3.0, 0.0).value.is_none());
//! ```

pub mod bphs;
pub mod followup;
pub mod plat;
pub mod quota;
pub mod screening;
pub mod standard;

use crate::finding::{fmt_num, Finding, Severity};
use serde::Serialize;

crate::define_rules! {
    IND_GEN_1 = "IND-GEN-1", "indicators", [Decision], "domain.md §11.0 IND-GEN-1",
        "Indicators count distinct persons (id) unless the formula says records or visits; groups are site, period, sex and age band",
        "除公式注明按记录或随访计数外，指标按人（编号去重）计数；分组为筛查点、期间、性别和年龄组";
    IND_GEN_2 = "IND-GEN-2", "indicators", [Decision], "domain.md §11.0 IND-GEN-2",
        "An event belongs to the period containing its date; an empty or unparseable date goes to the `undated` group",
        "事件归入其日期所在期间；日期为空或无法解析的归入“undated”组";
    IND_GEN_3 = "IND-GEN-3", "indicators", [Decision], "domain.md §11.0 IND-GEN-3",
        "Computations are made as at a date `as_of`; later events are ignored",
        "指标按截止日期 as_of 计算，之后的事件不计";
    IND_GEN_4 = "IND-GEN-4", "indicators", [Decision], "domain.md §11.0 IND-GEN-4",
        "Every rate is a percentage (100 × numerator) ÷ denominator, unrounded; zero or unknown denominator gives no value",
        "各率均为百分比：(100×分子)÷分母，不取整；分母为零或未知时无值";
    IND_GEN_6 = "IND-GEN-6", "indicators", [Decision], "domain.md §11.0 IND-GEN-6",
        "Anomaly: a rate above 100 %, a numerator greater than its denominator, or a negative count (reported, never clamped)",
        "异常：率超过100%、分子大于分母或计数为负（照实报告，不截断）";
    IND_MPP_1 = "IND-MPP-1", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-1; S2",
        "Screened (初筛完成人数): persons with a qualified screening record dated in the period",
        "初筛完成人数：期间内有合格初筛记录的人数";
    IND_MPP_2 = "IND-MPP-2", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-2; S2 (csp)",
        "Screening completion rate (初筛完成率): 100 × IND-MPP-1 ÷ the site's screening quota",
        "初筛完成率：100×初筛完成人数÷筛查任务量";
    IND_MPP_3 = "IND-MPP-3", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-3; S2 (risk)",
        "High-risk persons detected (高危对象检出人数) among the screened",
        "高危对象检出人数";
    IND_MPP_4 = "IND-MPP-4", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-4; S2 (gwp)",
        "Detection rate (高危对象检出率): 100 × IND-MPP-3 ÷ IND-MPP-1, with the indeterminate count and upper bound",
        "高危对象检出率：100×高危人数÷初筛完成人数，另报无法判定人数及上限";
    IND_MPP_5 = "IND-MPP-5", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-5, HRS-8; S2",
        "High-risk survey completed (高危调查完成人数): all seven HRS-8 items done, placed by hr_exam_date",
        "高危调查完成人数：七项高危调查项目全部完成，按高危调查日期归期";
    IND_MPP_6 = "IND-MPP-6", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-6; S2 (gwfp)",
        "gwfp: 100 × IND-MPP-5 ÷ (screening quota ÷ 5)",
        "高危对象检出完成率：100×高危调查完成人数÷（筛查任务量÷5）";
    IND_MPP_7 = "IND-MPP-7", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-7; S2 (UQS34_PER)",
        "High-risk survey completion rate: 100 × IND-MPP-5 ÷ the hr_survey quota",
        "高危对象调查完成率：100×高危调查完成人数÷高危调查任务量";
    IND_MPP_8 = "IND-MPP-8", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-8; S2 (UQS5_PER)",
        "Intervention completion rate: 100 × persons of IND-MPP-5 with an intervention_date by as_of ÷ IND-MPP-5",
        "干预完成率：100×高危调查完成者中截至统计日已干预人数÷高危调查完成人数";
    IND_MPP_9 = "IND-MPP-9", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-9, IND-GEN-5; S2 (UQS6_PER)",
        "Follow-up completion rate (随访完成率): 100 × persons with an intervention_date in the period and a done programme follow-up visit by as_of ÷ persons with an intervention_date in the period",
        "随访完成率：100×期间内干预且截至统计日完成项目随访的人数÷期间内干预人数";
    IND_MPP_10 = "IND-MPP-10", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-10; S2 (sfp)",
        "Follow-up success rate (随访成功率): 100 × booked follow-ups done by as_of ÷ programme follow-ups falling due in the period (FU-5/FU-8 short-term due date, FU-6 b long-term due) for persons alive and in follow-up on the due date",
        "随访成功率：100×截至统计日已完成的应随访数÷期间内到期的项目随访数（到期日存活且未退出）";
    IND_MPP_11 = "IND-MPP-11", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-11; S2 (INTERVIEW_PER)",
        "Face-to-face follow-up rate (面对面随访率): 100 × done programme follow-up visits in the period with mode = face_to_face ÷ done programme follow-up visits in the period (visits)",
        "面对面随访率：100×期间内面对面项目随访次数÷期间内项目随访次数";
    IND_MPP_12 = "IND-MPP-12", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-12, HRS-8; S2",
        "Item completion rates: per HRS-8 item, 100 × surveyed high-risk persons with the item done ÷ surveyed high-risk persons",
        "高危调查各项完成率：各项完成人数÷期间内接受调查的高危人数";
    IND_MPP_13 = "IND-MPP-13", "indicators", [Decision], "domain.md §11.1 IND-MPP-13",
        "High-risk reason mix: overlapping and exclusive shares of class A, B and C reasons among IND-MPP-3",
        "高危原因构成：A、B、C类原因的重叠及互斥构成比";
    IND_MPP_14 = "IND-MPP-14", "indicators", [Decision], "domain.md §11.1 IND-MPP-14",
        "Indeterminate rate: 100 × Indeterminate persons ÷ IND-MPP-1, by missing field and by field combination",
        "无法判定率：无法判定人数÷初筛完成人数，按缺失字段及字段组合细分";
    IND_MPP_15 = "IND-MPP-15", "indicators", [Decision], "domain.md §11.1 IND-MPP-15, FU-5, FU-7, FU-8",
        "Short-term follow-up on-time rate: 100 × short-term follow-ups done within the window ÷ those due in the period whose window has closed by as_of (persons who died or withdrew before the window's end without a visit left out; open windows pending)",
        "短期随访按时率：100×时间窗内完成的短期随访数÷期间内到期且时间窗已结束的短期随访数（窗口未结束者为待定）";
    IND_MPP_16 = "IND-MPP-16", "indicators", [ConfirmedS, Decision], "domain.md §11.1 IND-MPP-16, FU-6, FU-7, FU-9; S7",
        "Long-term follow-up rate: 100 × persons of the project year's cohort with a counted long-term visit by as_of ÷ the cohort (due in the year, alive and in follow-up at the year's end or as_of, or seen before leaving); local target ≥ 85 %",
        "长期随访率：100×本项目年应随访人群中已完成计数长期随访的人数÷应随访人数（年末或统计日存活且未退出，或退出前已随访）；地方目标≥85%";
    IND_MPP_17 = "IND-MPP-17", "indicators", [Decision], "domain.md §11.1 IND-MPP-17, §11.3",
        "Task completion and backlog per task type, from the quota input",
        "各类任务完成率及积压量（据任务量文件）";
    IND_MPP_18 = "IND-MPP-18", "indicators", [Decision], "domain.md §11.1 IND-MPP-18; S22",
        "Unqualified-record rate (不合格数据率): 100 × rejected records ÷ records submitted, and records per QC rule",
        "不合格数据率：不合格记录数÷上报记录数，并按质控规则计数";
    IND_MPP_19 = "IND-MPP-19", "indicators", [ConfirmedS, Decision], "domain.md §11.1 IND-MPP-19, IND-POP-3; S7 Chenxi 2023",
        "Age/sex structure of screenees versus the resident population (observed %, expected %, difference)",
        "筛查对象年龄性别构成与常住人口构成比较";
    IND_MPP_PLAT = "IND-MPP-PLAT", "indicators", [ConfirmedP, Decision], "domain.md §11.1 IND-MPP-PLAT; S2 ProgressController.divide",
        "Legacy platform rounding: 4 significant digits HALF_DOWN after ×k and after ÷d, then truncation; 0 for a zero denominator",
        "平台旧算法：乘k后及除以分母后各取4位有效数字（HALF_DOWN），再取整；分母为零记0";
    IND_BPHS_1 = "IND-BPHS-1", "indicators", [ConfirmedS, Decision], "domain.md §11.2 IND-BPHS-1, IND-BPHS-10; S17",
        "Hypertension management rate: patients under management ÷ estimated patients (population × prevalence)",
        "高血压患者健康管理率：管理人数÷估算患者数";
    IND_BPHS_2 = "IND-BPHS-2", "indicators", [ConfirmedS, Decision], "domain.md §11.2 IND-BPHS-2, IND-BPHS-9; S17",
        "Hypertension standardised management rate: patients with the required face-to-face visits ÷ patients under management",
        "高血压患者规范管理率";
    IND_BPHS_3 = "IND-BPHS-3", "indicators", [ConfirmedS, Decision, Unverified], "domain.md §11.2 IND-BPHS-3, IND-BPHS-7; S17",
        "BP control rate among managed patients (latest measured visit; lost to follow-up = not controlled)",
        "管理人群血压控制率（失访按未控制计）";
    IND_BPHS_4 = "IND-BPHS-4", "indicators", [ConfirmedS, Decision], "domain.md §11.2 IND-BPHS-4; S17",
        "Type-2 diabetes management rate", "2型糖尿病患者健康管理率";
    IND_BPHS_5 = "IND-BPHS-5", "indicators", [ConfirmedS, Decision], "domain.md §11.2 IND-BPHS-5, IND-BPHS-9; S17",
        "Type-2 diabetes standardised management rate", "2型糖尿病患者规范管理率";
    IND_BPHS_6 = "IND-BPHS-6", "indicators", [ConfirmedS, Decision, Unverified], "domain.md §11.2 IND-BPHS-6, IND-BPHS-7; S17",
        "Glucose control rate among managed patients (latest fasting glucose < 7.0 mmol/L)",
        "管理人群血糖控制率";
    IND_BPHS_7 = "IND-BPHS-7", "indicators", [ConfirmedS, Unverified], "domain.md §11.2 IND-BPHS-7; S17",
        "Control: SBP < 140 and DBP < 90 (age ≥ 65: SBP < 150 and DBP < 90); fasting glucose < 7.0 mmol/L; lost to follow-up = not controlled",
        "控制标准：收缩压<140且舒张压<90（≥65岁：<150/90）；空腹血糖<7.0 mmol/L；失访按未控制";
    IND_BPHS_9 = "IND-BPHS-9", "indicators", [ConfirmedS, Decision], "domain.md §11.2 IND-BPHS-9",
        "Required face-to-face visits in a period of d days: max(1, floor(min_visits × d ÷ 360))",
        "d天期间要求的面对面随访次数：max(1, floor(min_visits×d÷360))";
    IND_BPHS_10 = "IND-BPHS-10", "indicators", [Decision], "domain.md §11.2 IND-BPHS-10",
        "Under management: a done visit of the kind in the 12-month window ending on the period's last day, alive and not withdrawn then",
        "在管：期末前12个月内有该类随访，且期末未死亡、未退出";
    IND_QUOTA_1 = "IND-QUOTA-1", "indicators", [Decision], "domain.md §11.3 IND-QUOTA-1",
        "Quota file: site_id, period (YYYY or YYYY-MM), quota, task; unparseable or repeated rows are rejected",
        "任务量文件格式；无法解析或重复的行不予使用";
    IND_QUOTA_2 = "IND-QUOTA-2", "indicators", [Decision], "domain.md §11.3 IND-QUOTA-2",
        "Done counts per task (screening = IND-MPP-1, hr_survey = IND-MPP-5, intervention by intervention_date, …)",
        "各任务完成数的口径";
    IND_QUOTA_3 = "IND-QUOTA-3", "indicators", [Decision], "domain.md §11.3 IND-QUOTA-3",
        "Progress = 100 × done ÷ quota: year to date against a yearly quota, within the month against a monthly one",
        "进度=100×完成数÷任务量：年任务按年初至今，月任务按当月";
    IND_QUOTA_4 = "IND-QUOTA-4", "indicators", [Decision], "domain.md §11.3 IND-QUOTA-4",
        "Backlog at the end of project year Y: max(0, Σ yearly quotas of years ≤ Y − Σ done in those years)",
        "积压量：max(0, 截至Y年累计任务量−累计完成数)";
    IND_QUOTA_5 = "IND-QUOTA-5", "indicators", [Decision], "domain.md §11.3 IND-QUOTA-5",
        "Quota findings: anomalies are shown, never capped; a site with records but no quota row for a task gets one Info",
        "任务量提示：异常照实显示；有记录但无任务量的筛查点给出提示";
    IND_QUOTA_PROJ = "IND-QUOTA-PROJ", "indicators", [Decision], "indicators::quota (library decision, not in the spec)",
        "Projected completion date of a yearly quota: linear projection of the year-to-date daily pace",
        "年度任务预计完成日期：按年初至今日均进度线性外推";
    IND_POP_1 = "IND-POP-1", "indicators", [Decision], "domain.md §11.4 IND-POP-1",
        "Age bands 35-39 … 65-69 and 70-75 (the last band holds the 75-year-olds), completed years at screen_date",
        "年龄组35-39…65-69及70-75（含75岁）";
    IND_POP_2 = "IND-POP-2", "indicators", [Decision], "domain.md §11.4 IND-POP-2",
        "Population file: area_id, sex, age_from, age_to, population; overlapping bands are rejected",
        "人口文件格式；重叠年龄段不予使用";
    IND_POP_3 = "IND-POP-3", "indicators", [Decision], "domain.md §11.4 IND-POP-3",
        "IND-MPP-19 values: observed % and expected % per sex and band, and their difference in percentage points",
        "IND-MPP-19：各性别年龄组实际构成、期望构成及差值";
    IND_POP_4 = "IND-POP-4", "indicators", [Decision], "domain.md §11.4 IND-POP-4",
        "Direct standardisation Σ w_b r_b ÷ Σ w_b over the report's bands; partial 5-year bands weighted uniformly; a band without screenees gives no value",
        "直接标化：Σw·r÷Σw；部分重叠的5岁组按均匀分配；某组无筛查对象时无标化率";
    IND_HR_CRIT = "IND-HR-CRIT", "indicators", [Decision], "indicators::screening (library decision, not in the spec)",
        "Prevalence of each high-risk criterion: 100 × screened persons for whom MPP2014-HR-n fired ÷ IND-MPP-1",
        "各高危标准检出率：该标准成立人数÷初筛完成人数";
    IND_QC_WARN = "IND-QC-WARN", "indicators", [Decision], "indicators::screening (library decision, not in the spec)",
        "Warned-record rate: 100 × records with qc_status = warn ÷ records submitted",
        "需复核记录率：质控状态为warn的记录数÷上报记录数";
    IND_HTN_1 = "IND-HTN-1", "indicators", [Decision], "indicators::screening; COND-3; S4",
        "Hypertension prevalence among the screened: derived BP ≥ 140/90, bp_treated or self-reported hypertension",
        "筛查人群高血压患病率";
    IND_HTN_2 = "IND-HTN-2", "indicators", [Decision], "indicators::screening; S4",
        "Hypertension awareness: self-reported hypertension or bp_treated among hypertensives",
        "高血压知晓率";
    IND_HTN_3 = "IND-HTN-3", "indicators", [Decision], "indicators::screening; S4",
        "Hypertension treatment: bp_treated among hypertensives", "高血压治疗率";
    IND_HTN_4 = "IND-HTN-4", "indicators", [Decision], "indicators::screening; S4",
        "Hypertension control: treated with derived BP < 140/90, among hypertensives (key `treated`: among the treated)",
        "高血压控制率：治疗且血压<140/90者占高血压者比例";
    IND_DM_1 = "IND-DM-1", "indicators", [Decision], "indicators::screening; COND-5",
        "Diabetes prevalence among the screened (programme diabetes status)", "筛查人群糖尿病患病率";
    IND_DM_3 = "IND-DM-3", "indicators", [Decision], "indicators::screening; COND-5",
        "Diabetes treatment: glucose_treated among diabetics", "糖尿病治疗率";
    IND_DM_4 = "IND-DM-4", "indicators", [Decision], "indicators::screening; COND-5, BPHS-DM-6",
        "Diabetes control: treated with fasting glucose < 7.0 mmol/L (126 mg/dL), among diabetics (key `treated`: among the treated)",
        "糖尿病控制率：治疗且空腹血糖<7.0 mmol/L者占糖尿病者比例";
}

/// IND-GEN-4: `(100 × numerator) ÷ denominator`, multiplication first; `None` for a
/// zero or unknown denominator.
pub fn percent(numerator: f64, denominator: Option<f64>) -> Option<f64> {
    match denominator {
        Some(d) if d != 0.0 => Some((100.0 * numerator) / d),
        _ => None,
    }
}

/// One indicator value: `{ numerator, denominator, value }` (§11).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Indicator {
    /// Indicator id (`IND-MPP-4`).
    pub id: &'static str,
    /// Sub-indicator key (`""` for the headline; e.g. `upper_bound`, `A+B`, a field
    /// name or a rule id for breakdowns).
    pub key: String,
    /// Numerator (a count).
    pub numerator: f64,
    /// Denominator; `None` for a plain count or an unknown denominator.
    pub denominator: Option<f64>,
    /// Percentage (IND-GEN-4), `None` for counts and zero/unknown denominators.
    pub value: Option<f64>,
}

impl Indicator {
    /// A rate: value = `percent(numerator, denominator)`.
    pub fn rate(
        id: &'static str,
        key: impl Into<String>,
        numerator: f64,
        denominator: f64,
    ) -> Self {
        Indicator::rate_opt(id, key, numerator, Some(denominator))
    }

    /// A rate whose denominator may be unknown.
    pub fn rate_opt(
        id: &'static str,
        key: impl Into<String>,
        numerator: f64,
        denominator: Option<f64>,
    ) -> Self {
        Indicator {
            id,
            key: key.into(),
            numerator,
            denominator,
            value: percent(numerator, denominator),
        }
    }

    /// A count (no denominator, no value).
    pub fn count(id: &'static str, key: impl Into<String>, n: f64) -> Self {
        Indicator {
            id,
            key: key.into(),
            numerator: n,
            denominator: None,
            value: None,
        }
    }

    /// True when the value is anomalous under IND-GEN-6: value above 100, numerator
    /// greater than a known denominator (a positive numerator over a zero denominator
    /// included), or a negative numerator or denominator.
    pub fn is_anomalous(&self) -> bool {
        let negative = self.numerator < 0.0 || self.denominator.is_some_and(|d| d < 0.0);
        let over = self.value.is_some_and(|v| v > 100.0);
        let n_gt_d = self.denominator.is_some_and(|d| self.numerator > d);
        negative || over || n_gt_d
    }

    /// The IND-GEN-6 `Warn` finding for this value in `group`, if anomalous. The
    /// finding names the indicator (field), the group, numerator, denominator and value.
    pub fn anomaly(&self, group: &str) -> Option<Finding> {
        if !self.is_anomalous() {
            return None;
        }
        let name = if self.key.is_empty() {
            self.id.to_string()
        } else {
            format!("{} [{}]", self.id, self.key)
        };
        let d = self.denominator.map_or("—".to_string(), fmt_num);
        let v = self.value.map_or("—".to_string(), fmt_num);
        let n = fmt_num(self.numerator);
        Some(Finding::new(
            IND_GEN_6,
            Severity::Warn,
            name.clone(),
            Some(v.clone()),
            format!(
                "{name} in group {group}: numerator {n}, denominator {d}, value {v} % — above 100 %, numerator above denominator or a negative count; check for over-quota work, duplicate records or a wrong denominator"
            ),
            format!(
                "{name}（分组 {group}）：分子 {n}，分母 {d}，值 {v}% —— 超过100%、分子大于分母或计数为负；请核查超额完成、重复记录或分母错误"
            ),
        ))
    }
}

/// Collects the IND-GEN-6 findings of a set of indicators in one group.
pub fn anomalies<'a>(group: &str, it: impl IntoIterator<Item = &'a Indicator>) -> Vec<Finding> {
    it.into_iter().filter_map(|i| i.anomaly(group)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen_4_percent_multiplication_first() {
        assert_eq!(percent(1.0, Some(3.0)), Some(100.0 / 3.0));
        assert_eq!(percent(11_260.0, Some(10_000.0)), Some(112.6));
        assert_eq!(percent(5.0, Some(0.0)), None);
        assert_eq!(percent(5.0, None), None);
        // (100 × 7) ÷ 10 is exactly 70, whereas 100 × (7 ÷ 10) is 70.00000000000001.
        assert_eq!(percent(7.0, Some(10.0)), Some(70.0));
    }

    #[test]
    fn gen_6_anomalies() {
        let over = Indicator::rate(IND_MPP_2, "", 11_260.0, 10_000.0);
        assert_eq!(over.value, Some(112.6));
        let f = over.anomaly("site=S1").unwrap();
        assert_eq!(f.rule_id, IND_GEN_6);
        assert_eq!(f.severity, Severity::Warn);
        assert!(f.message_en.contains("11260") && f.message_en.contains("10000"));
        assert!(f.message_en.contains("112.6") && f.message_en.contains("site=S1"));
        // Positive numerator over a zero denominator.
        let zero = Indicator::rate(IND_MPP_4, "", 5.0, 0.0);
        assert_eq!(zero.value, None);
        assert!(zero.anomaly("g").is_some());
        // Negative count.
        assert!(Indicator::count(IND_MPP_1, "", -1.0).anomaly("g").is_some());
        // Exactly 100 % is fine; 0 over 0 is fine.
        assert!(Indicator::rate(IND_MPP_4, "", 10.0, 10.0)
            .anomaly("g")
            .is_none());
        assert!(Indicator::rate(IND_MPP_4, "", 0.0, 0.0)
            .anomaly("g")
            .is_none());
        assert!(Indicator::count(IND_MPP_1, "", 7.0).anomaly("g").is_none());
    }
}

/// Splits CSV text into records of trimmed cells, one record per line (RFC 4180
/// quoting: a quoted cell may contain commas and doubled quotes `""`; a line break
/// inside quotes is **not** supported and makes that line an error). A leading
/// byte-order mark and blank lines are skipped. Returns `(line number, cells)` or
/// `(line number, error)` per line, line numbers 1-based.
pub fn split_csv(text: &str) -> Vec<(usize, Result<Vec<String>, String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, split_csv_line(l.trim_end_matches('\r'))))
        .collect()
}

fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut in_quotes = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == ',' {
            cells.push(std::mem::take(&mut cur).trim().to_string());
            was_quoted = false;
        } else if c == '"' && cur.trim().is_empty() && !was_quoted {
            cur.clear();
            in_quotes = true;
            was_quoted = true;
        } else if was_quoted && !c.is_whitespace() {
            return Err(format!("text after a closing quote: `{line}`"));
        } else {
            cur.push(c);
        }
    }
    if in_quotes {
        return Err(format!("unterminated quote: `{line}`"));
    }
    cells.push(cur.trim().to_string());
    Ok(cells)
}

#[cfg(test)]
mod csv_tests {
    use super::split_csv;

    #[test]
    fn rfc4180_line_splitting() {
        let r = split_csv("\u{feff}a,b , \"c,d\"\n\n\"x\"\"y\",,z\n\"open,1");
        assert_eq!(r[0], (1, Ok(vec!["a".into(), "b".into(), "c,d".into()])));
        assert_eq!(r[1], (3, Ok(vec!["x\"y".into(), "".into(), "z".into()])));
        assert!(r[2].1.is_err());
    }
}
