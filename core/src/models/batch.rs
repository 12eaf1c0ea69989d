//! Columnar (struct-of-slices) evaluation of the risk equations.
//!
//! Every input variable is a slice; booleans and sex are `u8` codes; the caller
//! provides the output slice (percent) and a status slice. Nothing is allocated per
//! row, and each row goes through the same validation and kernel as the scalar
//! function, so a computed value is bit-for-bit the scalar result.
//!
//! China-PAR, PCE and Framingham run in chunks of 256 rows: each row is validated (a
//! branch-light check for the common fully-in-range row, the scalar API's own checks
//! for every other row) into struct-of-arrays columns grouped by coefficient set, then
//! one straight-line kernel loop per set computes the chunk; LLVM vectorises it because
//! the kernels use the branch-free [`math`](super::math) functions. The kernel is the
//! same function the scalar API calls, so equality holds by construction (and is
//! tested). PREVENT and WHO 2019 still run row by row through libm.
//!
//! Codes: sex `1` = male, `0` = female; booleans `0`/`1`; [`MISSING`] (255) marks a
//! missing boolean (only meaningful where the scalar input is optional — China-PAR
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

use super::error::ModelError;
use super::{
    china_par as cp, framingham2008 as frs, pce2013 as pce_m, prevent2023 as prv, who2019 as who,
};
use crate::profile::RangePolicy;
use crate::record::{Race, Sex};
use crate::units::{Cholesterol, Conc, ConcUnit};
use serde::Serialize;

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
    /// The status of a scalar error.
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

#[inline]
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

/// Rows per chunk of the chunked models: the kernel inputs of a chunk (at most 11 `f64`
/// columns × 256 rows = 22 KiB) stay in the L1 cache.
#[cfg(not(target_arch = "wasm32"))]
const CHUNK: usize = 256;

