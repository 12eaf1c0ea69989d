//! The follow-up visit record file (csv-schema.md, "Follow-up visit records (CSV)")
//! and its row rules (domain.md §12.10, DQ-VIS-1…5; DQ-PRG-5 and DQ-PRG-11 for the
//! programme visits).
//!
//! The core does no IO: a front end splits the file into rows (RFC 4180) and hands
//! the header to [`VisitHeader::new`] and each row to [`VisitHeader::parse_row`];
//! [`parse_visit_file`] does both for a text held in memory (a quoted cell must then
//! not contain a line break, as for the quota file). The cells of a row are read by
//! [`crate::followup::parse_visit`] (DQ-PARSE-1 per cell). Rules that look at one row
//! are applied here: DQ-VIS-1, the value rules of the screening format (DQ-RANGE-1…18,
//! DQ-XF-1, DQ-DEV-3; a rejected value becomes unknown) and then DQ-VIS-4; the rules that need the person's other
//! rows or their screening record (DQ-VIS-2, -3, -5, DQ-PRG-5, -11) are applied by
//! [`crate::indicators::followup::FollowUpAccumulator`], which holds the rows.
//!
//! ```
//! use cvdscreen::visits::{parse_visit_file, DQ_VIS_1};
//! let f = parse_visit_file("id,visit_date,visit_kind,mode,sbp,dbp\n\
//!                           P1,2025-08-12,short_term,face_to_face,132,84\n\
//!                           ,2025-08-13,short_term,phone,,\n").unwrap();
//! assert!(f[0].usable());
//! assert!(!f[1].usable());
//! assert_eq!(f[1].findings[0].rule_id, DQ_VIS_1);
//! ```

use crate::date::Date;
use crate::exchange::DQ_PARSE_1;
use crate::finding::{Finding, Severity};
use crate::followup::{parse_visit, visit_bp, BphsOptions, VisitKind, VisitRecord, VISIT_COLUMNS};
use crate::qc::QcStatus;
use crate::value::Obs;
use serde::Serialize;

crate::define_rules! {
    DQ_VIS_1 = "DQ-VIS-1", "qc", [Decision], "domain.md §12.10 DQ-VIS-1",
        "Visit row without id, visit_date or visit_kind: rejected, the row is not used",
        "随访记录缺少编号、随访日期或随访类型：不合格，该行不使用";
    DQ_VIS_2 = "DQ-VIS-2", "qc", [Decision], "domain.md §12.10 DQ-VIS-2",
        "Two done visits with the same id, visit_kind and visit_date: each is rejected",
        "同一编号、随访类型和日期的随访重复：均不合格";
    DQ_VIS_3 = "DQ-VIS-3", "qc", [Decision], "domain.md §12.10 DQ-VIS-3, FU-7",
        "A done visit dated after the person's death: rejected",
        "随访日期晚于死亡日期：不合格";
    DQ_VIS_4 = "DQ-VIS-4", "qc", [Decision], "domain.md §12.10 DQ-VIS-4, BPHS-ENG-6",
        "A done visit without its measurement (visit BP at bphs_htn, short_term, long_term; fasting glucose at bphs_dm)",
        "随访缺少测量值（高血压及项目随访缺血压，糖尿病随访缺空腹血糖）";
    DQ_VIS_5 = "DQ-VIS-5", "qc", [Decision], "domain.md §12.10 DQ-VIS-5",
        "A programme visit whose id has no screening record with an hr_exam_date: counts in visit-based rates only",
        "项目随访的编号无含高危筛查日期的筛查记录：仅计入按随访计数的指标";
    DQ_PRG_5 = "DQ-PRG-5", "qc", [Decision], "domain.md §12.7 DQ-PRG-5, §12.10, FU-5",
        "A programme follow-up dated before the high-risk examination (rejected); the short-term visit outside its window (warning)",
        "项目随访早于高危筛查（不合格）；短期随访不在时间窗内（警告）";
    DQ_PRG_11 = "DQ-PRG-11", "qc", [Decision], "domain.md §12.7 DQ-PRG-11, FU-6",
        "A long-term follow-up dated before its earliest date: warning, the visit still counts",
        "长期随访早于最早日期：警告，该次随访仍计数";
}

