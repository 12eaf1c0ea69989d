//! The risk models of `cvdscreen::models` for one record and over columns. Plain Rust,
//! host-testable: [`js`](crate::js) turns JS objects and typed arrays into the
//! `(column, cell text)` pairs and [`Columns`] used here.
//!
//! One record: the cells are parsed by the core's exchange parser
//! ([`set_cell`]), then the model input is built from the typed record by the core
//! ([`from_record`], as `assess` does); a missing required input, a
//! value outside an enforced range or a NaN/∞ is the core's [`ModelError`], thrown as
//! a `CvdscreenError` naming the field and value.
//!
//! Columns: [`cvdscreen::models::batch`] writes one percentage and one
//! [`RowStatus`](cvdscreen::models::batch::RowStatus) per row; a row that fails is
//! `NaN` with a non-zero status, never an exception.

use crate::errors::InputError;
use cvdscreen::evaluated::{EvaluatedRecord, FieldSet};
use cvdscreen::exchange::{set_cell, Col};
use cvdscreen::models::batch::{self, BatchSummary};
use cvdscreen::models::china_par::{self, ChinaParFlags, RiskLevel10};
use cvdscreen::models::framingham2008::{self, FraminghamFlags};
use cvdscreen::models::from_record;
use cvdscreen::models::pce2013::{self, PceFlags};
use cvdscreen::models::prevent2023::{self, Horizon, Outcome, PreventFlags, Risk};
use cvdscreen::models::who2019::{self, Calibration, WhoFlags};
use cvdscreen::models::ModelError;
use cvdscreen::profile::{Profile, RangePolicy};
use cvdscreen::record::ScreeningRecord;
use cvdscreen::units::ConcUnit;
use serde::Serialize;

/// Options of the model functions: `{range_policy, region}`.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct ModelOptions {
    /// `"Strict"` (default): outside a model range → error; `"Flag"`: compute and flag.
    pub policy: RangePolicy,
    /// WHO 2019 recalibration (`region`; default East Asia).
    pub calibration: Calibration,
}

/// Parses `range_policy` (`"Strict"`, `"Flag"`, as in `ProfileOptions`).
pub fn parse_policy(s: &str) -> Result<RangePolicy, InputError> {
    match s {
        "Strict" => Ok(RangePolicy::Strict),
        "Flag" => Ok(RangePolicy::Flag),
        _ => Err(InputError::option(
            "range_policy",
            "expected `Strict` or `Flag`",
        )),
    }
}

/// Parses `region` with the core's [`Calibration::parse`].
pub fn parse_region(s: &str) -> Result<Calibration, InputError> {
    Calibration::parse(s).ok_or_else(|| {
        InputError::option(
            "region",
            "expected a GBD region name or code (`East Asia`, `A05GBDR_012_EAS`) or `china-country`",
        )
    })
}

/// The columns a model function reads.
pub const MODEL_FIELDS: &[Col] = &[
    Col::Sex,
    Col::Age,
    Col::Sbp,
    Col::BpTreated,
    Col::TcMmol,
    Col::TcMgdl,
    Col::HdlMmol,
    Col::HdlMgdl,
    Col::WaistCm,
    Col::CurrentSmoker,
    Col::Diabetes,
    Col::North,
    Col::Urban,
    Col::FamilyHistoryAscvd,
    Col::Bmi,
    Col::Egfr,
    Col::Statin,
    Col::Race,
];

