//! WHO/ISH 2007 risk prediction chart, sub-region WPR B (spec/risk-models.md RM-WHOISH,
//! spec/domain.md §7 WHOISH-1…10), with and without cholesterol.
//!
//! The chart is a lookup table (`core/data/who_ish_2007_wpr_b_chart.csv`, 768 cells)
//! compiled into the crate. Model id `who-ish-2007@wpr-b` (RM-GEN-6).
//!
//! ```
//! use cvdscreen::models::who_ish2007::{evaluate, Category, WhoIshInput};
//! use cvdscreen::profile::SbpBinning;
//! use cvdscreen::record::Sex;
//! // domain.md §7 chart vector 1: man, smoker, 60, SBP 160, TC 6 → 30-<40 %.
//! let r = evaluate(&WhoIshInput { sex: Sex::Male, age: 62.0, sbp: 161.0, tc_mmol: Some(6.1),
//!                                 diabetes: false, smoker: true }, SbpBinning::Nearest);
//! assert_eq!(r.category, Category::R30To40);
//! assert!(r.category.at_least(Category::R20To30));
//! ```

use crate::profile::SbpBinning;
use crate::record::Sex;
use crate::value::Interval;
use serde::{Deserialize, Serialize};

crate::define_rules! {
    WHOISH_2 = "WHOISH-2", "mpp-2014", [Unverified, Decision], "domain.md §7 WHOISH-2; risk-models.md RM-WHOISH-2",
        "China is evaluated on the WPR B sub-region chart",
        "中国采用 WPR B 亚区风险预测图";
    WHOISH_3 = "WHOISH-3", "mpp-2014", [ConfirmedS, Unverified], "domain.md §7 WHOISH-3; S10",
        "Chart categories: <10%, 10-<20%, 20-<30%, 30-<40%, >=40% (chart legend unverified)",
        "风险分层：<10%、10%–<20%、20%–<30%、30%–<40%、≥40%";
    WHOISH_4 = "WHOISH-4", "mpp-2014", [ConfirmedS, Unverified], "domain.md §7 WHOISH-4; S10",
        "Age box: <50 → 40, 50–59 → 50, 60–69 → 60, ≥70 → 70",
        "年龄格：<50→40，50–59→50，60–69→60，≥70→70";
    WHOISH_5 = "WHOISH-5", "mpp-2014", [ConfirmedS, Unverified, Decision], "domain.md §7 WHOISH-5; S10; OQ-2",
        "SBP row: Nearest (default) <130→120, [130,150)→140, [150,170)→160, ≥170→180; Floor <140→120, [140,160)→140, [160,180)→160, ≥180→180",
        "收缩压行：就近（默认）<130→120，[130,150)→140，[150,170)→160，≥170→180；向下取整 <140→120，[140,160)→140，[160,180)→160，≥180→180";
    WHOISH_6 = "WHOISH-6", "mpp-2014", [ConfirmedS, Decision], "domain.md §7 WHOISH-6; S10",
        "TC column (mmol/L): <4.5→4, [4.5,5.5)→5, [5.5,6.5)→6, [6.5,7.5)→7, ≥7.5→8; mg/dL ÷ 38.67",
        "总胆固醇列（mmol/L）：<4.5→4，[4.5,5.5)→5，[5.5,6.5)→6，[6.5,7.5)→7，≥7.5→8；mg/dL 除以 38.67";
    WHOISH_7 = "WHOISH-7", "mpp-2014", [Decision], "domain.md §7 WHOISH-7",
        "Ages below 40 are evaluated in the 40 box and flagged `extrapolated_age`",
        "40 岁以下按 40 岁格评估，并标记 extrapolated_age";
}

/// Chart category ([`WHOISH_3`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Category {
    /// `<10%`
    #[serde(rename = "<10%")]
    Lt10,
    /// `10-<20%`
    #[serde(rename = "10-<20%")]
    R10To20,
    /// `20-<30%`
    #[serde(rename = "20-<30%")]
    R20To30,
    /// `30-<40%`
    #[serde(rename = "30-<40%")]
    R30To40,
    /// `>=40%`
    #[serde(rename = ">=40%")]
    Ge40,
}

impl Category {
    /// The category label as written in the chart data and the `who_ish_2007_band` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Lt10 => "<10%",
            Category::R10To20 => "10-<20%",
            Category::R20To30 => "20-<30%",
            Category::R30To40 => "30-<40%",
            Category::Ge40 => ">=40%",
        }
    }
    /// Parses a label.
    pub fn parse(s: &str) -> Option<Category> {
        Some(match s {
            "<10%" => Category::Lt10,
            "10-<20%" => Category::R10To20,
            "20-<30%" => Category::R20To30,
            "30-<40%" => Category::R30To40,
            ">=40%" => Category::Ge40,
            _ => return None,
        })
    }
    /// RM-WHOISH-7 `category_at_least`.
    pub fn at_least(self, other: Category) -> bool {
        self >= other
    }
}

