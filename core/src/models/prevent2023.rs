//! AHA PREVENT equations, base model, 10- and 30-year (spec/risk-models.md RM-PRV-1…6).
//!
//! Logistic models per sex × outcome × horizon; coefficients from preventr's
//! `sysdata.rda` (`martingmayer/preventr@ebe2ac1`, MIT), compiled in from
//! `core/data/prevent_2023_base_{10,30}yr_coefficients.csv` and matched by **row
//! position** (the labels differ between the files). Model id `prevent-2023-base`.
//!
//! Caller's responsibility (RM-PRV-4, RM-GEN-8): `statin` is the record's `statin`,
//! else `lipid_treated`; when the caller falls back to `lipid_treated` it sets the
//! flag `statin_from_lipid_treated` on its own output — this module only sees a bool.
//!
//! ```
//! use cvdscreen::models::prevent2023::{prevent, Horizon, PreventInput};
//! use cvdscreen::profile::RangePolicy;
//! use cvdscreen::record::Sex;
//! use cvdscreen::units::Conc;
//! // Khan 2023 Suppl Table S25 (RM-PRV-5): 10-year total CVD 0.147.
//! let i = PreventInput { sex: Sex::Female, age: 50.0, sbp: 160.0, bp_treated: true,
//!     tc: Conc::mgdl(200.0), hdl: Conc::mgdl(45.0), statin: false, diabetes: true,
//!     current_smoker: false, egfr: 90.0, bmi: 35.0 };
//! let r = prevent(&i, Horizon::Years10, RangePolicy::Strict).unwrap();
//! assert_eq!(r.total_cvd.display, 14.7);
//! ```

use super::error::{check2, plausible, InputRange, ModelError, RangeKind::Policy};
use super::round_half_up;
use crate::profile::RangePolicy;
use crate::record::Sex;
use crate::units::{Cholesterol, Conc};
use serde::Serialize;
use std::sync::OnceLock;

/// Model identifier (RM-GEN-6).
pub const MODEL_ID: &str = "prevent-2023-base";
/// Display name used in error messages.
pub const MODEL_NAME: &str = "PREVENT base equations";
/// RM-PRV-2: mg/dL → mmol/L factor of the PREVENT equations.
pub const MMOL_PER_MGDL: f64 = 0.02586;

/// 10-year coefficients, 23 rows × 10 columns. Source: Khan SS et al., Circulation
/// 2024;149:430-449, doi:10.1161/CIRCULATIONAHA.123.067626, as implemented in
/// martingmayer/preventr@ebe2ac1 R/sysdata.rda table `base_10yr` (spec RM-PRV-3).
pub const CSV_10YR: &str = include_str!("../../data/prevent_2023_base_10yr_coefficients.csv");
/// 30-year coefficients, 24 rows (adds age² as row 2); same source, table `base_30yr`.
pub const CSV_30YR: &str = include_str!("../../data/prevent_2023_base_30yr_coefficients.csv");

/// Prediction horizon.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Horizon {
    /// 10 years.
    Years10,
    /// 30 years.
    Years30,
}

/// Outcome (column group of the coefficient files).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Total CVD.
    TotalCvd,
    /// ASCVD.
    Ascvd,
    /// Heart failure.
    HeartFailure,
    /// Coronary heart disease.
    Chd,
    /// Stroke.
    Stroke,
}

impl Outcome {
    /// All outcomes in file column order.
    pub const ALL: [Outcome; 5] = [
        Outcome::TotalCvd,
        Outcome::Ascvd,
        Outcome::HeartFailure,
        Outcome::Chd,
        Outcome::Stroke,
    ];
    /// Column name stem in the files.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::TotalCvd => "total_cvd",
            Outcome::Ascvd => "ascvd",
            Outcome::HeartFailure => "heart_failure",
            Outcome::Chd => "chd",
            Outcome::Stroke => "stroke",
        }
    }
}

/// Number of terms in the uniform term vector (the 10-year model has 0 for age²).
pub const N_TERMS: usize = 24;

/// Parsed coefficients: `[horizon][outcome][sex][term]`, horizon 0 = 10 y, 1 = 30 y;
/// sex 0 = female, 1 = male; term order of RM-PRV-2 with age² at index 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Tables {
    /// Coefficients.
    pub beta: [[[[f64; N_TERMS]; 2]; 5]; 2],
    /// Data rows read: (10-year, 30-year).
    pub rows: (usize, usize),
}

const TABLE_NAME: &str = "prevent_2023_base_{10,30}yr_coefficients.csv";

