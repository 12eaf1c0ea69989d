//! Lipid-guideline risk stratification, LDL-C targets and lipid levels
//! (spec/domain.md §9.2): rule sets `lip2016` (《中国成人血脂异常防治指南（2016年修订版）》)
//! and `lip2023` (《中国血脂管理指南（2023年）》).
//!
//! The procedure of §9.2.2 (step 1 ASCVD, step 2 direct high risk, step 3 the table,
//! step 4 the lifetime add-on, step 5 `manage_as_high_risk`) is written once, over the
//! condition definitions of [`super::conditions`], and evaluated over every value an
//! unknown input could take (TV-2, [`super::tv`]).
//!
//! ```
//! use cvdscreen::guideline::conditions::Person;
//! use cvdscreen::guideline::lipid::{stratify, LipidLevel, LipidRuleSet};
//! use cvdscreen::evaluated::{EvaluatedRecord, FieldSet};
//! use cvdscreen::exchange::parse_pairs;
//! use cvdscreen::profile::{CanonicalUnit, Profile};
//! let (rec, _) = parse_pairs(&[("sex", "male"), ("age", "50"), ("ldl_mmol", "5.0"),
//!     ("history_mi", "0"), ("history_pci", "0"), ("history_cabg", "0"),
//!     ("history_ischaemic_stroke", "0")]);
//! let ev = EvaluatedRecord::new(&rec, &Profile::default(), FieldSet::default());
//! let s = stratify(&Person::new(&rec, &ev, CanonicalUnit::AsReported), LipidRuleSet::Lip2023);
//! assert_eq!(s.level, Some(LipidLevel::High));
//! assert_eq!(s.rules, vec!["LIP2023-4"]);
//! ```

use super::conditions::{lab_cmp, plausible, CondValue, Person, Threshold};
use super::tv::{decide, enumerate, same, Enumerations, Op, Oracle};
use crate::profile::CanonicalUnit;
use crate::units::{Analyte, Cholesterol, Conc, Triglycerides};
use crate::value::Obs;
use serde::{Deserialize, Serialize};

crate::define_rules! {
    LIP2016_1 = "LIP2016-1", "lip2016", [ConfirmedS], "domain.md §9.2.2 step 1",
        "Established ASCVD is very high risk (no extreme category in 2016)",
        "已确诊ASCVD为极高危（2016年版无超高危分层）";
    LIP2016_2 = "LIP2016-2", "lip2016", [Unverified, Decision], "domain.md §9.2.2 step 2",
        "Direct high risk: LDL-C ≥ 4.9 or TC ≥ 7.2 mmol/L; or diabetes, age ≥ 40, with 1.8 ≤ LDL-C < 4.9 (or 3.1 ≤ TC < 7.2 when LDL-C is absent)",
        "直接列为高危：LDL-C≥4.9或TC≥7.2 mmol/L；或糖尿病、年龄≥40岁且1.8≤LDL-C<4.9（无LDL-C时3.1≤TC<7.2）";
    LIP2023_1 = "LIP2023-1", "lip2023", [ConfirmedS, Decision], "domain.md §9.2.2 step 1; S14, S15",
        "ASCVD: extreme risk with ≥ 2 severe events, or 1 severe event and ≥ 2 high-risk factors; otherwise very high risk",
        "ASCVD患者：发生≥2次严重事件，或1次严重事件且合并≥2项高危因素者为超高危；其余为极高危";
    LIP2023_2 = "LIP2023-2", "lip2023", [ConfirmedS, Decision], "domain.md §9.2.2 step 1; S14",
        "Severe ASCVD events: ACS within a year, prior MI other than that ACS, ischaemic stroke, symptomatic PAD with revascularisation or amputation",
        "严重ASCVD事件：近1年ACS、除该ACS外的既往心梗、缺血性脑卒中、既往接受血运重建或截肢的有症状外周血管病变";
    LIP2023_3 = "LIP2023-3", "lip2023", [ConfirmedS, Decision], "domain.md §9.2.2 step 1; S14",
        "The 8 high-risk factors (recurrence at LDL-C ≤ 1.8, premature CHD, FH or baseline LDL-C ≥ 4.9, CABG/PCI, diabetes, hypertension, CKD 3–4, smoking)",
        "8项高危因素（LDL-C≤1.8仍复发、早发冠心病、家族性高胆固醇血症或基线LDL-C≥4.9、既往CABG或PCI、糖尿病、高血压、CKD 3–4期、吸烟）";
    LIP2023_4 = "LIP2023-4", "lip2023", [ConfirmedS], "domain.md §9.2.2 step 2; S14",
        "Direct high risk: LDL-C ≥ 4.9 or TC ≥ 7.2 mmol/L; diabetes with age ≥ 40; CKD stage 3–4",
        "直接列为高危：LDL-C≥4.9或TC≥7.2 mmol/L；年龄≥40岁的糖尿病患者；CKD 3–4期";
    LIP2023_5 = "LIP2023-5", "lip2023", [ConfirmedS, Decision], "domain.md §9.2.2 step 5; S14",
        "Medium risk managed as high risk by the clinician (`manage_as_high_risk`)",
        "中危者经医生判断按高危管理（manage_as_high_risk）";
    LIP_TAB_1 = "LIP-TAB-1", "lip2023", [ConfirmedS, Decision], "domain.md §9.2.2 step 3",
        "Counted risk factors: smoking, HDL-C < 1.0 mmol/L (40 mg/dL), men ≥ 45 / women ≥ 55 years; hypertension splits the rows",
        "计数的危险因素：吸烟、HDL-C<1.0 mmol/L（40 mg/dL）、男≥45岁/女≥55岁；高血压为分行依据";
    LIP_TAB_2 = "LIP-TAB-2", "lip2023", [ConfirmedS, Decision], "domain.md §9.2.2 step 3; OQ-12",
        "Cholesterol column from LDL-C (1.8/2.6/3.4/4.9), or TC (3.1/4.1/5.2/7.2) when LDL-C is absent",
        "按LDL-C（1.8/2.6/3.4/4.9）分列，无LDL-C时按TC（3.1/4.1/5.2/7.2）";
    LIP_TAB_3 = "LIP-TAB-3", "lip2023", [Decision], "domain.md §9.2.2 step 3",
        "Below the first column (LDL-C < 1.8 or TC < 3.1): not covered by the table",
        "低于第一列（LDL-C<1.8或TC<3.1）：不在风险评估表范围内";
    LIP_TAB_4 = "LIP-TAB-4", "lip2023", [ConfirmedS, Unverified], "domain.md §9.2.2 step 3 (lip2016 cells UNVERIFIED)",
        "10-year ASCVD risk table: low < 5 %, medium 5–9 %, high ≥ 10 %",
        "10年ASCVD发病风险表：低危<5%，中危5%–9%，高危≥10%";
    LIP_LT_1 = "LIP-LT-1", "lip2023", [ConfirmedS, Unverified], "domain.md §9.2.2 step 4 (lip2016 UNVERIFIED)",
        "Medium risk and age < 55 with ≥ 2 of: SBP ≥ 160 or DBP ≥ 100, non-HDL-C ≥ 5.2, HDL-C < 1.0, BMI ≥ 28, smoking → high risk",
        "中危且年龄<55岁，具备以下≥2项者升为高危：收缩压≥160或舒张压≥100、非HDL-C≥5.2、HDL-C<1.0、BMI≥28、吸烟";
    LIP_TGT_1 = "LIP-TGT-1", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.3; 2023 Table 6",
        "Low risk: LDL-C < 3.4 mmol/L (2016 non-HDL-C < 4.1)", "低危：LDL-C<3.4 mmol/L（2016年版非HDL-C<4.1）";
    LIP_TGT_2 = "LIP-TGT-2", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.3",
        "Medium risk: LDL-C < 2.6 (2023) / < 3.4 (2016)", "中危：LDL-C<2.6（2023）/<3.4（2016）";
    LIP_TGT_3 = "LIP-TGT-3", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.3",
        "High risk: LDL-C < 2.6 mmol/L", "高危：LDL-C<2.6 mmol/L";
    LIP_TGT_4 = "LIP-TGT-4", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.3",
        "Very high risk: LDL-C < 1.8 mmol/L (2023: and a reduction > 50 % from baseline)",
        "极高危：LDL-C<1.8 mmol/L（2023年版：且较基线降低>50%）";
    LIP_TGT_5 = "LIP-TGT-5", "lip2023", [ConfirmedP], "domain.md §9.2.3",
        "Extreme risk: LDL-C < 1.4 mmol/L and a reduction > 50 %", "超高危：LDL-C<1.4 mmol/L且较基线降低>50%";
    LIP_TGT_6 = "LIP-TGT-6", "lip2023", [ConfirmedP], "domain.md §9.2.3",
        "Non-HDL-C target = LDL-C target + 0.8 mmol/L", "非HDL-C目标值=LDL-C目标值+0.8 mmol/L";
    LIP_TGT_7 = "LIP-TGT-7", "lip2023", [ConfirmedS], "domain.md §9.2.3; S15",
        "Diabetes: with ASCVD < 1.4; high-risk diabetes < 1.8; low/medium-risk diabetes < 2.6 mmol/L",
        "糖尿病：合并ASCVD<1.4；高危糖尿病<1.8；低/中危糖尿病<2.6 mmol/L";
    LIP_TGT_8 = "LIP-TGT-8", "lip2023", [ConfirmedP, Decision], "domain.md §9.2.3; OQ-11",
        "The 2023 reduction criterion is strictly greater than 50 % (option `reduction_inclusive` for ≥)",
        "2023年版降幅要求为严格大于50%（可选 reduction_inclusive 改为≥）";
    LIP_TGT_9 = "LIP-TGT-9", "lip2023", [Decision], "domain.md §9.2.3",
        "Target attainment: lip2023 very high/extreme need LDL-C < target AND reduction; other strata LDL-C < target alone; reductions compared by multiplication",
        "达标判断：2023年版极高危/超高危需LDL-C低于目标且达到降幅；其余仅需低于目标；降幅以乘法比较";
    LIP_TGT_10 = "LIP-TGT-10", "lip2023", [Decision], "domain.md §9.2.3",
        "Diabetes (lip2023): the lower of the stratum target and the matching diabetes target",
        "糖尿病患者（2023年版）：取分层目标与相应糖尿病目标中较低者";
    LIP_TX_1 = "LIP-TX-1", "lip2023", [ConfirmedS], "domain.md §9.2.3; S14, S15",
        "Start a moderate-intensity statin; add ezetimibe, then a PCSK9 inhibitor if not at target; recheck lipids after 4–6 weeks",
        "起始中等强度他汀；未达标时加用依折麦布，再加PCSK9抑制剂；4–6周后复查血脂";
    LIP_LVL_1 = "LIP-LVL-1", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.1",
        "TC: appropriate < 5.2 (200), borderline high 5.2–< 6.2, high ≥ 6.2 (240)", "TC：合适水平<5.2（200），边缘升高5.2–<6.2，升高≥6.2（240）";
    LIP_LVL_2 = "LIP-LVL-2", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.1",
        "LDL-C: ideal < 2.6 (100), appropriate < 3.4 (130), borderline high 3.4–< 4.1, high ≥ 4.1 (160)",
        "LDL-C：理想水平<2.6（100），合适水平<3.4（130），边缘升高3.4–<4.1，升高≥4.1（160）";
    LIP_LVL_3 = "LIP-LVL-3", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.1",
        "HDL-C: low < 1.0 (40)", "HDL-C：降低<1.0（40）";
    LIP_LVL_4 = "LIP-LVL-4", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.1",
        "Non-HDL-C: ideal < 3.4, appropriate < 4.1, borderline high 4.1–< 4.9, high ≥ 4.9",
        "非HDL-C：理想水平<3.4，合适水平<4.1，边缘升高4.1–<4.9，升高≥4.9";
    LIP_LVL_5 = "LIP-LVL-5", "lip2023", [ConfirmedP, ConfirmedS], "domain.md §9.2.1",
        "TG: appropriate < 1.7 (150), borderline high 1.7–< 2.3, high ≥ 2.3 (200)", "TG：合适水平<1.7（150），边缘升高1.7–<2.3，升高≥2.3（200）";
    LIP_DYS_1 = "LIP-DYS-1", "lip2023", [ConfirmedP, ConfirmedS, Decision], "domain.md §9.2.1; S6",
        "Dyslipidaemia (MPP research): TC ≥ 240, LDL-C ≥ 160, HDL-C < 40, TG ≥ 200 mg/dL (6.22/4.14/1.04/2.26 mmol/L), or lipid-lowering drugs",
        "血脂异常（项目研究定义）：TC≥240、LDL-C≥160、HDL-C<40、TG≥200 mg/dL（6.22/4.14/1.04/2.26 mmol/L）或服用调脂药";
}

