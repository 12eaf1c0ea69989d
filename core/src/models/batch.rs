//! Columnar (struct-of-slices) evaluation of the risk equations.
//!
//! Every input variable is a slice; booleans and sex are `u8` codes; the caller
//! provides the output slice (percent) and a status slice. Nothing is allocated per
//! row, and each row goes through the same validation and kernel as the scalar
//! function, so a computed value is bit-for-bit the scalar result.
//!
//! China-PAR, PCE, Framingham and WHO 2019 (laboratory and non-laboratory) run in chunks
//! of 128 rows: a branch-free check of the
//! common row (valid codes, every value inside its ranges) runs over the chunk in one
//! vectorised loop and lays out the kernel inputs in struct-of-arrays columns; a chunk
//! with other rows gets every row's exact status from a second branch-free loop, which
//! folds the scalar API's checks in the scalar order (the first failing check gives the
//! status, as the scalar error would; after a chunk with many failed rows the two loops
//! run as one); then the kernel computes the chunk in short straight-line loops (each
//! logarithm, the linear predictor, the survival step's `exp` and `expm1`), each lane
//! picking its coefficient set by a blend, which LLVM vectorises because the kernels
//! use the branch-free [`super::math`] functions.
//! No row goes through the scalar API, so a row that fails costs about what a valid row
//! costs. The kernel is the function the scalar API calls and the status checks mirror
//! the scalar ones, so equality holds by construction (and is tested against the scalar
//! API, row by row). These functions are `#[inline(always)]` down to the last helper,
//! so that a crate doing runtime CPU dispatch (`cvdscreen-simd`) can compile them for
//! AVX2 or AVX-512 without `unsafe` here. WHO 2019's calibration rows are chosen once
//! per call (region or country) and per row by sex like the coefficient sets. PREVENT
//! still runs row by row through libm.
//!
//! Codes: sex `1` = male, `0` = female; booleans `0`/`1`; [`MISSING`] (255) marks a
//! missing sex or boolean (a [`RowStatus::MissingInput`] where the input is required;
//! a missing boolean is only meaningful where the scalar input is optional — China-PAR
//! `urban` / `family_history_ascvd` for men; women's values are ignored). PCE race:
//! `0` = other (white equations, flagged), `1` = white, `2` = African American.
//!
//! Rows that fail get `f64::NAN` in the output and a non-zero [`RowStatus`]; the
//! NaN is a placeholder tied to that status, never a computed risk.
//!
//! ```
//! use cvdscreen::models::batch::{framingham, FraminghamColumns, RowStatus};
//! use cvdscreen::profile::RangePolicy;
//! use cvdscreen::units::ConcUnit;
//! let cols = FraminghamColumns {
//!     sex: &[0, 1], age: &[61.0, 80.0], tc: &[180.0, 200.0], tc_unit: ConcUnit::MgDl,
//!     hdl: &[47.0, 50.0], hdl_unit: ConcUnit::MgDl, sbp: &[124.0, 130.0],
//!     bp_treated: &[0, 0], current_smoker: &[1, 0], diabetes: &[0, 0],
//! };
//! let (mut out, mut st) = ([0.0; 2], [0u8; 2]);
//! let s = framingham(&cols, RangePolicy::Strict, &mut out, &mut st).unwrap();
//! assert!((out[0] - 10.4842).abs() < 5e-5);
//! assert_eq!(st, [RowStatus::Ok as u8, RowStatus::OutOfRange as u8]);
//! assert_eq!((s.ok, s.failed), (1, 1));
//! ```

use super::error::{plausible, InputRange, ModelError, RangeKind};
use super::{
    china_par as cp, cox_ln_survival, framingham2008 as frs, math, pce2013 as pce_m,
    pct_of_ln_survival, prevent2023 as prv, who2019 as who, Logs,
};
use crate::profile::RangePolicy;
#[cfg(test)]
use crate::record::Race;
use crate::record::Sex;
use crate::units::{Cholesterol, Conc, ConcUnit};
use serde::Serialize;
use std::ops::Range;

/// Code of a missing boolean.
pub const MISSING: u8 = 255;

/// Per-row status written to the status slice.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[repr(u8)]
pub enum RowStatus {
    /// Computed, no flag.
    Ok = 0,
    /// Computed with at least one flag (the scalar result's `flags.any()`).
    Flagged = 1,
    /// A value outside an enforced range ([`ModelError::OutOfRange`]).
    OutOfRange = 2,
    /// NaN or an infinity ([`ModelError::NotFinite`]).
    NotFinite = 3,
    /// A required input coded [`MISSING`] ([`ModelError::MissingInput`]).
    MissingInput = 4,
    /// A sex, boolean or race code that is not one of the documented codes.
    InvalidCode = 5,
    /// A compiled-in table is malformed ([`ModelError::DataTable`]).
    DataTable = 6,
}

impl RowStatus {
    /// The status of a scalar error. A [`ModelError::LengthMismatch`] is never a row's
    /// error (the batch functions return it for the whole call, before any row), so no
    /// row gets a status for it; it maps to `InvalidCode` only to keep this total.
    pub fn from_error(e: &ModelError) -> Self {
        match e {
            ModelError::OutOfRange { .. } => RowStatus::OutOfRange,
            ModelError::NotFinite { .. } => RowStatus::NotFinite,
            ModelError::MissingInput { .. } => RowStatus::MissingInput,
            ModelError::LengthMismatch { .. } => RowStatus::InvalidCode,
            ModelError::DataTable { .. } => RowStatus::DataTable,
        }
    }
    /// Decodes a status byte.
    pub fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            0 => RowStatus::Ok,
            1 => RowStatus::Flagged,
            2 => RowStatus::OutOfRange,
            3 => RowStatus::NotFinite,
            4 => RowStatus::MissingInput,
            5 => RowStatus::InvalidCode,
            6 => RowStatus::DataTable,
            _ => return None,
        })
    }
    /// True for `Ok` and `Flagged` (a value was computed).
    pub fn computed(self) -> bool {
        matches!(self, RowStatus::Ok | RowStatus::Flagged)
    }
}

/// Counts of a batch run.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    /// Rows computed without flags.
    pub ok: usize,
    /// Rows computed with flags.
    pub flagged: usize,
    /// Rows not computed.
    pub failed: usize,
}

impl From<ModelError> for RowStatus {
    fn from(e: ModelError) -> Self {
        RowStatus::from_error(&e)
    }
}

#[inline]
fn sex(b: u8) -> Result<Sex, RowStatus> {
    match b {
        1 => Ok(Sex::Male),
        0 => Ok(Sex::Female),
        MISSING => Err(RowStatus::MissingInput),
        _ => Err(RowStatus::InvalidCode),
    }
}

#[inline]
fn flag(b: u8) -> Result<bool, RowStatus> {
    match b {
        0 => Ok(false),
        1 => Ok(true),
        MISSING => Err(RowStatus::MissingInput),
        _ => Err(RowStatus::InvalidCode),
    }
}

#[cfg(test)]
fn opt_flag(b: u8) -> Result<Option<bool>, RowStatus> {
    match b {
        MISSING => Ok(None),
        _ => flag(b).map(Some),
    }
}

#[inline]
fn conc(v: f64, unit: ConcUnit) -> Conc<Cholesterol> {
    Conc::from_unit(v, unit)
}

struct Lens {
    n: usize,
}

impl Lens {
    fn check(&self, field: &'static str, len: usize) -> Result<(), ModelError> {
        if len == self.n {
            Ok(())
        } else {
            Err(ModelError::LengthMismatch {
                field,
                len,
                expected: self.n,
            })
        }
    }
}

/// Runs `row` over `n` rows, writing outputs and statuses.
#[inline]
fn run(
    n: usize,
    out: &mut [f64],
    status: &mut [u8],
    mut row: impl FnMut(usize) -> Result<(f64, bool), RowStatus>,
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n };
    l.check("out", out.len())?;
    l.check("status", status.len())?;
    let mut s = BatchSummary::default();
    for (i, (o, st)) in out.iter_mut().zip(status.iter_mut()).enumerate() {
        match row(i) {
            Ok((v, flagged)) => {
                *o = v;
                *st = if flagged {
                    s.flagged += 1;
                    RowStatus::Flagged as u8
                } else {
                    s.ok += 1;
                    RowStatus::Ok as u8
                };
            }
            Err(e) => {
                *o = f64::NAN;
                *st = e as u8;
                s.failed += 1;
            }
        }
    }
    Ok(s)
}

/// Rows per chunk of the chunked models: the kernel inputs of a chunk, their logarithms
/// and the head's two values (at most 12 + 5 + 2 `f64` columns × 128 rows = 19 KiB) stay
/// in the L1 cache beside the input columns streaming through it. 256 rows (38 KiB, most
/// of a 48 KiB L1) ran China-PAR on real columns about 5 % slower, 64 rows no faster
/// (benches/README.md, 2026-12-01).
#[cfg(not(target_arch = "wasm32"))]
const CHUNK: usize = 128;

/// The most logarithms a chunked kernel takes per row (China-PAR: age, SBP, TC, HDL-C
/// and waist).
const MAX_LOGS: usize = 5;

/// The logarithms of `x[f]` for `f` in `cols`, the rest 0 (NaN for an index outside
/// `x`, which no model's [`Chunked::LOGS`] has): [`Chunked::kernel`]'s, one function for
/// every model on wasm32 (where it saves 300 bytes of the module).
#[cfg_attr(target_arch = "wasm32", inline(never))]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn logs_of(x: &[f64], cols: &[usize]) -> [f64; MAX_LOGS] {
    let mut ln = [0.0; MAX_LOGS];
    for (l, &f) in ln.iter_mut().zip(cols) {
        *l = x.get(f).map_or(f64::NAN, |&v| math::ln_normal(v));
    }
    ln
}

/// The logarithms of age, SBP, TC and HDL-C among a row's logarithms, for the models
/// whose [`Chunked::LOGS`] start with those four inputs in that order.
#[inline(always)]
fn logs4(ln: &[f64; MAX_LOGS]) -> Logs {
    Logs {
        age: ln[0],
        sbp: ln[1],
        tc_mgdl: ln[2],
        hdl_mgdl: ln[3],
    }
}

/// A model evaluated through [`run_chunked`] (China-PAR, PCE, Framingham, WHO 2019), with `F`
/// numeric kernel inputs per row: the model's `Lane` fields, then the selectors of its
/// coefficient set.
trait Chunked<const F: usize>: Sized {
    /// Kernel inputs of a row that failed (harmless values; its result is dropped).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    const DUMMY: [f64; F];
    /// The same columns restricted to the rows `r` (for the chunked loop: slices whose
    /// length the compiler knows, so the loop has no bounds checks and vectorises).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    fn rows(&self, r: Range<usize>) -> Self;
    /// The common row, without branches: `ok` exactly when row `i` has valid codes and
    /// every value inside both its plausibility range and the model's range — the rows
    /// whose [`status`](Self::status) is `Ok` or `Flagged` whatever the policy —, and
    /// then `flagged` is the row's flag (the flags that do not come from a range). The
    /// inputs are the scalar path's whenever the row is computed (status `Ok` or
    /// `Flagged`, `ok` or not) and meaningless otherwise.
    fn fast(&self, i: usize) -> (bool, [f64; F], bool);
    /// Row `i`'s exact [`RowStatus`] byte, without branches: the one the scalar API
    /// gives — the first failing check in the scalar order (the codes in the order the
    /// scalar input is built, then the checks of the model's `prepare`), else `Flagged`
    /// or `Ok` — folded by [`Checks`].
    fn status(&self, i: usize) -> u8;
    /// Row `i` through the scalar API's own checks, error for error: the kernel inputs
    /// and whether the scalar result is flagged: the reference [`fast`](Self::fast) and
    /// [`status`](Self::status) are tested against, row by row.
    #[cfg(test)]
    fn slow(&self, i: usize) -> Result<([f64; F], bool), RowStatus>;
    /// The kernel inputs (indices into a row's `[f64; F]`) whose natural logarithms
    /// ([`math::ln_normal`]) the kernel takes, at most [`MAX_LOGS`]: for the Cox-form
    /// models age, SBP, TC and HDL-C in that order ([`logs4`]), then China-PAR's waist.
    const LOGS: &'static [usize];
    /// The scalar API's kernel from its logarithms on: on one row's inputs `x` and the
    /// logarithms `ln` of its [`LOGS`](Self::LOGS) inputs (`ln[k]` of `x[LOGS[k]]`, the
    /// rest unused), the values the tail takes (for the Cox-form models the linear
    /// predictor, `[X − X̄, ln S]`); `self` gives per-call data (WHO 2019's calibration
    /// rows); the others use none.
    fn head(&self, x: [f64; F], ln: [f64; MAX_LOGS]) -> [f64; 2];
    /// The tail's first step, from [`head`](Self::head)'s values; for the Cox-form models
    /// (China-PAR, PCE, Framingham) the logarithm of the survival probability
    /// ([`cox_ln_survival`]).
    #[inline(always)]
    fn tail1(h: [f64; 2]) -> f64 {
        cox_ln_survival(h)
    }
    /// The tail's second step: the risk in percent; for the Cox-form models
    /// [`pct_of_ln_survival`] (the two steps together are [`cox_pct`](super::cox_pct)).
    #[inline(always)]
    fn tail2(v: f64) -> f64 {
        pct_of_ln_survival(v)
    }
    /// The scalar API's kernel on one row's inputs: the risk in percent (the wasm32
    /// path; the chunked path runs the steps as separate loops).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    #[inline(always)]
    fn kernel(&self, x: [f64; F]) -> f64 {
        Self::tail2(Self::tail1(self.head(x, logs_of(&x, Self::LOGS))))
    }
}

