//! ACC/AHA Pooled Cohort Equations, 10-year hard ASCVD (spec/risk-models.md RM-PCE-1…6).
//!
//! Published 3-decimal coefficients of Goff et al. Appendix Table A, model id
//! `pce-2013@goff-3dp` (RM-GEN-6). TC and HDL-C in mmol/L are converted with UNIT-1a
//! (× 38.67, RM-PCE-5).
//!
//! ```
//! use cvdscreen::models::pce2013::{pce, PceInput};
//! use cvdscreen::profile::RangePolicy;
//! use cvdscreen::record::{Race, Sex};
//! use cvdscreen::units::Conc;
//! // Goff Table A profile, white man: 5.38 % with the 3-dp set (published 5.3 %).
//! let r = pce(&PceInput { race: Race::White, sex: Sex::Male, age: 55.0, tc: Conc::mgdl(213.0),
//!     hdl: Conc::mgdl(50.0), sbp: 120.0, bp_treated: false, current_smoker: false,
//!     diabetes: false }, RangePolicy::Strict).unwrap();
//! assert!((r.risk10_pct - 5.3844).abs() < 5e-5);
//! ```

use super::error::{check2, plausible, InputRange, ModelError, RangeKind};
use super::{cox_pct, round_half_up, Logs};
use crate::profile::RangePolicy;
use crate::record::{Race, Sex};
use crate::units::{Cholesterol, Conc};
use serde::Serialize;

/// Model identifier (RM-GEN-6).
pub const MODEL_ID: &str = "pce-2013@goff-3dp";
/// Display name used in error messages.
pub const MODEL_NAME: &str = "Pooled Cohort Equations";

/// One sex × race equation (RM-PCE-2; absent terms are 0).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Coefficients {
    /// ln age
    pub ln_age: f64,
    /// (ln age)²
    pub ln_age_sq: f64,
    /// ln TC
    pub ln_tc: f64,
    /// ln age × ln TC
    pub ln_age_ln_tc: f64,
    /// ln HDL-C
    pub ln_hdl: f64,
    /// ln age × ln HDL-C
    pub ln_age_ln_hdl: f64,
    /// ln treated SBP
    pub ln_sbp_treated: f64,
    /// ln age × ln treated SBP
    pub ln_age_ln_sbp_treated: f64,
    /// ln untreated SBP
    pub ln_sbp_untreated: f64,
    /// ln age × ln untreated SBP
    pub ln_age_ln_sbp_untreated: f64,
    /// current smoker
    pub smoker: f64,
    /// ln age × current smoker
    pub ln_age_smoker: f64,
    /// diabetes
    pub diabetes: f64,
    /// mean Σ
    pub mean: f64,
    /// 10-year baseline survival
    pub s0: f64,
    /// ln S0 (checked against `s0.ln()` by a unit test)
    pub ln_s0: f64,
}

// Source of the four tables below: Goff DC Jr, Lloyd-Jones DM, et al. 2013 ACC/AHA
// guideline on the assessment of cardiovascular risk. Circulation 2014;129(25 Suppl
// 2):S49-73, doi:10.1161/01.cir.0000437741.48606.98, Appendix Table A (3-dp values,
// identical in vcastro/CVrisk@601dda0 data-raw/score_coef.R and PMC4608065 Table 1 —
// whose white-women untreated-SBP 1.857 is a typo for 1.957, RM-PCE-6).

/// White women (Goff Table A).
pub const WHITE_WOMEN: Coefficients = Coefficients {
    ln_age: -29.799,
    ln_age_sq: 4.884,
    ln_tc: 13.540,
    ln_age_ln_tc: -3.114,
    ln_hdl: -13.578,
    ln_age_ln_hdl: 3.149,
    ln_sbp_treated: 2.019,
    ln_age_ln_sbp_treated: 0.0,
    ln_sbp_untreated: 1.957,
    ln_age_ln_sbp_untreated: 0.0,
    smoker: 7.574,
    ln_age_smoker: -1.665,
    diabetes: 0.661,
    mean: -29.18,
    s0: 0.9665,
    ln_s0: -0.034_073_980_333_751_44,
};

