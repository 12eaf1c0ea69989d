//! Quota input and progress (§11.3, IND-QUOTA-1…5; IND-MPP-2, -6, -7, -17).
//!
//! The quota file is CSV text (the core does no IO): header row, then one row per
//! site, task and period with the columns `site_id`, `period` (`YYYY` = project year,
//! FU-9, or `YYYY-MM`), `quota` (integer ≥ 0) and optionally `task`. Cells may be
//! quoted (RFC 4180) but a quoted cell must not contain a line break.
//!
//! Done counts come from [`ScreeningAccumulator::done_counts`] (tasks `screening`,
//! `hr_survey`, `intervention`); counts for `short_term_fu` and `long_term_fu` need
//! the follow-up schedule (FU-5…FU-9) and can be inserted by the caller into the
//! same map.
//!
//! **Projected completion** (\[DECISION\], not in the spec): for a yearly quota not
//! yet reached with some work done, the date on which the quota would be reached if
//! the year-to-date daily pace continued: `start + ceil(quota × elapsed ÷ done) − 1`
//! days, `start` the first day of the project year and `elapsed` the days from
//! `start` to `as_of` (inclusive, at most the whole year). A straight line is the
//! simplest projection that needs no history beyond the year's own counts; it may
//! fall after the year's end, which is what a backlog warning needs to show.
//!
//! [`ScreeningAccumulator::done_counts`]: super::screening::ScreeningAccumulator::done_counts

use super::plat::legacy_percent;
use super::screening::DoneCounts;
use super::*;
use crate::date::{days_in_month, Date};
use std::collections::{BTreeMap, BTreeSet};

/// Quota task (IND-QUOTA-1 `task`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Initial screening (empty cell or absent column).
    Screening,
    /// High-risk survey.
    HrSurvey,
    /// Comprehensive intervention.
    Intervention,
    /// Short-term (or 1-month) follow-up.
    ShortTermFu,
    /// Long-term follow-up.
    LongTermFu,
}

impl Task {
    /// The file spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Screening => "screening",
            Task::HrSurvey => "hr_survey",
            Task::Intervention => "intervention",
            Task::ShortTermFu => "short_term_fu",
            Task::LongTermFu => "long_term_fu",
        }
    }
    /// Parses the file spelling; empty = `screening`.
    pub fn parse(s: &str) -> Option<Task> {
        Some(match s {
            "" | "screening" => Task::Screening,
            "hr_survey" => Task::HrSurvey,
            "intervention" => Task::Intervention,
            "short_term_fu" => Task::ShortTermFu,
            "long_term_fu" => Task::LongTermFu,
            _ => return None,
        })
    }
}

/// The period of a quota row.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum QuotaPeriod {
    /// Project year `YYYY` (FU-9).
    Year(i32),
    /// Calendar month `YYYY-MM`.
    Month(i32, u8),
}

impl QuotaPeriod {
    /// Parses `YYYY` or `YYYY-MM`.
    pub fn parse(s: &str) -> Option<QuotaPeriod> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        match b.len() {
            4 if digits(0..4) => s.parse().ok().map(QuotaPeriod::Year),
            7 if digits(0..4) && b[4] == b'-' && digits(5..7) => {
                let m: u8 = s[5..7].parse().ok()?;
                let y: i32 = s[0..4].parse().ok()?;
                (1..=12).contains(&m).then_some(QuotaPeriod::Month(y, m))
            }
            _ => None,
        }
    }
    /// `YYYY` or `YYYY-MM`.
    pub fn label(self) -> String {
        match self {
            QuotaPeriod::Year(y) => format!("{y:04}"),
            QuotaPeriod::Month(y, m) => format!("{y:04}-{m:02}"),
        }
    }
}

/// One usable quota row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuotaRow {
    /// Line number in the file (1-based).
    pub line: usize,
    /// Site.
    pub site_id: String,
    /// Task.
    pub task: Task,
    /// Period.
    pub period: QuotaPeriod,
    /// Quota.
    pub quota: u64,
}

/// A parsed quota file: usable rows and the findings on unusable ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QuotaFile {
    /// Usable rows.
    pub rows: Vec<QuotaRow>,
    /// `Reject` findings (unparseable or repeated rows) and file-level problems.
    pub findings: Vec<Finding>,
}

