//! China-PAR 10-year ASCVD risk (spec/risk-models.md RM-CPAR-1…11) and the
//! externally supplied lifetime risk (RM-CPAR-LIFE).
//!
//! Shipped parameter set (RM-CPAR-5, DECISION, numerically verified): the 3-decimal
//! coefficients of T/JPMA 024—2024 (set B), X̄ 140.68 / 117.26, S10 0.9707 / 0.98507,
//! TC and HDL-C in mmol/L converted to mg/dL by ÷ 0.0259 (RM-CPAR-3). Model id
//! `china-par-10y@tjpma2024-3dp` (RM-GEN-6).
//!
//! ```
//! use cvdscreen::models::china_par::{china_par_10y, ChinaParInput, RiskLevel10};
//! use cvdscreen::profile::RangePolicy;
//! use cvdscreen::record::Sex;
//! use cvdscreen::units::Conc;
//! // 2019 guideline, Appendix 1 (RM-CPAR-6).
//! let input = ChinaParInput {
//!     sex: Sex::Male, age: 40.0, sbp: 145.0, bp_treated: false,
//!     tc: Conc::mmol(5.2), hdl: Conc::mmol(1.3), waist_cm: 80.0,
//!     current_smoker: false, diabetes: false, north: true,
//!     urban: Some(true), family_history_ascvd: Some(true),
//! };
//! let r = china_par_10y(&input, RangePolicy::Strict).unwrap();
//! assert_eq!(r.risk10_display, 4.7);
//! assert_eq!(r.level, RiskLevel10::Low);
//! assert_eq!(r.ideal10_display, 1.1);
//! ```

use super::error::{check2, plausible, InputRange, ModelError, RangeKind::Policy};
use super::math::ln_normal as ln;
use super::{cox_pct, round_half_up, Logs};
use crate::profile::RangePolicy;
use crate::record::Sex;
use crate::units::{Cholesterol, Conc};
use serde::Serialize;

/// Model identifier (RM-GEN-6).
pub const MODEL_ID: &str = "china-par-10y@tjpma2024-3dp";
/// Model identifier of the externally supplied lifetime risk (RM-GEN-6).
pub const LIFETIME_MODEL_ID: &str = "china-par-lifetime@external";
/// Display name used in error messages.
pub const MODEL_NAME: &str = "China-PAR 10-year ASCVD equations";

/// RM-CPAR-3: mmol/L → mg/dL is `÷ 0.0259` (paper and official calculator), not × 38.67.
pub const MMOL_PER_MGDL: f64 = 0.0259;

/// Coefficients of one sex (RM-CPAR-2 term order).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Coefficients {
    /// ln age
    pub ln_age: f64,
    /// ln treated SBP
    pub ln_sbp_treated: f64,
    /// ln untreated SBP
    pub ln_sbp_untreated: f64,
    /// ln TC (mg/dL)
    pub ln_tc: f64,
    /// ln HDL-C (mg/dL)
    pub ln_hdl: f64,
    /// ln waist (cm)
    pub ln_waist: f64,
    /// current smoking
    pub smoker: f64,
    /// diabetes
    pub diabetes: f64,
    /// north (1 = north of the Yangtze)
    pub north: f64,
    /// urban
    pub urban: f64,
    /// family history of ASCVD
    pub family_history: f64,
    /// ln age × ln treated SBP
    pub ln_age_ln_sbp_treated: f64,
    /// ln age × ln untreated SBP
    pub ln_age_ln_sbp_untreated: f64,
    /// ln age × smoking
    pub ln_age_smoker: f64,
    /// ln age × family history
    pub ln_age_family_history: f64,
    /// X̄ = Σ coefficient × mean
    pub mean: f64,
    /// 10-year baseline survival S10
    pub s10: f64,
    /// ln S10 (checked against `s10.ln()` by a unit test)
    pub ln_s10: f64,
}

/// Men, set B. Source: Jiangsu Preventive Medicine Association group standard
/// T/JPMA 024—2024 《社区人群心血管病风险筛查技术规范》 Appendices C/D (3-dp values of
/// Yang X et al., Circulation 2016;134:1430–1440, doi:10.1161/CIRCULATIONAHA.116.022367,
/// Supplemental Table 1); S10 0.9707 from the paper's Supplemental Table 2 worked
/// formula; spec RM-CPAR-4/5.
pub const MEN: Coefficients = Coefficients {
    ln_age: 31.967,
    ln_sbp_treated: 27.388,
    ln_sbp_untreated: 26.148,
    ln_tc: 0.621,
    ln_hdl: -0.695,
    ln_waist: -0.712,
    smoker: 3.955,
    diabetes: 0.357,
    north: 0.475,
    urban: -0.164,
    family_history: 6.221,
    ln_age_ln_sbp_treated: -6.018,
    ln_age_ln_sbp_untreated: -5.731,
    ln_age_smoker: -0.939,
    ln_age_family_history: -1.534,
    mean: 140.68,
    s10: 0.9707,
    ln_s10: -0.029_737_818_263_956_432,
};

