//! Risk models over numpy columns through the core's struct-of-slices API
//! (`cvdscreen::models::batch`): float64 columns and `uint8` codes are read in place,
//! broadcast scalars and int64 / float64 flag columns are converted chunk by chunk
//! (never into full-length arrays), rows are split across threads in contiguous
//! ranges with the GIL released, and failed rows come back as NaN plus a status code. `model_explain`
//! reruns the scalar function on chosen rows to name the field and value at fault.

use crate::par;
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

/// Rows per chunk: inputs that are not read in place (broadcast scalars, int64 or
/// float64 flag columns) are converted chunk by chunk into per-thread buffers of this
/// length, never into full-length arrays.
const CHUNK: usize = 4096;

/// Below this many rows per thread, splitting across threads costs more than it saves.
const MIN_ROWS_PER_THREAD: usize = 16_384;

/// A float input as given by Python, kept alive for the call.
enum FloatIn<'py> {
    /// A 1-D float64 array, read in place.
    F64(PyReadonlyArray1<'py, f64>),
    /// A 1-D int64 array, converted per chunk.
    I64(PyReadonlyArray1<'py, i64>),
    /// One value broadcast to every row.
    Scalar(f64),
}

/// A code input (sex, booleans, race) as given by Python, kept alive for the call.
enum CodeIn<'py> {
    /// `uint8` codes (a bool array is viewed as `uint8` by the Python side), in place.
    U8(PyReadonlyArray1<'py, u8>),
    /// int64 values: 0 and 1 are codes, anything else is invalid.
    I64(PyReadonlyArray1<'py, i64>),
    /// float64 values: 0 and 1 are codes, NaN is missing, anything else is invalid.
    F64(PyReadonlyArray1<'py, f64>),
    /// One code broadcast to every row.
    Scalar(u8),
}

/// Borrowed view of a [`FloatIn`], `Send`.
#[derive(Copy, Clone)]
enum FCol<'a> {
    F64(&'a [f64]),
    I64(&'a [i64]),
    Scalar(f64),
}

/// Borrowed view of a [`CodeIn`], `Send`.
#[derive(Copy, Clone)]
enum UCol<'a> {
    U8(&'a [u8]),
    I64(&'a [i64]),
    F64(&'a [f64]),
    Scalar(u8),
}

/// The code of a numeric flag / sex value: 0 and 1 as such, NaN missing, others
/// invalid (the same mapping as the Python side's `_codes_from_floats`).
#[inline]
fn code_of_f64(v: f64) -> u8 {
    if v == 0.0 {
        0
    } else if v == 1.0 {
        1
    } else if v.is_nan() {
        MISSING
    } else {
        INVALID
    }
}

#[inline]
fn code_of_i64(v: i64) -> u8 {
    match v {
        0 => 0,
        1 => 1,
        _ => INVALID,
    }
}

/// Code of an invalid value (Python side: `_INVALID`).
const INVALID: u8 = 254;

impl FCol<'_> {
    fn len(&self) -> Option<usize> {
        match self {
            FCol::F64(s) => Some(s.len()),
            FCol::I64(s) => Some(s.len()),
            FCol::Scalar(_) => None,
        }
    }
    #[inline]
    fn at(&self, i: usize) -> f64 {
        match self {
            FCol::F64(s) => s[i],
            // The Python side's `astype(float64)`.
            FCol::I64(s) => s[i] as f64,
            FCol::Scalar(v) => *v,
        }
    }
}

impl UCol<'_> {
    fn len(&self) -> Option<usize> {
        match self {
            UCol::U8(s) => Some(s.len()),
            UCol::I64(s) => Some(s.len()),
            UCol::F64(s) => Some(s.len()),
            UCol::Scalar(_) => None,
        }
    }
    #[inline]
    fn at(&self, i: usize) -> u8 {
        match self {
            UCol::U8(s) => s[i],
            UCol::I64(s) => code_of_i64(s[i]),
            UCol::F64(s) => code_of_f64(s[i]),
            UCol::Scalar(v) => *v,
        }
    }
}

/// The columns a model reads, kept alive for the call.
struct Inputs<'py> {
    f: Vec<(&'static str, FloatIn<'py>)>,
    u: Vec<(&'static str, CodeIn<'py>)>,
}

/// Borrowed views of [`Inputs`], `Send` so they can cross `py.detach`.
struct Slices<'a> {
    f: Vec<(&'static str, FCol<'a>)>,
    u: Vec<(&'static str, UCol<'a>)>,
}

impl<'a> Slices<'a> {
    fn f(&self, name: &str) -> FCol<'a> {
        self.f
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(FCol::F64(&[]), |(_, s)| *s)
    }
    fn u(&self, name: &str) -> UCol<'a> {
        self.u
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(UCol::U8(&[]), |(_, s)| *s)
    }

    /// The number of rows: the common length of the array inputs, `n` when given,
    /// 1 when every input is a scalar.
    fn rows(&self, n: Option<usize>) -> PyResult<usize> {
        let lens = self
            .f
            .iter()
            .map(|(name, c)| (*name, c.len()))
            .chain(self.u.iter().map(|(name, c)| (*name, c.len())));
        let mut rows = n;
        for (name, len) in lens {
            let Some(len) = len else { continue };
            match rows {
                None => rows = Some(len),
                Some(r) if r != len => {
                    return Err(PyValueError::new_err(format!(
                        "column `{name}` has {len} rows, expected {r}"
                    )))
                }
                Some(_) => {}
            }
        }
        Ok(rows.unwrap_or(1))
    }
}

