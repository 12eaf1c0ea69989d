//! Population inputs, age standardisation and the age/sex structure check
//! (§11.4, IND-POP-2…4; IND-MPP-19).
//!
//! **Direct standardisation (IND-POP-4).** rate = Σ w_b r_b ÷ Σ w_b over the
//! report's bands (IND-POP-1), r_b the crude proportion of band b, w_b the standard
//! population's weight of the band; a band without screenees makes the rate `None`
//! with the reason. Weights of a report band [a, b] from 5-year standard bands: each
//! standard band contributes its population × (years of it inside [a, b]) ÷ its
//! width, so `70-75` = 70–74 + one fifth of 75–79. An open-ended standard band (e.g.
//! `100+`) overlapping a report band cannot be split and is an error.
//!
//! **95 % confidence interval** (\[DECISION\]): the normal approximation for a
//! weighted sum of binomial proportions, Var = Σ w_b² r_b (1 − r_b) ÷ n_b ÷ (Σ w_b)²,
//! CI = rate ± 1.96 √Var. Why: it needs no special functions and is adequate for the
//! programme's band sizes (hundreds to thousands per band); for small bands or rates
//! near 0 or 100 % it is too narrow and can cross 0 or 100 (reported as computed, not
//! clamped), where the gamma-based interval of Fay & Feuer (1997) would be better.
//!
//! The shipped standards are `who-2000-2025` ([`StandardPopulation::who_2000_2025`])
//! and `china-2010-census` ([`StandardPopulation::china_2010_census`], by sex and
//! single year of age; provenance in `core/data/README.md`), selectable by name with
//! [`StandardPopulation::by_name`]; a custom standard is any IND-POP-2 file.

use super::screening::{
    AccumulatorOptions, GroupKey, PersonCounts, ScreeningAccumulator, AGE_BANDS, UNKNOWN,
};
use super::*;
use crate::record::Sex;
use std::collections::BTreeMap;

/// The WHO World Standard Population 2000–2025 in the IND-POP-2 format.
pub const WHO_2000_2025_CSV: &str = include_str!("../../data/std_pop_who_2000_2025.csv");

/// The 2010 population census of China (NBS, 《中国2010年人口普查资料》, the table
/// 全国分年龄、性别的人口) by sex and single year of age 0–99 plus 100+, in the
/// IND-POP-2 format (persons).
pub const CHINA_2010_CENSUS_CSV: &str = include_str!("../../data/std_pop_china_2010_census.csv");

/// Names of the shipped standard populations (IND-POP-4), for option lists.
pub const STANDARD_NAMES: [&str; 2] = ["who-2000-2025", "china-2010-census"];

/// One population row (IND-POP-2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PopulationRow {
    /// Line number (1-based).
    pub line: usize,
    /// `area_id` (empty = the whole report).
    pub area_id: String,
    /// `sex` (`None` = both sexes together).
    pub sex: Option<Sex>,
    /// `age_from`, completed years.
    pub age_from: u32,
    /// `age_to`, inclusive; `None` = no upper limit.
    pub age_to: Option<u32>,
    /// `population`.
    pub population: f64,
}

/// A parsed population file.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PopulationFile {
    /// Usable rows.
    pub rows: Vec<PopulationRow>,
    /// `Reject` findings (unparseable or overlapping rows).
    pub findings: Vec<Finding>,
}

fn reject(line: usize, field: &str, en: String, zh: String) -> Finding {
    Finding::new(
        IND_POP_2,
        Severity::Reject,
        field,
        None,
        format!("population file line {line}: {en}"),
        format!("人口文件第{line}行：{zh}"),
    )
}