/// The required columns of the visit file.
pub const REQUIRED_COLUMNS: [&str; 3] = ["id", "visit_date", "visit_kind"];

/// Why a visit file cannot be read at all (row problems are findings, not errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VisitFileError {
    /// No header row.
    #[error("the visit file is empty: no header row")]
    Empty,
    /// The header row cannot be split into cells.
    #[error("line {line}: the header row of the visit file cannot be read: {reason}")]
    Header {
        /// 1-based line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A required column is absent (csv-schema.md: `id`, `visit_date`, `visit_kind`).
    #[error("the visit file has no `{0}` column (required: id, visit_date, visit_kind)")]
    MissingColumn(&'static str),
    /// A column name appears twice.
    #[error("column `{0}` appears twice in the header of the visit file")]
    DuplicateColumn(String),
}

/// The header of a visit file: the column names (unknown columns are kept and
/// ignored, csv-schema.md file rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitHeader {
    names: Vec<String>,
}

/// One row of a visit file, parsed, with the findings of its own cells (DQ-PARSE-1,
/// DQ-VIS-1, DQ-VIS-4).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParsedVisit {
    /// 1-based line of the row in the file.
    pub line: u64,
    /// The typed row.
    pub record: VisitRecord,
    /// Findings on this row.
    pub findings: Vec<Finding>,
}

impl ParsedVisit {
    /// The row can be used by the schedules and indicators: `id`, `visit_date` and
    /// `visit_kind` are known (DQ-VIS-1; an unreadable one is a DQ-PARSE-1 `Reject`
    /// with the same effect).
    pub fn usable(&self) -> bool {
        self.record.id.is_some()
            && self.record.visit_date.is_some()
            && self.record.visit_kind.is_some()
    }

    /// `reject`, `warn` or `ok` from the row's findings.
    pub fn status(&self) -> QcStatus {
        match self.findings.iter().map(|f| f.severity).max() {
            Some(Severity::Reject) => QcStatus::Reject,
            Some(Severity::Warn) => QcStatus::Warn,
            _ => QcStatus::Ok,
        }
    }
}

/// A finding on a visit row, naming the row by line, `id`, `visit_kind` and
/// `visit_date` (§12.10), for the rectification list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VisitIssue {
    /// 1-based line in the visit file.
    pub line: u64,
    /// `id` (`None` when empty, or when the issue was raised from the compact store
    /// and the caller has not filled it in).
    pub id: Option<String>,
    /// `visit_kind`.
    pub visit_kind: Option<VisitKind>,
    /// `visit_date`.
    pub visit_date: Option<Date>,
    /// Group of the row: the person's screening `site_id`, else the row's (IND-GEN-1).
    pub site_id: String,
    /// The finding (rule id, severity, column, value, messages).
    pub finding: Finding,
}

/// `short_term`, `long_term`, `bphs_htn`, `bphs_dm`.
pub fn kind_str(k: VisitKind) -> &'static str {
    match k {
        VisitKind::ShortTerm => "short_term",
        VisitKind::LongTerm => "long_term",
        VisitKind::BphsHtn => "bphs_htn",
        VisitKind::BphsDm => "bphs_dm",
    }
}

