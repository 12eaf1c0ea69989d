//! Programme follow-up indicators from screening records plus follow-up visit rows
//! (domain.md §11.1): IND-MPP-9 (随访完成率), IND-MPP-10 (随访成功率), IND-MPP-11
//! (面对面随访率), the follow-up items of IND-MPP-12, IND-MPP-15 (short-term on-time
//! rate) and IND-MPP-16 (long-term follow-up rate), per site and period, with the
//! IND-QUOTA-2 done counts of the tasks `short_term_fu` and `long_term_fu`, and the
//! visit-row rules that need the person's other rows or screening record
//! (DQ-VIS-2, -3, -5, DQ-PRG-5, DQ-PRG-11; [`crate::visits`]).
//!
//! Due dates, windows, project years and life status come from the follow-up engine
//! ([`crate::followup`]: FU-5…FU-9 via [`short_term_due`], [`long_term_year`],
//! [`counted_long_term`], [`first_short_term`], [`status_on`]); nothing here restates
//! them.
//!
//! Storage: one 24-byte entry per screened person with an id (64-bit FNV-1a
//! fingerprint of the id, site index, examination and intervention dates, status)
//! and one 32-byte entry per usable visit row; site names are interned. Indicators
//! that join visits to persons need every row of a person, so the visit rows are
//! held (compactly) until [`FollowUpAccumulator::finish`]; nothing else per row is
//! kept.
//!
//! Decisions (\[DECISION\], library, documented in the README):
//! - Persons scheduled (IND-MPP-10, -15, -16 and the `short_term_fu`/`long_term_fu`
//!   done counts) are those whose recomputed status is `HighRisk` and who have an
//!   `hr_exam_date` — the persons FU-10 gives a next follow-up. As for IND-MPP-5 and
//!   IND-MPP-8 (the survey and intervention events of the screening accumulator),
//!   the screening record's own QC status does not remove it from the schedule. When
//!   one id has several screening rows (DQ-PRG-6), the first one read with an
//!   `hr_exam_date` is used, else the first one read.
//! - A due follow-up whose date is after `as_of` is not yet booked (IND-GEN-3).
//! - IND-MPP-15: a window has closed by `as_of` when its last day is on or before
//!   `as_of` (every visit that can decide it is then known); pending otherwise.
//! - DQ-PRG-5's window check applies to the person's short-term visit (FU-5: the
//!   first done one), not to later repeats.

use super::screening::{person_hash, DoneCounts, GroupKey, IndicatorTable, TableRow};
use super::*;
use crate::criteria::mpp2014::HighRiskStatus;
use crate::date::Date;
use crate::followup::{
    counted_long_term, first_short_term, long_term_year, project_year, short_term_due, status_on,
    visit_bp, BphsOptions, FollowUpOptions, FuPerson, LifeStatus, VisitKind, VisitMode,
    VisitRecord,
};
use crate::visits::{
    kind_str, ParsedVisit, VisitIssue, DQ_PRG_11, DQ_PRG_5, DQ_VIS_2, DQ_VIS_3, DQ_VIS_5,
};
use std::collections::{BTreeMap, HashMap};

const NONE: i32 = i32::MIN;

fn enc(d: Option<Date>) -> i32 {
    d.map_or(NONE, |d| d.to_days() as i32)
}

fn dec(d: i32) -> Option<Date> {
    (d != NONE).then(|| Date::from_days(i64::from(d)))
}

/// One screened person (24 bytes).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct PersonFu {
    hash: u64,
    site: u32,
    exam: i32,
    intervention: i32,
    high_risk: bool,
}

const DIED: u8 = 1;
const WITHDRAWN: u8 = 2;
const HAS_BP: u8 = 4;
const HAS_WEIGHT: u8 = 8;
const ECG: u8 = 16;

/// One usable visit row (32 bytes).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct VisitEntry {
    hash: u64,
    line: u64,
    date: i32,
    site: u32,
    kind: VisitKind,
    mode: Option<VisitMode>,
    flags: u8,
}

impl VisitEntry {
    fn is_done(&self) -> bool {
        self.flags & (DIED | WITHDRAWN) == 0
    }
    fn programme(&self) -> bool {
        matches!(self.kind, VisitKind::ShortTerm | VisitKind::LongTerm)
    }
    fn date(&self) -> Date {
        Date::from_days(i64::from(self.date))
    }
    fn record(&self) -> VisitRecord {
        VisitRecord {
            visit_date: Some(self.date()),
            visit_kind: Some(self.kind),
            mode: self.mode,
            died: self.flags & DIED != 0,
            withdrawn: self.flags & WITHDRAWN != 0,
            ..VisitRecord::default()
        }
    }
}