/// Women, set B (same source as [`MEN`]); urban, family-history and the age
/// interactions with smoking / family history are 0 in the women's equation. S10
/// 0.98507 fitted to the official calculator (RM-CPAR-5; the paper prints 0.99).
pub const WOMEN: Coefficients = Coefficients {
    ln_age: 24.874,
    ln_sbp_treated: 20.709,
    ln_sbp_untreated: 19.982,
    ln_tc: 0.058,
    ln_hdl: -0.217,
    ln_waist: 1.475,
    smoker: 0.495,
    diabetes: 0.567,
    north: 0.544,
    urban: 0.0,
    family_history: 0.0,
    ln_age_ln_sbp_treated: -4.528,
    ln_age_ln_sbp_untreated: -4.360,
    ln_age_smoker: 0.0,
    ln_age_family_history: 0.0,
    mean: 117.26,
    s10: 0.98507,
    ln_s10: -0.015_042_574_345_268_28,
};

impl Coefficients {
    /// `men` where `male`, else `women`, field by field (exact; per lane in the batch
    /// kernel loop, where rows of both sexes share one vectorised loop).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn select(male: bool, men: &Self, women: &Self) -> Self {
        select_fields!(
            male,
            men,
            women,
            Coefficients {
                ln_age,
                ln_sbp_treated,
                ln_sbp_untreated,
                ln_tc,
                ln_hdl,
                ln_waist,
                smoker,
                diabetes,
                north,
                urban,
                family_history,
                ln_age_ln_sbp_treated,
                ln_age_ln_sbp_untreated,
                ln_age_smoker,
                ln_age_family_history,
                mean,
                s10,
                ln_s10,
            }
        )
    }
}

/// The coefficients of `sex`.
pub fn coefficients(sex: Sex) -> &'static Coefficients {
    match sex {
        Sex::Male => &MEN,
        Sex::Female => &WOMEN,
    }
}

/// RM-CPAR-9 library ranges (the official calculator's closed intervals); age
/// 35–74 is the derivation range (flag `extrapolated_age`).
pub const RANGES: &[InputRange] = &[AGE, SBP, TC_MGDL, TC_MMOL, HDL_MGDL, HDL_MMOL, WAIST];
pub(crate) const AGE: InputRange = InputRange::new("age", 20.0, 85.0, "years", Policy);
pub(crate) const SBP: InputRange = InputRange::new("sbp", 70.0, 200.0, "mmHg", Policy);
pub(crate) const TC_MGDL: InputRange = InputRange::new("tc_mgdl", 80.0, 400.0, "mg/dL", Policy);
pub(crate) const TC_MMOL: InputRange = InputRange::new("tc_mmol", 2.0, 11.0, "mmol/L", Policy);
pub(crate) const HDL_MGDL: InputRange = InputRange::new("hdl_mgdl", 20.0, 130.0, "mg/dL", Policy);
pub(crate) const HDL_MMOL: InputRange = InputRange::new("hdl_mmol", 0.5, 4.0, "mmol/L", Policy);
pub(crate) const WAIST: InputRange = InputRange::new("waist_cm", 50.0, 130.0, "cm", Policy);

/// Derivation age range; outside it the result is flagged `extrapolated_age`.
pub const DERIVATION_AGE: (f64, f64) = (35.0, 74.0);

/// Inputs of the 10-year equation (RM-CPAR-1).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct ChinaParInput {
    /// Sex.
    pub sex: Sex,
    /// Age, years (non-integer accepted).
    pub age: f64,
    /// SBP, mmHg (the record's derived SBP).
    pub sbp: f64,
    /// On antihypertensive treatment: selects the treated SBP terms.
    pub bp_treated: bool,
    /// Total cholesterol, mg/dL or mmol/L (range checked in the unit supplied).
    pub tc: Conc<Cholesterol>,
    /// HDL-C, mg/dL or mmol/L.
    pub hdl: Conc<Cholesterol>,
    /// Waist, cm.
    pub waist_cm: f64,
    /// Current smoker (programme definition, RM-GEN-8).
    pub current_smoker: bool,
    /// Diabetes (declared; never derived from glucose).
    pub diabetes: bool,
    /// Lives north of the Yangtze.
    pub north: bool,
    /// Urban residence; required for men, ignored for women (RM-GEN-5).
    pub urban: Option<bool>,
    /// Parent or sibling with MI or stroke; required for men, ignored for women.
    pub family_history_ascvd: Option<bool>,
}

/// 10-year risk level (RM-CPAR-8), on the unrounded value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel10 {
    /// `< 5 %`
    Low,
    /// `5 % ≤ r < 10 %`
    Medium,
    /// `≥ 10 %`
    High,
}