/// Lipid rule set (profile option `lipid_ruleset`, default `lip2023`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum LipidRuleSet {
    /// 2016 guideline.
    Lip2016,
    /// 2023 guideline (default).
    #[default]
    Lip2023,
}

impl LipidRuleSet {
    /// `lip2016` / `lip2023`.
    pub fn as_str(self) -> &'static str {
        match self {
            LipidRuleSet::Lip2016 => "lip2016",
            LipidRuleSet::Lip2023 => "lip2023",
        }
    }
}

/// The flow of §9.2.2 as used by a rule set (`cn2020` reuses the 2023 steps, CN2020-1).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Lip2016,
    Lip2023,
    Cn2020,
}

impl From<LipidRuleSet> for Flow {
    fn from(rule_set: LipidRuleSet) -> Flow {
        match rule_set {
            LipidRuleSet::Lip2016 => Flow::Lip2016,
            LipidRuleSet::Lip2023 => Flow::Lip2023,
        }
    }
}

/// A lipid-guideline stratum (the `lipid_risk_level` column).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LipidLevel {
    /// Outside the table (LIP-TAB-3).
    NotCovered,
    /// 低危
    Low,
    /// 中危
    Medium,
    /// 高危
    High,
    /// 极高危
    VeryHigh,
    /// 超高危 (`lip2023` only)
    Extreme,
}

impl LipidLevel {
    /// Column value: `extreme`, `very_high`, `high`, `medium`, `low`, `not_covered`.
    pub fn as_str(self) -> &'static str {
        match self {
            LipidLevel::NotCovered => "not_covered",
            LipidLevel::Low => "low",
            LipidLevel::Medium => "medium",
            LipidLevel::High => "high",
            LipidLevel::VeryHigh => "very_high",
            LipidLevel::Extreme => "extreme",
        }
    }
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            LipidLevel::NotCovered => "不在评估表范围内",
            LipidLevel::Low => "低危",
            LipidLevel::Medium => "中危",
            LipidLevel::High => "高危",
            LipidLevel::VeryHigh => "极高危",
            LipidLevel::Extreme => "超高危",
        }
    }
}

/// Result of [`stratify`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LipidStratum {
    /// Rule set id.
    pub rule_set: &'static str,
    /// The stratum; `None` when Indeterminate.
    pub level: Option<LipidLevel>,
    /// Rule ids that decided it (over every compatible value of unknown inputs).
    pub rules: Vec<&'static str>,
    /// Unknown or censored inputs the level depends on (when Indeterminate).
    pub missing: Vec<&'static str>,
    /// Guideline-only flags read as No (COND-10).
    pub assumed_absent: Vec<&'static str>,
}

/// Rule ids of one run of [`procedure`]: each exit of the procedure names a fixed
/// list, so a static slice (no allocation, and cheap to move between runs).
pub(crate) type Rules = &'static [&'static str];

/// The rules of a stratum read from the table (step 3).
const TABLE_RULES: Rules = &[LIP_TAB_1, LIP_TAB_2, LIP_TAB_4];
/// The table, then the lifetime add-on (step 4).
const LIFETIME_RULES: Rules = &[LIP_TAB_1, LIP_TAB_2, LIP_TAB_4, LIP_LT_1];
/// The table, then clinician judgement (step 5).
const CLINICIAN_RULES: Rules = &[LIP_TAB_1, LIP_TAB_2, LIP_TAB_4, LIP2023_5];

type Decided = (LipidLevel, Rules);

/// One memoised run of [`procedure`]: the person (by the addresses of its record and
/// evaluated values, which outlive the memo's scope), the flow, how steps 1–3 ended
/// and, when steps 4–5 ran too, the result; with the COND-10 flags each part assumed
/// absent (`Memo::assumed[start..start + len]`).
struct MemoEntry {
    rec: usize,
    ev: usize,
    unit: crate::profile::CanonicalUnit,
    flow: Flow,
    head: Head,
    head_assumed: (usize, usize),
    full: Option<(Decided, usize, usize)>,
}

/// What a memo entry knows of a run of [`procedure`].
enum Answer {
    /// The result, with the range of its assumed flags in `Memo::assumed`.
    Decided(Decided, usize, usize),
    /// Steps 1–3 only: the table gave Medium, and steps 4–5 of this flow are still to
    /// run (the entry ran them for another flow, or they read the run's state). The
    /// range of the flags steps 1–3 assumed.
    Medium(usize, usize),
}