/// Counts of one (site, period) group.
#[derive(Copy, Clone, Debug, Default)]
struct Counts {
    /// IND-MPP-9 numerator, denominator.
    mpp9: [u64; 2],
    /// IND-MPP-10 short-term done, booked.
    mpp10_st: [u64; 2],
    /// IND-MPP-10 long-term done, booked.
    mpp10_lt: [u64; 2],
    /// IND-MPP-11 face-to-face, visits.
    mpp11: [u64; 2],
    /// IND-MPP-12 follow-up items: BP, weight, ECG.
    mpp12: [u64; 3],
    /// IND-MPP-15 on time, closed, pending.
    mpp15: [u64; 3],
    /// IND-MPP-16 counted, cohort.
    mpp16: [u64; 2],
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.mpp9, &o.mpp9);
        add(&mut self.mpp10_st, &o.mpp10_st);
        add(&mut self.mpp10_lt, &o.mpp10_lt);
        add(&mut self.mpp11, &o.mpp11);
        add(&mut self.mpp12, &o.mpp12);
        add(&mut self.mpp15, &o.mpp15);
        add(&mut self.mpp16, &o.mpp16);
    }

    fn indicators(&self) -> Vec<Indicator> {
        let f = |x: u64| x as f64;
        let mut out = Vec::new();
        if self.mpp9[1] > 0 {
            out.push(Indicator::rate(
                IND_MPP_9,
                "",
                f(self.mpp9[0]),
                f(self.mpp9[1]),
            ));
        }
        let booked = self.mpp10_st[1] + self.mpp10_lt[1];
        if booked > 0 {
            let done = self.mpp10_st[0] + self.mpp10_lt[0];
            out.push(Indicator::rate(IND_MPP_10, "", f(done), f(booked)));
            for (k, c) in [("short_term", self.mpp10_st), ("long_term", self.mpp10_lt)] {
                if c[1] > 0 {
                    out.push(Indicator::rate(IND_MPP_10, k, f(c[0]), f(c[1])));
                }
            }
        }
        if self.mpp11[1] > 0 {
            out.push(Indicator::rate(
                IND_MPP_11,
                "",
                f(self.mpp11[0]),
                f(self.mpp11[1]),
            ));
            for (k, n) in ["fu_bp", "fu_weight", "fu_ecg"].iter().zip(self.mpp12) {
                out.push(Indicator::rate(IND_MPP_12, *k, f(n), f(self.mpp11[1])));
            }
        }
        if self.mpp15[1] > 0 || self.mpp15[2] > 0 {
            out.push(Indicator::rate(
                IND_MPP_15,
                "",
                f(self.mpp15[0]),
                f(self.mpp15[1]),
            ));
            out.push(Indicator::count(IND_MPP_15, "pending", f(self.mpp15[2])));
        }
        if self.mpp16[1] > 0 {
            out.push(Indicator::rate(
                IND_MPP_16,
                "",
                f(self.mpp16[0]),
                f(self.mpp16[1]),
            ));
        }
        out
    }
}

/// The result of [`FollowUpAccumulator::finish`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FollowUpReport {
    /// Per site and period (`YYYY-MM` for IND-MPP-9…15, the project year `YYYY` for
    /// IND-MPP-16), with the IND-GEN-6 findings.
    pub by_site: IndicatorTable,
    /// All sites together, per period.
    pub overall: IndicatorTable,
    /// Findings on visit rows raised from the person's rows (DQ-VIS-2, -3, -5,
    /// DQ-PRG-5, -11), by line; `id` is `None` (the store keeps fingerprints).
    pub issues: Vec<VisitIssue>,
    /// IND-QUOTA-2 done counts of `short_term_fu` and `long_term_fu`.
    pub done: DoneCounts,
    /// Visit rows used by the indicators: usable when read and not rejected by the
    /// person-level rules (DQ-VIS-2, -3, DQ-PRG-5).
    pub rows_used: u64,
}

/// Accumulates screened persons, then visit rows, then computes the programme
/// follow-up indicators (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct FollowUpAccumulator {
    sites: Vec<String>,
    site_ix: HashMap<String, u32>,
    persons: Vec<PersonFu>,
    sorted: bool,
    visits: Vec<VisitEntry>,
    max_visit_date: Option<Date>,
}

