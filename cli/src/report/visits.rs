//! `report --visits`: reading the follow-up visit file (csv-schema.md, "Follow-up
//! visit records (CSV)") into the core's [`FollowUpAccumulator`], and the per-site
//! list of visit rows with findings (DQ-PARSE-1, DQ-VIS-1…5, DQ-PRG-5, DQ-PRG-11)
//! for rectification.
//!
//! The file is streamed (RFC 4180, UTF-8; a cell that is not valid UTF-8 is read
//! as empty with a DQ-PARSE-1 finding, never with U+FFFD pasted in). Per row the
//! core keeps a 32-byte entry; the listing keeps, per site, the first `max_listed`
//! rows with findings (by line) and the line numbers of the others for the counts.
//! The rules that need a person's other rows name the row by line only (the core
//! store keeps id fingerprints), so the ids of the listed rows are read back in a
//! second pass over the file.

use crate::screen::{input_error, InputError};
use anyhow::Result;
use cvdscreen::date::Date;
use cvdscreen::exchange::DQ_PARSE_1;
use cvdscreen::finding::{Finding, Severity};
use cvdscreen::followup::VisitKind;
use cvdscreen::indicators::followup::FollowUpAccumulator;
use cvdscreen::visits::{VisitHeader, VisitIssue};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// One listed visit row with its findings.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct VisitListed {
    /// Line in the visit file.
    pub line: u64,
    /// `id` as given (empty when empty).
    pub id: String,
    /// `visit_kind`.
    pub visit_kind: Option<VisitKind>,
    /// `visit_date`.
    pub visit_date: Option<Date>,
    /// Findings, parse-level first.
    pub findings: Vec<Finding>,
}

/// Visit rows with findings of one site.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct VisitSiteList {
    /// Rows with at least one finding.
    pub rows: u64,
    /// Rows with at least one `Reject` (not used by the indicators).
    pub rejected: u64,
    /// Rows per rule id (a row counts once per rule).
    pub per_rule: BTreeMap<&'static str, u64>,
    /// The first rows with findings, by line.
    pub listed: Vec<VisitListed>,
    #[serde(skip)]
    lines: BTreeSet<u64>,
    #[serde(skip)]
    rejected_lines: BTreeSet<u64>,
    #[serde(skip)]
    rule_lines: BTreeSet<(&'static str, u64)>,
}

/// What `--visits` adds to the report.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct VisitsSection {
    /// The visit file as given.
    pub file: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows usable by the schedules and indicators after all row rules.
    pub rows_used: u64,
    /// Visit rows with findings, per site (the person's screening site, else the row's).
    pub sites: BTreeMap<String, VisitSiteList>,
}

/// Streams the rows of a CSV file as `(line, cells)`; the first row is the header.
fn for_each_row(
    path: &Path,
    mut f: impl FnMut(u64, Vec<String>, Vec<usize>) -> Result<()>,
) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| {
        anyhow::Error::new(e).context(InputError(format!(
            "cannot read visit file `{}`",
            path.display()
        )))
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let mut rec = csv::ByteRecord::new();
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| {
            input_error(format!(
                "visit file `{}` is not valid CSV: {e}",
                path.display()
            ))
        })?;
        if !more {
            return Ok(());
        }
        let line = rec.position().map_or(0, |p| p.line());
        let mut bad = Vec::new();
        let cells = rec
            .iter()
            .enumerate()
            .map(|(i, b)| match std::str::from_utf8(b) {
                Ok(s) => s.to_string(),
                Err(_) => {
                    bad.push(i);
                    String::new()
                }
            })
            .collect();
        f(line, cells, bad)?;
    }
}

impl VisitSiteList {
    fn note(&mut self, line: u64, f: &Finding) {
        self.lines.insert(line);
        if f.severity == Severity::Reject {
            self.rejected_lines.insert(line);
        }
        self.rule_lines.insert((f.rule_id, line));
    }
}

