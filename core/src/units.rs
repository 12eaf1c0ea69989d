//! Typed quantities and the conversion constants of spec/domain.md §1 (UNIT-*).
//!
//! A concentration carries its analyte and its unit in its type, so a cholesterol
//! in mg/dL cannot be passed where mmol/L is meant:
//!
//! ```
//! use cvdscreen::units::{Cholesterol, MgDl, MmolL};
//! let tc = MmolL::<Cholesterol>::new(5.2);
//! let tc_mgdl: MgDl<Cholesterol> = tc.to_mgdl();
//! assert!((tc_mgdl.value() - 201.084).abs() < 1e-9);
//! ```
//!
//! Conversions use the rounded factors of UNIT-1a (38.67, 88.57, 18.0) and convert
//! mg/dL → mmol/L by *dividing* by them. Risk equations that define their own
//! factor (China-PAR ÷ 0.0259, PREVENT × 0.02586, UNIT-4) apply it themselves.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

/// UNIT-1 / UNIT-1a: cholesterols (TC, LDL-C, HDL-C, non-HDL-C), mg/dL per mmol/L. [CONFIRMED-S S21; DECISION on the rounded factor]
pub const CHOLESTEROL_MGDL_PER_MMOL: f64 = 38.67;
/// UNIT-2 / UNIT-1a: triglycerides, mg/dL per mmol/L. [CONFIRMED-S S21]
pub const TRIGLYCERIDE_MGDL_PER_MMOL: f64 = 88.57;
/// UNIT-3 / UNIT-1a: glucose, mg/dL per mmol/L. [CONFIRMED-S S21]
pub const GLUCOSE_MGDL_PER_MMOL: f64 = 18.0;

/// An analyte measured as a concentration that can be reported in mmol/L or mg/dL.
pub trait Analyte: Copy + Clone + fmt::Debug + PartialEq + Default + 'static {
    /// mg/dL per mmol/L for this analyte (UNIT-1a).
    const MGDL_PER_MMOL: f64;
    /// Short name used in messages (`"cholesterol"`).
    const NAME: &'static str;
}

/// Total, LDL, HDL and non-HDL cholesterol (UNIT-1).
#[derive(Copy, Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Cholesterol;
impl Analyte for Cholesterol {
    const MGDL_PER_MMOL: f64 = CHOLESTEROL_MGDL_PER_MMOL;
    const NAME: &'static str = "cholesterol";
}

/// Triglycerides (UNIT-2).
#[derive(Copy, Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Triglycerides;
impl Analyte for Triglycerides {
    const MGDL_PER_MMOL: f64 = TRIGLYCERIDE_MGDL_PER_MMOL;
    const NAME: &'static str = "triglycerides";
}

/// Glucose (UNIT-3).
#[derive(Copy, Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Glucose;
impl Analyte for Glucose {
    const MGDL_PER_MMOL: f64 = GLUCOSE_MGDL_PER_MMOL;
    const NAME: &'static str = "glucose";
}

/// A concentration in mmol/L of analyte `A`.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
pub struct MmolL<A: Analyte>(f64, #[serde(skip)] PhantomData<A>);

/// A concentration in mg/dL of analyte `A`.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
pub struct MgDl<A: Analyte>(f64, #[serde(skip)] PhantomData<A>);

macro_rules! conc_impls {
    ($t:ident, $unit:literal) => {
        impl<A: Analyte> $t<A> {
            /// Wraps a raw number given in this unit.
            pub const fn new(v: f64) -> Self {
                Self(v, PhantomData)
            }
            /// The raw number in this unit.
            pub const fn value(self) -> f64 {
                self.0
            }
        }
        impl<A: Analyte> Clone for $t<A> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<A: Analyte> Copy for $t<A> {}
        impl<A: Analyte> PartialEq for $t<A> {
            fn eq(&self, o: &Self) -> bool {
                self.0 == o.0
            }
        }
        impl<A: Analyte> PartialOrd for $t<A> {
            fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
                self.0.partial_cmp(&o.0)
            }
        }
        impl<A: Analyte> fmt::Debug for $t<A> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {} ({})", self.0, $unit, A::NAME)
            }
        }
        impl<A: Analyte> fmt::Display for $t<A> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.0, $unit)
            }
        }
    };
}
conc_impls!(MmolL, "mmol/L");
conc_impls!(MgDl, "mg/dL");

impl<A: Analyte> MmolL<A> {
    /// Converts with UNIT-1a (multiply by the rounded factor).
    pub fn to_mgdl(self) -> MgDl<A> {
        MgDl::new(self.0 * A::MGDL_PER_MMOL)
    }
}
impl<A: Analyte> MgDl<A> {
    /// Converts with UNIT-1a (divide by the rounded factor, never multiply by a reciprocal).
    pub fn to_mmol(self) -> MmolL<A> {
        MmolL::new(self.0 / A::MGDL_PER_MMOL)
    }
}

/// The unit a concentration was reported in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConcUnit {
    /// mmol/L
    #[serde(rename = "mmol/L")]
    MmolL,
    /// mg/dL
    #[serde(rename = "mg/dL")]
    MgDl,
}

impl ConcUnit {
    /// `"mmol/L"` or `"mg/dL"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConcUnit::MmolL => "mmol/L",
            ConcUnit::MgDl => "mg/dL",
        }
    }
}

/// A concentration as it was reported: value and unit together (UNIT-6).
#[derive(Serialize, Deserialize)]
#[serde(tag = "unit", content = "value")]
pub enum Conc<A: Analyte> {
    /// Reported in mmol/L.
    #[serde(rename = "mmol/L")]
    MmolL(MmolL<A>),
    /// Reported in mg/dL.
    #[serde(rename = "mg/dL")]
    MgDl(MgDl<A>),
}

