//! `cvdscreen report`: the monthly QC and progress report of issue #8.
//!
//! One streaming pass over the input (after the duplicate-id pass that `screen`
//! also makes): every row is screened by the worker threads, reduced to an
//! [`IndicatorRow`] and, when unqualified, to a short [`Unqualified`] entry; the main
//! thread feeds the rows to one [`ScreeningAccumulator`] grouped by site, month, sex
//! and age band, and keeps at most `max_listed` unqualified entries per site plus
//! counts. Nothing per record is held beyond the chunk being screened; the
//! accumulator's memory grows with the number of distinct persons only (see
//! `cvdscreen::indicators::screening`).
//!
//! The tables ([`tables`]) are built once from the accumulator, the quota report
//! and the standardised rates; the CSV, the JSON and the HTML ([`html`]) are all
//! rendered from those same rows, so the HTML shows exactly the CSV's numbers, only
//! rounded half up to one decimal (IND-GEN-4).

mod html;
mod svg;
mod tables;
mod visits;

use crate::screen::{
    check_input, duplicate_index, input_error, progress_bar, InputError, Sink, CHUNK_ROWS,
};
use anyhow::{Context, Result};
use cvdscreen::assess::Screener;
use cvdscreen::date::Date;
use cvdscreen::exchange::Header;
use cvdscreen::finding::{Finding, Severity};
use cvdscreen::indicators::followup::{FollowUpAccumulator, FollowUpReport};
use cvdscreen::indicators::quota::{self, QuotaFile, QuotaOptions, QuotaReport};
use cvdscreen::indicators::screening::{
    AccumulatorOptions, GroupBy, IndicatorRow, ScreeningAccumulator,
};
use cvdscreen::indicators::standard::{self, PopulationFile};
use cvdscreen::profile::Profile;
use cvdscreen::qc::QcStatus;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub(crate) use tables::Row;

/// Output format of `report`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Self-contained HTML (inline CSS and SVG; no scripts, no network).
    Html,
    /// The tables in long format, one indicator value per row.
    Csv,
    /// The same rows as a JSON array, plus the findings and the unqualified-record counts.
    Json,
}

/// Options of `cvdscreen report`.
#[derive(Debug)]
pub struct Options {
    /// Input CSV (exchange format).
    pub input: PathBuf,
    /// Output file (standard output when `None`).
    pub output: Option<PathBuf>,
    /// HTML, CSV or JSON.
    pub format: ReportFormat,
    /// Quota file (IND-QUOTA-1).
    pub quota: Option<PathBuf>,
    /// Resident population file (IND-POP-2) for the IND-MPP-19 structure check.
    pub population: Option<PathBuf>,
    /// Follow-up visit file (csv-schema.md, follow-up visit records).
    pub visits: Option<PathBuf>,
    /// IND-GEN-3 report date; default: the latest `screen_date` in the input.
    pub as_of: Option<Date>,
    /// Programme profile name.
    pub profile: String,
    /// Standard population name (IND-POP-4, [`standard::STANDARD_NAMES`]).
    pub standard: String,
    /// Unqualified records listed per site in the HTML and JSON.
    pub max_listed: usize,
    /// Optional file receiving the full unqualified-record list as CSV.
    pub unqualified: Option<PathBuf>,
    /// Worker threads (≥ 1).
    pub threads: usize,
    /// Allow a progress bar.
    pub progress: bool,
    /// How to read the input (encoding, worksheet).
    pub input_opts: crate::input::InputArgs,
}

/// One unqualified record (qc_status = reject) for the rectification list.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct Unqualified {
    /// Line of the input file where the record starts.
    pub line: u64,
    /// `id` as given (may be empty).
    pub id: String,
    /// The record's `Reject` and `Warn` findings.
    pub findings: Vec<Finding>,
}

/// Unqualified records of one site: the first `max_listed` and the total.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct SiteList {
    /// Unqualified records in the input (within `as_of`).
    pub total: u64,
    /// The first of them, in input order.
    pub listed: Vec<Unqualified>,
}

