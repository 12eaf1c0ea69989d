//! Risk models over numpy columns through the core's struct-of-slices API
//! (`cvdscreen::models::batch`): float64 columns are read in place, booleans and sex
//! are `uint8` codes (see the core's module docs), the GIL is released while
//! computing, and failed rows come back as NaN plus a status code. `model_explain`
//! reruns the scalar function on chosen rows to name the field and value at fault.

use cvdscreen::models::batch::{self, RowStatus, MISSING};
use cvdscreen::models::prevent2023::{Horizon, Outcome};
use cvdscreen::models::who2019::Calibration;
use cvdscreen::models::{
    china_par as cp, framingham2008 as frs, pce2013 as pce, prevent2023 as prv, who2019 as who,
    ModelError,
};
use cvdscreen::profile::RangePolicy;
use cvdscreen::record::{Race, Sex};
use cvdscreen::units::{Cholesterol, Conc, ConcUnit};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The model names accepted by [`model_batch`].
const MODELS: &[&str] = &[
    "china_par",
    "pce",
    "prevent",
    "who2019_lab",
    "who2019_nonlab",
    "framingham",
];

/// Options shared by every model call.
struct Opts {
    model: &'static str,
    tc_unit: ConcUnit,
    hdl_unit: ConcUnit,
    policy: RangePolicy,
    cal: Calibration,
    horizon: Horizon,
    outcome: Outcome,
}

fn unit(s: &str, field: &str) -> PyResult<ConcUnit> {
    match s {
        "mmol" | "mmol/L" => Ok(ConcUnit::MmolL),
        "mgdl" | "mg/dL" => Ok(ConcUnit::MgDl),
        _ => Err(PyValueError::new_err(format!(
            "`{field}` unit `{s}`: expected `mmol` or `mgdl`"
        ))),
    }
}

#[allow(clippy::too_many_arguments)]
fn opts(
    model: &str,
    tc_unit: &str,
    hdl_unit: &str,
    range_policy: &str,
    region: Option<&str>,
    horizon: u32,
    outcome: &str,
) -> PyResult<Opts> {
    let model = MODELS
        .iter()
        .copied()
        .find(|m| *m == model)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown model `{model}`, expected one of {MODELS:?}"
            ))
        })?;
    let policy = match range_policy {
        "strict" => RangePolicy::Strict,
        "flag" => RangePolicy::Flag,
        _ => {
            return Err(PyValueError::new_err(format!(
                "range_policy `{range_policy}`: expected `strict` or `flag`"
            )))
        }
    };
    let cal = match region {
        None => Calibration::default(),
        Some(r) => Calibration::parse(r).ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown region `{r}`: expected a GBD region code (`A05GBDR_012_EAS`), a region name (`east-asia`) or `china-country`"
            ))
        })?,
    };
    let horizon = match horizon {
        10 => Horizon::Years10,
        30 => Horizon::Years30,
        _ => return Err(PyValueError::new_err("horizon: expected 10 or 30 (years)")),
    };
    let outcome = match outcome {
        "cvd" | "total_cvd" => Outcome::TotalCvd,
        "ascvd" => Outcome::Ascvd,
        "hf" | "heart_failure" => Outcome::HeartFailure,
        "chd" => Outcome::Chd,
        "stroke" => Outcome::Stroke,
        _ => {
            return Err(PyValueError::new_err(format!(
                "outcome `{outcome}`: expected `cvd`, `ascvd`, `hf`, `chd` or `stroke`"
            )))
        }
    };
    Ok(Opts {
        model,
        tc_unit: unit(tc_unit, "tc")?,
        hdl_unit: unit(hdl_unit, "hdl")?,
        policy,
        cal,
        horizon,
        outcome,
    })
}

/// The columns a model reads, as read-only numpy arrays kept alive for the call.
struct Inputs<'py> {
    f: Vec<(&'static str, PyReadonlyArray1<'py, f64>)>,
    u: Vec<(&'static str, PyReadonlyArray1<'py, u8>)>,
}