impl RiskLevel10 {
    /// Categorises an unrounded 10-year percentage.
    pub fn of(pct: f64) -> Self {
        if pct >= 10.0 {
            RiskLevel10::High
        } else if pct >= 5.0 {
            RiskLevel10::Medium
        } else {
            RiskLevel10::Low
        }
    }
}

/// Flags of a China-PAR result.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChinaParFlags {
    /// Age outside the derivation range 35–74 (RM-CPAR-9).
    pub extrapolated_age: bool,
    /// An input outside the calculator's range, computed under [`RangePolicy::Flag`].
    pub outside_range: bool,
}

impl ChinaParFlags {
    /// True when any flag is set.
    pub fn any(&self) -> bool {
        self.extrapolated_age || self.outside_range
    }
}

/// Result of [`china_par_10y`].
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct ChinaParResult {
    /// [`MODEL_ID`].
    pub model_id: &'static str,
    /// 10-year ASCVD risk, percent, full precision.
    pub risk10_pct: f64,
    /// `risk10_pct` rounded half up to 1 decimal (official calculator display).
    pub risk10_display: f64,
    /// Category on the unrounded value.
    pub level: RiskLevel10,
    /// Ideal 10-year risk (RM-CPAR-7), percent.
    pub ideal10_pct: f64,
    /// `ideal10_pct` rounded half up to 1 decimal.
    pub ideal10_display: f64,
    /// Flags.
    pub flags: ChinaParFlags,
}

/// Checked, converted equation inputs: what the kernel sees.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(crate) struct Prepared {
    pub male: bool,
    pub age: f64,
    pub sbp: f64,
    pub treated: bool,
    pub tc_mgdl: f64,
    pub hdl_mgdl: f64,
    pub waist: f64,
    pub smoker: bool,
    pub diabetes: bool,
    pub north: bool,
    pub urban: bool,
    pub fh: bool,
}

/// Converts a cholesterol to mg/dL with the model's own factor (RM-CPAR-3).
#[inline]
pub fn to_mgdl(c: Conc<Cholesterol>) -> f64 {
    match c {
        Conc::MmolL(v) => v.value() / MMOL_PER_MGDL,
        Conc::MgDl(v) => v.value(),
    }
}

/// Checks a concentration in the unit supplied (RM-GEN-4).
pub(crate) fn check_conc(
    model: &'static str,
    c: Conc<Cholesterol>,
    mg: [&InputRange; 2],
    mmol: [&InputRange; 2],
    policy: RangePolicy,
) -> Result<bool, ModelError> {
    match c {
        Conc::MgDl(v) => check2(model, v.value(), mg[0], mg[1], policy),
        Conc::MmolL(v) => check2(model, v.value(), mmol[0], mmol[1], policy),
    }
}

/// Validates an input (RM-CPAR-9, RM-GEN-4/5) and converts it for the kernel.
pub(crate) fn prepare(
    i: &ChinaParInput,
    policy: RangePolicy,
) -> Result<(Prepared, ChinaParFlags), ModelError> {
    let mut out = false;
    out |= check2(MODEL_NAME, i.age, &plausible::AGE, &AGE, policy)?;
    out |= check2(MODEL_NAME, i.sbp, &plausible::SBP, &SBP, policy)?;
    out |= check_conc(
        MODEL_NAME,
        i.tc,
        [&plausible::TC_MGDL, &TC_MGDL],
        [&plausible::TC_MMOL, &TC_MMOL],
        policy,
    )?;
    out |= check_conc(
        MODEL_NAME,
        i.hdl,
        [&plausible::HDL_MGDL, &HDL_MGDL],
        [&plausible::HDL_MMOL, &HDL_MMOL],
        policy,
    )?;
    out |= check2(MODEL_NAME, i.waist_cm, &plausible::WAIST, &WAIST, policy)?;
    if i.sex == Sex::Male {
        // RM-CPAR-2 / RM-GEN-5: required for men; zero coefficients for women, where
        // they are not required and ignored.
        i.urban.ok_or(ModelError::MissingInput {
            model: MODEL_NAME,
            field: "urban",
        })?;
        i.family_history_ascvd.ok_or(ModelError::MissingInput {
            model: MODEL_NAME,
            field: "family_history_ascvd",
        })?;
    }
    Ok(assemble(i, out))
}

/// The kernel input and flags of an input that passed the checks of [`prepare`].
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn assemble(i: &ChinaParInput, outside_range: bool) -> (Prepared, ChinaParFlags) {
    let male = i.sex == Sex::Male;
    let (urban, fh) = if male {
        (
            i.urban.unwrap_or(false),
            i.family_history_ascvd.unwrap_or(false),
        )
    } else {
        (false, false)
    };
    let flags = ChinaParFlags {
        extrapolated_age: i.age < DERIVATION_AGE.0 || i.age > DERIVATION_AGE.1,
        outside_range,
    };
    let p = Prepared {
        male,
        age: i.age,
        sbp: i.sbp,
        treated: i.bp_treated,
        tc_mgdl: to_mgdl(i.tc),
        hdl_mgdl: to_mgdl(i.hdl),
        waist: i.waist_cm,
        smoker: i.current_smoker,
        diabetes: i.diabetes,
        north: i.north,
        urban,
        fh,
    };
    (p, flags)
}