fn reject(line: usize, field: &str, value: Option<String>, en: String, zh: String) -> Finding {
    Finding::new(
        IND_QUOTA_1,
        Severity::Reject,
        field,
        value,
        format!("quota file line {line}: {en}"),
        format!("任务量文件第{line}行：{zh}"),
    )
}

/// IND-QUOTA-1: parses quota CSV text. Unparseable rows and every copy of a
/// repeated (`site_id`, `task`, `period`) are `Reject` findings and are not used.
pub fn parse_quota(text: &str) -> QuotaFile {
    let mut out = QuotaFile::default();
    let mut lines = split_csv(text).into_iter();
    let Some((hl, header)) = lines.next() else {
        out.findings
            .push(reject(1, "", None, "empty file".into(), "文件为空".into()));
        return out;
    };
    let header = match header {
        Ok(h) => h,
        Err(e) => {
            out.findings.push(reject(
                hl,
                "",
                None,
                format!("header: {e}"),
                format!("表头：{e}"),
            ));
            return out;
        }
    };
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_site), Some(c_period), Some(c_quota)) =
        (col("site_id"), col("period"), col("quota"))
    else {
        out.findings.push(reject(
            hl,
            "",
            None,
            "the columns site_id, period and quota are required".into(),
            "缺少必需列 site_id、period、quota".into(),
        ));
        return out;
    };
    let c_task = col("task");
    let mut parsed: Vec<QuotaRow> = Vec::new();
    for (line, cells) in lines {
        let cells = match cells {
            Ok(c) if c.len() == header.len() => c,
            Ok(c) => {
                out.findings.push(reject(
                    line,
                    "",
                    None,
                    format!("{} fields, header has {}", c.len(), header.len()),
                    format!("字段数{}，表头为{}", c.len(), header.len()),
                ));
                continue;
            }
            Err(e) => {
                out.findings.push(reject(line, "", None, e.clone(), e));
                continue;
            }
        };
        let site = cells[c_site].clone();
        if site.is_empty() {
            out.findings.push(reject(
                line,
                "site_id",
                None,
                "site_id is empty".into(),
                "site_id 为空".into(),
            ));
            continue;
        }
        let Some(period) = QuotaPeriod::parse(&cells[c_period]) else {
            out.findings.push(reject(
                line,
                "period",
                Some(cells[c_period].clone()),
                format!("period `{}` is not YYYY or YYYY-MM", cells[c_period]),
                format!("期间“{}”不是 YYYY 或 YYYY-MM", cells[c_period]),
            ));
            continue;
        };
        let Ok(quota) = cells[c_quota].parse::<u64>() else {
            out.findings.push(reject(
                line,
                "quota",
                Some(cells[c_quota].clone()),
                format!("quota `{}` is not an integer ≥ 0", cells[c_quota]),
                format!("任务量“{}”不是非负整数", cells[c_quota]),
            ));
            continue;
        };
        let task_cell = c_task.map_or("", |c| cells[c].as_str());
        let Some(task) = Task::parse(task_cell) else {
            out.findings.push(reject(
                line,
                "task",
                Some(task_cell.to_string()),
                format!("unknown task `{task_cell}`"),
                format!("未知任务“{task_cell}”"),
            ));
            continue;
        };
        parsed.push(QuotaRow {
            line,
            site_id: site,
            task,
            period,
            quota,
        });
    }
    let mut count: BTreeMap<(String, Task, QuotaPeriod), usize> = BTreeMap::new();
    for r in &parsed {
        *count
            .entry((r.site_id.clone(), r.task, r.period))
            .or_default() += 1;
    }
    for r in parsed {
        if count[&(r.site_id.clone(), r.task, r.period)] > 1 {
            out.findings.push(reject(
                r.line,
                "site_id",
                Some(r.site_id.clone()),
                format!(
                    "repeated row for site {}, task {}, period {}",
                    r.site_id,
                    r.task.as_str(),
                    r.period.label()
                ),
                format!(
                    "筛查点{}、任务{}、期间{}的行重复",
                    r.site_id,
                    r.task.as_str(),
                    r.period.label()
                ),
            ));
        } else {
            out.rows.push(r);
        }
    }
    out
}

/// Options of the quota report.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct QuotaOptions {
    /// The report date (IND-GEN-3): done counts are year to date through the month of
    /// `as_of`.
    pub as_of: Date,
    /// FU-9 `project_year_start_month` (1–12, default 1).
    pub project_year_start_month: u8,
    /// Also compute the IND-MPP-PLAT legacy percentages of the programme rates.
    pub legacy_platform_rounding: bool,
}