/// African-American women (Goff Table A).
pub const AA_WOMEN: Coefficients = Coefficients {
    ln_age: 17.114,
    ln_age_sq: 0.0,
    ln_tc: 0.940,
    ln_age_ln_tc: 0.0,
    ln_hdl: -18.920,
    ln_age_ln_hdl: 4.475,
    ln_sbp_treated: 29.291,
    ln_age_ln_sbp_treated: -6.432,
    ln_sbp_untreated: 27.820,
    ln_age_ln_sbp_untreated: -6.087,
    smoker: 0.691,
    ln_age_smoker: 0.0,
    diabetes: 0.874,
    mean: 86.61,
    s0: 0.9533,
    ln_s0: -0.047_825_629_482_604_55,
};

/// White men (Goff Table A).
pub const WHITE_MEN: Coefficients = Coefficients {
    ln_age: 12.344,
    ln_age_sq: 0.0,
    ln_tc: 11.853,
    ln_age_ln_tc: -2.664,
    ln_hdl: -7.990,
    ln_age_ln_hdl: 1.769,
    ln_sbp_treated: 1.797,
    ln_age_ln_sbp_treated: 0.0,
    ln_sbp_untreated: 1.764,
    ln_age_ln_sbp_untreated: 0.0,
    smoker: 7.837,
    ln_age_smoker: -1.795,
    diabetes: 0.658,
    mean: 61.18,
    s0: 0.9144,
    ln_s0: -0.089_487_166_501_536_17,
};

/// African-American men (Goff Table A).
pub const AA_MEN: Coefficients = Coefficients {
    ln_age: 2.469,
    ln_age_sq: 0.0,
    ln_tc: 0.302,
    ln_age_ln_tc: 0.0,
    ln_hdl: -0.307,
    ln_age_ln_hdl: 0.0,
    ln_sbp_treated: 1.916,
    ln_age_ln_sbp_treated: 0.0,
    ln_sbp_untreated: 1.809,
    ln_age_ln_sbp_untreated: 0.0,
    smoker: 0.549,
    ln_age_smoker: 0.0,
    diabetes: 0.645,
    mean: 19.54,
    s0: 0.8954,
    ln_s0: -0.110_484_733_175_271_92,
};

impl Coefficients {
    /// `a` where `pick_a`, else `b`, field by field (exact; per lane in the batch kernel
    /// loop, where rows of all four equations share one vectorised loop).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn select(pick_a: bool, a: &Self, b: &Self) -> Self {
        select_fields!(
            pick_a,
            a,
            b,
            Coefficients {
                ln_age,
                ln_age_sq,
                ln_tc,
                ln_age_ln_tc,
                ln_hdl,
                ln_age_ln_hdl,
                ln_sbp_treated,
                ln_age_ln_sbp_treated,
                ln_sbp_untreated,
                ln_age_ln_sbp_untreated,
                smoker,
                ln_age_smoker,
                diabetes,
                mean,
                s0,
                ln_s0,
            }
        )
    }
}

/// The equation used for `sex` and `race` (`Other` → white equations, RM-PCE-5).
pub fn coefficients(sex: Sex, race: Race) -> &'static Coefficients {
    match (sex, race) {
        (Sex::Female, Race::AfricanAmerican) => &AA_WOMEN,
        (Sex::Female, _) => &WHITE_WOMEN,
        (Sex::Male, Race::AfricanAmerican) => &AA_MEN,
        (Sex::Male, _) => &WHITE_MEN,
    }
}

pub(crate) const AGE: InputRange = InputRange::new("age", 40.0, 79.0, "years", RangeKind::Policy);
pub(crate) const TC_MGDL: InputRange =
    InputRange::new("tc_mgdl", 130.0, 320.0, "mg/dL", RangeKind::FlagOnly);
pub(crate) const HDL_MGDL: InputRange =
    InputRange::new("hdl_mgdl", 20.0, 100.0, "mg/dL", RangeKind::FlagOnly);
pub(crate) const SBP: InputRange = InputRange::new("sbp", 90.0, 200.0, "mmHg", RangeKind::FlagOnly);

/// RM-PCE-5 ranges: age 40–79 (`Strict` by policy); TC, HDL-C and SBP are the
/// \[UNVERIFIED\] ACC/AHA estimator ranges, flagged `outside_validated_range` only.
/// mmol/L lipids are converted (× 38.67) before the check.
pub const RANGES: &[InputRange] = &[AGE, TC_MGDL, HDL_MGDL, SBP];