/// Parses the model fields of `(column, cell text)` pairs with the core's exchange
/// parser; other columns are ignored. An unreadable cell is a `DQ-PARSE-1` error.
pub fn parse_record(pairs: &[(&'static str, String)]) -> Result<ScreeningRecord, InputError> {
    let mut rec = ScreeningRecord::default();
    for (name, text) in pairs {
        let Some(col) = Col::from_name(name).filter(|c| MODEL_FIELDS.contains(c)) else {
            continue;
        };
        set_cell(&mut rec, col, text).map_err(|e| InputError::cell(&e))?;
    }
    Ok(rec)
}

/// The record as the rules see it, without QC masking: inputs are built by the
/// core's [`from_record`] functions (the derived SBP — `sbp`, which takes precedence
/// over readings; the smoker and diabetes status; lipids as reported: the mmol/L
/// column when filled, else mg/dL; an unknown or device-censored value is missing).
fn evaluated(r: &ScreeningRecord) -> EvaluatedRecord {
    EvaluatedRecord::new(r, &Profile::default(), FieldSet::default())
}

/// `chinaPar10y` result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChinaParOut {
    /// Model id.
    pub model_id: &'static str,
    /// 10-year ASCVD risk, percent, full precision.
    pub pct: f64,
    /// `pct` rounded half up to 1 decimal.
    pub display: f64,
    /// `low` / `medium` / `high` on the unrounded value.
    pub level: RiskLevel10,
    /// Ideal 10-year risk, percent.
    pub ideal_pct: f64,
    /// `ideal_pct` rounded half up to 1 decimal.
    pub ideal_display: f64,
    /// Flags.
    pub flags: ChinaParFlags,
}

/// `who2019Lab` / `who2019NonLab` result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WhoOut {
    /// Model id.
    pub model_id: &'static str,
    /// 10-year CVD risk, percent.
    pub pct: f64,
    /// Rounded half up to an integer percent (the chart display).
    pub display: f64,
    /// CHD component, percent.
    pub chd_pct: f64,
    /// Stroke component, percent.
    pub stroke_pct: f64,
    /// Flags.
    pub flags: WhoFlags,
}

/// `pce10y` / `framinghamCvd10y` result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskOut<F> {
    /// Model id.
    pub model_id: &'static str,
    /// 10-year risk, percent.
    pub pct: f64,
    /// Rounded half up to 1 decimal.
    pub display: f64,
    /// Flags.
    pub flags: F,
}

/// `prevent10y` / `prevent30y` result: `pct`/`display` are total CVD.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PreventOut {
    /// Model id.
    pub model_id: &'static str,
    /// 10 or 30.
    pub years: u8,
    /// Total CVD, percent.
    pub pct: f64,
    /// Total CVD, rounded half up to 1 decimal.
    pub display: f64,
    /// Total CVD.
    pub total_cvd: Risk,
    /// ASCVD.
    pub ascvd: Risk,
    /// Heart failure.
    pub heart_failure: Risk,
    /// CHD.
    pub chd: Risk,
    /// Stroke.
    pub stroke: Risk,
    /// Flags.
    pub flags: PreventFlags,
}

/// China-PAR 10-year risk of one record.
pub fn china_par(r: &ScreeningRecord, o: &ModelOptions) -> Result<ChinaParOut, ModelError> {
    let x = china_par::china_par_10y(&from_record::china_par_input(r, &evaluated(r))?, o.policy)?;
    Ok(ChinaParOut {
        model_id: x.model_id,
        pct: x.risk10_pct,
        display: x.risk10_display,
        level: x.level,
        ideal_pct: x.ideal10_pct,
        ideal_display: x.ideal10_display,
        flags: x.flags,
    })
}

fn who_out(x: who2019::WhoResult) -> WhoOut {
    WhoOut {
        model_id: x.model_id,
        pct: x.cvd_pct,
        display: f64::from(x.chart_int),
        chd_pct: x.chd_pct,
        stroke_pct: x.stroke_pct,
        flags: x.flags,
    }
}

/// WHO 2019 laboratory model for one record.
pub fn who_lab(r: &ScreeningRecord, o: &ModelOptions) -> Result<WhoOut, ModelError> {
    who2019::who2019_lab(
        &from_record::who_lab_input(&evaluated(r))?,
        o.calibration,
        o.policy,
    )
    .map(who_out)
}

/// WHO 2019 non-laboratory model for one record.
pub fn who_nonlab(r: &ScreeningRecord, o: &ModelOptions) -> Result<WhoOut, ModelError> {
    who2019::who2019_nonlab(
        &from_record::who_nonlab_input(&evaluated(r))?,
        o.calibration,
        o.policy,
    )
    .map(who_out)
}

/// Pooled Cohort Equations for one record.
pub fn pce(r: &ScreeningRecord, o: &ModelOptions) -> Result<RiskOut<PceFlags>, ModelError> {
    let x = pce2013::pce(&from_record::pce_input(r, &evaluated(r))?, o.policy)?;
    Ok(RiskOut {
        model_id: x.model_id,
        pct: x.risk10_pct,
        display: x.risk10_display,
        flags: x.flags,
    })
}