fn parse(
    csv: &str,
    n_rows: usize,
    out: &mut [[[f64; N_TERMS]; 2]; 5],
) -> Result<usize, &'static str> {
    let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .ok_or("empty file")?
        .trim()
        .split(',')
        .collect();
    if header.len() != 11 {
        return Err("header without 11 columns");
    }
    // Column order check: female_/male_ × outcome.
    for (k, o) in Outcome::ALL.iter().enumerate() {
        for (s, sex) in ["female", "male"].iter().enumerate() {
            if header[1 + 2 * k + s] != format!("{sex}_{}", o.as_str()) {
                return Err("unexpected column order");
            }
        }
    }
    let mut n = 0;
    for line in lines {
        // The first field is a label that may be quoted and contain commas: take the
        // ten numeric fields from the right.
        let f: Vec<&str> = line.trim().rsplitn(11, ',').collect();
        if f.len() != 11 {
            return Err("row without 10 numeric fields");
        }
        if n >= n_rows {
            return Err("too many rows");
        }
        // Row position → term index; the 10-year file has no age² row.
        let term = if n_rows == 23 && n >= 1 { n + 1 } else { n };
        for (col, s) in f[..10].iter().rev().enumerate() {
            let v: f64 = s.trim().parse().map_err(|_| "non-numeric value")?;
            if !v.is_finite() {
                return Err("non-finite value");
            }
            out[col / 2][col % 2][term] = v;
        }
        n += 1;
    }
    if n != n_rows {
        return Err("wrong number of rows");
    }
    Ok(n)
}

fn build() -> Result<Tables, &'static str> {
    let mut beta = [[[[0.0; N_TERMS]; 2]; 5]; 2];
    let r10 = parse(CSV_10YR, 23, &mut beta[0])?;
    let r30 = parse(CSV_30YR, 24, &mut beta[1])?;
    Ok(Tables {
        beta,
        rows: (r10, r30),
    })
}

/// The coefficient tables, parsed once.
pub fn tables() -> Result<&'static Tables, ModelError> {
    static T: OnceLock<Result<Tables, &'static str>> = OnceLock::new();
    T.get_or_init(build)
        .as_ref()
        .map_err(|detail| ModelError::DataTable {
            table: TABLE_NAME,
            detail,
        })
}

const AGE: InputRange = InputRange::new("age", 30.0, 79.0, "years", Policy);
const SBP: InputRange = InputRange::new("sbp", 90.0, 200.0, "mmHg", Policy);
const TC_MGDL: InputRange = InputRange::new("tc_mgdl", 130.0, 320.0, "mg/dL", Policy);
const TC_MMOL: InputRange = InputRange::new("tc_mmol", 3.36, 8.28, "mmol/L", Policy);
const HDL_MGDL: InputRange = InputRange::new("hdl_mgdl", 20.0, 100.0, "mg/dL", Policy);
const HDL_MMOL: InputRange = InputRange::new("hdl_mmol", 0.52, 2.59, "mmol/L", Policy);
const EGFR: InputRange = InputRange::new("egfr", 15.0, 140.0, "mL/min/1.73 m²", Policy);
const BMI: InputRange = InputRange::new("bmi", 18.5, 39.9, "kg/m²", Policy);

/// RM-PRV-4 ranges (preventr's, except SBP up to 200 — the equations' range — with
/// the flag `sbp_above_180` above preventr's 180). Lipids checked in the unit supplied.
pub const RANGES: &[InputRange] = &[AGE, SBP, TC_MGDL, TC_MMOL, HDL_MGDL, HDL_MMOL, EGFR, BMI];

/// Inputs of the base model.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct PreventInput {
    /// Sex.
    pub sex: Sex,
    /// Age, years.
    pub age: f64,
    /// SBP, mmHg.
    pub sbp: f64,
    /// On antihypertensive treatment.
    pub bp_treated: bool,
    /// Total cholesterol (mmol/L enters directly; mg/dL × 0.02586, RM-PRV-2).
    pub tc: Conc<Cholesterol>,
    /// HDL-C.
    pub hdl: Conc<Cholesterol>,
    /// On a statin (see the module docs for `statin_from_lipid_treated`).
    pub statin: bool,
    /// Diabetes.
    pub diabetes: bool,
    /// Current smoker.
    pub current_smoker: bool,
    /// eGFR, mL/min/1.73 m².
    pub egfr: f64,
    /// BMI, kg/m².
    pub bmi: f64,
}

/// Flags of a PREVENT result.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PreventFlags {
    /// SBP above preventr's 180 mmHg limit (still within the equations' 200).
    pub sbp_above_180: bool,
    /// An input outside RM-PRV-4, computed under [`RangePolicy::Flag`].
    pub outside_range: bool,
}