/// Inputs (RM-PCE-1).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct PceInput {
    /// Race; `Other` (also for an empty race, RM-GEN-8) uses the white equations.
    pub race: Race,
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
    /// On antihypertensive treatment (selects the treated SBP slot; the other is 0).
    pub bp_treated: bool,
    /// Current smoker.
    pub current_smoker: bool,
    /// Diabetes.
    pub diabetes: bool,
}

/// Flags of a PCE result.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PceFlags {
    /// TC, HDL-C or SBP outside the (unverified) validated ranges.
    pub outside_validated_range: bool,
    /// Race `Other`: the white equations were used.
    pub race_substituted: bool,
    /// Age outside 40–79, computed under [`RangePolicy::Flag`].
    pub outside_age_range: bool,
}

impl PceFlags {
    /// True when any flag is set.
    pub fn any(&self) -> bool {
        self.outside_validated_range || self.race_substituted || self.outside_age_range
    }
}

/// Result of [`pce`].
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct PceResult {
    /// [`MODEL_ID`].
    pub model_id: &'static str,
    /// 10-year ASCVD risk, percent, full precision.
    pub risk10_pct: f64,
    /// Rounded half up to 1 decimal (the ACC/AHA estimator's display; DECISION).
    pub risk10_display: f64,
    /// Flags.
    pub flags: PceFlags,
}

#[derive(Copy, Clone, Debug)]
pub(crate) struct Prepared {
    pub c: &'static Coefficients,
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
        Conc::MmolL(_) => c.to_mgdl().value(),
    }
}

fn check_conc(
    c: Conc<Cholesterol>,
    pl_mg: &InputRange,
    pl_mmol: &InputRange,
    r: &InputRange,
    policy: RangePolicy,
) -> Result<(f64, bool), ModelError> {
    // Plausibility in the unit supplied, then the mg/dL validated range after UNIT-1a.
    match c {
        Conc::MgDl(v) => pl_mg.check(MODEL_NAME, v.value(), RangePolicy::Strict)?,
        Conc::MmolL(v) => pl_mmol.check(MODEL_NAME, v.value(), RangePolicy::Strict)?,
    };
    let mg = mg(c);
    Ok((mg, r.check(MODEL_NAME, mg, policy)?))
}

pub(crate) fn prepare(
    i: &PceInput,
    policy: RangePolicy,
) -> Result<(Prepared, PceFlags), ModelError> {
    let age_out = check2(MODEL_NAME, i.age, &plausible::AGE, &AGE, policy)?;
    let (_, tc_out) = check_conc(
        i.tc,
        &plausible::TC_MGDL,
        &plausible::TC_MMOL,
        &TC_MGDL,
        policy,
    )?;
    let (_, hdl_out) = check_conc(
        i.hdl,
        &plausible::HDL_MGDL,
        &plausible::HDL_MMOL,
        &HDL_MGDL,
        policy,
    )?;
    let sbp_out = check2(MODEL_NAME, i.sbp, &plausible::SBP, &SBP, policy)?;
    Ok(assemble(i, tc_out || hdl_out || sbp_out, age_out))
}

/// The kernel input and flags of an input that passed the checks of [`prepare`].
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn assemble(i: &PceInput, outside_validated_range: bool, age_out: bool) -> (Prepared, PceFlags) {
    let flags = PceFlags {
        outside_validated_range,
        race_substituted: i.race == Race::Other,
        outside_age_range: age_out,
    };
    (
        Prepared {
            c: coefficients(i.sex, i.race),
            age: i.age,
            tc_mgdl: mg(i.tc),
            hdl_mgdl: mg(i.hdl),
            sbp: i.sbp,
            treated: i.bp_treated,
            smoker: i.current_smoker,
            diabetes: i.diabetes,
        },
        flags,
    )
}

/// The kernel's inputs as numbers, booleans as 0.0 / 1.0, so that a column of them
/// vectorises (the batch path keeps them in struct-of-arrays chunks).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub(crate) struct Lane {
    pub age: f64,
    pub tc_mgdl: f64,
    pub hdl_mgdl: f64,
    pub sbp: f64,
    pub treated: f64,
    pub smoker: f64,
    pub diabetes: f64,
}