/// IND-POP-2: parses population CSV text (`area_id`, `sex`, `age_from`, `age_to`,
/// `population`; `area_id` and `sex` columns may be absent = empty). Rows whose
/// bands overlap within one `area_id` and `sex` are rejected on every copy.
pub fn parse_population(text: &str) -> PopulationFile {
    let mut out = PopulationFile::default();
    let mut lines = split_csv(text).into_iter();
    let Some((hl, Ok(header))) = lines.next() else {
        out.findings.push(reject(
            1,
            "",
            "missing or bad header".into(),
            "表头缺失或有误".into(),
        ));
        return out;
    };
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_from), Some(c_to), Some(c_pop)) =
        (col("age_from"), col("age_to"), col("population"))
    else {
        out.findings.push(reject(
            hl,
            "",
            "the columns age_from, age_to and population are required".into(),
            "缺少必需列 age_from、age_to、population".into(),
        ));
        return out;
    };
    let (c_area, c_sex) = (col("area_id"), col("sex"));
    let mut parsed = Vec::new();
    for (line, cells) in lines {
        let cells = match cells {
            Ok(c) if c.len() == header.len() => c,
            Ok(_) => {
                out.findings.push(reject(
                    line,
                    "",
                    "wrong number of fields".into(),
                    "字段数不符".into(),
                ));
                continue;
            }
            Err(e) => {
                out.findings.push(reject(line, "", e.clone(), e));
                continue;
            }
        };
        let sex = match c_sex.map_or("", |c| cells[c].as_str()) {
            "" => None,
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            other => {
                out.findings.push(reject(
                    line,
                    "sex",
                    format!("sex `{other}` is not male or female"),
                    format!("性别“{other}”无效"),
                ));
                continue;
            }
        };
        let from = cells[c_from].parse::<u32>();
        let to = match cells[c_to].as_str() {
            "" => Ok(None),
            t => t.parse::<u32>().map(Some),
        };
        let pop = cells[c_pop].parse::<f64>();
        match (from, to, pop) {
            (Ok(f), Ok(t), Ok(p)) if p >= 0.0 && p.is_finite() && t.is_none_or(|t| t >= f) => {
                parsed.push(PopulationRow {
                    line,
                    area_id: c_area.map_or(String::new(), |c| cells[c].clone()),
                    sex,
                    age_from: f,
                    age_to: t,
                    population: p,
                })
            }
            _ => out.findings.push(reject(
                line,
                "",
                "age_from, age_to (≥ age_from) and population (≥ 0) must be numbers".into(),
                "age_from、age_to（≥age_from）和 population（≥0）须为数字".into(),
            )),
        }
    }
    let overlaps = |a: &PopulationRow, b: &PopulationRow| {
        a.area_id == b.area_id
            && a.sex == b.sex
            && a.age_from <= b.age_to.unwrap_or(u32::MAX)
            && b.age_from <= a.age_to.unwrap_or(u32::MAX)
    };
    for (i, r) in parsed.iter().enumerate() {
        if parsed
            .iter()
            .enumerate()
            .any(|(j, o)| i != j && overlaps(r, o))
        {
            out.findings.push(reject(
                r.line,
                "age_from",
                "age band overlaps another row of the same area and sex".into(),
                "年龄段与同地区同性别的其他行重叠".into(),
            ));
        } else {
            out.rows.push(r.clone());
        }
    }
    out
}

/// A standard population for direct standardisation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StandardPopulation {
    /// Name (`who-2000-2025`, or the caller's).
    pub name: String,
    /// Rows (area_id ignored).
    pub rows: Vec<PopulationRow>,
}

impl StandardPopulation {
    /// The shipped WHO World Standard Population 2000–2025 (per 100,000, both sexes).
    pub fn who_2000_2025() -> Self {
        let f = parse_population(WHO_2000_2025_CSV);
        debug_assert!(f.findings.is_empty());
        StandardPopulation {
            name: "who-2000-2025".into(),
            rows: f.rows,
        }
    }

    /// The shipped 2010 census of China (persons, by sex and single year of age).
    pub fn china_2010_census() -> Self {
        let f = parse_population(CHINA_2010_CENSUS_CSV);
        debug_assert!(f.findings.is_empty());
        StandardPopulation {
            name: "china-2010-census".into(),
            rows: f.rows,
        }
    }

