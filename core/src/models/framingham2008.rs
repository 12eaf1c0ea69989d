//! Framingham general cardiovascular disease risk, 10-year (D'Agostino 2008;
//! spec/risk-models.md RM-FRS-1…4). Model id `frs-2008-cvd` (RM-GEN-6).
//!
//! ```
//! use cvdscreen::models::framingham2008::{framingham, FraminghamInput};
//! use cvdscreen::profile::RangePolicy;
//! use cvdscreen::record::Sex;
//! use cvdscreen::units::Conc;
//! let r = framingham(&FraminghamInput { sex: Sex::Female, age: 61.0, tc: Conc::mgdl(180.0),
//!     hdl: Conc::mgdl(47.0), sbp: 124.0, bp_treated: false, current_smoker: true,
//!     diabetes: false }, RangePolicy::Strict).unwrap();
//! assert!((r.risk10_pct - 10.4842).abs() < 5e-5);
//! ```

use super::error::{check2, plausible, InputRange, ModelError, RangeKind};
use super::{cox_pct, round_half_up, Logs};
use crate::profile::RangePolicy;
use crate::record::Sex;
use crate::units::{Cholesterol, Conc};
use serde::Serialize;

/// Model identifier (RM-GEN-6).
pub const MODEL_ID: &str = "frs-2008-cvd";
/// Display name used in error messages.
pub const MODEL_NAME: &str = "Framingham 2008 general CVD equation";

/// One sex's equation (RM-FRS-1).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Coefficients {
    /// ln age
    pub ln_age: f64,
    /// ln TC (mg/dL)
    pub ln_tc: f64,
    /// ln HDL-C (mg/dL)
    pub ln_hdl: f64,
    /// ln untreated SBP
    pub ln_sbp_untreated: f64,
    /// ln treated SBP
    pub ln_sbp_treated: f64,
    /// smoker
    pub smoker: f64,
    /// diabetes
    pub diabetes: f64,
    /// mean
    pub mean: f64,
    /// S0(10)
    pub s0: f64,
    /// ln S0 (checked against `s0.ln()` by a unit test)
    pub ln_s0: f64,
}

// Source: D'Agostino RB Sr, Vasan RS, Pencina MJ, et al. General cardiovascular risk
// profile for use in primary care: the Framingham Heart Study. Circulation
// 2008;117:743-753, doi:10.1161/CIRCULATIONAHA.107.699579; coefficients as on
// the framinghamheartstudy.org risk-functions page, means from the Medscape/MSD
// calculators (spec RM-FRS-2).

/// Men.
pub const MEN: Coefficients = Coefficients {
    ln_age: 3.06117,
    ln_tc: 1.12370,
    ln_hdl: -0.93263,
    ln_sbp_untreated: 1.93303,
    ln_sbp_treated: 1.99881,
    smoker: 0.65451,
    diabetes: 0.57367,
    mean: 23.9802,
    s0: 0.88936,
    ln_s0: -0.117_253_176_056_777_46,
};

/// Women.
pub const WOMEN: Coefficients = Coefficients {
    ln_age: 2.32888,
    ln_tc: 1.20904,
    ln_hdl: -0.70833,
    ln_sbp_untreated: 2.76157,
    ln_sbp_treated: 2.82263,
    smoker: 0.52873,
    diabetes: 0.69154,
    mean: 26.1931,
    s0: 0.95012,
    ln_s0: -0.051_166_986_575_244_47,
};

impl Coefficients {
    /// `men` where `male`, else `women`, field by field (exact; per lane in the batch
    /// kernel loop, where rows of both sexes share one vectorised loop).
    #[inline(always)]
    pub(crate) fn select(male: bool, men: &Self, women: &Self) -> Self {
        select_fields!(
            male,
            men,
            women,
            Coefficients {
                ln_age,
                ln_tc,
                ln_hdl,
                ln_sbp_untreated,
                ln_sbp_treated,
                smoker,
                diabetes,
                mean,
                s0,
                ln_s0,
            }
        )
    }
}

pub(crate) const AGE: InputRange = InputRange::new("age", 30.0, 74.0, "years", RangeKind::Policy);

/// RM-FRS-3: ages 30–74; no other model range (plausibility ranges only).
pub const RANGES: &[InputRange] = &[AGE];

/// Inputs (RM-FRS-1). TC/HDL-C in mmol/L are converted with UNIT-1a (× 38.67).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct FraminghamInput {
    /// Sex.
    pub sex: Sex,
    /// Age, years.
    pub age: f64,
    /// Total cholesterol.
    pub tc: Conc<Cholesterol>,
    /// HDL-C.
    pub hdl: Conc<Cholesterol>,
    /// SBP, mmHg.
    pub sbp: f64,
    /// On antihypertensive treatment.
    pub bp_treated: bool,
    /// Current smoker.
    pub current_smoker: bool,
    /// Diabetes.
    pub diabetes: bool,
}