/// Borrowed slices of [`Inputs`], `Send` so they can cross `py.detach`.
struct Slices<'a> {
    f: Vec<(&'static str, &'a [f64])>,
    u: Vec<(&'static str, &'a [u8])>,
}

impl<'a> Slices<'a> {
    fn f(&self, name: &str) -> &'a [f64] {
        self.f
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, s)| s)
    }
    fn u(&self, name: &str) -> &'a [u8] {
        self.u
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, s)| s)
    }
}

fn float_fields(model: &str) -> &'static [&'static str] {
    match model {
        "china_par" => &["age", "sbp", "tc", "hdl", "waist_cm"],
        "pce" => &["age", "tc", "hdl", "sbp"],
        "prevent" => &["age", "sbp", "tc", "hdl", "egfr", "bmi"],
        "who2019_lab" => &["age", "sbp", "tc"],
        "who2019_nonlab" => &["age", "sbp", "bmi"],
        _ => &["age", "tc", "hdl", "sbp"],
    }
}

fn code_fields(model: &str) -> &'static [&'static str] {
    match model {
        "china_par" => &[
            "sex",
            "bp_treated",
            "current_smoker",
            "diabetes",
            "north",
            "urban",
            "family_history_ascvd",
        ],
        "pce" => &["race", "sex", "bp_treated", "current_smoker", "diabetes"],
        "prevent" => &["sex", "bp_treated", "statin", "diabetes", "current_smoker"],
        "who2019_lab" => &["sex", "diabetes", "current_smoker"],
        "who2019_nonlab" => &["sex", "current_smoker"],
        _ => &["sex", "bp_treated", "current_smoker", "diabetes"],
    }
}

fn inputs<'py>(model: &str, cols: &Bound<'py, PyDict>) -> PyResult<Inputs<'py>> {
    let get = |name: &str| -> PyResult<Bound<'py, PyAny>> {
        cols.get_item(name)?
            .ok_or_else(|| PyValueError::new_err(format!("missing input column `{name}`")))
    };
    let mut f = Vec::new();
    for &n in float_fields(model) {
        let a = get(n)?;
        let a = a.cast::<PyArray1<f64>>().map_err(|_| {
            PyTypeError::new_err(format!("`{n}` must be a 1-D float64 numpy array"))
        })?;
        f.push((n, a.try_readonly()?));
    }
    let mut u = Vec::new();
    for &n in code_fields(model) {
        let a = get(n)?;
        let a = a.cast::<PyArray1<u8>>().map_err(|_| {
            PyTypeError::new_err(format!("`{n}` must be a 1-D uint8 numpy array of codes"))
        })?;
        u.push((n, a.try_readonly()?));
    }
    Ok(Inputs { f, u })
}

impl<'py> Inputs<'py> {
    fn slices(&self) -> PyResult<Slices<'_>> {
        let f = self
            .f
            .iter()
            .map(|(n, a)| {
                a.as_slice()
                    .map(|s| (*n, s))
                    .map_err(|_| PyTypeError::new_err(format!("`{n}` is not contiguous")))
            })
            .collect::<PyResult<_>>()?;
        let u = self
            .u
            .iter()
            .map(|(n, a)| {
                a.as_slice()
                    .map(|s| (*n, s))
                    .map_err(|_| PyTypeError::new_err(format!("`{n}` is not contiguous")))
            })
            .collect::<PyResult<_>>()?;
        Ok(Slices { f, u })
    }
}