/// Evaluates a [`Chunked`] model over `n` rows.
///
/// Per chunk of [`CHUNK`] rows (all targets but wasm32):
/// 1. [`Chunked::fast`] runs over the chunk in one loop that LLVM vectorises, checking
///    the common rows and laying out every row's kernel inputs in struct-of-arrays
///    columns, in row order;
/// 2. if every row of the chunk passed, its status is its flag; otherwise
///    [`Chunked::status`] runs over the whole chunk, again one loop that LLVM vectorises
///    (the scalar checks folded without branches, first error wins), giving every row
///    its exact status, and the inputs of the rows that failed are replaced by
///    [`Chunked::DUMMY`] so that the kernel never sees their NaN or implausible values.
///    After a chunk where more than one row in 8 failed (real screening data: about
///    one in three, mostly a missing age), steps 1 and 2 run as one loop — `fast` for
///    the inputs, `status` for the status, sharing their loads and comparisons — since
///    the next chunk is then likely to need step 2 too;
/// 3. the kernel runs over the chunk as straight-line loops that LLVM vectorises too:
///    one per logarithm ([`Chunked::LOGS`], one input column each), then
///    [`Chunked::head`] for every row — rows of every coefficient set together, each
///    lane picking its own coefficients —, then the tail's two steps
///    ([`Chunked::tail1`], [`Chunked::tail2`]: `exp`, then `expm1`); a failed row's value
///    is replaced by NaN. Several loops, not one: the kernel of a row is one long
///    dependency chain (a division in each `ln`, `exp` and `expm1`), and loop bodies that
///    short let the processor run many rows' chains at once (one loop → head and tail:
///    twice the rows per second on AVX-512; head and tail → these three to eight loops:
///    about 15 % more, `benches/README.md`);
/// 4. the statuses are counted into the summary, without branches.
///
/// No row takes the scalar checks: a chunk of valid rows costs step 1 only, and rows that
/// fail (a NaN age, an invalid code, …) cost a vectorised status pass over their chunk
/// (or the one merged pass) instead of a scalar call each.
///
/// Nothing is allocated: the scratch lives on the stack. Every function on this path is
/// `#[inline(always)]`, so a caller that compiles it for a wider instruction set (runtime
/// CPU dispatch in a crate outside the core) gets the whole loop in that instruction set.
///
/// wasm32 is built without SIMD and for size: the chunk layout would buy no lanes, only
/// code, so each row goes through `fast`, then `status` where `fast` did not pass it, and
/// the same kernel where the row is computed (the values are the same bits either way).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn run_chunked<M: Chunked<F>, const F: usize>(
    m: &M,
    n: usize,
    out: &mut [f64],
    status: &mut [u8],
) -> Result<BatchSummary, ModelError> {
    #[cfg(target_arch = "wasm32")]
    {
        run(n, out, status, |i| {
            let (ok, x, flagged) = m.fast(i);
            let st = if ok { u8::from(flagged) } else { m.status(i) };
            match st {
                0 | 1 => Ok((m.kernel(x), st == 1)),
                _ => Err(RowStatus::from_u8(st).unwrap_or(RowStatus::InvalidCode)),
            }
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        chunked(m, n, out, status)
    }
}

/// The chunked layout of [`run_chunked`].
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn chunked<M: Chunked<F>, const F: usize>(
    m: &M,
    n: usize,
    out: &mut [f64],
    status: &mut [u8],
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n };
    l.check("out", out.len())?;
    l.check("status", status.len())?;
    let mut scratch = Scratch {
        x: [[0.0f64; CHUNK]; F],
        ln: [[0.0f64; CHUNK]; MAX_LOGS],
        h: [[0.0f64; CHUNK]; 2],
    };
    let mut s = BatchSummary::default();
    // Many failed rows in the previous chunk: expect them in this one too.
    let mut dense = false;
    for (base, (out, status)) in (0..n)
        .step_by(CHUNK)
        .zip(out.chunks_mut(CHUNK).zip(status.chunks_mut(CHUNK)))
    {
        // A full chunk runs with the constant length: every loop then has a trip count
        // the compiler knows and indices it can prove in bounds, so it vectorises
        // without a scalar remainder (with a length known only at run time, LLVM keeps
        // the bounds checks as extra loop exits and runs the last vector's worth of
        // rows of every chunk through a scalar copy of the loop).
        if out.len() == CHUNK {
            chunk(m, base, CHUNK, dense, &mut scratch, out, status);
        } else {
            chunk(m, base, out.len(), dense, &mut scratch, out, status);
        }
        let (ok, fl) = count(status);
        let failed = out.len() - ok - fl;
        s.ok += ok;
        s.flagged += fl;
        s.failed += failed;
        dense = failed * 8 > out.len();
    }
    Ok(s)
}

/// The per-chunk scratch of [`chunked`], on the stack: the kernel inputs of every row
/// (struct of arrays), their logarithms, and the two values [`Chunked::head`] hands to
/// the tail ([`Chunked::tail1`]).
#[cfg(not(target_arch = "wasm32"))]
struct Scratch<const F: usize> {
    x: [[f64; CHUNK]; F],
    ln: [[f64; CHUNK]; MAX_LOGS],
    h: [[f64; CHUNK]; 2],
}

/// The statuses `Ok` and `Flagged` among `status` (counted without branches: failed
/// rows come at random).
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn count(status: &[u8]) -> (usize, usize) {
    let (mut ok, mut fl) = (0u32, 0u32);
    for st in status {
        ok += u32::from(*st == RowStatus::Ok as u8);
        fl += u32::from(*st == RowStatus::Flagged as u8);
    }
    (ok as usize, fl as usize)
}

/// Steps 1–3 of [`run_chunked`] on the `len` rows from `base` (`len ≤ CHUNK`, the
/// lengths of `out` and `status`).
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn chunk<M: Chunked<F>, const F: usize>(
    m: &M,
    base: usize,
    len: usize,
    dense: bool,
    scratch: &mut Scratch<F>,
    out: &mut [f64],
    status: &mut [u8],
) {
    let Scratch { x, ln, h } = scratch;
    let len = len.min(CHUNK);
    let (out, status) = (&mut out[..len], &mut status[..len]);
    let rows = m.rows(base..base + len);
    if dense {
        // 1–2 in one pass: every row's exact status and kernel inputs.
        for j in 0..len {
            let (_, v, _) = rows.fast(j);
            let st = rows.status(j);
            status[j] = st;
            let failed = st > RowStatus::Flagged as u8;
            for (col, (v, d)) in x.iter_mut().zip(v.into_iter().zip(M::DUMMY)) {
                col[j] = if failed { d } else { v };
            }
        }
    } else {
        // 1. The common rows; every row's kernel inputs.
        let mut passed = 0u32;
        for j in 0..len {
            let (ok, v, flagged) = rows.fast(j);
            passed += u32::from(ok);
            status[j] = u8::from(flagged);
            for (col, v) in x.iter_mut().zip(v) {
                col[j] = v;
            }
        }
        // 2. A chunk with other rows: every row's exact status.
        if passed as usize != len {
            for j in 0..len {
                let st = rows.status(j);
                status[j] = st;
                let failed = st > RowStatus::Flagged as u8;
                for (col, d) in x.iter_mut().zip(M::DUMMY) {
                    col[j] = if failed { d } else { col[j] };
                }
            }
        }
    }
    // 3. The kernel in row order, as short loops: each logarithm, the head of every
    // row, the tail's two steps (NaN for the rows not computed). Each loop body is a
    // short chain (one division at most), so the processor overlaps many rows' chains;
    // the whole kernel in one body is a chain of a few hundred cycles per vector of
    // rows with little room to overlap the next.
    for (l, &f) in ln.iter_mut().zip(M::LOGS) {
        for j in 0..len {
            l[j] = math::ln_normal(x[f][j]);
        }
    }
    for j in 0..len {
        let [a, b] = m.head(
            std::array::from_fn(|f| x[f][j]),
            std::array::from_fn(|k| ln[k][j]),
        );
        (h[0][j], h[1][j]) = (a, b);
    }
    let [h0, h1] = &mut *h;
    for (a, b) in h0[..len].iter_mut().zip(&h1[..len]) {
        *a = M::tail1([*a, *b]);
    }
    for j in 0..len {
        let r = M::tail2(h[0][j]);
        out[j] = if status[j] <= RowStatus::Flagged as u8 {
            r
        } else {
            f64::NAN
        };
    }
}

/// The scalar checks of one row folded without branches, in the scalar order: the first
/// failing check sets the status and later ones cannot change it ("first error wins");
/// flags accumulate and count only when no check failed. Each method mirrors one scalar
/// check: [`sex`] and [`flag`] / `opt_flag` for the codes, [`InputRange::check`] for a
/// value, so a model's `fast` lists its checks in the order of its scalar input
/// conversion and `prepare`.
#[derive(Copy, Clone)]
struct Checks {
    /// Whether each check so far failed, in the scalar order.
    fails: [bool; MAX_CHECKS],
    /// The status each check gives when it fails.
    codes: [u8; MAX_CHECKS],
    /// The number of checks so far.
    n: usize,
    /// Any flag so far.
    flagged: bool,
    /// [`RangePolicy::Strict`]: a [`RangeKind::Policy`] bound is an error, not a flag.
    strict: bool,
}

/// More checks than any model's row records (China-PAR, the most, records 22). One more
/// in a model's `status` panics at the first row in every test of that model, never
/// silently.
const MAX_CHECKS: usize = 40;

impl Checks {
    #[inline(always)]
    fn new(policy: RangePolicy) -> Self {
        Checks {
            fails: [false; MAX_CHECKS],
            codes: [0; MAX_CHECKS],
            n: 0,
            flagged: false,
            strict: policy == RangePolicy::Strict,
        }
    }

    /// A check that gives `code` when `fail` (unless an earlier check failed). Only
    /// recorded here: [`status`](Self::status) folds the checks, once per row.
    #[inline(always)]
    fn fail(&mut self, fail: bool, code: RowStatus) {
        // `n` is a constant at each call once inlined: no bounds check remains.
        self.fails[self.n] = fail;
        self.codes[self.n] = code as u8;
        self.n += 1;
    }

    /// A flag (counts only when the row is computed).
    #[inline(always)]
    fn flag(&mut self, f: bool) {
        self.flagged |= f;
    }

    /// A sex code ([`sex`]): [`MISSING`] is a missing input, any other code above 1 an
    /// invalid one.
    #[inline(always)]
    fn sex(&mut self, b: u8) {
        self.fail(b == MISSING, RowStatus::MissingInput);
        self.fail(b > 1, RowStatus::InvalidCode);
    }

    /// A required boolean code ([`flag`]): [`MISSING`] is a missing input, any other
    /// code above 1 an invalid one (two checks, the first wins).
    #[inline(always)]
    fn code(&mut self, b: u8) {
        self.fail(b == MISSING, RowStatus::MissingInput);
        self.fail(b > 1, RowStatus::InvalidCode);
    }

    /// An optional boolean code (`opt_flag`: [`MISSING`] passes here).
    #[inline(always)]
    fn opt_code(&mut self, b: u8) {
        self.fail((b > 1) & (b != MISSING), RowStatus::InvalidCode);
    }

    /// [`InputRange::check`] under the call's policy: not finite → `NotFinite`; outside an
    /// enforced bound (plausibility always, a model range under `Strict`) → `OutOfRange`;
    /// outside otherwise → a flag.
    #[inline(always)]
    fn range(&mut self, v: f64, r: &InputRange) {
        let enforced = self.enforced(r);
        let outside = !r.contains(v);
        // Not finite, then outside an enforced bound (a value that is not finite is
        // outside every range, so the first of the two wins).
        self.fail(!v.is_finite(), RowStatus::NotFinite);
        self.fail(outside & enforced, RowStatus::OutOfRange);
        self.flag(outside & !enforced);
    }

    /// Whether a value outside `r` is an error (else a flag) under the call's policy.
    #[inline(always)]
    fn enforced(&self, r: &InputRange) -> bool {
        match r.kind {
            RangeKind::Plausibility => true,
            RangeKind::Policy => self.strict,
            RangeKind::FlagOnly => false,
        }
    }

    /// [`check2`](super::error::check2): the plausibility range, then the model's range.
    /// The same as [`range`](Self::range) twice, as two checks instead of four: the
    /// second "not finite" can never be the first failure (the first one is), and the
    /// two "outside" checks are adjacent with the same status.
    #[inline(always)]
    fn range2(&mut self, v: f64, plaus: &InputRange, range: &InputRange) {
        let (ep, er) = (self.enforced(plaus), self.enforced(range));
        let (op, or) = (!plaus.contains(v), !range.contains(v));
        self.fail(!v.is_finite(), RowStatus::NotFinite);
        self.fail((op & ep) | (or & er), RowStatus::OutOfRange);
        self.flag((op & !ep) | (or & !er));
    }

    /// A cholesterol against the ranges of its unit, `[plausibility, model]` for each
    /// (China-PAR's `check_conc`).
    #[inline(always)]
    fn conc2(&mut self, c: Conc<Cholesterol>, mg: [&InputRange; 2], mmol: [&InputRange; 2]) {
        match c {
            Conc::MgDl(v) => self.range2(v.value(), mg[0], mg[1]),
            Conc::MmolL(v) => self.range2(v.value(), mmol[0], mmol[1]),
        }
    }

    /// A cholesterol against the plausibility range of its unit.
    #[inline(always)]
    fn conc_plausible(&mut self, c: Conc<Cholesterol>, mg: &InputRange, mmol: &InputRange) {
        match c {
            Conc::MgDl(v) => self.range(v.value(), mg),
            Conc::MmolL(v) => self.range(v.value(), mmol),
        }
    }

    /// The status byte: the first failure, else `Flagged` or `Ok`. Folded from the last
    /// check to the first, each failing check overriding what follows it: one select per
    /// check (with the number of checks a constant once inlined, the loop unrolls and
    /// the arrays stay in registers).
    #[inline(always)]
    fn status(self) -> u8 {
        // As wide as an `f64` lane, so that the selects stay in the width of the
        // comparisons.
        let mut st = u64::from(self.flagged);
        for k in (0..self.n).rev() {
            st = if self.fails[k] {
                u64::from(self.codes[k])
            } else {
                st
            };
        }
        st as u8
    }
}

/// `1.0` for true, `0.0` for false (the kernels' boolean inputs).
#[inline(always)]
fn one(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// `v` inside both closed ranges (false for NaN).
#[inline(always)]
fn in2(v: f64, a: &InputRange, b: &InputRange) -> bool {
    a.contains(v) & b.contains(v)
}

/// A cholesterol inside the ranges of its unit (both closed; false for NaN).
#[inline(always)]
fn conc_in2(c: Conc<Cholesterol>, mg: [&InputRange; 2], mmol: [&InputRange; 2]) -> bool {
    match c {
        Conc::MgDl(v) => in2(v.value(), mg[0], mg[1]),
        Conc::MmolL(v) => in2(v.value(), mmol[0], mmol[1]),
    }
}

/// A cholesterol inside the plausibility range of its unit.
#[inline(always)]
fn conc_plausible(c: Conc<Cholesterol>, mg: &InputRange, mmol: &InputRange) -> bool {
    match c {
        Conc::MgDl(v) => mg.contains(v.value()),
        Conc::MmolL(v) => mmol.contains(v.value()),
    }
}

/// China-PAR columns (see the module docs for codes).
#[derive(Copy, Clone, Debug)]
pub struct ChinaParColumns<'a> {
    /// Sex codes.
    pub sex: &'a [u8],
    /// Age, years.
    pub age: &'a [f64],
    /// SBP, mmHg.
    pub sbp: &'a [f64],
    /// BP treated.
    pub bp_treated: &'a [u8],
    /// TC in `tc_unit`.
    pub tc: &'a [f64],
    /// Unit of `tc`.
    pub tc_unit: ConcUnit,
    /// HDL-C in `hdl_unit`.
    pub hdl: &'a [f64],
    /// Unit of `hdl`.
    pub hdl_unit: ConcUnit,
    /// Waist, cm.
    pub waist_cm: &'a [f64],
    /// Current smoker.
    pub current_smoker: &'a [u8],
    /// Diabetes.
    pub diabetes: &'a [u8],
    /// North.
    pub north: &'a [u8],
    /// Urban ([`MISSING`] allowed for women).
    pub urban: &'a [u8],
    /// Family history of ASCVD ([`MISSING`] allowed for women).
    pub family_history_ascvd: &'a [u8],
}

/// China-PAR 10-year risk (percent) per row; equals
/// [`china_par_10y`](super::china_par::china_par_10y)`.risk10_pct`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn china_par_10y(
    c: &ChinaParColumns<'_>,
    policy: RangePolicy,
    out: &mut [f64],
    status: &mut [u8],
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n: c.age.len() };
    l.check("sex", c.sex.len())?;
    l.check("sbp", c.sbp.len())?;
    l.check("bp_treated", c.bp_treated.len())?;
    l.check("tc", c.tc.len())?;
    l.check("hdl", c.hdl.len())?;
    l.check("waist_cm", c.waist_cm.len())?;
    l.check("current_smoker", c.current_smoker.len())?;
    l.check("diabetes", c.diabetes.len())?;
    l.check("north", c.north.len())?;
    l.check("urban", c.urban.len())?;
    l.check("family_history_ascvd", c.family_history_ascvd.len())?;
    run_chunked(&ChinaParRows { c: *c, policy }, l.n, out, status)
}