/// Everything the renderers need.
pub(crate) struct Report {
    /// Input path as given.
    pub input: String,
    /// Profile name.
    pub profile: String,
    /// Effective report date.
    pub as_of: Option<Date>,
    /// Whether `as_of` was given or taken from the data.
    pub as_of_given: bool,
    /// Lowest age of the standardisation bands.
    pub min_age: u32,
    /// Standard population of the standardised rates.
    pub standard: String,
    /// Data rows read.
    pub rows_read: u64,
    /// Rows ignored because their `screen_date` is after `as_of`.
    pub rows_after_as_of: u64,
    /// Long-format rows of every table.
    pub rows: Vec<Row>,
    /// All findings: IND-GEN-6 anomalies, quota and population file findings.
    pub findings: Vec<Finding>,
    /// Unqualified records per site.
    pub unqualified: BTreeMap<String, SiteList>,
    /// Cap of the per-site list.
    pub max_listed: usize,
    /// Where the full list went, if anywhere.
    pub unqualified_file: Option<String>,
    /// Quota file name, when one was given.
    pub quota_file: Option<String>,
    /// Population file name, when one was given.
    pub population_file: Option<String>,
    /// Quota report (for the progress charts).
    pub quota: Option<QuotaReport>,
    /// The visit file's rows with findings, when `--visits` was given.
    pub visits: Option<visits::VisitsSection>,
}

/// Reads a small side file (quota, population) as UTF-8 text; a missing or
/// unreadable file is an input error naming the path (exit code 2).
fn read_side_file(path: &Path, what: &str) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| {
        anyhow::Error::new(e).context(InputError(format!(
            "cannot read {what} file `{}`",
            path.display()
        )))
    })?;
    String::from_utf8(bytes).map_err(|_| {
        input_error(format!(
            "{what} file `{}` is not UTF-8 text",
            path.display()
        ))
    })
}