impl VisitHeader {
    /// Checks a header row: the required columns present, no name twice.
    pub fn new<S: AsRef<str>>(names: &[S]) -> Result<Self, VisitFileError> {
        let mut out: Vec<String> = Vec::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            let mut n = n.as_ref().trim();
            if i == 0 {
                n = n.trim_start_matches('\u{feff}');
            }
            if !n.is_empty() && out.iter().any(|o| o == n) {
                return Err(VisitFileError::DuplicateColumn(n.to_string()));
            }
            out.push(n.to_string());
        }
        for c in REQUIRED_COLUMNS {
            if !out.iter().any(|o| o == c) {
                return Err(VisitFileError::MissingColumn(c));
            }
        }
        Ok(VisitHeader { names: out })
    }

    /// Column names, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Parses one data row. A row with the wrong number of cells is a DQ-PARSE-1
    /// `Reject` with every field unknown (§12.9), hence also DQ-VIS-1.
    pub fn parse_row<S: AsRef<str>>(&self, line: u64, cells: &[S]) -> ParsedVisit {
        if cells.len() != self.names.len() {
            let n = cells.len();
            let m = self.names.len();
            let mut findings = vec![Finding::new(
                DQ_PARSE_1,
                Severity::Reject,
                "(row)",
                Some(n.to_string()),
                format!("line {line}: {n} cells where the header has {m}; the row cannot be read"),
                format!("第 {line} 行：有 {n} 个单元格，表头有 {m} 列；该行无法读取"),
            )];
            findings.extend(vis_1(line, &VisitRecord::default(), &[]));
            return ParsedVisit {
                line,
                record: VisitRecord::default(),
                findings,
            };
        }
        let pairs: Vec<(&str, &str)> = self
            .names
            .iter()
            .map(String::as_str)
            .zip(cells.iter().map(AsRef::as_ref))
            .collect();
        let (record, mut findings) = parse_visit(&pairs);
        for f in &mut findings {
            f.message_en = format!("line {line}: {}", f.message_en);
            f.message_zh = format!("第 {line} 行：{}", f.message_zh);
        }
        let unreadable: Vec<&str> = findings.iter().map(|f| f.field.as_str()).collect();
        let vis1 = vis_1(line, &record, &unreadable);
        findings.extend(vis1);
        let mut record = record;
        findings.extend(value_rules(line, &mut record));
        if let Some(f) = vis_4(line, &record) {
            findings.push(f);
        }
        ParsedVisit {
            line,
            record,
            findings,
        }
    }
}

/// The value rules of the screening format on a visit row (§12.10): DQ-RANGE-1…18,
/// DQ-XF-1 and DQ-DEV-3 (BP-9 is applied when the visit BP is derived). The row's
/// values are checked as a screening record dated `visit_date` under the default
/// profile; a value-level `Reject` makes that value unknown (QC-USE-1): the visit BP
/// (readings and `sbp`/`dbp`), height, weight, waist, hip, fasting glucose or age.
fn value_rules(line: u64, v: &mut VisitRecord) -> Vec<Finding> {
    use crate::evaluated::Field;
    let rec = crate::record::ScreeningRecord {
        screen_date: v.visit_date,
        sex: v.sex,
        age: v.age.map(crate::units::Years),
        birth_date: v.birth_date,
        readings: v.readings,
        sbp: v.sbp,
        dbp: v.dbp,
        height_cm: v.height_cm,
        weight_kg: v.weight_kg,
        waist_cm: v.waist_cm,
        hip_cm: v.hip_cm,
        fbg: v.fbg,
        ..Default::default()
    };
    let profile = crate::profile::Profile::default();
    let mut report = crate::qc::QcReport::default();
    let bp = rec.derived_bp(profile.bp_protocol, profile.min_readings);
    crate::qc::ranges::run(&rec, &bp, &mut report);
    crate::qc::cross_field::run(&rec, &bp, &mut report);
    crate::qc::device::run(&rec, &profile, &mut report);
    let keep = |id: &str| id.starts_with("DQ-RANGE-") || id == "DQ-XF-1" || id == "DQ-DEV-3";
    let m = report.masked;
    if m.contains(Field::Sbp) || m.contains(Field::Dbp) {
        v.readings = Default::default();
        v.sbp = None;
        v.dbp = None;
    }
    if m.contains(Field::Height) {
        v.height_cm = None;
    }
    if m.contains(Field::Weight) {
        v.weight_kg = None;
    }
    if m.contains(Field::Waist) {
        v.waist_cm = None;
    }
    if m.contains(Field::Hip) {
        v.hip_cm = None;
    }
    if m.contains(Field::Fbg) {
        v.fbg = Default::default();
    }
    if m.contains(Field::Age) {
        v.age = None;
        v.birth_date = None;
    }
    report
        .findings
        .into_iter()
        .filter(|f| keep(f.rule_id))
        .map(|mut f| {
            f.message_en = format!("line {line}: {}", f.message_en);
            f.message_zh = format!("第 {line} 行：{}", f.message_zh);
            f
        })
        .collect()
}

