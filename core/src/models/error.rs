//! Errors and input checks shared by the risk equations (risk-models.md RM-GEN-4/5).

use crate::profile::RangePolicy;
use serde::Serialize;

/// A range bound for a message: rounded to 6 decimals, so that a bound converted from
/// mmol/L (20 × 38.67 = 773.4000000000001) prints as the number it stands for (773.4).
fn tidy(v: &f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Why a risk equation did not return a value.
///
/// Field names are the exchange-format column names (`age`, `sbp`, `tc_mmol`,
/// `tc_mgdl`, `hdl_mmol`, `hdl_mgdl`, `waist_cm`, `bmi`, `egfr`, …).
#[derive(Copy, Clone, Debug, PartialEq, thiserror::Error, Serialize)]
pub enum ModelError {
    /// A value outside the model's accepted range (under [`RangePolicy::Strict`]) or
    /// outside the physiologically plausible range (always, spec/domain.md §12.3).
    #[error("`{field}` is {value}, must be in {}..={} {unit} for the {model}", tidy(.lo), tidy(.hi))]
    OutOfRange {
        /// Display name of the model (`"Pooled Cohort Equations"`).
        model: &'static str,
        /// Exchange-format field name.
        field: &'static str,
        /// The value passed in, in `unit`.
        value: f64,
        /// Lower bound (closed).
        lo: f64,
        /// Upper bound (closed).
        hi: f64,
        /// Unit of `value`, `lo` and `hi`.
        unit: &'static str,
    },
    /// NaN or an infinity.
    #[error("`{field}` is {value}, not a finite number, for the {model}")]
    NotFinite {
        /// Display name of the model.
        model: &'static str,
        /// Exchange-format field name.
        field: &'static str,
        /// The value passed in.
        value: f64,
    },
    /// A required input is missing (RM-GEN-5).
    #[error(
        "`{field}` is missing; every input with a non-zero coefficient is required by the {model}"
    )]
    MissingInput {
        /// Display name of the model.
        model: &'static str,
        /// Exchange-format field name.
        field: &'static str,
    },
    /// A batch column has the wrong length.
    #[error("column `{field}` has {len} rows, expected {expected}")]
    LengthMismatch {
        /// Column name.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The length of the first input column.
        expected: usize,
    },
    /// A compiled-in coefficient table could not be parsed (caught by the data-table tests).
    #[error("compiled-in table `{table}` is malformed: {detail}")]
    DataTable {
        /// File name of the table.
        table: &'static str,
        /// What is wrong.
        detail: &'static str,
    },
}

/// One closed input range `[lo, hi]` in `unit`, named by its exchange-format field.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct InputRange {
    /// Exchange-format field name (`age`, `tc_mmol`, …).
    pub field: &'static str,
    /// Lower bound (closed).
    pub lo: f64,
    /// Upper bound (closed).
    pub hi: f64,
    /// Unit of the bounds.
    pub unit: &'static str,
    /// How the range is enforced.
    pub kind: RangeKind,
}

/// How an [`InputRange`] is enforced.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RangeKind {
    /// Outside → error under [`RangePolicy::Strict`], flag under [`RangePolicy::Flag`].
    Policy,
    /// Outside → computed and flagged whatever the policy (e.g. the PCE's
    /// \[UNVERIFIED\] validated ranges, RM-PCE-5).
    FlagOnly,
    /// Outside → always an error (physiologically implausible, domain.md §12.3).
    Plausibility,
}

impl InputRange {
    pub(crate) const fn new(
        field: &'static str,
        lo: f64,
        hi: f64,
        unit: &'static str,
        kind: RangeKind,
    ) -> Self {
        InputRange {
            field,
            lo,
            hi,
            unit,
            kind,
        }
    }

    /// True when `v` lies in the closed interval (false for NaN).
    #[inline(always)]
    pub fn contains(&self, v: f64) -> bool {
        v >= self.lo && v <= self.hi
    }

    fn error(&self, model: &'static str, value: f64) -> ModelError {
        ModelError::OutOfRange {
            model,
            field: self.field,
            value,
            lo: self.lo,
            hi: self.hi,
            unit: self.unit,
        }
    }

    /// Checks `v`: `Ok(false)` inside, `Ok(true)` outside but to be computed and
    /// flagged, `Err` for a non-finite value or an enforced bound.
    pub(crate) fn check(
        &self,
        model: &'static str,
        v: f64,
        policy: RangePolicy,
    ) -> Result<bool, ModelError> {
        // Inside first: the bounds are finite, so a value inside is finite (and NaN is
        // never inside), the same answer as testing finiteness first.
        debug_assert!(self.lo.is_finite() && self.hi.is_finite());
        if self.contains(v) {
            return Ok(false);
        }
        if !v.is_finite() {
            return Err(ModelError::NotFinite {
                model,
                field: self.field,
                value: v,
            });
        }
        match (self.kind, policy) {
            (RangeKind::FlagOnly, _) | (RangeKind::Policy, RangePolicy::Flag) => Ok(true),
            _ => Err(self.error(model, v)),
        }
    }
}

