//! The report's tables in long format: one row per group and indicator value, the
//! single source of the CSV, the JSON and every number in the HTML.

use super::Report;
use anyhow::Result;
use cvdscreen::finding::{fmt_num, Finding};
use cvdscreen::indicators::followup::FollowUpReport;
use cvdscreen::indicators::quota::QuotaReport;
use cvdscreen::indicators::screening::{GroupBy, ScreeningAccumulator, TableRow};
use cvdscreen::indicators::standard::{self, Measure, PopulationFile, StandardPopulation};
use cvdscreen::indicators::{Indicator, IND_MPP_19, IND_POP_4, IND_QUOTA_4, IND_QUOTA_PROJ};
use cvdscreen::output::fmt_pct;

/// Column names of the CSV output (and keys of the JSON rows).
pub(crate) const COLUMNS: [&str; 14] = [
    "table",
    "site",
    "period",
    "sex",
    "age_band",
    "id",
    "key",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "anomaly",
    "note",
];

/// One indicator value of one group.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Row {
    /// Which table: `overall`, `site`, `sex`, `age_band`, `site_month`, `quota`,
    /// `standardised_overall`, `standardised_site`, `structure`; with `--visits`
    /// also `followup_site` and `followup_overall`.
    pub table: &'static str,
    /// Site group key.
    pub site: Option<String>,
    /// Period (`YYYY-MM`, `undated`; quota rows: the quota's `YYYY` or `YYYY-MM`).
    pub period: Option<String>,
    /// Sex group key (`both` for standardised rates of both sexes).
    pub sex: Option<String>,
    /// Age band group key.
    pub age_band: Option<String>,
    /// Indicator id.
    pub id: &'static str,
    /// Sub-indicator key.
    pub key: String,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Value (a percentage, full precision).
    pub value: Option<f64>,
    /// Lower 95 % limit (standardised rates).
    pub ci_low: Option<f64>,
    /// Upper 95 % limit.
    pub ci_high: Option<f64>,
    /// IND-GEN-6 anomaly.
    pub anomaly: bool,
    /// Free text (method, projected date, reason for a missing value).
    pub note: String,
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

impl Row {
    fn from_table(table: &'static str, r: TableRow) -> Self {
        Row {
            table,
            site: r.site,
            period: r.period,
            sex: r.sex,
            age_band: r.age_band,
            id: r.id,
            key: r.key,
            numerator: Some(r.numerator),
            denominator: r.denominator,
            value: r.value,
            ci_low: None,
            ci_high: None,
            anomaly: r.anomaly,
            note: String::new(),
        }
    }

    fn from_indicator(table: &'static str, site: &str, period: &str, i: &Indicator) -> Self {
        Row {
            table,
            site: Some(site.to_string()),
            period: Some(period.to_string()),
            sex: None,
            age_band: None,
            id: i.id,
            key: i.key.clone(),
            numerator: Some(i.numerator),
            denominator: i.denominator,
            value: i.value,
            ci_low: None,
            ci_high: None,
            anomaly: i.is_anomalous(),
            note: String::new(),
        }
    }

    /// The CSV cells, aligned with [`COLUMNS`]: counts as `fmt_num`, percentages as
    /// `fmt_pct` (full precision), unknown = empty.
    pub fn cells(&self) -> [String; 14] {
        let num = |v: Option<f64>| v.map(fmt_num).unwrap_or_default();
        let pct = |v: Option<f64>| v.map(fmt_pct).unwrap_or_default();
        [
            self.table.to_string(),
            opt(&self.site).to_string(),
            opt(&self.period).to_string(),
            opt(&self.sex).to_string(),
            opt(&self.age_band).to_string(),
            self.id.to_string(),
            self.key.clone(),
            num(self.numerator),
            num(self.denominator),
            pct(self.value),
            pct(self.ci_low),
            pct(self.ci_high),
            self.anomaly.to_string(),
            self.note.clone(),
        ]
    }

    /// A key naming this row uniquely: `table|site|period|sex|age_band|id|key`.
    pub fn reference(&self) -> String {
        [
            self.table,
            opt(&self.site),
            opt(&self.period),
            opt(&self.sex),
            opt(&self.age_band),
            self.id,
            &self.key,
        ]
        .join("|")
    }
}