fn run(s: &Slices<'_>, o: &Opts, out: &mut [f64], st: &mut [u8]) -> Result<(), ModelError> {
    let (tu, hu) = (o.tc_unit, o.hdl_unit);
    match o.model {
        "china_par" => batch::china_par_10y(
            &batch::ChinaParColumns {
                sex: s.u("sex"),
                age: s.f("age"),
                sbp: s.f("sbp"),
                bp_treated: s.u("bp_treated"),
                tc: s.f("tc"),
                tc_unit: tu,
                hdl: s.f("hdl"),
                hdl_unit: hu,
                waist_cm: s.f("waist_cm"),
                current_smoker: s.u("current_smoker"),
                diabetes: s.u("diabetes"),
                north: s.u("north"),
                urban: s.u("urban"),
                family_history_ascvd: s.u("family_history_ascvd"),
            },
            o.policy,
            out,
            st,
        ),
        "pce" => batch::pce(
            &batch::PceColumns {
                race: s.u("race"),
                sex: s.u("sex"),
                age: s.f("age"),
                tc: s.f("tc"),
                tc_unit: tu,
                hdl: s.f("hdl"),
                hdl_unit: hu,
                sbp: s.f("sbp"),
                bp_treated: s.u("bp_treated"),
                current_smoker: s.u("current_smoker"),
                diabetes: s.u("diabetes"),
            },
            o.policy,
            out,
            st,
        ),
        "prevent" => batch::prevent(
            &batch::PreventColumns {
                sex: s.u("sex"),
                age: s.f("age"),
                sbp: s.f("sbp"),
                bp_treated: s.u("bp_treated"),
                tc: s.f("tc"),
                tc_unit: tu,
                hdl: s.f("hdl"),
                hdl_unit: hu,
                statin: s.u("statin"),
                diabetes: s.u("diabetes"),
                current_smoker: s.u("current_smoker"),
                egfr: s.f("egfr"),
                bmi: s.f("bmi"),
            },
            o.horizon,
            o.outcome,
            o.policy,
            out,
            st,
        ),
        "who2019_lab" => batch::who2019_lab(
            &batch::WhoLabColumns {
                sex: s.u("sex"),
                age: s.f("age"),
                sbp: s.f("sbp"),
                tc: s.f("tc"),
                tc_unit: tu,
                diabetes: s.u("diabetes"),
                current_smoker: s.u("current_smoker"),
            },
            o.cal,
            o.policy,
            out,
            st,
        ),
        "who2019_nonlab" => batch::who2019_nonlab(
            &batch::WhoNonLabColumns {
                sex: s.u("sex"),
                age: s.f("age"),
                sbp: s.f("sbp"),
                bmi: s.f("bmi"),
                current_smoker: s.u("current_smoker"),
            },
            o.cal,
            o.policy,
            out,
            st,
        ),
        _ => batch::framingham(
            &batch::FraminghamColumns {
                sex: s.u("sex"),
                age: s.f("age"),
                tc: s.f("tc"),
                tc_unit: tu,
                hdl: s.f("hdl"),
                hdl_unit: hu,
                sbp: s.f("sbp"),
                bp_treated: s.u("bp_treated"),
                current_smoker: s.u("current_smoker"),
                diabetes: s.u("diabetes"),
            },
            o.policy,
            out,
            st,
        ),
    }
    .map(|_| ())
}

/// `(percent, status)` arrays.
type Outputs<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<u8>>);

/// Runs one model over columns: returns `(percent, status)` arrays.
#[pyfunction]
#[pyo3(signature = (model, cols, tc_unit="mmol", hdl_unit="mmol", range_policy="strict", region=None, horizon=10, outcome="cvd"))]
#[allow(clippy::too_many_arguments)]
pub fn model_batch<'py>(
    py: Python<'py>,
    model: &str,
    cols: &Bound<'py, PyDict>,
    tc_unit: &str,
    hdl_unit: &str,
    range_policy: &str,
    region: Option<&str>,
    horizon: u32,
    outcome: &str,
) -> PyResult<Outputs<'py>> {
    let o = opts(
        model,
        tc_unit,
        hdl_unit,
        range_policy,
        region,
        horizon,
        outcome,
    )?;
    let inputs = inputs(o.model, cols)?;
    let s = inputs.slices()?;
    let n = s.f("age").len();
    let out = PyArray1::<f64>::zeros(py, n, false);
    let st = PyArray1::<u8>::zeros(py, n, false);
    {
        let mut ow = out.readwrite();
        let mut sw = st.readwrite();
        let (os, ss) = (ow.as_slice_mut()?, sw.as_slice_mut()?);
        py.detach(|| run(&s, &o, os, ss))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
    }
    Ok((out, st))
}