impl MemoEntry {
    /// What this entry knows of the run for `flow` and `ten_year_only`.
    fn answer(&self, flow: Flow, ten_year_only: bool) -> Option<Answer> {
        // Steps 1–3 ask the same questions in the 2023 and CN2020 flows unless step 1
        // decides (then the flows differ).
        let modern = |f: Flow| matches!(f, Flow::Lip2023 | Flow::Cn2020);
        let same_questions = self.flow == flow
            || (modern(self.flow) && modern(flow) && !matches!(self.head, Head::Exact(_)));
        if !same_questions {
            return None;
        }
        let (start, len) = self.head_assumed;
        if let Some(d) = self.head.resolve(flow, ten_year_only) {
            return Some(Answer::Decided(d, start, len));
        }
        // Steps 4–5: the 2023 flow's step 5 is its own.
        match self.full {
            Some((d, start, len)) if self.flow == flow => Some(Answer::Decided(d, start, len)),
            _ => Some(Answer::Medium(start, len)),
        }
    }
}

/// The memo of [`with_memo`]'s scope; its storage is kept from record to record.
struct Memo {
    active: bool,
    entries: Vec<MemoEntry>,
    /// Every `assume` call of the memoised runs, in order.
    assumed: Vec<&'static str>,
}

thread_local! {
    /// Active inside [`with_memo`]: the procedure's runs that answered without looking
    /// at the oracle's state.
    static MEMO: std::cell::RefCell<Memo> = const {
        std::cell::RefCell::new(Memo {
            active: false,
            entries: Vec::new(),
            assumed: Vec::new(),
        })
    };
}

/// Ends a memo scope, even by a panic: the entries are forgotten.
struct MemoScope;

impl Drop for MemoScope {
    fn drop(&mut self) {
        let _ = MEMO.try_with(|m| {
            let mut m = m.borrow_mut();
            m.active = false;
            m.entries.clear();
            m.assumed.clear();
        });
    }
}

/// Runs `f` with a memo of [`procedure`]: the pipeline's guideline columns and plan
/// ask for the same person's stratum up to five times (stratum, LDL-C target, BP
/// drugs, statin, aspirin; three variants), mostly with every input known. A run that
/// added no state-dependent answer to the oracle ([`Oracle::dependent`]) gives the
/// same result on any run of any enumeration for the same person, and is reused,
/// replaying the flags it assumed absent into an enumeration that collects them. Only
/// for persons whose record and values outlive `f`.
pub(crate) fn with_memo<R>(f: impl FnOnce() -> R) -> R {
    // wasm32 is built for size and assesses one record at a time: no memo there (the
    // results are the same).
    if cfg!(target_arch = "wasm32") {
        return f();
    }
    let started = MEMO
        .try_with(|m| {
            let mut m = m.borrow_mut();
            // A nested scope uses the enclosing one's memo (its persons are alive).
            !std::mem::replace(&mut m.active, true)
        })
        .unwrap_or(false);
    let _scope = started.then_some(MemoScope);
    f()
}

/// The §9.2.2 procedure for one combination of input values (memoised inside
/// [`with_memo`]).
pub(crate) fn procedure(
    p: &Person<'_>,
    q: &mut Oracle,
    flow: Flow,
    ten_year_only: bool,
) -> Decided {
    if cfg!(target_arch = "wasm32") {
        return procedure_run(p, q, flow, ten_year_only);
    }
    let rec = std::ptr::from_ref(p.rec) as usize;
    let ev = std::ptr::from_ref(p.ev) as usize;
    // Ok(Some): what the memo knows, its assumed flags replayed; Ok(None): to be run
    // and memoised; Err: no memo in scope.
    let hit = MEMO.try_with(|m| {
        let m = m.borrow();
        if !m.active {
            return Err(());
        }
        // A decided run is preferred to steps 1–3 alone.
        let mut known = None;
        for e in m
            .entries
            .iter()
            .filter(|e| e.rec == rec && e.ev == ev && e.unit == p.unit_policy)
        {
            match e.answer(flow, ten_year_only) {
                Some(a @ Answer::Decided(..)) => {
                    known = Some(a);
                    break;
                }
                Some(a @ Answer::Medium(..)) if known.is_none() => known = Some(a),
                _ => {}
            }
        }
        let Some(a) = known else {
            return Ok(None);
        };
        // Only an enumeration that collects the assumed-absent flags reads them.
        if q.collects_assumed() {
            let (Answer::Decided(_, start, len) | Answer::Medium(start, len)) = a;
            q.assume_all(&m.assumed[start..start + len]);
        }
        Ok(Some(a))
    });
    let head_known = match hit {
        Ok(Ok(Some(Answer::Decided(decided, ..)))) => return decided,
        Ok(Ok(Some(Answer::Medium(start, len)))) => Some((start, len)),
        Ok(Ok(None)) => None,
        Ok(Err(())) | Err(_) => return procedure_run(p, q, flow, ten_year_only),
    };
    let dependent = q.dependent();
    let first_assumed = q.assume_count();
    if let Some((start, len)) = head_known {
        // Steps 1–3 are known (Medium, which only `ten_year_only` resolves, and the
        // memo resolves that): steps 4–5 of this flow are run, and memoised with the
        // head's flags when they read no state of the run.
        let decided = procedure_tail(p, q, flow);
        if q.dependent() == dependent {
            let log = q.assumed_since(first_assumed);
            let _ = MEMO.try_with(|m| {
                let mut m = m.borrow_mut();
                let new_start = m.assumed.len();
                m.assumed.extend_from_within(start..start + len);
                m.assumed.extend_from_slice(log);
                let n = m.assumed.len() - new_start;
                m.entries.push(MemoEntry {
                    rec,
                    ev,
                    unit: p.unit_policy,
                    flow,
                    head: Head::Medium,
                    head_assumed: (new_start, len),
                    full: Some((decided, new_start, n)),
                });
            });
        }
        return decided;
    }
    let head = procedure_head(p, q, flow);
    let head_dependent = q.dependent();
    let head_assumed = q.assume_count();
    let (decided, full) = match head.resolve(flow, ten_year_only) {
        Some(d) => (d, false),
        None => (procedure_tail(p, q, flow), true),
    };
    if head_dependent == dependent {
        let log = q.assumed_since(first_assumed);
        let n_head = head_assumed - first_assumed;
        let full_ok = full && q.dependent() == dependent;
        let _ = MEMO.try_with(|m| {
            let mut m = m.borrow_mut();
            let start = m.assumed.len();
            m.assumed.extend_from_slice(log);
            m.entries.push(MemoEntry {
                rec,
                ev,
                unit: p.unit_policy,
                flow,
                head,
                head_assumed: (start, n_head),
                full: full_ok.then_some((decided, start, log.len())),
            });
        });
    }
    decided
}

/// How steps 1–3 of the procedure ended.
#[derive(Copy, Clone, Debug)]
enum Head {
    /// A result of this flow only (step 1; the 2016 flow's step 2).
    Exact(Decided),
    /// Step 2's direct high risk of the 2023 and CN2020 flows (the same questions;
    /// the rule differs).
    Direct,
    /// A step-3 result of every flow that asked the same questions, whatever
    /// `ten_year_only`.
    Shared(Decided),
    /// The table gave Medium: final only for `ten_year_only`.
    Medium,
}

impl Head {
    /// The procedure's result when steps 1–3 decide it.
    fn resolve(self, flow: Flow, ten_year_only: bool) -> Option<Decided> {
        match self {
            Head::Exact(d) | Head::Shared(d) => Some(d),
            Head::Direct => Some((
                LipidLevel::High,
                if flow == Flow::Cn2020 {
                    &[super::cn2020::CN2020_1]
                } else {
                    &[LIP2023_4]
                },
            )),
            Head::Medium => ten_year_only.then_some((LipidLevel::Medium, TABLE_RULES)),
        }
    }
}

/// The §9.2.2 procedure for one combination of input values.
fn procedure_run(p: &Person<'_>, q: &mut Oracle, flow: Flow, ten_year_only: bool) -> Decided {
    procedure_head(p, q, flow)
        .resolve(flow, ten_year_only)
        .unwrap_or_else(|| procedure_tail(p, q, flow))
}