/// Which chart set.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Chart {
    /// With-cholesterol chart (the programme's chart, WHOISH-1).
    WithCholesterol,
    /// No-cholesterol chart.
    NoCholesterol,
}

impl Chart {
    /// `with_cholesterol` / `no_cholesterol`.
    pub fn as_str(self) -> &'static str {
        match self {
            Chart::WithCholesterol => "with_cholesterol",
            Chart::NoCholesterol => "no_cholesterol",
        }
    }
}

/// A chart cell (already binned).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cell {
    /// Age box 40/50/60/70.
    pub age_band: u8,
    /// SBP row 120/140/160/180.
    pub sbp_band: u16,
    /// TC column 4…8 mmol/L (0 on the no-cholesterol chart).
    pub tc_band: u8,
}

const AGE_BANDS: [u8; 4] = [40, 50, 60, 70];
const SBP_BANDS: [u16; 4] = [120, 140, 160, 180];
const TC_BANDS: [u8; 5] = [4, 5, 6, 7, 8];

/// WHOISH-4 age box.
pub fn age_box(age: f64) -> u8 {
    if age < 50.0 {
        40
    } else if age < 60.0 {
        50
    } else if age < 70.0 {
        60
    } else {
        70
    }
}

/// WHOISH-5 SBP row, on the unrounded SBP.
pub fn sbp_row(sbp: f64, binning: SbpBinning) -> u16 {
    let edges = match binning {
        SbpBinning::Nearest => [130.0, 150.0, 170.0],
        SbpBinning::Floor => [140.0, 160.0, 180.0],
    };
    if sbp < edges[0] {
        120
    } else if sbp < edges[1] {
        140
    } else if sbp < edges[2] {
        160
    } else {
        180
    }
}

/// WHOISH-6 TC column from mmol/L.
pub fn tc_col(tc_mmol: f64) -> u8 {
    if tc_mmol < 4.5 {
        4
    } else if tc_mmol < 5.5 {
        5
    } else if tc_mmol < 6.5 {
        6
    } else if tc_mmol < 7.5 {
        7
    } else {
        8
    }
}

/// The chart, one byte per cell (see [`index`]): 1…5 = `<10%` … `>=40%`, 0 = none.
/// Generated by `core/build.rs` from `data/who_ish_2007_wpr_b_chart.csv`, the source
/// of truth; the tests below compare it with the CSV.
static CHART: &[u8; N_CELLS] = include_bytes!(concat!(env!("OUT_DIR"), "/who_ish_2007_chart.bin"));
const N_CELLS: usize = 2 * 2 * 2 * 4 * 4 * 6;
const CATEGORIES: [Category; 5] = [
    Category::Lt10,
    Category::R10To20,
    Category::R20To30,
    Category::R30To40,
    Category::Ge40,
];

/// Cell index: diabetes, male, smoker, age band, SBP band, then column 0 for the
/// no-cholesterol chart or 1…5 for the TC columns of the with-cholesterol chart.
fn index(
    chart: Chart,
    diabetes: bool,
    male: bool,
    smoker: bool,
    age_band: u8,
    sbp_band: u16,
    tc_band: u8,
) -> Option<usize> {
    let a = AGE_BANDS.iter().position(|&x| x == age_band)?;
    let s = SBP_BANDS.iter().position(|&x| x == sbp_band)?;
    let t = match (chart, tc_band) {
        (Chart::NoCholesterol, 0) => 0,
        (Chart::WithCholesterol, t) => TC_BANDS.iter().position(|&x| x == t)? + 1,
        _ => return None,
    };
    Some(
        ((((usize::from(diabetes) * 2 + usize::from(male)) * 2 + usize::from(smoker)) * 4 + a) * 4
            + s)
            * 6
            + t,
    )
}

fn cell_at(i: usize) -> Option<Category> {
    let code = usize::from(*CHART.get(i)?);
    code.checked_sub(1).and_then(|c| CATEGORIES.get(c).copied())
}

/// Looks one cell up. `None` only for a key outside the chart.
pub fn lookup(
    chart: Chart,
    diabetes: bool,
    sex: Sex,
    smoker: bool,
    cell: Cell,
) -> Option<Category> {
    index(
        chart,
        diabetes,
        sex == Sex::Male,
        smoker,
        cell.age_band,
        cell.sbp_band,
        cell.tc_band,
    )
    .and_then(cell_at)
}