/// A programme rate with its optional legacy platform value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProgrammeRate {
    /// Full-precision indicator.
    pub indicator: Indicator,
    /// IND-MPP-PLAT value when requested (0 for a zero denominator).
    pub legacy_percent: Option<u64>,
}

/// Progress against one quota row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuotaProgress {
    /// Site.
    pub site_id: String,
    /// Task.
    pub task: Task,
    /// `YYYY` or `YYYY-MM`.
    pub period: String,
    /// Quota.
    pub quota: u64,
    /// Done (year to date for a yearly quota).
    pub done: u64,
    /// IND-QUOTA-3 progress (key = task).
    pub progress: Indicator,
    /// IND-MPP-2 / IND-MPP-6 (screening rows) or IND-MPP-7 (hr_survey rows).
    pub programme: Vec<ProgrammeRate>,
    /// IND-QUOTA-4 backlog at the end of this project year (yearly rows whose year
    /// has started by `as_of`).
    pub backlog: Option<u64>,
    /// Projected completion date (yearly rows, see the module docs).
    pub projected_completion: Option<Date>,
}

/// The quota report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QuotaReport {
    /// One entry per usable quota row, by site, task and period.
    pub rows: Vec<QuotaProgress>,
    /// IND-GEN-6 anomalies and IND-QUOTA-5 `Info` findings.
    pub findings: Vec<Finding>,
}

/// Project year of month (y, m) under start month `s` (FU-9).
fn project_year(y: i32, m: u8, s: u8) -> i32 {
    if m >= s {
        y
    } else {
        y - 1
    }
}

fn parse_month(s: &str) -> Option<(i32, u8)> {
    match QuotaPeriod::parse(s)? {
        QuotaPeriod::Month(y, m) => Some((y, m)),
        QuotaPeriod::Year(_) => None,
    }
}