fn float_in<'py>(name: &str, a: &Bound<'py, PyAny>) -> PyResult<FloatIn<'py>> {
    if let Ok(a) = a.cast::<PyArray1<f64>>() {
        return Ok(FloatIn::F64(a.try_readonly()?));
    }
    if let Ok(a) = a.cast::<PyArray1<i64>>() {
        return Ok(FloatIn::I64(a.try_readonly()?));
    }
    if let Ok(v) = a.extract::<f64>() {
        return Ok(FloatIn::Scalar(v));
    }
    Err(PyTypeError::new_err(format!(
        "`{name}` must be a 1-D float64 or int64 numpy array or a float"
    )))
}

fn code_in<'py>(name: &str, a: &Bound<'py, PyAny>) -> PyResult<CodeIn<'py>> {
    if let Ok(a) = a.cast::<PyArray1<u8>>() {
        return Ok(CodeIn::U8(a.try_readonly()?));
    }
    if let Ok(a) = a.cast::<PyArray1<i64>>() {
        return Ok(CodeIn::I64(a.try_readonly()?));
    }
    if let Ok(a) = a.cast::<PyArray1<f64>>() {
        return Ok(CodeIn::F64(a.try_readonly()?));
    }
    if let Ok(v) = a.extract::<u8>() {
        return Ok(CodeIn::Scalar(v));
    }
    Err(PyTypeError::new_err(format!(
        "`{name}` must be a 1-D uint8 (codes), int64 or float64 numpy array, or a uint8 code"
    )))
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
        f.push((n, float_in(n, &get(n)?)?));
    }
    let mut u = Vec::new();
    for &n in code_fields(model) {
        u.push((n, code_in(n, &get(n)?)?));
    }
    Ok(Inputs { f, u })
}

fn not_contiguous(n: &str) -> PyErr {
    PyTypeError::new_err(format!("`{n}` is not contiguous"))
}

impl<'py> Inputs<'py> {
    fn slices(&self) -> PyResult<Slices<'_>> {
        let f = self
            .f
            .iter()
            .map(|(n, a)| {
                let c = match a {
                    FloatIn::F64(a) => FCol::F64(a.as_slice().map_err(|_| not_contiguous(n))?),
                    FloatIn::I64(a) => FCol::I64(a.as_slice().map_err(|_| not_contiguous(n))?),
                    FloatIn::Scalar(v) => FCol::Scalar(*v),
                };
                Ok((*n, c))
            })
            .collect::<PyResult<_>>()?;
        let u = self
            .u
            .iter()
            .map(|(n, a)| {
                let c = match a {
                    CodeIn::U8(a) => UCol::U8(a.as_slice().map_err(|_| not_contiguous(n))?),
                    CodeIn::I64(a) => UCol::I64(a.as_slice().map_err(|_| not_contiguous(n))?),
                    CodeIn::F64(a) => UCol::F64(a.as_slice().map_err(|_| not_contiguous(n))?),
                    CodeIn::Scalar(v) => UCol::Scalar(*v),
                };
                Ok((*n, c))
            })
            .collect::<PyResult<_>>()?;
        Ok(Slices { f, u })
    }
}