impl Lane {
    /// Number of fields.
    pub const N: usize = 7;
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn to_array(self) -> [f64; Self::N] {
        [
            self.age,
            self.tc_mgdl,
            self.hdl_mgdl,
            self.sbp,
            self.treated,
            self.smoker,
            self.diabetes,
        ]
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn from_array(a: [f64; Self::N]) -> Self {
        let [age, tc_mgdl, hdl_mgdl, sbp, treated, smoker, diabetes] = a;
        Lane {
            age,
            tc_mgdl,
            hdl_mgdl,
            sbp,
            treated,
            smoker,
            diabetes,
        }
    }
}

impl Prepared {
    /// The numeric kernel inputs.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
    let (la, lt, lh, ls) = (g.age, g.tc_mgdl, g.hdl_mgdl, g.sbp);
    // RM-PCE-1: treated and untreated SBP slots are mutually exclusive.
    let treated = l.treated != 0.0;
    let bs = if treated {
        c.ln_sbp_treated
    } else {
        c.ln_sbp_untreated
    };
    let bas = if treated {
        c.ln_age_ln_sbp_treated
    } else {
        c.ln_age_ln_sbp_untreated
    };
    let smk = l.smoker;
    let dm = l.diabetes;
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
    [x - c.mean, c.ln_s0]
}

/// The kernel: `100 · (1 − S0^exp(X − mean))` (the batch path's, for its tests).
#[cfg(test)]
pub(crate) fn kernel(p: &Prepared) -> f64 {
    let l = p.lane();
    let g = Logs::of(l.age, l.sbp, l.tc_mgdl, l.hdl_mgdl);
    cox_pct(kernel_head_logs(p.c, &g, &l))
}

/// The result for a risk of `r` percent.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn result(r: f64, flags: PceFlags) -> PceResult {
    PceResult {
        model_id: MODEL_ID,
        risk10_pct: r,
        risk10_display: round_half_up(r, 1),
        flags,
    }
}

/// Pooled Cohort Equations 10-year ASCVD risk.
pub fn pce(input: &PceInput, policy: RangePolicy) -> Result<PceResult, ModelError> {
    let (p, flags) = prepare(input, policy)?;
    let g = Logs::of(p.age, p.sbp, p.tc_mgdl, p.hdl_mgdl);
    Ok(result(cox_pct(kernel_head_logs(p.c, &g, &p.lane())), flags))
}

