//! The intervention plan for one assessed person (spec/domain.md §8.2 INT-1…INT-5, with
//! the guideline rules of §9 and the emergency criteria of §10 that a screening record
//! can show).
//!
//! Every item carries a stable id (the `plan` column joins the ids of recommended
//! items with `;`), a kind, a priority, the rule id, citation and evidence labels of
//! that rule (items from \[UNVERIFIED\] rules carry that label) and a bilingual text.
//! Items whose trigger depends on unknown inputs are kept as `Indeterminate` with
//! the missing fields (TV-4) and are not written to the `plan` column.
//!
//! Intensity (INT-PLAN-2): the set of drug and referral items recommended —
//! `urgent_referral`, `hr_survey_referral`, `secondary_prevention`, `antihypertensive`,
//! `bp_control`, `statin`, `lipid_control`, `glucose_management_referral`. Aspirin
//! consideration is deliberately **not** part of intensity: CN2020-2 withdraws it
//! for established ASCVD and above age 70, so it falls as risk rises.

use crate::criteria::mpp2014::HighRiskStatus;
use crate::evaluated::EvaluatedRecord;
use crate::followup::{BPHS_DM_1, BPHS_DM_4, BPHS_HTN_5};
use crate::guideline::cn2020::{self, AspirinAdvice, BpDrugDecision, StatinIndication};
use crate::guideline::conditions::{Person, Threshold, COND_3, COND_4, COND_5};
use crate::guideline::lipid::{self, LipidLevel};
use crate::guideline::tv::{Enumerations, Op, Oracle};
use crate::guideline::GuidelineOptions;
use crate::record::ScreeningRecord;
use crate::rules::Evidence;
use crate::value::Outcome;
use serde::Serialize;
use std::borrow::Cow;

crate::define_rules! {
    INT_1 = "INT-1", "intervention", [ConfirmedP], "domain.md §8.2; S1",
        "Every screenee receives the health handbook and individual lifestyle advice",
        "所有筛查对象发放《健康手册》并给予个体化生活方式指导";
    INT_2 = "INT-2", "intervention", [ConfirmedP, Decision], "domain.md §8.2; S1",
        "High-risk persons with hypertension, dyslipidaemia or diabetes receive individual BP, lipid and glucose control advice",
        "合并高血压、血脂异常或糖尿病的高危对象给予个体化血压、血脂、血糖控制指导";
    INT_3 = "INT-3", "intervention", [ConfirmedP, Decision], "domain.md §8.2; S1",
        "High-risk persons with prior CVD receive drug-therapy and rehabilitation advice (secondary prevention)",
        "既往有心血管病的高危对象给予药物治疗和康复指导（二级预防）";
    INT_4 = "INT-4", "intervention", [ConfirmedS, Decision], "domain.md §8.2; S7",
        "Advice follows disease guidelines; every guideline output is labelled guideline_derived with its rule set",
        "依据疾病防治指南给出建议；所有指南推导结果标注 guideline_derived 及规则集";
    INT_5 = "INT-5", "intervention", [ConfirmedP], "domain.md §8.2; S5, S6",
        "Treatment gaps among high-risk people: statin 0.6 %, aspirin 2.4 %, antihypertensives 31.8 % of hypertensives",
        "高危人群治疗缺口：他汀0.6%，阿司匹林2.4%，高血压者降压药31.8%";
    HRS_8 = "HRS-8", "intervention", [ConfirmedP, Decision], "domain.md §8.1 HRS-1…8; S1, S2",
        "High-risk survey at the technical-support hospital: questionnaire, checklist, ECG, carotid ultrasound, echocardiography, blood and urine samples",
        "到技术支持医院完成高危对象调查：问卷、核查表、心电图、颈动脉超声、心脏超声、血样和尿样";
    INT_PLAN_1 = "INT-PLAN-1", "intervention", [Decision], "domain.md §8.2 INT-1 (targeting is a library decision)",
        "Targeted lifestyle items: smoking cessation for smokers; salt and diet for hypertension or a high-salt diet; weight for BMI ≥ 24 or waist ≥ 90/85 cm; activity for overweight, hypertension or diabetes",
        "针对性生活方式项目：吸烟者戒烟；高血压或高盐饮食者限盐与合理膳食；BMI≥24或腰围≥90/85 cm者控制体重；超重、高血压或糖尿病者增加身体活动";
    INT_PLAN_2 = "INT-PLAN-2", "intervention", [Decision], "intervention.rs module docs",
        "Plan intensity is the set of drug and referral items; it never decreases as risk rises (aspirin excluded)",
        "干预强度指药物及转诊项目的集合，风险增加时不减少（阿司匹林除外）";
}

/// Kind of a plan item.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Emergency referral (BPHS-HTN-5 / BPHS-DM-4 criteria).
    UrgentReferral,
    /// Referral to the technical-support hospital for the high-risk survey (ECG, ultrasound, labs).
    HospitalReferral,
    /// Secondary-prevention drug therapy and rehabilitation advice (INT-3).
    SecondaryPrevention,
    /// Start antihypertensive drugs (CN2020-4).
    Antihypertensive,
    /// Individual BP control advice (INT-2).
    BpControl,
    /// Statin with an LDL-C target.
    Statin,
    /// Individual lipid control advice (INT-2).
    LipidControl,
    /// Aspirin consideration (CN2020-2).
    AspirinConsideration,
    /// Referral to basic-public-health type-2 diabetes management (BPHS-DM-1, INT-2).
    GlucoseManagementReferral,
    /// Smoking cessation.
    SmokingCessation,
    /// Salt reduction and healthy diet.
    DietSalt,
    /// Physical activity.
    PhysicalActivity,
    /// Weight control.
    Weight,
    /// Health handbook and general lifestyle advice (INT-1, every screenee).
    HandbookLifestyle,
}

/// Priority of a plan item.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Now (emergency).
    Urgent,
    /// Soon: referral or drug decision.
    High,
    /// Routine advice.
    Routine,
}

/// Whether an item is recommended or undecided.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum ItemStatus {
    /// Recommended.
    Recommended,
    /// Its trigger depends on unknown inputs.
    Indeterminate {
        /// The inputs.
        missing: Vec<&'static str>,
    },
}