/// DQ-VIS-1: one `Reject` per required cell that is empty (an unreadable one already
/// has its DQ-PARSE-1).
fn vis_1(line: u64, v: &VisitRecord, unreadable: &[&str]) -> Vec<Finding> {
    let known = [
        v.id.is_some(),
        v.visit_date.is_some(),
        v.visit_kind.is_some(),
    ];
    REQUIRED_COLUMNS
        .iter()
        .zip(known)
        .filter(|(c, k)| !k && !unreadable.contains(c))
        .map(|(c, _)| {
            Finding::new(
                DQ_VIS_1,
                Severity::Reject,
                *c,
                None,
                format!(
                    "line {line}: `{c}` is empty; the visit row is not used until it is corrected"
                ),
                format!("第 {line} 行：`{c}` 为空；该随访记录更正前不予使用"),
            )
        })
        .collect()
}

/// The visit's measurement is missing (DQ-VIS-4): visit BP (BPHS-ENG-5) at a
/// `bphs_htn`, `short_term` or `long_term` visit, fasting glucose at a `bphs_dm`
/// visit. Outcome rows (`died`, `withdrawn`) are not visits.
pub fn measurement_missing(v: &VisitRecord) -> Option<&'static str> {
    if !v.is_done() {
        return None;
    }
    match v.visit_kind? {
        VisitKind::BphsDm => {
            let none = matches!(v.fbg.mmol, Obs::Unknown) && matches!(v.fbg.mgdl, Obs::Unknown);
            none.then_some("fbg")
        }
        _ => {
            let (s, d) = visit_bp(v, &BphsOptions::default());
            (s.is_none() || d.is_none()).then_some("sbp/dbp")
        }
    }
}

fn vis_4(line: u64, v: &VisitRecord) -> Option<Finding> {
    let what = measurement_missing(v)?;
    let kind = v.visit_kind.map_or("", kind_str);
    let (en, zh) = if what == "fbg" {
        (
            "no fasting glucose (fbg_mmol / fbg_mgdl)",
            "缺空腹血糖（fbg_mmol / fbg_mgdl）",
        )
    } else {
        (
            "no visit blood pressure (readings or sbp/dbp)",
            "缺血压（读数或 sbp/dbp）",
        )
    };
    Some(Finding::new(
        DQ_VIS_4,
        Severity::Warn,
        what,
        None,
        format!("line {line}: {kind} visit with {en}"),
        format!("第 {line} 行：{kind} 随访{zh}"),
    ))
}

/// Parses a whole visit file held in memory (header + rows; blank lines skipped).
pub fn parse_visit_file(text: &str) -> Result<Vec<ParsedVisit>, VisitFileError> {
    let mut rows = crate::indicators::split_csv(text).into_iter();
    let (hline, header) = rows.next().ok_or(VisitFileError::Empty)?;
    let header = header.map_err(|reason| VisitFileError::Header {
        line: hline as u64,
        reason,
    })?;
    let header = VisitHeader::new(&header)?;
    Ok(rows
        .map(|(line, cells)| match cells {
            Ok(c) => header.parse_row(line as u64, &c),
            Err(reason) => {
                let mut p = header.parse_row::<&str>(line as u64, &[]);
                p.findings[0].message_en = format!("line {line}: {reason}");
                p.findings[0].message_zh = format!("第 {line} 行：{reason}");
                p
            }
        })
        .collect())
}