/// Kernel inputs of a China-PAR row: the lane, then `male` (1.0 / 0.0).
const CP_F: usize = cp::Lane::N + 1;

/// China-PAR over [`ChinaParColumns`].
struct ChinaParRows<'a> {
    c: ChinaParColumns<'a>,
    policy: RangePolicy,
}

impl Chunked<CP_F> for ChinaParRows<'_> {
    /// Age, SBP, TC, HDL-C, waist.
    const LOGS: &'static [usize] = &[0, 1, 3, 4, 5];
    const DUMMY: [f64; CP_F] = [
        50.0, 120.0, 0.0, 200.0, 50.0, 80.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ];

    #[inline(always)]
    fn rows(&self, r: Range<usize>) -> Self {
        let c = &self.c;
        ChinaParRows {
            c: ChinaParColumns {
                sex: &c.sex[r.clone()],
                age: &c.age[r.clone()],
                sbp: &c.sbp[r.clone()],
                bp_treated: &c.bp_treated[r.clone()],
                tc: &c.tc[r.clone()],
                tc_unit: c.tc_unit,
                hdl: &c.hdl[r.clone()],
                hdl_unit: c.hdl_unit,
                waist_cm: &c.waist_cm[r.clone()],
                current_smoker: &c.current_smoker[r.clone()],
                diabetes: &c.diabetes[r.clone()],
                north: &c.north[r.clone()],
                urban: &c.urban[r.clone()],
                family_history_ascvd: &c.family_history_ascvd[r],
            },
            policy: self.policy,
        }
    }

    #[inline(always)]
    fn fast(&self, i: usize) -> (bool, [f64; CP_F], bool) {
        let c = &self.c;
        let (s, bt, sm, dm, no) = (
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
            c.north[i],
        );
        let (ur, fh) = (c.urban[i], c.family_history_ascvd[i]);
        let male = s == 1;
        // Urban and family history may be MISSING for a woman (zero coefficients; the
        // scalar path sets them to false).
        let opt_ok = |b: u8| (b <= 1) | ((s == 0) & (b == MISSING));
        let (age, sbp, waist) = (c.age[i], c.sbp[i], c.waist_cm[i]);
        let (tc, hdl) = (conc(c.tc[i], c.tc_unit), conc(c.hdl[i], c.hdl_unit));
        // Every value inside its plausibility range and the model's range (RM-CPAR-9).
        let ok = ((s | bt | sm | dm | no) <= 1)
            & opt_ok(ur)
            & opt_ok(fh)
            & in2(age, &plausible::AGE, &cp::AGE)
            & in2(sbp, &plausible::SBP, &cp::SBP)
            & in2(waist, &plausible::WAIST, &cp::WAIST)
            & conc_in2(
                tc,
                [&plausible::TC_MGDL, &cp::TC_MGDL],
                [&plausible::TC_MMOL, &cp::TC_MMOL],
            )
            & conc_in2(
                hdl,
                [&plausible::HDL_MGDL, &cp::HDL_MGDL],
                [&plausible::HDL_MMOL, &cp::HDL_MMOL],
            );
        let lane = cp::Lane {
            age,
            sbp,
            treated: one(bt == 1),
            tc_mgdl: cp::to_mgdl(tc),
            hdl_mgdl: cp::to_mgdl(hdl),
            waist,
            smoker: one(sm == 1),
            diabetes: one(dm == 1),
            north: one(no == 1),
            urban: one(male & (ur == 1)),
            fh: one(male & (fh == 1)),
        };
        let (lo, hi) = cp::DERIVATION_AGE;
        (ok, cp_row(lane, male), (age < lo) | (age > hi))
    }

    #[inline(always)]
    fn status(&self, i: usize) -> u8 {
        let c = &self.c;
        let (s, bt, sm, dm, no) = (
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
            c.north[i],
        );
        let (ur, fh) = (c.urban[i], c.family_history_ascvd[i]);
        let male = s == 1;
        let (age, sbp, waist) = (c.age[i], c.sbp[i], c.waist_cm[i]);
        let (tc, hdl) = (conc(c.tc[i], c.tc_unit), conc(c.hdl[i], c.hdl_unit));
        let mut k = Checks::new(self.policy);
        // The codes in the order of `slow`; urban and family history may be MISSING here.
        k.sex(s);
        k.code(bt);
        k.code(sm);
        k.code(dm);
        k.code(no);
        k.opt_code(ur);
        k.opt_code(fh);
        // `cp::prepare` (RM-CPAR-9): each value against its plausibility range, then the
        // model's; then urban and family history, required for men (RM-CPAR-2).
        k.range2(age, &plausible::AGE, &cp::AGE);
        k.range2(sbp, &plausible::SBP, &cp::SBP);
        k.conc2(
            tc,
            [&plausible::TC_MGDL, &cp::TC_MGDL],
            [&plausible::TC_MMOL, &cp::TC_MMOL],
        );
        k.conc2(
            hdl,
            [&plausible::HDL_MGDL, &cp::HDL_MGDL],
            [&plausible::HDL_MMOL, &cp::HDL_MMOL],
        );
        k.range2(waist, &plausible::WAIST, &cp::WAIST);
        k.fail(
            male & ((ur == MISSING) | (fh == MISSING)),
            RowStatus::MissingInput,
        );
        let (lo, hi) = cp::DERIVATION_AGE;
        k.flag((age < lo) | (age > hi));
        k.status()
    }

    #[cfg(test)]
    #[inline(always)]
    fn slow(&self, i: usize) -> Result<([f64; CP_F], bool), RowStatus> {
        let c = &self.c;
        let input = cp::ChinaParInput {
            sex: sex(c.sex[i])?,
            age: c.age[i],
            sbp: c.sbp[i],
            bp_treated: flag(c.bp_treated[i])?,
            tc: conc(c.tc[i], c.tc_unit),
            hdl: conc(c.hdl[i], c.hdl_unit),
            waist_cm: c.waist_cm[i],
            current_smoker: flag(c.current_smoker[i])?,
            diabetes: flag(c.diabetes[i])?,
            north: flag(c.north[i])?,
            urban: opt_flag(c.urban[i])?,
            family_history_ascvd: opt_flag(c.family_history_ascvd[i])?,
        };
        let (p, f) = cp::prepare(&input, self.policy)?;
        Ok((cp_row(p.lane(), p.male), f.any()))
    }

    #[inline(always)]
    fn head(&self, x: [f64; CP_F], ln: [f64; MAX_LOGS]) -> [f64; 2] {
        let [age, sbp, treated, tc_mgdl, hdl_mgdl, waist, smoker, diabetes, north, urban, fh, male] =
            x;
        let lane = cp::Lane::from_array([
            age, sbp, treated, tc_mgdl, hdl_mgdl, waist, smoker, diabetes, north, urban, fh,
        ]);
        let male = male != 0.0;
        // The coefficient set of the row: on SIMD targets a field-by-field blend (one
        // vector blend per field and lane, where choosing a reference would need a
        // gather per field); on wasm32, built without SIMD, the set itself. The same
        // values either way.
        let (g, ln_waist) = (logs4(&ln), ln[4]);
        if cfg!(target_arch = "wasm32") {
            let c = if male { &cp::MEN } else { &cp::WOMEN };
            cp::kernel_head_logs(c, &g, ln_waist, &lane)
        } else {
            let c = cp::Coefficients::select(male, &cp::MEN, &cp::WOMEN);
            cp::kernel_head_logs(&c, &g, ln_waist, &lane)
        }
    }
}