/// One item of a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanItem {
    /// Stable id used in the `plan` column (`urgent_referral`, `statin`, …).
    pub id: &'static str,
    /// Kind.
    pub kind: ItemKind,
    /// Priority.
    pub priority: Priority,
    /// Status.
    pub status: ItemStatus,
    /// The deciding rule.
    pub rule_id: &'static str,
    /// Its citation.
    pub citation: &'static str,
    /// Its evidence labels (all labels of every rule behind the item).
    pub evidence: EvidenceLabels,
    /// English text (borrowed when the text is fixed).
    pub en: Cow<'static, str>,
    /// Chinese text (borrowed when the text is fixed).
    pub zh: Cow<'static, str>,
}

/// One emergency criterion evaluated on the screening record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UrgentCriterion {
    /// Rule id (BPHS-HTN-5 or BPHS-DM-4).
    pub rule_id: &'static str,
    /// `bp`, `glucose_high`, `glucose_low`.
    pub criterion: &'static str,
    /// Outcome.
    pub outcome: Outcome,
}

/// The `urgent_referral` decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UrgentReferral {
    /// `yes` when any criterion fired.
    pub fired: bool,
    /// Every criterion with its outcome: BP, high glucose, low glucose (in line, no
    /// allocation per record; serialised as a list).
    #[serde(serialize_with = "as_list")]
    pub criteria: [UrgentCriterion; 3],
    /// Criteria not evaluated because their input is unknown (never silently "normal").
    pub not_evaluated: Vec<&'static str>,
}

/// Serialises an array as a sequence, as the `Vec` it was.
fn as_list<S: serde::Serializer, T: Serialize, const N: usize>(
    v: &[T; N],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(v)
}

impl UrgentReferral {
    /// The `urgent_referral` column: `yes` / `no`.
    pub fn column(&self) -> &'static str {
        if self.fired {
            "yes"
        } else {
            "no"
        }
    }
}

/// BPHS-HTN-5 SBP threshold (inclusive).
pub const URGENT_SBP: f64 = 180.0;
/// BPHS-HTN-5 DBP threshold (inclusive).
pub const URGENT_DBP: f64 = 110.0;
/// BPHS-DM-4 high glucose pair (inclusive), compared as reported.
pub const URGENT_GLUCOSE_HIGH: Threshold = Threshold::pair(16.7, 300.0);
/// BPHS-DM-4 low glucose pair (inclusive), compared as reported.
pub const URGENT_GLUCOSE_LOW: Threshold = Threshold::pair(3.9, 70.0);

/// The emergency criteria a screening record can show, for every screenee.
pub fn urgent_referral(p: &Person<'_>) -> UrgentReferral {
    urgent_referral_with(p, &mut Enumerations::new())
}

/// [`urgent_referral`] on the plan's oracle.
fn urgent_referral_with(p: &Person<'_>, e: &mut Enumerations) -> UrgentReferral {
    let bp = e
        .decide_missing(|q| p.sbp(q, Op::Ge, URGENT_SBP) || p.dbp(q, Op::Ge, URGENT_DBP))
        .0;
    let hi = e
        .decide_missing(|q| p.fbg(q, Op::Ge, URGENT_GLUCOSE_HIGH))
        .0;
    let lo = e.decide_missing(|q| p.fbg(q, Op::Le, URGENT_GLUCOSE_LOW)).0;
    let criteria = [
        UrgentCriterion {
            rule_id: BPHS_HTN_5,
            criterion: "bp",
            outcome: bp,
        },
        UrgentCriterion {
            rule_id: BPHS_DM_4,
            criterion: "glucose_high",
            outcome: hi,
        },
        UrgentCriterion {
            rule_id: BPHS_DM_4,
            criterion: "glucose_low",
            outcome: lo,
        },
    ];
    UrgentReferral {
        fired: criteria.iter().any(|c| c.outcome == Outcome::Fired),
        not_evaluated: criteria
            .iter()
            .filter(|c| c.outcome == Outcome::Indeterminate)
            .map(|c| c.criterion)
            .collect(),
        criteria,
    }
}

/// The antihypertensive item's texts for a BP target: static for CN2020-4's two
/// targets (`{ts}` of an integral `f64` is the integer's digits) on native targets,
/// formatted otherwise.
fn antihypertensive_texts(ts: f64, td: f64) -> (Cow<'static, str>, Cow<'static, str>) {
    macro_rules! en {
        ($s:expr, $d:expr) => {
            concat!(
                "Start antihypertensive drugs; BP target < ",
                $s,
                "/",
                $d,
                " mmHg"
            )
        };
    }
    macro_rules! zh {
        ($s:expr, $d:expr) => {
            concat!("启动降压药物治疗；血压目标<", $s, "/", $d, " mmHg")
        };
    }
    macro_rules! known {
        ($($s:literal / $d:literal),*) => {
            $(
                if ts == f64::from($s) && td == f64::from($d) {
                    return (Cow::Borrowed(en!($s, $d)), Cow::Borrowed(zh!($s, $d)));
                }
            )*
        };
    }
    // wasm32 (built for size) formats every target: the same text without the table.
    if !cfg!(target_arch = "wasm32") {
        known!(140u8 / 90u8, 130u8 / 80u8);
    }
    (
        format!(en!("{}", "{}"), ts, td).into(),
        format!(zh!("{}", "{}"), ts, td).into(),
    )
}

/// The statin item's texts for an LDL-C target (`None`: to be set): static for the
/// targets of lipid.rs (`LdlTarget::column` of `1.4` is `"1.4"`) on native targets,
/// formatted otherwise.
fn statin_texts(target: Option<&lipid::LdlTarget>) -> (Cow<'static, str>, Cow<'static, str>) {
    macro_rules! en {
        ($t:expr) => {
            concat!(
                "Statin (moderate intensity first; recheck lipids after 4–6 weeks); target ",
                $t
            )
        };
    }
    macro_rules! zh {
        ($t:expr) => {
            concat!("他汀治疗（起始中等强度，4–6周后复查血脂）；目标", $t)
        };
    }
    macro_rules! ldl_en {
        ($v:expr) => {
            concat!("LDL-C < ", $v, " mmol/L")
        };
    }
    macro_rules! ldl_reduction_en {
        ($v:expr) => {
            concat!(
                "LDL-C < ",
                $v,
                " mmol/L and a reduction > 50 % from baseline"
            )
        };
    }
    macro_rules! ldl_zh {
        ($v:expr) => {
            concat!("LDL-C<", $v, " mmol/L")
        };
    }
    macro_rules! ldl_reduction_zh {
        ($v:expr) => {
            concat!("LDL-C<", $v, " mmol/L且较基线降低>50%")
        };
    }
    let Some(t) = target else {
        return (
            Cow::Borrowed(en!("LDL-C target to be set")),
            Cow::Borrowed(zh!("LDL-C目标值待定")),
        );
    };
    macro_rules! known {
        ($($v:literal),*) => {
            $(
                if t.ldl_mmol == $v {
                    return if t.reduction_required {
                        (
                            Cow::Borrowed(en!(ldl_reduction_en!($v))),
                            Cow::Borrowed(zh!(ldl_reduction_zh!($v))),
                        )
                    } else {
                        (Cow::Borrowed(en!(ldl_en!($v))), Cow::Borrowed(zh!(ldl_zh!($v))))
                    };
                }
            )*
        };
    }
    // wasm32 (built for size) formats every target: the same text without the table.
    if !cfg!(target_arch = "wasm32") {
        known!(1.4, 1.8, 2.6, 3.4);
    }
    let c = t.column();
    if t.reduction_required {
        (
            format!(en!(ldl_reduction_en!("{}")), c).into(),
            format!(zh!(ldl_reduction_zh!("{}")), c).into(),
        )
    } else {
        (
            format!(en!(ldl_en!("{}")), c).into(),
            format!(zh!(ldl_zh!("{}")), c).into(),
        )
    }
}