    /// A shipped standard by its IND-POP-4 name (`who-2000-2025`,
    /// `china-2010-census`); `None` for any other name.
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "who-2000-2025" => Some(Self::who_2000_2025()),
            "china-2010-census" => Some(Self::china_2010_census()),
            _ => None,
        }
    }

    /// A custom standard from an IND-POP-2 file (rows of every `area_id`).
    pub fn custom(name: impl Into<String>, file: &PopulationFile) -> Self {
        StandardPopulation {
            name: name.into(),
            rows: file.rows.clone(),
        }
    }

    /// The weight of the report band [from, to] for `sex` (`None` = both sexes):
    /// sex-specific rows when the standard has them for that sex, else the both-sexes
    /// rows, else (for `None`) the sum of the male and female rows.
    pub fn weight(&self, from: u32, to: u32, sex: Option<Sex>) -> Result<f64, String> {
        let pick = |s: Option<Sex>| self.rows.iter().filter(move |r| r.sex == s);
        let rows: Vec<&PopulationRow> = match sex {
            Some(s) if pick(Some(s)).next().is_some() => pick(Some(s)).collect(),
            _ if pick(None).next().is_some() => pick(None).collect(),
            None => self.rows.iter().collect(),
            Some(_) => Vec::new(),
        };
        let mut w = 0.0;
        for r in rows {
            match r.age_to {
                Some(b) => {
                    let lo = r.age_from.max(from);
                    let hi = b.min(to);
                    if lo <= hi {
                        w += r.population * f64::from(hi - lo + 1) / f64::from(b - r.age_from + 1);
                    }
                }
                None if to >= r.age_from => {
                    return Err(format!(
                        "the open-ended standard band {}+ cannot be split for the report band {from}-{to}",
                        r.age_from
                    ))
                }
                None => {}
            }
        }
        Ok(w)
    }
}

/// One band of a standardisation input.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BandCount {
    /// Band label.
    pub label: String,
    /// First completed year.
    pub from: u32,
    /// Last completed year (inclusive).
    pub to: u32,
    /// Persons with the event.
    pub events: u64,
    /// Persons in the band.
    pub n: u64,
}

/// A directly standardised rate with its 95 % CI, percent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StandardisedRate {
    /// Standard used.
    pub standard: String,
    /// Standardised rate, percent; `None` with `reason` when not computable.
    pub value: Option<f64>,
    /// Lower 95 % limit (normal approximation), percent.
    pub ci_low: Option<f64>,
    /// Upper 95 % limit, percent.
    pub ci_high: Option<f64>,
    /// Why there is no value.
    pub reason: Option<String>,
}

/// IND-POP-4 direct standardisation of `bands` to `std` for `sex`.
pub fn direct_standardise(
    bands: &[BandCount],
    std: &StandardPopulation,
    sex: Option<Sex>,
) -> StandardisedRate {
    let none = |reason: String| StandardisedRate {
        standard: std.name.clone(),
        value: None,
        ci_low: None,
        ci_high: None,
        reason: Some(reason),
    };
    let empty: Vec<&str> = bands
        .iter()
        .filter(|b| b.n == 0)
        .map(|b| b.label.as_str())
        .collect();
    if !empty.is_empty() {
        return none(format!("no screenees in band(s) {}", empty.join(", ")));
    }
    let (mut sw, mut swr, mut var) = (0.0, 0.0, 0.0);
    for b in bands {
        let w = match std.weight(b.from, b.to, sex) {
            Ok(w) => w,
            Err(e) => return none(e),
        };
        let r = b.events as f64 / b.n as f64;
        sw += w;
        swr += w * r;
        var += w * w * r * (1.0 - r) / b.n as f64;
    }
    if sw <= 0.0 || bands.is_empty() {
        return none("the standard population has no weight in the report's bands".into());
    }
    let rate = swr / sw;
    let half = 1.96 * (var / (sw * sw)).sqrt();
    StandardisedRate {
        standard: std.name.clone(),
        value: Some(100.0 * rate),
        ci_low: Some(100.0 * (rate - half)),
        ci_high: Some(100.0 * (rate + half)),
        reason: None,
    }
}

/// What is standardised.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Detection rate IND-MPP-4 (high-risk ÷ screened).
    DetectionRate,
    /// Hypertension prevalence IND-HTN-1 (hypertensive ÷ known status).
    HypertensionPrevalence,
}

/// A standardised rate of one group and sex.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StandardisedRow {
    /// Group (sex and age keys empty).
    pub group: GroupKey,
    /// `male`, `female`, or `None` for both sexes.
    pub sex: Option<String>,
    /// Measure.
    pub measure: Measure,
    /// The bands used.
    pub bands: Vec<BandCount>,
    /// The result.
    pub rate: StandardisedRate,
}