/// Framingham 2008 general CVD for one record.
pub fn framingham(
    r: &ScreeningRecord,
    o: &ModelOptions,
) -> Result<RiskOut<FraminghamFlags>, ModelError> {
    let x =
        framingham2008::framingham(&from_record::framingham_input(r, &evaluated(r))?, o.policy)?;
    Ok(RiskOut {
        model_id: x.model_id,
        pct: x.risk10_pct,
        display: x.risk10_display,
        flags: x.flags,
    })
}

/// PREVENT base model for one record at 10 or 30 years.
pub fn prevent(
    r: &ScreeningRecord,
    horizon: Horizon,
    o: &ModelOptions,
) -> Result<PreventOut, ModelError> {
    let x = prevent2023::prevent(
        &from_record::prevent_input(r, &evaluated(r))?.0,
        horizon,
        o.policy,
    )?;
    Ok(PreventOut {
        model_id: x.model_id,
        years: if horizon == Horizon::Years10 { 10 } else { 30 },
        pct: x.total_cvd.pct,
        display: x.total_cvd.display,
        total_cvd: x.total_cvd,
        ascvd: x.ascvd,
        heart_failure: x.heart_failure,
        chd: x.chd,
        stroke: x.stroke,
        flags: x.flags,
    })
}

/// Which batch model (selects the columns read).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BatchModel {
    /// China-PAR 10-year.
    ChinaPar,
    /// Pooled Cohort Equations.
    Pce,
    /// PREVENT base model, 10-year total CVD.
    Prevent10,
    /// WHO 2019 laboratory model.
    WhoLab,
    /// WHO 2019 non-laboratory model.
    WhoNonLab,
    /// Framingham 2008 general CVD.
    Framingham,
}

impl BatchModel {
    /// Numeric columns (`Float64Array`), in the order of [`Columns::f`].
    pub fn float_columns(self) -> &'static [&'static str] {
        match self {
            BatchModel::ChinaPar => &["age", "sbp", "waist_cm"],
            BatchModel::Pce | BatchModel::WhoLab | BatchModel::Framingham => &["age", "sbp"],
            BatchModel::Prevent10 => &["age", "sbp", "egfr", "bmi"],
            BatchModel::WhoNonLab => &["age", "sbp", "bmi"],
        }
    }

    /// Code columns (`Uint8Array` or `Float64Array`), in the order of [`Columns::u`].
    pub fn code_columns(self) -> &'static [&'static str] {
        match self {
            BatchModel::ChinaPar => &[
                "sex",
                "bp_treated",
                "current_smoker",
                "diabetes",
                "north",
                "urban",
                "family_history_ascvd",
            ],
            BatchModel::Pce => &["sex", "race", "bp_treated", "current_smoker", "diabetes"],
            BatchModel::Prevent10 => &["sex", "bp_treated", "statin", "diabetes", "current_smoker"],
            BatchModel::WhoLab => &["sex", "diabetes", "current_smoker"],
            BatchModel::WhoNonLab => &["sex", "current_smoker"],
            BatchModel::Framingham => &["sex", "bp_treated", "current_smoker", "diabetes"],
        }
    }

    /// Lipid columns: `("tc", …)` and maybe `("hdl", …)`, each given as
    /// `<name>_mmol` or `<name>_mgdl`.
    pub fn lipids(self) -> &'static [&'static str] {
        match self {
            BatchModel::WhoLab => &["tc"],
            BatchModel::WhoNonLab => &[],
            _ => &["tc", "hdl"],
        }
    }
}

/// Columns copied in from JS: numeric, code and lipid columns in the order of the
/// [`BatchModel`] lists. Lengths are checked by the core.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// Numeric columns.
    pub f: Vec<Vec<f64>>,
    /// Code columns (1 = male / yes, 0 = female / no, 255 = missing).
    pub u: Vec<Vec<u8>>,
    /// Lipid columns with their unit.
    pub lipids: Vec<(Vec<f64>, ConcUnit)>,
}

/// A code from a `Float64Array` element: `0`…`253` as is, `NaN` = missing (255),
/// anything else an invalid code (254), which the core reports per row.
pub fn code_of(v: f64) -> u8 {
    if v.is_nan() {
        batch::MISSING
    } else if (0.0..=253.0).contains(&v) && v.fract() == 0.0 {
        v as u8
    } else {
        254
    }
}