/// Steps 1–3 of the procedure.
fn procedure_head(p: &Person<'_>, q: &mut Oracle, flow: Flow) -> Head {
    use LipidLevel::*;
    // Step 1 — established ASCVD (COND-2).
    if p.cond2_ascvd(q) {
        return Head::Exact(match flow {
            Flow::Lip2016 => (VeryHigh, &[LIP2016_1]),
            Flow::Cn2020 => (VeryHigh, &[super::cn2020::CN2020_1]),
            Flow::Lip2023 => {
                let n = p.cond7_events(q);
                if n >= 2 {
                    (Extreme, &[LIP2023_1, LIP2023_2])
                } else if n == 1 && p.cond8_two_factors(q) {
                    (Extreme, &[LIP2023_1, LIP2023_2, LIP2023_3])
                } else {
                    (VeryHigh, &[LIP2023_1])
                }
            }
        });
    }
    // Step 2 — direct high risk.
    let ldl_or_tc_high = |q: &mut Oracle| {
        p.ldl(q, Op::Ge, Threshold::mmol(4.9)) || p.tc(q, Op::Ge, Threshold::mmol(7.2))
    };
    match flow {
        Flow::Lip2023 | Flow::Cn2020 => {
            if ldl_or_tc_high(q)
                || (p.cond5_diabetes(q) && p.age(q, Op::Ge, 40.0))
                || p.cond6_ckd34(q)
            {
                return Head::Direct;
            }
        }
        Flow::Lip2016 => {
            if ldl_or_tc_high(q) {
                return Head::Exact((High, &[LIP2016_2]));
            }
            if p.cond5_diabetes(q) && p.age(q, Op::Ge, 40.0) {
                let window = if p.ldl_present() {
                    p.ldl(q, Op::Ge, Threshold::mmol(1.8)) && p.ldl(q, Op::Lt, Threshold::mmol(4.9))
                } else {
                    p.tc(q, Op::Ge, Threshold::mmol(3.1)) && p.tc(q, Op::Lt, Threshold::mmol(7.2))
                };
                if window {
                    return Head::Exact((High, &[LIP2016_2]));
                }
            }
        }
    }
    // Step 3 — the table.
    let col = if p.ldl_present() {
        if p.ldl(q, Op::Lt, Threshold::mmol(1.8)) {
            0
        } else if p.ldl(q, Op::Lt, Threshold::mmol(2.6)) {
            1
        } else if p.ldl(q, Op::Lt, Threshold::mmol(3.4)) {
            2
        } else {
            3
        }
    } else if p.tc(q, Op::Lt, Threshold::mmol(3.1)) {
        0
    } else if p.tc(q, Op::Lt, Threshold::mmol(4.1)) {
        1
    } else if p.tc(q, Op::Lt, Threshold::mmol(5.2)) {
        2
    } else {
        3
    };
    if col == 0 {
        return Head::Shared((NotCovered, &[LIP_TAB_2, LIP_TAB_3]));
    }
    let htn = p.cond3_htn(q);
    let mut rf = 0;
    if p.smoker(q) {
        rf += 1;
    }
    if p.hdl(q, Op::Lt, Threshold::pair(1.0, 40.0)) {
        rf += 1;
    }
    let age_t = if p.male(q) { 45.0 } else { 55.0 };
    if p.age(q, Op::Ge, age_t) {
        rf += 1;
    }
    let level = table(htn, rf, col);
    if level == Medium {
        Head::Medium
    } else {
        Head::Shared((level, TABLE_RULES))
    }
}

/// Steps 4–5 of the procedure, after the table gave Medium.
fn procedure_tail(p: &Person<'_>, q: &mut Oracle, flow: Flow) -> Decided {
    use LipidLevel::*;
    let level = Medium;
    // Step 4 — lifetime add-on.
    if p.age(q, Op::Lt, 55.0) {
        let mut n = 0;
        let items: [&dyn Fn(&mut Oracle) -> bool; 5] = [
            &|q| p.sbp(q, Op::Ge, 160.0) || p.dbp(q, Op::Ge, 100.0),
            &|q| p.non_hdl(q, Op::Ge, Threshold::pair(5.2, 200.0)),
            &|q| p.hdl(q, Op::Lt, Threshold::pair(1.0, 40.0)),
            &|q| p.bmi(q, Op::Ge, 28.0),
            &|q| p.smoker(q),
        ];
        for item in items {
            if item(q) {
                n += 1;
                if n >= 2 {
                    return (High, LIFETIME_RULES);
                }
            }
        }
    }
    // Step 5 — clinician judgement (lip2023).
    if flow == Flow::Lip2023 && q.assumed_flag("manage_as_high_risk", p.rec.manage_as_high_risk) {
        return (High, CLINICIAN_RULES);
    }
    (level, TABLE_RULES)
}

/// LIP-TAB-4: the matrix (`col` 1–3, `rf` 0–3).
fn table(htn: bool, rf: u32, col: u8) -> LipidLevel {
    use LipidLevel::*;
    let row: [LipidLevel; 3] = match (htn, rf) {
        (false, 0 | 1) => [Low, Low, Low],
        (false, 2) => [Low, Low, Medium],
        (false, _) => [Low, Medium, Medium],
        (true, 0) => [Low, Low, Low],
        (true, 1) => [Low, Medium, Medium],
        (true, 2) => [Medium, High, High],
        (true, _) => [High, High, High],
    };
    row[usize::from(col - 1)]
}

pub(crate) fn run(
    p: &Person<'_>,
    flow: Flow,
    ten_year_only: bool,
    rule_set: &'static str,
) -> LipidStratum {
    run_with(p, flow, ten_year_only, rule_set, &mut Enumerations::new())
}

/// [`run`] on the caller's oracle.
fn run_with(
    p: &Person<'_>,
    flow: Flow,
    ten_year_only: bool,
    rule_set: &'static str,
    e: &mut Enumerations,
) -> LipidStratum {
    // The union of the rules of every run, in first-seen order (the same union as
    // over the distinct results), and the first run's level.
    let mut level = None;
    // Most strata name up to four rules: allocated once.
    let mut rules: Vec<&'static str> = Vec::with_capacity(4);
    let e = e.each(
        |q| procedure(p, q, flow, ten_year_only),
        |d| d.0,
        |(l, rs)| {
            level.get_or_insert(l);
            for r in rs {
                if !rules.iter().any(|x| same(x, r)) {
                    rules.push(r);
                }
            }
        },
    );
    match e {
        Ok(assumed_absent) => LipidStratum {
            rule_set,
            level,
            rules,
            missing: Vec::new(),
            assumed_absent,
        },
        Err(missing) => LipidStratum {
            rule_set,
            level: None,
            rules: Vec::new(),
            missing,
            assumed_absent: Vec::new(),
        },
    }
}

/// Stratifies a person under `lip2016` or `lip2023` (§9.2.2 steps 1–5).
pub fn stratify(p: &Person<'_>, rule_set: LipidRuleSet) -> LipidStratum {
    stratify_with(p, rule_set, &mut Enumerations::new())
}

/// [`stratify`] on the caller's oracle (the pipeline's).
pub(crate) fn stratify_with(
    p: &Person<'_>,
    rule_set: LipidRuleSet,
    e: &mut Enumerations,
) -> LipidStratum {
    let flow = Flow::from(rule_set);
    run_with(p, flow, false, rule_set.as_str(), e)
}

/// An LDL-C target (LIP-TGT-1…10).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LdlTarget {
    /// LDL-C must be below this, mmol/L (after LIP-TGT-10).
    pub ldl_mmol: f64,
    /// Non-HDL-C target, mmol/L (2016 table; 2023 LIP-TGT-6).
    pub non_hdl_mmol: f64,
    /// A reduction > 50 % from baseline is also required (LIP-TGT-4/5, 2023).
    pub reduction_required: bool,
    /// Rules that set the target.
    pub rules: Vec<&'static str>,
}

impl LdlTarget {
    /// The `ldl_target_mmol` column: the shortest decimal (`1.4`, `2.6`, …).
    pub fn column(&self) -> String {
        let mut s = String::new();
        crate::shortest::push(&mut s, self.ldl_mmol, 0);
        s
    }
}

/// Result of [`ldl_target`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum TargetResult {
    /// The target.
    Target(LdlTarget),
    /// The stratum is `not_covered`: no target.
    NotCovered,
    /// The stratum or the diabetes/ASCVD refinement is undecided.
    Indeterminate {
        /// Inputs it depends on.
        missing: Vec<&'static str>,
    },
}

impl TargetResult {
    /// The target, when there is one.
    pub fn target(&self) -> Option<&LdlTarget> {
        match self {
            TargetResult::Target(t) => Some(t),
            _ => None,
        }
    }
}