/// A China-PAR row's kernel inputs: the lane, then `male`.
#[inline(always)]
fn cp_row(lane: cp::Lane, male: bool) -> [f64; CP_F] {
    let [age, sbp, treated, tc_mgdl, hdl_mgdl, waist, smoker, diabetes, north, urban, fh] =
        lane.to_array();
    [
        age,
        sbp,
        treated,
        tc_mgdl,
        hdl_mgdl,
        waist,
        smoker,
        diabetes,
        north,
        urban,
        fh,
        one(male),
    ]
}

/// Pooled Cohort Equations columns.
#[derive(Copy, Clone, Debug)]
pub struct PceColumns<'a> {
    /// Race codes: 0 other, 1 white, 2 African American.
    pub race: &'a [u8],
    /// Sex codes.
    pub sex: &'a [u8],
    /// Age, years.
    pub age: &'a [f64],
    /// TC in `tc_unit`.
    pub tc: &'a [f64],
    /// Unit of `tc`.
    pub tc_unit: ConcUnit,
    /// HDL-C in `hdl_unit`.
    pub hdl: &'a [f64],
    /// Unit of `hdl`.
    pub hdl_unit: ConcUnit,
    /// SBP, mmHg.
    pub sbp: &'a [f64],
    /// BP treated.
    pub bp_treated: &'a [u8],
    /// Current smoker.
    pub current_smoker: &'a [u8],
    /// Diabetes.
    pub diabetes: &'a [u8],
}

/// PCE 10-year risk (percent) per row; equals [`pce`](super::pce2013::pce)`.risk10_pct`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn pce(
    c: &PceColumns<'_>,
    policy: RangePolicy,
    out: &mut [f64],
    status: &mut [u8],
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n: c.age.len() };
    l.check("race", c.race.len())?;
    l.check("sex", c.sex.len())?;
    l.check("tc", c.tc.len())?;
    l.check("hdl", c.hdl.len())?;
    l.check("sbp", c.sbp.len())?;
    l.check("bp_treated", c.bp_treated.len())?;
    l.check("current_smoker", c.current_smoker.len())?;
    l.check("diabetes", c.diabetes.len())?;
    run_chunked(&PceRows { c: *c, policy }, l.n, out, status)
}

/// Kernel inputs of a PCE row: the lane, then `male` and `african_american` (1.0 / 0.0).
const PCE_F: usize = pce_m::Lane::N + 2;

/// Pooled Cohort Equations over [`PceColumns`].
struct PceRows<'a> {
    c: PceColumns<'a>,
    policy: RangePolicy,
}

impl Chunked<PCE_F> for PceRows<'_> {
    /// Age, SBP, TC, HDL-C.
    const LOGS: &'static [usize] = &[0, 3, 1, 2];
    const DUMMY: [f64; PCE_F] = [50.0, 200.0, 50.0, 120.0, 0.0, 0.0, 0.0, 0.0, 0.0];

    #[inline(always)]
    fn rows(&self, r: Range<usize>) -> Self {
        let c = &self.c;
        PceRows {
            c: PceColumns {
                race: &c.race[r.clone()],
                sex: &c.sex[r.clone()],
                age: &c.age[r.clone()],
                tc: &c.tc[r.clone()],
                tc_unit: c.tc_unit,
                hdl: &c.hdl[r.clone()],
                hdl_unit: c.hdl_unit,
                sbp: &c.sbp[r.clone()],
                bp_treated: &c.bp_treated[r.clone()],
                current_smoker: &c.current_smoker[r.clone()],
                diabetes: &c.diabetes[r],
            },
            policy: self.policy,
        }
    }

    #[inline(always)]
    fn fast(&self, i: usize) -> (bool, [f64; PCE_F], bool) {
        let c = &self.c;
        let (race, s, bt, sm, dm) = (
            c.race[i],
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
        );
        let (age, sbp) = (c.age[i], c.sbp[i]);
        let (tc, hdl) = (conc(c.tc[i], c.tc_unit), conc(c.hdl[i], c.hdl_unit));
        let (tc_mgdl, hdl_mgdl) = (pce_m::mg(tc), pce_m::mg(hdl));
        // Plausibility in the unit supplied, the model's ranges in mg/dL (RM-PCE-5).
        let ok = (race <= 2)
            & ((s | bt | sm | dm) <= 1)
            & in2(age, &plausible::AGE, &pce_m::AGE)
            & in2(sbp, &plausible::SBP, &pce_m::SBP)
            & conc_plausible(tc, &plausible::TC_MGDL, &plausible::TC_MMOL)
            & pce_m::TC_MGDL.contains(tc_mgdl)
            & conc_plausible(hdl, &plausible::HDL_MGDL, &plausible::HDL_MMOL)
            & pce_m::HDL_MGDL.contains(hdl_mgdl);
        let lane = pce_m::Lane {
            age,
            tc_mgdl,
            hdl_mgdl,
            sbp,
            treated: one(bt == 1),
            smoker: one(sm == 1),
            diabetes: one(dm == 1),
        };
        // RM-PCE-5: race "other" takes the white equations, flagged.
        (ok, pce_row(lane, s == 1, race == 2), race == 0)
    }

    #[inline(always)]
    fn status(&self, i: usize) -> u8 {
        let c = &self.c;
        let (race, s, bt, sm, dm) = (
            c.race[i],
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
        );
        let (age, sbp) = (c.age[i], c.sbp[i]);
        let (tc, hdl) = (conc(c.tc[i], c.tc_unit), conc(c.hdl[i], c.hdl_unit));
        let mut k = Checks::new(self.policy);
        // The codes in the order of `slow`: race, then sex and the booleans.
        k.fail(race > 2, RowStatus::InvalidCode);
        k.sex(s);
        k.code(bt);
        k.code(sm);
        k.code(dm);
        // `pce_m::prepare` (RM-PCE-5): age; TC and HDL-C, plausibility in the unit
        // supplied, then the validated (flag-only) range in mg/dL; SBP.
        k.range2(age, &plausible::AGE, &pce_m::AGE);
        k.conc_plausible(tc, &plausible::TC_MGDL, &plausible::TC_MMOL);
        k.range(pce_m::mg(tc), &pce_m::TC_MGDL);
        k.conc_plausible(hdl, &plausible::HDL_MGDL, &plausible::HDL_MMOL);
        k.range(pce_m::mg(hdl), &pce_m::HDL_MGDL);
        k.range2(sbp, &plausible::SBP, &pce_m::SBP);
        // Race "other" takes the white equations, flagged.
        k.flag(race == 0);
        k.status()
    }

    #[cfg(test)]
    #[inline(always)]
    fn slow(&self, i: usize) -> Result<([f64; PCE_F], bool), RowStatus> {
        let c = &self.c;
        let race = match c.race[i] {
            0 => Race::Other,
            1 => Race::White,
            2 => Race::AfricanAmerican,
            _ => return Err(RowStatus::InvalidCode),
        };
        let input = pce_m::PceInput {
            race,
            sex: sex(c.sex[i])?,
            age: c.age[i],
            tc: conc(c.tc[i], c.tc_unit),
            hdl: conc(c.hdl[i], c.hdl_unit),
            sbp: c.sbp[i],
            bp_treated: flag(c.bp_treated[i])?,
            current_smoker: flag(c.current_smoker[i])?,
            diabetes: flag(c.diabetes[i])?,
        };
        let (p, f) = pce_m::prepare(&input, self.policy)?;
        debug_assert_eq!(p.c, pce_m::coefficients(input.sex, race));
        let (male, aa) = (input.sex == Sex::Male, race == Race::AfricanAmerican);
        Ok((pce_row(p.lane(), male, aa), f.any()))
    }

    #[inline(always)]
    fn head(&self, x: [f64; PCE_F], ln: [f64; MAX_LOGS]) -> [f64; 2] {
        use pce_m::Coefficients as C;
        let [age, tc_mgdl, hdl_mgdl, sbp, treated, smoker, diabetes, male, aa] = x;
        let (male, aa) = (male != 0.0, aa != 0.0);
        let lane =
            pce_m::Lane::from_array([age, tc_mgdl, hdl_mgdl, sbp, treated, smoker, diabetes]);
        // The coefficient set as in the China-PAR kernel above.
        if cfg!(target_arch = "wasm32") {
            let co = match (male, aa) {
                (false, false) => &pce_m::WHITE_WOMEN,
                (false, true) => &pce_m::AA_WOMEN,
                (true, false) => &pce_m::WHITE_MEN,
                (true, true) => &pce_m::AA_MEN,
            };
            pce_m::kernel_head_logs(co, &logs4(&ln), &lane)
        } else {
            let co = C::select(
                male,
                &C::select(aa, &pce_m::AA_MEN, &pce_m::WHITE_MEN),
                &C::select(aa, &pce_m::AA_WOMEN, &pce_m::WHITE_WOMEN),
            );
            pce_m::kernel_head_logs(&co, &logs4(&ln), &lane)
        }
    }
}

/// A PCE row's kernel inputs: the lane, then `male` and `african_american`.
#[inline(always)]
fn pce_row(lane: pce_m::Lane, male: bool, aa: bool) -> [f64; PCE_F] {
    let [age, tc_mgdl, hdl_mgdl, sbp, treated, smoker, diabetes] = lane.to_array();
    [
        age,
        tc_mgdl,
        hdl_mgdl,
        sbp,
        treated,
        smoker,
        diabetes,
        one(male),
        one(aa),
    ]
}

/// PREVENT base-model columns.
#[derive(Copy, Clone, Debug)]
pub struct PreventColumns<'a> {
    /// Sex codes.
    pub sex: &'a [u8],
    /// Age, years.
    pub age: &'a [f64],
    /// SBP, mmHg.
    pub sbp: &'a [f64],
    /// BP treated.
    pub bp_treated: &'a [u8],
    /// TC in `tc_unit`.
    pub tc: &'a [f64],
    /// Unit of `tc`.
    pub tc_unit: ConcUnit,
    /// HDL-C in `hdl_unit`.
    pub hdl: &'a [f64],
    /// Unit of `hdl`.
    pub hdl_unit: ConcUnit,
    /// Statin.
    pub statin: &'a [u8],
    /// Diabetes.
    pub diabetes: &'a [u8],
    /// Current smoker.
    pub current_smoker: &'a [u8],
    /// eGFR.
    pub egfr: &'a [f64],
    /// BMI.
    pub bmi: &'a [f64],
}

/// PREVENT risk (percent) of one outcome at one horizon per row; equals
/// [`prevent`](super::prevent2023::prevent)`.get(outcome).pct`.
pub fn prevent(
    c: &PreventColumns<'_>,
    horizon: prv::Horizon,
    outcome: prv::Outcome,
    policy: RangePolicy,
    out: &mut [f64],
    status: &mut [u8],
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n: c.age.len() };
    l.check("sex", c.sex.len())?;
    l.check("sbp", c.sbp.len())?;
    l.check("bp_treated", c.bp_treated.len())?;
    l.check("tc", c.tc.len())?;
    l.check("hdl", c.hdl.len())?;
    l.check("statin", c.statin.len())?;
    l.check("diabetes", c.diabetes.len())?;
    l.check("current_smoker", c.current_smoker.len())?;
    l.check("egfr", c.egfr.len())?;
    l.check("bmi", c.bmi.len())?;
    let t = prv::tables()?;
    let (bf, bm) = (
        prv::beta(t, horizon, outcome, false),
        prv::beta(t, horizon, outcome, true),
    );
    run(l.n, out, status, |i| {
        let input = prv::PreventInput {
            sex: sex(c.sex[i])?,
            age: c.age[i],
            sbp: c.sbp[i],
            bp_treated: flag(c.bp_treated[i])?,
            tc: conc(c.tc[i], c.tc_unit),
            hdl: conc(c.hdl[i], c.hdl_unit),
            statin: flag(c.statin[i])?,
            diabetes: flag(c.diabetes[i])?,
            current_smoker: flag(c.current_smoker[i])?,
            egfr: c.egfr[i],
            bmi: c.bmi[i],
        };
        let (male, x, f) = prv::prepare(&input, policy)?;
        Ok((prv::kernel(if male { bm } else { bf }, &x), f.any()))
    })
}