impl FollowUpAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    fn site(&mut self, s: &str) -> u32 {
        if let Some(i) = self.site_ix.get(s) {
            return *i;
        }
        let i = u32::try_from(self.sites.len()).expect("fewer than 2^32 sites");
        self.sites.push(s.to_string());
        self.site_ix.insert(s.to_string(), i);
        i
    }

    /// Adds a screened person (call before the visits).
    pub fn add_person(
        &mut self,
        id: &str,
        site_id: &str,
        high_risk: HighRiskStatus,
        hr_exam_date: Option<Date>,
        intervention_date: Option<Date>,
    ) {
        let site = self.site(site_id);
        self.persons.push(PersonFu {
            hash: person_hash(id),
            site,
            exam: enc(hr_exam_date),
            intervention: enc(intervention_date),
            high_risk: high_risk == HighRiskStatus::HighRisk,
        });
        self.sorted = false;
    }

    /// Adds the person of a screening indicator row (rows without an id are skipped).
    pub fn add_row(&mut self, row: &super::screening::IndicatorRow) {
        if let Some(id) = &row.id {
            self.add_person(
                id,
                &row.site_id,
                row.high_risk,
                row.hr_exam_date,
                row.intervention_date,
            );
        }
    }

    fn sort_persons(&mut self) {
        if !self.sorted {
            // Stable: of an id's rows, the first read with an hr_exam_date wins, else
            // the first read (DQ-VIS-5 asks for "a screening record with an
            // hr_exam_date").
            self.persons.sort_by_key(|p| (p.hash, p.exam == NONE));
            self.persons.dedup_by_key(|p| p.hash);
            self.persons.shrink_to_fit();
            self.sorted = true;
        }
    }

    fn person(&self, hash: u64) -> Option<&PersonFu> {
        self.persons
            .binary_search_by_key(&hash, |p| p.hash)
            .ok()
            .map(|i| &self.persons[i])
    }

    /// The group of a visit row (IND-GEN-1): the person's screening `site_id` when
    /// there is a screening record, else the row's own `site_id` (`""` when empty).
    pub fn site_of(&mut self, v: &VisitRecord) -> String {
        self.sort_persons();
        let from_screening =
            v.id.as_deref()
                .and_then(|id| self.person(person_hash(id)))
                .map(|p| self.sites[p.site as usize].clone());
        from_screening.unwrap_or_else(|| v.site_id.clone().unwrap_or_default())
    }

    /// Adds a parsed visit row; rows that are not usable (DQ-VIS-1, DQ-PARSE-1 on a
    /// required cell) are left out.
    pub fn add_visit(&mut self, p: &ParsedVisit) {
        let v = &p.record;
        let (Some(id), Some(date), Some(kind)) = (&v.id, v.visit_date, v.visit_kind) else {
            return;
        };
        let site = self.site(v.site_id.as_deref().unwrap_or(""));
        let (s, d) = visit_bp(v, &BphsOptions::default());
        let mut flags = 0;
        for (on, bit) in [
            (v.died, DIED),
            (v.withdrawn, WITHDRAWN),
            (s.is_some() && d.is_some(), HAS_BP),
            (v.weight_kg.is_some(), HAS_WEIGHT),
            (v.ecg_done, ECG),
        ] {
            if on {
                flags |= bit;
            }
        }
        self.visits.push(VisitEntry {
            hash: person_hash(id),
            line: p.line,
            date: date.to_days() as i32,
            site,
            kind,
            mode: v.mode,
            flags,
        });
        if Some(date) > self.max_visit_date {
            self.max_visit_date = Some(date);
        }
    }

    /// The latest `visit_date` of the usable rows.
    pub fn max_visit_date(&self) -> Option<Date> {
        self.max_visit_date
    }

    /// Number of usable visit rows held.
    pub fn visit_rows(&self) -> usize {
        self.visits.len()
    }

    /// Computes the indicators as at `as_of` (IND-GEN-3: later events are ignored).
    pub fn finish(&mut self, as_of: Date, opts: &FollowUpOptions) -> FollowUpReport {
        self.sort_persons();
        self.visits.sort_by_key(|v| (v.hash, v.date, v.line));
        let mut cells: BTreeMap<(u32, String), Counts> = BTreeMap::new();
        let mut issues = Vec::new();
        let mut done = DoneCounts::new();
        let mut rows_used = 0u64;
        let (mut i, mut j) = (0usize, 0usize);
        let visits = std::mem::take(&mut self.visits);
        while i < self.persons.len() || j < visits.len() {
            let hp = self.persons.get(i).map_or(u64::MAX, |p| p.hash);
            let hv = visits.get(j).map_or(u64::MAX, |v| v.hash);
            let h = hp.min(hv);
            let person = (hp == h && i < self.persons.len()).then(|| self.persons[i]);
            let start = j;
            while j < visits.len() && visits[j].hash == h {
                j += 1;
            }
            if person.is_some() {
                i += 1;
            }
            let mut ctx = Ctx {
                sites: &self.sites,
                as_of,
                opts,
                cells: &mut cells,
                issues: &mut issues,
                done: &mut done,
                rows_used: &mut rows_used,
            };
            ctx.one_person(person, &visits[start..j]);
        }
        self.visits = visits;
        issues.sort_by_key(|x: &VisitIssue| x.line);
        let mut overall: BTreeMap<String, Counts> = BTreeMap::new();
        let mut by_site = IndicatorTable::default();
        let named: BTreeMap<(&str, &str), &Counts> = cells
            .iter()
            .map(|((site, period), c)| ((self.sites[*site as usize].as_str(), period.as_str()), c))
            .collect();
        for ((site, period), c) in named {
            overall.entry(period.to_string()).or_default().add(c);
            let key = GroupKey {
                site: Some(site.to_string()),
                period: Some(period.to_string()),
                sex: None,
                age_band: None,
            };
            push_rows(&mut by_site, &key, c);
        }
        let mut all = IndicatorTable::default();
        for (period, c) in &overall {
            let key = GroupKey {
                site: None,
                period: Some(period.clone()),
                sex: None,
                age_band: None,
            };
            push_rows(&mut all, &key, c);
        }
        FollowUpReport {
            by_site,
            overall: all,
            issues,
            done,
            rows_used,
        }
    }
}