/// Plain slices of rows `lo..hi` of every column, for the core's batch functions.
struct Chunk<'a> {
    f: Vec<(&'static str, &'a [f64])>,
    u: Vec<(&'static str, &'a [u8])>,
}

impl<'a> Chunk<'a> {
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

/// Per-thread conversion buffers, one per column that is not read in place; a
/// broadcast scalar is written once.
struct Buffers {
    f: Vec<Vec<f64>>,
    u: Vec<Vec<u8>>,
}

impl Buffers {
    fn new(s: &Slices<'_>, rows: usize) -> Self {
        let len = rows.min(CHUNK);
        let f =
            s.f.iter()
                .map(|(_, c)| match c {
                    FCol::F64(_) => Vec::new(),
                    FCol::Scalar(v) => vec![*v; len],
                    FCol::I64(_) => vec![0.0; len],
                })
                .collect();
        let u =
            s.u.iter()
                .map(|(_, c)| match c {
                    UCol::U8(_) => Vec::new(),
                    UCol::Scalar(v) => vec![*v; len],
                    UCol::I64(_) | UCol::F64(_) => vec![0; len],
                })
                .collect();
        Buffers { f, u }
    }

    /// Rows `lo..hi` (at most [`CHUNK`]) of every column as plain slices.
    fn chunk<'a>(&'a mut self, s: &Slices<'a>, lo: usize, hi: usize) -> Chunk<'a> {
        let len = hi - lo;
        let f =
            s.f.iter()
                .zip(self.f.iter_mut())
                .map(|((name, c), buf)| {
                    let sl: &'a [f64] = match *c {
                        FCol::F64(a) => &a[lo..hi],
                        FCol::Scalar(_) => &buf[..len],
                        FCol::I64(a) => {
                            for (d, v) in buf.iter_mut().zip(&a[lo..hi]) {
                                *d = *v as f64;
                            }
                            &buf[..len]
                        }
                    };
                    (*name, sl)
                })
                .collect();
        let u =
            s.u.iter()
                .zip(self.u.iter_mut())
                .map(|((name, c), buf)| {
                    let sl: &'a [u8] = match *c {
                        UCol::U8(a) => &a[lo..hi],
                        UCol::Scalar(_) => &buf[..len],
                        UCol::I64(a) => {
                            for (d, v) in buf.iter_mut().zip(&a[lo..hi]) {
                                *d = code_of_i64(*v);
                            }
                            &buf[..len]
                        }
                        UCol::F64(a) => {
                            for (d, v) in buf.iter_mut().zip(&a[lo..hi]) {
                                *d = code_of_f64(*v);
                            }
                            &buf[..len]
                        }
                    };
                    (*name, sl)
                })
                .collect();
        Chunk { f, u }
    }
}

/// Runs the model over rows `lo..lo + out.len()` in chunks of [`CHUNK`] rows, with the
/// calling thread's conversion buffers.
fn run_range(
    s: &Slices<'_>,
    o: &Opts,
    bufs: &mut Buffers,
    lo: usize,
    out: &mut [f64],
    st: &mut [u8],
) -> Result<(), ModelError> {
    for (k, (oc, sc)) in out.chunks_mut(CHUNK).zip(st.chunks_mut(CHUNK)).enumerate() {
        let a = lo + k * CHUNK;
        let chunk = bufs.chunk(s, a, a + oc.len());
        run(&chunk, o, oc, sc)?;
    }
    Ok(())
}

/// The number of worker threads for `rows` rows: `requested` or every core, at
/// most one per [`MIN_ROWS_PER_THREAD`] rows.
fn workers(requested: Option<usize>, rows: usize) -> usize {
    let k = requested
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    k.min(rows.div_ceil(MIN_ROWS_PER_THREAD)).max(1)
}

/// Runs the model over every row on `k` threads ([`par::each`]). The rows are cut into
/// contiguous blocks (about 8 per thread, at least [`MIN_ROWS_PER_THREAD`] / 4 rows)
/// that the threads take one after the other; every row is computed exactly once and
/// the result does not depend on `k`.
fn run_parallel(
    s: &Slices<'_>,
    o: &Opts,
    k: usize,
    out: &mut [f64],
    st: &mut [u8],
) -> Result<(), ModelError> {
    let n = out.len();
    let block = par::block_len(n, k, (MIN_ROWS_PER_THREAD / 4, usize::MAX));
    let blocks = out.chunks_mut(block).zip(st.chunks_mut(block)).enumerate();
    par::each(
        blocks,
        k,
        || Buffers::new(s, block),
        |bufs, (b, (oc, sc))| run_range(s, o, bufs, b * block, oc, sc),
    )
    .into_iter()
    .collect()
}