/// WHO 2019 laboratory-model columns.
#[derive(Copy, Clone, Debug)]
pub struct WhoLabColumns<'a> {
    /// Sex codes.
    pub sex: &'a [u8],
    /// Age, years.
    pub age: &'a [f64],
    /// SBP, mmHg.
    pub sbp: &'a [f64],
    /// TC in `tc_unit`.
    pub tc: &'a [f64],
    /// Unit of `tc`.
    pub tc_unit: ConcUnit,
    /// Diabetes.
    pub diabetes: &'a [u8],
    /// Current smoker.
    pub current_smoker: &'a [u8],
}

/// WHO 2019 laboratory CVD risk (percent) per row; equals
/// [`who2019_lab`](super::who2019::who2019_lab)`.cvd_pct`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn who2019_lab(
    c: &WhoLabColumns<'_>,
    cal: who::Calibration,
    policy: RangePolicy,
    out: &mut [f64],
    status: &mut [u8],
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n: c.age.len() };
    l.check("sex", c.sex.len())?;
    l.check("sbp", c.sbp.len())?;
    l.check("tc", c.tc.len())?;
    l.check("diabetes", c.diabetes.len())?;
    l.check("current_smoker", c.current_smoker.len())?;
    let cal = who_cal(cal)?;
    run_chunked(&WhoLabRows { c: *c, cal, policy }, l.n, out, status)
}

/// The calibration rows of a call, `[men, women]`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn who_cal(cal: who::Calibration) -> Result<[&'static who::SexCalibration; 2], ModelError> {
    Ok([
        who::calibration_row(cal, Sex::Male)?,
        who::calibration_row(cal, Sex::Female)?,
    ])
}

/// The WHO 2019 kernel on one row, `x` = age, SBP, TC (mmol/L) or BMI, diabetes, smoker:
/// [`who::kernel_set`] with the models of `lab` and the calibration rows `cal`
/// (`[men, women]`), chosen for the row's sex as in the China-PAR kernel (a per-lane
/// blend on SIMD targets, references on wasm32; the same values either way).
#[inline(always)]
fn who_kernel(
    cal: &[&'static who::SexCalibration; 2],
    lab: bool,
    female: bool,
    x: [f64; 5],
) -> f64 {
    let [age, sbp, x2, dm, smk] = x;
    let (chd, stroke, chd_h0, stroke_h0, x2_centre) = if lab {
        (
            &who::LAB_CHD,
            &who::LAB_STROKE,
            &who::LAB_CHD_LN_H0,
            &who::LAB_STROKE_LN_H0,
            who::TC_CENTRE,
        )
    } else {
        (
            &who::NONLAB_CHD,
            &who::NONLAB_STROKE,
            &who::NONLAB_CHD_LN_H0,
            &who::NONLAB_STROKE_LN_H0,
            who::BMI_CENTRE,
        )
    };
    let recal = |r: &'static who::SexCalibration| {
        if lab {
            (&r.lab_chd, &r.lab_stroke)
        } else {
            (&r.nonlab_chd, &r.nonlab_stroke)
        }
    };
    let (cvd, _, _) = if cfg!(target_arch = "wasm32") {
        let s = usize::from(female);
        let (rc, rs) = recal(cal[s]);
        let set = who::Set {
            chd: &chd[s],
            stroke: &stroke[s],
            rc,
            rs,
            chd_ln_h0: chd_h0[s],
            stroke_ln_h0: stroke_h0[s],
            x2_centre,
        };
        who::kernel_set(&set, age, sbp, x2, dm, smk)
    } else {
        let ((rc_m, rs_m), (rc_f, rs_f)) = (recal(cal[0]), recal(cal[1]));
        let (c, st) = (
            who::Cox::select(female, &chd[1], &chd[0]),
            who::Cox::select(female, &stroke[1], &stroke[0]),
        );
        let (rc, rs) = (
            who::Recal::select(female, rc_f, rc_m),
            who::Recal::select(female, rs_f, rs_m),
        );
        let set = who::Set {
            chd: &c,
            stroke: &st,
            rc: &rc,
            rs: &rs,
            chd_ln_h0: if female { chd_h0[1] } else { chd_h0[0] },
            stroke_ln_h0: if female { stroke_h0[1] } else { stroke_h0[0] },
            x2_centre,
        };
        who::kernel_set(&set, age, sbp, x2, dm, smk)
    };
    super::clamp_pct(cvd)
}

/// Kernel inputs of a WHO 2019 laboratory row: age, SBP, TC (mmol/L), diabetes, smoker,
/// female (1.0 / 0.0).
const WHO_LAB_F: usize = 6;

/// WHO 2019 laboratory model over [`WhoLabColumns`], with the call's calibration rows.
struct WhoLabRows<'a> {
    c: WhoLabColumns<'a>,
    cal: [&'static who::SexCalibration; 2],
    policy: RangePolicy,
}

impl Chunked<WHO_LAB_F> for WhoLabRows<'_> {
    const LOGS: &'static [usize] = &[];
    const DUMMY: [f64; WHO_LAB_F] = [60.0, 120.0, 6.0, 0.0, 0.0, 0.0];

    #[inline(always)]
    fn rows(&self, r: Range<usize>) -> Self {
        let c = &self.c;
        WhoLabRows {
            c: WhoLabColumns {
                sex: &c.sex[r.clone()],
                age: &c.age[r.clone()],
                sbp: &c.sbp[r.clone()],
                tc: &c.tc[r.clone()],
                tc_unit: c.tc_unit,
                diabetes: &c.diabetes[r.clone()],
                current_smoker: &c.current_smoker[r],
            },
            cal: self.cal,
            policy: self.policy,
        }
    }

    #[inline(always)]
    fn fast(&self, i: usize) -> (bool, [f64; WHO_LAB_F], bool) {
        let c = &self.c;
        let (s, dm, sm) = (c.sex[i], c.diabetes[i], c.current_smoker[i]);
        let (age, sbp) = (c.age[i], c.sbp[i]);
        let tc = conc(c.tc[i], c.tc_unit);
        // Age inside its plausibility and model ranges; SBP and TC (in the unit
        // supplied) inside their plausibility ranges (RM-WHO19-5).
        let ok = ((s | dm | sm) <= 1)
            & in2(age, &plausible::AGE, &who::AGE)
            & plausible::SBP.contains(sbp)
            & conc_plausible(tc, &plausible::TC_MGDL, &plausible::TC_MMOL);
        let x = [
            age,
            sbp,
            tc.to_mmol().value(),
            one(dm == 1),
            one(sm == 1),
            one(s == 0),
        ];
        // The only flag left for a row inside the ranges: outside the printed charts.
        (ok, x, age >= 75.0)
    }

    #[inline(always)]
    fn status(&self, i: usize) -> u8 {
        let c = &self.c;
        let (s, dm, sm) = (c.sex[i], c.diabetes[i], c.current_smoker[i]);
        let (age, sbp) = (c.age[i], c.sbp[i]);
        let tc = conc(c.tc[i], c.tc_unit);
        let mut k = Checks::new(self.policy);
        k.sex(s);
        k.code(dm);
        k.code(sm);
        // `who::prepare_lab` (RM-WHO19-5): age against its plausibility and model
        // ranges; SBP and TC (in the unit supplied) against their plausibility ranges.
        k.range2(age, &plausible::AGE, &who::AGE);
        k.range(sbp, &plausible::SBP);
        k.conc_plausible(tc, &plausible::TC_MGDL, &plausible::TC_MMOL);
        // Outside the printed charts.
        k.flag(age >= 75.0);
        k.status()
    }

    #[cfg(test)]
    #[inline(always)]
    fn slow(&self, i: usize) -> Result<([f64; WHO_LAB_F], bool), RowStatus> {
        let c = &self.c;
        let input = who::WhoLabInput {
            sex: sex(c.sex[i])?,
            age: c.age[i],
            sbp: c.sbp[i],
            tc: conc(c.tc[i], c.tc_unit),
            diabetes: flag(c.diabetes[i])?,
            current_smoker: flag(c.current_smoker[i])?,
        };
        let (p, f) = who::prepare_lab(&input, self.policy)?;
        debug_assert!(p.lab);
        let x = [
            p.age,
            p.sbp,
            p.x2,
            one(p.diabetes),
            one(p.smoker),
            one(p.female),
        ];
        Ok((x, f.any()))
    }

    #[inline(always)]
    fn head(&self, x: [f64; WHO_LAB_F], _: [f64; MAX_LOGS]) -> [f64; 2] {
        let [age, sbp, tc, dm, smk, female] = x;
        [
            who_kernel(&self.cal, true, female != 0.0, [age, sbp, tc, dm, smk]),
            0.0,
        ]
    }

    /// The whole kernel runs in [`head`](Self::head) (no logarithm, a short chain).
    #[inline(always)]
    fn tail1(h: [f64; 2]) -> f64 {
        h[0]
    }

    #[inline(always)]
    fn tail2(v: f64) -> f64 {
        v
    }
}

/// WHO 2019 non-laboratory columns.
#[derive(Copy, Clone, Debug)]
pub struct WhoNonLabColumns<'a> {
    /// Sex codes.
    pub sex: &'a [u8],
    /// Age, years.
    pub age: &'a [f64],
    /// SBP, mmHg.
    pub sbp: &'a [f64],
    /// BMI, kg/m².
    pub bmi: &'a [f64],
    /// Current smoker.
    pub current_smoker: &'a [u8],
}

/// WHO 2019 non-laboratory CVD risk (percent) per row; equals
/// [`who2019_nonlab`](super::who2019::who2019_nonlab)`.cvd_pct`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn who2019_nonlab(
    c: &WhoNonLabColumns<'_>,
    cal: who::Calibration,
    policy: RangePolicy,
    out: &mut [f64],
    status: &mut [u8],
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n: c.age.len() };
    l.check("sex", c.sex.len())?;
    l.check("sbp", c.sbp.len())?;
    l.check("bmi", c.bmi.len())?;
    l.check("current_smoker", c.current_smoker.len())?;
    let cal = who_cal(cal)?;
    run_chunked(&WhoNonLabRows { c: *c, cal, policy }, l.n, out, status)
}

/// Kernel inputs of a WHO 2019 non-laboratory row: age, SBP, BMI, smoker, female
/// (1.0 / 0.0).
const WHO_NONLAB_F: usize = 5;

/// WHO 2019 non-laboratory model over [`WhoNonLabColumns`], with the call's calibration
/// rows.
struct WhoNonLabRows<'a> {
    c: WhoNonLabColumns<'a>,
    cal: [&'static who::SexCalibration; 2],
    policy: RangePolicy,
}