/// The tables and the IND-GEN-6 findings raised while building them.
pub(crate) struct Built {
    pub rows: Vec<Row>,
    pub findings: Vec<Finding>,
}

fn by(site: bool, month: bool, sex: bool, age_band: bool) -> GroupBy {
    GroupBy {
        site,
        month,
        sex,
        age_band,
    }
}

/// Builds every table from the accumulator (grouped by site, month, sex and age
/// band), the quota report and the population file.
pub(crate) fn build(
    acc: &ScreeningAccumulator,
    quota: Option<&QuotaReport>,
    population: Option<&PopulationFile>,
    min_age: u32,
    std: &StandardPopulation,
) -> Built {
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    // One regrouped copy at a time (each holds one entry per distinct person), so
    // that the peak memory is the accumulator plus one copy, not one per table.
    let groupings: [(&'static str, GroupBy); 5] = [
        ("overall", by(false, false, false, false)),
        ("site", by(true, false, false, false)),
        ("sex", by(false, false, true, false)),
        ("age_band", by(false, false, false, true)),
        ("site_month", by(true, true, false, false)),
    ];
    let mut std_rows = Vec::new();
    let mut structure_rows = Vec::new();
    for (name, g) in groupings {
        let regrouped = acc.regroup(g);
        let t = regrouped.table();
        findings.extend(t.findings);
        rows.extend(t.rows.into_iter().map(|r| Row::from_table(name, r)));
        match name {
            "overall" => std_rows.extend(standardised(
                "standardised_overall",
                &regrouped,
                min_age,
                std,
            )),
            "site" => {
                std_rows.extend(standardised("standardised_site", &regrouped, min_age, std));
                if let Some(pop) = population {
                    structure_rows = structure(&regrouped, pop);
                }
            }
            _ => {}
        }
    }
    if let Some(q) = quota {
        findings.extend(q.findings.iter().cloned());
        for p in &q.rows {
            let mut r = Row::from_indicator("quota", &p.site_id, &p.period, &p.progress);
            if let Some(d) = p.projected_completion {
                r.note = format!("projected completion {d} ({IND_QUOTA_PROJ})");
            }
            rows.push(r);
            for pr in &p.programme {
                // Keyed by the quota row's task, so that each quota row's rates have
                // their own reference (the library leaves the key empty).
                let mut r = Row::from_indicator("quota", &p.site_id, &p.period, &pr.indicator);
                r.key = p.task.as_str().to_string();
                rows.push(r);
            }
            if let Some(b) = p.backlog {
                rows.push(Row::from_indicator(
                    "quota",
                    &p.site_id,
                    &p.period,
                    &Indicator::count(IND_QUOTA_4, p.task.as_str(), b as f64),
                ));
            }
        }
    }
    rows.extend(std_rows);
    rows.extend(structure_rows);
    Built { rows, findings }
}

/// The programme follow-up rows (`--visits`): `followup_site` per site and period,
/// `followup_overall` per period (periods `YYYY-MM`; IND-MPP-16 the project year).
pub(crate) fn followup(r: &FollowUpReport) -> Vec<Row> {
    let site = r
        .by_site
        .rows
        .iter()
        .map(|x| Row::from_table("followup_site", x.clone()));
    let overall = r
        .overall
        .rows
        .iter()
        .map(|x| Row::from_table("followup_overall", x.clone()));
    site.chain(overall).collect()
}

/// IND-POP-4 rows (standardised and crude over the same bands) of every group of `a`.
fn standardised(
    table: &'static str,
    a: &ScreeningAccumulator,
    min_age: u32,
    std: &StandardPopulation,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (measure, key) in [
        (Measure::DetectionRate, "detection_rate"),
        (Measure::HypertensionPrevalence, "hypertension_prevalence"),
    ] {
        for s in standard::standardised_rates(a, std, measure, min_age) {
            let sex = Some(s.sex.clone().unwrap_or_else(|| "both".into()));
            let (events, n): (u64, u64) = s
                .bands
                .iter()
                .fold((0, 0), |(e, n), b| (e + b.events, n + b.n));
            let crude = Indicator::rate(IND_POP_4, format!("{key}:crude"), events as f64, n as f64);
            let first = s.bands.first().map_or(String::new(), |b| b.label.clone());
            let last = s.bands.last().map_or(String::new(), |b| b.label.clone());
            let bands = format!("{first}…{last}");
            rows.push(Row {
                table,
                site: s.group.site.clone(),
                period: None,
                sex: sex.clone(),
                age_band: Some(bands.clone()),
                id: IND_POP_4,
                key: key.to_string(),
                numerator: None,
                denominator: None,
                value: s.rate.value,
                ci_low: s.rate.ci_low,
                ci_high: s.rate.ci_high,
                anomaly: s.rate.value.is_some_and(|v| !(0.0..=100.0).contains(&v)),
                note: match &s.rate.reason {
                    Some(reason) => format!("not computed: {reason}"),
                    None => format!(
                        "direct standardisation to {}, bands {bands}; 95 % CI normal approximation",
                        s.rate.standard
                    ),
                },
            });
            rows.push(Row {
                table,
                site: s.group.site.clone(),
                period: None,
                sex,
                age_band: Some(bands),
                id: IND_POP_4,
                key: crude.key.clone(),
                numerator: Some(crude.numerator),
                denominator: crude.denominator,
                value: crude.value,
                ci_low: None,
                ci_high: None,
                anomaly: crude.is_anomalous(),
                note: "crude rate over the same bands".into(),
            });
        }
    }
    rows
}

/// IND-MPP-19 rows (observed, expected, difference, outside) per site.
fn structure(by_site: &ScreeningAccumulator, pop: &PopulationFile) -> Vec<Row> {
    let mut rows = Vec::new();
    for s in standard::age_sex_structure(by_site, pop) {
        let site = s.group.site.clone().unwrap_or_default();
        for r in &s.rows {
            let band = match r.age_to {
                Some(t) => format!("{}-{t}", r.age_from),
                None => format!("{}+", r.age_from),
            };
            for i in [&r.observed, &r.expected] {
                let mut row = Row::from_indicator("structure", &site, "", i);
                row.period = None;
                row.sex = r.sex.clone();
                row.age_band = Some(band.clone());
                rows.push(row);
            }
            rows.push(Row {
                table: "structure",
                site: Some(site.clone()),
                period: None,
                sex: r.sex.clone(),
                age_band: Some(band),
                id: IND_MPP_19,
                key: "difference_pp".into(),
                numerator: None,
                denominator: None,
                value: r.difference_pp,
                ci_low: None,
                ci_high: None,
                anomaly: false,
                note: "observed − expected, percentage points".into(),
            });
        }
        let mut outside = Row::from_indicator(
            "structure",
            &site,
            "",
            &Indicator::count(IND_MPP_19, "outside", s.outside as f64),
        );
        outside.period = None;
        outside.note = "screenees outside every band of the population file".into();
        rows.push(outside);
    }
    rows
}
/// The rows as CSV (header [`COLUMNS`]).
pub(crate) fn to_csv(rows: &[Row]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record(r.cells())?;
    }
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("cannot serialise the CSV rows: {}", e.error()))
}

