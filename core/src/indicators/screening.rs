//! Indicators over screening assessments (§11.1): a streaming, mergeable
//! accumulator grouped by any combination of site, month, sex and age band.
//!
//! Build one [`IndicatorRow`] per screening record with
//! [`IndicatorRow::from_assessment`], feed it to [`ScreeningAccumulator::add`], merge
//! per-chunk accumulators with [`ScreeningAccumulator::merge`], and read the result as
//! a long table with [`ScreeningAccumulator::table`].
//!
//! **Counting unit (IND-GEN-1).** Records (IND-MPP-18, IND-QC-WARN) are counted as
//! rows; every other indicator counts persons, deduplicated within a group by a
//! 64-bit FNV-1a hash of `id`. A person with several records in one group is
//! combined: the highest status wins (`HighRisk` > `Indeterminate` > `NotHighRisk`),
//! reason classes, fired rules and flags are OR-ed. Rows without an `id` count as
//! records only (they are DQ-PRG-3 rejects anyway).
//!
//! **Memory.** The accumulator keeps the groups' record counters and three flat
//! vectors of fixed-size entries keyed by (group index, 64-bit person hash):
//! screened persons (24 bytes: hash, group, flags, age, sex and an index into the
//! interned table of distinct missing-field sets), surveyed and intervened persons
//! (16 bytes each). Nothing per person is heap-allocated and no id string is kept.
//! Entries are appended as rows arrive and compacted (sorted, one entry per person
//! and group) whenever their number doubles, so memory follows the number of
//! distinct persons per group, never the number of rows: about 24–48 MB for a
//! million persons while accumulating, 24 MB after [`ScreeningAccumulator::compact`].
//! A regrouped copy costs the same again. The hash makes the distinct count exact
//! up to collisions: with n distinct ids the probability of any collision is about
//! n²/2⁶⁵ (≈ 3·10⁻⁸ for a million ids, ≈ 3·10⁻⁶ for ten million); a collision would
//! merge two persons into one. Merging is a union of these stores, so chunked
//! accumulation followed by `merge` gives exactly the one-shot numbers.
//!
//! **Hypertension and diabetes indicators** (\[DECISION\]; §11 does not define
//! awareness, treatment or control; the programme reports them for its cohort in
//! S4, Lancet 2017, which defines hypertension as SBP ≥ 140, DBP ≥ 90 or
//! antihypertensive use and control as BP < 140/90). Among screened persons
//! (IND-MPP-1):
//! - hypertensive = COND-3: derived BP (after QC masking) ≥ 140 or ≥ 90, or
//!   `bp_treated` = 1, or `hypertension` = 1; not hypertensive when the BP is known
//!   and below both, `bp_treated` = 0 and `hypertension` is not 1; otherwise unknown.
//!   Prevalence IND-HTN-1 = hypertensive ÷ persons with a known status (key
//!   `unknown` gives the count left out);
//! - aware IND-HTN-2 = `hypertension` = 1 or `bp_treated` = 1, ÷ hypertensives
//!   (a person on treatment knows the diagnosis);
//! - treated IND-HTN-3 = `bp_treated` = 1, ÷ hypertensives;
//! - controlled IND-HTN-4 = treated with derived BP < 140/90, ÷ hypertensives (key
//!   `treated`: ÷ treated).
//!
//! Diabetes uses the programme status (COND-5, never derived from glucose), so an
//! awareness rate would be 100 % by construction and is not reported: IND-DM-1
//! prevalence (÷ persons with a known status), IND-DM-3 treatment
//! (`glucose_treated`), IND-DM-4 control (treated with fasting glucose < 7.0 mmol/L,
//! 126 mg/dL as reported, the BPHS-DM-6 target).
//!
//! **Placement (IND-GEN-2).** Screening indicators are placed by `screen_date`;
//! IND-MPP-5, -8 and -12 by `hr_exam_date` (a row without one has no survey event);
//! the quota task `intervention` by `intervention_date`. IND-MPP-5 counts persons
//! meeting HRS-8 whatever their `qc_status` (the formula has no QC condition);
//! IND-MPP-12's denominator is the surveyed persons whose status is `HighRisk`.

use super::*;
use crate::assess::Assessment;
use crate::criteria::mpp2014::{HighRiskStatus, RULE_IDS};
use crate::date::Date;
use crate::qc::QcStatus;
use crate::record::{ScreeningRecord, Sex};
use crate::units::Conc;
use crate::units::{ConcUnit, Glucose};
use crate::value::{Censor, Obs, Outcome};
use std::collections::{BTreeMap, HashMap};

/// IND-POP-1 age bands: label, first and last completed year (inclusive).
pub const AGE_BANDS: [(&str, i32, i32); 8] = [
    ("35-39", 35, 39),
    ("40-44", 40, 44),
    ("45-49", 45, 49),
    ("50-54", 50, 54),
    ("55-59", 55, 59),
    ("60-64", 60, 64),
    ("65-69", 65, 69),
    ("70-75", 70, 75),
];

/// Group label for persons outside every IND-POP-1 band.
pub const BAND_OUTSIDE: &str = "outside";
/// Group label for an unknown age or sex.
pub const UNKNOWN: &str = "unknown";
/// Period label of rows whose event date is empty (IND-GEN-2).
pub const UNDATED: &str = "undated";

/// IND-POP-1 band of a completed age.
pub fn age_band(age: i32) -> Option<&'static str> {
    AGE_BANDS
        .iter()
        .find(|(_, lo, hi)| (*lo..=*hi).contains(&age))
        .map(|b| b.0)
}

/// The seven HRS-8 item columns, in order.
pub const SURVEY_ITEMS: [&str; 7] = [
    "hr_questionnaire_done",
    "hr_checklist_done",
    "ecg_done",
    "carotid_us_done",
    "echo_done",
    "blood_sample_done",
    "urine_sample_done",
];

/// Fasting glucose below the 7.0 mmol/L (126 mg/dL) target, compared as reported
/// (UNIT-7). A censored value decides only when its whole interval lies on one
/// side; otherwise, and for an unknown value, `None`.
pub fn fbg_below_target(fbg: Obs<Conc<Glucose>>) -> Option<bool> {
    let t = |u: ConcUnit| match u {
        ConcUnit::MmolL => 7.0,
        ConcUnit::MgDl => 126.0,
    };
    match fbg {
        Obs::Known(c) => Some(c.raw() < t(c.unit())),
        Obs::Censored { bound, dir } => {
            let (b, th) = (bound.raw(), t(bound.unit()));
            match dir {
                Censor::Below if b <= th => Some(true),
                Censor::Above if b >= th => Some(false),
                _ => None,
            }
        }
        Obs::Unknown => None,
    }
}