#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn b(x: bool) -> f64 {
    if x {
        1.0
    } else {
        0.0
    }
}

/// The kernel's inputs as numbers, booleans as 0.0 / 1.0, so that a column of them
/// vectorises (the batch path keeps them in struct-of-arrays chunks).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub(crate) struct Lane {
    pub age: f64,
    pub sbp: f64,
    pub treated: f64,
    pub tc_mgdl: f64,
    pub hdl_mgdl: f64,
    pub waist: f64,
    pub smoker: f64,
    pub diabetes: f64,
    pub north: f64,
    pub urban: f64,
    pub fh: f64,
}

impl Lane {
    /// Number of fields.
    pub const N: usize = 11;
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn to_array(self) -> [f64; Self::N] {
        [
            self.age,
            self.sbp,
            self.treated,
            self.tc_mgdl,
            self.hdl_mgdl,
            self.waist,
            self.smoker,
            self.diabetes,
            self.north,
            self.urban,
            self.fh,
        ]
    }
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn from_array(a: [f64; Self::N]) -> Self {
        let [age, sbp, treated, tc_mgdl, hdl_mgdl, waist, smoker, diabetes, north, urban, fh] = a;
        Lane {
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
        }
    }
}

impl Prepared {
    /// The coefficients of the person's sex.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
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
        Lane {
            age: self.age,
            sbp: self.sbp,
            treated: b(self.treated),
            tc_mgdl: self.tc_mgdl,
            hdl_mgdl: self.hdl_mgdl,
            waist: self.waist,
            smoker: b(self.smoker),
            diabetes: b(self.diabetes),
            north: b(self.north),
            urban: b(self.urban),
            fh: b(self.fh),
        }
    }
}

/// The linear predictor X (RM-CPAR-2) with the logarithms of age, SBP and the lipids
/// in `g` and of the waist in `ln_waist` (those of the lane's values; the lane's own
/// values of these five are not read again).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn linear_predictor_logs(c: &Coefficients, g: &Logs, ln_waist: f64, l: &Lane) -> f64 {
    let (la, ls) = (g.age, g.sbp);
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
    c.ln_age * la
        + bs * ls
        + bas * la * ls
        + c.ln_tc * g.tc_mgdl
        + c.ln_hdl * g.hdl_mgdl
        + c.ln_waist * ln_waist
        + c.smoker * l.smoker
        + c.diabetes * l.diabetes
        + c.north * l.north
        + c.urban * l.urban
        + c.family_history * l.fh
        + c.ln_age_smoker * la * l.smoker
        + c.ln_age_family_history * la * l.fh
}

/// The kernel on numeric inputs: 10-year risk in percent, `100 · (1 − S10^exp(X − X̄))`.
/// Straight-line code (selects, no branches, no calls) so a loop over a column
/// vectorises; the scalar [`kernel`] is this same function.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn kernel_lane(c: &Coefficients, l: &Lane) -> f64 {
    cox_pct(kernel_head(c, l))
}

/// The first half of [`kernel_lane`]: `[X − X̄, ln S10]` for [`cox_pct`].
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn kernel_head(c: &Coefficients, l: &Lane) -> [f64; 2] {
    let g = Logs::of(l.age, l.sbp, l.tc_mgdl, l.hdl_mgdl);
    kernel_head_logs(c, &g, ln(l.waist), l)
}

/// [`kernel_head`] with the logarithms of age, SBP and the lipids in `g` and of the
/// waist in `ln_waist` (those of the lane's values, computed by the caller): the same
/// bits.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn kernel_head_logs(c: &Coefficients, g: &Logs, ln_waist: f64, l: &Lane) -> [f64; 2] {
    [linear_predictor_logs(c, g, ln_waist, l) - c.mean, c.ln_s10]
}

/// The linear predictor X (RM-CPAR-2).
#[cfg(test)]
pub(crate) fn linear_predictor(p: &Prepared) -> f64 {
    let l = p.lane();
    let g = Logs::of(l.age, l.sbp, l.tc_mgdl, l.hdl_mgdl);
    linear_predictor_logs(p.coefficients(), &g, ln(l.waist), &l)
}

/// The kernel: 10-year risk in percent, `100 · (1 − S10^exp(X − X̄))`.
#[inline]
pub(crate) fn kernel(p: &Prepared) -> f64 {
    kernel_lane(p.coefficients(), &p.lane())
}