/// Runs `report`.
pub fn run(o: &Options) -> Result<()> {
    let profile = Profile::by_name(&o.profile)
        .ok_or_else(|| input_error(format!("unknown profile `{}`", o.profile)))?;
    let min_age = if o.profile == "mpp-2014-pilot" {
        40
    } else {
        35
    };
    let std_pop = standard::StandardPopulation::by_name(&o.standard)
        .ok_or_else(|| input_error(format!("unknown standard population `{}`", o.standard)))?;
    let size = check_input(&o.input, o.output.as_deref())?;
    let fu_opts = profile.followup;
    let quota_file: Option<QuotaFile> = match &o.quota {
        Some(p) => Some(quota::parse_quota(&read_side_file(p, "quota")?)),
        None => None,
    };
    let population: Option<PopulationFile> = match &o.population {
        Some(p) => Some(standard::parse_population(&read_side_file(
            p,
            "population",
        )?)),
        None => None,
    };

    let mut src = crate::input::open(&o.input, &o.input_opts)?;
    let header = src.header().clone();
    let bar = progress_bar(o.progress, size);
    bar.set_message("pass 1/2: duplicate ids");
    let screener = match duplicate_index(&mut src, &bar)? {
        Some(index) => Screener::with_duplicates(profile, index),
        None => Screener::new(profile),
    };
    bar.set_position(0);
    bar.set_message("pass 2/2: report");

    let mut unq_sink = match &o.unqualified {
        Some(p) => {
            let mut s = Sink::create(Some(p))?;
            s.write_all(b"site_id,line,id,rule_ids,severities,message_zh,message_en\n")?;
            Some(s)
        }
        None => None,
    };
    let mut fu = o.visits.as_ref().map(|_| FollowUpAccumulator::new());
    let pass = stream(
        &mut src,
        &header,
        &screener,
        o,
        unq_sink.as_mut(),
        fu.as_mut(),
        &bar,
    );
    bar.finish_and_clear();
    let pass = match pass {
        Ok(p) => p,
        Err(e) => {
            if let Some(s) = unq_sink {
                s.abandon();
            }
            return Err(e);
        }
    };
    if let Some(s) = unq_sink {
        s.finish()?;
    }

    // Follow-up visits: read after the screening pass (the persons are known), as
    // at the report date; without --as-of that is the latest screening or visit date.
    let mut visits_section = None;
    let mut fu_report: Option<FollowUpReport> = None;
    let mut as_of = o.as_of.or(pass.max_screen_date);
    if let (Some(path), Some(fu)) = (&o.visits, fu.as_mut()) {
        let (mut section, issues) = visits::read(path, fu, o.max_listed)?;
        if o.as_of.is_none() {
            as_of = as_of.max(fu.max_visit_date());
        }
        if let Some(as_of) = as_of {
            let r = fu.finish(as_of, &fu_opts);
            visits::list(
                path,
                &mut section,
                issues,
                &r.issues,
                r.rows_used,
                o.max_listed,
            )?;
            fu_report = Some(r);
        } else {
            visits::list(path, &mut section, issues, &[], 0, o.max_listed)?;
        }
        visits_section = Some(section);
    }
    let mut findings = Vec::new();
    let quota_report = match (&quota_file, as_of) {
        (Some(q), Some(as_of)) => {
            findings.extend(q.findings.iter().cloned());
            let mut done = pass.acc.done_counts().unwrap_or_default();
            if let Some(r) = &fu_report {
                for (k, n) in &r.done {
                    *done.entry(k.clone()).or_default() += n;
                }
            }
            let r = quota::quota_report(
                q,
                &done,
                &QuotaOptions {
                    as_of,
                    project_year_start_month: 1,
                    legacy_platform_rounding: false,
                },
            );
            Some(r)
        }
        (Some(q), None) => {
            findings.extend(q.findings.iter().cloned());
            findings.push(Finding::new(
                cvdscreen::indicators::IND_GEN_3,
                Severity::Warn,
                "as_of",
                None,
                "no dated screening record and no --as-of: quota progress not computed",
                "无有效筛查日期且未指定 --as-of：未计算任务进度",
            ));
            None
        }
        _ => None,
    };
    if let Some(p) = &population {
        findings.extend(p.findings.iter().cloned());
    }
    let built = tables::build(
        &pass.acc,
        quota_report.as_ref(),
        population.as_ref(),
        min_age,
        &std_pop,
    );
    let mut rows = built.rows;
    let mut all_findings = built.findings;
    if let Some(r) = fu_report {
        rows.extend(tables::followup(&r));
        all_findings.extend(r.by_site.findings);
        all_findings.extend(r.overall.findings);
    }
    all_findings.extend(findings);

    let report = Report {
        input: o.input.display().to_string(),
        profile: o.profile.clone(),
        as_of,
        as_of_given: o.as_of.is_some(),
        min_age,
        standard: std_pop.name.clone(),
        rows_read: pass.rows_read,
        rows_after_as_of: pass.rows_after_as_of,
        rows,
        findings: all_findings,
        unqualified: pass.unqualified,
        max_listed: o.max_listed,
        unqualified_file: o.unqualified.as_ref().map(|p| p.display().to_string()),
        quota_file: o.quota.as_ref().map(|p| p.display().to_string()),
        population_file: o.population.as_ref().map(|p| p.display().to_string()),
        quota: quota_report,
        visits: visits_section,
    };
    let bytes = match o.format {
        ReportFormat::Html => html::render(&report).into_bytes(),
        ReportFormat::Csv => tables::to_csv(&report.rows)?,
        ReportFormat::Json => tables::to_json(&report)?,
    };
    let mut sink = Sink::create(o.output.as_deref())?;
    if let Err(e) = sink.write_all(&bytes) {
        sink.abandon();
        return Err(e);
    }
    sink.finish()?;
    let anomalies = report
        .findings
        .iter()
        .filter(|f| f.rule_id == cvdscreen::indicators::IND_GEN_6)
        .count();
    let _ = writeln!(
        std::io::stderr().lock(),
        "report: {} rows read, {} unqualified, {} table rows, {} IND-GEN-6 anomalies{}",
        report.rows_read,
        report.unqualified.values().map(|s| s.total).sum::<u64>(),
        report.rows.len(),
        anomalies,
        o.output
            .as_ref()
            .map(|p| format!(" -> {}", p.display()))
            .unwrap_or_default()
    );
    Ok(())
}

/// What the streaming pass produced.
struct Pass {
    acc: ScreeningAccumulator,
    unqualified: BTreeMap<String, SiteList>,
    max_screen_date: Option<Date>,
    rows_read: u64,
    rows_after_as_of: u64,
}

/// One screened row as handed from a worker to the main thread.
struct Screened {
    row: IndicatorRow,
    unqualified: Option<Unqualified>,
}