fn tenth(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn target_for(
    rule_set: LipidRuleSet,
    level: LipidLevel,
    p: &Person<'_>,
    q: &mut Oracle,
) -> Option<LdlTarget> {
    use LipidLevel::*;
    let (ldl, nonhdl2016, reduction, rule) = match (rule_set, level) {
        (_, NotCovered) => return None,
        (LipidRuleSet::Lip2016, Low) => (3.4, 4.1, false, LIP_TGT_1),
        (LipidRuleSet::Lip2016, Medium) => (3.4, 4.1, false, LIP_TGT_2),
        (LipidRuleSet::Lip2016, High) => (2.6, 3.4, false, LIP_TGT_3),
        (LipidRuleSet::Lip2016, VeryHigh | Extreme) => (1.8, 2.6, false, LIP_TGT_4),
        (LipidRuleSet::Lip2023, Low) => (3.4, 0.0, false, LIP_TGT_1),
        (LipidRuleSet::Lip2023, Medium) => (2.6, 0.0, false, LIP_TGT_2),
        (LipidRuleSet::Lip2023, High) => (2.6, 0.0, false, LIP_TGT_3),
        (LipidRuleSet::Lip2023, VeryHigh) => (1.8, 0.0, true, LIP_TGT_4),
        (LipidRuleSet::Lip2023, Extreme) => (1.4, 0.0, true, LIP_TGT_5),
    };
    // At most five rules: one allocation.
    let mut rules = Vec::with_capacity(5);
    rules.push(rule);
    if rule_set == LipidRuleSet::Lip2016 {
        return Some(LdlTarget {
            ldl_mmol: ldl,
            non_hdl_mmol: nonhdl2016,
            reduction_required: false,
            rules,
        });
    }
    let mut t = ldl;
    if p.cond5_diabetes(q) {
        let dm = if p.cond2_ascvd(q) {
            1.4
        } else if level == High {
            1.8
        } else {
            2.6
        };
        if dm < t {
            t = dm;
            rules.push(LIP_TGT_7);
            rules.push(LIP_TGT_10);
        }
    }
    rules.push(LIP_TGT_6);
    if reduction {
        rules.push(LIP_TGT_8);
    }
    Some(LdlTarget {
        ldl_mmol: t,
        non_hdl_mmol: tenth(t + 0.8),
        reduction_required: reduction,
        rules,
    })
}

/// LDL-C target of a person's stratum (LIP-TGT-1…7, LIP-TGT-10 for `lip2023`).
pub fn ldl_target(p: &Person<'_>, rule_set: LipidRuleSet) -> TargetResult {
    ldl_target_with(p, rule_set, &mut Enumerations::new())
}

/// [`ldl_target`] on the caller's oracle (the pipeline's).
pub(crate) fn ldl_target_with(
    p: &Person<'_>,
    rule_set: LipidRuleSet,
    e: &mut Enumerations,
) -> TargetResult {
    let flow = Flow::from(rule_set);
    let e = e.first(
        |q| {
            let (level, _) = procedure(p, q, flow, false);
            target_for(rule_set, level, p, q)
        },
        |t| {
            t.as_ref()
                .map(|t| (t.ldl_mmol.to_bits(), t.reduction_required))
        },
    );
    match e {
        Ok(Some(t)) => TargetResult::Target(t),
        Ok(None) => TargetResult::NotCovered,
        Err(missing) => TargetResult::Indeterminate { missing },
    }
}

/// Options of target attainment.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LipidOptions {
    /// LIP-TGT-8 / OQ-11: use "reduction ≥ 50 %" instead of "> 50 %".
    pub reduction_inclusive: bool,
}

/// "Reduction from baseline (COND-9) ≥ / > `pct` %" computed without a division
/// (LIP-TGT-9): `100 × ldl < (100 − pct) × baseline` (strict) or `≤` (inclusive).
pub(crate) fn reduction(p: &Person<'_>, q: &mut Oracle, pct: f64, inclusive: bool) -> bool {
    let given = p.rec.ldl_baseline.reported();
    if !given.is_present() && !q.flag("lipid_treated", p.rec.lipid_treated) {
        // Untreated: the baseline is the current value, reduction 0 %.
        return pct <= 0.0 && inclusive;
    }
    match p.ev.ldl {
        Obs::Known(l) => {
            if let Obs::Known(b) = given {
                let lhs = 100.0 * l.raw();
                let rhs = (100.0 - pct) * b.in_unit(l.unit());
                return if inclusive { lhs <= rhs } else { lhs < rhs };
            }
            // Baseline unknown: the reduction holds iff baseline > 100·ldl/(100 − pct).
            let mmol = 100.0 * l.to_mmol().value() / (100.0 - pct);
            let mgdl = 100.0 * l.to_mgdl().value() / (100.0 - pct);
            let op = if inclusive { Op::Ge } else { Op::Gt };
            lab_cmp(
                CanonicalUnit::AsReported,
                q,
                "ldl_baseline",
                given,
                plausible::LDL_MMOL,
                op,
                Threshold::pair(mmol, mgdl),
            )
        }
        _ => q.flag("ldl_reduction", None),
    }
}

/// LIP-TGT-9: is the person's LDL-C at the target of their stratum?
pub fn ldl_target_met(p: &Person<'_>, rule_set: LipidRuleSet, opts: LipidOptions) -> CondValue {
    let flow = Flow::from(rule_set);
    let (value, missing, assumed_absent) = decide(|q| {
        let (level, _) = procedure(p, q, flow, false);
        match target_for(rule_set, level, p, q) {
            // Not covered (LIP-TAB-3): below the first column, which meets the lowest
            // non-ASCVD target; decided on LDL-C < 1.8 (LIP2016-2 (c)).
            None => p.ldl(q, Op::Lt, Threshold::mmol(1.8)),
            Some(t) => {
                let below = p.ldl(q, Op::Lt, Threshold::mmol(t.ldl_mmol));
                if t.reduction_required {
                    below && reduction(p, q, 50.0, opts.reduction_inclusive)
                } else {
                    below
                }
            }
        }
    });
    CondValue {
        value,
        missing,
        assumed_absent,
    }
}

/// LIP-DYS-1 as an oracle procedure (COND-4).
pub(crate) fn dys_procedure(p: &Person<'_>, q: &mut Oracle) -> bool {
    p.tc(q, Op::Ge, Threshold::pair(6.22, 240.0))
        || p.ldl(q, Op::Ge, Threshold::pair(4.14, 160.0))
        || p.hdl(q, Op::Lt, Threshold::pair(1.04, 40.0))
        || p.tg(q, Op::Ge, Threshold::pair(2.26, 200.0))
        || q.flag("lipid_treated", p.rec.lipid_treated)
}

/// LIP-DYS-1 `dyslipidaemia_mpp_research` (also COND-4), with its own threshold pairs
/// 240 / 160 / 40 / 200 mg/dL ↔ 6.22 / 4.14 / 1.04 / 2.26 mmol/L.
pub fn dyslipidaemia_mpp_research(p: &Person<'_>) -> CondValue {
    let (value, missing, assumed_absent) = decide(|q| dys_procedure(p, q));
    CondValue {
        value,
        missing,
        assumed_absent,
    }
}

/// The analyte of [`lipid_level_category`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LipidAnalyte {
    /// LIP-LVL-1
    Tc,
    /// LIP-LVL-2
    Ldl,
    /// LIP-LVL-3
    Hdl,
    /// LIP-LVL-4
    NonHdl,
}

/// Lipid level categories of §9.2.1.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelCategory {
    /// 理想水平
    Ideal,
    /// 合适水平
    Appropriate,
    /// 边缘升高
    BorderlineHigh,
    /// 升高
    High,
    /// 降低 (HDL-C)
    Low,
    /// HDL-C not low.
    NotLow,
}

fn lvl<A: Analyte>(
    q: &mut Oracle,
    policy: CanonicalUnit,
    o: Obs<Conc<A>>,
    pl: (f64, f64),
    cuts: &[(Threshold, LevelCategory)],
    last: LevelCategory,
) -> LevelCategory {
    for (t, c) in cuts {
        if lab_cmp(policy, q, "value", o, pl, Op::Lt, *t) {
            return *c;
        }
    }
    last
}

/// LIP-LVL-1…5 for one value, with the guideline's own pairs (6.2 / 4.1 / 1.0 / 2.3
/// mmol/L ↔ 240 / 160 / 40 / 200 mg/dL; UNIT-7); use [`tg_level_category`] for TG.
/// `None` when a censored or unknown value spans a cut.
pub fn lipid_level_category(
    analyte: LipidAnalyte,
    value: Obs<Conc<Cholesterol>>,
    policy: CanonicalUnit,
) -> Option<LevelCategory> {
    use LevelCategory::*;
    let e = enumerate(
        |q| match analyte {
            LipidAnalyte::Tc => lvl(
                q,
                policy,
                value,
                plausible::TC_MMOL,
                &[
                    (Threshold::pair(5.2, 200.0), Appropriate),
                    (Threshold::pair(6.2, 240.0), BorderlineHigh),
                ],
                High,
            ),
            LipidAnalyte::Ldl => lvl(
                q,
                policy,
                value,
                plausible::LDL_MMOL,
                &[
                    (Threshold::pair(2.6, 100.0), Ideal),
                    (Threshold::pair(3.4, 130.0), Appropriate),
                    (Threshold::pair(4.1, 160.0), BorderlineHigh),
                ],
                High,
            ),
            LipidAnalyte::Hdl => lvl(
                q,
                policy,
                value,
                plausible::HDL_MMOL,
                &[(Threshold::pair(1.0, 40.0), Low)],
                NotLow,
            ),
            LipidAnalyte::NonHdl => lvl(
                q,
                policy,
                value,
                plausible::NON_HDL_MMOL,
                &[
                    (Threshold::mmol(3.4), Ideal),
                    (Threshold::mmol(4.1), Appropriate),
                    (Threshold::mmol(4.9), BorderlineHigh),
                ],
                High,
            ),
        },
        |c| *c,
    );
    e.first().copied()
}