/// Inputs of the chart with every value known.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhoIshInput {
    /// Sex.
    pub sex: Sex,
    /// Age, years (ages below 40 use the 40 box, WHOISH-7).
    pub age: f64,
    /// SBP, mmHg (the record's derived SBP).
    pub sbp: f64,
    /// Total cholesterol, mmol/L; `None` uses the no-cholesterol chart.
    pub tc_mmol: Option<f64>,
    /// Diabetes (programme definition, WHOISH-9).
    pub diabetes: bool,
    /// Smoker (current or quit < 1 year, WHOISH-8).
    pub smoker: bool,
}

/// Result of a chart evaluation (RM-WHOISH-7).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhoIshResult {
    /// The category.
    pub category: Category,
    /// The cell used.
    pub cell: Cell,
    /// The chart used.
    pub chart: Chart,
    /// SBP binning used.
    pub sbp_binning: SbpBinning,
    /// Age below 40 evaluated in the 40 box (WHOISH-7).
    pub extrapolated_age: bool,
}

/// Model identifier (RM-GEN-6).
pub const MODEL_ID: &str = "who-ish-2007@wpr-b";

/// Evaluates the chart for one person with every input known.
pub fn evaluate(input: &WhoIshInput, binning: SbpBinning) -> WhoIshResult {
    let (chart, tc_band) = match input.tc_mmol {
        Some(tc) => (Chart::WithCholesterol, tc_col(tc)),
        None => (Chart::NoCholesterol, 0),
    };
    let cell = Cell {
        age_band: age_box(input.age),
        sbp_band: sbp_row(input.sbp, binning),
        tc_band,
    };
    // Every (chart, dm, sex, smoker, box, row, column) key exists in the shipped
    // table (checked by `chart_has_768_cells`).
    let category =
        lookup(chart, input.diabetes, input.sex, input.smoker, cell).unwrap_or(Category::Lt10);
    WhoIshResult {
        category,
        cell,
        chart,
        sbp_binning: binning,
        extrapolated_age: input.age < 40.0,
    }
}

/// Chart inputs that may be unknown or censored (TV-2, MPP2014-EV-6).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct WhoIshBounds {
    /// Sex; `None` = both.
    pub sex: Option<Sex>,
    /// Age interval (`Interval::all()` when unknown).
    pub age: Interval,
    /// SBP interval.
    pub sbp: Interval,
    /// TC interval in mmol/L; `None` = use the no-cholesterol chart.
    pub tc_mmol: Option<Interval>,
    /// Diabetes; `None` = both.
    pub diabetes: Option<bool>,
    /// Smoker; `None` = both.
    pub smoker: Option<bool>,
}

/// The range of categories over every chart cell compatible with the bounds.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhoIshRange {
    /// Lowest compatible category.
    pub min: Category,
    /// Highest compatible category.
    pub max: Category,
    /// The cell, when exactly one is compatible.
    pub cell: Option<Cell>,
    /// Chart used.
    pub chart: Chart,
    /// Some compatible age is below 40.
    pub extrapolated_age: bool,
}

impl WhoIshRange {
    /// The single category when every compatible cell agrees (`who_ish_2007_band`).
    pub fn category(&self) -> Option<Category> {
        (self.min == self.max).then_some(self.min)
    }
}

fn upper(i: &Interval) -> f64 {
    if i.hi_open {
        i.hi.next_down()
    } else {
        i.hi
    }
}
fn lower(i: &Interval) -> f64 {
    if i.lo_open {
        i.lo.next_up()
    } else {
        i.lo
    }
}

fn bins<T: Copy + PartialOrd>(all: &[T], i: &Interval, f: impl Fn(f64) -> T) -> Vec<T> {
    let (lo, hi) = (f(lower(i)), f(upper(i)));
    all.iter()
        .copied()
        .filter(|b| *b >= lo && *b <= hi)
        .collect()
}