/// Whether a column is one of the visit format's (others are carried and ignored).
pub fn is_visit_column(name: &str) -> bool {
    VISIT_COLUMNS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(p: &ParsedVisit) -> Vec<&'static str> {
        p.findings.iter().map(|f| f.rule_id).collect()
    }

    #[test]
    fn header_errors_are_typed() {
        assert_eq!(
            parse_visit_file("id,visit_kind\nP1,short_term\n"),
            Err(VisitFileError::MissingColumn("visit_date"))
        );
        assert_eq!(
            parse_visit_file("id,visit_date,visit_kind,id\n"),
            Err(VisitFileError::DuplicateColumn("id".into()))
        );
        assert_eq!(parse_visit_file("\n\n"), Err(VisitFileError::Empty));
        assert!(matches!(
            parse_visit_file("\"id,visit_date\n"),
            Err(VisitFileError::Header { line: 1, .. })
        ));
        // A byte-order mark and unknown columns are fine.
        let f =
            parse_visit_file("\u{feff}id,visit_date,visit_kind,note\nP1,2025-01-02,long_term,x\n")
                .unwrap();
        assert!(f[0].usable());
    }

    #[test]
    fn cell_errors_name_line_column_value_and_rule() {
        let f = parse_visit_file(
            "id,visit_date,visit_kind,mode,sbp,dbp,died\n\
             P1,2025-13-01,short_term,face_to_face,130,80,\n\
             P2,2025-08-01,annual,phone,130,80,\n\
             P3,2025-08-01,long_term,skype,130,80,\n\
             P4,2025-08-01,long_term,电话,abc,80,\n\
             P5,2025-08-01,long_term\n\
             ,,,,,,\n",
        )
        .unwrap();
        // Unreadable visit_date: DQ-PARSE-1 naming the column and value; unusable.
        let f0 = &f[0].findings[0];
        assert_eq!(
            (f0.rule_id, f0.field.as_str(), f0.value.as_deref()),
            (DQ_PARSE_1, "visit_date", Some("2025-13-01"))
        );
        assert!(f0.message_en.starts_with("line 2:"));
        assert!(!f[0].usable());
        assert_eq!(f[0].status(), QcStatus::Reject);
        // Unknown visit_kind spelling.
        assert_eq!(f[1].findings[0].field, "visit_kind");
        assert!(!f[1].usable());
        // Unknown mode: value-level, the row stays usable with mode unknown.
        assert_eq!(f[2].findings[0].field, "mode");
        assert!(f[2].usable() && f[2].record.mode.is_none());
        // Chinese mode spelling accepted; unreadable sbp → DQ-PARSE-1 + DQ-VIS-4.
        assert_eq!(rules(&f[3]), vec![DQ_PARSE_1, DQ_VIS_4]);
        assert_eq!(f[3].record.mode, Some(crate::followup::VisitMode::Phone));
        // Wrong number of cells: the whole row is unknown.
        assert_eq!(rules(&f[4]), vec![DQ_PARSE_1, DQ_VIS_1, DQ_VIS_1, DQ_VIS_1]);
        assert!(!f[4].usable());
        // Empty required cells: one DQ-VIS-1 per column.
        let cols: Vec<&str> = f[5].findings.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(cols, vec!["id", "visit_date", "visit_kind"]);
        assert_eq!(f[5].line, 7);
    }

    #[test]
    fn value_rules_apply_to_visit_values() {
        let f = parse_visit_file(
            "id,visit_date,visit_kind,sbp,dbp,weight_kg,fbg_mmol\n\
             A,2025-01-02,long_term,120,125,70,\n\
             A,2025-01-03,long_term,150,90,400,\n\
             A,2025-01-04,bphs_dm,,,,<1.1\n",
        )
        .unwrap();
        // DQ-XF-1 (SBP ≤ DBP): the visit BP is unknown, hence DQ-VIS-4 as well.
        assert_eq!(rules(&f[0]), vec!["DQ-XF-1", DQ_VIS_4]);
        assert!(f[0].record.sbp.is_none() && f[0].usable());
        // DQ-RANGE-2 weight: the value is unknown, the row still used.
        assert_eq!(rules(&f[1]), vec!["DQ-RANGE-2"]);
        assert!(f[1].record.weight_kg.is_none());
        // A censored glucose meter value: DQ-DEV-3 (Info), measurement present.
        assert_eq!(rules(&f[2]), vec!["DQ-DEV-3"]);
        assert_eq!(f[2].status(), QcStatus::Ok);
    }

    #[test]
    fn vis_4_measurement_missing() {
        let f = parse_visit_file(
            "id,visit_date,visit_kind,sbp_1,dbp_1,fbg_mgdl,died,withdrawn\n\
             A,2025-01-02,bphs_htn,150,90,,,\n\
             A,2025-01-03,bphs_dm,,,<70,,\n\
             A,2025-01-04,bphs_dm,,,,,\n\
             A,2025-01-05,short_term,,,,,\n\
             A,2025-01-06,long_term,,,,1,\n\
             A,2025-01-07,long_term,,,,,1\n",
        )
        .unwrap();
        let vis4: Vec<bool> = f.iter().map(|p| rules(p).contains(&DQ_VIS_4)).collect();
        assert_eq!(vis4, vec![false, false, true, true, false, false]);
        assert_eq!(f[2].findings[0].field, "fbg");
        assert_eq!(f[2].findings[0].severity, Severity::Warn);
    }
}