/// A person's plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// Items, recommended and indeterminate, by priority.
    pub items: Vec<PlanItem>,
    /// The emergency-referral decision.
    pub urgent: UrgentReferral,
    /// Guideline outputs are advisory (INT-4).
    pub guideline_derived: bool,
    /// Lipid rule set used for the statin target.
    pub lipid_ruleset: &'static str,
}

/// Item ids that make up the plan's intensity (INT-PLAN-2).
pub const INTENSITY_ITEMS: [&str; 8] = [
    "urgent_referral",
    "hr_survey_referral",
    "secondary_prevention",
    "antihypertensive",
    "bp_control",
    "statin",
    "lipid_control",
    "glucose_management_referral",
];

impl Plan {
    /// Ids of the recommended items in plan order.
    pub fn recommended(&self) -> Vec<&'static str> {
        self.items
            .iter()
            .filter(|i| i.status == ItemStatus::Recommended)
            .map(|i| i.id)
            .collect()
    }
    /// The `plan` column: recommended item ids joined by `;`.
    pub fn column(&self) -> String {
        self.recommended().join(";")
    }
    /// The recommended drug and referral items (INT-PLAN-2).
    pub fn intensity(&self) -> Vec<&'static str> {
        self.recommended()
            .into_iter()
            .filter(|i| INTENSITY_ITEMS.contains(i))
            .collect()
    }
}

/// The evidence labels of a plan item: all labels of every rule behind it, each once,
/// in first-seen order, so at most the four labels there are. Kept in line: a plan
/// item allocates nothing for them. Reads as a slice; serialised and debug-printed as
/// a list, exactly like the `Vec<Evidence>` it replaces.
#[derive(Copy, Clone)]
pub struct EvidenceLabels {
    /// `labels[..len]` are the labels; the rest are unused.
    labels: [Evidence; 4],
    len: u8,
}

// The array holds every label at most once: it has one slot per `Evidence` variant
// (this match stops compiling when a variant is added).
const _: () = match Evidence::ConfirmedP {
    Evidence::ConfirmedP | Evidence::ConfirmedS | Evidence::Unverified | Evidence::Decision => {}
};

impl EvidenceLabels {
    /// No labels.
    const NONE: EvidenceLabels = EvidenceLabels {
        labels: [Evidence::ConfirmedP; 4],
        len: 0,
    };

    /// Appends `e` unless it is already there.
    fn add(&mut self, e: Evidence) {
        if !self.contains(&e) {
            self.labels[usize::from(self.len)] = e;
            self.len += 1;
        }
    }
}

impl std::ops::Deref for EvidenceLabels {
    type Target = [Evidence];
    fn deref(&self) -> &[Evidence] {
        &self.labels[..usize::from(self.len)]
    }
}

