//! The pipeline shared by every front end: parse → QC → assess (architecture.md).
//!
//! ```
//! use cvdscreen::assess::Screener;
//! use cvdscreen::exchange::Header;
//! use cvdscreen::profile::Profile;
//! let header = Header::new(&["id", "sex", "age", "sbp", "dbp", "history_mi"]);
//! let screener = Screener::new(Profile::default());
//! let a = screener.screen_cells(&header, &["P1", "female", "62", "172", "96", "0"]);
//! assert_eq!(a.high_risk.status.as_str(), "yes");
//! assert_eq!(a.high_risk.reasons[0], "MPP2014-HR-5");
//! ```

use crate::criteria::eligibility::{self, Eligibility};
use crate::criteria::mpp2014::{self, HighRiskResult, HighRiskStatus};
use crate::date::Date;
use crate::evaluated::EvaluatedRecord;
use crate::exchange::{self, Header};
use crate::finding::Finding;
use crate::followup;
use crate::guideline::bp_class::{self, BpGrade};
use crate::guideline::cn2019::{self, Cn2019Result};
use crate::guideline::conditions::Person;
use crate::guideline::lipid::{self, LipidStratum, TargetResult};
use crate::guideline::tv::Enumerations;
use crate::intervention::{self, Plan};
use crate::models::from_record::{self, ModelResults};
use crate::profile::Profile;
use crate::qc::{self, QcReport, QcStatus};
use crate::record::{AgeInfo, ScreeningRecord, Sex};
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything the library concludes about one screening record.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// `id` of the record.
    pub id: Option<String>,
    /// `site_id`.
    pub site_id: Option<String>,
    /// `screen_date`.
    pub screen_date: Option<Date>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Age (UNIT-10), before QC masking.
    pub age: Option<AgeInfo>,
    /// QC findings (parse findings included) and masked values.
    pub qc: QcReport,
    /// Eligibility (§3).
    pub eligibility: Eligibility,
    /// High-risk evaluation under the profile's rule set (§6).
    pub high_risk: HighRiskResult,
    /// The values the rules saw.
    pub evaluated: EvaluatedRecord,
    /// Every risk model's result, or why it could not be computed (RM-GEN-8).
    pub models: ModelResults,
    /// Guideline stratification, plan and first follow-up (§8–§10).
    pub guideline: GuidelineAssessment,
    /// Name of the profile used.
    pub profile: String,
}

/// What the guidelines say about one person (spec/domain.md §8–§10); every part is
/// advisory (`guideline_derived`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GuidelineAssessment {
    /// `cn2019` level from COND-1 and China-PAR (the `risk_level` column).
    pub risk_level: Cn2019Result,
    /// BP category under the profile's `bp_scheme` (the `bp_grade` column).
    pub bp_grade: Option<BpGrade>,
    /// Lipid-guideline stratum under the profile's `lipid_ruleset`.
    pub lipid: LipidStratum,
    /// LDL-C target of that stratum (LIP-TGT-1…10).
    pub ldl_target: TargetResult,
    /// The intervention plan, with the urgent-referral decision.
    pub plan: Plan,
    /// First programme follow-up due date (FU-10 with `as_of = hr_exam_date`).
    pub next_follow_up: Option<Date>,
}

fn guideline(
    record: &ScreeningRecord,
    ev: &EvaluatedRecord,
    hr: HighRiskStatus,
    china_par_pct: Option<f64>,
    profile: &Profile,
) -> GuidelineAssessment {
    let opts = profile.guideline_options();
    let p = Person::new(record, ev, profile.canonical_unit);
    // The lipid procedure's runs are shared by the stratum, the target and the plan
    // (record and values outlive the scope).
    lipid::with_memo(|| {
        // One oracle for every enumeration of the person (taken from the pool once).
        let mut e = Enumerations::new();
        // The plan's statin item uses the same stratum and target: computed once.
        let lipid = lipid::stratify_with(&p, profile.lipid_ruleset, &mut e);
        let ldl_target = lipid::ldl_target_with(&p, profile.lipid_ruleset, &mut e);
        let plan =
            intervention::plan_with(&p, hr, china_par_pct, &opts, &lipid, &ldl_target, &mut e);
        GuidelineAssessment {
            risk_level: cn2019::risk_level_with(&p, china_par_pct, None, &mut e),
            bp_grade: bp_class::classify(profile.bp_scheme, ev.sbp(), ev.dbp()),
            lipid,
            ldl_target,
            plan,
            next_follow_up: followup::next_follow_up_column(record, hr, &profile.followup),
        }
    })
}

impl Assessment {
    /// QC status.
    pub fn qc_status(&self) -> QcStatus {
        self.qc.status()
    }
}