/// Flags of a Framingham result.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FraminghamFlags {
    /// Age outside 30–74, computed under [`RangePolicy::Flag`].
    pub outside_age_range: bool,
}

impl FraminghamFlags {
    /// True when any flag is set.
    pub fn any(&self) -> bool {
        self.outside_age_range
    }
}

/// Result of [`framingham`].
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct FraminghamResult {
    /// [`MODEL_ID`].
    pub model_id: &'static str,
    /// 10-year general CVD risk, percent.
    pub risk10_pct: f64,
    /// Rounded half up to 1 decimal (DECISION; the spec fixes no display precision).
    pub risk10_display: f64,
    /// Flags.
    pub flags: FraminghamFlags,
}

#[derive(Copy, Clone, Debug)]
pub(crate) struct Prepared {
    pub male: bool,
    pub age: f64,
    pub tc_mgdl: f64,
    pub hdl_mgdl: f64,
    pub sbp: f64,
    pub treated: bool,
    pub smoker: bool,
    pub diabetes: bool,
}

/// A cholesterol in mg/dL (UNIT-1a for mmol/L).
#[inline(always)]
pub(crate) fn mg(c: Conc<Cholesterol>) -> f64 {
    match c {
        Conc::MgDl(v) => v.value(),
        Conc::MmolL(v) => v.to_mgdl().value(),
    }
}

fn mgdl(c: Conc<Cholesterol>, pl_mg: &InputRange, pl_mmol: &InputRange) -> Result<f64, ModelError> {
    match c {
        Conc::MgDl(v) => pl_mg.check(MODEL_NAME, v.value(), RangePolicy::Strict)?,
        Conc::MmolL(v) => pl_mmol.check(MODEL_NAME, v.value(), RangePolicy::Strict)?,
    };
    Ok(mg(c))
}

pub(crate) fn prepare(
    i: &FraminghamInput,
    policy: RangePolicy,
) -> Result<(Prepared, FraminghamFlags), ModelError> {
    let out = check2(MODEL_NAME, i.age, &plausible::AGE, &AGE, policy)?;
    mgdl(i.tc, &plausible::TC_MGDL, &plausible::TC_MMOL)?;
    mgdl(i.hdl, &plausible::HDL_MGDL, &plausible::HDL_MMOL)?;
    plausible::SBP.check(MODEL_NAME, i.sbp, RangePolicy::Strict)?;
    Ok(assemble(i, out))
}

/// The kernel input and flags of an input that passed the checks of [`prepare`].
#[inline(always)]
fn assemble(i: &FraminghamInput, outside_age_range: bool) -> (Prepared, FraminghamFlags) {
    (
        Prepared {
            male: i.sex == Sex::Male,
            age: i.age,
            tc_mgdl: mg(i.tc),
            hdl_mgdl: mg(i.hdl),
            sbp: i.sbp,
            treated: i.bp_treated,
            smoker: i.current_smoker,
            diabetes: i.diabetes,
        },
        FraminghamFlags { outside_age_range },
    )
}

/// The kernel's inputs as numbers: the same seven as the PCE kernel (age, TC, HDL-C,
/// SBP, treated, smoker, diabetes), so the two models share one lane type.
pub(crate) use super::pce2013::Lane;

impl Prepared {
    /// The coefficients of the person's sex.
    #[inline(always)]
    pub fn coefficients(&self) -> &'static Coefficients {
        if self.male {
            &MEN
        } else {
            &WOMEN
        }
    }
    /// The numeric kernel inputs.
    #[inline(always)]
    pub fn lane(&self) -> Lane {
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        Lane {
            age: self.age,
            tc_mgdl: self.tc_mgdl,
            hdl_mgdl: self.hdl_mgdl,
            sbp: self.sbp,
            treated: b(self.treated),
            smoker: b(self.smoker),
            diabetes: b(self.diabetes),
        }
    }
}

/// The first half of the kernel on numeric inputs, `100 · (1 − S0^exp(X − mean))`:
/// `[X − mean, ln S0]` for [`cox_pct`], with the logarithms of the lane's age, SBP, TC
/// and HDL-C in `g` ([`Logs::of`]). Straight-line code (selects, no branches, no calls)
/// so that a loop over a column vectorises ([`batch`](super::batch), which takes the
/// logarithms in loops of their own); the scalar API runs the same arithmetic.
#[inline(always)]
pub(crate) fn kernel_head_logs(c: &Coefficients, g: &Logs, l: &Lane) -> [f64; 2] {
    let bs = if l.treated != 0.0 {
        c.ln_sbp_treated
    } else {
        c.ln_sbp_untreated
    };
    let x = c.ln_age * g.age
        + c.ln_tc * g.tc_mgdl
        + c.ln_hdl * g.hdl_mgdl
        + bs * g.sbp
        + if l.smoker != 0.0 { c.smoker } else { 0.0 }
        + if l.diabetes != 0.0 { c.diabetes } else { 0.0 };
    [x - c.mean, c.ln_s0]
}