/// The inputs of the screening indicators for one record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndicatorRow {
    /// `id`.
    pub id: Option<String>,
    /// `site_id` (empty = `""`).
    pub site_id: String,
    /// `screen_date`.
    pub screen_date: Option<Date>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Completed years at `screen_date` (UNIT-10; floor of a supplied age).
    pub age_completed: Option<i32>,
    /// QC status.
    pub qc_status: QcStatus,
    /// QC rule ids, each once.
    pub rule_ids: Vec<&'static str>,
    /// High-risk status recomputed under the profile's rule set.
    pub high_risk: HighRiskStatus,
    /// Classes (`A`, `B`, `C`) with a fired criterion.
    pub reason_classes: Vec<char>,
    /// Criteria that fired (`MPP2014-HR-n`).
    pub fired_rules: Vec<&'static str>,
    /// Inputs whose absence left the status undecided.
    pub missing_fields: Vec<&'static str>,
    /// Derived SBP as the rules saw it.
    pub sbp: Option<f64>,
    /// Derived DBP as the rules saw it.
    pub dbp: Option<f64>,
    /// `bp_treated`.
    pub bp_treated: Option<bool>,
    /// `hypertension` (self-reported diagnosis).
    pub hypertension: Option<bool>,
    /// Diabetes status (COND-5).
    pub diabetes: Option<bool>,
    /// `glucose_treated`.
    pub glucose_treated: Option<bool>,
    /// Fasting glucose as reported (after QC masking).
    pub fbg: Obs<Conc<Glucose>>,
    /// `hr_exam_date`.
    pub hr_exam_date: Option<Date>,
    /// The seven HRS-8 items, in [`SURVEY_ITEMS`] order (empty = not done).
    pub survey_items: [bool; 7],
    /// `intervention_date`.
    pub intervention_date: Option<Date>,
}

impl IndicatorRow {
    /// Takes what the indicators need from a record and its assessment.
    pub fn from_assessment(rec: &ScreeningRecord, a: &Assessment) -> Self {
        let hr = &a.high_risk;
        let fired: Vec<&'static str> = hr
            .rules
            .iter()
            .filter(|r| r.outcome == Outcome::Fired)
            .map(|r| r.rule_id)
            .collect();
        let items = [
            rec.hr_questionnaire_done,
            rec.hr_checklist_done,
            rec.ecg_done,
            rec.carotid_us_done,
            rec.echo_done,
            rec.blood_sample_done,
            rec.urine_sample_done,
        ]
        .map(|b| b == Some(true));
        IndicatorRow {
            id: a.id.clone(),
            site_id: a.site_id.clone().unwrap_or_default(),
            screen_date: a.screen_date,
            sex: a.sex,
            age_completed: a.age.map(|x| x.completed),
            qc_status: a.qc_status(),
            rule_ids: a.qc.rule_ids(),
            high_risk: hr.status,
            reason_classes: hr.classes(),
            fired_rules: fired,
            missing_fields: hr.missing_fields.clone(),
            sbp: a.evaluated.sbp(),
            dbp: a.evaluated.dbp(),
            bp_treated: rec.bp_treated,
            hypertension: rec.hypertension,
            diabetes: a.evaluated.diabetes,
            glucose_treated: rec.glucose_treated,
            fbg: a.evaluated.fbg,
            hr_exam_date: rec.hr_exam_date,
            survey_items: items,
            intervention_date: rec.intervention_date,
        }
    }

    /// COND-3 hypertension status.
    pub fn hypertensive(&self) -> Option<bool> {
        let bp_high = match (self.sbp, self.dbp) {
            (Some(s), _) if s >= 140.0 => Some(true),
            (_, Some(d)) if d >= 90.0 => Some(true),
            (Some(_), Some(_)) => Some(false),
            _ => None,
        };
        if bp_high == Some(true) || self.bp_treated == Some(true) || self.hypertension == Some(true)
        {
            Some(true)
        } else if bp_high == Some(false) && self.bp_treated == Some(false) {
            Some(false)
        } else {
            None
        }
    }

    fn bp_below_140_90(&self) -> bool {
        matches!((self.sbp, self.dbp), (Some(s), Some(d)) if s < 140.0 && d < 90.0)
    }
}

/// Which keys the accumulator groups by.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupBy {
    /// By `site_id`.
    pub site: bool,
    /// By calendar month `YYYY-MM` of the event date.
    pub month: bool,
    /// By sex.
    pub sex: bool,
    /// By IND-POP-1 age band.
    pub age_band: bool,
}

/// Options of an accumulation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AccumulatorOptions {
    /// Grouping keys.
    pub group_by: GroupBy,
    /// IND-GEN-3: events dated after `as_of` are ignored.
    pub as_of: Option<Date>,
    /// Only events dated in this closed interval count (undated rows still go to the
    /// `undated` group).
    pub period: Option<(Date, Date)>,
}

/// A group: each key is `None` when not grouped by it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct GroupKey {
    /// Site.
    pub site: Option<String>,
    /// `YYYY-MM` or `undated`.
    pub period: Option<String>,
    /// `male`, `female` or `unknown`.
    pub sex: Option<String>,
    /// IND-POP-1 band, `outside` or `unknown`.
    pub age_band: Option<String>,
}

impl GroupKey {
    /// `site=S1; period=2025-05` (`all` when ungrouped).
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("site", &self.site),
            ("period", &self.period),
            ("sex", &self.sex),
            ("age_band", &self.age_band),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={v}"));
            }
        }
        if parts.is_empty() {
            "all".into()
        } else {
            parts.join("; ")
        }
    }
}