/// Reads the visit file into `fu` (the screening persons already added); returns
/// the section (rows with row-level findings noted per site, not yet listed) and, in
/// full, the row-level issues (DQ-PARSE-1, value rules, DQ-VIS-1, -4) of the first
/// `max_listed` such rows per site.
pub(crate) fn read(
    path: &Path,
    fu: &mut FollowUpAccumulator,
    max_listed: usize,
) -> Result<(VisitsSection, Vec<VisitIssue>)> {
    let mut header: Option<VisitHeader> = None;
    let mut issues: Vec<VisitIssue> = Vec::new();
    let mut sites: BTreeMap<String, VisitSiteList> = BTreeMap::new();
    // Rows kept in full per site: only the first `max_listed` can be listed (the
    // person-level findings added later can only push rows out of the list).
    let mut full_rows: HashMap<String, usize> = HashMap::new();
    let mut rows_read = 0u64;
    for_each_row(path, |line, cells, bad| {
        let Some(h) = &header else {
            if !bad.is_empty() {
                return Err(input_error(format!(
                    "visit file `{}`: the header row is not UTF-8 text",
                    path.display()
                )));
            }
            header = Some(
                VisitHeader::new(&cells)
                    .map_err(|e| input_error(format!("visit file `{}`: {e}", path.display())))?,
            );
            return Ok(());
        };
        if cells.iter().all(|c| c.trim().is_empty()) && bad.is_empty() && cells.len() <= 1 {
            return Ok(());
        }
        rows_read += 1;
        let mut p = h.parse_row(line, &cells);
        for i in bad {
            let col = h.names().get(i).cloned().unwrap_or_default();
            p.findings.insert(
                0,
                Finding::new(
                    DQ_PARSE_1,
                    Severity::Reject,
                    col.clone(),
                    None,
                    format!("line {line}, column `{col}`: not valid UTF-8 text; read as empty"),
                    format!("第 {line} 行，列 `{col}`：不是有效的 UTF-8 文本，按空值处理"),
                ),
            );
        }
        if !p.findings.is_empty() {
            let site = fu.site_of(&p.record);
            let list = sites.entry(site.clone()).or_default();
            for f in &p.findings {
                list.note(line, f);
            }
            let n = full_rows.entry(site.clone()).or_default();
            if *n >= max_listed {
                fu.add_visit(&p);
                return Ok(());
            }
            *n += 1;
            for f in &p.findings {
                issues.push(VisitIssue {
                    line,
                    id: p.record.id.clone(),
                    visit_kind: p.record.visit_kind,
                    visit_date: p.record.visit_date,
                    site_id: site.clone(),
                    finding: f.clone(),
                });
            }
        }
        fu.add_visit(&p);
        Ok(())
    })?;
    if header.is_none() {
        return Err(input_error(format!(
            "visit file `{}` is empty: no header row",
            path.display()
        )));
    }
    Ok((
        VisitsSection {
            file: path.display().to_string(),
            rows_read,
            rows_used: 0,
            sites,
        },
        issues,
    ))
}

/// Adds the person-level issues of the core (`person_level`), lists the first
/// `max_listed` rows with findings of each site (by line) from `issues` (the kept
/// row-level ones) and `person_level`, fills in the ids of listed rows raised from the
/// core store by reading the file again, and records the rows used.
pub(crate) fn list(
    path: &Path,
    section: &mut VisitsSection,
    mut issues: Vec<VisitIssue>,
    person_level: &[VisitIssue],
    rows_used: u64,
    max_listed: usize,
) -> Result<()> {
    let mut sites = std::mem::take(&mut section.sites);
    for i in person_level {
        sites
            .entry(i.site_id.clone())
            .or_default()
            .note(i.line, &i.finding);
        issues.push(i.clone());
    }
    issues.sort_by_key(|i| i.line);
    // The first `max_listed` lines of each site.
    let mut listed_lines: HashMap<u64, ()> = HashMap::new();
    for s in sites.values_mut() {
        let first: Vec<u64> = s.lines.iter().take(max_listed).copied().collect();
        for l in first {
            listed_lines.insert(l, ());
            s.listed.push(VisitListed {
                line: l,
                id: String::new(),
                visit_kind: None,
                visit_date: None,
                findings: Vec::new(),
            });
        }
        s.rows = s.lines.len() as u64;
        s.rejected = s.rejected_lines.len() as u64;
        for (rule, _) in &s.rule_lines {
            *s.per_rule.entry(rule).or_default() += 1;
        }
    }
    let mut ids: HashMap<u64, String> = HashMap::new();
    if issues
        .iter()
        .any(|i| i.id.is_none() && listed_lines.contains_key(&i.line))
    {
        let mut id_col: Option<usize> = None;
        for_each_row(path, |line, cells, _| {
            match id_col {
                None => {
                    id_col = Some(
                        cells
                            .iter()
                            .position(|c| c.trim().trim_start_matches('\u{feff}') == "id")
                            .unwrap_or(usize::MAX),
                    );
                }
                Some(c) => {
                    if listed_lines.contains_key(&line) {
                        if let Some(v) = cells.get(c) {
                            ids.insert(line, v.trim().to_string());
                        }
                    }
                }
            }
            Ok(())
        })?;
    }
    for i in issues {
        let s = sites.get_mut(&i.site_id).expect("site noted above");
        if let Some(l) = s.listed.iter_mut().find(|l| l.line == i.line) {
            if l.id.is_empty() {
                l.id =
                    i.id.clone()
                        .or_else(|| ids.get(&i.line).cloned())
                        .unwrap_or_default();
            }
            l.visit_kind = l.visit_kind.or(i.visit_kind);
            l.visit_date = l.visit_date.or(i.visit_date);
            l.findings.push(i.finding);
        }
    }
    section.rows_used = rows_used;
    section.sites = sites;
    Ok(())
}