/// Assesses one typed record with no parse findings and no batch context.
pub fn assess(record: &ScreeningRecord, profile: &Profile) -> Assessment {
    assess_with(record, Vec::new(), profile, None)
}

/// Assesses one record, adding `parse_findings` (DQ-PARSE-1) and, when given, the
/// batch's duplicate index (DQ-PRG-6).
pub fn assess_with(
    record: &ScreeningRecord,
    parse_findings: Vec<Finding>,
    profile: &Profile,
    duplicates: Option<&qc::DuplicateIndex>,
) -> Assessment {
    // The derived BP is read by QC and by the evaluated record: computed once.
    let bp = record.derived_bp(profile.bp_protocol, profile.min_readings);
    let mut report = qc::check_with_bp(record, profile, &bp);
    if !parse_findings.is_empty() {
        let mut all = parse_findings;
        all.append(&mut report.findings);
        report.findings = all;
    }
    let evaluated = EvaluatedRecord::with_bp(record, profile, report.masked, bp);
    let high_risk = mpp2014::evaluate(record, &evaluated, profile);
    qc::after_assessment(record, &mut report, high_risk.status.to_opt(), duplicates);
    let models = from_record::evaluate_all(record, &evaluated, profile);
    Assessment {
        id: record.id.clone(),
        site_id: record.site_id.clone(),
        screen_date: record.screen_date,
        sex: record.sex,
        age: record.age_info(),
        eligibility: eligibility::evaluate(record, profile),
        qc: report,
        guideline: guideline(
            record,
            &evaluated,
            high_risk.status,
            models.china_par.as_ref().ok().map(|r| r.risk10_pct),
            profile,
        ),
        models,
        high_risk,
        evaluated,
        profile: profile.name.clone(),
    }
}

/// Assesses a slice of records: one result per input, in order. Builds the duplicate
/// index over the whole slice first (DQ-PRG-6).
pub fn assess_batch(records: &[ScreeningRecord], profile: &Profile) -> Vec<Assessment> {
    let index = qc::DuplicateIndex::from_records(records.iter());
    records
        .iter()
        .map(|r| assess_with(r, Vec::new(), profile, Some(&index)))
        .collect()
}

/// Screens exchange-format rows: the entry point of the CLI and the bindings.
#[derive(Clone, Debug)]
pub struct Screener {
    profile: Profile,
    duplicates: Option<qc::DuplicateIndex>,
}

impl Screener {
    /// A screener without a duplicate index (single records).
    pub fn new(profile: Profile) -> Self {
        Screener {
            profile,
            duplicates: None,
        }
    }
    /// A screener that flags ids and identity numbers duplicated in `index`.
    pub fn with_duplicates(profile: Profile, index: qc::DuplicateIndex) -> Self {
        Screener {
            profile,
            duplicates: Some(index),
        }
    }
    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Screens one row of cells against a header. A row with the wrong number of
    /// fields is still assessed: its cells are read as far as they exist, and it is
    /// rejected with DQ-PARSE-1 and every field unknown (§12.9).
    pub fn screen_cells<S: AsRef<str>>(&self, header: &Header, cells: &[S]) -> Assessment {
        self.screen_cells_with_record(header, cells).1
    }

    /// As [`screen_cells`](Self::screen_cells), also returning the parsed record (for
    /// [`crate::explain::explain`] and for indicators that read record fields).
    pub fn screen_cells_with_record<S: AsRef<str>>(
        &self,
        header: &Header,
        cells: &[S],
    ) -> (ScreeningRecord, Assessment) {
        self.screen_cells_with_findings(header, cells, Vec::new())
    }

    /// As [`screen_cells_with_record`](Self::screen_cells_with_record), adding
    /// `extra` DQ-PARSE-1 findings a front end raised before the cells reached the
    /// parser (e.g. bytes that could not be decoded; the front end passes such a cell
    /// as empty, so its field is unknown).
    pub fn screen_cells_with_findings<S: AsRef<str>>(
        &self,
        header: &Header,
        cells: &[S],
        extra: Vec<Finding>,
    ) -> (ScreeningRecord, Assessment) {
        self.screen_row(header, cells.len(), extra, |n| {
            exchange::parse_record(header, &cells[..n])
        })
    }