impl Chunked<WHO_NONLAB_F> for WhoNonLabRows<'_> {
    const LOGS: &'static [usize] = &[];
    const DUMMY: [f64; WHO_NONLAB_F] = [60.0, 120.0, 25.0, 0.0, 0.0];

    #[inline(always)]
    fn rows(&self, r: Range<usize>) -> Self {
        let c = &self.c;
        WhoNonLabRows {
            c: WhoNonLabColumns {
                sex: &c.sex[r.clone()],
                age: &c.age[r.clone()],
                sbp: &c.sbp[r.clone()],
                bmi: &c.bmi[r.clone()],
                current_smoker: &c.current_smoker[r],
            },
            cal: self.cal,
            policy: self.policy,
        }
    }

    #[inline(always)]
    fn fast(&self, i: usize) -> (bool, [f64; WHO_NONLAB_F], bool) {
        let c = &self.c;
        let (s, sm) = (c.sex[i], c.current_smoker[i]);
        let (age, sbp, bmi) = (c.age[i], c.sbp[i], c.bmi[i]);
        let ok = ((s | sm) <= 1)
            & in2(age, &plausible::AGE, &who::AGE)
            & plausible::SBP.contains(sbp)
            & plausible::BMI.contains(bmi);
        (ok, [age, sbp, bmi, one(sm == 1), one(s == 0)], age >= 75.0)
    }

    #[inline(always)]
    fn status(&self, i: usize) -> u8 {
        let c = &self.c;
        let (s, sm) = (c.sex[i], c.current_smoker[i]);
        let (age, sbp, bmi) = (c.age[i], c.sbp[i], c.bmi[i]);
        let mut k = Checks::new(self.policy);
        k.sex(s);
        k.code(sm);
        // `who::prepare_nonlab`.
        k.range2(age, &plausible::AGE, &who::AGE);
        k.range(sbp, &plausible::SBP);
        k.range(bmi, &plausible::BMI);
        k.flag(age >= 75.0);
        k.status()
    }

    #[cfg(test)]
    #[inline(always)]
    fn slow(&self, i: usize) -> Result<([f64; WHO_NONLAB_F], bool), RowStatus> {
        let c = &self.c;
        let input = who::WhoNonLabInput {
            sex: sex(c.sex[i])?,
            age: c.age[i],
            sbp: c.sbp[i],
            bmi: c.bmi[i],
            current_smoker: flag(c.current_smoker[i])?,
        };
        let (p, f) = who::prepare_nonlab(&input, self.policy)?;
        debug_assert!(!p.lab && !p.diabetes);
        Ok(([p.age, p.sbp, p.x2, one(p.smoker), one(p.female)], f.any()))
    }

    #[inline(always)]
    fn head(&self, x: [f64; WHO_NONLAB_F], _: [f64; MAX_LOGS]) -> [f64; 2] {
        let [age, sbp, bmi, smk, female] = x;
        [
            who_kernel(&self.cal, false, female != 0.0, [age, sbp, bmi, 0.0, smk]),
            0.0,
        ]
    }

    /// As for the laboratory model.
    #[inline(always)]
    fn tail1(h: [f64; 2]) -> f64 {
        h[0]
    }

    #[inline(always)]
    fn tail2(v: f64) -> f64 {
        v
    }
}

/// Framingham 2008 columns.
#[derive(Copy, Clone, Debug)]
pub struct FraminghamColumns<'a> {
    /// Sex codes.
    pub sex: &'a [u8],
    /// Age, years.
    pub age: &'a [f64],
    /// TC in `tc_unit`.
    pub tc: &'a [f64],
    /// Unit of `tc`.
    pub tc_unit: ConcUnit,
    /// HDL-C in `hdl_unit`.
    pub hdl: &'a [f64],
    /// Unit of `hdl`.
    pub hdl_unit: ConcUnit,
    /// SBP, mmHg.
    pub sbp: &'a [f64],
    /// BP treated.
    pub bp_treated: &'a [u8],
    /// Current smoker.
    pub current_smoker: &'a [u8],
    /// Diabetes.
    pub diabetes: &'a [u8],
}

/// Framingham 10-year risk (percent) per row; equals
/// [`framingham`](super::framingham2008::framingham)`.risk10_pct`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn framingham(
    c: &FraminghamColumns<'_>,
    policy: RangePolicy,
    out: &mut [f64],
    status: &mut [u8],
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n: c.age.len() };
    l.check("sex", c.sex.len())?;
    l.check("tc", c.tc.len())?;
    l.check("hdl", c.hdl.len())?;
    l.check("sbp", c.sbp.len())?;
    l.check("bp_treated", c.bp_treated.len())?;
    l.check("current_smoker", c.current_smoker.len())?;
    l.check("diabetes", c.diabetes.len())?;
    run_chunked(&FraminghamRows { c: *c, policy }, l.n, out, status)
}

/// Kernel inputs of a Framingham row: the lane, then `male` (1.0 / 0.0).
const FRS_F: usize = frs::Lane::N + 1;

/// Framingham 2008 over [`FraminghamColumns`].
struct FraminghamRows<'a> {
    c: FraminghamColumns<'a>,
    policy: RangePolicy,
}

impl Chunked<FRS_F> for FraminghamRows<'_> {
    /// Age, SBP, TC, HDL-C.
    const LOGS: &'static [usize] = &[0, 3, 1, 2];
    const DUMMY: [f64; FRS_F] = [50.0, 200.0, 50.0, 120.0, 0.0, 0.0, 0.0, 0.0];

    #[inline(always)]
    fn rows(&self, r: Range<usize>) -> Self {
        let c = &self.c;
        FraminghamRows {
            c: FraminghamColumns {
                sex: &c.sex[r.clone()],
                age: &c.age[r.clone()],
                tc: &c.tc[r.clone()],
                tc_unit: c.tc_unit,
                hdl: &c.hdl[r.clone()],
                hdl_unit: c.hdl_unit,
                sbp: &c.sbp[r.clone()],
                bp_treated: &c.bp_treated[r.clone()],
                current_smoker: &c.current_smoker[r.clone()],
                diabetes: &c.diabetes[r],
            },
            policy: self.policy,
        }
    }

    #[inline(always)]
    fn fast(&self, i: usize) -> (bool, [f64; FRS_F], bool) {
        let c = &self.c;
        let (s, bt, sm, dm) = (
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
        );
        let (age, sbp) = (c.age[i], c.sbp[i]);
        let (tc, hdl) = (conc(c.tc[i], c.tc_unit), conc(c.hdl[i], c.hdl_unit));
        // Plausibility ranges, and the model's age range (RM-FRS-3).
        let ok = ((s | bt | sm | dm) <= 1)
            & in2(age, &plausible::AGE, &frs::AGE)
            & plausible::SBP.contains(sbp)
            & conc_plausible(tc, &plausible::TC_MGDL, &plausible::TC_MMOL)
            & conc_plausible(hdl, &plausible::HDL_MGDL, &plausible::HDL_MMOL);
        let lane = frs::Lane {
            age,
            tc_mgdl: frs::mg(tc),
            hdl_mgdl: frs::mg(hdl),
            sbp,
            treated: one(bt == 1),
            smoker: one(sm == 1),
            diabetes: one(dm == 1),
        };
        (ok, frs_row(lane, s == 1), false)
    }

    #[inline(always)]
    fn status(&self, i: usize) -> u8 {
        let c = &self.c;
        let (s, bt, sm, dm) = (
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
        );
        let (age, sbp) = (c.age[i], c.sbp[i]);
        let (tc, hdl) = (conc(c.tc[i], c.tc_unit), conc(c.hdl[i], c.hdl_unit));
        let mut k = Checks::new(self.policy);
        k.sex(s);
        k.code(bt);
        k.code(sm);
        k.code(dm);
        // `frs::prepare` (RM-FRS-3): age against its plausibility and model ranges; TC,
        // HDL-C (in the unit supplied) and SBP against their plausibility ranges.
        k.range2(age, &plausible::AGE, &frs::AGE);
        k.conc_plausible(tc, &plausible::TC_MGDL, &plausible::TC_MMOL);
        k.conc_plausible(hdl, &plausible::HDL_MGDL, &plausible::HDL_MMOL);
        k.range(sbp, &plausible::SBP);
        k.status()
    }

    #[cfg(test)]
    #[inline(always)]
    fn slow(&self, i: usize) -> Result<([f64; FRS_F], bool), RowStatus> {
        let c = &self.c;
        let input = frs::FraminghamInput {
            sex: sex(c.sex[i])?,
            age: c.age[i],
            tc: conc(c.tc[i], c.tc_unit),
            hdl: conc(c.hdl[i], c.hdl_unit),
            sbp: c.sbp[i],
            bp_treated: flag(c.bp_treated[i])?,
            current_smoker: flag(c.current_smoker[i])?,
            diabetes: flag(c.diabetes[i])?,
        };
        let (p, f) = frs::prepare(&input, self.policy)?;
        Ok((frs_row(p.lane(), p.male), f.any()))
    }

    #[inline(always)]
    fn head(&self, x: [f64; FRS_F], ln: [f64; MAX_LOGS]) -> [f64; 2] {
        let [age, tc_mgdl, hdl_mgdl, sbp, treated, smoker, diabetes, male] = x;
        let lane = frs::Lane::from_array([age, tc_mgdl, hdl_mgdl, sbp, treated, smoker, diabetes]);
        let male = male != 0.0;
        // The coefficient set as in the China-PAR kernel above.
        let g = logs4(&ln);
        if cfg!(target_arch = "wasm32") {
            frs::kernel_head_logs(if male { &frs::MEN } else { &frs::WOMEN }, &g, &lane)
        } else {
            let c = frs::Coefficients::select(male, &frs::MEN, &frs::WOMEN);
            frs::kernel_head_logs(&c, &g, &lane)
        }
    }
}