/// RM-CPAR-7 ideal profile: SBP 120 mmHg untreated, TC 200 mg/dL, HDL-C 40 mg/dL,
/// waist 90 cm (men) / 85 cm (women), no smoking, diabetes or family history; age, sex,
/// `north` and `urban` are the person's.
const IDEAL_SBP: f64 = 120.0;
const IDEAL_TC_MGDL: f64 = 200.0;
const IDEAL_HDL_MGDL: f64 = 40.0;
const IDEAL_WAIST: [f64; 2] = [85.0, 90.0];
/// The logarithms of the ideal profile's constants, computed at compile time (the same
/// bits as at run time, see [`ln_normal`](super::math::ln_normal)).
const LN_IDEAL_SBP: f64 = ln(IDEAL_SBP);
const LN_IDEAL_TC_MGDL: f64 = ln(IDEAL_TC_MGDL);
const LN_IDEAL_HDL_MGDL: f64 = ln(IDEAL_HDL_MGDL);
const LN_IDEAL_WAIST: [f64; 2] = [ln(IDEAL_WAIST[0]), ln(IDEAL_WAIST[1])];

/// RM-CPAR-7 ideal profile for the same age, sex, `north`, `urban`.
pub(crate) fn ideal(p: &Prepared) -> Prepared {
    Prepared {
        sbp: IDEAL_SBP,
        treated: false,
        tc_mgdl: IDEAL_TC_MGDL,
        hdl_mgdl: IDEAL_HDL_MGDL,
        waist: IDEAL_WAIST[usize::from(p.male)],
        smoker: false,
        diabetes: false,
        fh: false,
        ..*p
    }
}

/// The result of a checked input, `g` holding the logarithms of `p`'s age, SBP and
/// lipids. The ideal risk is the same kernel on [`ideal`]`(p)`, whose logarithms are
/// the person's ln age and the constants above: no logarithm is taken twice.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn result(p: &Prepared, flags: ChinaParFlags, g: &Logs) -> ChinaParResult {
    let c = p.coefficients();
    let risk = cox_pct([
        linear_predictor_logs(c, g, ln(p.waist), &p.lane()) - c.mean,
        c.ln_s10,
    ]);
    let ideal_logs = Logs {
        age: g.age,
        sbp: LN_IDEAL_SBP,
        tc_mgdl: LN_IDEAL_TC_MGDL,
        hdl_mgdl: LN_IDEAL_HDL_MGDL,
    };
    let ln_waist = LN_IDEAL_WAIST[usize::from(p.male)];
    let ideal = cox_pct([
        linear_predictor_logs(c, &ideal_logs, ln_waist, &ideal(p).lane()) - c.mean,
        c.ln_s10,
    ]);
    ChinaParResult {
        model_id: MODEL_ID,
        risk10_pct: risk,
        risk10_display: round_half_up(risk, 1),
        level: RiskLevel10::of(risk),
        ideal10_pct: ideal,
        ideal10_display: round_half_up(ideal, 1),
        flags,
    }
}

/// China-PAR 10-year ASCVD risk with the ideal risk (RM-CPAR-2…9).
pub fn china_par_10y(
    input: &ChinaParInput,
    policy: RangePolicy,
) -> Result<ChinaParResult, ModelError> {
    let (p, flags) = prepare(input, policy)?;
    let g = Logs::of(p.age, p.sbp, p.tc_mgdl, p.hdl_mgdl);
    Ok(result(&p, flags, &g))
}

/// [`china_par_10y`] with the logarithms of the input's age, SBP and lipids (in mg/dL
/// as [`to_mgdl`] converts them) computed by the caller: the same result, bit for bit,
/// when `g` is [`Logs::of`] those values (the caller's responsibility; checked by
/// `from_record`'s tests).
pub(crate) fn china_par_10y_with_logs(
    input: &ChinaParInput,
    policy: RangePolicy,
    g: &Logs,
) -> Result<ChinaParResult, ModelError> {
    let (p, flags) = prepare(input, policy)?;
    Ok(result(&p, flags, g))
}

/// RM-CPAR-7 ideal 10-year risk alone, in percent, for a person's age, sex, `north`
/// and `urban` (`urban` is required for men only).
pub fn ideal_risk(
    sex: Sex,
    age: f64,
    north: bool,
    urban: Option<bool>,
    policy: RangePolicy,
) -> Result<f64, ModelError> {
    let input = ChinaParInput {
        sex,
        age,
        sbp: IDEAL_SBP,
        bp_treated: false,
        tc: Conc::mgdl(IDEAL_TC_MGDL),
        hdl: Conc::mgdl(IDEAL_HDL_MGDL),
        waist_cm: IDEAL_WAIST[usize::from(sex == Sex::Male)],
        current_smoker: false,
        diabetes: false,
        north,
        urban,
        family_history_ascvd: Some(false),
    };
    let (p, _) = prepare(&input, policy)?;
    Ok(kernel(&p))
}

/// Lifetime risk level (RM-CPAR-8): `≥ 32.8 %` high.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LifetimeLevel {
    /// `< 32.8 %`
    Low,
    /// `≥ 32.8 %`
    High,
}