/// IND-QUOTA-3…5, IND-MPP-2/6/7/17: progress, backlog and projection for every
/// usable quota row.
pub fn quota_report(quota: &QuotaFile, done: &DoneCounts, opts: &QuotaOptions) -> QuotaReport {
    let s = opts.project_year_start_month.clamp(1, 12);
    let asof_ym = (opts.as_of.year(), opts.as_of.month());
    // done by (site, task) → month → n, for months up to as_of.
    let mut by_task: BTreeMap<(String, String), BTreeMap<(i32, u8), u64>> = BTreeMap::new();
    for ((site, task, month), n) in done {
        if let Some(ym) = parse_month(month) {
            if ym <= asof_ym {
                *by_task
                    .entry((site.clone(), task.clone()))
                    .or_default()
                    .entry(ym)
                    .or_default() += n;
            }
        }
    }
    let sum = |site: &str, task: &str, f: &dyn Fn((i32, u8)) -> bool| -> u64 {
        by_task
            .get(&(site.to_string(), task.to_string()))
            .map_or(0, |m| {
                m.iter().filter(|(k, _)| f(**k)).map(|(_, v)| v).sum()
            })
    };
    let mut report = QuotaReport::default();
    let mut rows = quota.rows.clone();
    rows.sort_by(|a, b| (&a.site_id, a.task, a.period).cmp(&(&b.site_id, b.task, b.period)));
    for r in &rows {
        let task = r.task.as_str();
        let in_window = |ym: (i32, u8)| match r.period {
            QuotaPeriod::Year(y) => project_year(ym.0, ym.1, s) == y,
            QuotaPeriod::Month(y, m) => ym == (y, m),
        };
        let n = sum(&r.site_id, task, &in_window);
        let q = r.quota as f64;
        let progress = Indicator::rate(IND_QUOTA_3, task, n as f64, q);
        let legacy = |num: u64, den: u64, k: u64| {
            opts.legacy_platform_rounding
                .then(|| legacy_percent(num, den, k))
        };
        let mut programme = Vec::new();
        match r.task {
            Task::Screening => {
                programme.push(ProgrammeRate {
                    indicator: Indicator::rate(IND_MPP_2, "", n as f64, q),
                    legacy_percent: legacy(n, r.quota, 100),
                });
                let surveyed = sum(&r.site_id, Task::HrSurvey.as_str(), &in_window);
                programme.push(ProgrammeRate {
                    indicator: Indicator::rate(IND_MPP_6, "", surveyed as f64, q / 5.0),
                    legacy_percent: legacy(surveyed, r.quota, 500),
                });
            }
            Task::HrSurvey => programme.push(ProgrammeRate {
                indicator: Indicator::rate(IND_MPP_7, "", n as f64, q),
                legacy_percent: legacy(n, r.quota, 100),
            }),
            _ => {}
        }
        let (mut backlog, mut projected) = (None, None);
        if let QuotaPeriod::Year(y) = r.period {
            let start = Date::new(y, s, 1).expect("valid month start");
            let end = start.add_months(12).add_days(-1);
            if opts.as_of >= start {
                let cum_quota: u64 = rows
                    .iter()
                    .filter(|o| o.site_id == r.site_id && o.task == r.task)
                    .filter_map(|o| match o.period {
                        QuotaPeriod::Year(oy) if oy <= y => Some(o.quota),
                        _ => None,
                    })
                    .sum();
                let cum_done = sum(&r.site_id, task, &|ym| project_year(ym.0, ym.1, s) <= y);
                backlog = Some(cum_quota.saturating_sub(cum_done));
                if n > 0 && n < r.quota {
                    let last = opts.as_of.min(end);
                    let elapsed = (last.to_days() - start.to_days() + 1) as u128;
                    let need = (u128::from(r.quota) * elapsed).div_ceil(u128::from(n));
                    projected = Some(start.add_days(need as i64 - 1));
                }
            }
        }
        let group = format!(
            "site={}; task={}; period={}",
            r.site_id,
            task,
            r.period.label()
        );
        report.findings.extend(progress.anomaly(&group));
        for p in &programme {
            report.findings.extend(p.indicator.anomaly(&group));
        }
        report.rows.push(QuotaProgress {
            site_id: r.site_id.clone(),
            task: r.task,
            period: r.period.label(),
            quota: r.quota,
            done: n,
            progress,
            programme,
            backlog,
            projected_completion: projected,
        });
    }
    // IND-QUOTA-5: records but no quota row for the task.
    let with_quota: BTreeSet<(String, &str)> = quota
        .rows
        .iter()
        .map(|r| (r.site_id.clone(), r.task.as_str()))
        .collect();
    for ((site, task), months) in &by_task {
        if months.values().sum::<u64>() > 0 && !with_quota.contains(&(site.clone(), task.as_str()))
        {
            report.findings.push(Finding::new(
                IND_QUOTA_5,
                Severity::Info,
                "site_id",
                Some(site.clone()),
                format!("site {site} has {task} work but no quota row for it: no progress value"),
                format!("筛查点{site}有{task}工作量但无对应任务量，不计算进度"),
            ));
        }
    }
    report
}