/// The first half of [`pce`] with the logarithms of the input's age, SBP and lipids
/// (in mg/dL, UNIT-1a) computed by the caller: the checks and `[X − mean, ln S0]`;
/// [`result`]`(`[`cox_pct`]`(head), flags)` is then `pce`'s result, bit for bit, when
/// `g` is [`Logs::of`] those values (the caller's responsibility; checked by
/// `from_record`'s tests).
pub(crate) fn head_with_logs(
    input: &PceInput,
    policy: RangePolicy,
    g: &Logs,
) -> Result<([f64; 2], PceFlags), ModelError> {
    let (p, flags) = prepare(input, policy)?;
    Ok((kernel_head_logs(p.c, g, &p.lane()), flags))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_a(race: Race, sex: Sex) -> PceInput {
        PceInput {
            race,
            sex,
            age: 55.0,
            tc: Conc::mgdl(213.0),
            hdl: Conc::mgdl(50.0),
            sbp: 120.0,
            bp_treated: false,
            current_smoker: false,
            diabetes: false,
        }
    }

    #[test]
    fn ln_s0_literals_match() {
        for c in [WHITE_WOMEN, AA_WOMEN, WHITE_MEN, AA_MEN] {
            assert!((c.ln_s0 - c.s0.ln()).abs() <= c.ln_s0.abs() * f64::EPSILON);
        }
    }

    #[test]
    fn goff_table_a() {
        // RM-PCE-4: 3-dp set gives 2.05 / 3.03 / 5.38 / 6.07 (published 2.1 / 3.0 / 5.3 / 6.1).
        let cases = [
            (Race::White, Sex::Female, 2.0522, 2.1),
            (Race::AfricanAmerican, Sex::Female, 3.0263, 3.0),
            (Race::White, Sex::Male, 5.3844, 5.3),
            (Race::AfricanAmerican, Sex::Male, 6.0734, 6.1),
        ];
        for (race, sex, computed, published) in cases {
            let r = pce(&table_a(race, sex), RangePolicy::Strict).unwrap();
            assert!(
                (r.risk10_pct - computed).abs() < 5e-5,
                "{race:?} {sex:?} {}",
                r.risk10_pct
            );
            assert!((r.risk10_pct - published).abs() <= 0.1);
            assert!(!r.flags.any());
        }
    }

    #[test]
    fn white_women_untreated_is_1_957_not_1_857() {
        assert_eq!(WHITE_WOMEN.ln_sbp_untreated, 1.957);
        let u = pce(&table_a(Race::White, Sex::Female), RangePolicy::Strict).unwrap();
        let t = pce(
            &PceInput {
                bp_treated: true,
                ..table_a(Race::White, Sex::Female)
            },
            RangePolicy::Strict,
        )
        .unwrap();
        // treated slot 2.019 > untreated 1.957 → higher risk at the same SBP.
        assert!(t.risk10_pct > u.risk10_pct);
    }

    #[test]
    fn other_race_uses_white_equations_and_flags() {
        let w = pce(&table_a(Race::White, Sex::Male), RangePolicy::Strict).unwrap();
        let o = pce(&table_a(Race::Other, Sex::Male), RangePolicy::Strict).unwrap();
        assert_eq!(w.risk10_pct.to_bits(), o.risk10_pct.to_bits());
        assert!(o.flags.race_substituted && !w.flags.race_substituted);
    }

    #[test]
    fn age_bounds() {
        let g = table_a(Race::White, Sex::Male);
        for ok in [40.0, 79.0] {
            assert!(pce(&PceInput { age: ok, ..g }, RangePolicy::Strict).is_ok());
        }
        for bad in [39.99, 79.5] {
            let e = pce(&PceInput { age: bad, ..g }, RangePolicy::Strict).unwrap_err();
            assert!(matches!(
                e,
                ModelError::OutOfRange {
                    field: "age",
                    lo: 40.0,
                    hi: 79.0,
                    ..
                }
            ));
            let f = pce(&PceInput { age: bad, ..g }, RangePolicy::Flag).unwrap();
            assert!(f.flags.outside_age_range);
        }
        let e = pce(&PceInput { age: 85.0, ..g }, RangePolicy::Strict).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`age` is 85, must be in 40..=79 years for the Pooled Cohort Equations"
        );
    }

    #[test]
    fn validated_ranges_flag_only() {
        let g = table_a(Race::White, Sex::Male);
        let flagged = |i: PceInput| {
            pce(&i, RangePolicy::Strict)
                .unwrap()
                .flags
                .outside_validated_range
        };
        assert!(
            !flagged(PceInput {
                tc: Conc::mgdl(130.0),
                ..g
            }) && !flagged(PceInput {
                tc: Conc::mgdl(320.0),
                ..g
            })
        );
        assert!(
            flagged(PceInput {
                tc: Conc::mgdl(129.9),
                ..g
            }) && flagged(PceInput {
                tc: Conc::mgdl(320.1),
                ..g
            })
        );
        assert!(
            !flagged(PceInput {
                hdl: Conc::mgdl(20.0),
                ..g
            }) && !flagged(PceInput {
                hdl: Conc::mgdl(100.0),
                ..g
            })
        );
        assert!(flagged(PceInput {
            hdl: Conc::mgdl(100.1),
            ..g
        }));
        assert!(!flagged(PceInput { sbp: 90.0, ..g }) && !flagged(PceInput { sbp: 200.0, ..g }));
        assert!(flagged(PceInput { sbp: 89.9, ..g }) && flagged(PceInput { sbp: 200.1, ..g }));
        // mmol/L converted with 38.67 before the check: 8.3 mmol/L = 320.96 mg/dL.
        assert!(flagged(PceInput {
            tc: Conc::mmol(8.3),
            ..g
        }));
        assert!(!flagged(PceInput {
            tc: Conc::mmol(8.2),
            ..g
        }));
        // Implausible stays an error.
        assert!(pce(&PceInput { sbp: 280.0, ..g }, RangePolicy::Flag).is_err());
    }

    #[test]
    fn nan_is_error() {
        let g = table_a(Race::White, Sex::Male);
        for i in [
            PceInput { age: f64::NAN, ..g },
            PceInput {
                tc: Conc::mgdl(f64::NAN),
                ..g
            },
            PceInput {
                hdl: Conc::mmol(f64::INFINITY),
                ..g
            },
            PceInput {
                sbp: f64::NEG_INFINITY,
                ..g
            },
        ] {
            assert!(matches!(
                pce(&i, RangePolicy::Flag),
                Err(ModelError::NotFinite { .. })
            ));
        }
    }
}