/// The lifetime high-risk cut-point, percent (RM-CPAR-8, RM-CPAR-LIFE-1).
pub const LIFETIME_HIGH_PCT: f64 = 32.8;

impl LifetimeLevel {
    /// Categorises an unrounded lifetime percentage.
    pub fn of(pct: f64) -> Self {
        if pct >= LIFETIME_HIGH_PCT {
            LifetimeLevel::High
        } else {
            LifetimeLevel::Low
        }
    }
}

/// China-PAR lifetime risk (RM-CPAR-LIFE). No public coefficients exist
/// (RM-CPAR-LIFE-2), so the library never computes it: it is either unavailable or a
/// value supplied from outside (e.g. the official calculator), validated and
/// categorised.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LifetimeRisk {
    /// No value: the library has no lifetime model.
    Unavailable,
    /// An externally supplied lifetime risk.
    External {
        /// Percent, as supplied.
        pct: f64,
        /// Category on the value as supplied.
        level: LifetimeLevel,
    },
}

impl LifetimeRisk {
    /// Model id of a present value ([`LIFETIME_MODEL_ID`]).
    pub fn model_id(&self) -> Option<&'static str> {
        match self {
            LifetimeRisk::Unavailable => None,
            LifetimeRisk::External { .. } => Some(LIFETIME_MODEL_ID),
        }
    }
}