/// Last day of a `YYYY-MM` month.
pub fn month_end(y: i32, m: u8) -> Option<Date> {
    Date::new(y, m, days_in_month(y, m)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn done(entries: &[(&str, &str, &str, u64)]) -> DoneCounts {
        entries
            .iter()
            .map(|(s, t, m, n)| ((s.to_string(), t.to_string(), m.to_string()), *n))
            .collect()
    }

    fn opts(as_of: &str) -> QuotaOptions {
        QuotaOptions {
            as_of: d(as_of),
            project_year_start_month: 1,
            legacy_platform_rounding: true,
        }
    }

    #[test]
    fn parse_rows_and_findings() {
        let q = parse_quota(
            "site_id,period,quota,task\nS1,2025,10000,\nS1,2025-05,900,screening\n\"S2\",2025,100,hr_survey\nS3,2025,abc,\nS3,25,1,\nS4,2025,5,bogus\nS5,2025,1,\nS5,2025,2,screening\nS6,2025\n",
        );
        assert_eq!(q.rows.len(), 3);
        assert_eq!(q.rows[0].task, Task::Screening);
        assert_eq!(q.rows[1].period, QuotaPeriod::Month(2025, 5));
        assert_eq!(q.rows[2].site_id, "S2");
        // abc, 25, bogus, two S5 copies, short row.
        assert_eq!(q.findings.len(), 6);
        assert!(q
            .findings
            .iter()
            .all(|f| f.severity == Severity::Reject && f.rule_id == IND_QUOTA_1));
        // Absent task column = screening.
        let q = parse_quota("period,quota,site_id\n2025,10,S1\n");
        assert_eq!(q.rows[0].task, Task::Screening);
        assert!(!parse_quota("site,period\n").findings.is_empty());
    }

    #[test]
    fn over_quota_is_reported_with_a_finding() {
        let q = parse_quota("site_id,period,quota\nS1,2025,10000\n");
        // 11,260 qualified screenings over two months.
        let dc = done(&[
            ("S1", "screening", "2025-03", 6_000),
            ("S1", "screening", "2025-04", 5_260),
        ]);
        let r = quota_report(&q, &dc, &opts("2025-04-30"));
        let p = &r.rows[0];
        assert_eq!(p.done, 11_260);
        assert_eq!(p.progress.value, Some(112.6));
        assert_eq!(p.programme[0].indicator.id, IND_MPP_2);
        assert_eq!(p.programme[0].legacy_percent, Some(112));
        assert_eq!(p.backlog, Some(0));
        assert_eq!(p.projected_completion, None);
        assert!(r
            .findings
            .iter()
            .any(|f| f.rule_id == IND_GEN_6 && f.message_en.contains("112.6")));
    }

    #[test]
    fn year_to_date_monthly_backlog_projection() {
        let q = parse_quota(
            "site_id,period,quota,task\nS1,2024,1000,\nS1,2025,1200,\nS1,2025-03,100,\nS1,2025,240,hr_survey\n",
        );
        let dc = done(&[
            ("S1", "screening", "2024-06", 900),
            ("S1", "screening", "2025-01", 100),
            ("S1", "screening", "2025-03", 80),
            ("S1", "screening", "2025-07", 999), // after as_of: ignored
            ("S1", "hr_survey", "2025-02", 60),
            ("S2", "screening", "2025-01", 5),
        ]);
        let r = quota_report(&q, &dc, &opts("2025-03-31"));
        let find = |t: Task, p: &str| {
            r.rows
                .iter()
                .find(|x| x.task == t && x.period == p)
                .unwrap()
        };
        let y24 = find(Task::Screening, "2024");
        assert_eq!(y24.done, 900);
        assert_eq!(y24.progress.value, Some(90.0));
        assert_eq!(y24.backlog, Some(100));
        let y25 = find(Task::Screening, "2025");
        // Year to date 180 of 1200 = 15 %; backlog (1000 + 1200) − (900 + 180) = 1120.
        assert_eq!(y25.done, 180);
        assert_eq!(y25.progress.value, Some(15.0));
        assert_eq!(y25.backlog, Some(1120));
        // 90 days elapsed (1 Jan – 31 Mar): need ceil(1200 × 90 ÷ 180) = 600 days →
        // 2025-01-01 + 599 days = 2026-08-23.
        assert_eq!(y25.projected_completion, Some(d("2026-08-23")));
        // IND-MPP-6: 60 surveys ÷ (1200 ÷ 5) = 25 %; legacy 500 × 60 ÷ 1200 = 25.
        assert_eq!(y25.programme[1].indicator.value, Some(25.0));
        assert_eq!(y25.programme[1].legacy_percent, Some(25));
        let m = find(Task::Screening, "2025-03");
        assert_eq!((m.done, m.progress.value), (80, Some(80.0)));
        let hs = find(Task::HrSurvey, "2025");
        assert_eq!(hs.programme[0].indicator.id, IND_MPP_7);
        assert_eq!(hs.programme[0].indicator.value, Some(25.0));
        // S2 has work but no quota row → one Info.
        let infos: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.rule_id == IND_QUOTA_5)
            .collect();
        assert_eq!(infos.len(), 1);
        assert_eq!(infos[0].severity, Severity::Info);
        assert_eq!(infos[0].value.as_deref(), Some("S2"));
    }

    #[test]
    fn project_year_start_month() {
        // Project year 2025 runs 2025-07 … 2026-06 with start month 7.
        let q = parse_quota("site_id,period,quota\nS1,2025,100\n");
        let dc = done(&[
            ("S1", "screening", "2025-06", 50),
            ("S1", "screening", "2025-07", 10),
            ("S1", "screening", "2026-06", 20),
        ]);
        let mut o = opts("2026-06-30");
        o.project_year_start_month = 7;
        let r = quota_report(&q, &dc, &o);
        assert_eq!(r.rows[0].done, 30);
        assert_eq!(month_end(2024, 2), Some(d("2024-02-29")));
    }
}