fn push_rows(t: &mut IndicatorTable, key: &GroupKey, c: &Counts) {
    let label = key.label();
    for ind in c.indicators() {
        if let Some(f) = ind.anomaly(&label) {
            t.findings.push(f);
        }
        t.rows.push(TableRow::new(key, ind));
    }
}

struct Ctx<'a> {
    sites: &'a [String],
    as_of: Date,
    opts: &'a FollowUpOptions,
    cells: &'a mut BTreeMap<(u32, String), Counts>,
    issues: &'a mut Vec<VisitIssue>,
    done: &'a mut DoneCounts,
    rows_used: &'a mut u64,
}

#[allow(clippy::too_many_arguments)]
fn issue(
    e: &VisitEntry,
    site: &str,
    rule: &'static str,
    severity: Severity,
    field: &str,
    en: String,
    zh: String,
) -> VisitIssue {
    let kind = kind_str(e.kind);
    let date = e.date();
    VisitIssue {
        line: e.line,
        id: None,
        visit_kind: Some(e.kind),
        visit_date: Some(date),
        site_id: site.to_string(),
        finding: Finding::new(
            rule,
            severity,
            field,
            Some(date.to_string()),
            format!("line {}: {kind} visit of {date}: {en}", e.line),
            format!("第 {} 行：{date} 的 {kind} 随访：{zh}", e.line),
        ),
    }
}