/// A batch result: percentages (`NaN` for failed rows) and row statuses.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchOut {
    /// Percent per row.
    pub values: Vec<f64>,
    /// [`RowStatus`](cvdscreen::models::batch::RowStatus) per row.
    pub status: Vec<u8>,
    /// Counts.
    pub summary: BatchSummary,
}

/// A thrown error and the offending value (for the error's `value`).
pub type Failure = (InputError, Option<f64>);

/// The thrown form of a model error: the field it names and its value.
pub fn failure(e: &ModelError) -> Failure {
    let value = match *e {
        ModelError::OutOfRange { value, .. } | ModelError::NotFinite { value, .. } => Some(value),
        ModelError::LengthMismatch { len, .. } => Some(len as f64),
        ModelError::MissingInput { .. } | ModelError::DataTable { .. } => None,
    };
    (InputError::model(e), value)
}

/// A column of `n` values, or an error instead of an abort when memory is short.
pub fn alloc<T: Copy>(field: &str, n: usize, fill: T) -> Result<Vec<T>, Failure> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| (InputError::memory(field, n), Some(n as f64)))?;
    v.resize(n, fill);
    Ok(v)
}

/// Checks that `n` values of `T` fit in memory, before an infallible copy such as
/// `Float64Array::to_vec`, which would abort (a trap) on a failed allocation: the
/// block is reserved fallibly and released, and the allocator hands that free block
/// straight back to the copy that follows (WebAssembly memory never shrinks).
pub fn reserve<T>(field: &str, n: usize) -> Result<(), Failure> {
    Vec::<T>::new()
        .try_reserve_exact(n)
        .map_err(|_| (InputError::memory(field, n), Some(n as f64)))
}