    /// As [`screen_cells_with_record`](Self::screen_cells_with_record), for a row of
    /// typed cells ([`exchange::parse_typed`]: the same values and findings as the
    /// row's text).
    pub fn screen_typed(
        &self,
        header: &Header,
        cells: &[exchange::Cell<'_>],
    ) -> (ScreeningRecord, Assessment) {
        self.screen_row(header, cells.len(), Vec::new(), |n| {
            exchange::parse_typed(header, &cells[..n])
        })
    }

    /// Screens a row of `len` cells whose first `n` (at most the header's width) `parse`
    /// reads.
    fn screen_row(
        &self,
        header: &Header,
        len: usize,
        extra: Vec<Finding>,
        parse: impl FnOnce(usize) -> (ScreeningRecord, Vec<Finding>),
    ) -> (ScreeningRecord, Assessment) {
        if len != header.len() {
            let mut findings = extra;
            findings.push(exchange::field_count_finding(header.len(), len));
            let (parsed, _) = parse(len.min(header.len()));
            // Every field unknown except the identifiers needed to report the row.
            let rec = ScreeningRecord {
                columns: parsed.columns,
                id: parsed.id,
                site_id: parsed.site_id,
                screen_date: parsed.screen_date,
                ..Default::default()
            };
            let mut a = assess_with(&rec, findings, &self.profile, None);
            // Mandatory-item findings would only repeat that nothing could be read.
            a.qc.findings.retain(|f| f.rule_id == exchange::DQ_PARSE_1);
            return (rec, a);
        }
        // The parsed record stays where the parser put it (no copy of the whole record
        // into another local before it moves into the result).
        let mut parsed = parse(len);
        if !extra.is_empty() {
            parsed.1.splice(0..0, extra);
        }
        let findings = std::mem::take(&mut parsed.1);
        let a = assess_with(&parsed.0, findings, &self.profile, self.duplicates.as_ref());
        (parsed.0, a)
    }
}

/// Counts for one group (a site, or all records).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Records submitted.
    pub records: u64,
    /// Records with `qc_status = reject` (unqualified).
    pub rejected: u64,
    /// Records with `qc_status = warn`.
    pub warned: u64,
    /// Qualified records (submitted − rejected): the screened count (IND-MPP-1).
    pub screened: u64,
    /// High-risk persons among the screened (IND-MPP-3).
    pub high_risk: u64,
    /// Indeterminate persons among the screened (IND-MPP-14).
    pub indeterminate: u64,
}

impl Counts {
    fn add(&mut self, a: &Assessment) {
        self.records += 1;
        match a.qc_status() {
            QcStatus::Reject => self.rejected += 1,
            QcStatus::Warn => self.warned += 1,
            QcStatus::Ok => {}
        }
        if a.qc_status() != QcStatus::Reject {
            self.screened += 1;
            match a.high_risk.status {
                HighRiskStatus::HighRisk => self.high_risk += 1,
                HighRiskStatus::Indeterminate => self.indeterminate += 1,
                HighRiskStatus::NotHighRisk => {}
            }
        }
    }
    fn merge(&mut self, o: &Counts) {
        self.records += o.records;
        self.rejected += o.rejected;
        self.warned += o.warned;
        self.screened += o.screened;
        self.high_risk += o.high_risk;
        self.indeterminate += o.indeterminate;
    }
    /// High-risk detection rate, percent: 100 × high-risk ÷ screened (IND-MPP-4);
    /// `None` when nobody was screened.
    pub fn detection_rate(&self) -> Option<f64> {
        (self.screened > 0).then(|| 100.0 * self.high_risk as f64 / self.screened as f64)
    }
    /// Upper bound of the detection rate if every indeterminate person were high risk
    /// (IND-MPP-1/3/4 (c)).
    pub fn detection_rate_upper(&self) -> Option<f64> {
        (self.screened > 0)
            .then(|| 100.0 * (self.high_risk + self.indeterminate) as f64 / self.screened as f64)
    }
    /// Unqualified-record rate, percent of records submitted (IND-MPP-18).
    pub fn rejected_rate(&self) -> Option<f64> {
        (self.records > 0).then(|| 100.0 * self.rejected as f64 / self.records as f64)
    }
}

/// A streaming, mergeable summary of a batch, overall and per `site_id`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// All records.
    pub total: Counts,
    /// Per `site_id` (empty site id = `""`).
    pub sites: BTreeMap<String, Counts>,
    /// Records per QC rule id.
    pub findings_by_rule: BTreeMap<&'static str, u64>,
}

impl Summary {
    /// Adds one assessment.
    pub fn add(&mut self, a: &Assessment) {
        self.total.add(a);
        // The site's key is allocated only the first time the site is seen.
        let site = a.site_id.as_deref().unwrap_or_default();
        match self.sites.get_mut(site) {
            Some(c) => c.add(a),
            None => self.sites.entry(site.to_string()).or_default().add(a),
        }
        for id in a.qc.rule_ids() {
            *self.findings_by_rule.entry(id).or_default() += 1;
        }
    }
    /// Merges another summary (e.g. of a parallel chunk).
    pub fn merge(&mut self, o: &Summary) {
        self.total.merge(&o.total);
        for (k, v) in &o.sites {
            self.sites.entry(k.clone()).or_default().merge(v);
        }
        for (k, v) in &o.findings_by_rule {
            *self.findings_by_rule.entry(k).or_default() += v;
        }
    }
}
