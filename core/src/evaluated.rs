//! The record as the rules may see it: derived values resolved, and every value that
//! a value-level QC finding made unknown masked out (QC-USE-1, MPP2014-EV-1).

use crate::profile::Profile;
use crate::record::{AgeInfo, DerivedBp, ScreeningRecord, Sex};
use crate::units::{Cholesterol, Cm, Conc, ConcUnit, Glucose, Kg, KgPerM2, Triglycerides};
use crate::value::{Censor, Obs};
use serde::{Deserialize, Serialize};

/// A value that QC can make unknown for evaluation (QC-USE-1).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Field {
    Age,
    Height,
    Weight,
    Bmi,
    Waist,
    Hip,
    Sbp,
    Dbp,
    Tc,
    Hdl,
    Ldl,
    Tg,
    Fbg,
    Egfr,
    Hba1c,
    Creatinine,
    /// `ldl_baseline_mmol` / `ldl_baseline_mgdl` (read directly by the guideline
    /// rules, which must honour this mask).
    LdlBaseline,
}

impl Field {
    /// The name used in `missing_fields` lists (IND-MPP-14 naming).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Age => "age",
            Field::Height => "height_cm",
            Field::Weight => "weight_kg",
            Field::Bmi => "bmi",
            Field::Waist => "waist_cm",
            Field::Hip => "hip_cm",
            Field::Sbp => "sbp",
            Field::Dbp => "dbp",
            Field::Tc => "tc",
            Field::Hdl => "hdl",
            Field::Ldl => "ldl",
            Field::Tg => "tg",
            Field::Fbg => "fbg",
            Field::Egfr => "egfr",
            Field::Hba1c => "hba1c_pct",
            Field::Creatinine => "creatinine_umol",
            Field::LdlBaseline => "ldl_baseline",
        }
    }
}

/// A set of masked fields.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FieldSet(u32);

impl FieldSet {
    /// Adds a field.
    pub fn insert(&mut self, f: Field) {
        self.0 |= 1 << (f as u32);
    }
    /// Membership.
    pub fn contains(self, f: Field) -> bool {
        self.0 & (1 << (f as u32)) != 0
    }
    /// No field.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// DEV-3 / DEV-5: the TG above which CardioChek does not report LDL-C: 400 mg/dL.
pub const FRIEDEWALD_TG_LIMIT_MGDL: f64 = 400.0;

/// The record's values as the rules and models see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluatedRecord {
    /// Sex.
    pub sex: Option<Sex>,
    /// Age (UNIT-10), unless masked.
    pub age: Option<AgeInfo>,
    /// Derived BP (BP-5…BP-10); `sbp`/`dbp` are `None` when masked.
    pub bp: DerivedBp,
    /// Height.
    pub height: Option<Cm>,
    /// Weight.
    pub weight: Option<Kg>,
    /// BMI used (derived from height and weight when both known).
    pub bmi: Option<KgPerM2>,
    /// Waist.
    pub waist: Option<Cm>,
    /// Hip.
    pub hip: Option<Cm>,
    /// Total cholesterol as reported (mmol/L column preferred).
    pub tc: Obs<Conc<Cholesterol>>,
    /// HDL-C.
    pub hdl: Obs<Conc<Cholesterol>>,
    /// LDL-C (possibly Friedewald-derived under DEV-5).
    pub ldl: Obs<Conc<Cholesterol>>,
    /// True when LDL-C was derived by Friedewald (DEV-5).
    pub ldl_friedewald: bool,
    /// Triglycerides.
    pub tg: Obs<Conc<Triglycerides>>,
    /// Fasting glucose.
    pub fbg: Obs<Conc<Glucose>>,
    /// Smoker status (csv-schema.md).
    pub smoker: Option<bool>,
    /// Diabetes status (csv-schema.md).
    pub diabetes: Option<bool>,
    /// eGFR.
    pub egfr: Option<f64>,
    /// Fields made unknown by QC.
    pub masked: FieldSet,
}

fn mask<T>(m: FieldSet, f: Field, v: Option<T>) -> Option<T> {
    if m.contains(f) {
        None
    } else {
        v
    }
}

fn mask_obs<T>(m: FieldSet, f: Field, v: Obs<T>) -> Obs<T> {
    if m.contains(f) {
        Obs::Unknown
    } else {
        v
    }
}

impl EvaluatedRecord {
    /// Resolves a record under a profile, masking `masked` fields.
    pub fn new(rec: &ScreeningRecord, profile: &Profile, masked: FieldSet) -> Self {
        let bp = rec.derived_bp(profile.bp_protocol, profile.min_readings);
        Self::with_bp(rec, profile, masked, bp)
    }