/// A Framingham row's kernel inputs: the lane, then `male`.
#[inline(always)]
fn frs_row(lane: frs::Lane, male: bool) -> [f64; FRS_F] {
    let [age, tc_mgdl, hdl_mgdl, sbp, treated, smoker, diabetes] = lane.to_array();
    [
        age,
        tc_mgdl,
        hdl_mgdl,
        sbp,
        treated,
        smoker,
        diabetes,
        one(male),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_mismatch_is_typed() {
        let cols = FraminghamColumns {
            sex: &[0, 1],
            age: &[61.0, 50.0],
            tc: &[180.0],
            tc_unit: ConcUnit::MgDl,
            hdl: &[47.0, 50.0],
            hdl_unit: ConcUnit::MgDl,
            sbp: &[124.0, 130.0],
            bp_treated: &[0, 0],
            current_smoker: &[1, 0],
            diabetes: &[0, 0],
        };
        let (mut out, mut st) = ([0.0; 2], [0u8; 2]);
        assert_eq!(
            framingham(&cols, RangePolicy::Strict, &mut out, &mut st),
            Err(ModelError::LengthMismatch {
                field: "tc",
                len: 1,
                expected: 2
            })
        );
        let cols = FraminghamColumns {
            tc: &[180.0, 190.0],
            ..cols
        };
        let mut short = [0.0; 1];
        assert!(matches!(
            framingham(&cols, RangePolicy::Strict, &mut short, &mut st),
            Err(ModelError::LengthMismatch { field: "out", .. })
        ));
    }

    /// xorshift64*.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
            xs[(self.next() % xs.len() as u64) as usize]
        }
        /// Mostly valid codes, one in `bad` missing or invalid.
        fn code(&mut self, bad: u64) -> u8 {
            if self.next() % bad == 0 {
                self.pick(&[2, 7, MISSING, 254])
            } else {
                (self.next() & 1) as u8
            }
        }
        /// Mostly in `lo..hi`; four in `bad` at or just past a bound, below or above the
        /// range (implausible or not), or not finite.
        fn value(&mut self, lo: f64, hi: f64, bad: u64) -> f64 {
            let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
            match self.next() % bad {
                0 => self.pick(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 0.0]),
                1 => self.pick(&[lo, hi, lo * 0.999_999, hi * 1.000_001]),
                2 => lo * 0.5 + u * lo * 0.5,
                3 => hi + u * hi,
                _ => lo + (hi - lo) * u,
            }
        }
        fn values(&mut self, n: usize, lo: f64, hi: f64, bad: u64) -> Vec<f64> {
            (0..n).map(|_| self.value(lo, hi, bad)).collect()
        }
        fn codes(&mut self, n: usize, bad: u64) -> Vec<u8> {
            (0..n).map(|_| self.code(bad)).collect()
        }
    }

    /// [`Chunked::status`] and [`Chunked::fast`] against [`Chunked::slow`] (the scalar
    /// checks) on every row: the same status byte, `fast` passing only rows whose status
    /// is its flag, and for a computed row the same kernel inputs bit for bit.
    /// Also checks [`Chunked::kernel`] (the wasm32 path's per-row kernel) against `out`,
    /// the chunked result of the same rows.
    fn fast_is_slow<M: Chunked<F>, const F: usize>(m: &M, out: &[f64], model: &str) {
        for (i, o) in out.iter().enumerate() {
            let ((ok, x, flagged), st) = (m.fast(i), m.status(i));
            if ok {
                assert_eq!(st, u8::from(flagged), "{model} row {i}");
            }
            match m.slow(i) {
                Ok((y, flagged)) => {
                    assert_eq!(st, u8::from(flagged), "{model} row {i}");
                    assert_eq!(x.map(f64::to_bits), y.map(f64::to_bits), "{model} row {i}");
                    assert_eq!(m.kernel(y).to_bits(), o.to_bits(), "{model} row {i}");
                }
                Err(e) => assert_eq!(st, e as u8, "{model} row {i}"),
            }
        }
    }

    /// The equations as they were before `models::math`: the same expressions with the
    /// platform's `ln` / `exp` / `exp_m1`.
    fn libm_china_par(p: &cp::Prepared) -> f64 {
        let c = if p.male { &cp::MEN } else { &cp::WOMEN };
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        let (la, ls) = (p.age.ln(), p.sbp.ln());
        let (bs, bas) = if p.treated {
            (c.ln_sbp_treated, c.ln_age_ln_sbp_treated)
        } else {
            (c.ln_sbp_untreated, c.ln_age_ln_sbp_untreated)
        };
        let (smk, fh) = (b(p.smoker), b(p.fh));
        let x = c.ln_age * la
            + bs * ls
            + bas * la * ls
            + c.ln_tc * p.tc_mgdl.ln()
            + c.ln_hdl * p.hdl_mgdl.ln()
            + c.ln_waist * p.waist.ln()
            + c.smoker * smk
            + c.diabetes * b(p.diabetes)
            + c.north * b(p.north)
            + c.urban * b(p.urban)
            + c.family_history * fh
            + c.ln_age_smoker * la * smk
            + c.ln_age_family_history * la * fh;
        super::super::clamp_pct(-((x - c.mean).exp() * c.ln_s10).exp_m1())
    }

    fn libm_pce(p: &pce_m::Prepared) -> f64 {
        let c = p.c;
        let (la, lt, lh, ls) = (p.age.ln(), p.tc_mgdl.ln(), p.hdl_mgdl.ln(), p.sbp.ln());
        let (bs, bas) = if p.treated {
            (c.ln_sbp_treated, c.ln_age_ln_sbp_treated)
        } else {
            (c.ln_sbp_untreated, c.ln_age_ln_sbp_untreated)
        };
        let smk = if p.smoker { 1.0 } else { 0.0 };
        let dm = if p.diabetes { 1.0 } else { 0.0 };
        let x = c.ln_age * la
            + c.ln_age_sq * la * la
            + c.ln_tc * lt
            + c.ln_age_ln_tc * la * lt
            + c.ln_hdl * lh
            + c.ln_age_ln_hdl * la * lh
            + bs * ls
            + bas * la * ls
            + c.smoker * smk
            + c.ln_age_smoker * la * smk
            + c.diabetes * dm;
        super::super::clamp_pct(-((x - c.mean).exp() * c.ln_s0).exp_m1())
    }

    fn libm_framingham(p: &frs::Prepared) -> f64 {
        let c = if p.male { &frs::MEN } else { &frs::WOMEN };
        let bs = if p.treated {
            c.ln_sbp_treated
        } else {
            c.ln_sbp_untreated
        };
        let x = c.ln_age * p.age.ln()
            + c.ln_tc * p.tc_mgdl.ln()
            + c.ln_hdl * p.hdl_mgdl.ln()
            + bs * p.sbp.ln()
            + if p.smoker { c.smoker } else { 0.0 }
            + if p.diabetes { c.diabetes } else { 0.0 };
        super::super::clamp_pct(-((x - c.mean).exp() * c.ln_s0).exp_m1())
    }

    /// `models::math` changes the risks by rounding noise only: over a random sample
    /// spanning every accepted input (`RangePolicy::Flag`), the largest difference from the
    /// libm formulas is printed (`--nocapture`) and must stay below 1e-11 percentage points.
    #[test]
    fn kernels_match_the_libm_formulas() {
        let mut r = Rng(0xC0DE_D00D);
        let mut u = || (r.next() >> 11) as f64 / (1u64 << 53) as f64;
        let n = if cfg!(debug_assertions) {
            200_000
        } else {
            2_000_000
        };
        let (mut d_cp, mut d_pce, mut d_fr, mut changed) = (0f64, 0f64, 0f64, [0usize; 3]);
        for i in 0..n {
            let bit = |k: usize| (i >> k) & 1 == 1;
            let sex = if bit(0) { Sex::Male } else { Sex::Female };
            let (age, sbp) = (15.0 + 105.0 * u(), 70.0 + 200.0 * u());
            let (tc, hdl) = (
                Conc::mgdl(70.0 + 700.0 * u()),
                Conc::mgdl(20.0 + 360.0 * u()),
            );
            let policy = RangePolicy::Flag;
            let input = cp::ChinaParInput {
                sex,
                age,
                sbp,
                bp_treated: bit(1),
                tc,
                hdl,
                waist_cm: 30.0 + 270.0 * u(),
                current_smoker: bit(2),
                diabetes: bit(3),
                north: bit(4),
                urban: Some(bit(5)),
                family_history_ascvd: Some(bit(6)),
            };
            let (p, _) = cp::prepare(&input, policy).unwrap();
            let (new, old) = (cp::kernel(&p), libm_china_par(&p));
            d_cp = d_cp.max((new - old).abs());
            changed[0] += usize::from(new != old);
            let race = [Race::Other, Race::White, Race::AfricanAmerican][i % 3];
            let input = pce_m::PceInput {
                race,
                sex,
                age,
                tc,
                hdl,
                sbp,
                bp_treated: bit(1),
                current_smoker: bit(2),
                diabetes: bit(3),
            };
            let (p, _) = pce_m::prepare(&input, policy).unwrap();
            let (new, old) = (pce_m::kernel(&p), libm_pce(&p));
            d_pce = d_pce.max((new - old).abs());
            changed[1] += usize::from(new != old);
            let input = frs::FraminghamInput {
                sex,
                age,
                tc,
                hdl,
                sbp,
                bp_treated: bit(1),
                current_smoker: bit(2),
                diabetes: bit(3),
            };
            let (p, _) = frs::prepare(&input, policy).unwrap();
            let (new, old) = (frs::kernel(&p), libm_framingham(&p));
            d_fr = d_fr.max((new - old).abs());
            changed[2] += usize::from(new != old);
        }
        println!(
            "max |math − libm| over {n} rows, pp: China-PAR {d_cp:e}, PCE {d_pce:e}, \
             Framingham {d_fr:e}; rows not bit-identical: {changed:?}"
        );
        assert!(d_cp < 1e-11 && d_pce < 1e-11 && d_fr < 1e-11);
    }

    /// Every kind of row in a round of [`chunked_equals_row_by_row`] (the rounds with
    /// dense errors may have no row without one, those with sparse errors no failed row).
    fn all_kinds(s: BatchSummary, round: usize) {
        match round {
            0..8 => assert!(s.ok > 0 && s.flagged > 0 && s.failed > 0, "{s:?}"),
            8..16 => assert!(s.failed > 0, "{s:?}"),
            _ => assert!(s.ok > 0, "{s:?}"),
        }
    }

    /// The chunked paths against the row-by-row reference (scalar validation and kernel
    /// per row, as before chunking): every value bit for bit, every status byte and the
    /// summary, for both policies, both units and rows that fail in every way.
    #[test]
    fn chunked_equals_row_by_row() {
        const N: usize = 3 * CHUNK + 77;
        let mut r = Rng(0x5EED_0FC0_FFEE);
        // Rows that fail twice or more, where the order of the checks decides the status
        // (China-PAR): a code error before a non-finite age; a non-finite TC after an age
        // outside the model's range under each policy; a man's missing urban or family
        // history after a non-finite or out-of-range value.
        let (mut code_then_nan, mut age_out_tc_nan, mut value_then_missing) = (0, [0; 2], 0);
        // Rounds 8–15 draw errors four times as often, so rows with several are common;
        // rounds 16–19 rarely, so that most chunks pass `fast` whole and the others take
        // the status pass after it (not the merged pass of a chunk after a dense one).
        for round in 0..20 {
            let (bad, bad_code) = match round {
                0..8 => (24, 16),
                8..16 => (6, 4),
                _ => (4000, 4000),
            };
            let policy = if round % 2 == 0 {
                RangePolicy::Strict
            } else {
                RangePolicy::Flag
            };
            let unit = if round % 4 < 2 {
                ConcUnit::MgDl
            } else {
                ConcUnit::MmolL
            };
            let (tc_lo, tc_hi, hdl_lo, hdl_hi) = match unit {
                ConcUnit::MgDl => (80.0, 400.0, 20.0, 130.0),
                ConcUnit::MmolL => (2.0, 11.0, 0.5, 4.0),
            };
            let (sex_c, age, sbp, tc, hdl, waist) = (
                r.codes(N, bad_code),
                r.values(N, 20.0, 85.0, bad),
                r.values(N, 70.0, 200.0, bad),
                r.values(N, tc_lo, tc_hi, bad),
                r.values(N, hdl_lo, hdl_hi, bad),
                r.values(N, 50.0, 130.0, bad),
            );
            let b: Vec<Vec<u8>> = (0..6).map(|_| r.codes(N, bad_code)).collect();
            let race: Vec<u8> = (0..N).map(|_| r.pick(&[0, 1, 2, 2, 1, 3])).collect();
            let (mut out, mut st) = (vec![0.0; N], vec![0u8; N]);
            let (mut out_ref, mut st_ref) = (vec![0.0; N], vec![0u8; N]);
            let same = |a: &[f64], b: &[f64], sa: &[u8], sb: &[u8]| {
                for i in 0..N {
                    assert_eq!(sa[i], sb[i], "row {i}");
                    assert_eq!(a[i].to_bits(), b[i].to_bits(), "row {i}");
                }
            };

            let cp_cols = ChinaParColumns {
                sex: &sex_c,
                age: &age,
                sbp: &sbp,
                bp_treated: &b[0],
                tc: &tc,
                tc_unit: unit,
                hdl: &hdl,
                hdl_unit: unit,
                waist_cm: &waist,
                current_smoker: &b[1],
                diabetes: &b[2],
                north: &b[3],
                urban: &b[4],
                family_history_ascvd: &b[5],
            };
            let s = china_par_10y(&cp_cols, policy, &mut out, &mut st).unwrap();
            let c = &cp_cols;
            let s_ref = run(N, &mut out_ref, &mut st_ref, |i| {
                let input = cp::ChinaParInput {
                    sex: sex(c.sex[i])?,
                    age: c.age[i],
                    sbp: c.sbp[i],
                    bp_treated: flag(c.bp_treated[i])?,
                    tc: conc(c.tc[i], c.tc_unit),
                    hdl: conc(c.hdl[i], c.hdl_unit),
                    waist_cm: c.waist_cm[i],
                    current_smoker: flag(c.current_smoker[i])?,
                    diabetes: flag(c.diabetes[i])?,
                    north: flag(c.north[i])?,
                    urban: opt_flag(c.urban[i])?,
                    family_history_ascvd: opt_flag(c.family_history_ascvd[i])?,
                };
                let r = cp::china_par_10y(&input, policy)?;
                Ok((r.risk10_pct, r.flags.any()))
            })
            .unwrap();
            same(&out, &out_ref, &st, &st_ref);
            assert_eq!(s, s_ref);
            all_kinds(s, round);
            fast_is_slow(&ChinaParRows { c: cp_cols, policy }, &out, "China-PAR");
            for i in 0..N {
                // A code error, or a required boolean missing (urban and family history
                // may be missing here).
                let code_err = sex_c[i] > 1
                    || b[..4].iter().any(|c| c[i] > 1)
                    || b[4..].iter().any(|c| c[i] > 1 && c[i] != MISSING);
                code_then_nan += usize::from(code_err && age[i].is_nan());
                let age_out = plausible::AGE.contains(age[i]) && !cp::AGE.contains(age[i]);
                if !code_err && age_out && plausible::SBP.contains(sbp[i]) && !tc[i].is_finite() {
                    age_out_tc_nan[round % 2] += 1;
                    let want = match policy {
                        RangePolicy::Strict => RowStatus::OutOfRange,
                        RangePolicy::Flag => RowStatus::NotFinite,
                    };
                    assert_eq!(st[i], want as u8, "row {i}");
                }
                let missing = sex_c[i] == 1 && (b[4][i] == MISSING || b[5][i] == MISSING);
                value_then_missing +=
                    usize::from(!code_err && missing && st[i] != RowStatus::MissingInput as u8);
            }

            let pce_cols = PceColumns {
                race: &race,
                sex: &sex_c,
                age: &age.iter().map(|a| a + 20.0).collect::<Vec<_>>(),
                tc: &tc,
                tc_unit: unit,
                hdl: &hdl,
                hdl_unit: unit,
                sbp: &sbp,
                bp_treated: &b[0],
                current_smoker: &b[1],
                diabetes: &b[2],
            };
            let s = pce(&pce_cols, policy, &mut out, &mut st).unwrap();
            let c = &pce_cols;
            let s_ref = run(N, &mut out_ref, &mut st_ref, |i| {
                let race = match c.race[i] {
                    0 => Race::Other,
                    1 => Race::White,
                    2 => Race::AfricanAmerican,
                    _ => return Err(RowStatus::InvalidCode),
                };
                let input = pce_m::PceInput {
                    race,
                    sex: sex(c.sex[i])?,
                    age: c.age[i],
                    tc: conc(c.tc[i], c.tc_unit),
                    hdl: conc(c.hdl[i], c.hdl_unit),
                    sbp: c.sbp[i],
                    bp_treated: flag(c.bp_treated[i])?,
                    current_smoker: flag(c.current_smoker[i])?,
                    diabetes: flag(c.diabetes[i])?,
                };
                let r = pce_m::pce(&input, policy)?;
                Ok((r.risk10_pct, r.flags.any()))
            })
            .unwrap();
            same(&out, &out_ref, &st, &st_ref);
            assert_eq!(s, s_ref);
            all_kinds(s, round);
            fast_is_slow(
                &PceRows {
                    c: pce_cols,
                    policy,
                },
                &out,
                "PCE",
            );

            let fr_cols = FraminghamColumns {
                sex: &sex_c,
                age: &age,
                tc: &tc,
                tc_unit: unit,
                hdl: &hdl,
                hdl_unit: unit,
                sbp: &sbp,
                bp_treated: &b[0],
                current_smoker: &b[1],
                diabetes: &b[2],
            };
            let s = framingham(&fr_cols, policy, &mut out, &mut st).unwrap();
            let c = &fr_cols;
            let s_ref = run(N, &mut out_ref, &mut st_ref, |i| {
                let input = frs::FraminghamInput {
                    sex: sex(c.sex[i])?,
                    age: c.age[i],
                    tc: conc(c.tc[i], c.tc_unit),
                    hdl: conc(c.hdl[i], c.hdl_unit),
                    sbp: c.sbp[i],
                    bp_treated: flag(c.bp_treated[i])?,
                    current_smoker: flag(c.current_smoker[i])?,
                    diabetes: flag(c.diabetes[i])?,
                };
                let r = frs::framingham(&input, policy)?;
                Ok((r.risk10_pct, r.flags.any()))
            })
            .unwrap();
            same(&out, &out_ref, &st, &st_ref);
            assert_eq!(s, s_ref);
            assert!(s.ok > 0 && (s.failed > 0 || round >= 16), "{s:?}");
            fast_is_slow(&FraminghamRows { c: fr_cols, policy }, &out, "Framingham");

            // WHO 2019: ages around the model's 40–80 and the charts' 75, both
            // calibration kinds (a region other than the default in odd rounds).
            let cal = match round % 3 {
                0 => who::Calibration::default(),
                1 => who::Calibration::Region2017(who::Region::WesternEurope),
                _ => who::Calibration::ChinaCountry2017,
            };
            let mut who_age = r.values(N, 40.0, 80.0, bad);
            for a in who_age.iter_mut().step_by(13) {
                // The chart bound (75 flagged, the largest value below it not).
                *a = r.pick(&[75.0, f64::from_bits(75f64.to_bits() - 1), 40.0, 80.0]);
            }
            let (who_tc, bmi) = (
                match unit {
                    ConcUnit::MgDl => r.values(N, 70.0, 770.0, bad),
                    ConcUnit::MmolL => r.values(N, 1.75, 20.0, bad),
                },
                r.values(N, 10.0, 80.0, bad),
            );
            let lab_cols = WhoLabColumns {
                sex: &sex_c,
                age: &who_age,
                sbp: &sbp,
                tc: &who_tc,
                tc_unit: unit,
                diabetes: &b[2],
                current_smoker: &b[1],
            };
            let s = who2019_lab(&lab_cols, cal, policy, &mut out, &mut st).unwrap();
            let c = &lab_cols;
            let s_ref = run(N, &mut out_ref, &mut st_ref, |i| {
                let input = who::WhoLabInput {
                    sex: sex(c.sex[i])?,
                    age: c.age[i],
                    sbp: c.sbp[i],
                    tc: conc(c.tc[i], c.tc_unit),
                    diabetes: flag(c.diabetes[i])?,
                    current_smoker: flag(c.current_smoker[i])?,
                };
                let r = who::who2019_lab(&input, cal, policy)?;
                Ok((r.cvd_pct, r.flags.any()))
            })
            .unwrap();
            same(&out, &out_ref, &st, &st_ref);
            assert_eq!(s, s_ref);
            all_kinds(s, round);
            let cal_rows = who_cal(cal).unwrap();
            let m = WhoLabRows {
                c: lab_cols,
                cal: cal_rows,
                policy,
            };
            fast_is_slow(&m, &out, "WHO 2019 lab");

            let nonlab_cols = WhoNonLabColumns {
                sex: &sex_c,
                age: &who_age,
                sbp: &sbp,
                bmi: &bmi,
                current_smoker: &b[1],
            };
            let s = who2019_nonlab(&nonlab_cols, cal, policy, &mut out, &mut st).unwrap();
            let c = &nonlab_cols;
            let s_ref = run(N, &mut out_ref, &mut st_ref, |i| {
                let input = who::WhoNonLabInput {
                    sex: sex(c.sex[i])?,
                    age: c.age[i],
                    sbp: c.sbp[i],
                    bmi: c.bmi[i],
                    current_smoker: flag(c.current_smoker[i])?,
                };
                let r = who::who2019_nonlab(&input, cal, policy)?;
                Ok((r.cvd_pct, r.flags.any()))
            })
            .unwrap();
            same(&out, &out_ref, &st, &st_ref);
            assert_eq!(s, s_ref);
            all_kinds(s, round);
            let m = WhoNonLabRows {
                c: nonlab_cols,
                cal: cal_rows,
                policy,
            };
            fast_is_slow(&m, &out, "WHO 2019 non-lab");
        }
        println!(
            "China-PAR rows: code error then NaN age {code_then_nan}, NaN TC after an age \
             outside the model range (Strict, Flag) {age_out_tc_nan:?}, a man's missing \
             input after a failed value {value_then_missing}"
        );
        assert!(code_then_nan > 0 && age_out_tc_nan[0] > 0 && age_out_tc_nan[1] > 0);
        assert!(value_then_missing > 0);
        // Empty columns.
        let e: [f64; 0] = [];
        let cols = FraminghamColumns {
            sex: &[],
            age: &e,
            tc: &e,
            tc_unit: ConcUnit::MgDl,
            hdl: &e,
            hdl_unit: ConcUnit::MgDl,
            sbp: &e,
            bp_treated: &[],
            current_smoker: &[],
            diabetes: &[],
        };
        assert_eq!(
            framingham(&cols, RangePolicy::Strict, &mut [], &mut []),
            Ok(BatchSummary::default())
        );
    }

    /// Rows that fail more than one check: the status is the first in the scalar order,
    /// in the chunked path as in the scalar one.
    #[test]
    fn china_par_first_error_wins() {
        use RowStatus::*;
        let nan = f64::NAN;
        // (sex, bp_treated, diabetes, urban, family history, age, tc, waist,
        //  status under Strict, under Flag)
        type Row = (u8, u8, u8, u8, u8, f64, f64, f64, RowStatus, RowStatus);
        let rows: [Row; 14] = [
            (2, 0, 0, 1, 1, nan, 5.0, 80.0, InvalidCode, InvalidCode),
            (
                1,
                MISSING,
                7,
                1,
                1,
                nan,
                5.0,
                80.0,
                MissingInput,
                MissingInput,
            ),
            (
                1,
                7,
                MISSING,
                1,
                1,
                50.0,
                5.0,
                80.0,
                InvalidCode,
                InvalidCode,
            ),
            (1, 0, 0, MISSING, 1, 50.0, nan, 80.0, NotFinite, NotFinite),
            (
                1,
                0,
                0,
                1,
                MISSING,
                90.0,
                5.0,
                80.0,
                OutOfRange,
                MissingInput,
            ),
            (1, 0, 0, 1, 1, 90.0, nan, 80.0, OutOfRange, NotFinite),
            (1, 0, 0, 1, 1, 130.0, nan, 80.0, OutOfRange, OutOfRange),
            (
                1,
                0,
                0,
                1,
                1,
                90.0,
                30.0,
                f64::INFINITY,
                OutOfRange,
                OutOfRange,
            ),
            (
                1,
                0,
                0,
                1,
                1,
                90.0,
                12.0,
                f64::INFINITY,
                OutOfRange,
                NotFinite,
            ),
            (1, 0, 0, 1, 1, 90.0, 12.0, 140.0, OutOfRange, Flagged),
            (
                0,
                0,
                0,
                7,
                MISSING,
                50.0,
                5.0,
                80.0,
                InvalidCode,
                InvalidCode,
            ),
            (0, 0, 0, MISSING, MISSING, 50.0, 5.0, 80.0, Ok, Ok),
            (0, 0, 0, MISSING, 1, 30.0, 5.0, 80.0, Flagged, Flagged),
            (1, 0, 0, 0, 1, -nan, 5.0, 80.0, NotFinite, NotFinite),
        ];
        let n = rows.len();
        let col = |f: fn(&Row) -> u8| rows.iter().map(f).collect::<Vec<u8>>();
        let val = |f: fn(&Row) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
        let (sex_c, bt, dm, ur, fh) = (
            col(|r| r.0),
            col(|r| r.1),
            col(|r| r.2),
            col(|r| r.3),
            col(|r| r.4),
        );
        let (age, tc, waist) = (val(|r| r.5), val(|r| r.6), val(|r| r.7));
        let (zero, sbp, hdl) = (vec![0u8; n], vec![130.0; n], vec![1.2; n]);
        let c = ChinaParColumns {
            sex: &sex_c,
            age: &age,
            sbp: &sbp,
            bp_treated: &bt,
            tc: &tc,
            tc_unit: ConcUnit::MmolL,
            hdl: &hdl,
            hdl_unit: ConcUnit::MmolL,
            waist_cm: &waist,
            current_smoker: &zero,
            diabetes: &dm,
            north: &zero,
            urban: &ur,
            family_history_ascvd: &fh,
        };
        let (mut out, mut st) = (vec![0.0; n], vec![0u8; n]);
        for (k, policy) in [RangePolicy::Strict, RangePolicy::Flag]
            .into_iter()
            .enumerate()
        {
            china_par_10y(&c, policy, &mut out, &mut st).unwrap();
            fast_is_slow(&ChinaParRows { c, policy }, &out, "China-PAR");
            for (i, r) in rows.iter().enumerate() {
                let want = if k == 0 { r.8 } else { r.9 };
                assert_eq!(RowStatus::from_u8(st[i]), Some(want), "{policy:?} row {i}");
                assert_eq!(out[i].is_nan(), !want.computed(), "{policy:?} row {i}");
            }
        }
    }

    #[test]
    fn china_par_codes_and_statuses() {
        let cols = ChinaParColumns {
            sex: &[1, 1, 0, 2, 1, 1, 1],
            age: &[40.0, 40.0, 40.0, 40.0, 90.0, f64::NAN, 30.0],
            sbp: &[145.0; 7],
            bp_treated: &[0, 0, 0, 0, 0, 0, 0],
            tc: &[5.2; 7],
            tc_unit: ConcUnit::MmolL,
            hdl: &[1.3; 7],
            hdl_unit: ConcUnit::MmolL,
            waist_cm: &[80.0; 7],
            current_smoker: &[0, 0, 0, 0, 0, 0, 0],
            diabetes: &[0, 7, 0, 0, 0, 0, 0],
            north: &[1; 7],
            urban: &[1, 1, MISSING, 1, 1, 1, 1],
            family_history_ascvd: &[1, 1, MISSING, 1, 1, 1, 1],
        };
        let (mut out, mut st) = ([0.0; 7], [0u8; 7]);
        let s = china_par_10y(&cols, RangePolicy::Strict, &mut out, &mut st).unwrap();
        use RowStatus::*;
        assert_eq!(
            st,
            [
                Ok as u8,
                InvalidCode as u8,
                Ok as u8,
                InvalidCode as u8,
                OutOfRange as u8,
                NotFinite as u8,
                Flagged as u8
            ]
        );
        assert_eq!(
            s,
            BatchSummary {
                ok: 2,
                flagged: 1,
                failed: 4
            }
        );
        assert!((out[0] - 4.7172).abs() < 5e-5);
        assert!(out[1].is_nan());
        // A man with urban missing → MissingInput.
        let cols = ChinaParColumns {
            urban: &[MISSING; 7],
            ..cols
        };
        china_par_10y(&cols, RangePolicy::Strict, &mut out, &mut st).unwrap();
        assert_eq!(st[0], MissingInput as u8);
        assert_eq!(st[2], Ok as u8);
        for b in 0..=255u8 {
            if let Some(r) = RowStatus::from_u8(b) {
                assert_eq!(r as u8, b);
            }
        }
    }
}