/// IND-POP-4 over an accumulator: per group (site/period as accumulated), for both
/// sexes and for each sex, the measure standardised over the IND-POP-1 bands that
/// lie in `[min_age, 75]` (35 for the national profile, 40 for the 2014 pilot).
pub fn standardised_rates(
    acc: &ScreeningAccumulator,
    std: &StandardPopulation,
    measure: Measure,
    min_age: u32,
) -> Vec<StandardisedRow> {
    let mut out = Vec::new();
    for (group, cells) in acc.age_sex_counts() {
        for sex in [None, Some(Sex::Male), Some(Sex::Female)] {
            let bands: Vec<BandCount> = AGE_BANDS
                .iter()
                .filter(|(_, lo, _)| *lo as u32 >= min_age)
                .map(|(label, lo, hi)| {
                    let (mut events, mut n) = (0, 0);
                    for ((s, age), c) in &cells {
                        let sex_ok = sex.is_none_or(|x| *s == x.as_str());
                        if sex_ok && age.is_some_and(|a| (*lo..=*hi).contains(&a)) {
                            let (e, d) = pick(measure, c);
                            events += e;
                            n += d;
                        }
                    }
                    BandCount {
                        label: label.to_string(),
                        from: *lo as u32,
                        to: *hi as u32,
                        events,
                        n,
                    }
                })
                .collect();
            let rate = direct_standardise(&bands, std, sex);
            out.push(StandardisedRow {
                group: group.clone(),
                sex: sex.map(|s| s.as_str().to_string()),
                measure,
                bands,
                rate,
            });
        }
    }
    out
}

fn pick(m: Measure, c: &PersonCounts) -> (u64, u64) {
    match m {
        Measure::DetectionRate => (c.high_risk, c.screened),
        Measure::HypertensionPrevalence => (c.hypertensive, c.htn_known),
    }
}

/// One cell of the IND-MPP-19 structure check (IND-POP-3).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StructureRow {
    /// Sex (`None` when the population file has no sex split).
    pub sex: Option<String>,
    /// Band start.
    pub age_from: u32,
    /// Band end (`None` = open).
    pub age_to: Option<u32>,
    /// Observed % (IND-MPP-19 key `observed`): 100 × screenees in the cell ÷ screenees in all cells.
    pub observed: Indicator,
    /// Expected %: 100 × population of the cell ÷ population of all cells.
    pub expected: Indicator,
    /// Observed − expected, percentage points.
    pub difference_pp: Option<f64>,
}

/// The IND-MPP-19 report of one group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StructureReport {
    /// Group.
    pub group: GroupKey,
    /// Cells in file order.
    pub rows: Vec<StructureRow>,
    /// Screenees outside every band (or of unknown age, or of unknown sex when the
    /// file is split by sex).
    pub outside: u64,
}

/// IND-MPP-19 (IND-POP-3): observed vs expected age/sex structure per group. The
/// population rows of a group are those whose `area_id` equals the group's site,
/// else those with an empty `area_id`.
pub fn age_sex_structure(acc: &ScreeningAccumulator, pop: &PopulationFile) -> Vec<StructureReport> {
    let mut out = Vec::new();
    for (group, cells) in acc.age_sex_counts() {
        let site = group.site.clone().unwrap_or_default();
        let mut rows: Vec<&PopulationRow> = pop.rows.iter().filter(|r| r.area_id == site).collect();
        if rows.is_empty() {
            rows = pop.rows.iter().filter(|r| r.area_id.is_empty()).collect();
        }
        let by_sex = rows.iter().any(|r| r.sex.is_some());
        let in_row = |r: &PopulationRow, s: &str, age: Option<i32>| {
            let sex_ok = !by_sex || r.sex.is_some_and(|x| x.as_str() == s);
            let age_ok = age.is_some_and(|a| {
                a >= 0 && a as u32 >= r.age_from && r.age_to.is_none_or(|t| a as u32 <= t)
            });
            sex_ok && age_ok
        };
        let mut observed = vec![0u64; rows.len()];
        let mut outside = 0u64;
        for ((s, age), c) in &cells {
            match rows.iter().position(|r| in_row(r, s, *age)) {
                Some(i) => observed[i] += c.screened,
                None => outside += c.screened,
            }
        }
        let tot_obs: u64 = observed.iter().sum();
        let tot_pop: f64 = rows.iter().map(|r| r.population).sum();
        let rows = rows
            .iter()
            .zip(&observed)
            .map(|(r, o)| {
                let obs = Indicator::rate(IND_MPP_19, "observed", *o as f64, tot_obs as f64);
                let exp = Indicator::rate(IND_MPP_19, "expected", r.population, tot_pop);
                let diff = match (obs.value, exp.value) {
                    (Some(a), Some(b)) => Some(a - b),
                    _ => None,
                };
                StructureRow {
                    sex: r
                        .sex
                        .map(|s| s.as_str().to_string())
                        .or_else(|| by_sex.then(|| UNKNOWN.to_string())),
                    age_from: r.age_from,
                    age_to: r.age_to,
                    observed: obs,
                    expected: exp,
                    difference_pp: diff,
                }
            })
            .collect();
        out.push(StructureReport {
            group,
            rows,
            outside,
        });
    }
    out
}