impl PartialEq for EvidenceLabels {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for EvidenceLabels {}

impl std::fmt::Debug for EvidenceLabels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for EvidenceLabels {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// The citation of the first rule of `ids` and the evidence labels of all of them
/// (each label once, in first-seen order): one registry look-up per rule.
fn rule_evidence_uncached<'a>(
    ids: impl Iterator<Item = &'a str>,
) -> (&'static str, EvidenceLabels) {
    let mut citation = "";
    let mut out = EvidenceLabels::NONE;
    for (i, id) in ids.enumerate() {
        if let Some(r) = crate::rules::get(id) {
            if i == 0 {
                citation = r.citation;
            }
            for e in r.evidence {
                out.add(*e);
            }
        }
    }
    (citation, out)
}

/// A rule list as the addresses and lengths of its `'static` ids: two lists with the
/// same key have the same ids (a list with the same ids at other addresses is only a
/// cache miss).
type RulesKey = Vec<(usize, usize)>;

/// Rule lists already looked up, with their citation and evidence.
type EvidenceCache = Vec<(RulesKey, &'static str, EvidenceLabels)>;

thread_local! {
    /// The rule lists built per person (the statin item's; a few dozen distinct
    /// ones): each is looked up in the registry once per thread.
    static EVIDENCE: std::cell::RefCell<EvidenceCache> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// [`rule_evidence_uncached`] of the concatenation of `parts`, memoised per thread.
fn rule_evidence(parts: &[&[&'static str]]) -> (&'static str, EvidenceLabels) {
    let ids = || parts.iter().flat_map(|p| p.iter().copied());
    // wasm32 is built for size and plans one record at a time: no cache there.
    if cfg!(target_arch = "wasm32") {
        return rule_evidence_uncached(ids());
    }
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let key = || ids().map(|s| (s.as_ptr() as usize, s.len()));
    let hit = EVIDENCE.try_with(|c| {
        c.borrow()
            .iter()
            .find(|(k, _, _)| k.len() == len && k.iter().copied().eq(key()))
            .map(|(_, citation, evidence)| (*citation, *evidence))
    });
    if let Ok(Some(hit)) = hit {
        return hit;
    }
    let (citation, evidence) = rule_evidence_uncached(ids());
    let _ = EVIDENCE.try_with(|c| {
        let mut c = c.borrow_mut();
        if c.len() < 64 {
            c.push((key().collect(), citation, evidence));
        }
    });
    (citation, evidence)
}

/// The citation and evidence of a fixed rule list, filled on first use.
type EvidenceCell = std::sync::OnceLock<(&'static str, EvidenceLabels)>;

/// The rules behind a plan item.
#[derive(Copy, Clone)]
enum RuleList<'a> {
    /// A call site's fixed list (`fixed!`), with its own evidence cell.
    Fixed(&'static [&'static str], &'static EvidenceCell),
    /// A list built for this person, as the concatenation of its parts
    /// ([`rule_evidence`]'s cache).
    Built(&'a [&'a [&'static str]]),
}

/// A fixed rule list of one call site: its evidence is looked up once per process,
/// with no key to compare.
macro_rules! fixed {
    ($($rule:expr),+) => {{
        static CELL: EvidenceCell = EvidenceCell::new();
        RuleList::Fixed(&[$($rule),+], &CELL)
    }};
}

impl RuleList<'_> {
    /// The deciding rule, the citation of the first rule and the evidence labels of all.
    fn evidence(self) -> (&'static str, &'static str, EvidenceLabels) {
        match self {
            // wasm32 is built for size and plans one record at a time: no cache there.
            RuleList::Fixed(ids, _) if cfg!(target_arch = "wasm32") => {
                let (c, e) = rule_evidence_uncached(ids.iter().copied());
                (ids[0], c, e)
            }
            RuleList::Fixed(ids, cell) => {
                let (c, e) = *cell.get_or_init(|| rule_evidence_uncached(ids.iter().copied()));
                (ids[0], c, e)
            }
            RuleList::Built(parts) => {
                let first = parts.iter().find_map(|p| p.first()).copied();
                let (c, e) = rule_evidence(parts);
                (first.unwrap_or_default(), c, e)
            }
        }
    }
}

struct Builder {
    items: Vec<PlanItem>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        o: Outcome,
        missing: Vec<&'static str>,
        id: &'static str,
        kind: ItemKind,
        priority: Priority,
        rules: RuleList<'_>,
        text: impl FnOnce() -> (Cow<'static, str>, Cow<'static, str>),
    ) {
        let status = match o {
            Outcome::Fired => ItemStatus::Recommended,
            Outcome::Indeterminate => ItemStatus::Indeterminate { missing },
            Outcome::NotFired => return,
        };
        // The texts are only built for items that are kept.
        let (en, zh) = text();
        let (rule_id, citation, evidence) = rules.evidence();
        self.items.push(PlanItem {
            id,
            kind,
            priority,
            status,
            rule_id,
            citation,
            evidence,
            en,
            zh,
        });
    }
}

fn hr(status: HighRiskStatus) -> Outcome {
    Outcome::from_opt(status.to_opt())
}

/// `status` AND `f` (Kleene), with the inputs the result depends on when undecided.
fn with_hr(
    e: &mut Enumerations,
    status: HighRiskStatus,
    f: impl FnMut(&mut Oracle) -> bool,
) -> (Outcome, Vec<&'static str>) {
    // Not high risk: No whatever `f` says, with nothing missing.
    if hr(status) == Outcome::NotFired {
        return (Outcome::NotFired, Vec::new());
    }
    let (o, mut m) = e.decide_missing(f);
    let out = hr(status).and(o);
    if hr(status) == Outcome::Indeterminate {
        m.insert(0, "high_risk");
    }
    (
        out,
        if out == Outcome::Indeterminate {
            m
        } else {
            Vec::new()
        },
    )
}

/// A condition that several of a plan's enumerations ask: its answer when it is a
/// constant of the person ([`Enumerations::constant`]: every input it reads is
/// known), read in place of asking it again on every run.
struct Shared<F> {
    known: Option<bool>,
    ask: F,
}

impl<F: Fn(&mut Oracle) -> bool> Shared<F> {
    fn new(e: &mut Enumerations, ask: F) -> Self {
        Shared {
            known: e.constant(&ask),
            ask,
        }
    }

    /// The answer on this run.
    fn get(&self, q: &mut Oracle) -> bool {
        match self.known {
            Some(b) => b,
            None => (self.ask)(q),
        }
    }
}

/// Builds the plan of one assessed person. Inputs: the record and the values QC lets
/// the rules see, the programme high-risk status (`mpp-2014`), the China-PAR 10-year
/// percentage when computed (only used by `aspirin_risk_source = ChinaPar`) and the
/// guideline options.
pub fn plan(
    rec: &ScreeningRecord,
    ev: &EvaluatedRecord,
    high_risk: HighRiskStatus,
    china_par_pct: Option<f64>,
    opts: &GuidelineOptions,
) -> Plan {
    let p = Person::new(rec, ev, opts.canonical_unit);
    // One oracle for every enumeration.
    let mut e = Enumerations::new();
    let strat = lipid::stratify_with(&p, opts.lipid_ruleset, &mut e);
    let target = lipid::ldl_target_with(&p, opts.lipid_ruleset, &mut e);
    plan_with(&p, high_risk, china_par_pct, opts, &strat, &target, &mut e)
}

/// As [`plan`], for a caller that has already stratified the person under
/// `opts.lipid_ruleset` ([`lipid::stratify`] and [`lipid::ldl_target`] of the same
/// person): the pipeline computes those once for its own columns. Every enumeration
/// of the plan runs on `e` (the caller's oracle, taken from the pool once for all
/// of its questions).
pub(crate) fn plan_with(
    p: &Person<'_>,
    high_risk: HighRiskStatus,
    china_par_pct: Option<f64>,
    opts: &GuidelineOptions,
    strat: &lipid::LipidStratum,
    target: &lipid::TargetResult,
    e: &mut Enumerations,
) -> Plan {
    let rec = p.rec;
    let ev = p.ev;
    let p = *p;
    // Every item's decision first, then the items: the list is allocated once, at its
    // final size. The decisions are taken in item order, which is also priority
    // order (the glucose referral, High, before aspirin, Routine), so the list needs
    // no sorting.
    let urgent = urgent_referral_with(&p, e);
    let urgent_o = if urgent.fired {
        Outcome::Fired
    } else {
        Outcome::NotFired
    };
    // High-risk survey referral (HRS-1…8).
    let hr_o = hr(high_risk);
    // Secondary prevention (INT-3).
    let (sec_o, sec_m) = with_hr(e, high_risk, |q| p.cond1_cvd(q));
    // Antihypertensive start (CN2020-4) for every screenee with hypertension.
    // Hypertension (COND-3) is asked by the BP-drug decision and three items: a
    // constant for all of them when its inputs are known.
    let htn = Shared::new(e, |q: &mut Oracle| p.cond3_htn(q));
    let mut bpd = cn2020::bp_drugs_with(&p, e, htn.known);
    let (ah_o, ah_m) = match bpd.decision {
        Some(BpDrugDecision::Start) => (Outcome::Fired, Vec::new()),
        Some(_) => (Outcome::NotFired, Vec::new()),
        None => (Outcome::Indeterminate, std::mem::take(&mut bpd.missing)),
    };
    let (ts, td) = bpd.target.unwrap_or((140.0, 90.0));
    // BP control advice (INT-2).
    let (bpc_o, bpc_m) = with_hr(e, high_risk, |q| htn.get(q));
    // Statin: a lipid stratum of high or above, or a CN2020-3 indication.
    let by_level = match strat.level {
        Some(l) if l >= LipidLevel::High => Outcome::Fired,
        Some(_) => Outcome::NotFired,
        None => Outcome::Indeterminate,
    };
    let (st_o, st_m) = if by_level == Outcome::Fired {
        // Recommended whatever CN2020-3 says, and a recommended item lists nothing
        // missing: the indication is not asked.
        (Outcome::Fired, Vec::new())
    } else {
        let statin_in = cn2020::statin_with(&p, e);
        let statin = match &statin_in {
            Ok(StatinIndication::NotIndicated | StatinIndication::Consider) => Outcome::NotFired,
            Ok(_) => Outcome::Fired,
            Err(_) => Outcome::Indeterminate,
        };
        let mut st_m = strat.missing.clone();
        if let Err(mm) = statin_in {
            for f in mm {
                if !st_m.contains(&f) {
                    st_m.push(f);
                }
            }
        }
        (by_level.or(statin), st_m)
    };
    // Lipid control advice (INT-2).
    let (lc_o, lc_m) = with_hr(e, high_risk, |q| p.cond4_dyslipidaemia(q));
    // Glucose management referral (BPHS-DM-1, INT-2).
    let (gl_o, gl_m) = e.decide_missing(|q| p.cond5_diabetes(q) && p.age(q, Op::Ge, 35.0));
    // Aspirin consideration (CN2020-2, UNVERIFIED).
    let mut asp = cn2020::aspirin_with(&p, opts.aspirin_risk_source, china_par_pct, e);
    let (asp_o, asp_en, asp_zh) = match asp.advice {
        AspirinAdvice::MayBeConsidered => (
            Outcome::Fired,
            "Low-dose aspirin (75–100 mg/day) may be considered (class IIb)",
            "可考虑小剂量阿司匹林（75–100 mg/d，IIb类推荐）",
        ),
        AspirinAdvice::ConsiderAfterBleedingAssessment => (
            Outcome::Indeterminate,
            "Consider low-dose aspirin after assessing bleeding risk",
            "评估出血风险后考虑小剂量阿司匹林",
        ),
        AspirinAdvice::Indeterminate => (
            Outcome::Indeterminate,
            "Aspirin eligibility undecided",
            "阿司匹林适用性无法判定",
        ),
        AspirinAdvice::NotRecommendedBleeding | AspirinAdvice::NotApplicable => {
            (Outcome::NotFired, "", "")
        }
    };
    // Targeted lifestyle items (INT-1 targeting, INT-PLAN-1).
    let (sm_o, sm_m) = e.decide_missing(|q| p.smoker(q));
    let (ds_o, ds_m) =
        e.decide_missing(|q| htn.get(q) || q.flag("high_salt_diet", rec.high_salt_diet));
    let overweight = |q: &mut Oracle| {
        p.bmi(q, Op::Ge, 24.0) || {
            let t = if p.male(q) { 90.0 } else { 85.0 };
            q.cmp(
                "waist_cm",
                ev.waist.map_or(
                    crate::value::Interval::closed(
                        crate::guideline::conditions::plausible::WAIST.0,
                        crate::guideline::conditions::plausible::WAIST.1,
                    ),
                    |w| crate::value::Interval::point(w.0),
                ),
                Op::Ge,
                t,
            )
        }
    };
    let overweight = Shared::new(e, overweight);
    let (w_o, w_m) = e.decide_missing(|q| overweight.get(q));
    let (pa_o, pa_m) = e.decide_missing(|q| overweight.get(q) || htn.get(q) || p.cond5_diabetes(q));

    // The handbook item is always kept.
    let kept = 1 + [
        urgent_o, hr_o, sec_o, ah_o, bpc_o, st_o, lc_o, gl_o, asp_o, sm_o, ds_o, w_o, pa_o,
    ]
    .iter()
    .filter(|o| **o != Outcome::NotFired)
    .count();
    let mut b = Builder {
        items: Vec::with_capacity(kept),
    };

    // Emergency referral (BPHS-HTN-5, BPHS-DM-4) for every screenee.
    if urgent.fired {
        let which: Vec<&str> = urgent
            .criteria
            .iter()
            .filter(|c| c.outcome == Outcome::Fired)
            .map(|c| c.criterion)
            .collect();
        let bp = which.contains(&"bp");
        let rules = if bp {
            fixed!(BPHS_HTN_5, BPHS_DM_4)
        } else {
            fixed!(BPHS_DM_4)
        };
        b.add(Outcome::Fired, Vec::new(), "urgent_referral", ItemKind::UrgentReferral, Priority::Urgent, rules, || (format!("Emergency referral to a higher-level hospital after first aid ({}); follow up within 2 weeks", which.join(", ")).into(), format!("紧急处理后转诊至上级医院（{}），2周内随访", which.join("、")).into()));
    }
    b.add(hr_o, if high_risk == HighRiskStatus::Indeterminate { vec!["high_risk"] } else { Vec::new() }, "hr_survey_referral", ItemKind::HospitalReferral, Priority::High, fixed!(HRS_8), || ("Referral to the technical-support hospital for the high-risk survey: questionnaire, ECG, carotid ultrasound, echocardiography, blood and urine tests".into(), "转至技术支持医院进行高危对象调查：问卷、心电图、颈动脉超声、心脏超声、血尿检测".into()));
    b.add(sec_o, sec_m, "secondary_prevention", ItemKind::SecondaryPrevention, Priority::High, fixed!(INT_3), || ("Established CVD: individual drug-therapy and rehabilitation advice to prevent progression and recurrence".into(), "已患心血管病：给予个体化药物治疗和康复指导，预防进展和复发".into()));
    b.add(
        ah_o,
        ah_m,
        "antihypertensive",
        ItemKind::Antihypertensive,
        Priority::High,
        fixed!(cn2020::CN2020_4),
        || antihypertensive_texts(ts, td),
    );
    b.add(
        bpc_o,
        bpc_m,
        "bp_control",
        ItemKind::BpControl,
        Priority::High,
        fixed!(INT_2, COND_3),
        || {
            (
                "Hypertension: individual blood-pressure control advice".into(),
                "高血压：个体化血压控制指导".into(),
            )
        },
    );
    if st_o != Outcome::NotFired {
        // The stratum's target and stratum rules when the stratum recommends the
        // statin, then CN2020-3 and LIP-TX-1: the list is read in place.
        let (target_rules, strat_rules): (&[&'static str], &[&'static str]) =
            if by_level == Outcome::Fired {
                (target.target().map_or(&[], |t| &t.rules), &strat.rules)
            } else {
                (&[], &[])
            };
        let srules = [
            target_rules,
            strat_rules,
            &[cn2020::CN2020_3, lipid::LIP_TX_1],
        ];
        b.add(
            st_o,
            st_m,
            "statin",
            ItemKind::Statin,
            Priority::High,
            RuleList::Built(&srules),
            || statin_texts(target.target()),
        );
    }
    b.add(
        lc_o,
        lc_m,
        "lipid_control",
        ItemKind::LipidControl,
        Priority::High,
        fixed!(INT_2, COND_4),
        || {
            (
                "Dyslipidaemia: individual lipid control advice".into(),
                "血脂异常：个体化血脂控制指导".into(),
            )
        },
    );
    b.add(gl_o, gl_m, "glucose_management_referral", ItemKind::GlucoseManagementReferral, Priority::High, fixed!(BPHS_DM_1, COND_5, INT_2), || ("Diabetes: refer to basic-public-health type-2 diabetes management (fasting glucose 4 times a year)".into(), "糖尿病：纳入基本公共卫生2型糖尿病患者健康管理（每年4次空腹血糖检测）".into()));
    b.add(
        asp_o,
        std::mem::take(&mut asp.missing),
        "aspirin_consideration",
        ItemKind::AspirinConsideration,
        Priority::Routine,
        fixed!(cn2020::CN2020_2),
        || (asp_en.into(), asp_zh.into()),
    );
    b.add(
        sm_o,
        sm_m,
        "smoking_cessation",
        ItemKind::SmokingCessation,
        Priority::Routine,
        fixed!(INT_PLAN_1, INT_1),
        || {
            (
                "Stop smoking; offer cessation support".into(),
                "戒烟，提供戒烟支持".into(),
            )
        },
    );
    b.add(
        ds_o,
        ds_m,
        "diet_salt",
        ItemKind::DietSalt,
        Priority::Routine,
        fixed!(INT_PLAN_1, INT_1),
        || {
            (
                "Reduce salt and fat intake; healthy diet".into(),
                "减少食盐和脂肪摄入，合理膳食".into(),
            )
        },
    );
    b.add(
        w_o,
        w_m,
        "weight",
        ItemKind::Weight,
        Priority::Routine,
        fixed!(INT_PLAN_1, INT_1),
        || {
            (
                "Weight control towards BMI < 24 kg/m²".into(),
                "控制体重，使BMI<24 kg/m²".into(),
            )
        },
    );
    b.add(
        pa_o,
        pa_m,
        "physical_activity",
        ItemKind::PhysicalActivity,
        Priority::Routine,
        fixed!(INT_PLAN_1, INT_1),
        || {
            (
                "Regular, appropriate physical activity and exercise".into(),
                "规律、适量的身体活动和运动".into(),
            )
        },
    );
    // Handbook and general lifestyle advice for every screenee (INT-1).
    b.add(Outcome::Fired, Vec::new(), "handbook_lifestyle", ItemKind::HandbookLifestyle, Priority::Routine, fixed!(INT_1), || ("Health handbook; advice: no smoking, limit alcohol, healthy low-fat diet, weight control, regular exercise".into(), "发放《健康手册》；指导戒烟限酒、合理低脂膳食、控制体重、适量运动".into()));
    let items = b.items;
    debug_assert!(items.windows(2).all(|w| w[0].priority <= w[1].priority));
    debug_assert_eq!(items.len(), kept);
    Plan {
        items,
        urgent,
        guideline_derived: true,
        lipid_ruleset: opts.lipid_ruleset.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::xorshift64;

    /// The lipid procedure's memo (`lipid::with_memo`, used by the pipeline) changes
    /// no result: persons with every mix of known, unknown and censored inputs.
    #[test]
    fn memoised_guideline_is_the_plain_one() {
        use crate::guideline::lipid::LipidRuleSet;
        let fields: [(&str, &[&str]); 26] = [
            ("sex", &["male", "female"]),
            ("age", &["38", "45", "52", "58", "66", "72"]),
            ("sbp", &["118", "135", "145", "165", "185"]),
            ("dbp", &["72", "85", "95", "105", "112"]),
            ("tc_mmol", &["3.0", "4.5", "5.6", "7.5", "<4.0", ">6.0"]),
            ("hdl_mmol", &["0.8", "1.1", "1.6", "<1.0"]),
            (
                "ldl_mmol",
                &["1.5", "2.2", "3.0", "3.8", "5.2", "<2.0", ">4.0"],
            ),
            ("ldl_mgdl", &["90", "140", "<100"]),
            ("fbg_mmol", &["3.5", "5.2", "7.5", "17.0"]),
            ("current_smoker", &["0", "1"]),
            ("diabetes", &["0", "1"]),
            ("bp_treated", &["0", "1"]),
            ("lipid_treated", &["0", "1"]),
            ("history_mi", &["0", "1"]),
            ("history_pci", &["0", "1"]),
            ("history_cabg", &["0"]),
            ("history_ischaemic_stroke", &["0", "1"]),
            ("history_haemorrhagic_stroke", &["0"]),
            ("egfr", &["12", "45", "90"]),
            ("ckd_stage", &["2", "3a", "4"]),
            ("manage_as_high_risk", &["0", "1"]),
            ("history_tia", &["0", "1"]),
            ("acs_within_12m", &["0", "1"]),
            ("severe_ascvd_events", &["0", "1", "2"]),
            ("height_cm", &["160", "175"]),
            ("weight_kg", &["55", "80", "95"]),
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || xorshift64(&mut x);
        for _ in 0..3000 {
            let mut pairs = Vec::new();
            for (name, values) in fields {
                let r = next();
                // About a third of the cells empty.
                if r % 3 != 0 {
                    pairs.push((name, values[(r >> 8) as usize % values.len()]));
                }
            }
            let (rec, ev) = person(&pairs);
            let hr = mpp2014::evaluate(&rec, &ev, &Profile::default()).status;
            for rs in [LipidRuleSet::Lip2023, LipidRuleSet::Lip2016] {
                let opts = GuidelineOptions {
                    lipid_ruleset: rs,
                    ..GuidelineOptions::default()
                };
                let p = Person::new(&rec, &ev, opts.canonical_unit);
                let all = || {
                    (
                        lipid::stratify(&p, rs),
                        // Steps 1–3 of a 2023 run, steps 4–5 of its own (flags
                        // collected).
                        cn2020::stratify(&p),
                        lipid::ldl_target(&p, rs),
                        plan(&rec, &ev, hr, Some(12.5), &opts),
                        cn2020::statin(&p),
                        cn2020::aspirin(&p, opts.aspirin_risk_source, Some(12.5)),
                        cn2020::bp_drugs(&p),
                        // Memoised by now: the assumed-absent flags are replayed.
                        lipid::stratify(&p, rs),
                        cn2020::stratify(&p),
                    )
                };
                assert_eq!(lipid::with_memo(all), all(), "{pairs:?}");
            }
        }
    }

    #[test]
    fn static_texts_are_the_formatted_ones() {
        for (ts, td) in [(140.0, 90.0), (130.0, 80.0), (135.0, 85.5)] {
            let (en, zh) = antihypertensive_texts(ts, td);
            assert_eq!(
                en,
                format!("Start antihypertensive drugs; BP target < {ts}/{td} mmHg")
            );
            assert_eq!(zh, format!("启动降压药物治疗；血压目标<{ts}/{td} mmHg"));
        }
        let (en, zh) = statin_texts(None);
        assert_eq!(en, "Statin (moderate intensity first; recheck lipids after 4–6 weeks); target LDL-C target to be set");
        assert_eq!(
            zh,
            "他汀治疗（起始中等强度，4–6周后复查血脂）；目标LDL-C目标值待定"
        );
        for v in [1.4, 1.8, 2.6, 3.4, 2.2] {
            for reduction_required in [false, true] {
                let t = lipid::LdlTarget {
                    ldl_mmol: v,
                    non_hdl_mmol: 0.0,
                    reduction_required,
                    rules: Vec::new(),
                };
                let (ten, tzh) = if reduction_required {
                    (
                        format!("LDL-C < {v} mmol/L and a reduction > 50 % from baseline"),
                        format!("LDL-C<{v} mmol/L且较基线降低>50%"),
                    )
                } else {
                    (format!("LDL-C < {v} mmol/L"), format!("LDL-C<{v} mmol/L"))
                };
                let (en, zh) = statin_texts(Some(&t));
                assert_eq!(en, format!("Statin (moderate intensity first; recheck lipids after 4–6 weeks); target {ten}"));
                assert_eq!(
                    zh,
                    format!("他汀治疗（起始中等强度，4–6周后复查血脂）；目标{tzh}")
                );
            }
        }
    }
    use crate::criteria::mpp2014;
    use crate::guideline::conditions::tests::person;
    use crate::profile::Profile;
    use proptest::prelude::*;

    fn plan_of(pairs: &[(&str, &str)]) -> Plan {
        let (rec, ev) = person(pairs);
        let hr = mpp2014::evaluate(&rec, &ev, &Profile::default()).status;
        plan(&rec, &ev, hr, None, &GuidelineOptions::default())
    }

    /// Urgent BP, very high glucose, diabetes, high LDL-C: a plan with many items.
    const URGENT_DIABETIC: &[(&str, &str)] = &[
        ("sbp", "185"),
        ("dbp", "95"),
        ("fbg_mmol", "17"),
        ("diabetes", "1"),
        ("age", "50"),
        ("ldl_mmol", "5.0"),
    ];

    #[test]
    fn every_plan_item_has_its_rules_citation_and_evidence() {
        let people: [&[(&str, &str)]; 4] = [
            URGENT_DIABETIC,
            &[("age", "45"), ("sbp", "120"), ("dbp", "75")],
            &[("age", "62"), ("history_mi", "1"), ("current_smoker", "1")],
            &[
                ("age", "58"),
                ("sbp", "150"),
                ("dbp", "92"),
                ("bp_treated", "1"),
            ],
        ];
        for person in people {
            for i in &plan_of(person).items {
                assert!(!i.citation.is_empty(), "{} has no citation", i.id);
                assert!(
                    !i.evidence.to_vec().is_empty(),
                    "{} has no evidence label",
                    i.id
                );
            }
        }
    }

    #[test]
    fn in_line_lists_serialise_and_print_as_the_vecs_they_were() {
        let p = plan_of(URGENT_DIABETIC);
        assert!(p.items.iter().any(|i| i.evidence.len() > 1));
        for i in &p.items {
            let v = i.evidence.to_vec();
            assert_eq!(
                serde_json::to_string(&i.evidence).unwrap(),
                serde_json::to_string(&v).unwrap()
            );
            assert_eq!(format!("{:?}", i.evidence), format!("{v:?}"));
        }
        let u = &p.urgent;
        assert_eq!(
            serde_json::to_value(u).unwrap()["criteria"],
            serde_json::to_value(u.criteria.to_vec()).unwrap()
        );
        assert_eq!(
            format!("{:?}", u.criteria),
            format!("{:?}", u.criteria.to_vec())
        );
    }

    #[test]
    fn urgent_thresholds_both_sides() {
        let u = |pairs: &[(&str, &str)]| plan_of(pairs).urgent;
        assert!(u(&[("sbp", "180"), ("dbp", "90")]).fired);
        assert!(!u(&[("sbp", "179.9"), ("dbp", "109.9"), ("fbg_mmol", "5")]).fired);
        assert!(u(&[("sbp", "150"), ("dbp", "110")]).fired);
        assert!(u(&[("sbp", "120"), ("dbp", "80"), ("fbg_mmol", "16.7")]).fired);
        assert!(!u(&[("sbp", "120"), ("dbp", "80"), ("fbg_mmol", "16.69")]).fired);
        assert!(u(&[("sbp", "120"), ("dbp", "80"), ("fbg_mgdl", "300")]).fired);
        assert!(!u(&[("sbp", "120"), ("dbp", "80"), ("fbg_mgdl", "299")]).fired);
        assert!(u(&[("sbp", "120"), ("dbp", "80"), ("fbg_mgdl", "70")]).fired);
        assert!(u(&[("sbp", "120"), ("dbp", "80"), ("fbg_mmol", "3.9")]).fired);
        assert!(!u(&[("sbp", "120"), ("dbp", "80"), ("fbg_mmol", "3.91")]).fired);
        // No glucose: "no", with the glucose criteria listed as not evaluated.
        let x = u(&[("sbp", "120"), ("dbp", "80")]);
        assert_eq!(
            (x.column(), x.not_evaluated.clone()),
            ("no", vec!["glucose_high", "glucose_low"])
        );
        let p = plan_of(&[("sbp", "185"), ("dbp", "95")]);
        assert_eq!(p.items[0].id, "urgent_referral");
        assert_eq!(p.items[0].priority, Priority::Urgent);
    }

    #[test]
    fn every_screenee_gets_the_handbook_and_unverified_items_say_so() {
        let p = plan_of(&[]);
        assert!(p.column().ends_with("handbook_lifestyle"));
        let p = plan_of(&[
            ("sex", "male"),
            ("age", "60"),
            ("sbp", "150"),
            ("dbp", "85"),
            ("bp_treated", "0"),
            ("history_mi", "0"),
            ("history_pci", "0"),
            ("history_cabg", "0"),
            ("history_ischaemic_stroke", "0"),
            ("history_haemorrhagic_stroke", "0"),
            ("diabetes", "1"),
            ("current_smoker", "0"),
            ("tc_mmol", "6.0"),
            ("ldl_mmol", "4.0"),
            ("hdl_mmol", "1.2"),
            ("tg_mmol", "1.5"),
            ("fbg_mmol", "6.5"),
            ("bmi", "23"),
            ("waist_cm", "80"),
            ("lipid_treated", "0"),
            ("high_salt_diet", "0"),
            ("bleeding_risk_high", "0"),
        ]);
        let rec = p.recommended();
        for id in [
            "antihypertensive",
            "statin",
            "glucose_management_referral",
            "aspirin_consideration",
            "diet_salt",
        ] {
            assert!(rec.contains(&id), "{id} missing from {rec:?}");
        }
        let asp = p
            .items
            .iter()
            .find(|i| i.id == "aspirin_consideration")
            .unwrap();
        assert!(asp.evidence.contains(&Evidence::Unverified));
        let st = p.items.iter().find(|i| i.id == "statin").unwrap();
        assert!(st.en.contains("LDL-C < 1.8 mmol/L"), "{}", st.en);
    }

    fn base(
        sbp: f64,
        dbp: f64,
        ldl: f64,
        hdl: f64,
        flags: [bool; 5],
        age: u8,
    ) -> Vec<(String, String)> {
        let b = |x: bool| if x { "1" } else { "0" }.to_string();
        vec![
            ("sex".into(), "male".into()),
            ("age".into(), age.to_string()),
            ("sbp".into(), format!("{sbp}")),
            ("dbp".into(), format!("{dbp}")),
            ("bp_treated".into(), "0".into()),
            ("ldl_mmol".into(), format!("{ldl}")),
            // TC rises with LDL-C only, so "more risk" never lowers TC.
            ("tc_mmol".into(), format!("{}", ldl + 2.3)),
            ("hdl_mmol".into(), format!("{hdl}")),
            ("tg_mmol".into(), "1.5".into()),
            ("fbg_mmol".into(), "5.5".into()),
            ("bmi".into(), "23".into()),
            ("waist_cm".into(), "80".into()),
            ("lipid_treated".into(), "0".into()),
            ("history_mi".into(), b(flags[0])),
            ("history_ischaemic_stroke".into(), b(flags[1])),
            ("history_pci".into(), b(flags[2])),
            ("history_cabg".into(), "0".into()),
            ("history_haemorrhagic_stroke".into(), "0".into()),
            ("diabetes".into(), b(flags[3])),
            ("current_smoker".into(), b(flags[4])),
        ]
    }

    fn intensity(pairs: &[(String, String)]) -> Vec<&'static str> {
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        plan_of(&refs).intensity()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn more_risk_never_less_intensive(
            sbp in 100.0f64..200.0, dbp in 60.0f64..95.0, ldl in 1.0f64..5.5, hdl in 0.6f64..2.0,
            flags in proptest::array::uniform5(any::<bool>()), more in proptest::array::uniform5(any::<bool>()),
            dsbp in 0.0f64..40.0, ddbp in 0.0f64..20.0, dldl in 0.0f64..1.5, dhdl in 0.0f64..0.5, age in 35u8..76,
        ) {
            let lo = intensity(&base(sbp, dbp, ldl, hdl, flags, age));
            let mut f2 = flags;
            for i in 0..5 { f2[i] |= more[i]; }
            // A valid reading pair needs SBP > DBP (BP-9), otherwise the BP is unknown.
            let sbp2 = (sbp + dsbp).min(260.0);
            let dbp2 = (dbp + ddbp).min(140.0).min(sbp2 - 1.0);
            let hi = intensity(&base(sbp2, dbp2, ldl + dldl, (hdl - dhdl).max(0.5), f2, age));
            for id in &lo {
                prop_assert!(hi.contains(id), "{id} lost: {lo:?} → {hi:?}");
            }
        }

        #[test]
        fn urgent_fires_at_or_above_thresholds(sbp in 180.0f64..270.0, dbp in 40.0f64..=110.0, g in 16.7f64..30.0, gm in 300.0f64..540.0, low in 2.0f64..=3.9, lowm in 36.0f64..=70.0) {
            let (s1, d1) = (format!("{sbp}"), format!("{dbp}"));
            let bp = plan_of(&[("sbp", s1.as_str()), ("dbp", "80")]).urgent.fired;
            let bp2 = plan_of(&[("sbp", "179"), ("dbp", d1.as_str())]).urgent.fired == (dbp >= 110.0);
            let (g1, g2, g3, g4) = (format!("{g}"), format!("{gm}"), format!("{low}"), format!("{lowm}"));
            let hi = plan_of(&[("fbg_mmol", g1.as_str())]).urgent.fired;
            let him = plan_of(&[("fbg_mgdl", g2.as_str())]).urgent.fired;
            let lo = plan_of(&[("fbg_mmol", g3.as_str())]).urgent.fired;
            let lom = plan_of(&[("fbg_mgdl", g4.as_str())]).urgent.fired;
            prop_assert!(bp && bp2 && hi && him && lo && lom);
        }

        #[test]
        fn urgent_silent_below_thresholds(sbp in 90.0f64..179.99, dbp in 50.0f64..89.0, g in 3.91f64..16.69) {
            let (a, b, c) = (format!("{sbp}"), format!("{dbp}"), format!("{g}"));
            let p = plan_of(&[("sbp", a.as_str()), ("dbp", b.as_str()), ("fbg_mmol", c.as_str())]);
            prop_assert!(!p.urgent.fired);
            prop_assert!(p.urgent.not_evaluated.is_empty());
        }
    }
}