impl Ctx<'_> {
    fn cell(&mut self, site: u32, period: String) -> &mut Counts {
        self.cells.entry((site, period)).or_default()
    }

    fn one_person(&mut self, p: Option<PersonFu>, vs: &[VisitEntry]) {
        let as_of = self.as_of;
        let site = p.map_or_else(|| vs.first().map_or(0, |v| v.site), |p| p.site);
        let site_name = self.sites[site as usize].clone();
        let exam = p.and_then(|p| dec(p.exam));
        // Row rules over the person's rows (§12.10); rejected rows are not used.
        let mut rejected = vec![false; vs.len()];
        let death = vs
            .iter()
            .filter(|v| v.flags & DIED != 0)
            .map(|v| v.date)
            .min();
        for (k, v) in vs.iter().enumerate() {
            if !v.is_done() {
                continue;
            }
            let dup = vs
                .iter()
                .enumerate()
                .any(|(m, o)| m != k && o.is_done() && o.kind == v.kind && o.date == v.date);
            if dup {
                rejected[k] = true;
                self.issues.push(issue(
                    v,
                    &site_name,
                    DQ_VIS_2,
                    Severity::Reject,
                    "visit_date",
                    "another done visit has the same id, visit_kind and visit_date; which one is right cannot be told".into(),
                    "另有编号、随访类型和日期均相同的随访，无法判断哪条正确".into(),
                ));
            }
            if death.is_some_and(|d| v.date > d) {
                rejected[k] = true;
                let d = Date::from_days(i64::from(death.unwrap_or(v.date)));
                self.issues.push(issue(
                    v,
                    &site_name,
                    DQ_VIS_3,
                    Severity::Reject,
                    "visit_date",
                    format!("dated after the person's death on {d}"),
                    format!("晚于死亡日期 {d}"),
                ));
            }
            if v.programme() {
                match exam {
                    Some(e) if v.date() < e => {
                        rejected[k] = true;
                        self.issues.push(issue(
                            v,
                            &site_name,
                            DQ_PRG_5,
                            Severity::Reject,
                            "visit_date",
                            format!("dated before the high-risk examination of {e}"),
                            format!("早于高危筛查日期 {e}"),
                        ));
                    }
                    Some(_) => {}
                    None => self.issues.push(issue(
                        v,
                        &site_name,
                        DQ_VIS_5,
                        Severity::Warn,
                        "id",
                        "no screening record with an hr_exam_date for this id: counted in the visit-based rates only".into(),
                        "该编号无含高危筛查日期的筛查记录：仅计入按随访计数的指标".into(),
                    )),
                }
            }
        }
        let kept: Vec<&VisitEntry> = vs
            .iter()
            .zip(&rejected)
            .filter(|(_, r)| !**r)
            .map(|(v, _)| v)
            .collect();
        *self.rows_used += kept.len() as u64;
        let recs: Vec<VisitRecord> = kept.iter().map(|v| v.record()).collect();
        // Visit-based: IND-MPP-11 and the follow-up items of IND-MPP-12.
        let mut any_programme_done = false;
        for v in &kept {
            if !(v.is_done() && v.programme() && v.date() <= as_of) {
                continue;
            }
            any_programme_done = true;
            let c = self.cell(site, v.date().year_month());
            c.mpp11[1] += 1;
            c.mpp11[0] += u64::from(v.mode == Some(VisitMode::FaceToFace));
            c.mpp12[0] += u64::from(v.flags & HAS_BP != 0);
            c.mpp12[1] += u64::from(v.flags & HAS_WEIGHT != 0);
            c.mpp12[2] += u64::from(v.flags & ECG != 0);
        }
        let Some(p) = p else { return };
        // IND-MPP-9, placed by intervention_date.
        if let Some(d) = dec(p.intervention).filter(|d| *d <= as_of) {
            let c = self.cell(site, d.year_month());
            c.mpp9[1] += 1;
            c.mpp9[0] += u64::from(any_programme_done);
        }
        // The schedule (FU-5…FU-9).
        if !p.high_risk || exam.is_none() {
            return;
        }
        let fp = FuPerson {
            high_risk: HighRiskStatus::HighRisk,
            hr_exam_date: exam,
            intervention_date: dec(p.intervention),
            birth_date: None,
        };
        let Some(st) = short_term_due(&fp, self.opts) else {
            return;
        };
        let first = first_short_term(&recs, as_of);
        if let Some(fd) = first {
            *self
                .done
                .entry((site_name.clone(), "short_term_fu".into(), fd.year_month()))
                .or_default() += 1;
            if fd < st.window_start || fd > st.window_end {
                if let Some(v) = kept
                    .iter()
                    .find(|v| v.kind == VisitKind::ShortTerm && v.is_done() && v.date() == fd)
                {
                    let (ws, we, rule) = (st.window_start, st.window_end, st.rule);
                    self.issues.push(issue(
                        v,
                        &site_name,
                        DQ_PRG_5,
                        Severity::Warn,
                        "visit_date",
                        format!("short-term visit outside its window {ws} … {we} ({rule})"),
                        format!("短期随访不在时间窗 {ws} 至 {we} 内（{rule}）"),
                    ));
                }
            }
        }
        let on_time = first.is_some_and(|d| d >= st.window_start && d <= st.window_end);
        if st.due <= as_of {
            let month = st.due.year_month();
            // IND-MPP-10, short-term: booked when alive and in follow-up on the due date.
            if status_on(&recs, st.due) == LifeStatus::Active {
                let c = self.cell(site, month.clone());
                c.mpp10_st[1] += 1;
                c.mpp10_st[0] += u64::from(first.is_some());
            }
            // IND-MPP-15.
            if st.window_end <= as_of {
                // Left out: died or withdrew before the window's end without a
                // short-term visit by then (FU-7).
                let left = status_on(&recs, st.window_end) != LifeStatus::Active;
                let seen = first.is_some_and(|d| d <= st.window_end);
                if seen || !left {
                    let c = self.cell(site, month);
                    c.mpp15[1] += 1;
                    c.mpp15[0] += u64::from(on_time);
                }
            } else {
                self.cell(site, month).mpp15[2] += 1;
            }
        }
        // Long-term: IND-MPP-10 (booked by due date) and IND-MPP-16 (by project year).
        let m = self.opts.project_year_start_month;
        let exam_year = project_year(exam.unwrap_or(as_of), m);
        for y in (exam_year + 1)..=project_year(as_of, m) {
            let Some(ly) = long_term_year(&fp, &recs, y, as_of, self.opts) else {
                continue;
            };
            if ly.due <= as_of && status_on(&recs, ly.due) == LifeStatus::Active {
                let c = self.cell(site, ly.due.year_month());
                c.mpp10_lt[1] += 1;
                c.mpp10_lt[0] += u64::from(ly.counted.is_some());
            }
            let t = ly.due_until.min(as_of);
            if status_on(&recs, t) == LifeStatus::Active || ly.counted.is_some() {
                let c = self.cell(site, y.to_string());
                c.mpp16[1] += 1;
                c.mpp16[0] += u64::from(ly.counted.is_some());
            }
        }
        // FU-6 (c) counted visits: the `long_term_fu` task and DQ-PRG-11.
        for c in counted_long_term(&fp, &recs, as_of, self.opts) {
            *self
                .done
                .entry((
                    site_name.clone(),
                    "long_term_fu".into(),
                    c.date.year_month(),
                ))
                .or_default() += 1;
            if c.early() {
                if let Some(v) = kept
                    .iter()
                    .find(|v| v.kind == VisitKind::LongTerm && v.is_done() && v.date() == c.date)
                {
                    let e = c.earliest;
                    self.issues.push(issue(
                        v,
                        &site_name,
                        DQ_PRG_11,
                        Severity::Warn,
                        "visit_date",
                        format!("long-term visit before its earliest date {e} (FU-6 a); it still counts"),
                        format!("长期随访早于最早日期 {e}（FU-6 a）；仍计数"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::visits::parse_visit_file;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    const HR: HighRiskStatus = HighRiskStatus::HighRisk;

    fn acc(persons: &[(&str, &str, Option<&str>)], visits: &str) -> FollowUpAccumulator {
        let mut a = FollowUpAccumulator::new();
        for (id, exam, intervention) in persons {
            a.add_person(id, "S1", HR, Some(d(exam)), intervention.map(d));
        }
        let text = format!("id,visit_date,visit_kind,mode,site_id,sbp,dbp,weight_kg,ecg_done,died,withdrawn\n{visits}");
        for p in parse_visit_file(&text).unwrap() {
            a.add_visit(&p);
        }
        a
    }

    /// (numerator, denominator) of a row.
    fn get(
        t: &IndicatorTable,
        site: Option<&str>,
        period: &str,
        id: &str,
        key: &str,
    ) -> (f64, Option<f64>) {
        let r = t
            .rows
            .iter()
            .find(|r| {
                r.site.as_deref() == site
                    && r.period.as_deref() == Some(period)
                    && r.id == id
                    && r.key == key
            })
            .unwrap_or_else(|| panic!("no row {site:?} {period} {id} {key}"));
        (r.numerator, r.denominator)
    }

    fn rules(r: &FollowUpReport) -> Vec<(u64, &'static str, Severity)> {
        r.issues
            .iter()
            .map(|i| (i.line, i.finding.rule_id, i.finding.severity))
            .collect()
    }

    #[test]
    fn mpp_15_and_10_short_term_window_boundaries() {
        // Exam 2025-01-10: due 2025-04-10, window 2025-03-10 … 2025-05-10 (FU-5).
        let e = "2025-01-10";
        let mut a = acc(
            &[
                ("P1", e, None),
                ("P2", e, None),
                ("P3", e, None),
                ("P4", e, None),
                ("P5", e, None),
                ("P6", e, None),
                ("P7", e, None),
                ("P8", "2025-05-20", None),
                ("P9", "2025-03-15", None),
                ("P10", e, None),
            ],
            "P1,2025-03-10,short_term,face_to_face,,130,80,,,,\n\
             P2,2025-05-10,short_term,face_to_face,,130,80,,,,\n\
             P3,2025-03-09,short_term,phone,,130,80,,,,\n\
             P4,2025-05-11,short_term,phone,,130,80,,,,\n\
             P5,2025-04-01,short_term,,,,,,,1,\n\
             P6,2025-04-01,short_term,,,,,,,,1\n\
             P10,2025-03-01,short_term,face_to_face,,130,80,,,,\n\
             P10,2025-04-01,short_term,,,,,,,1,\n",
        );
        let r = a.finish(d("2025-06-30"), &FollowUpOptions::default());
        let t = &r.by_site;
        // On time: P1 (first day), P2 (last day); P3 one day early, P4 one day late,
        // P7 never seen; P5 died and P6 withdrew before the window's end without a
        // visit: left out; P10 was seen (too early), then died: stays, not on time.
        assert_eq!(
            get(t, Some("S1"), "2025-04", IND_MPP_15, ""),
            (2.0, Some(6.0))
        );
        assert_eq!(
            get(t, Some("S1"), "2025-04", IND_MPP_15, "pending"),
            (0.0, None)
        );
        // P9: due 2025-06-15, window open until 2025-07-15 → pending; P8 due after as_of.
        assert_eq!(
            get(t, Some("S1"), "2025-06", IND_MPP_15, ""),
            (0.0, Some(0.0))
        );
        assert_eq!(
            get(t, Some("S1"), "2025-06", IND_MPP_15, "pending"),
            (1.0, None)
        );
        assert!(!t
            .rows
            .iter()
            .any(|r| r.period.as_deref() == Some("2025-08")));
        // IND-MPP-10: booked = alive and in follow-up on the due date (P5, P6 not).
        assert_eq!(
            get(t, Some("S1"), "2025-04", IND_MPP_10, "short_term"),
            (4.0, Some(5.0))
        );
        assert_eq!(
            get(t, Some("S1"), "2025-06", IND_MPP_10, ""),
            (0.0, Some(1.0))
        );
        // Overall table = sum over sites.
        assert_eq!(
            get(&r.overall, None, "2025-04", IND_MPP_10, ""),
            (4.0, Some(5.0))
        );
        // DQ-PRG-5 warnings for P3, P4 and P10 (lines 4, 5 and 8).
        assert_eq!(
            rules(&r),
            vec![
                (4, DQ_PRG_5, Severity::Warn),
                (5, DQ_PRG_5, Severity::Warn),
                (8, DQ_PRG_5, Severity::Warn)
            ]
        );
        // The window's last day as as_of closes it; the day before keeps it pending.
        let r = a.finish(d("2025-05-10"), &FollowUpOptions::default());
        assert_eq!(
            get(&r.by_site, Some("S1"), "2025-04", IND_MPP_15, ""),
            (2.0, Some(6.0))
        );
        let r = a.finish(d("2025-05-09"), &FollowUpOptions::default());
        assert_eq!(
            get(&r.by_site, Some("S1"), "2025-04", IND_MPP_15, ""),
            (0.0, Some(0.0))
        );
        assert_eq!(
            get(&r.by_site, Some("S1"), "2025-04", IND_MPP_15, "pending"),
            (8.0, None)
        );
        // Done counts of the quota task: first short-term visits by month.
        let done = a.finish(d("2025-06-30"), &FollowUpOptions::default()).done;
        assert_eq!(
            done[&("S1".into(), "short_term_fu".into(), "2025-03".into())],
            3
        );
        assert_eq!(
            done[&("S1".into(), "short_term_fu".into(), "2025-05".into())],
            2
        );
    }

    #[test]
    fn mpp_16_and_10_long_term_cohort() {
        // FU-6 worked example: exam 2025-05-10, short-term visit 2025-08-20 → earliest
        // 2025-11-20, due in 2026 from 2026-01-01.
        let e = "2025-05-10";
        let ids = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"];
        let persons: Vec<(&str, &str, Option<&str>)> = ids.iter().map(|i| (*i, e, None)).collect();
        let mut visits: String = ids
            .iter()
            .map(|i| format!("{i},2025-08-20,short_term,face_to_face,,130,80,,,,\n"))
            .collect();
        visits.push_str(
            "Q1,2026-03-02,long_term,face_to_face,,130,80,70,1,,\n\
             Q3,2026-02-01,long_term,,,,,,,1,\n\
             Q4,2026-02-01,long_term,face_to_face,,130,80,,,,\n\
             Q4,2026-06-01,long_term,,,,,,,1,\n\
             Q5,2026-03-01,long_term,,,,,,,,1\n\
             Q5,2026-05-01,long_term,phone,,130,80,,,,\n\
             Q6,2025-12-01,long_term,face_to_face,,130,80,,,,\n\
             Q6,2026-04-01,long_term,face_to_face,,130,80,,,,\n",
        );
        let mut a = acc(&persons, &visits);
        let r = a.finish(d("2026-12-31"), &FollowUpOptions::default());
        let t = &r.by_site;
        // Cohort 2026: Q1, Q2, Q4 (seen, then died), Q5 (withdrew, came back), Q6;
        // Q3 died before being seen. Counted: Q1, Q4, Q5, Q6.
        assert_eq!(get(t, Some("S1"), "2026", IND_MPP_16, ""), (4.0, Some(5.0)));
        // IND-MPP-10 long-term: due 2026-01-01 for Q1…Q5 (Q3 alive then), Q6 from
        // 2026-06-01 (its 2025-12-01 visit + 6 months).
        assert_eq!(
            get(t, Some("S1"), "2026-01", IND_MPP_10, "long_term"),
            (3.0, Some(5.0))
        );
        assert_eq!(
            get(t, Some("S1"), "2026-06", IND_MPP_10, "long_term"),
            (1.0, Some(1.0))
        );
        // Q6's 2026 visit is before its earliest date: DQ-PRG-11, still counted.
        let prg11: Vec<u64> = r
            .issues
            .iter()
            .filter(|i| i.finding.rule_id == DQ_PRG_11)
            .map(|i| i.line)
            .collect();
        assert_eq!(prg11, vec![15]);
        // IND-MPP-11/12 over the done programme visits: 2026-03 has Q1 (face to face,
        // weight, ECG) only (Q5's row of 2026-03-01 is a withdrawal).
        assert_eq!(
            get(t, Some("S1"), "2026-03", IND_MPP_11, ""),
            (1.0, Some(1.0))
        );
        assert_eq!(
            get(t, Some("S1"), "2026-03", IND_MPP_12, "fu_weight"),
            (1.0, Some(1.0))
        );
        assert_eq!(
            get(t, Some("S1"), "2026-03", IND_MPP_12, "fu_ecg"),
            (1.0, Some(1.0))
        );
        assert_eq!(
            get(t, Some("S1"), "2026-05", IND_MPP_11, ""),
            (0.0, Some(1.0))
        );
        // Before the year's end: the cohort is taken on as_of.
        let r = a.finish(d("2026-02-15"), &FollowUpOptions::default());
        // Q3 dead by then; Q1, Q2, Q5, Q6 not yet seen; Q4 seen.
        assert_eq!(
            get(&r.by_site, Some("S1"), "2026", IND_MPP_16, ""),
            (1.0, Some(5.0))
        );
        // long_term_fu done counts: counted visits by month (Q6 twice: 2025 and 2026).
        let done = a.finish(d("2026-12-31"), &FollowUpOptions::default()).done;
        assert_eq!(
            done[&("S1".into(), "long_term_fu".into(), "2025-12".into())],
            1
        );
        assert_eq!(
            done[&("S1".into(), "long_term_fu".into(), "2026-04".into())],
            1
        );
    }

    #[test]
    fn mpp_9_visit_rules_and_unscreened_visits() {
        let mut a = acc(
            &[
                ("R1", "2025-02-01", Some("2025-02-15")),
                ("R2", "2025-02-01", Some("2025-02-20")),
                ("R3", "2025-02-01", Some("2025-02-25")),
                ("R4", "2025-03-01", None),
                ("R5", "2025-03-01", None),
            ],
            "R1,2025-05-01,short_term,phone,,,,,,,\n\
             R3,2025-07-01,short_term,face_to_face,,130,80,,,,\n\
             X1,2025-05-03,short_term,face_to_face,S9,130,80,70,,,\n\
             R4,2025-02-01,short_term,face_to_face,,130,80,,,,\n\
             R5,2025-06-01,long_term,face_to_face,,130,80,,,,\n\
             R5,2025-06-01,long_term,phone,,130,80,,,,\n\
             R5,2025-06-02,long_term,,,,,,,1,\n\
             R5,2025-06-03,long_term,face_to_face,,130,80,,,,\n",
        );
        let r = a.finish(d("2025-06-30"), &FollowUpOptions::default());
        let t = &r.by_site;
        // IND-MPP-9: R1 seen by as_of; R2 never; R3 only after as_of.
        assert_eq!(
            get(t, Some("S1"), "2025-02", IND_MPP_9, ""),
            (1.0, Some(3.0))
        );
        // The phone visit of R1 counts as a visit, not face to face, no BP.
        assert_eq!(
            get(t, Some("S1"), "2025-05", IND_MPP_11, ""),
            (0.0, Some(1.0))
        );
        assert_eq!(
            get(t, Some("S1"), "2025-05", IND_MPP_12, "fu_bp"),
            (0.0, Some(1.0))
        );
        // X1 has no screening record: DQ-VIS-5, grouped by its own site, counted in
        // the visit-based rates.
        assert_eq!(
            get(t, Some("S9"), "2025-05", IND_MPP_11, ""),
            (1.0, Some(1.0))
        );
        assert_eq!(
            get(t, Some("S9"), "2025-05", IND_MPP_12, "fu_bp"),
            (1.0, Some(1.0))
        );
        assert_eq!(
            get(t, Some("S9"), "2025-05", IND_MPP_12, "fu_ecg"),
            (0.0, Some(1.0))
        );
        assert_eq!(
            get(&r.overall, None, "2025-05", IND_MPP_11, ""),
            (1.0, Some(2.0))
        );
        // R4's visit is before the examination (DQ-PRG-5 Reject: unused, so R4's
        // short-term visit is missing); R5's two visits of 2025-06-01 are DQ-VIS-2 and
        // the visit after death DQ-VIS-3: none of R5's visits is used.
        assert_eq!(
            rules(&r),
            vec![
                (4, DQ_VIS_5, Severity::Warn),
                (5, DQ_PRG_5, Severity::Reject),
                (6, DQ_VIS_2, Severity::Reject),
                (7, DQ_VIS_2, Severity::Reject),
                (9, DQ_VIS_3, Severity::Reject),
            ]
        );
        assert!(!t
            .rows
            .iter()
            .any(|r| r.period.as_deref() == Some("2025-06") && r.id == IND_MPP_11));
        // Site of a visit row: the screening site, else the row's own.
        let v = parse_visit_file("id,visit_date,visit_kind,site_id\nR1,2025-01-01,short_term,S7\nX1,2025-01-01,short_term,S7\n").unwrap();
        assert_eq!(a.site_of(&v[0].record), "S1");
        assert_eq!(a.site_of(&v[1].record), "S7");
    }

    #[test]
    fn duplicate_ids_use_the_row_with_an_examination() {
        let mut a = FollowUpAccumulator::new();
        a.add_person("D1", "S1", HR, None, None);
        a.add_person("D1", "S2", HR, Some(d("2025-01-10")), None);
        for p in
            parse_visit_file("id,visit_date,visit_kind,sbp,dbp\nD1,2025-04-10,short_term,130,80\n")
                .unwrap()
        {
            a.add_visit(&p);
        }
        let r = a.finish(d("2025-06-30"), &FollowUpOptions::default());
        assert!(r.issues.is_empty());
        assert_eq!(
            get(&r.by_site, Some("S2"), "2025-04", IND_MPP_15, ""),
            (1.0, Some(1.0))
        );
    }

    #[test]
    fn pilot_stage_model_uses_the_intervention_anchor() {
        // FU-8: due = intervention + 1 month = 2025-03-01, window ± 14 days.
        let mut a = acc(
            &[
                ("T1", "2025-01-20", Some("2025-02-01")),
                ("T2", "2025-01-20", Some("2025-02-01")),
            ],
            "T1,2025-03-15,short_term,face_to_face,,130,80,,,,\n\
             T2,2025-03-16,short_term,face_to_face,,130,80,,,,\n",
        );
        let opts = FollowUpOptions {
            stage_model: crate::followup::StageModel::Pilot2014,
            ..FollowUpOptions::default()
        };
        let r = a.finish(d("2025-06-30"), &opts);
        assert_eq!(
            get(&r.by_site, Some("S1"), "2025-03", IND_MPP_15, ""),
            (1.0, Some(2.0))
        );
    }
}