/// Why a row failed: `(field, value, message)`.
type Why = (String, Option<f64>, String);

fn why_error(e: &ModelError) -> Why {
    let (field, value) = match e {
        ModelError::OutOfRange { field, value, .. }
        | ModelError::NotFinite { field, value, .. } => (*field, Some(*value)),
        ModelError::MissingInput { field, .. } => (*field, None),
        ModelError::LengthMismatch { field, .. } => (*field, None),
        ModelError::DataTable { table, .. } => (*table, None),
    };
    (field.to_string(), value, e.to_string())
}

fn code_error(model: &str, field: &str, code: u8) -> Why {
    let msg = if code == MISSING {
        format!("`{field}` is missing; it is required by the {model}")
    } else if field == "sex" {
        format!("`sex` code {code} is invalid: expected 1 (male) or 0 (female)")
    } else if field == "race" {
        format!(
            "`race` code {code} is invalid: expected 0 (other), 1 (white) or 2 (african_american)"
        )
    } else {
        format!("`{field}` code {code} is invalid: expected 0 or 1")
    };
    (field.to_string(), Some(f64::from(code)), msg)
}

/// Decoders of row `i` that name the field at fault.
struct Row<'a, 'b> {
    s: &'b Slices<'a>,
    i: usize,
    model: &'static str,
}

impl Row<'_, '_> {
    fn f(&self, n: &str) -> f64 {
        self.s.f(n)[self.i]
    }
    fn sex(&self) -> Result<Sex, Why> {
        match self.s.u("sex")[self.i] {
            1 => Ok(Sex::Male),
            0 => Ok(Sex::Female),
            c => Err(code_error(self.model, "sex", c)),
        }
    }
    fn flag(&self, n: &str) -> Result<bool, Why> {
        match self.s.u(n)[self.i] {
            0 => Ok(false),
            1 => Ok(true),
            c => Err(code_error(self.model, n, c)),
        }
    }
    fn opt_flag(&self, n: &str) -> Result<Option<bool>, Why> {
        match self.s.u(n)[self.i] {
            MISSING => Ok(None),
            _ => self.flag(n).map(Some),
        }
    }
    fn conc(&self, n: &str, u: ConcUnit) -> Conc<Cholesterol> {
        Conc::from_unit(self.f(n), u)
    }
}