impl<A: Analyte> Clone for Conc<A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<A: Analyte> Copy for Conc<A> {}
impl<A: Analyte> PartialEq for Conc<A> {
    fn eq(&self, o: &Self) -> bool {
        match (self, o) {
            (Conc::MmolL(a), Conc::MmolL(b)) => a == b,
            (Conc::MgDl(a), Conc::MgDl(b)) => a == b,
            _ => false,
        }
    }
}
impl<A: Analyte> fmt::Debug for Conc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conc::MmolL(v) => fmt::Debug::fmt(v, f),
            Conc::MgDl(v) => fmt::Debug::fmt(v, f),
        }
    }
}
impl<A: Analyte> fmt::Display for Conc<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conc::MmolL(v) => fmt::Display::fmt(v, f),
            Conc::MgDl(v) => fmt::Display::fmt(v, f),
        }
    }
}

impl<A: Analyte> Conc<A> {
    /// A value reported in mmol/L.
    pub fn mmol(v: f64) -> Self {
        Conc::MmolL(MmolL::new(v))
    }
    /// A value reported in mg/dL.
    pub fn mgdl(v: f64) -> Self {
        Conc::MgDl(MgDl::new(v))
    }
    /// Builds a value from a raw number and its unit.
    pub fn from_unit(v: f64, unit: ConcUnit) -> Self {
        match unit {
            ConcUnit::MmolL => Self::mmol(v),
            ConcUnit::MgDl => Self::mgdl(v),
        }
    }
    /// The unit it was reported in.
    pub fn unit(self) -> ConcUnit {
        match self {
            Conc::MmolL(_) => ConcUnit::MmolL,
            Conc::MgDl(_) => ConcUnit::MgDl,
        }
    }
    /// The raw number in the reported unit.
    pub fn raw(self) -> f64 {
        match self {
            Conc::MmolL(v) => v.value(),
            Conc::MgDl(v) => v.value(),
        }
    }
    /// The value in mmol/L (UNIT-1a when reported in mg/dL).
    pub fn to_mmol(self) -> MmolL<A> {
        match self {
            Conc::MmolL(v) => v,
            Conc::MgDl(v) => v.to_mmol(),
        }
    }
    /// The value in mg/dL (UNIT-1a when reported in mmol/L).
    pub fn to_mgdl(self) -> MgDl<A> {
        match self {
            Conc::MmolL(v) => v.to_mgdl(),
            Conc::MgDl(v) => v,
        }
    }
    /// The raw number converted to `unit` (UNIT-1a).
    pub fn in_unit(self, unit: ConcUnit) -> f64 {
        match unit {
            ConcUnit::MmolL => self.to_mmol().value(),
            ConcUnit::MgDl => self.to_mgdl().value(),
        }
    }
}

macro_rules! scalar_unit {
    ($(#[$m:meta])* $t:ident, $unit:literal) => {
        $(#[$m])*
        #[derive(Copy, Clone, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $t(pub f64);
        impl $t {
            /// The raw number.
            pub const fn value(self) -> f64 {
                self.0
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.0, $unit)
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.0, $unit)
            }
        }
    };
}

scalar_unit!(
    /// Blood pressure in mmHg (UNIT-5).
    MmHg,
    "mmHg"
);
scalar_unit!(
    /// A length in centimetres: height, waist, hip (UNIT-5).
    Cm,
    "cm"
);
scalar_unit!(
    /// A mass in kilograms (UNIT-5).
    Kg,
    "kg"
);
scalar_unit!(
    /// Body-mass index in kg/m² (UNIT-5).
    KgPerM2,
    "kg/m²"
);
scalar_unit!(
    /// Age or duration in years (decimals allowed).
    Years,
    "years"
);

/// BMI = weight ÷ (height/100)², unrounded (UNIT-5; csv-schema.md `bmi` DECISION).
pub fn bmi(weight: Kg, height: Cm) -> KgPerM2 {
    let m = height.0 / 100.0;
    KgPerM2(weight.0 / (m * m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_1a_threshold_example() {
        // UNIT-1a: 0.7758 mmol/L × 38.67 = 30.0002 mg/dL (not < 30).
        let v = MmolL::<Cholesterol>::new(0.7758).to_mgdl().value();
        assert!(v >= 30.0);
        assert!((v - 30.000_186).abs() < 1e-6);
    }

    #[test]
    fn unit_1a_glucose_divides() {
        // 126 mg/dL ÷ 18.0 = 7.0 mmol/L exactly, not 6.993.
        assert_eq!(MgDl::<Glucose>::new(126.0).to_mmol().value(), 7.0);
    }

    #[test]
    fn triglyceride_factor() {
        let v = MgDl::<Triglycerides>::new(400.0).to_mmol().value();
        assert!((v - 4.516_201_874).abs() < 1e-6);
    }

    #[test]
    fn conc_round_trip_and_unit() {
        let c = Conc::<Cholesterol>::mgdl(160.0);
        assert_eq!(c.unit(), ConcUnit::MgDl);
        assert!((c.to_mmol().value() - 4.137_574).abs() < 1e-6);
        assert_eq!(c.in_unit(ConcUnit::MgDl), 160.0);
    }

    #[test]
    fn bmi_formula() {
        let b = bmi(Kg(70.0), Cm(175.0));
        assert!((b.0 - 22.857_142_857).abs() < 1e-9);
    }
}