/// Evaluates the chart over every cell compatible with possibly unknown inputs.
pub fn evaluate_bounds(b: &WhoIshBounds, binning: SbpBinning) -> WhoIshRange {
    // Every input known: one cell, no enumeration (the common case).
    let point = |i: &Interval| (i.lo == i.hi && !i.lo_open && !i.hi_open).then_some(i.lo);
    if let (Some(sex), Some(age), Some(sbp), Some(diabetes), Some(smoker)) =
        (b.sex, point(&b.age), point(&b.sbp), b.diabetes, b.smoker)
    {
        let tc = match &b.tc_mmol {
            None => Some(None),
            Some(i) => point(i).map(Some),
        };
        if let Some(tc_mmol) = tc {
            let r = evaluate(
                &WhoIshInput {
                    sex,
                    age,
                    sbp,
                    tc_mmol,
                    diabetes,
                    smoker,
                },
                binning,
            );
            return WhoIshRange {
                min: r.category,
                max: r.category,
                cell: Some(r.cell),
                chart: r.chart,
                extrapolated_age: r.extrapolated_age,
            };
        }
    }
    let sexes: &[Sex] = match b.sex {
        Some(Sex::Male) => &[Sex::Male],
        Some(Sex::Female) => &[Sex::Female],
        None => &[Sex::Male, Sex::Female],
    };
    let opts = |o: Option<bool>| -> &'static [bool] {
        match o {
            Some(true) => &[true],
            Some(false) => &[false],
            None => &[false, true],
        }
    };
    let ages = bins(&AGE_BANDS, &b.age, age_box);
    let rows = bins(&SBP_BANDS, &b.sbp, |v| sbp_row(v, binning));
    let (chart, cols) = match &b.tc_mmol {
        Some(i) => (Chart::WithCholesterol, bins(&TC_BANDS, i, tc_col)),
        None => (Chart::NoCholesterol, vec![0]),
    };
    let mut min = Category::Ge40;
    let mut max = Category::Lt10;
    let mut n = 0usize;
    let mut last = None;
    for &sex in sexes {
        for &dm in opts(b.diabetes) {
            for &smk in opts(b.smoker) {
                for &a in &ages {
                    for &s in &rows {
                        for &t in &cols {
                            let cell = Cell {
                                age_band: a,
                                sbp_band: s,
                                tc_band: t,
                            };
                            if let Some(c) = lookup(chart, dm, sex, smk, cell) {
                                min = min.min(c);
                                max = max.max(c);
                                n += 1;
                                last = Some(cell);
                            }
                        }
                    }
                }
            }
        }
    }
    if n == 0 {
        // Empty bins cannot happen for non-empty intervals; treat as fully unknown.
        min = Category::Lt10;
        max = Category::Ge40;
    }
    WhoIshRange {
        min,
        max,
        cell: if n == 1 { last } else { None },
        chart,
        extrapolated_age: lower(&b.age) < 40.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART_CSV: &str = include_str!("../../data/who_ish_2007_wpr_b_chart.csv");

    #[test]
    fn chart_has_768_cells() {
        assert_eq!((0..N_CELLS).filter(|&i| cell_at(i).is_some()).count(), 768);
        assert_eq!(
            CHART_CSV.lines().skip(1).filter(|l| !l.is_empty()).count(),
            768
        );
    }

    /// The compiled table is the CSV: every row, parsed here independently of
    /// `build.rs`, is the cell `lookup` returns.
    #[test]
    fn compiled_table_matches_the_csv() {
        let mut seen = 0;
        for line in CHART_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.trim().split(',').collect();
            assert_eq!(f.len(), 8, "{line}");
            let chart = match f[7] {
                "with_cholesterol" => Chart::WithCholesterol,
                "no_cholesterol" => Chart::NoCholesterol,
                other => panic!("chart {other}"),
            };
            let sex = if f[1] == "1" { Sex::Male } else { Sex::Female };
            let cell = Cell {
                age_band: f[3].parse().unwrap(),
                sbp_band: f[4].parse().unwrap(),
                tc_band: f[5].parse().unwrap(),
            };
            let got = lookup(chart, f[0] == "1", sex, f[2] == "1", cell);
            assert_eq!(got, Category::parse(f[6]), "{line}");
            seen += 1;
        }
        assert_eq!(seen, 768);
    }

    #[test]
    fn rm_whoish_4_monotone_in_every_stratum() {
        for chart in [Chart::WithCholesterol, Chart::NoCholesterol] {
            let cols: &[u8] = if chart == Chart::WithCholesterol {
                &TC_BANDS
            } else {
                &[0]
            };
            for dm in [false, true] {
                for sex in [Sex::Male, Sex::Female] {
                    for smk in [false, true] {
                        for &a in &AGE_BANDS {
                            for &s in &SBP_BANDS {
                                for &t in cols {
                                    let c = lookup(
                                        chart,
                                        dm,
                                        sex,
                                        smk,
                                        Cell {
                                            age_band: a,
                                            sbp_band: s,
                                            tc_band: t,
                                        },
                                    )
                                    .unwrap();
                                    for (da, ds, dt) in [(10u8, 0u16, 0u8), (0, 20, 0), (0, 0, 1)] {
                                        let up = Cell {
                                            age_band: a + da,
                                            sbp_band: s + ds,
                                            tc_band: if t == 0 { 0 } else { t + dt },
                                        };
                                        if let Some(c2) = lookup(chart, dm, sex, smk, up) {
                                            assert!(c2 >= c, "not monotone at {chart:?} {dm} {sex:?} {smk} {a} {s} {t}");
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn domain_section_7_chart_vectors() {
        // (sex, dm, smoker, age, sbp, tc, category) from domain.md §7.
        let rows: [(Sex, bool, bool, u8, u16, u8, &str); 10] = [
            (Sex::Male, false, true, 60, 160, 6, "30-<40%"),
            (Sex::Male, false, false, 60, 140, 5, "<10%"),
            (Sex::Female, false, false, 50, 120, 5, "<10%"),
            (Sex::Male, true, true, 70, 160, 6, ">=40%"),
            (Sex::Male, false, true, 50, 160, 6, "20-<30%"),
            (Sex::Male, false, true, 60, 140, 6, "10-<20%"),
            (Sex::Male, false, true, 70, 140, 6, "30-<40%"),
            (Sex::Male, true, true, 60, 140, 6, "30-<40%"),
            (Sex::Female, false, false, 70, 160, 6, "10-<20%"),
            (Sex::Male, false, false, 70, 160, 6, "20-<30%"),
        ];
        for (sex, dm, smk, a, s, t, want) in rows {
            let c = lookup(
                Chart::WithCholesterol,
                dm,
                sex,
                smk,
                Cell {
                    age_band: a,
                    sbp_band: s,
                    tc_band: t,
                },
            )
            .unwrap();
            assert_eq!(c.as_str(), want);
        }
    }

    #[test]
    fn binning_edges() {
        assert_eq!(sbp_row(129.5, SbpBinning::Nearest), 120);
        assert_eq!(sbp_row(130.0, SbpBinning::Nearest), 140);
        assert_eq!(sbp_row(170.0, SbpBinning::Nearest), 180);
        assert_eq!(sbp_row(169.99, SbpBinning::Nearest), 160);
        assert_eq!(sbp_row(139.99, SbpBinning::Floor), 120);
        assert_eq!(sbp_row(140.0, SbpBinning::Floor), 140);
        assert_eq!(sbp_row(180.0, SbpBinning::Floor), 180);
        assert_eq!(tc_col(4.49), 4);
        assert_eq!(tc_col(4.5), 5);
        assert_eq!(tc_col(7.5), 8);
        assert_eq!(age_box(49.9), 40);
        assert_eq!(age_box(50.0), 50);
        assert_eq!(age_box(77.0), 70);
        assert_eq!(age_box(35.0), 40);
    }

    #[test]
    fn bounds_censored_tc_below_100_mgdl_is_column_4() {
        // MPP2014-EV-6: TC "<100 mg/dL" (2.59 mmol/L) → column 4 only.
        let b = WhoIshBounds {
            sex: Some(Sex::Male),
            age: Interval::point(55.0),
            sbp: Interval::point(120.0),
            tc_mmol: Some(Interval {
                lo: f64::NEG_INFINITY,
                hi: 100.0 / 38.67,
                lo_open: false,
                hi_open: true,
            }),
            diabetes: Some(false),
            smoker: Some(false),
        };
        let r = evaluate_bounds(&b, SbpBinning::Nearest);
        assert_eq!(r.cell.map(|c| c.tc_band), Some(4));
        // An open upper bound exactly on an edge stays below it.
        let b2 = WhoIshBounds {
            tc_mmol: Some(Interval {
                lo: f64::NEG_INFINITY,
                hi: 4.5,
                lo_open: false,
                hi_open: true,
            }),
            ..b
        };
        assert_eq!(
            evaluate_bounds(&b2, SbpBinning::Nearest)
                .cell
                .map(|c| c.tc_band),
            Some(4)
        );
    }

    #[test]
    fn unknown_smoking_spans_both() {
        let b = WhoIshBounds {
            sex: Some(Sex::Male),
            age: Interval::point(65.0),
            sbp: Interval::point(140.0),
            tc_mmol: Some(Interval::point(6.0)),
            diabetes: Some(false),
            smoker: None,
        };
        let r = evaluate_bounds(&b, SbpBinning::Floor);
        assert_eq!(r.min, Category::Lt10.max(r.min));
        assert!(r.max >= Category::R10To20);
        assert_eq!(r.cell, None);
    }
}