fn explain_row(s: &Slices<'_>, o: &Opts, i: usize) -> Result<Option<Why>, Why> {
    let r = Row {
        s,
        i,
        model: o.model,
    };
    let (tu, hu, pol) = (o.tc_unit, o.hdl_unit, o.policy);
    let res: Result<(), ModelError> = match o.model {
        "china_par" => cp::china_par_10y(
            &cp::ChinaParInput {
                sex: r.sex()?,
                age: r.f("age"),
                sbp: r.f("sbp"),
                bp_treated: r.flag("bp_treated")?,
                tc: r.conc("tc", tu),
                hdl: r.conc("hdl", hu),
                waist_cm: r.f("waist_cm"),
                current_smoker: r.flag("current_smoker")?,
                diabetes: r.flag("diabetes")?,
                north: r.flag("north")?,
                urban: r.opt_flag("urban")?,
                family_history_ascvd: r.opt_flag("family_history_ascvd")?,
            },
            pol,
        )
        .map(|_| ()),
        "pce" => pce::pce(
            &pce::PceInput {
                race: match s.u("race")[i] {
                    0 => Race::Other,
                    1 => Race::White,
                    2 => Race::AfricanAmerican,
                    c => return Err(code_error(o.model, "race", c)),
                },
                sex: r.sex()?,
                age: r.f("age"),
                tc: r.conc("tc", tu),
                hdl: r.conc("hdl", hu),
                sbp: r.f("sbp"),
                bp_treated: r.flag("bp_treated")?,
                current_smoker: r.flag("current_smoker")?,
                diabetes: r.flag("diabetes")?,
            },
            pol,
        )
        .map(|_| ()),
        "prevent" => prv::prevent(
            &prv::PreventInput {
                sex: r.sex()?,
                age: r.f("age"),
                sbp: r.f("sbp"),
                bp_treated: r.flag("bp_treated")?,
                tc: r.conc("tc", tu),
                hdl: r.conc("hdl", hu),
                statin: r.flag("statin")?,
                diabetes: r.flag("diabetes")?,
                current_smoker: r.flag("current_smoker")?,
                egfr: r.f("egfr"),
                bmi: r.f("bmi"),
            },
            o.horizon,
            pol,
        )
        .map(|_| ()),
        "who2019_lab" => who::who2019_lab(
            &who::WhoLabInput {
                sex: r.sex()?,
                age: r.f("age"),
                sbp: r.f("sbp"),
                tc: r.conc("tc", tu),
                diabetes: r.flag("diabetes")?,
                current_smoker: r.flag("current_smoker")?,
            },
            o.cal,
            pol,
        )
        .map(|_| ()),
        "who2019_nonlab" => who::who2019_nonlab(
            &who::WhoNonLabInput {
                sex: r.sex()?,
                age: r.f("age"),
                sbp: r.f("sbp"),
                bmi: r.f("bmi"),
                current_smoker: r.flag("current_smoker")?,
            },
            o.cal,
            pol,
        )
        .map(|_| ()),
        _ => frs::framingham(
            &frs::FraminghamInput {
                sex: r.sex()?,
                age: r.f("age"),
                tc: r.conc("tc", tu),
                hdl: r.conc("hdl", hu),
                sbp: r.f("sbp"),
                bp_treated: r.flag("bp_treated")?,
                current_smoker: r.flag("current_smoker")?,
                diabetes: r.flag("diabetes")?,
            },
            pol,
        )
        .map(|_| ()),
    };
    Ok(res.err().map(|e| why_error(&e)))
}

/// For each row in `rows`, why the model could not compute it: `(field, value,
/// message)`, or `None` when the row computes. Field names are the batch column
/// names (`tc`, `hdl` without a unit suffix).
#[pyfunction]
#[pyo3(signature = (model, cols, rows, tc_unit="mmol", hdl_unit="mmol", range_policy="strict", region=None, horizon=10, outcome="cvd"))]
#[allow(clippy::too_many_arguments)]
pub fn model_explain<'py>(
    model: &str,
    cols: &Bound<'py, PyDict>,
    rows: Vec<usize>,
    tc_unit: &str,
    hdl_unit: &str,
    range_policy: &str,
    region: Option<&str>,
    horizon: u32,
    outcome: &str,
) -> PyResult<Vec<Option<Why>>> {
    let o = opts(
        model,
        tc_unit,
        hdl_unit,
        range_policy,
        region,
        horizon,
        outcome,
    )?;
    let inputs = inputs(o.model, cols)?;
    let s = inputs.slices()?;
    let n = s.f("age").len();
    for (name, col) in
        s.f.iter()
            .map(|(n, c)| (n, c.len()))
            .chain(s.u.iter().map(|(n, c)| (n, c.len())))
    {
        if col != n {
            return Err(PyValueError::new_err(format!(
                "column `{name}` has {col} rows, expected {n}"
            )));
        }
    }
    rows.into_iter()
        .map(|i| {
            if i >= n {
                return Err(PyValueError::new_err(format!("row {i} out of range")));
            }
            Ok(explain_row(&s, &o, i).unwrap_or_else(Some))
        })
        .collect()
}

/// The row status codes `(name, code)` of the core's `RowStatus`.
#[pyfunction]
pub fn row_status_codes() -> Vec<(String, u8)> {
    (0..=u8::MAX)
        .filter_map(RowStatus::from_u8)
        .map(|s| (format!("{s:?}"), s as u8))
        .collect()
}