/// Chunked evaluation of a model with `G` coefficient sets and `F` numeric kernel inputs.
///
/// Per chunk of [`CHUNK`] rows:
/// 1. `group(i)` gives each row its coefficient set (`G` when its codes cannot be valid);
///    rows are laid out group by group (a counting sort of row indices);
/// 2. `row(i)` validates a row (the same checks and errors as the scalar API) into its
///    status and its kernel inputs, which go into struct-of-arrays columns; a failed row
///    gets the harmless inputs `dummy`;
/// 3. `kernel(coefficients, inputs)` runs as one straight-line loop per group over
///    contiguous columns with loop-invariant coefficients, which LLVM vectorises;
/// 4. results go back to row order: the value for a computed row, NaN for a failed one.
///
/// Nothing is allocated: the scratch lives on the stack.
// The arguments are one model's description (coefficient sets, placeholder inputs and
// four closures); a struct would only rename them.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn run_chunked<const F: usize, const G: usize, C: ?Sized, L: Copy>(
    n: usize,
    out: &mut [f64],
    status: &mut [u8],
    coefs: [&C; G],
    dummy: [f64; F],
    group: impl Fn(usize) -> usize,
    row: impl Fn(usize) -> Result<(L, bool), RowStatus>,
    to_array: impl Fn(L) -> [f64; F],
    kernel: impl Fn(&C, [f64; F]) -> f64,
) -> Result<BatchSummary, ModelError> {
    // wasm32 is built without SIMD and for size: the chunk layout would buy no lanes, only
    // code, so rows go one by one through the same validation and the same kernel (the
    // values are the same bits either way).
    #[cfg(target_arch = "wasm32")]
    {
        let _ = dummy;
        run(n, out, status, |i| {
            let (lane, flagged) = row(i)?;
            let c = coefs.get(group(i)).ok_or(RowStatus::InvalidCode)?;
            Ok((kernel(c, to_array(lane)), flagged))
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        chunked(n, out, status, coefs, dummy, group, row, to_array, kernel)
    }
}

/// The chunked layout of [`run_chunked`] (all targets but wasm32).
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn chunked<const F: usize, const G: usize, C: ?Sized, L: Copy>(
    n: usize,
    out: &mut [f64],
    status: &mut [u8],
    coefs: [&C; G],
    dummy: [f64; F],
    group: impl Fn(usize) -> usize,
    row: impl Fn(usize) -> Result<(L, bool), RowStatus>,
    to_array: impl Fn(L) -> [f64; F],
    kernel: impl Fn(&C, [f64; F]) -> f64,
) -> Result<BatchSummary, ModelError> {
    let l = Lens { n };
    l.check("out", out.len())?;
    l.check("status", status.len())?;
    let mut cols = [[0.0f64; CHUNK]; F];
    let mut res = [0.0f64; CHUNK];
    let mut vals = [0.0f64; CHUNK];
    let mut idx = [0u16; CHUNK];
    let mut grp = [0u8; CHUNK];
    let mut s = BatchSummary::default();
    for (base, (out, status)) in (0..n)
        .step_by(CHUNK)
        .zip(out.chunks_mut(CHUNK).zip(status.chunks_mut(CHUNK)))
    {
        let len = out.len();
        // 1. Groups and their offsets.
        let mut count = [0usize; 17];
        for (j, g) in grp[..len].iter_mut().enumerate() {
            let k = group(base + j).min(G);
            *g = k as u8;
            count[k + 1] += 1;
        }
        for k in 0..=G {
            count[k + 1] += count[k];
        }
        let off = count;
        let mut cursor = count;
        // 2. Validation into columns, group by group.
        for j in 0..len {
            let g = usize::from(grp[j]);
            let slot = cursor[g];
            cursor[g] += 1;
            idx[slot] = j as u16;
            let (lane, st) = match row(base + j) {
                Ok((lane, flagged)) => (to_array(lane), u8::from(flagged)),
                Err(e) => (dummy, e as u8),
            };
            status[j] = st;
            if g < G {
                for (col, v) in cols.iter_mut().zip(lane) {
                    col[slot] = v;
                }
            }
        }
        // 3. The kernel, one vectorisable loop per coefficient set.
        for (g, c) in coefs.iter().enumerate() {
            let (lo, hi) = (off[g], off[g + 1]);
            assert!(lo <= hi && hi <= CHUNK);
            for slot in lo..hi {
                res[slot] = kernel(c, std::array::from_fn(|f| cols[f][slot]));
            }
        }
        // 4. Back to row order; NaN for the rows not computed.
        for slot in 0..off[G] {
            vals[usize::from(idx[slot])] = res[slot];
        }
        for ((o, st), v) in out.iter_mut().zip(status.iter()).zip(&vals) {
            *o = if *st <= RowStatus::Flagged as u8 {
                *v
            } else {
                f64::NAN
            };
        }
        for st in status.iter() {
            match *st {
                0 => s.ok += 1,
                1 => s.flagged += 1,
                _ => s.failed += 1,
            }
        }
    }
    Ok(s)
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
    // The common row: valid codes, every value inside its ranges (no error, no range
    // flag); everything else takes the scalar API's own checks, error for error.
    let fast = |i: usize| {
        let (s, bt, sm, dm, no) = (
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
            c.north[i],
        );
        let (ur, fh) = (c.urban[i], c.family_history_ascvd[i]);
        let opt_ok = |b: u8| (b <= 1) | ((s == 0) & (b == MISSING));
        if !(((s | bt | sm | dm | no) <= 1) & opt_ok(ur) & opt_ok(fh)) {
            return None;
        }
        let opt = |b: u8| if b <= 1 { Some(b == 1) } else { None };
        cp::prepare_fast(&cp::ChinaParInput {
            sex: if s == 1 { Sex::Male } else { Sex::Female },
            age: c.age[i],
            sbp: c.sbp[i],
            bp_treated: bt == 1,
            tc: conc(c.tc[i], c.tc_unit),
            hdl: conc(c.hdl[i], c.hdl_unit),
            waist_cm: c.waist_cm[i],
            current_smoker: sm == 1,
            diabetes: dm == 1,
            north: no == 1,
            urban: opt(ur),
            family_history_ascvd: opt(fh),
        })
    };
    let slow = |i: usize| -> Result<(cp::Prepared, cp::ChinaParFlags), RowStatus> {
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
        Ok(cp::prepare(&input, policy)?)
    };
    let dummy = cp::Prepared {
        male: false,
        age: 50.0,
        sbp: 120.0,
        treated: false,
        tc_mgdl: 200.0,
        hdl_mgdl: 50.0,
        waist: 80.0,
        smoker: false,
        diabetes: false,
        north: false,
        urban: false,
        fh: false,
    };
    run_chunked(
        l.n,
        out,
        status,
        [&cp::WOMEN, &cp::MEN],
        dummy.lane().to_array(),
        |i| usize::from(c.sex[i]),
        |i| {
            let (p, f) = match fast(i) {
                Some(r) => r,
                None => slow(i)?,
            };
            debug_assert_eq!(p.male, c.sex[i] == 1);
            Ok((p.lane(), f.any()))
        },
        cp::Lane::to_array,
        |co, a| cp::kernel_lane(co, &cp::Lane::from_array(a)),
    )
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
    let fast = |i: usize| {
        let (r, s, bt, sm, dm) = (
            c.race[i],
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
        );
        if !((r <= 2) & ((s | bt | sm | dm) <= 1)) {
            return None;
        }
        pce_m::prepare_fast(&pce_m::PceInput {
            race: [Race::Other, Race::White, Race::AfricanAmerican][usize::from(r)],
            sex: if s == 1 { Sex::Male } else { Sex::Female },
            age: c.age[i],
            tc: conc(c.tc[i], c.tc_unit),
            hdl: conc(c.hdl[i], c.hdl_unit),
            sbp: c.sbp[i],
            bp_treated: bt == 1,
            current_smoker: sm == 1,
            diabetes: dm == 1,
        })
    };
    let slow = |i: usize| -> Result<(pce_m::Prepared, pce_m::PceFlags), RowStatus> {
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
        Ok(pce_m::prepare(&input, policy)?)
    };
    // Coefficient sets in the order of `group`: 2 · sex + African American.
    let coefs = [
        &pce_m::WHITE_WOMEN,
        &pce_m::AA_WOMEN,
        &pce_m::WHITE_MEN,
        &pce_m::AA_MEN,
    ];
    let group = |i: usize| {
        let (s, r) = (c.sex[i], c.race[i]);
        if s <= 1 && r <= 2 {
            2 * usize::from(s) + usize::from(r == 2)
        } else {
            4
        }
    };
    let dummy = pce_m::Lane {
        age: 50.0,
        tc_mgdl: 200.0,
        hdl_mgdl: 50.0,
        sbp: 120.0,
        ..Default::default()
    };
    run_chunked(
        l.n,
        out,
        status,
        coefs,
        dummy.to_array(),
        group,
        |i| {
            let (p, f) = match fast(i) {
                Some(r) => r,
                None => slow(i)?,
            };
            debug_assert_eq!(p.c, coefs[group(i)]);
            Ok((p.lane(), f.any()))
        },
        pce_m::Lane::to_array,
        |co, a| pce_m::kernel_lane(co, &pce_m::Lane::from_array(a)),
    )
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
    let rows = [
        who::calibration_row(cal, Sex::Female)?,
        who::calibration_row(cal, Sex::Male)?,
    ];
    run(l.n, out, status, |i| {
        let s = sex(c.sex[i])?;
        let input = who::WhoLabInput {
            sex: s,
            age: c.age[i],
            sbp: c.sbp[i],
            tc: conc(c.tc[i], c.tc_unit),
            diabetes: flag(c.diabetes[i])?,
            current_smoker: flag(c.current_smoker[i])?,
        };
        let (p, f) = who::prepare_lab(&input, policy)?;
        Ok((
            super::clamp_pct(who::kernel(&p, rows[usize::from(s == Sex::Male)]).0),
            f.any(),
        ))
    })
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
    let rows = [
        who::calibration_row(cal, Sex::Female)?,
        who::calibration_row(cal, Sex::Male)?,
    ];
    run(l.n, out, status, |i| {
        let s = sex(c.sex[i])?;
        let input = who::WhoNonLabInput {
            sex: s,
            age: c.age[i],
            sbp: c.sbp[i],
            bmi: c.bmi[i],
            current_smoker: flag(c.current_smoker[i])?,
        };
        let (p, f) = who::prepare_nonlab(&input, policy)?;
        Ok((
            super::clamp_pct(who::kernel(&p, rows[usize::from(s == Sex::Male)]).0),
            f.any(),
        ))
    })
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
    let fast = |i: usize| {
        let (s, bt, sm, dm) = (
            c.sex[i],
            c.bp_treated[i],
            c.current_smoker[i],
            c.diabetes[i],
        );
        if (s | bt | sm | dm) > 1 {
            return None;
        }
        frs::prepare_fast(&frs::FraminghamInput {
            sex: if s == 1 { Sex::Male } else { Sex::Female },
            age: c.age[i],
            tc: conc(c.tc[i], c.tc_unit),
            hdl: conc(c.hdl[i], c.hdl_unit),
            sbp: c.sbp[i],
            bp_treated: bt == 1,
            current_smoker: sm == 1,
            diabetes: dm == 1,
        })
    };
    let slow = |i: usize| -> Result<(frs::Prepared, frs::FraminghamFlags), RowStatus> {
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
        Ok(frs::prepare(&input, policy)?)
    };
    let dummy = frs::Lane {
        age: 50.0,
        tc_mgdl: 200.0,
        hdl_mgdl: 50.0,
        sbp: 120.0,
        ..Default::default()
    };
    run_chunked(
        l.n,
        out,
        status,
        [&frs::WOMEN, &frs::MEN],
        dummy.to_array(),
        |i| usize::from(c.sex[i]),
        |i| {
            let (p, f) = match fast(i) {
                Some(r) => r,
                None => slow(i)?,
            };
            debug_assert_eq!(p.male, c.sex[i] == 1);
            Ok((p.lane(), f.any()))
        },
        frs::Lane::to_array,
        |co, a| frs::kernel_lane(co, &frs::Lane::from_array(a)),
    )
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
        /// Mostly valid codes, sometimes missing or invalid.
        fn code(&mut self) -> u8 {
            if self.next() % 16 == 0 {
                self.pick(&[2, 7, MISSING, 254])
            } else {
                (self.next() & 1) as u8
            }
        }
        /// Mostly in `lo..hi`, sometimes at or just past a bound, implausible or not finite.
        fn value(&mut self, lo: f64, hi: f64) -> f64 {
            let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
            match self.next() % 24 {
                0 => self.pick(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 0.0]),
                1 => self.pick(&[lo, hi, lo * 0.999_999, hi * 1.000_001]),
                2 => lo * 0.5 + u * lo * 0.5,
                3 => hi + u * hi,
                _ => lo + (hi - lo) * u,
            }
        }
        fn values(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
            (0..n).map(|_| self.value(lo, hi)).collect()
        }
        fn codes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.code()).collect()
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

    /// The chunked paths against the row-by-row reference (scalar validation and kernel
    /// per row, as before chunking): every value bit for bit, every status byte and the
    /// summary, for both policies, both units and rows that fail in every way.
    #[test]
    fn chunked_equals_row_by_row() {
        const N: usize = 3 * CHUNK + 77;
        let mut r = Rng(0x5EED_0FC0_FFEE);
        for round in 0..8 {
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
                r.codes(N),
                r.values(N, 20.0, 85.0),
                r.values(N, 70.0, 200.0),
                r.values(N, tc_lo, tc_hi),
                r.values(N, hdl_lo, hdl_hi),
                r.values(N, 50.0, 130.0),
            );
            let b: Vec<Vec<u8>> = (0..6).map(|_| r.codes(N)).collect();
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
            assert!(s.ok > 0 && s.flagged > 0 && s.failed > 0, "{s:?}");

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
            assert!(s.ok > 0 && s.flagged > 0 && s.failed > 0, "{s:?}");

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
            assert!(s.ok > 0 && s.failed > 0, "{s:?}");
        }
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