/// Convenience: an accumulator option set grouping by site only, the usual input of
/// [`standardised_rates`] and [`age_sex_structure`].
pub fn by_site_options() -> AccumulatorOptions {
    AccumulatorOptions {
        group_by: super::screening::GroupBy {
            site: true,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Standardised rates keyed by group label, for quick lookups.
pub fn by_label(rows: &[StandardisedRow]) -> BTreeMap<(String, Option<String>), &StandardisedRate> {
    rows.iter()
        .map(|r| ((r.group.label(), r.sex.clone()), &r.rate))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::criteria::mpp2014::HighRiskStatus;
    use crate::indicators::screening::IndicatorRow;
    use crate::qc::QcStatus;
    use crate::value::Obs;

    #[test]
    fn who_table_is_the_published_one() {
        let w = StandardPopulation::who_2000_2025();
        let v: Vec<f64> = w.rows.iter().map(|r| r.population).collect();
        assert_eq!(
            v,
            vec![
                8860.0, 8690.0, 8600.0, 8470.0, 8220.0, 7930.0, 7610.0, 7150.0, 6590.0, 6040.0,
                5370.0, 4550.0, 3720.0, 2960.0, 2210.0, 1520.0, 910.0, 440.0, 150.0, 40.0, 5.0
            ]
        );
        // The published rounded percentages total 100.035 %.
        assert_eq!(v.iter().sum::<f64>(), 100_035.0);
        assert_eq!(w.rows[20].age_to, None);
        assert_eq!(w.weight(35, 39, None), Ok(7150.0));
        // 70-75 = 70–74 + one fifth of 75–79 = 2210 + 304.
        assert_eq!(w.weight(70, 75, None), Ok(2514.0));
        // No sex split: a sex-specific request uses the both-sexes rows.
        assert_eq!(w.weight(35, 39, Some(Sex::Male)), Ok(7150.0));
        assert!(w.weight(95, 104, None).is_err());
    }

    #[test]
    fn china_2010_census_table_is_the_published_one() {
        let c = StandardPopulation::china_2010_census();
        assert!(parse_population(CHINA_2010_CENSUS_CSV).findings.is_empty());
        assert_eq!(c.rows.len(), 202);
        let of = |s: Sex| -> Vec<&PopulationRow> {
            c.rows.iter().filter(|r| r.sex == Some(s)).collect()
        };
        let (m, f) = (of(Sex::Male), of(Sex::Female));
        // Single years 0…99 in order, then the open 100+ row, for each sex.
        for rows in [&m, &f] {
            assert_eq!(rows.len(), 101);
            for (a, r) in rows.iter().enumerate().take(100) {
                assert_eq!((r.age_from, r.age_to), (a as u32, Some(a as u32)));
            }
            assert_eq!((rows[100].age_from, rows[100].age_to), (100, None));
            assert!(rows.iter().all(|r| r.population.fract() == 0.0));
        }
        // The table's totals: male 682,329,104, female 650,481,765,
        // together 1,332,810,869.
        let sum = |rows: &[&PopulationRow]| rows.iter().map(|r| r.population).sum::<f64>();
        assert_eq!(sum(&m), 682_329_104.0);
        assert_eq!(sum(&f), 650_481_765.0);
        assert_eq!(sum(&m) + sum(&f), 1_332_810_869.0);
        // Each single-year total = male + female (no both-sexes rows are shipped,
        // so the both-sexes weight of a year is exactly that sum).
        for a in 0..100 {
            assert_eq!(
                c.weight(a, a, None).unwrap(),
                m[a as usize].population + f[a as usize].population
            );
        }
        // Spot values: age 0 (13,786,434 = 7,461,199 + 6,325,235; sex ratio
        // 117.96), age 75, 100+ (35,934 = 8,852 + 27,082).
        assert_eq!(c.weight(0, 0, None), Ok(13_786_434.0));
        assert_eq!(c.weight(0, 0, Some(Sex::Male)), Ok(7_461_199.0));
        assert_eq!(c.weight(75, 75, Some(Sex::Female)), Ok(2_941_930.0));
        assert_eq!((m[100].population, f[100].population), (8_852.0, 27_082.0));
        // 5-year totals of the same census (both sexes), as published by age group.
        let five = [
            (0, 75_532_610.0),
            (35, 118_025_959.0),
            (40, 124_753_964.0),
            (45, 105_594_553.0),
            (50, 78_753_171.0),
            (55, 81_312_474.0),
            (60, 58_667_282.0),
            (65, 41_113_282.0),
            (70, 32_972_397.0),
            (95, 369_979.0),
        ];
        for (a, v) in five {
            assert_eq!(c.weight(a, a + 4, None), Ok(v), "{a}-{}", a + 4);
        }
        // Report band 70-75 sums the single years 70…75 (no uniform split needed).
        assert_eq!(
            c.weight(70, 75, None),
            Ok(32_972_397.0 + 2_690_547.0 + 2_941_930.0)
        );
        assert!(c.weight(95, 104, None).is_err());
        assert_eq!(StandardPopulation::by_name("china-2010-census"), Some(c));
        assert_eq!(
            StandardPopulation::by_name("who-2000-2025"),
            Some(StandardPopulation::who_2000_2025())
        );
        assert_eq!(StandardPopulation::by_name("segi"), None);
        for n in STANDARD_NAMES {
            assert!(StandardPopulation::by_name(n).is_some());
        }
    }

    #[test]
    fn china_census_standardisation_by_hand() {
        // Two bands, male weights 35-39 = 60,391,104 and 40-44 = 63,608,678:
        // rate = (60391104 × 0.1 + 63608678 × 0.5) ÷ 123999782.
        let c = StandardPopulation::china_2010_census();
        let bands = [
            BandCount {
                label: "35-39".into(),
                from: 35,
                to: 39,
                events: 10,
                n: 100,
            },
            BandCount {
                label: "40-44".into(),
                from: 40,
                to: 44,
                events: 30,
                n: 60,
            },
        ];
        let r = direct_standardise(&bands, &c, Some(Sex::Male));
        let want = 100.0 * (60_391_104.0 * 0.1 + 63_608_678.0 * 0.5) / 123_999_782.0;
        assert!((r.value.unwrap() - want).abs() < 1e-9);
        assert_eq!(r.standard, "china-2010-census");
    }

    #[test]
    fn direct_standardisation_and_ci_by_hand() {
        let std = StandardPopulation::custom(
            "test",
            &parse_population("age_from,age_to,population\n35,39,3\n40,44,1\n"),
        );
        let bands = [
            BandCount {
                label: "35-39".into(),
                from: 35,
                to: 39,
                events: 10,
                n: 100,
            },
            BandCount {
                label: "40-44".into(),
                from: 40,
                to: 44,
                events: 30,
                n: 60,
            },
        ];
        // rate = (3 × 0.1 + 1 × 0.5) ÷ 4 = 0.2 → 20 %.
        // Var = (9 × 0.1 × 0.9 ÷ 100 + 1 × 0.5 × 0.5 ÷ 60) ÷ 16 = 0.012266667 ÷ 16
        //     = 0.000766667; 1.96 × √Var = 0.0542698 → CI 14.5730 … 25.4270 %.
        let r = direct_standardise(&bands, &std, None);
        assert!((r.value.unwrap() - 20.0).abs() < 1e-12);
        assert!((r.ci_low.unwrap() - 14.5730).abs() < 1e-3);
        assert!((r.ci_high.unwrap() - 25.4270).abs() < 1e-3);
        // A band without screenees: no value, with the reason.
        let mut b2 = bands.clone();
        b2[1].n = 0;
        b2[1].events = 0;
        let r = direct_standardise(&b2, &std, None);
        assert_eq!(r.value, None);
        assert!(r.reason.unwrap().contains("40-44"));
    }

    #[test]
    fn population_file_overlaps_rejected() {
        let f = parse_population(
            "area_id,sex,age_from,age_to,population\nA,male,35,39,10\nA,male,38,42,5\nA,female,35,39,7\n,,0,,1\nA,x,1,2,3\n",
        );
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.findings.len(), 3);
    }

    fn r(id: &str, age: i32, sex: Sex, high: bool) -> IndicatorRow {
        IndicatorRow {
            id: Some(id.into()),
            site_id: "S1".into(),
            screen_date: Some("2025-05-01".parse().unwrap()),
            sex: Some(sex),
            age_completed: Some(age),
            qc_status: QcStatus::Ok,
            rule_ids: vec![],
            high_risk: if high {
                HighRiskStatus::HighRisk
            } else {
                HighRiskStatus::NotHighRisk
            },
            reason_classes: vec![],
            fired_rules: vec![],
            missing_fields: vec![],
            sbp: None,
            dbp: None,
            bp_treated: None,
            hypertension: None,
            diabetes: None,
            glucose_treated: None,
            fbg: Obs::Unknown,
            hr_exam_date: None,
            survey_items: [false; 7],
            intervention_date: None,
        }
    }

    #[test]
    fn structure_and_standardised_rates_from_accumulator() {
        let mut acc = ScreeningAccumulator::new(by_site_options());
        acc.add(&r("a", 36, Sex::Male, true));
        acc.add(&r("b", 37, Sex::Female, false));
        acc.add(&r("c", 41, Sex::Male, false));
        acc.add(&r("d", 80, Sex::Male, false));
        let pop = parse_population(
            "area_id,sex,age_from,age_to,population\nS1,male,35,39,300\nS1,female,35,39,300\nS1,male,40,44,400\n",
        );
        let s = age_sex_structure(&acc, &pop);
        assert_eq!(s[0].outside, 1);
        // Observed 1/3 each; expected 30 %, 30 %, 40 %.
        let row = &s[0].rows[2];
        assert_eq!(row.observed.value, Some(100.0 / 3.0));
        assert_eq!(row.expected.value, Some(40.0));
        assert!((row.difference_pp.unwrap() - (100.0 / 3.0 - 40.0)).abs() < 1e-12);
        // Standardised over 35-39 and 40-44 with a custom standard 1:1:
        // r = (0.5 + 0) ÷ 2 = 25 %.
        let std = StandardPopulation::custom(
            "c",
            &parse_population("age_from,age_to,population\n35,39,1\n40,44,1\n"),
        );
        let mut acc2 = ScreeningAccumulator::new(by_site_options());
        for x in ["a", "b", "c"] {
            let age = if x == "c" { 41 } else { 36 };
            acc2.add(&r(x, age, Sex::Male, x == "a"));
        }
        let rows = standardised_rates(&acc2, &std, Measure::DetectionRate, 35);
        // All bands from 35 to 75 are used, and 45-49 … 70-75 are empty → None.
        assert_eq!(rows[0].rate.value, None);
        assert!(rows[0].rate.reason.as_deref().unwrap().contains("45-49"));
        let rows = standardised_rates(&acc2, &std, Measure::DetectionRate, 35)
            .into_iter()
            .map(|mut x| {
                x.bands.truncate(2);
                x.rate = direct_standardise(&x.bands, &std, None);
                x
            })
            .collect::<Vec<_>>();
        assert_eq!(rows[0].rate.value, Some(25.0));
        assert_eq!(by_label(&rows).len(), 3);
    }
}