/// FNV-1a 64-bit hash of a person id (stable across runs and platforms).
pub fn person_hash(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const HTN_YES: u8 = 1;
const HTN_NO: u8 = 2;
const AWARE: u8 = 4;
const TREATED: u8 = 8;
const CONTROLLED: u8 = 16;

/// Entries are compacted (sorted by cell and person, duplicates merged) when their
/// number reaches twice the number left by the last compaction, and at least this.
const MIN_COMPACT: usize = if cfg!(test) { 4 } else { 1 << 16 };

/// One person in one cell: 24 bytes, no heap data. `missing` indexes the
/// accumulator's table of distinct missing-field sets (0 = none).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
struct PersonEntry {
    hash: u64,
    cell: u32,
    missing: u32,
    /// 1 not high risk, 2 indeterminate, 3 high risk (0 only transiently).
    status: u8,
    classes: u8,
    fired: u8,
    htn: u8,
    dm: u8,
    /// Completed age (minimum over the person's records) + 2, 0 unknown
    /// (ages are clamped to −1…200 first).
    age: u8,
    /// 1 male, 2 female, 0 unknown (maximum).
    sex: u8,
}

impl PersonEntry {
    fn age(&self) -> Option<i32> {
        (self.age != 0).then(|| i32::from(self.age) - 2)
    }
}

/// One surveyed person in one cell (16 bytes).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
struct SurveyEntry {
    hash: u64,
    cell: u32,
    items: u8,
    complete: bool,
    high_risk: bool,
    intervened: bool,
}

/// One intervened person in one cell (16 bytes).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
struct InterventionEntry {
    hash: u64,
    cell: u32,
}

/// The distinct missing-field sets (IND-MPP-14) of indeterminate persons, interned:
/// index 0 is "none". Their number is bounded by the combinations reported.
#[derive(Clone, Debug, PartialEq)]
struct MissingSets {
    sets: Vec<Box<[&'static str]>>,
    index: HashMap<Box<[&'static str]>, u32>,
}

impl Default for MissingSets {
    fn default() -> Self {
        MissingSets {
            sets: vec![Box::default()],
            index: HashMap::new(),
        }
    }
}

impl MissingSets {
    /// Interns a sorted, deduplicated list.
    fn intern(&mut self, set: &[&'static str]) -> u32 {
        if set.is_empty() {
            return 0;
        }
        if let Some(i) = self.index.get(set) {
            return *i;
        }
        let i = u32::try_from(self.sets.len()).expect("fewer than 2^32 missing-field sets");
        self.sets.push(set.into());
        self.index.insert(set.into(), i);
        i
    }

    fn get(&self, i: u32) -> &[&'static str] {
        &self.sets[i as usize]
    }

    fn union(&mut self, a: u32, b: u32) -> u32 {
        if a == b || b == 0 {
            return a;
        }
        if a == 0 {
            return b;
        }
        let mut all: Vec<&'static str> = self.get(a).iter().chain(self.get(b)).copied().collect();
        all.sort_unstable();
        all.dedup();
        self.intern(&all)
    }
}

/// An entry of one of the per-person stores.
trait Entry: Copy {
    fn key(&self) -> (u32, u64);
    /// Combines another record of the same person in the same cell.
    fn absorb(&mut self, o: &Self, sets: &mut MissingSets);
}

impl Entry for PersonEntry {
    fn key(&self) -> (u32, u64) {
        (self.cell, self.hash)
    }
    fn absorb(&mut self, o: &Self, sets: &mut MissingSets) {
        self.status = self.status.max(o.status);
        self.classes |= o.classes;
        self.fired |= o.fired;
        self.htn |= o.htn;
        self.dm |= o.dm;
        self.age = match (self.age, o.age) {
            (0, b) => b,
            (a, 0) => a,
            (a, b) => a.min(b),
        };
        self.sex = self.sex.max(o.sex);
        self.missing = sets.union(self.missing, o.missing);
    }
}

impl Entry for SurveyEntry {
    fn key(&self) -> (u32, u64) {
        (self.cell, self.hash)
    }
    fn absorb(&mut self, o: &Self, _: &mut MissingSets) {
        self.items |= o.items;
        self.complete |= o.complete;
        self.high_risk |= o.high_risk;
        self.intervened |= o.intervened;
    }
}

impl Entry for InterventionEntry {
    fn key(&self) -> (u32, u64) {
        (self.cell, self.hash)
    }
    fn absorb(&mut self, _: &Self, _: &mut MissingSets) {}
}

/// A flat store of per-person entries: appended as records arrive, compacted
/// (sorted by cell then person hash, one entry per person and cell) when it doubles.
#[derive(Clone, Debug, Default)]
struct Store<T> {
    v: Vec<T>,
    /// Length after the last compaction; `v[..clean]` is sorted and deduplicated.
    clean: usize,
}

impl<T: Entry> Store<T> {
    fn push(&mut self, e: T, sets: &mut MissingSets) {
        self.v.push(e);
        if self.v.len() >= (2 * self.clean).max(MIN_COMPACT) {
            self.compact(sets);
        }
    }

    fn is_compact(&self) -> bool {
        self.clean == self.v.len()
    }

    fn compact(&mut self, sets: &mut MissingSets) {
        if self.is_compact() {
            return;
        }
        self.v.sort_unstable_by_key(Entry::key);
        let mut w = 0;
        for r in 1..self.v.len() {
            if self.v[r].key() == self.v[w].key() {
                let o = self.v[r];
                self.v[w].absorb(&o, sets);
            } else {
                w += 1;
                self.v[w] = self.v[r];
            }
        }
        self.v.truncate((w + 1).min(self.v.len()));
        self.clean = self.v.len();
    }

    /// The entries of `cell` (the store must be compact).
    fn of_cell(&self, cell: u32) -> &[T] {
        debug_assert!(self.is_compact());
        let lo = self.v.partition_point(|e| e.key().0 < cell);
        let hi = self.v.partition_point(|e| e.key().0 <= cell);
        &self.v[lo..hi]
    }

    /// Appends `other`'s entries transformed by `f` (which maps the cell), and
    /// compacts.
    fn extend_with(&mut self, other: &[T], f: impl Fn(T) -> T, sets: &mut MissingSets) {
        self.v.reserve_exact(other.len());
        self.v.extend(other.iter().map(|e| f(*e)));
        self.compact(sets);
    }

    fn shrink(&mut self) {
        self.v.shrink_to_fit();
    }
}

/// Record counts of one group.
#[derive(Clone, Debug, Default, PartialEq)]
struct Counters {
    records: u64,
    rejected: u64,
    warned: u64,
    per_rule: BTreeMap<&'static str, u64>,
}

impl Counters {
    fn merge(&mut self, o: &Counters) {
        self.records += o.records;
        self.rejected += o.rejected;
        self.warned += o.warned;
        for (k, v) in &o.per_rule {
            *self.per_rule.entry(k).or_default() += v;
        }
    }
}

/// A streaming, mergeable accumulator of the screening indicators.
///
/// Storage: the groups' record counters, and three flat stores of fixed-size
/// entries keyed by (group index, 64-bit person hash) — screened persons (24 bytes
/// each), surveyed persons and intervened persons (16 bytes each) — plus the
/// interned missing-field sets. Nothing per person is heap-allocated.
#[derive(Clone, Debug, Default)]
pub struct ScreeningAccumulator {
    options: AccumulatorOptions,
    /// Group → index into `keys` and `counters`.
    cells: BTreeMap<GroupKey, u32>,
    keys: Vec<GroupKey>,
    counters: Vec<Counters>,
    persons: Store<PersonEntry>,
    surveyed: Store<SurveyEntry>,
    intervened: Store<InterventionEntry>,
    sets: MissingSets,
}

type Canonical = (
    AccumulatorOptions,
    Vec<(GroupKey, Counters)>,
    Vec<(GroupKey, u64, PersonEntry, Vec<&'static str>)>,
    Vec<(GroupKey, u64, SurveyEntry)>,
    Vec<(GroupKey, u64)>,
);

/// Equal when they hold the same groups, counts and per-person data, whatever the
/// order of accumulation or the state of compaction.
impl PartialEq for ScreeningAccumulator {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

/// One row of an indicator table (long format: group keys + one indicator).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableRow {
    /// Site (`None` when not grouped by site).
    pub site: Option<String>,
    /// Period.
    pub period: Option<String>,
    /// Sex.
    pub sex: Option<String>,
    /// Age band.
    pub age_band: Option<String>,
    /// Indicator id.
    pub id: &'static str,
    /// Sub-indicator key.
    pub key: String,
    /// Numerator.
    pub numerator: f64,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Percentage.
    pub value: Option<f64>,
    /// True when an IND-GEN-6 finding was raised for this value.
    pub anomaly: bool,
}

impl TableRow {
    /// A row from a group and an indicator.
    pub fn new(g: &GroupKey, i: Indicator) -> Self {
        TableRow {
            anomaly: i.is_anomalous(),
            site: g.site.clone(),
            period: g.period.clone(),
            sex: g.sex.clone(),
            age_band: g.age_band.clone(),
            id: i.id,
            key: i.key,
            numerator: i.numerator,
            denominator: i.denominator,
            value: i.value,
        }
    }
}

/// An indicator table with its IND-GEN-6 findings.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IndicatorTable {
    /// Rows, by group then indicator.
    pub rows: Vec<TableRow>,
    /// Anomaly findings (IND-GEN-6), one per anomalous row.
    pub findings: Vec<Finding>,
}

/// Done counts per (site, quota task, `YYYY-MM`) for the quota report (IND-QUOTA-2).
pub type DoneCounts = BTreeMap<(String, String, String), u64>;

fn sex_label(s: Option<Sex>) -> String {
    s.map_or(UNKNOWN, Sex::as_str).to_string()
}

fn band_label(age: Option<i32>) -> String {
    match age {
        None => UNKNOWN.into(),
        Some(a) => age_band(a).unwrap_or(BAND_OUTSIDE).into(),
    }
}

impl ScreeningAccumulator {
    /// An empty accumulator.
    pub fn new(options: AccumulatorOptions) -> Self {
        ScreeningAccumulator {
            options,
            ..Default::default()
        }
    }

    /// The options.
    pub fn options(&self) -> &AccumulatorOptions {
        &self.options
    }

    /// The period key of an event, or `Err(())` when the event is outside the
    /// reporting window (ignored).
    fn period_key(&self, date: Option<Date>) -> Result<Option<String>, ()> {
        match date {
            None => Ok(self.options.group_by.month.then(|| UNDATED.to_string())),
            Some(d) => {
                if self.options.as_of.is_some_and(|a| d > a) {
                    return Err(());
                }
                if let Some((s, e)) = self.options.period {
                    if d < s || d > e {
                        return Err(());
                    }
                }
                Ok(self.options.group_by.month.then(|| d.year_month()))
            }
        }
    }

    fn key(&self, row: &IndicatorRow, period: Option<String>) -> GroupKey {
        let g = self.options.group_by;
        GroupKey {
            site: g.site.then(|| row.site_id.clone()),
            period,
            sex: g.sex.then(|| sex_label(row.sex)),
            age_band: g.age_band.then(|| band_label(row.age_completed)),
        }
    }

    /// The index of group `key`, created when new.
    fn cell(&mut self, key: GroupKey) -> u32 {
        if let Some(i) = self.cells.get(&key) {
            return *i;
        }
        let i = u32::try_from(self.keys.len()).expect("fewer than 2^32 groups");
        self.keys.push(key.clone());
        self.counters.push(Counters::default());
        self.cells.insert(key, i);
        i
    }

    /// Adds one row.
    pub fn add(&mut self, row: &IndicatorRow) {
        // Screening event: records and persons, placed by screen_date.
        if let Ok(p) = self.period_key(row.screen_date) {
            let key = self.key(row, p);
            let cell = self.cell(key);
            let c = &mut self.counters[cell as usize];
            c.records += 1;
            match row.qc_status {
                QcStatus::Reject => c.rejected += 1,
                QcStatus::Warn => c.warned += 1,
                QcStatus::Ok => {}
            }
            for id in &row.rule_ids {
                *c.per_rule.entry(id).or_default() += 1;
            }
            if let (Some(id), true) = (&row.id, row.qc_status != QcStatus::Reject) {
                let mut e = person_entry(row, &mut self.sets);
                e.hash = person_hash(id);
                e.cell = cell;
                self.persons.push(e, &mut self.sets);
            }
        }
        let Some(id) = &row.id else { return };
        let h = person_hash(id);
        // Survey event, placed by hr_exam_date (no date = no survey).
        if row.hr_exam_date.is_some() {
            if let Ok(p) = self.period_key(row.hr_exam_date) {
                let mut items = 0u8;
                for (i, done) in row.survey_items.iter().enumerate() {
                    if *done {
                        items |= 1 << i;
                    }
                }
                let key = self.key(row, p);
                let s = SurveyEntry {
                    hash: h,
                    cell: self.cell(key),
                    items,
                    complete: items == 0x7f,
                    high_risk: row.high_risk == HighRiskStatus::HighRisk,
                    intervened: row
                        .intervention_date
                        .is_some_and(|d| self.options.as_of.is_none_or(|a| d <= a)),
                };
                self.surveyed.push(s, &mut self.sets);
            }
        }
        // Intervention event (quota task `intervention`).
        if row.intervention_date.is_some() {
            if let Ok(p) = self.period_key(row.intervention_date) {
                let key = self.key(row, p);
                let e = InterventionEntry {
                    hash: h,
                    cell: self.cell(key),
                };
                self.intervened.push(e, &mut self.sets);
            }
        }
    }

    /// Adds a record and its assessment.
    pub fn add_assessment(&mut self, rec: &ScreeningRecord, a: &Assessment) {
        self.add(&IndicatorRow::from_assessment(rec, a));
    }

    /// Compacts the per-person stores (one entry per person and group, sorted) and
    /// releases their spare capacity. Reading methods work on a compact copy when
    /// this was not called, so call it once accumulation is finished to save that
    /// copy; it never changes a result.
    pub fn compact(&mut self) {
        self.persons.compact(&mut self.sets);
        self.surveyed.compact(&mut self.sets);
        self.intervened.compact(&mut self.sets);
        self.persons.shrink();
        self.surveyed.shrink();
        self.intervened.shrink();
    }

    fn is_compact(&self) -> bool {
        self.persons.is_compact() && self.surveyed.is_compact() && self.intervened.is_compact()
    }

    /// `self`, or a compact copy of it.
    fn compacted(&self) -> std::borrow::Cow<'_, ScreeningAccumulator> {
        if self.is_compact() {
            std::borrow::Cow::Borrowed(self)
        } else {
            let mut c = self.clone();
            c.compact();
            std::borrow::Cow::Owned(c)
        }
    }

    fn canonical(&self) -> Canonical {
        let a = self.compacted();
        let key = |c: u32| a.keys[c as usize].clone();
        let mut p: Vec<_> = a
            .persons
            .v
            .iter()
            .map(|e| {
                let m = a.sets.get(e.missing).to_vec();
                let bare = PersonEntry {
                    cell: 0,
                    missing: 0,
                    ..*e
                };
                (key(e.cell), e.hash, bare, m)
            })
            .collect();
        p.sort_by(|x, y| (&x.0, x.1).cmp(&(&y.0, y.1)));
        let mut s: Vec<_> = a
            .surveyed
            .v
            .iter()
            .map(|e| (key(e.cell), e.hash, SurveyEntry { cell: 0, ..*e }))
            .collect();
        s.sort_by(|x, y| (&x.0, x.1).cmp(&(&y.0, y.1)));
        let mut i: Vec<_> = a
            .intervened
            .v
            .iter()
            .map(|e| (key(e.cell), e.hash))
            .collect();
        i.sort();
        let c = a
            .cells
            .iter()
            .map(|(k, i)| (k.clone(), a.counters[*i as usize].clone()))
            .collect();
        (a.options.clone(), c, p, s, i)
    }

    /// Folds `other`'s groups into `self` under `key_of`, returning the map from
    /// `other`'s group indices to `self`'s, and merging the record counters.
    fn map_cells(
        &mut self,
        other: &ScreeningAccumulator,
        key_of: impl Fn(&GroupKey) -> GroupKey,
    ) -> Vec<u32> {
        let mut map = Vec::with_capacity(other.keys.len());
        for (i, k) in other.keys.iter().enumerate() {
            let c = self.cell(key_of(k));
            self.counters[c as usize].merge(&other.counters[i]);
            map.push(c);
        }
        map
    }

    /// Appends `other`'s per-person entries under the group map `map`.
    fn absorb_entries(&mut self, other: &ScreeningAccumulator, map: &[u32]) {
        // Missing-field sets are re-interned in `self`'s table.
        let set_map: Vec<u32> = other
            .sets
            .sets
            .iter()
            .map(|s| self.sets.intern(s))
            .collect();
        let mut sets = std::mem::take(&mut self.sets);
        self.persons.extend_with(
            &other.persons.v,
            |e| PersonEntry {
                cell: map[e.cell as usize],
                missing: set_map[e.missing as usize],
                ..e
            },
            &mut sets,
        );
        self.surveyed.extend_with(
            &other.surveyed.v,
            |e| SurveyEntry {
                cell: map[e.cell as usize],
                ..e
            },
            &mut sets,
        );
        self.intervened.extend_with(
            &other.intervened.v,
            |e| InterventionEntry {
                cell: map[e.cell as usize],
                ..e
            },
            &mut sets,
        );
        self.sets = sets;
    }

    /// Merges another accumulator built with the same options (e.g. of a parallel
    /// chunk); the result equals accumulating both inputs in one pass.
    pub fn merge(&mut self, other: &ScreeningAccumulator) {
        let map = self.map_cells(other, GroupKey::clone);
        self.absorb_entries(other, &map);
    }

    /// The same data under a coarser grouping (keys not in `by` are dropped and their
    /// groups merged, persons deduplicated across them). Grouping by a key the
    /// accumulator did not keep leaves it ungrouped. The result is compact.
    pub fn regroup(&self, by: GroupBy) -> ScreeningAccumulator {
        let g = self.options.group_by;
        let keep = GroupBy {
            site: by.site && g.site,
            month: by.month && g.month,
            sex: by.sex && g.sex,
            age_band: by.age_band && g.age_band,
        };
        let mut out = ScreeningAccumulator::new(AccumulatorOptions {
            group_by: keep,
            ..self.options.clone()
        });
        let map = out.map_cells(self, |k| GroupKey {
            site: k.site.clone().filter(|_| keep.site),
            period: k.period.clone().filter(|_| keep.month),
            sex: k.sex.clone().filter(|_| keep.sex),
            age_band: k.age_band.clone().filter(|_| keep.age_band),
        });
        out.absorb_entries(self, &map);
        out.compact();
        out
    }

    /// The groups present.
    pub fn groups(&self) -> impl Iterator<Item = &GroupKey> {
        self.cells.keys()
    }

    /// The indicators of group `cell`, in a fixed order (`self` compact).
    fn indicators(&self, cell: u32) -> Vec<Indicator> {
        let counters = &self.counters[cell as usize];
        let persons = self.persons.of_cell(cell);
        let surveyed = self.surveyed.of_cell(cell);
        let mut out = Vec::new();
        let rec = counters.records as f64;
        // Records and QC (IND-MPP-18, IND-QC-WARN).
        out.push(Indicator::rate(
            IND_MPP_18,
            "",
            counters.rejected as f64,
            rec,
        ));
        for (rule, n) in &counters.per_rule {
            out.push(Indicator::rate(
                IND_MPP_18,
                format!("rule:{rule}"),
                *n as f64,
                rec,
            ));
        }
        out.push(Indicator::rate(
            IND_QC_WARN,
            "",
            counters.warned as f64,
            rec,
        ));
        // Screened, high risk, detection rate.
        let screened = persons.len() as f64;
        let mut high = 0u64;
        let mut indet = 0u64;
        let mut any = [0u64; 3];
        let mut exclusive: BTreeMap<String, u64> = BTreeMap::new();
        let mut fired = [0u64; 8];
        let mut by_field: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut by_combo: BTreeMap<String, u64> = BTreeMap::new();
        let (mut htn_yes, mut htn_known, mut aware, mut treated, mut controlled) =
            (0u64, 0u64, 0u64, 0u64, 0u64);
        let (mut dm_yes, mut dm_known, mut dm_treated, mut dm_controlled) =
            (0u64, 0u64, 0u64, 0u64);
        for p in persons {
            match p.status {
                3 => {
                    high += 1;
                    let mut names = Vec::new();
                    for (i, c) in ['A', 'B', 'C'].iter().enumerate() {
                        if p.classes & (1 << i) != 0 {
                            any[i] += 1;
                            names.push(c.to_string());
                        }
                    }
                    *exclusive.entry(names.join("+")).or_default() += 1;
                }
                2 => {
                    indet += 1;
                    let m = self.sets.get(p.missing);
                    for f in m {
                        *by_field.entry(f).or_default() += 1;
                    }
                    *by_combo.entry(m.join(";")).or_default() += 1;
                }
                _ => {}
            }
            for (i, f) in fired.iter_mut().enumerate() {
                if p.fired & (1 << i) != 0 {
                    *f += 1;
                }
            }
            if p.htn & HTN_YES != 0 {
                htn_yes += 1;
                htn_known += 1;
                aware += u64::from(p.htn & AWARE != 0);
                treated += u64::from(p.htn & TREATED != 0);
                controlled += u64::from(p.htn & CONTROLLED != 0);
            } else if p.htn & HTN_NO != 0 {
                htn_known += 1;
            }
            if p.dm & HTN_YES != 0 {
                dm_yes += 1;
                dm_known += 1;
                dm_treated += u64::from(p.dm & TREATED != 0);
                dm_controlled += u64::from(p.dm & CONTROLLED != 0);
            } else if p.dm & HTN_NO != 0 {
                dm_known += 1;
            }
        }
        out.push(Indicator::count(IND_MPP_1, "", screened));
        out.push(Indicator::count(IND_MPP_3, "", high as f64));
        out.push(Indicator::rate(IND_MPP_4, "", high as f64, screened));
        out.push(Indicator::count(IND_MPP_4, "indeterminate", indet as f64));
        out.push(Indicator::rate(
            IND_MPP_4,
            "upper_bound",
            (high + indet) as f64,
            screened,
        ));
        let h = high as f64;
        for (i, c) in ['A', 'B', 'C'].iter().enumerate() {
            out.push(Indicator::rate(
                IND_MPP_13,
                format!("any:{c}"),
                any[i] as f64,
                h,
            ));
        }
        for k in ["A", "B", "C", "A+B", "A+C", "B+C", "A+B+C"] {
            let n = exclusive.get(k).copied().unwrap_or(0);
            out.push(Indicator::rate(IND_MPP_13, k, n as f64, h));
        }
        out.push(Indicator::rate(IND_MPP_14, "", indet as f64, screened));
        for (f, n) in &by_field {
            out.push(Indicator::rate(
                IND_MPP_14,
                format!("field:{f}"),
                *n as f64,
                screened,
            ));
        }
        for (c, n) in &by_combo {
            out.push(Indicator::rate(
                IND_MPP_14,
                format!("combination:{c}"),
                *n as f64,
                screened,
            ));
        }
        for (i, id) in RULE_IDS.iter().enumerate() {
            out.push(Indicator::rate(IND_HR_CRIT, *id, fired[i] as f64, screened));
        }
        // Hypertension and diabetes.
        let hy = htn_yes as f64;
        out.push(Indicator::rate(IND_HTN_1, "", hy, htn_known as f64));
        out.push(Indicator::count(
            IND_HTN_1,
            "unknown",
            (persons.len() as u64 - htn_known) as f64,
        ));
        out.push(Indicator::rate(IND_HTN_2, "", aware as f64, hy));
        out.push(Indicator::rate(IND_HTN_3, "", treated as f64, hy));
        out.push(Indicator::rate(IND_HTN_4, "", controlled as f64, hy));
        out.push(Indicator::rate(
            IND_HTN_4,
            "treated",
            controlled as f64,
            treated as f64,
        ));
        let dy = dm_yes as f64;
        out.push(Indicator::rate(IND_DM_1, "", dy, dm_known as f64));
        out.push(Indicator::count(
            IND_DM_1,
            "unknown",
            (persons.len() as u64 - dm_known) as f64,
        ));
        out.push(Indicator::rate(IND_DM_3, "", dm_treated as f64, dy));
        out.push(Indicator::rate(IND_DM_4, "", dm_controlled as f64, dy));
        out.push(Indicator::rate(
            IND_DM_4,
            "treated",
            dm_controlled as f64,
            dm_treated as f64,
        ));
        // Survey (placed by hr_exam_date).
        let complete = surveyed.iter().filter(|s| s.complete).count() as f64;
        let intervened = surveyed
            .iter()
            .filter(|s| s.complete && s.intervened)
            .count() as f64;
        out.push(Indicator::count(IND_MPP_5, "", complete));
        out.push(Indicator::rate(IND_MPP_8, "", intervened, complete));
        let hr_surveyed: Vec<&SurveyEntry> = surveyed.iter().filter(|s| s.high_risk).collect();
        let d = hr_surveyed.len() as f64;
        for (i, item) in SURVEY_ITEMS.iter().enumerate() {
            let n = hr_surveyed
                .iter()
                .filter(|s| s.items & (1 << i) != 0)
                .count();
            out.push(Indicator::rate(IND_MPP_12, *item, n as f64, d));
        }
        out
    }

    /// The long table of every group's indicators, with IND-GEN-6 findings.
    pub fn table(&self) -> IndicatorTable {
        let a = self.compacted();
        let mut t = IndicatorTable::default();
        for (k, c) in &a.cells {
            let label = k.label();
            for i in a.indicators(*c) {
                if let Some(f) = i.anomaly(&label) {
                    t.findings.push(f);
                }
                t.rows.push(TableRow::new(k, i));
            }
        }
        t
    }

    /// IND-QUOTA-2 done counts per (site, task, `YYYY-MM`) for the tasks
    /// `screening` (IND-MPP-1), `hr_survey` (IND-MPP-5) and `intervention`; `None`
    /// unless grouped by site and month. Undated rows are left out. Sums over months
    /// count a person once per month (a person screened in two months counts twice
    /// towards a yearly total) \[DECISION\].
    pub fn done_counts(&self) -> Option<DoneCounts> {
        let g = self.options.group_by;
        if !(g.site && g.month) {
            return None;
        }
        let by = self.regroup(GroupBy {
            site: true,
            month: true,
            sex: false,
            age_band: false,
        });
        let mut out = DoneCounts::new();
        for (k, c) in &by.cells {
            let c = *c;
            let (Some(site), Some(period)) = (&k.site, &k.period) else {
                continue;
            };
            if period == UNDATED {
                continue;
            }
            let mut put = |task: &str, n: usize| {
                if n > 0 {
                    out.insert((site.clone(), task.to_string(), period.clone()), n as u64);
                }
            };
            put("screening", by.persons.of_cell(c).len());
            put(
                "hr_survey",
                by.surveyed.of_cell(c).iter().filter(|s| s.complete).count(),
            );
            put("intervention", by.intervened.of_cell(c).len());
        }
        Some(out)
    }

    /// Screened persons (IND-MPP-1) per group (age and sex keys dropped) by sex
    /// (`male`, `female`, `unknown`) and completed age, for IND-MPP-19 and
    /// standardisation.
    pub fn age_sex_counts(
        &self,
    ) -> BTreeMap<GroupKey, BTreeMap<(&'static str, Option<i32>), PersonCounts>> {
        let mut out: BTreeMap<GroupKey, BTreeMap<(&'static str, Option<i32>), PersonCounts>> =
            BTreeMap::new();
        // Persons deduplicated per (site, period): `self` when it is grouped by
        // nothing else and compact, else one compact regrouped copy.
        let g = self.options.group_by;
        let by = if !g.sex && !g.age_band && self.is_compact() {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(self.regroup(GroupBy {
                site: true,
                month: true,
                sex: false,
                age_band: false,
            }))
        };
        for (k, c) in &by.cells {
            let m = out.entry(k.clone()).or_default();
            for p in by.persons.of_cell(*c) {
                let sex = match p.sex {
                    1 => "male",
                    2 => "female",
                    _ => UNKNOWN,
                };
                let e = m.entry((sex, p.age())).or_default();
                e.screened += 1;
                e.high_risk += u64::from(p.status == 3);
                e.hypertensive += u64::from(p.htn & HTN_YES != 0);
                e.htn_known += u64::from(p.htn & (HTN_YES | HTN_NO) != 0);
            }
        }
        out
    }
}

/// Person counts in one sex × age cell.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PersonCounts {
    /// Screened persons (IND-MPP-1).
    pub screened: u64,
    /// High-risk persons (IND-MPP-3).
    pub high_risk: u64,
    /// Hypertensive persons (IND-HTN-1 numerator).
    pub hypertensive: u64,
    /// Persons with a known hypertension status (IND-HTN-1 denominator).
    pub htn_known: u64,
}

/// The entry of one record (hash and cell left 0), its missing-field set interned.
fn person_entry(row: &IndicatorRow, sets: &mut MissingSets) -> PersonEntry {
    let status = match row.high_risk {
        HighRiskStatus::NotHighRisk => 1,
        HighRiskStatus::Indeterminate => 2,
        HighRiskStatus::HighRisk => 3,
    };
    let mut classes = 0u8;
    for c in &row.reason_classes {
        classes |= match c {
            'A' => 1,
            'B' => 2,
            'C' => 4,
            _ => 0,
        };
    }
    let mut fired = 0u8;
    for (i, id) in RULE_IDS.iter().enumerate() {
        if row.fired_rules.contains(id) {
            fired |= 1 << i;
        }
    }
    let mut htn = 0u8;
    match row.hypertensive() {
        Some(true) => {
            htn |= HTN_YES;
            if row.hypertension == Some(true) || row.bp_treated == Some(true) {
                htn |= AWARE;
            }
            if row.bp_treated == Some(true) {
                htn |= TREATED;
                if row.bp_below_140_90() {
                    htn |= CONTROLLED;
                }
            }
        }
        Some(false) => htn |= HTN_NO,
        None => {}
    }
    let mut dm = 0u8;
    match row.diabetes {
        Some(true) => {
            dm |= HTN_YES;
            if row.glucose_treated == Some(true) {
                dm |= TREATED;
                if fbg_below_target(row.fbg) == Some(true) {
                    dm |= CONTROLLED;
                }
            }
        }
        Some(false) => dm |= HTN_NO,
        None => {}
    }
    let missing = if status == 2 {
        let mut m = row.missing_fields.clone();
        m.sort_unstable();
        m.dedup();
        sets.intern(&m)
    } else {
        0
    };
    PersonEntry {
        hash: 0,
        cell: 0,
        missing,
        status,
        classes,
        fired,
        htn,
        dm,
        age: row
            .age_completed
            .map_or(0, |a| (a.clamp(-1, 200) + 2) as u8),
        sex: match row.sex {
            Some(Sex::Male) => 1,
            Some(Sex::Female) => 2,
            None => 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criteria::mpp2014::{HR_1, HR_5, HR_6};
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn row(id: &str, site: &str, date: &str, status: HighRiskStatus) -> IndicatorRow {
        IndicatorRow {
            id: Some(id.into()),
            site_id: site.into(),
            screen_date: (!date.is_empty()).then(|| d(date)),
            sex: Some(Sex::Male),
            age_completed: Some(50),
            qc_status: QcStatus::Ok,
            rule_ids: Vec::new(),
            high_risk: status,
            reason_classes: Vec::new(),
            fired_rules: Vec::new(),
            missing_fields: Vec::new(),
            sbp: Some(120.0),
            dbp: Some(80.0),
            bp_treated: Some(false),
            hypertension: None,
            diabetes: Some(false),
            glucose_treated: Some(false),
            fbg: Obs::Unknown,
            hr_exam_date: None,
            survey_items: [false; 7],
            intervention_date: None,
        }
    }

    fn get(
        t: &IndicatorTable,
        site: Option<&str>,
        period: Option<&str>,
        id: &str,
        key: &str,
    ) -> TableRow {
        t.rows
            .iter()
            .find(|r| {
                r.site.as_deref() == site
                    && r.period.as_deref() == period
                    && r.id == id
                    && r.key == key
            })
            .unwrap_or_else(|| panic!("no row {id} {key}"))
            .clone()
    }

    /// Ten hand-made rows at one site in one month.
    fn sample() -> Vec<IndicatorRow> {
        let mut v = Vec::new();
        // P1: high risk, class A (HR-1) and B (HR-5); hypertensive, treated, uncontrolled.
        let mut r = row("P1", "S1", "2025-05-03", HighRiskStatus::HighRisk);
        r.reason_classes = vec!['A', 'B'];
        r.fired_rules = vec![HR_1, HR_5];
        r.sbp = Some(165.0);
        r.dbp = Some(95.0);
        r.bp_treated = Some(true);
        v.push(r);
        // P2: high risk, class B only (HR-6); survey complete, intervened.
        let mut r = row("P2", "S1", "2025-05-04", HighRiskStatus::HighRisk);
        r.reason_classes = vec!['B'];
        r.fired_rules = vec![HR_6];
        r.hr_exam_date = Some(d("2025-05-20"));
        r.survey_items = [true; 7];
        r.intervention_date = Some(d("2025-05-25"));
        v.push(r);
        // P3: high risk class A; survey with 6 of 7 items (no urine sample).
        let mut r = row("P3", "S1", "2025-05-05", HighRiskStatus::HighRisk);
        r.reason_classes = vec!['A'];
        r.fired_rules = vec![HR_1];
        r.hr_exam_date = Some(d("2025-05-21"));
        r.survey_items = [true, true, true, true, true, true, false];
        v.push(r);
        // P4: indeterminate, missing ldl.
        let mut r = row("P4", "S1", "2025-05-06", HighRiskStatus::Indeterminate);
        r.missing_fields = vec!["ldl"];
        r.sbp = None;
        r.dbp = None;
        v.push(r);
        // P5: indeterminate, missing ldl and history_mi.
        let mut r = row("P5", "S1", "2025-05-07", HighRiskStatus::Indeterminate);
        r.missing_fields = vec!["ldl", "history_mi"];
        v.push(r);
        // P6: not high risk; hypertensive by self report, treated, controlled 130/80.
        let mut r = row("P6", "S1", "2025-05-08", HighRiskStatus::NotHighRisk);
        r.hypertension = Some(true);
        r.bp_treated = Some(true);
        r.sbp = Some(130.0);
        v.push(r);
        // P7: not high risk; diabetic, treated, fbg 6.5 mmol/L (controlled).
        let mut r = row("P7", "S1", "2025-05-09", HighRiskStatus::NotHighRisk);
        r.diabetes = Some(true);
        r.glucose_treated = Some(true);
        r.fbg = Obs::Known(Conc::mmol(6.5));
        v.push(r);
        // P8: not high risk; hypertensive by BP 142/85 only (unaware, untreated).
        let mut r = row("P8", "S1", "2025-05-10", HighRiskStatus::NotHighRisk);
        r.sbp = Some(142.0);
        r.dbp = Some(85.0);
        v.push(r);
        // R1: rejected record (DQ-PRG-1), counted as a record only.
        let mut r = row("R1", "S1", "2025-05-11", HighRiskStatus::HighRisk);
        r.qc_status = QcStatus::Reject;
        r.rule_ids = vec!["DQ-PRG-1"];
        v.push(r);
        // W1: warned record, not high risk; diabetic untreated with fbg 130 mg/dL.
        let mut r = row("W1", "S1", "2025-05-12", HighRiskStatus::NotHighRisk);
        r.qc_status = QcStatus::Warn;
        r.rule_ids = vec!["DQ-BP-4"];
        r.diabetes = Some(true);
        r.fbg = Obs::Known(Conc::mgdl(130.0));
        v.push(r);
        v
    }

    fn acc(rows: &[IndicatorRow], g: GroupBy) -> ScreeningAccumulator {
        let mut a = ScreeningAccumulator::new(AccumulatorOptions {
            group_by: g,
            ..Default::default()
        });
        for r in rows {
            a.add(r);
        }
        a
    }

    #[test]
    fn hand_computed_site_month() {
        let g = GroupBy {
            site: true,
            month: true,
            ..Default::default()
        };
        let t = acc(&sample(), g).table();
        let (s, p) = (Some("S1"), Some("2025-05"));
        let v = |id, key| get(&t, s, p, id, key);
        // 10 records, 1 rejected, 1 warned.
        assert_eq!(v(IND_MPP_18, "").numerator, 1.0);
        assert_eq!(v(IND_MPP_18, "").value, Some(10.0));
        assert_eq!(v(IND_MPP_18, "rule:DQ-PRG-1").numerator, 1.0);
        assert_eq!(v(IND_QC_WARN, "").value, Some(10.0));
        // 9 screened persons, 3 high risk, 2 indeterminate.
        assert_eq!(v(IND_MPP_1, "").numerator, 9.0);
        assert_eq!(v(IND_MPP_3, "").numerator, 3.0);
        assert_eq!(v(IND_MPP_4, "").value, Some(100.0 * 3.0 / 9.0));
        assert_eq!(v(IND_MPP_4, "indeterminate").numerator, 2.0);
        assert_eq!(v(IND_MPP_4, "upper_bound").value, Some(500.0 / 9.0));
        // Reason mix over 3 high-risk persons: any A = 2, any B = 2, C = 0;
        // exclusive A+B = 1 (P1), B = 1 (P2), A = 1 (P3).
        assert_eq!(v(IND_MPP_13, "any:A").value, Some(200.0 / 3.0));
        assert_eq!(v(IND_MPP_13, "any:C").value, Some(0.0));
        assert_eq!(v(IND_MPP_13, "A+B").numerator, 1.0);
        assert_eq!(v(IND_MPP_13, "B").numerator, 1.0);
        assert_eq!(v(IND_MPP_13, "A").numerator, 1.0);
        assert_eq!(v(IND_MPP_13, "A+B+C").numerator, 0.0);
        // Indeterminate 2 / 9; ldl 2, history_mi 1; combinations "ldl" 1, "history_mi;ldl" 1.
        assert_eq!(v(IND_MPP_14, "").value, Some(200.0 / 9.0));
        assert_eq!(v(IND_MPP_14, "field:ldl").numerator, 2.0);
        assert_eq!(v(IND_MPP_14, "field:history_mi").numerator, 1.0);
        assert_eq!(v(IND_MPP_14, "combination:ldl").numerator, 1.0);
        assert_eq!(v(IND_MPP_14, "combination:history_mi;ldl").numerator, 1.0);
        // Criterion prevalence: HR-1 fired for P1, P3 → 2/9.
        assert_eq!(v(IND_HR_CRIT, HR_1).value, Some(200.0 / 9.0));
        // Hypertension: P1 (BP), P6 (self-report), P8 (BP) = 3; P4 unknown (BP and
        // treatment not both known? P4 has bp_treated 0 but no BP → unknown) → known 8.
        assert_eq!(v(IND_HTN_1, "").numerator, 3.0);
        assert_eq!(v(IND_HTN_1, "").denominator, Some(8.0));
        assert_eq!(v(IND_HTN_1, "unknown").numerator, 1.0);
        // Aware P1 (treated), P6 = 2/3; treated 2/3; controlled P6 = 1/3; among treated 1/2.
        assert_eq!(v(IND_HTN_2, "").value, Some(200.0 / 3.0));
        assert_eq!(v(IND_HTN_3, "").value, Some(200.0 / 3.0));
        assert_eq!(v(IND_HTN_4, "").value, Some(100.0 / 3.0));
        assert_eq!(v(IND_HTN_4, "treated").value, Some(50.0));
        // Diabetes: P7 and W1 diabetic of 9 known; treated 1/2; controlled 1/2.
        assert_eq!(v(IND_DM_1, "").value, Some(200.0 / 9.0));
        assert_eq!(v(IND_DM_3, "").value, Some(50.0));
        assert_eq!(v(IND_DM_4, "").value, Some(50.0));
        assert_eq!(v(IND_DM_4, "treated").value, Some(100.0));
        // Survey: P2 complete (IND-MPP-5 = 1), intervened → IND-MPP-8 = 100 %;
        // IND-MPP-12: 2 surveyed high-risk persons, urine sample done by 1 → 50 %.
        assert_eq!(v(IND_MPP_5, "").numerator, 1.0);
        assert_eq!(v(IND_MPP_8, "").value, Some(100.0));
        assert_eq!(v(IND_MPP_12, "urine_sample_done").value, Some(50.0));
        assert_eq!(v(IND_MPP_12, "ecg_done").value, Some(100.0));
        assert!(t.findings.is_empty());
    }

    #[test]
    fn undated_group_and_persons_deduplicated() {
        let mut rows = sample();
        // The same person P1 again in June and a row without a screen date.
        rows.push(row("P1", "S1", "2025-06-01", HighRiskStatus::NotHighRisk));
        rows.push(row("U1", "S1", "", HighRiskStatus::NotHighRisk));
        let g = GroupBy {
            site: true,
            month: true,
            ..Default::default()
        };
        let a = acc(&rows, g);
        let t = a.table();
        assert_eq!(
            get(&t, Some("S1"), Some(UNDATED), IND_MPP_1, "").numerator,
            1.0
        );
        assert_eq!(
            get(&t, Some("S1"), Some("2025-06"), IND_MPP_1, "").numerator,
            1.0
        );
        // Regrouped by site only, P1 counts once and stays high risk (highest status).
        let t2 = a
            .regroup(GroupBy {
                site: true,
                ..Default::default()
            })
            .table();
        assert_eq!(get(&t2, Some("S1"), None, IND_MPP_1, "").numerator, 10.0);
        assert_eq!(get(&t2, Some("S1"), None, IND_MPP_3, "").numerator, 3.0);
        assert_eq!(
            get(&t2, Some("S1"), None, IND_MPP_18, "").denominator,
            Some(12.0)
        );
    }

    #[test]
    fn as_of_ignores_later_events() {
        let mut a = ScreeningAccumulator::new(AccumulatorOptions {
            as_of: Some(d("2025-05-06")),
            ..Default::default()
        });
        for r in sample() {
            a.add(&r);
        }
        let t = a.table();
        // P1…P4 screened by 2025-05-06; P2's survey (05-20) is after as_of.
        assert_eq!(get(&t, None, None, IND_MPP_1, "").numerator, 4.0);
        assert_eq!(get(&t, None, None, IND_MPP_5, "").numerator, 0.0);
    }

    #[test]
    fn done_counts_by_site_and_month() {
        let g = GroupBy {
            site: true,
            month: true,
            sex: true,
            age_band: true,
        };
        let dc = acc(&sample(), g).done_counts().unwrap();
        let k = |t: &str| ("S1".to_string(), t.to_string(), "2025-05".to_string());
        assert_eq!(dc[&k("screening")], 9);
        assert_eq!(dc[&k("hr_survey")], 1);
        assert_eq!(dc[&k("intervention")], 1);
        assert!(acc(&sample(), GroupBy::default()).done_counts().is_none());
    }

    #[test]
    fn age_bands() {
        assert_eq!(age_band(34), None);
        assert_eq!(age_band(35), Some("35-39"));
        assert_eq!(age_band(69), Some("65-69"));
        assert_eq!(age_band(75), Some("70-75"));
        assert_eq!(age_band(76), None);
    }

    fn arb_row() -> impl Strategy<Value = IndicatorRow> {
        (
            0u8..12,
            0u8..3,
            0u8..4,
            0u8..3,
            0u8..3,
            30i32..80,
            any::<bool>(),
            prop::array::uniform7(any::<bool>()),
            prop::option::of(100.0f64..180.0),
        )
            .prop_map(|(id, site, month, status, qc, age, female, items, sbp)| {
                let status = [
                    HighRiskStatus::HighRisk,
                    HighRiskStatus::NotHighRisk,
                    HighRiskStatus::Indeterminate,
                ][status as usize];
                let date = if month == 0 {
                    String::new()
                } else {
                    format!("2025-0{month}-15")
                };
                let mut r = row(&format!("P{id}"), &format!("S{site}"), &date, status);
                r.qc_status = [QcStatus::Ok, QcStatus::Warn, QcStatus::Reject][qc as usize];
                if qc == 2 {
                    r.rule_ids = vec!["DQ-PRG-1"];
                }
                if status == HighRiskStatus::HighRisk {
                    r.reason_classes = vec!['B'];
                    r.fired_rules = vec![HR_5];
                }
                if status == HighRiskStatus::Indeterminate {
                    r.missing_fields = vec![if id % 2 == 0 { "ldl" } else { "hdl" }];
                }
                r.age_completed = Some(age);
                r.sex = Some(if female { Sex::Female } else { Sex::Male });
                r.sbp = sbp;
                if items[0] {
                    r.hr_exam_date = Some(d("2025-02-01"));
                    r.survey_items = items;
                }
                r
            })
    }

    proptest! {
        #[test]
        fn chunked_merge_equals_one_shot(rows in prop::collection::vec(arb_row(), 0..60), cut in 0usize..60, cut2 in 0usize..60) {
            let g = GroupBy { site: true, month: true, sex: true, age_band: true };
            let one = acc(&rows, g);
            let (a, b) = (cut.min(rows.len()), cut2.min(rows.len()));
            let (lo, hi) = (a.min(b), a.max(b));
            let mut merged = acc(&rows[..lo], g);
            merged.merge(&acc(&rows[lo..hi], g));
            // Merge in another order too: the result does not depend on it.
            let mut tail = acc(&rows[hi..], g);
            tail.merge(&merged);
            prop_assert_eq!(one.table(), tail.table());
            // The stores themselves agree (whatever the compaction state).
            prop_assert!(one == tail);
            let mut c = tail.clone();
            c.compact();
            prop_assert_eq!(c.table(), one.table());
            prop_assert_eq!(c.age_sex_counts(), one.age_sex_counts());
            prop_assert_eq!(c.done_counts(), one.done_counts());
            // Regrouping the fine accumulation equals accumulating coarsely.
            let coarse = GroupBy { site: true, ..Default::default() };
            prop_assert_eq!(one.regroup(coarse).table(), acc(&rows, coarse).table());
        }
    }
}