/// Checks a value against its plausibility range (always enforced) and then its model
/// range. Returns whether the model range was exceeded (to be flagged).
///
/// A value inside both ranges (almost every value) is decided inline on native
/// targets; anything else goes to the full checks out of line. (No finiteness test on
/// the fast path: every range has finite bounds, so a value inside is finite.)
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn check2(
    model: &'static str,
    v: f64,
    plaus: &InputRange,
    range: &InputRange,
    policy: RangePolicy,
) -> Result<bool, ModelError> {
    if plaus.contains(v) && range.contains(v) {
        return Ok(false);
    }
    check2_slow(model, v, plaus, range, policy)
}

/// [`check2`] for a value outside a range or not finite.
#[cold]
#[inline(never)]
fn check2_slow(
    model: &'static str,
    v: f64,
    plaus: &InputRange,
    range: &InputRange,
    policy: RangePolicy,
) -> Result<bool, ModelError> {
    plaus.check(model, v, RangePolicy::Strict)?;
    range.check(model, v, policy)
}

/// Plausibility ranges of spec/domain.md §12.3 (DQ-RANGE-*), in the exchange fields'
/// units. A value outside is physiologically implausible and never enters an equation
/// (RM-GEN-4), whatever the [`RangePolicy`].
pub mod plausible {
    use super::{InputRange, RangeKind::Plausibility};
    /// DQ-RANGE-18 age, years.
    pub const AGE: InputRange = InputRange::new("age", 15.0, 120.0, "years", Plausibility);
    /// DQ-RANGE-8 SBP, mmHg.
    pub const SBP: InputRange = InputRange::new("sbp", 70.0, 270.0, "mmHg", Plausibility);
    /// DQ-RANGE-10 TC, mmol/L.
    pub const TC_MMOL: InputRange = InputRange::new("tc_mmol", 1.75, 20.0, "mmol/L", Plausibility);
    /// DQ-RANGE-10 TC in mg/dL (1.75–20 mmol/L × 38.67, UNIT-1a).
    pub const TC_MGDL: InputRange =
        InputRange::new("tc_mgdl", 1.75 * 38.67, 20.0 * 38.67, "mg/dL", Plausibility);
    /// DQ-RANGE-11 HDL-C, mmol/L.
    pub const HDL_MMOL: InputRange = InputRange::new("hdl_mmol", 0.5, 10.0, "mmol/L", Plausibility);
    /// DQ-RANGE-11 HDL-C in mg/dL (× 38.67).
    pub const HDL_MGDL: InputRange =
        InputRange::new("hdl_mgdl", 0.5 * 38.67, 10.0 * 38.67, "mg/dL", Plausibility);
    /// DQ-RANGE-4 waist, cm.
    pub const WAIST: InputRange = InputRange::new("waist_cm", 30.0, 300.0, "cm", Plausibility);
    /// DQ-RANGE-3 BMI, kg/m².
    pub const BMI: InputRange = InputRange::new("bmi", 10.0, 80.0, "kg/m²", Plausibility);
    /// DQ-RANGE-17 eGFR, mL/min/1.73 m².
    pub const EGFR: InputRange =
        InputRange::new("egfr", 5.0, 250.0, "mL/min/1.73 m²", Plausibility);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{china_par, framingham2008, pce2013, prevent2023, who2019};

    /// The checks' fast paths skip the finiteness test because every range has finite
    /// bounds: so it must stay.
    #[test]
    fn every_range_has_finite_bounds() {
        let all = [
            plausible::AGE,
            plausible::SBP,
            plausible::TC_MMOL,
            plausible::TC_MGDL,
            plausible::HDL_MMOL,
            plausible::HDL_MGDL,
            plausible::WAIST,
            plausible::BMI,
            plausible::EGFR,
        ];
        for r in all
            .iter()
            .chain(china_par::RANGES)
            .chain(pce2013::RANGES)
            .chain(framingham2008::RANGES)
            .chain(prevent2023::RANGES)
            .chain(who2019::RANGES)
        {
            assert!(r.lo.is_finite() && r.hi.is_finite(), "{r:?}");
        }
    }

    #[test]
    fn converted_bounds_print_as_the_numbers_they_stand_for() {
        let e = ModelError::OutOfRange {
            model: "China-PAR",
            field: "tc_mgdl",
            value: 800.0,
            lo: 1.75 * 38.67,
            hi: 20.0 * 38.67,
            unit: "mg/dL",
        };
        assert_eq!(
            e.to_string(),
            "`tc_mgdl` is 800, must be in 67.6725..=773.4 mg/dL for the China-PAR"
        );
    }
}