impl PreventFlags {
    /// True when any flag is set.
    pub fn any(&self) -> bool {
        self.sbp_above_180 || self.outside_range
    }
}

/// One outcome's risk.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Risk {
    /// Percent, full precision.
    pub pct: f64,
    /// Rounded half up to 1 decimal of the percentage (preventr shows 3 decimals of
    /// the probability).
    pub display: f64,
}

/// Result of [`prevent`].
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct PreventResult {
    /// [`MODEL_ID`].
    pub model_id: &'static str,
    /// Horizon.
    pub horizon: Horizon,
    /// Total CVD.
    pub total_cvd: Risk,
    /// ASCVD.
    pub ascvd: Risk,
    /// Heart failure.
    pub heart_failure: Risk,
    /// CHD.
    pub chd: Risk,
    /// Stroke.
    pub stroke: Risk,
    /// Flags.
    pub flags: PreventFlags,
}

impl PreventResult {
    /// The risk of one outcome.
    pub fn get(&self, o: Outcome) -> Risk {
        match o {
            Outcome::TotalCvd => self.total_cvd,
            Outcome::Ascvd => self.ascvd,
            Outcome::HeartFailure => self.heart_failure,
            Outcome::Chd => self.chd,
            Outcome::Stroke => self.stroke,
        }
    }
}

/// The term vector (RM-PRV-2; age² at index 1, 0 weight in the 10-year model).
pub(crate) type Terms = [f64; N_TERMS];

fn conc(
    c: Conc<Cholesterol>,
    mg: [&InputRange; 2],
    mmol: [&InputRange; 2],
    policy: RangePolicy,
) -> Result<bool, ModelError> {
    super::china_par::check_conc(MODEL_NAME, c, mg, mmol, policy)
}

/// Validates and builds the term vector.
pub(crate) fn prepare(
    i: &PreventInput,
    policy: RangePolicy,
) -> Result<(bool, Terms, PreventFlags), ModelError> {
    let mut out = false;
    out |= check2(MODEL_NAME, i.age, &plausible::AGE, &AGE, policy)?;
    out |= check2(MODEL_NAME, i.sbp, &plausible::SBP, &SBP, policy)?;
    out |= conc(
        i.tc,
        [&plausible::TC_MGDL, &TC_MGDL],
        [&plausible::TC_MMOL, &TC_MMOL],
        policy,
    )?;
    out |= conc(
        i.hdl,
        [&plausible::HDL_MGDL, &HDL_MGDL],
        [&plausible::HDL_MMOL, &HDL_MMOL],
        policy,
    )?;
    out |= check2(MODEL_NAME, i.egfr, &plausible::EGFR, &EGFR, policy)?;
    out |= check2(MODEL_NAME, i.bmi, &plausible::BMI, &BMI, policy)?;
    let flags = PreventFlags {
        sbp_above_180: i.sbp > 180.0,
        outside_range: out,
    };
    Ok((i.sex == Sex::Male, terms(i), flags))
}

#[inline]
fn b(x: bool) -> f64 {
    if x {
        1.0
    } else {
        0.0
    }
}

#[inline]
pub(crate) fn terms(i: &PreventInput) -> Terms {
    let age = (i.age - 55.0) / 10.0;
    // RM-PRV-2 DECISION: mmol/L enters directly; mg/dL uses (tc − hdl) · 0.02586.
    let (nonhdl_mmol, hdl_mmol) = match (i.tc, i.hdl) {
        (Conc::MgDl(t), Conc::MgDl(h)) => (
            (t.value() - h.value()) * MMOL_PER_MGDL,
            h.value() * MMOL_PER_MGDL,
        ),
        (t, h) => {
            let m = |c: Conc<Cholesterol>| match c {
                Conc::MmolL(v) => v.value(),
                Conc::MgDl(v) => v.value() * MMOL_PER_MGDL,
            };
            (m(t) - m(h), m(h))
        }
    };
    let nonhdl = nonhdl_mmol - 3.5;
    let hdl = (hdl_mmol - 1.3) / 0.3;
    let sbp_lo = (i.sbp.min(110.0) - 110.0) / 20.0;
    let sbp_hi = (i.sbp.max(110.0) - 130.0) / 20.0;
    let bmi_lo = (i.bmi.min(30.0) - 25.0) / 5.0;
    let bmi_hi = (i.bmi.max(30.0) - 30.0) / 5.0;
    let egfr_lo = (i.egfr.min(60.0) - 60.0) / -15.0;
    let egfr_hi = (i.egfr.max(60.0) - 90.0) / -15.0;
    let (dm, smk, bptx, statin) = (
        b(i.diabetes),
        b(i.current_smoker),
        b(i.bp_treated),
        b(i.statin),
    );
    [
        age,
        age * age,
        nonhdl,
        hdl,
        sbp_lo,
        sbp_hi,
        dm,
        smk,
        bmi_lo,
        bmi_hi,
        egfr_lo,
        egfr_hi,
        bptx,
        statin,
        bptx * sbp_hi,
        statin * nonhdl,
        age * nonhdl,
        age * hdl,
        age * sbp_hi,
        age * dm,
        age * smk,
        age * bmi_hi,
        age * egfr_lo,
        1.0,
    ]
}