/// RM-CPAR-LIFE-3: validates an externally supplied lifetime risk (percent, closed
/// [0, 100]) and categorises it; `None` → [`LifetimeRisk::Unavailable`].
pub fn lifetime_risk(external_pct: Option<f64>) -> Result<LifetimeRisk, ModelError> {
    let Some(v) = external_pct else {
        return Ok(LifetimeRisk::Unavailable);
    };
    InputRange::new("lifetime_risk", 0.0, 100.0, "%", Policy).check(
        "China-PAR lifetime risk (external value)",
        v,
        RangePolicy::Strict,
    )?;
    Ok(LifetimeRisk::External {
        pct: v,
        level: LifetimeLevel::of(v),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guideline() -> ChinaParInput {
        ChinaParInput {
            sex: Sex::Male,
            age: 40.0,
            sbp: 145.0,
            bp_treated: false,
            tc: Conc::mmol(5.2),
            hdl: Conc::mmol(1.3),
            waist_cm: 80.0,
            current_smoker: false,
            diabetes: false,
            north: true,
            urban: Some(true),
            family_history_ascvd: Some(true),
        }
    }

    fn paper(sex: Sex, age: f64) -> ChinaParInput {
        ChinaParInput {
            sex,
            age,
            sbp: 130.0,
            bp_treated: false,
            tc: Conc::mgdl(210.0),
            hdl: Conc::mgdl(55.0),
            waist_cm: 80.0,
            current_smoker: false,
            diabetes: true,
            north: true,
            urban: Some(true),
            family_history_ascvd: Some(false),
        }
    }

    #[test]
    fn ln_s10_literals_match() {
        for c in [MEN, WOMEN] {
            assert!((c.ln_s10 - c.s10.ln()).abs() <= c.ln_s10.abs() * f64::EPSILON);
        }
    }

    #[test]
    fn guideline_example_term_by_term() {
        let (p, flags) = prepare(&guideline(), RangePolicy::Strict).unwrap();
        assert!((p.tc_mgdl - 200.7722).abs() < 1e-4);
        assert!((p.hdl_mgdl - 50.1931).abs() < 1e-4);
        assert!((linear_predictor(&p) - 141.1654).abs() < 1e-4);
        assert!(!flags.any());
        let r = china_par_10y(&guideline(), RangePolicy::Strict).unwrap();
        assert!((r.risk10_pct - 4.7172).abs() < 5e-5, "{}", r.risk10_pct);
        assert!((r.ideal10_pct - 1.1403).abs() < 5e-5, "{}", r.ideal10_pct);
        assert_eq!((r.risk10_display, r.ideal10_display), (4.7, 1.1));
        assert_eq!(r.model_id, "china-par-10y@tjpma2024-3dp");
    }

    #[test]
    fn paper_profile_at_60() {
        let (pm, _) = prepare(&paper(Sex::Male, 60.0), RangePolicy::Strict).unwrap();
        assert!((linear_predictor(&pm) - 142.0285).abs() < 1e-4);
        assert!((kernel(&pm) - 10.8221).abs() < 5e-5);
        let (pf, _) = prepare(&paper(Sex::Female, 60.0), RangePolicy::Strict).unwrap();
        assert!((linear_predictor(&pf) - 119.2288).abs() < 1e-4);
        assert!((kernel(&pf) - 10.2136).abs() < 5e-5);
    }

    #[test]
    fn ideal_risk_function_matches_result() {
        let r = china_par_10y(&guideline(), RangePolicy::Strict).unwrap();
        let i = ideal_risk(Sex::Male, 40.0, true, Some(true), RangePolicy::Strict).unwrap();
        assert_eq!(i.to_bits(), r.ideal10_pct.to_bits());
    }

    #[test]
    fn women_ignore_urban_and_family_history() {
        let base = ChinaParInput {
            sex: Sex::Female,
            urban: None,
            family_history_ascvd: None,
            ..guideline()
        };
        let a = china_par_10y(&base, RangePolicy::Strict).unwrap();
        let b = china_par_10y(
            &ChinaParInput {
                urban: Some(false),
                family_history_ascvd: Some(true),
                ..base
            },
            RangePolicy::Strict,
        )
        .unwrap();
        assert_eq!(a.risk10_pct.to_bits(), b.risk10_pct.to_bits());
        // Men need both.
        let e = china_par_10y(
            &ChinaParInput {
                urban: None,
                ..guideline()
            },
            RangePolicy::Strict,
        )
        .unwrap_err();
        assert_eq!(
            e,
            ModelError::MissingInput {
                model: MODEL_NAME,
                field: "urban"
            }
        );
        let e = china_par_10y(
            &ChinaParInput {
                family_history_ascvd: None,
                ..guideline()
            },
            RangePolicy::Strict,
        )
        .unwrap_err();
        assert!(matches!(
            e,
            ModelError::MissingInput {
                field: "family_history_ascvd",
                ..
            }
        ));
    }

    #[test]
    fn treated_terms_are_used() {
        let u = china_par_10y(&guideline(), RangePolicy::Strict).unwrap();
        let t = china_par_10y(
            &ChinaParInput {
                bp_treated: true,
                ..guideline()
            },
            RangePolicy::Strict,
        )
        .unwrap();
        assert!(t.risk10_pct > u.risk10_pct);
    }

    fn err_field(i: &ChinaParInput) -> &'static str {
        match china_par_10y(i, RangePolicy::Strict) {
            Err(ModelError::OutOfRange { field, .. }) => field,
            other => panic!("expected OutOfRange, got {other:?}"),
        }
    }

    #[test]
    fn ranges_both_sides() {
        let g = guideline();
        let ok = |i: ChinaParInput| china_par_10y(&i, RangePolicy::Strict).is_ok();
        let (lo, hi) = (20.0, 85.0);
        assert!(ok(ChinaParInput { age: lo, ..g }) && ok(ChinaParInput { age: hi, ..g }));
        assert_eq!(
            err_field(&ChinaParInput {
                age: lo - 0.01,
                ..g
            }),
            "age"
        );
        assert_eq!(
            err_field(&ChinaParInput {
                age: hi + 0.01,
                ..g
            }),
            "age"
        );
        assert!(ok(ChinaParInput { sbp: 70.0, ..g }) && ok(ChinaParInput { sbp: 200.0, ..g }));
        assert_eq!(err_field(&ChinaParInput { sbp: 69.9, ..g }), "sbp");
        assert_eq!(err_field(&ChinaParInput { sbp: 200.1, ..g }), "sbp");
        assert!(
            ok(ChinaParInput {
                tc: Conc::mgdl(80.0),
                ..g
            }) && ok(ChinaParInput {
                tc: Conc::mgdl(400.0),
                ..g
            })
        );
        assert_eq!(
            err_field(&ChinaParInput {
                tc: Conc::mgdl(79.9),
                ..g
            }),
            "tc_mgdl"
        );
        assert_eq!(
            err_field(&ChinaParInput {
                tc: Conc::mgdl(400.1),
                ..g
            }),
            "tc_mgdl"
        );
        // RM-GEN-4: checked in the unit supplied — 10.5 mmol/L passes (405 mg/dL).
        assert!(
            ok(ChinaParInput {
                tc: Conc::mmol(10.5),
                ..g
            }) && ok(ChinaParInput {
                tc: Conc::mmol(2.0),
                ..g
            })
        );
        assert_eq!(
            err_field(&ChinaParInput {
                tc: Conc::mmol(11.01),
                ..g
            }),
            "tc_mmol"
        );
        assert_eq!(
            err_field(&ChinaParInput {
                tc: Conc::mmol(1.99),
                ..g
            }),
            "tc_mmol"
        );
        assert!(
            ok(ChinaParInput {
                hdl: Conc::mgdl(20.0),
                ..g
            }) && ok(ChinaParInput {
                hdl: Conc::mgdl(130.0),
                ..g
            })
        );
        assert_eq!(
            err_field(&ChinaParInput {
                hdl: Conc::mgdl(19.9),
                ..g
            }),
            "hdl_mgdl"
        );
        assert_eq!(
            err_field(&ChinaParInput {
                hdl: Conc::mgdl(130.1),
                ..g
            }),
            "hdl_mgdl"
        );
        assert!(
            ok(ChinaParInput {
                hdl: Conc::mmol(0.5),
                ..g
            }) && ok(ChinaParInput {
                hdl: Conc::mmol(4.0),
                ..g
            })
        );
        assert_eq!(
            err_field(&ChinaParInput {
                hdl: Conc::mmol(4.01),
                ..g
            }),
            "hdl_mmol"
        );
        assert!(
            ok(ChinaParInput {
                waist_cm: 50.0,
                ..g
            }) && ok(ChinaParInput {
                waist_cm: 130.0,
                ..g
            })
        );
        assert_eq!(
            err_field(&ChinaParInput {
                waist_cm: 49.9,
                ..g
            }),
            "waist_cm"
        );
        assert_eq!(
            err_field(&ChinaParInput {
                waist_cm: 130.1,
                ..g
            }),
            "waist_cm"
        );
    }

    #[test]
    fn flag_policy_and_extrapolated_age() {
        let g = guideline();
        let r = china_par_10y(&ChinaParInput { age: 30.0, ..g }, RangePolicy::Strict).unwrap();
        assert!(r.flags.extrapolated_age && !r.flags.outside_range);
        assert!(
            !china_par_10y(&ChinaParInput { age: 35.0, ..g }, RangePolicy::Strict)
                .unwrap()
                .flags
                .extrapolated_age
        );
        assert!(
            !china_par_10y(&ChinaParInput { age: 74.0, ..g }, RangePolicy::Strict)
                .unwrap()
                .flags
                .extrapolated_age
        );
        assert!(
            china_par_10y(&ChinaParInput { age: 74.5, ..g }, RangePolicy::Strict)
                .unwrap()
                .flags
                .extrapolated_age
        );
        let f = china_par_10y(
            &ChinaParInput {
                age: 88.0,
                sbp: 210.0,
                ..g
            },
            RangePolicy::Flag,
        )
        .unwrap();
        assert!(f.flags.outside_range && f.flags.extrapolated_age);
        assert!(f.risk10_pct.is_finite());
        // Implausible values stay errors under Flag.
        assert!(matches!(
            china_par_10y(&ChinaParInput { sbp: 300.0, ..g }, RangePolicy::Flag),
            Err(ModelError::OutOfRange {
                field: "sbp",
                lo: 70.0,
                hi: 270.0,
                ..
            })
        ));
    }

    #[test]
    fn nan_and_inf_are_errors() {
        let g = guideline();
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for policy in [RangePolicy::Strict, RangePolicy::Flag] {
                assert!(matches!(
                    china_par_10y(&ChinaParInput { age: bad, ..g }, policy),
                    Err(ModelError::NotFinite { field: "age", .. })
                ));
                assert!(matches!(
                    china_par_10y(
                        &ChinaParInput {
                            hdl: Conc::mmol(bad),
                            ..g
                        },
                        policy
                    ),
                    Err(ModelError::NotFinite {
                        field: "hdl_mmol",
                        ..
                    })
                ));
                assert!(matches!(
                    china_par_10y(&ChinaParInput { waist_cm: bad, ..g }, policy),
                    Err(ModelError::NotFinite {
                        field: "waist_cm",
                        ..
                    })
                ));
            }
        }
    }

    #[test]
    fn error_message() {
        let e = china_par_10y(
            &ChinaParInput {
                age: 86.0,
                ..guideline()
            },
            RangePolicy::Strict,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`age` is 86, must be in 20..=85 years for the China-PAR 10-year ASCVD equations"
        );
    }

    #[test]
    fn categories_on_unrounded_value() {
        assert_eq!(RiskLevel10::of(4.99), RiskLevel10::Low);
        assert_eq!(RiskLevel10::of(5.0), RiskLevel10::Medium);
        assert_eq!(RiskLevel10::of(9.9999), RiskLevel10::Medium);
        assert_eq!(RiskLevel10::of(10.0), RiskLevel10::High);
        assert_eq!(LifetimeLevel::of(32.79), LifetimeLevel::Low);
        assert_eq!(LifetimeLevel::of(32.8), LifetimeLevel::High);
    }

    #[test]
    fn lifetime_external_only() {
        assert_eq!(lifetime_risk(None).unwrap(), LifetimeRisk::Unavailable);
        assert_eq!(
            lifetime_risk(Some(37.8)).unwrap(),
            LifetimeRisk::External {
                pct: 37.8,
                level: LifetimeLevel::High
            }
        );
        assert!(lifetime_risk(Some(0.0)).is_ok() && lifetime_risk(Some(100.0)).is_ok());
        assert!(matches!(
            lifetime_risk(Some(100.01)),
            Err(ModelError::OutOfRange {
                field: "lifetime_risk",
                ..
            })
        ));
        assert!(matches!(
            lifetime_risk(Some(-0.1)),
            Err(ModelError::OutOfRange { .. })
        ));
        assert!(matches!(
            lifetime_risk(Some(f64::NAN)),
            Err(ModelError::NotFinite { .. })
        ));
    }
}