fn screen_part(
    rows: &[csv::ByteRecord],
    header: &Header,
    decoder: &crate::input::Decoder,
    screener: &Screener,
) -> Vec<Screened> {
    rows.iter()
        .map(|rec| {
            // The same decoding as `screen`: encodings, ISO dates, DQ-PARSE-1 for
            // undecodable bytes.
            let crate::input::Decoded { cells, findings } = decoder.decode(rec);
            let (record, a) = screener.screen_cells_with_findings(header, &cells, findings);
            let row = IndicatorRow::from_assessment(&record, &a);
            let unqualified = (row.qc_status == QcStatus::Reject).then(|| Unqualified {
                line: rec.position().map_or(0, |p| p.line()),
                id: row.id.clone().unwrap_or_default(),
                findings: a
                    .qc
                    .findings
                    .iter()
                    .filter(|f| f.severity >= Severity::Warn)
                    .cloned()
                    .collect(),
            });
            Screened { row, unqualified }
        })
        .collect()
}

fn stream(
    src: &mut crate::input::RowSource,
    header: &Header,
    screener: &Screener,
    o: &Options,
    mut unq_sink: Option<&mut Sink>,
    mut fu: Option<&mut FollowUpAccumulator>,
    bar: &indicatif::ProgressBar,
) -> Result<Pass> {
    let mut acc = ScreeningAccumulator::new(AccumulatorOptions {
        group_by: GroupBy {
            site: true,
            month: true,
            sex: true,
            age_band: true,
        },
        as_of: o.as_of,
        period: None,
    });
    let mut pass_unq: BTreeMap<String, SiteList> = BTreeMap::new();
    let (mut max_date, mut rows_read, mut after) = (None::<Date>, 0u64, 0u64);
    let threads = o.threads.max(1);
    let decoder = src.decoder().clone();
    let mut chunk: Vec<csv::ByteRecord> = (0..CHUNK_ROWS).map(|_| csv::ByteRecord::new()).collect();
    loop {
        let mut n = 0;
        while n < CHUNK_ROWS && src.read_record(&mut chunk[n])? {
            n += 1;
        }
        if n == 0 {
            break;
        }
        let rows = &chunk[..n];
        let parts: Vec<Vec<Screened>> = if threads == 1 || n < 256 {
            vec![screen_part(rows, header, &decoder, screener)]
        } else {
            let per = n.div_ceil(threads);
            let decoder = &decoder;
            std::thread::scope(|s| {
                let handles: Vec<_> = rows
                    .chunks(per)
                    .map(|part| s.spawn(move || screen_part(part, header, decoder, screener)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("a report worker thread panicked"))
                    .collect()
            })
        };
        let mut line_buf = csv::Writer::from_writer(Vec::new());
        for s in parts.into_iter().flatten() {
            rows_read += 1;
            let d = s.row.screen_date;
            if let (Some(d), Some(a)) = (d, o.as_of) {
                if d > a {
                    after += 1;
                    continue;
                }
            }
            if d > max_date {
                max_date = d;
            }
            acc.add(&s.row);
            if let Some(fu) = fu.as_deref_mut() {
                fu.add_row(&s.row);
            }
            if let Some(u) = s.unqualified {
                if unq_sink.is_some() {
                    let rules: Vec<&str> = u.findings.iter().map(|f| f.rule_id).collect();
                    let sev: Vec<&str> = u.findings.iter().map(|f| f.severity.as_str()).collect();
                    let zh: Vec<&str> = u.findings.iter().map(|f| f.message_zh.as_str()).collect();
                    let en: Vec<&str> = u.findings.iter().map(|f| f.message_en.as_str()).collect();
                    line_buf.write_record([
                        s.row.site_id.as_str(),
                        &u.line.to_string(),
                        &u.id,
                        &rules.join(";"),
                        &sev.join(";"),
                        &zh.join(" | "),
                        &en.join(" | "),
                    ])?;
                }
                let site = pass_unq.entry(s.row.site_id.clone()).or_default();
                site.total += 1;
                if site.listed.len() < o.max_listed {
                    site.listed.push(u);
                }
            }
        }
        if let Some(sink) = unq_sink.as_deref_mut() {
            let bytes = line_buf.into_inner().map_err(|e| {
                anyhow::anyhow!("cannot serialise the unqualified list: {}", e.error())
            })?;
            sink.write_all(&bytes)
                .context("cannot write the unqualified-record list")?;
        }
        bar.set_position(src.position());
        if n < CHUNK_ROWS {
            break;
        }
    }
    // One entry per person and group, sorted, no spare capacity: the tables are
    // then read from this store directly (no compact copy).
    acc.compact();
    Ok(Pass {
        acc,
        unqualified: pass_unq,
        max_screen_date: max_date,
        rows_read,
        rows_after_as_of: after,
    })
}