/// The kernel: probability `1 / (1 + exp(−Σ β·x))` in percent.
#[inline]
pub(crate) fn kernel(beta: &[f64; N_TERMS], t: &Terms) -> f64 {
    let mut s = 0.0;
    for k in 0..N_TERMS {
        s += beta[k] * t[k];
    }
    100.0 / (1.0 + (-s).exp())
}

/// Coefficients of one horizon, outcome and sex.
pub(crate) fn beta(t: &Tables, h: Horizon, o: Outcome, male: bool) -> &[f64; N_TERMS] {
    let hi = match h {
        Horizon::Years10 => 0,
        Horizon::Years30 => 1,
    };
    let oi = Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0);
    &t.beta[hi][oi][usize::from(male)]
}

/// PREVENT base model, all five outcomes at one horizon.
pub fn prevent(
    input: &PreventInput,
    horizon: Horizon,
    policy: RangePolicy,
) -> Result<PreventResult, ModelError> {
    let t = tables()?;
    let (male, x, flags) = prepare(input, policy)?;
    let risk = |o| {
        let pct = kernel(beta(t, horizon, o, male), &x);
        Risk {
            pct,
            display: round_half_up(pct, 1),
        }
    };
    Ok(PreventResult {
        model_id: MODEL_ID,
        horizon,
        total_cvd: risk(Outcome::TotalCvd),
        ascvd: risk(Outcome::Ascvd),
        heart_failure: risk(Outcome::HeartFailure),
        chd: risk(Outcome::Chd),
        stroke: risk(Outcome::Stroke),
        flags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn khan(sex: Sex) -> PreventInput {
        PreventInput {
            sex,
            age: 50.0,
            sbp: 160.0,
            bp_treated: true,
            tc: Conc::mgdl(200.0),
            hdl: Conc::mgdl(45.0),
            statin: false,
            diabetes: true,
            current_smoker: false,
            egfr: 90.0,
            bmi: 35.0,
        }
    }

    #[test]
    fn tables_rows_and_spot_values() {
        let t = tables().unwrap();
        assert_eq!(t.rows, (23, 24));
        let f10 = beta(t, Horizon::Years10, Outcome::TotalCvd, false);
        assert_eq!(
            (f10[0], f10[1], f10[2], f10[23]),
            (0.7939329, 0.0, 0.0305239, -3.307728)
        );
        let m30 = beta(t, Horizon::Years30, Outcome::Stroke, true);
        assert_eq!(
            (m30[0], m30[1], m30[23]),
            (0.4003448, -0.0935927, -2.458022)
        );
        let hf = beta(t, Horizon::Years10, Outcome::HeartFailure, true);
        assert_eq!((hf[8], hf[9], hf[21]), (-0.0485841, 0.3726929, 0.0068126));
        // Row 15 ("Treated SBP ≥110") multiplies bp_tx·sbp_hi: female ASCVD 10 y.
        assert_eq!(
            beta(t, Horizon::Years10, Outcome::Ascvd, false)[14],
            -0.0395762
        );
    }

    #[test]
    fn published_examples() {
        // RM-PRV-5: (total CVD, ASCVD, HF, CHD, stroke) probabilities, 3 dp.
        let cases = [
            (
                Sex::Female,
                Horizon::Years10,
                [0.147, 0.092, 0.081, 0.044, 0.054],
            ),
            (
                Sex::Female,
                Horizon::Years30,
                [0.530, 0.354, 0.390, 0.198, 0.221],
            ),
            (
                Sex::Male,
                Horizon::Years10,
                [0.163, 0.102, 0.106, 0.056, 0.052],
            ),
            (
                Sex::Male,
                Horizon::Years30,
                [0.514, 0.349, 0.424, 0.216, 0.197],
            ),
        ];
        for (sex, h, want) in cases {
            let r = prevent(&khan(sex), h, RangePolicy::Strict).unwrap();
            for (o, w) in Outcome::ALL.iter().zip(want) {
                assert_eq!(
                    round_half_up(r.get(*o).pct / 100.0, 3),
                    w,
                    "{sex:?} {h:?} {o:?}"
                );
            }
        }
    }

    #[test]
    fn mmol_enters_directly() {
        let mg = khan(Sex::Female);
        let mm = PreventInput {
            tc: Conc::mmol(200.0 * MMOL_PER_MGDL),
            hdl: Conc::mmol(45.0 * MMOL_PER_MGDL),
            ..mg
        };
        let a = prevent(&mg, Horizon::Years10, RangePolicy::Strict).unwrap();
        let b = prevent(&mm, Horizon::Years10, RangePolicy::Strict).unwrap();
        assert!((a.total_cvd.pct - b.total_cvd.pct).abs() < 1e-9);
        let t = terms(&PreventInput {
            tc: Conc::mmol(5.0),
            hdl: Conc::mmol(1.6),
            ..mg
        });
        assert_eq!(t[2], 5.0 - 1.6 - 3.5);
        assert_eq!(t[3], (1.6 - 1.3) / 0.3);
    }

    #[test]
    fn ranges_and_flags() {
        let g = khan(Sex::Male);
        let ok = |i: PreventInput| prevent(&i, Horizon::Years10, RangePolicy::Strict);
        let field = |i: PreventInput| match ok(i) {
            Err(ModelError::OutOfRange { field, .. }) => field,
            o => panic!("{o:?}"),
        };
        assert!(
            ok(PreventInput { age: 30.0, ..g }).is_ok()
                && ok(PreventInput { age: 79.0, ..g }).is_ok()
        );
        assert_eq!(field(PreventInput { age: 29.9, ..g }), "age");
        assert_eq!(field(PreventInput { age: 79.5, ..g }), "age");
        assert!(ok(PreventInput { sbp: 90.0, ..g }).is_ok());
        assert_eq!(field(PreventInput { sbp: 89.9, ..g }), "sbp");
        assert_eq!(field(PreventInput { sbp: 200.1, ..g }), "sbp");
        assert!(
            !ok(PreventInput { sbp: 180.0, ..g })
                .unwrap()
                .flags
                .sbp_above_180
        );
        assert!(
            ok(PreventInput { sbp: 180.5, ..g })
                .unwrap()
                .flags
                .sbp_above_180
        );
        assert!(
            ok(PreventInput { sbp: 200.0, ..g })
                .unwrap()
                .flags
                .sbp_above_180
        );
        assert_eq!(
            field(PreventInput {
                tc: Conc::mgdl(129.0),
                ..g
            }),
            "tc_mgdl"
        );
        assert_eq!(
            field(PreventInput {
                tc: Conc::mgdl(321.0),
                ..g
            }),
            "tc_mgdl"
        );
        assert!(
            ok(PreventInput {
                tc: Conc::mmol(3.36),
                ..g
            })
            .is_ok()
                && ok(PreventInput {
                    tc: Conc::mmol(8.28),
                    ..g
                })
                .is_ok()
        );
        assert_eq!(
            field(PreventInput {
                tc: Conc::mmol(8.29),
                ..g
            }),
            "tc_mmol"
        );
        assert_eq!(
            field(PreventInput {
                hdl: Conc::mgdl(19.0),
                ..g
            }),
            "hdl_mgdl"
        );
        assert_eq!(
            field(PreventInput {
                hdl: Conc::mmol(2.6),
                ..g
            }),
            "hdl_mmol"
        );
        assert!(
            ok(PreventInput { egfr: 15.0, ..g }).is_ok()
                && ok(PreventInput { egfr: 140.0, ..g }).is_ok()
        );
        assert_eq!(field(PreventInput { egfr: 14.9, ..g }), "egfr");
        assert_eq!(field(PreventInput { egfr: 140.1, ..g }), "egfr");
        assert!(
            ok(PreventInput { bmi: 18.5, ..g }).is_ok()
                && ok(PreventInput { bmi: 39.9, ..g }).is_ok()
        );
        assert_eq!(field(PreventInput { bmi: 18.4, ..g }), "bmi");
        assert_eq!(field(PreventInput { bmi: 40.0, ..g }), "bmi");
        let f = prevent(
            &PreventInput { bmi: 45.0, ..g },
            Horizon::Years30,
            RangePolicy::Flag,
        )
        .unwrap();
        assert!(f.flags.outside_range);
        assert!(matches!(
            prevent(
                &PreventInput {
                    egfr: f64::NAN,
                    ..g
                },
                Horizon::Years10,
                RangePolicy::Flag
            ),
            Err(ModelError::NotFinite { field: "egfr", .. })
        ));
    }
}