/// LIP-LVL-5 for triglycerides: appropriate < 1.7 (150), borderline high < 2.3 (200),
/// high ≥ 2.3 (200 mg/dL).
pub fn tg_level_category(
    value: Obs<Conc<Triglycerides>>,
    policy: CanonicalUnit,
) -> Option<LevelCategory> {
    use LevelCategory::*;
    enumerate(
        |q| {
            lvl(
                q,
                policy,
                value,
                plausible::TG_MMOL,
                &[
                    (Threshold::pair(1.7, 150.0), Appropriate),
                    (Threshold::pair(2.3, 200.0), BorderlineHigh),
                ],
                High,
            )
        },
        |c| *c,
    )
    .first()
    .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guideline::conditions::tests::person;
    use crate::value::Outcome;
    use LipidLevel::*;

    const BASE: [(&str, &str); 9] = [
        ("history_mi", "0"),
        ("history_pci", "0"),
        ("history_cabg", "0"),
        ("history_ischaemic_stroke", "0"),
        ("history_haemorrhagic_stroke", "0"),
        ("diabetes", "0"),
        ("current_smoker", "0"),
        ("bp_treated", "0"),
        ("sex", "male"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v: Vec<(&str, &str)> = BASE.to_vec();
        for (k, val) in extra {
            v.retain(|(k2, _)| k2 != k);
            v.push((k, val));
        }
        v
    }

    fn level(rs: LipidRuleSet, extra: &[(&'static str, &'static str)]) -> LipidStratum {
        let (rec, ev) = person(&with(extra));
        stratify(&Person::new(&rec, &ev, CanonicalUnit::AsReported), rs)
    }
    fn l23(extra: &[(&'static str, &'static str)]) -> Option<LipidLevel> {
        level(LipidRuleSet::Lip2023, extra).level
    }
    fn l16(extra: &[(&'static str, &'static str)]) -> Option<LipidLevel> {
        level(LipidRuleSet::Lip2016, extra).level
    }
    // A normal primary-prevention person: BP normal, HDL normal, age 40.
    const NORMAL: [(&str, &str); 6] = [
        ("age", "40"),
        ("sbp", "120"),
        ("dbp", "75"),
        ("hdl_mmol", "1.3"),
        ("bmi", "22"),
        ("tc_mmol", "6.0"),
    ];
    fn n(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v = NORMAL.to_vec();
        v.extend_from_slice(extra);
        v
    }

    #[test]
    fn step_1_ascvd_lip2016_and_lip2023() {
        assert_eq!(l16(&[("history_pci", "1")]), Some(VeryHigh));
        let s = level(LipidRuleSet::Lip2016, &[("history_pci", "1")]);
        assert_eq!(s.rules, vec![LIP2016_1]);
        // PCI only: 0 severe events → very high.
        assert_eq!(l23(&[("history_pci", "1")]), Some(VeryHigh));
        // MI + ischaemic stroke: 2 events → extreme.
        assert_eq!(
            l23(&[("history_mi", "1"), ("history_ischaemic_stroke", "1")]),
            Some(Extreme)
        );
        // ACS + MI flags count once (COND-7) → 1 event; + 2 factors (diabetes, smoking) → extreme.
        let one = [
            ("acs_within_12m", "1"),
            ("history_mi", "1"),
            ("sbp", "120"),
            ("dbp", "70"),
            ("lipid_treated", "0"),
            ("ldl_mmol", "3.0"),
        ];
        assert_eq!(l23(&one), Some(VeryHigh));
        let mut two_f = one.to_vec();
        two_f.extend([("diabetes", "1"), ("current_smoker", "1")]);
        assert_eq!(l23(&two_f), Some(Extreme));
        // 1 event + 1 factor (PCI counts as a factor) → very high.
        let mut f1 = one[1..].to_vec();
        f1.push(("diabetes", "1"));
        assert_eq!(l23(&f1), Some(VeryHigh));
        // The same with blood pressure unknown: hypertension could be the second factor.
        assert_eq!(
            l23(&f1[..1].iter().chain(&f1[3..]).copied().collect::<Vec<_>>()),
            None
        );
        // TIA only (guideline-only flag) → very high; haemorrhagic stroke alone is not ASCVD.
        assert_eq!(l23(&[("history_tia", "1")]), Some(VeryHigh));
    }

    #[test]
    fn step_2_direct_high_both_sides() {
        assert_eq!(l23(&n(&[("ldl_mmol", "4.9")])), Some(High));
        assert_eq!(l23(&n(&[("ldl_mmol", "4.89")])), Some(Low));
        // LDL-C unknown: TC ≥ 7.2 suffices (Kleene OR).
        assert_eq!(l23(&n(&[("tc_mmol", "7.2")])), Some(High));
        // LDL-C unknown, TC 5.0: LDL-C could be ≥ 4.9 → Indeterminate.
        let s = level(LipidRuleSet::Lip2023, &n(&[("tc_mmol", "5.0")]));
        assert_eq!(s.level, None);
        assert!(s.missing.contains(&"ldl"));
        // Diabetes at 40 / 39.
        assert_eq!(
            l23(&n(&[("ldl_mmol", "2.0"), ("diabetes", "1")])),
            Some(High)
        );
        let mut v = n(&[("ldl_mmol", "2.0"), ("diabetes", "1")]);
        v[0] = ("age", "39");
        assert_eq!(l23(&v), Some(Low));
        // CKD 3–4 (2023 only).
        assert_eq!(
            l23(&n(&[("ldl_mmol", "2.0"), ("ckd_stage", "3b")])),
            Some(High)
        );
        assert_eq!(
            l16(&n(&[("ldl_mmol", "2.0"), ("ckd_stage", "3b")])),
            Some(Low)
        );
    }

    #[test]
    fn lip2016_diabetic_window() {
        let d = |ldl: &'static str| l16(&n(&[("ldl_mmol", ldl), ("diabetes", "1")]));
        assert_eq!(d("1.8"), Some(High));
        assert_eq!(d("4.89"), Some(High));
        assert_eq!(d("1.79"), Some(NotCovered));
        // TC window used only when LDL-C is absent.
        let t = |tc: &'static str| l16(&n(&[("tc_mmol", tc), ("diabetes", "1")]));
        // TC 3.1 is in the window; whatever the unknown LDL-C, the person is high risk.
        assert_eq!(t("3.1"), Some(High));
        // TC 3.09: high if the unknown LDL-C is ≥ 4.9, otherwise not covered.
        assert_eq!(t("3.09"), None);
        assert_eq!(t("7.2"), Some(High));
    }

    #[test]
    fn lip_tab_columns_and_rows() {
        // No hypertension, 0 factors (age 40 male < 45): all low.
        assert_eq!(l23(&n(&[("ldl_mmol", "4.8")])), Some(Low));
        // Male 45 + smoker + low HDL (3 factors), no htn: col1 L, col2 M, col3 M.
        let three = |ldl: &'static str| {
            let mut v = n(&[("ldl_mmol", ldl), ("current_smoker", "1")]);
            v[0] = ("age", "55");
            v[3] = ("hdl_mmol", "0.99");
            v
        };
        assert_eq!(l23(&three("2.59")), Some(Low));
        assert_eq!(l23(&three("2.6")), Some(Medium));
        assert_eq!(l23(&three("3.4")), Some(Medium));
        // Hypertension + 3 factors: high in every column.
        let mut v = three("1.8");
        v[1] = ("sbp", "140");
        assert_eq!(l23(&v), Some(High));
        // HDL-C 1.0 is not low (LIP-TAB-1) → 2 factors + htn → col1 medium.
        v[3] = ("hdl_mmol", "1.0");
        assert_eq!(l23(&v), Some(Medium));
        // HDL-C 40 mg/dL is not low; 39.9 is.
        let mut w = v.clone();
        w[3] = ("hdl_mgdl", "39.9");
        assert_eq!(l23(&w), Some(High));
        // Female 55 counts, 54 does not.
        let f = |age: &'static str| {
            let mut v = n(&[
                ("ldl_mmol", "2.0"),
                ("current_smoker", "1"),
                ("sex", "female"),
            ]);
            v[0] = ("age", age);
            v[1] = ("sbp", "150");
            v
        };
        assert_eq!(l23(&f("55")), Some(Medium)); // htn, 2 factors, col1
        assert_eq!(l23(&f("54")), Some(Low)); // htn, 1 factor, col1
                                              // Below col1 → not covered; TC used when LDL-C absent only when LDL-C absent.
        assert_eq!(l23(&n(&[("ldl_mmol", "1.79")])), Some(NotCovered));
        let s = level(LipidRuleSet::Lip2023, &n(&[("ldl_mmol", "1.79")]));
        assert!(s.rules.contains(&LIP_TAB_3));
    }

    #[test]
    fn lip_lt_1_lifetime_add_on() {
        // Male 45, smoker, htn, 1 factor... construct medium: htn + 1 factor (smoking) col2.
        let base = |age: &'static str, bmi: &'static str| {
            let mut v = n(&[("ldl_mmol", "3.0"), ("current_smoker", "1")]);
            v[0] = ("age", age);
            v[1] = ("sbp", "150");
            v[4] = ("bmi", bmi);
            v
        };
        // Age 44 male: 1 factor (smoking) + htn → col2 medium; lifetime: smoking + BMI 28 → high.
        assert_eq!(l23(&base("44", "27.9")), Some(Medium));
        assert_eq!(l23(&base("44", "28")), Some(High));
        let s = level(LipidRuleSet::Lip2023, &base("44", "28"));
        assert!(s.rules.contains(&LIP_LT_1));
        // Age ≥ 55 → no add-on (male 55: 2 factors + htn → high anyway); use female 54/55.
        let fem = |age: &'static str| {
            let mut v = base(age, "28");
            v.push(("sex", "female"));
            v
        };
        assert_eq!(l23(&fem("54")), Some(High));
        // Female 55: age factor → htn + 2 → col2 high by the table (not LT-1).
        let s = level(LipidRuleSet::Lip2023, &fem("55"));
        assert_eq!(s.level, Some(High));
        assert!(!s.rules.contains(&LIP_LT_1));
    }

    /// A memoised table result of Medium (steps 1–3 of one flow, steps 4–5 run for
    /// another) gives the plain results, assumed-absent flags included: every stratum
    /// of persons around the table's Medium cells, asked in each order of the flows.
    #[test]
    fn memoised_medium_is_the_plain_one() {
        let mut media = 0;
        for age in ["44", "50", "54", "60"] {
            for sbp in ["120", "150", "165"] {
                for ldl in ["2.0", "3.0", "4.0"] {
                    for smoker in ["0", "1"] {
                        for hdl in ["0.9", "1.3"] {
                            for bmi in ["22", "29"] {
                                for manage in [None, Some("0"), Some("1")] {
                                    let mut v = with(&[
                                        ("age", age),
                                        ("sbp", sbp),
                                        ("dbp", "80"),
                                        ("ldl_mmol", ldl),
                                        ("tc_mmol", "6.0"),
                                        ("current_smoker", smoker),
                                        ("hdl_mmol", hdl),
                                        ("bmi", bmi),
                                    ]);
                                    if let Some(m) = manage {
                                        v.push(("manage_as_high_risk", m));
                                    }
                                    let (rec, ev) = person(&v);
                                    let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
                                    let l23 = || stratify(&p, LipidRuleSet::Lip2023);
                                    let c20 = || super::super::cn2020::stratify(&p);
                                    let plain = (l23(), c20());
                                    media += usize::from(
                                        run(&p, Flow::Lip2023, true, "").level == Some(Medium),
                                    );
                                    assert_eq!(
                                        with_memo(|| (l23(), c20(), l23(), c20())),
                                        (
                                            plain.0.clone(),
                                            plain.1.clone(),
                                            plain.0.clone(),
                                            plain.1.clone()
                                        ),
                                        "{v:?}"
                                    );
                                    assert_eq!(
                                        with_memo(|| (c20(), l23(), c20(), l23())),
                                        (plain.1.clone(), plain.0.clone(), plain.1, plain.0),
                                        "{v:?}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(media > 50, "{media}");
    }

    #[test]
    fn lip2023_5_manage_as_high_risk() {
        let mut v = n(&[("ldl_mmol", "3.0"), ("current_smoker", "1")]);
        v[1] = ("sbp", "150");
        assert_eq!(l23(&v), Some(Medium));
        v.push(("manage_as_high_risk", "1"));
        assert_eq!(l23(&v), Some(High));
        assert_eq!(l16(&v), Some(Medium));
        let s = level(LipidRuleSet::Lip2023, &v);
        assert!(s.rules.contains(&LIP2023_5));
    }

    #[test]
    fn assumed_absent_listed() {
        let s = level(LipidRuleSet::Lip2023, &n(&[("ldl_mmol", "3.0")]));
        assert!(s.assumed_absent.contains(&"history_tia"));
        assert!(s.assumed_absent.contains(&"hypertension"));
    }

    fn target(rs: LipidRuleSet, extra: &[(&'static str, &'static str)]) -> TargetResult {
        let (rec, ev) = person(&with(extra));
        ldl_target(&Person::new(&rec, &ev, CanonicalUnit::AsReported), rs)
    }

    #[test]
    fn lip_tgt_targets_and_diabetes() {
        let t =
            |rs, e: &[(&'static str, &'static str)]| target(rs, e).target().map(LdlTarget::column);
        assert_eq!(
            t(LipidRuleSet::Lip2023, &n(&[("ldl_mmol", "3.0")])).as_deref(),
            Some("3.4")
        );
        assert_eq!(
            t(LipidRuleSet::Lip2023, &[("history_pci", "1")]).as_deref(),
            Some("1.8")
        );
        assert_eq!(
            t(
                LipidRuleSet::Lip2023,
                &[("history_mi", "1"), ("history_ischaemic_stroke", "1")]
            )
            .as_deref(),
            Some("1.4")
        );
        // Diabetes ≥ 40 → stratum high, target 1.8 (LIP-TGT-10).
        assert_eq!(
            t(
                LipidRuleSet::Lip2023,
                &n(&[("ldl_mmol", "2.0"), ("diabetes", "1")])
            )
            .as_deref(),
            Some("1.8")
        );
        // ASCVD + diabetes, very high not extreme → 1.4 and reduction.
        let r = target(
            LipidRuleSet::Lip2023,
            &[
                ("history_pci", "1"),
                ("diabetes", "1"),
                ("current_smoker", "0"),
            ],
        );
        let tt = r.target().unwrap();
        assert_eq!((tt.column().as_str(), tt.reduction_required), ("1.4", true));
        assert_eq!(tt.non_hdl_mmol, 2.2);
        // Diabetes aged 39, low stratum: lower of 3.4 and 2.6.
        let mut v = n(&[("ldl_mmol", "2.0"), ("diabetes", "1")]);
        v[0] = ("age", "39");
        assert_eq!(t(LipidRuleSet::Lip2023, &v).as_deref(), Some("2.6"));
        // lip2016: no diabetes refinement, medium 3.4, very high 1.8 with non-HDL 2.6.
        let r = target(
            LipidRuleSet::Lip2016,
            &[("history_pci", "1"), ("diabetes", "1")],
        );
        let tt = r.target().unwrap();
        assert_eq!(
            (tt.ldl_mmol, tt.non_hdl_mmol, tt.reduction_required),
            (1.8, 2.6, false)
        );
        assert_eq!(
            target(LipidRuleSet::Lip2023, &n(&[("ldl_mmol", "1.0")])),
            TargetResult::NotCovered
        );
    }

    fn met(rs: LipidRuleSet, inclusive: bool, extra: &[(&'static str, &'static str)]) -> Outcome {
        let (rec, ev) = person(&with(extra));
        ldl_target_met(
            &Person::new(&rec, &ev, CanonicalUnit::AsReported),
            rs,
            LipidOptions {
                reduction_inclusive: inclusive,
            },
        )
        .value
    }

    #[test]
    fn lip_tgt_8_fifty_percent_boundary() {
        // Very high (PCI), baseline 4.0, LDL-C 1.7 → 57.5 % > 50 % → met.
        let v = [
            ("history_pci", "1"),
            ("lipid_treated", "1"),
            ("ldl_baseline_mmol", "4.0"),
            ("ldl_mmol", "1.7"),
        ];
        assert_eq!(met(LipidRuleSet::Lip2023, false, &v), Outcome::Fired);
        // Extreme: target 1.4 with the 50 % boundary: baseline 2.8, LDL 1.4 → not below 1.4 anyway;
        // use very high + baseline 3.4, LDL 1.7 → exactly 50 %: not met, met inclusive.
        let b = [
            ("history_pci", "1"),
            ("lipid_treated", "1"),
            ("ldl_baseline_mmol", "3.4"),
            ("ldl_mmol", "1.7"),
        ];
        assert_eq!(met(LipidRuleSet::Lip2023, false, &b), Outcome::NotFired);
        assert_eq!(met(LipidRuleSet::Lip2023, true, &b), Outcome::Fired);
        // lip2016 very high: LDL-C < 1.8 alone.
        assert_eq!(met(LipidRuleSet::Lip2016, false, &b), Outcome::Fired);
        // Untreated very high: baseline = current, 0 % reduction → never met under lip2023.
        let u = [
            ("history_pci", "1"),
            ("lipid_treated", "0"),
            ("ldl_mmol", "1.5"),
        ];
        assert_eq!(met(LipidRuleSet::Lip2023, true, &u), Outcome::NotFired);
        // Unknown baseline on treatment: AND → not met when LDL ≥ target, else Indeterminate.
        let k = [
            ("history_pci", "1"),
            ("lipid_treated", "1"),
            ("ldl_mmol", "1.5"),
        ];
        assert_eq!(
            met(LipidRuleSet::Lip2023, false, &k),
            Outcome::Indeterminate
        );
        let k2 = [
            ("history_pci", "1"),
            ("lipid_treated", "1"),
            ("ldl_mmol", "1.8"),
        ];
        assert_eq!(met(LipidRuleSet::Lip2023, false, &k2), Outcome::NotFired);
    }

    #[test]
    fn lip_tgt_8_spec_example_baseline_4_ldl_2() {
        // The exact 50 % case from LIP-TGT-9: the reduction term alone decides it.
        let (rec, ev) = person(&[
            ("lipid_treated", "1"),
            ("ldl_baseline_mmol", "4.0"),
            ("ldl_mmol", "2.0"),
        ]);
        let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
        assert_eq!(
            decide(|q| reduction(&p, q, 50.0, false)).0,
            Outcome::NotFired
        );
        assert_eq!(decide(|q| reduction(&p, q, 50.0, true)).0, Outcome::Fired);
        // Baseline in mg/dL converted to the current unit: 154.68 mg/dL = 4.0 mmol/L.
        let (rec, ev) = person(&[
            ("lipid_treated", "1"),
            ("ldl_baseline_mgdl", "154.68"),
            ("ldl_mmol", "2.0"),
        ]);
        let p = Person::new(&rec, &ev, CanonicalUnit::AsReported);
        assert_eq!(decide(|q| reduction(&p, q, 50.0, true)).0, Outcome::Fired);
    }

    fn dys(pairs: &[(&'static str, &'static str)]) -> Outcome {
        let (rec, ev) = person(pairs);
        dyslipidaemia_mpp_research(&Person::new(&rec, &ev, CanonicalUnit::AsReported)).value
    }
    const LIPIDS_NORMAL: [(&str, &str); 5] = [
        ("tc_mmol", "5.0"),
        ("ldl_mmol", "3.0"),
        ("hdl_mmol", "1.3"),
        ("tg_mmol", "1.5"),
        ("lipid_treated", "0"),
    ];
    fn lipids(k: &'static str, v: &'static str) -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<(&str, &str)> = LIPIDS_NORMAL
            .iter()
            .filter(|(c, _)| c[..2] != k[..2])
            .copied()
            .collect();
        out.push((k, v));
        out
    }

    #[test]
    fn lip_dys_1_pairs_and_bands_versus_lip_lvl() {
        assert_eq!(dys(&LIPIDS_NORMAL), Outcome::NotFired);
        assert_eq!(dys(&lipids("tc_mmol", "6.22")), Outcome::Fired);
        assert_eq!(dys(&lipids("tc_mmol", "6.21")), Outcome::NotFired);
        assert_eq!(dys(&lipids("tc_mgdl", "240")), Outcome::Fired);
        assert_eq!(dys(&lipids("ldl_mmol", "4.14")), Outcome::Fired);
        assert_eq!(dys(&lipids("ldl_mmol", "4.13")), Outcome::NotFired);
        assert_eq!(dys(&lipids("hdl_mmol", "1.03")), Outcome::Fired);
        assert_eq!(dys(&lipids("hdl_mmol", "1.04")), Outcome::NotFired);
        assert_eq!(dys(&lipids("hdl_mgdl", "40")), Outcome::NotFired);
        assert_eq!(dys(&lipids("tg_mmol", "2.26")), Outcome::Fired);
        assert_eq!(dys(&lipids("tg_mmol", "2.25")), Outcome::NotFired);
        assert_eq!(dys(&lipids("tg_mgdl", "199.9")), Outcome::NotFired);
        // Bands between the pairs: TG 2.28 is dyslipidaemia but "borderline high" (LIP-LVL-5).
        assert_eq!(dys(&lipids("tg_mmol", "2.28")), Outcome::Fired);
        let tg = |v: f64| tg_level_category(Obs::Known(Conc::mmol(v)), CanonicalUnit::AsReported);
        assert_eq!(tg(2.28), Some(LevelCategory::BorderlineHigh));
        assert_eq!(tg(2.3), Some(LevelCategory::High));
        assert_eq!(tg(1.69), Some(LevelCategory::Appropriate));
        assert_eq!(
            tg_level_category(Obs::Known(Conc::mgdl(200.0)), CanonicalUnit::AsReported),
            Some(LevelCategory::High)
        );
        // HDL 1.02: low only under LIP-DYS-1.
        assert_eq!(dys(&lipids("hdl_mmol", "1.02")), Outcome::Fired);
        let c = |a, v: f64| {
            lipid_level_category(a, Obs::Known(Conc::mmol(v)), CanonicalUnit::AsReported)
        };
        assert_eq!(c(LipidAnalyte::Hdl, 1.02), Some(LevelCategory::NotLow));
        assert_eq!(c(LipidAnalyte::Hdl, 0.99), Some(LevelCategory::Low));
        // TC 6.21: high under LIP-LVL-1 (≥ 6.2) but not dyslipidaemia (< 6.22).
        assert_eq!(c(LipidAnalyte::Tc, 6.21), Some(LevelCategory::High));
        assert_eq!(
            c(LipidAnalyte::Tc, 6.19),
            Some(LevelCategory::BorderlineHigh)
        );
        assert_eq!(c(LipidAnalyte::Tc, 5.19), Some(LevelCategory::Appropriate));
        // LDL 4.12: high under LIP-LVL-2 (≥ 4.1), not under LIP-DYS-1 (< 4.14).
        assert_eq!(c(LipidAnalyte::Ldl, 4.12), Some(LevelCategory::High));
        assert_eq!(dys(&lipids("ldl_mmol", "4.12")), Outcome::NotFired);
        assert_eq!(c(LipidAnalyte::Ldl, 2.59), Some(LevelCategory::Ideal));
        assert_eq!(c(LipidAnalyte::Ldl, 2.6), Some(LevelCategory::Appropriate));
        assert_eq!(
            c(LipidAnalyte::Ldl, 3.4),
            Some(LevelCategory::BorderlineHigh)
        );
        assert_eq!(c(LipidAnalyte::NonHdl, 4.9), Some(LevelCategory::High));
        assert_eq!(
            c(LipidAnalyte::NonHdl, 4.89),
            Some(LevelCategory::BorderlineHigh)
        );
        // mg/dL values get the same answer from both functions.
        let m = |a, v: f64| {
            lipid_level_category(a, Obs::Known(Conc::mgdl(v)), CanonicalUnit::AsReported)
        };
        assert_eq!(m(LipidAnalyte::Ldl, 160.0), Some(LevelCategory::High));
        assert_eq!(dys(&lipids("ldl_mgdl", "160")), Outcome::Fired);
        assert_eq!(
            m(LipidAnalyte::Ldl, 159.9),
            Some(LevelCategory::BorderlineHigh)
        );
        assert_eq!(dys(&lipids("ldl_mgdl", "159.9")), Outcome::NotFired);
        // Lipid-lowering drugs alone.
        let mut t = LIPIDS_NORMAL.to_vec();
        t[4] = ("lipid_treated", "1");
        assert_eq!(dys(&t), Outcome::Fired);
        // Censored TC "<100 mg/dL" with the others normal → not dyslipidaemia.
        assert_eq!(dys(&lipids("tc_mgdl", "<100")), Outcome::NotFired);
        assert_eq!(dys(&lipids("tc_mgdl", ">400")), Outcome::Fired);
    }
}