    /// As [`new`](Self::new), given the record's derived BP under `profile`
    /// (`rec.derived_bp(profile.bp_protocol, profile.min_readings)`), which the
    /// pipeline has already computed for QC.
    pub(crate) fn with_bp(
        rec: &ScreeningRecord,
        profile: &Profile,
        masked: FieldSet,
        mut bp: DerivedBp,
    ) -> Self {
        if masked.contains(Field::Sbp) {
            bp.sbp = None;
        }
        if masked.contains(Field::Dbp) {
            bp.dbp = None;
        }
        let height = mask(masked, Field::Height, rec.height_cm);
        let weight = mask(masked, Field::Weight, rec.weight_kg);
        let bmi = if masked.contains(Field::Bmi) {
            None
        } else {
            match (weight, height) {
                (Some(w), Some(h)) if h.0 > 0.0 => Some(crate::units::bmi(w, h)),
                // Height or weight known but masked: the supplied BMI still stands
                // unless it was masked itself.
                _ if rec.bmi_is_derived() && (height.is_none() || weight.is_none()) => None,
                _ => rec.bmi,
            }
        };
        let tc = mask_obs(masked, Field::Tc, rec.tc.reported());
        let hdl = mask_obs(masked, Field::Hdl, rec.hdl.reported());
        let tg = mask_obs(masked, Field::Tg, rec.tg.reported());
        let mut ldl = mask_obs(masked, Field::Ldl, rec.ldl.reported());
        let mut ldl_friedewald = false;
        if profile.derive_ldl_friedewald
            && rec.ldl.reported().is_unknown()
            && !masked.contains(Field::Ldl)
        {
            if let (Obs::Known(t), Obs::Known(h), Obs::Known(g)) = (tc, hdl, tg) {
                let tg_mgdl = g.to_mgdl().value();
                if tg_mgdl < FRIEDEWALD_TG_LIMIT_MGDL {
                    let v = t.to_mgdl().value() - h.to_mgdl().value() - tg_mgdl / 5.0;
                    // DEV-5: counts as reported in the unit of the TC input.
                    ldl = Obs::Known(match t.unit() {
                        ConcUnit::MgDl => Conc::mgdl(v),
                        ConcUnit::MmolL => {
                            Conc::mmol(crate::units::MgDl::<Cholesterol>::new(v).to_mmol().value())
                        }
                    });
                    ldl_friedewald = true;
                }
            }
        }
        EvaluatedRecord {
            sex: rec.sex,
            age: mask(masked, Field::Age, rec.age_info()),
            bp,
            height,
            weight,
            bmi,
            waist: mask(masked, Field::Waist, rec.waist_cm),
            hip: mask(masked, Field::Hip, rec.hip_cm),
            tc,
            hdl,
            ldl,
            ldl_friedewald,
            tg,
            fbg: mask_obs(masked, Field::Fbg, rec.fbg.reported()),
            smoker: rec.smoker_status(),
            diabetes: rec.diabetes_status(),
            egfr: mask(masked, Field::Egfr, rec.egfr),
            masked,
        }
    }

    /// SBP as a known number.
    pub fn sbp(&self) -> Option<f64> {
        self.bp.sbp.map(|v| v.0)
    }
    /// DBP as a known number.
    pub fn dbp(&self) -> Option<f64> {
        self.bp.dbp.map(|v| v.0)
    }
}

/// The interval a lab observation denotes, in `unit` (TV-2). A known value is a
/// point; a censored value is its open half-line; unknown is `unknown_range`
/// (the plausibility range, in `unit`).
pub fn lab_interval<A: crate::units::Analyte>(
    o: Obs<Conc<A>>,
    unit: ConcUnit,
    unknown_range: (f64, f64),
) -> crate::value::Interval {
    use crate::value::Interval;
    match o {
        Obs::Known(c) => Interval::point(c.in_unit(unit)),
        Obs::Unknown => Interval::closed(unknown_range.0, unknown_range.1),
        Obs::Censored { bound, dir } => {
            let b = bound.in_unit(unit);
            match dir {
                Censor::Below => Interval {
                    lo: f64::NEG_INFINITY,
                    hi: b,
                    lo_open: false,
                    hi_open: true,
                },
                Censor::Above => Interval {
                    lo: b,
                    hi: f64::INFINITY,
                    lo_open: true,
                    hi_open: false,
                },
            }
        }
    }
}
