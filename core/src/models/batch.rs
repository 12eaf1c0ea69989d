//! Columnar (struct-of-slices) evaluation of the risk equations.
//!
//! Every input variable is a slice; booleans and sex are `u8` codes; the caller
//! provides the output slice (percent) and a status slice. Nothing is allocated per
//! row, and each row goes through the same validation and kernel as the scalar
//! function, so a computed value is bit-for-bit the scalar result.
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
    run(l.n, out, status, |i| {
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
        let (p, f) = cp::prepare(&input, policy)?;
        Ok((cp::kernel(&p), f.any()))
    })
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
    run(l.n, out, status, |i| {
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
        let (p, f) = pce_m::prepare(&input, policy)?;
        Ok((pce_m::kernel(&p), f.any()))
    })
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
    run(l.n, out, status, |i| {
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
        let (p, f) = frs::prepare(&input, policy)?;
        Ok((frs::kernel(&p), f.any()))
    })
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