/// Runs a batch model over [`Columns`] read for that model.
pub fn run_batch(m: BatchModel, c: &Columns, o: &ModelOptions) -> Result<BatchOut, Failure> {
    let (f, u, l) = (&c.f, &c.u, &c.lipids);
    let n = f.first().map_or(0, Vec::len);
    let mut values = alloc("values", n, 0.0)?;
    let mut status = alloc("status", n, 0u8)?;
    let (out, st) = (&mut values[..], &mut status[..]);
    let summary = match m {
        BatchModel::ChinaPar => batch::china_par_10y(
            &batch::ChinaParColumns {
                sex: &u[0],
                age: &f[0],
                sbp: &f[1],
                bp_treated: &u[1],
                tc: &l[0].0,
                tc_unit: l[0].1,
                hdl: &l[1].0,
                hdl_unit: l[1].1,
                waist_cm: &f[2],
                current_smoker: &u[2],
                diabetes: &u[3],
                north: &u[4],
                urban: &u[5],
                family_history_ascvd: &u[6],
            },
            o.policy,
            out,
            st,
        ),
        BatchModel::Pce => batch::pce(
            &batch::PceColumns {
                race: &u[1],
                sex: &u[0],
                age: &f[0],
                tc: &l[0].0,
                tc_unit: l[0].1,
                hdl: &l[1].0,
                hdl_unit: l[1].1,
                sbp: &f[1],
                bp_treated: &u[2],
                current_smoker: &u[3],
                diabetes: &u[4],
            },
            o.policy,
            out,
            st,
        ),
        BatchModel::Prevent10 => batch::prevent(
            &batch::PreventColumns {
                sex: &u[0],
                age: &f[0],
                sbp: &f[1],
                bp_treated: &u[1],
                tc: &l[0].0,
                tc_unit: l[0].1,
                hdl: &l[1].0,
                hdl_unit: l[1].1,
                statin: &u[2],
                diabetes: &u[3],
                current_smoker: &u[4],
                egfr: &f[2],
                bmi: &f[3],
            },
            Horizon::Years10,
            Outcome::TotalCvd,
            o.policy,
            out,
            st,
        ),
        BatchModel::WhoLab => batch::who2019_lab(
            &batch::WhoLabColumns {
                sex: &u[0],
                age: &f[0],
                sbp: &f[1],
                tc: &l[0].0,
                tc_unit: l[0].1,
                diabetes: &u[1],
                current_smoker: &u[2],
            },
            o.calibration,
            o.policy,
            out,
            st,
        ),
        BatchModel::WhoNonLab => batch::who2019_nonlab(
            &batch::WhoNonLabColumns {
                sex: &u[0],
                age: &f[0],
                sbp: &f[1],
                bmi: &f[2],
                current_smoker: &u[1],
            },
            o.calibration,
            o.policy,
            out,
            st,
        ),
        BatchModel::Framingham => batch::framingham(
            &batch::FraminghamColumns {
                sex: &u[0],
                age: &f[0],
                tc: &l[0].0,
                tc_unit: l[0].1,
                hdl: &l[1].0,
                hdl_unit: l[1].1,
                sbp: &f[1],
                bp_treated: &u[1],
                current_smoker: &u[2],
                diabetes: &u[3],
            },
            o.policy,
            out,
            st,
        ),
    }
    .map_err(|e| failure(&e))?;
    Ok(BatchOut {
        values,
        status,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(pairs: &[(&'static str, &str)]) -> ScreeningRecord {
        let p: Vec<(&'static str, String)> =
            pairs.iter().map(|(k, v)| (*k, v.to_string())).collect();
        parse_record(&p).expect("parse")
    }

    const GUIDE_A1: &[(&str, &str)] = &[
        ("sex", "male"),
        ("age", "40"),
        ("sbp", "145"),
        ("bp_treated", "0"),
        ("tc_mmol", "5.2"),
        ("hdl_mmol", "1.3"),
        ("waist_cm", "80"),
        ("current_smoker", "0"),
        ("diabetes", "0"),
        ("north", "1"),
        ("urban", "1"),
        ("family_history_ascvd", "1"),
    ];

    #[test]
    fn china_par_guideline_example() {
        let r = china_par(&rec(GUIDE_A1), &ModelOptions::default()).expect("risk");
        assert_eq!(r.display, 4.7);
        assert_eq!(r.ideal_display, 1.1);
        assert_eq!(r.model_id, "china-par-10y@tjpma2024-3dp");
    }

    #[test]
    fn missing_and_unreadable_inputs_name_the_field() {
        let mut p = GUIDE_A1.to_vec();
        p.retain(|(k, _)| *k != "urban");
        let e = china_par(&rec(&p), &ModelOptions::default()).unwrap_err();
        assert!(matches!(e, ModelError::MissingInput { field: "urban", .. }));
        let bad = vec![("age", "forty".to_string())];
        let e = parse_record(&bad).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("age"));
        // Columns that no model reads are not parsed.
        assert!(parse_record(&[("screen_date", "garbage".to_string())]).is_ok());
    }

    #[test]
    fn batch_rows_equal_the_scalar_result() {
        let o = ModelOptions::default();
        let one = china_par(&rec(GUIDE_A1), &o).expect("risk");
        let c = Columns {
            f: vec![vec![40.0, 40.0], vec![145.0, 300.0], vec![80.0, 80.0]],
            u: vec![
                vec![1, 1],
                vec![0, 0],
                vec![0, 0],
                vec![0, 0],
                vec![1, 1],
                vec![1, 1],
                vec![1, 1],
            ],
            lipids: vec![
                (vec![5.2, 5.2], ConcUnit::MmolL),
                (vec![1.3, 1.3], ConcUnit::MmolL),
            ],
        };
        let b = run_batch(BatchModel::ChinaPar, &c, &o).expect("batch");
        assert_eq!(b.values[0].to_bits(), one.pct.to_bits());
        assert!(b.values[1].is_nan());
        assert_eq!(b.status, [0, 2]);
        let mut short = c.clone();
        short.u[3].pop();
        assert!(matches!(
            run_batch(BatchModel::ChinaPar, &short, &o),
            Err((InputError { field: Some(f), .. }, Some(1.0))) if f == "diabetes"
        ));
    }

    #[test]
    fn codes_from_floats() {
        assert_eq!(code_of(0.0), 0);
        assert_eq!(code_of(1.0), 1);
        assert_eq!(code_of(2.0), 2);
        assert_eq!(code_of(f64::NAN), batch::MISSING);
        for v in [0.5, -1.0, 254.0, 1e300, f64::INFINITY] {
            assert_eq!(code_of(v), 254, "{v}");
        }
    }

    #[test]
    fn options() {
        assert_eq!(parse_policy("Flag"), Ok(RangePolicy::Flag));
        assert!(parse_policy("flag").is_err());
        assert_eq!(
            parse_region("china-country"),
            Ok(Calibration::ChinaCountry2017)
        );
        assert!(parse_region("Atlantis").is_err());
    }
}