fn run(s: &Chunk<'_>, o: &Opts, out: &mut [f64], st: &mut [u8]) -> Result<(), ModelError> {
    let (tu, hu) = (o.tc_unit, o.hdl_unit);
    match o.model {
        "china_par" => cvdscreen_simd::china_par_10y(
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
        "pce" => cvdscreen_simd::pce(
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
        "who2019_lab" => cvdscreen_simd::who2019_lab(
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
        "who2019_nonlab" => cvdscreen_simd::who2019_nonlab(
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
        _ => cvdscreen_simd::framingham(
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

/// Runs one model over columns: returns `(percent, status)` arrays. A column is a
/// 1-D array (float64 or int64 for values; uint8 codes, int64 or float64 for
/// flags and sex) or a scalar broadcast to every row; `n` is the number of rows
/// (default: the length of the array columns). Rows are split across `threads`
/// threads (default: every core) with the GIL released.
/// The instruction set the China-PAR, PCE, Framingham and WHO 2019 batch functions run with on
/// this CPU (`cvdscreen-simd`: baseline, AVX2 or AVX-512; the same values at every level).
#[pyfunction]
pub fn simd_level() -> String {
    cvdscreen_simd::Level::detect().to_string()
}

#[pyfunction]
#[pyo3(signature = (model, cols, tc_unit="mmol", hdl_unit="mmol", range_policy="strict", region=None, horizon=10, outcome="cvd", n=None, threads=None))]
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
    n: Option<usize>,
    threads: Option<usize>,
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
    let n = s.rows(n)?;
    let k = workers(threads, n);
    let (out, st) = outputs(py, n)?;
    {
        let mut ow = out.readwrite();
        let mut sw = st.readwrite();
        let (os, ss) = (ow.as_slice_mut()?, sw.as_slice_mut()?);
        py.detach(|| run_parallel(&s, &o, k, os, ss))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
    }
    Ok((out, st))
}

/// The `(percent, status)` arrays of `n` rows, from `numpy.empty`: the batch functions
/// write every row of both (its value or NaN, and its status), so zero-filling them first
/// (`numpy.zeros` clears memory it reuses, about 9 MB per million rows) is wasted work.
fn outputs(py: Python<'_>, n: usize) -> PyResult<Outputs<'_>> {
    let empty = py.import("numpy")?.getattr("empty")?;
    let out = empty.call1((n, "float64"))?.cast_into::<PyArray1<f64>>()?;
    let st = empty.call1((n, "uint8"))?.cast_into::<PyArray1<u8>>()?;
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

fn code_error(model: &str, field: &'static str, code: u8) -> Why {
    let msg = if code == MISSING {
        // The core's message for a missing input, with the core's name of the model.
        let model = match model {
            "china_par" => cp::MODEL_NAME,
            "pce" => pce::MODEL_NAME,
            "prevent" => prv::MODEL_NAME,
            "who2019_lab" | "who2019_nonlab" => who::MODEL_NAME,
            _ => frs::MODEL_NAME,
        };
        ModelError::MissingInput { model, field }.to_string()
    } else if field == "sex" {
        format!("`sex` code {code} is invalid: expected male (1) or female (0)")
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
        self.s.f(n).at(self.i)
    }
    fn code(&self, n: &str) -> u8 {
        self.s.u(n).at(self.i)
    }
    fn sex(&self) -> Result<Sex, Why> {
        match self.code("sex") {
            1 => Ok(Sex::Male),
            0 => Ok(Sex::Female),
            c => Err(code_error(self.model, "sex", c)),
        }
    }
    fn flag(&self, n: &'static str) -> Result<bool, Why> {
        match self.code(n) {
            0 => Ok(false),
            1 => Ok(true),
            c => Err(code_error(self.model, n, c)),
        }
    }
    fn opt_flag(&self, n: &'static str) -> Result<Option<bool>, Why> {
        match self.code(n) {
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
                race: match r.code("race") {
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
#[pyo3(signature = (model, cols, rows, tc_unit="mmol", hdl_unit="mmol", range_policy="strict", region=None, horizon=10, outcome="cvd", n=None))]
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
    n: Option<usize>,
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
    let n = s.rows(n)?;
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