/// The kernel: `100 · (1 − S0^exp(X − mean))` (the batch path's, for its tests).
#[cfg(test)]
pub(crate) fn kernel(p: &Prepared) -> f64 {
    let l = p.lane();
    let g = Logs::of(l.age, l.sbp, l.tc_mgdl, l.hdl_mgdl);
    cox_pct(kernel_head_logs(p.coefficients(), &g, &l))
}

/// The result for a risk of `r` percent.
#[inline(always)]
pub(crate) fn result(r: f64, flags: FraminghamFlags) -> FraminghamResult {
    FraminghamResult {
        model_id: MODEL_ID,
        risk10_pct: r,
        risk10_display: round_half_up(r, 1),
        flags,
    }
}

/// Framingham 2008 general CVD 10-year risk.
pub fn framingham(
    input: &FraminghamInput,
    policy: RangePolicy,
) -> Result<FraminghamResult, ModelError> {
    let (p, flags) = prepare(input, policy)?;
    let g = Logs::of(p.age, p.sbp, p.tc_mgdl, p.hdl_mgdl);
    let head = kernel_head_logs(p.coefficients(), &g, &p.lane());
    Ok(result(cox_pct(head), flags))
}

/// The first half of [`framingham`] with the logarithms of the input's age, SBP and
/// lipids (in mg/dL, UNIT-1a) computed by the caller: the checks and
/// `[X − mean, ln S0]`; [`result`]`(`[`cox_pct`]`(head), flags)` is then
/// `framingham`'s result, bit for bit, when `g` is [`Logs::of`] those values (the
/// caller's responsibility; checked by `from_record`'s tests).
pub(crate) fn head_with_logs(
    input: &FraminghamInput,
    policy: RangePolicy,
    g: &Logs,
) -> Result<([f64; 2], FraminghamFlags), ModelError> {
    let (p, flags) = prepare(input, policy)?;
    Ok((kernel_head_logs(p.coefficients(), g, &p.lane()), flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn woman() -> FraminghamInput {
        FraminghamInput {
            sex: Sex::Female,
            age: 61.0,
            tc: Conc::mgdl(180.0),
            hdl: Conc::mgdl(47.0),
            sbp: 124.0,
            bp_treated: false,
            current_smoker: true,
            diabetes: false,
        }
    }

    #[test]
    fn ln_s0_literals_match() {
        for c in [MEN, WOMEN] {
            assert!((c.ln_s0 - c.s0.ln()).abs() <= c.ln_s0.abs() * f64::EPSILON);
        }
    }

    #[test]
    fn worked_examples() {
        let r = framingham(&woman(), RangePolicy::Strict).unwrap();
        assert!((r.risk10_pct - 10.4842).abs() < 5e-5, "{}", r.risk10_pct);
        let m = FraminghamInput {
            sex: Sex::Male,
            age: 53.0,
            tc: Conc::mgdl(161.0),
            hdl: Conc::mgdl(55.0),
            sbp: 125.0,
            bp_treated: true,
            current_smoker: false,
            diabetes: true,
        };
        let r = framingham(&m, RangePolicy::Strict).unwrap();
        assert!((r.risk10_pct - 15.6227).abs() < 5e-5, "{}", r.risk10_pct);
        // CVrisk package test: 13.53 %.
        let c = FraminghamInput {
            age: 55.0,
            tc: Conc::mgdl(213.0),
            hdl: Conc::mgdl(50.0),
            sbp: 140.0,
            bp_treated: false,
            diabetes: false,
            ..m
        };
        assert_eq!(
            round_half_up(framingham(&c, RangePolicy::Strict).unwrap().risk10_pct, 2),
            13.53
        );
    }

    #[test]
    fn age_range_and_nan() {
        let w = woman();
        for ok in [30.0, 74.0] {
            assert!(framingham(&FraminghamInput { age: ok, ..w }, RangePolicy::Strict).is_ok());
        }
        for bad in [29.9, 74.5] {
            assert!(matches!(
                framingham(&FraminghamInput { age: bad, ..w }, RangePolicy::Strict),
                Err(ModelError::OutOfRange {
                    field: "age",
                    lo: 30.0,
                    hi: 74.0,
                    ..
                })
            ));
            assert!(
                framingham(&FraminghamInput { age: bad, ..w }, RangePolicy::Flag)
                    .unwrap()
                    .flags
                    .outside_age_range
            );
        }
        assert!(matches!(
            framingham(
                &FraminghamInput {
                    tc: Conc::mmol(f64::NAN),
                    ..w
                },
                RangePolicy::Flag
            ),
            Err(ModelError::NotFinite {
                field: "tc_mmol",
                ..
            })
        ));
        assert!(matches!(
            framingham(&FraminghamInput { sbp: 60.0, ..w }, RangePolicy::Flag),
            Err(ModelError::OutOfRange { field: "sbp", .. })
        ));
    }
}