/// The rows as a JSON document: `rows` (objects keyed by [`COLUMNS`], the CSV's
/// strings, `null` for empty cells, `anomaly` a boolean), `findings` and the
/// unqualified-record counts and lists per site.
pub(crate) fn to_json(r: &Report) -> Result<Vec<u8>> {
    use serde_json::{Map, Value};
    let rows: Vec<Value> = r
        .rows
        .iter()
        .map(|row| {
            let mut m = Map::new();
            for (k, v) in COLUMNS.iter().zip(row.cells()) {
                let v = match *k {
                    "anomaly" => Value::Bool(row.anomaly),
                    _ if v.is_empty() => Value::Null,
                    _ => Value::String(v),
                };
                m.insert(k.to_string(), v);
            }
            Value::Object(m)
        })
        .collect();
    let mut doc = serde_json::json!({
        "input": r.input,
        "profile": r.profile,
        "as_of": r.as_of.map(|d| d.to_string()),
        "rows_read": r.rows_read,
        "rows": rows,
        "findings": r.findings,
        "unqualified": r.unqualified,
    });
    // Only with --visits, so that the document without it is unchanged.
    if let (Some(v), Some(m)) = (&r.visits, doc.as_object_mut()) {
        m.insert("visits".into(), serde_json::to_value(v)?);
    }
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}
