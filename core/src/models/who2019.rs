//! 2019 WHO CVD risk charts, laboratory and non-laboratory models
//! (spec/risk-models.md RM-WHO19-1…7).
//!
//! Sex-specific CHD and stroke Cox models, each recalibrated with GBD-2017
//! `cons`/`slope` pairs, combined as `1 − (1 − CHD)(1 − stroke)`. Model ids
//! `who2019-lab@gbd2017-region` / `who2019-nonlab@gbd2017-region` (option
//! `@gbd2017-country` for the China country-level calibration), RM-GEN-6.
//!
//! ```
//! use cvdscreen::models::who2019::{who2019_lab, Calibration, WhoLabInput};
//! use cvdscreen::profile::RangePolicy;
//! use cvdscreen::record::Sex;
//! use cvdscreen::units::Conc;
//! // RM-WHO19-6: man 60, SBP 140, TC 6.0, smoker, no diabetes → 16.1766 %.
//! let r = who2019_lab(&WhoLabInput { sex: Sex::Male, age: 60.0, sbp: 140.0, tc: Conc::mmol(6.0),
//!     diabetes: false, current_smoker: true }, Calibration::default(), RangePolicy::Strict).unwrap();
//! assert!((r.cvd_pct - 16.1766).abs() < 5e-5);
//! assert_eq!(r.chart_int, 16);
//! ```

use super::error::{check2, plausible, InputRange, ModelError, RangeKind};
use super::{clamp_pct, math, round_half_up};
use crate::profile::RangePolicy;
use crate::record::Sex;
use crate::units::{Cholesterol, Conc};
use serde::{Deserialize, Serialize};

/// Model id of the laboratory model with region calibration (RM-GEN-6).
pub const MODEL_ID_LAB: &str = "who2019-lab@gbd2017-region";
/// Model id of the non-laboratory model with region calibration (RM-GEN-6).
pub const MODEL_ID_NONLAB: &str = "who2019-nonlab@gbd2017-region";
/// Laboratory model with the China country-level calibration.
pub const MODEL_ID_LAB_COUNTRY: &str = "who2019-lab@gbd2017-country";
/// Non-laboratory model with the China country-level calibration.
pub const MODEL_ID_NONLAB_COUNTRY: &str = "who2019-nonlab@gbd2017-country";
/// Display name used in error messages.
pub const MODEL_NAME: &str = "WHO 2019 CVD risk model";

/// One Cox model (CHD or stroke, one sex) with 5 slots: `cage`, the model's second
/// variable (`ctc` or `cbmi`), `csbp`, the binary terms and their age interactions.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Cox {
    /// cage = age − 60
    pub age: f64,
    /// ctc = TC − 6 (laboratory) or cbmi = BMI − 25 (non-laboratory)
    pub x2: f64,
    /// csbp = SBP − 120
    pub sbp: f64,
    /// diabetes (0 in the non-laboratory model)
    pub diabetes: f64,
    /// smoking
    pub smoker: f64,
    /// cage × ctc or cage × cbmi
    pub age_x2: f64,
    /// cage × csbp
    pub age_sbp: f64,
    /// cage × diabetes (0 in the non-laboratory model)
    pub age_diabetes: f64,
    /// cage × smoking
    pub age_smoker: f64,
    /// 10-year baseline survival S0
    pub s0: f64,
    /// ln S0 (checked against `s0.ln()` by a unit test)
    pub ln_s0: f64,
}

// Source of the coefficients below: WHO CVD Risk Chart Working Group (Kaptoge S,
// Pennells L, et al.), Lancet Glob Health 2019;7:e1332-45, doi:10.1016/S2214-109X(19)30318-3;
// values as in the authors' Stata code skkceu/stata@d4372b6 whocvdrisk_erfc_score_v03.ado
// (spec RM-WHO19-3). Index 0 = men, 1 = women.

/// Laboratory model (m1), CHD (`ep_chdmi`): men, women.
pub const LAB_CHD: [Cox; 2] = [
    Cox {
        age: 0.0719227,
        x2: 0.2284944,
        sbp: 0.0132183,
        diabetes: 0.6410114,
        smoker: 0.5638109,
        age_x2: -0.0045806,
        age_sbp: -0.0001576,
        age_diabetes: -0.0124966,
        age_smoker: -0.0182545,
        s0: 0.9540108,
        ln_s0: -0.047_080_286_843_212_756,
    },
    Cox {
        age: 0.1020713,
        x2: 0.2050377,
        sbp: 0.015823,
        diabetes: 1.070358,
        smoker: 1.053223,
        age_x2: -0.0051932,
        age_sbp: -0.0001378,
        age_diabetes: -0.0234174,
        age_smoker: -0.0332666,
        s0: 0.9894159,
        ln_s0: -0.010_640_509_971_991_4,
    },
];
/// Laboratory model (m1), stroke (`ep_crbv`): men, women.
pub const LAB_STROKE: [Cox; 2] = [
    Cox {
        age: 0.0986578,
        x2: 0.029526,
        sbp: 0.0222629,
        diabetes: 0.6268712,
        smoker: 0.4981217,
        age_x2: 0.00142,
        age_sbp: -0.0004147,
        age_diabetes: -0.026302,
        age_smoker: -0.0150561,
        s0: 0.9849257,
        ln_s0: -0.015_189_072_127_225_938,
    },
    Cox {
        age: 0.1056632,
        x2: 0.0257782,
        sbp: 0.0206278,
        diabetes: 0.8581998,
        smoker: 0.7443627,
        age_x2: -0.0021387,
        age_sbp: -0.0004897,
        age_diabetes: -0.0209826,
        age_smoker: -0.0200822,
        s0: 0.9890569,
        ln_s0: -0.011_003_416_152_900_281,
    },
];
/// Non-laboratory model (m2), CHD: men, women.
pub const NONLAB_CHD: [Cox; 2] = [
    Cox {
        age: 0.073593,
        x2: 0.0337219,
        sbp: 0.0133937,
        diabetes: 0.0,
        smoker: 0.5954767,
        age_x2: -0.0010432,
        age_sbp: -0.0001837,
        age_diabetes: 0.0,
        age_smoker: -0.0200831,
        s0: 0.9544258,
        ln_s0: -0.046_645_375_873_111_58,
    },
    Cox {
        age: 0.1049418,
        x2: 0.0257616,
        sbp: 0.016726,
        diabetes: 0.0,
        smoker: 1.093132,
        age_x2: -0.0006537,
        age_sbp: -0.0001966,
        age_diabetes: 0.0,
        age_smoker: -0.0343739,
        s0: 0.9887124,
        ln_s0: -0.011_351_788_436_244_053,
    },
];
/// Non-laboratory model (m2), stroke: men, women.
pub const NONLAB_STROKE: [Cox; 2] = [
    Cox {
        age: 0.097674,
        x2: 0.0159518,
        sbp: 0.0227294,
        diabetes: 0.0,
        smoker: 0.4999862,
        age_x2: -0.0003516,
        age_sbp: -0.0004374,
        age_diabetes: 0.0,
        age_smoker: -0.0153895,
        s0: 0.9848260,
        ln_s0: -0.015_290_303_160_645_204,
    },
    Cox {
        age: 0.1046105,
        x2: 0.0036406,
        sbp: 0.0216741,
        diabetes: 0.0,
        smoker: 0.7399405,
        age_x2: -0.0000129,
        age_sbp: -0.0005311,
        age_diabetes: 0.0,
        age_smoker: -0.0203997,
        s0: 0.9885706,
        ln_s0: -0.011_495_217_576_375_408,
    },
];

macro_rules! regions {
    ($($v:ident = $code:literal, $name:literal;)*) => {
        /// The 21 GBD regions of the recalibration file (RM-WHO19-4). China = [`Region::EastAsia`].
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Region {
            $(#[doc = $name] $v,)*
        }
        impl Region {
            /// All regions in file order.
            pub const ALL: [Region; 21] = [$(Region::$v),*];
            /// GBD code (`ccode` in the data file).
            pub const fn code(self) -> &'static str {
                match self { $(Region::$v => $code),* }
            }
            /// English name as in the data file.
            pub fn name(self) -> &'static str {
                match self { $(Region::$v => $name),* }
            }
        }
    };
}

regions! {
    NorthAfricaMiddleEast = "A02GBDR_001_NAM", "North Africa and Middle East";
    CentralSubSaharanAfrica = "A01GBDR_002_CSSA", "Central Sub-Saharan Africa";
    EasternSubSaharanAfrica = "A01GBDR_003_ESSA", "Eastern Sub-Saharan Africa";
    SouthernSubSaharanAfrica = "A01GBDR_004_SSSA", "Southern Sub-Saharan Africa";
    WesternSubSaharanAfrica = "A01GBDR_005_WSSA", "Western Sub-Saharan Africa";
    SouthernLatinAmerica = "A07GBDR_006_SLA", "Southern Latin America";
    HighIncomeNorthAmerica = "A07GBDR_007_HINA", "High-income North America";
    Caribbean = "A03GBDR_008_CAR", "Caribbean";
    AndeanLatinAmerica = "A03GBDR_009_ALA", "Andean Latin America";
    CentralLatinAmerica = "A03GBDR_010_CLA", "Central Latin America";
    TropicalLatinAmerica = "A03GBDR_011_TLA", "Tropical Latin America";
    EastAsia = "A05GBDR_012_EAS", "East Asia";
    SouthAsia = "A04GBDR_013_SAS", "South Asia";
    SoutheastAsia = "A05GBDR_014_SEA", "Southeast Asia";
    CentralAsia = "A06GBDR_015_CAS", "Central Asia";
    HighIncomeAsiaPacific = "A07GBDR_016_HIAP", "High-income Asia Pacific";
    WesternEurope = "A07GBDR_017_WEU", "Western Europe";
    CentralEurope = "A06GBDR_018_CEU", "Central Europe";
    EasternEurope = "A06GBDR_019_EEU", "Eastern Europe";
    Oceania = "A05GBDR_020_OCE", "Oceania";
    Australasia = "A07GBDR_021_AUAS", "Australasia";
}

impl Region {
    /// Looks a region up by its GBD code.
    pub fn from_code(code: &str) -> Option<Region> {
        Region::ALL.iter().copied().find(|r| r.code() == code)
    }
    fn index(self) -> usize {
        self as usize
    }
}

impl Default for Region {
    /// East Asia, China's GBD region.
    fn default() -> Self {
        Region::EastAsia
    }
}

/// Which recalibration parameters to use (RM-WHO19-2/4).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Calibration {
    /// 2017 region-level (`cal2`) parameters — what the published charts use (default East Asia).
    Region2017(Region),
    /// 2017 China country-level (`cal1`, `CHN`) parameters.
    ChinaCountry2017,
}

impl Calibration {
    /// Parses a calibration choice: a GBD region code (`A05GBDR_012_EAS`), a region
    /// name in any case with spaces, `-` or `_` (`east-asia`, `East Asia`), or
    /// `china-country` / `CHN` for China's country-level parameters.
    pub fn parse(s: &str) -> Option<Calibration> {
        let norm = |x: &str| -> String {
            x.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let n = norm(s);
        if n == "chinacountry" || n == "chn" || n == "country" {
            return Some(Calibration::ChinaCountry2017);
        }
        Region::from_code(s.trim())
            .or_else(|| Region::ALL.iter().copied().find(|r| norm(r.name()) == n))
            .map(Calibration::Region2017)
    }
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration::Region2017(Region::EastAsia)
    }
}

/// One `cons`/`slope` pair: `p_cal = 1 − exp(−exp(cons + slope · ln(−ln(1 − p_raw))))`.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Recal {
    /// Intercept.
    pub cons: f64,
    /// Slope.
    pub slope: f64,
}

/// The four pairs of one sex: laboratory CHD, laboratory stroke, non-laboratory CHD,
/// non-laboratory stroke.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct SexCalibration {
    /// m1 CHD
    pub lab_chd: Recal,
    /// m1 stroke
    pub lab_stroke: Recal,
    /// m2 CHD
    pub nonlab_chd: Recal,
    /// m2 stroke
    pub nonlab_stroke: Recal,
}

/// Recalibration table for the 21 regions (index = [`Region`] order; \[men, women\]).
/// Source: skkceu/stata@d4372b6 `whocvdrisk_t10_calparms_gbd_sens0.dta`, year 2017,
/// `cal2_*` (spec RM-WHO19-4), extracted to `core/data/who2019_recalibration_gbd2017_regions.csv`
/// and compiled into [`tables`] by `core/build.rs` (the CSV is the source of truth).
pub const REGIONS_CSV: &str = include_str!("../../data/who2019_recalibration_gbd2017_regions.csv");
/// China country-level (`cal1_*`, `CHN`, 2017) rows, same source.
pub const CHINA_CSV: &str =
    include_str!("../../data/who2019_recalibration_gbd2017_china_country.csv");

/// The recalibration tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Tables {
    /// Region rows, `[region][sex]` with sex 0 = men, 1 = women.
    pub regions: [[SexCalibration; 2]; 21],
    /// China country rows, `[sex]`.
    pub china: [SexCalibration; 2],
    /// Data rows read from the region file.
    pub region_rows: usize,
    /// Data rows read from the China file.
    pub china_rows: usize,
}

// `TABLES` and `GENERATED_REGION_CODES`, generated by `core/build.rs` from the two CSV
// files (regions in file order); the tests below parse the CSV again and compare.
include!(concat!(env!("OUT_DIR"), "/who2019_recalibration.rs"));

const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

// The generated rows are in file order and indexed by `Region`: the orders must agree
// (a reordered CSV fails the build instead of mixing up regions).
const _: () = {
    let mut i = 0;
    while i < Region::ALL.len() {
        assert!(
            same_str(Region::ALL[i].code(), GENERATED_REGION_CODES[i]),
            "who2019_recalibration_gbd2017_regions.csv is not in `Region` order"
        );
        i += 1;
    }
};

/// The recalibration tables (compiled in; the `Result` is kept for the callers, it is
/// always `Ok`).
pub fn tables() -> Result<&'static Tables, ModelError> {
    Ok(&TABLES)
}

impl Calibration {
    fn row(self, t: &Tables, sex: Sex) -> &SexCalibration {
        let s = usize::from(sex == Sex::Female);
        match self {
            Calibration::Region2017(r) => &t.regions[r.index()][s],
            Calibration::ChinaCountry2017 => &t.china[s],
        }
    }
}

pub(crate) const AGE: InputRange = InputRange::new("age", 40.0, 80.0, "years", RangeKind::Policy);

/// RM-WHO19-5 library range: age 40–80 (derivation range; chart ages 40–74, flag
/// `outside_chart_age` for ≥ 75). SBP, TC and BMI have only the plausibility ranges of
/// domain.md §12.3 ([`super::error::plausible`]).
pub const RANGES: &[InputRange] = &[AGE];

/// Laboratory-model inputs.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct WhoLabInput {
    /// Sex.
    pub sex: Sex,
    /// Age, years.
    pub age: f64,
    /// SBP, mmHg.
    pub sbp: f64,
    /// Total cholesterol (mg/dL converted with UNIT-1a, ÷ 38.67).
    pub tc: Conc<Cholesterol>,
    /// Diabetes.
    pub diabetes: bool,
    /// Current smoker.
    pub current_smoker: bool,
}

/// Non-laboratory-model inputs.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct WhoNonLabInput {
    /// Sex.
    pub sex: Sex,
    /// Age, years.
    pub age: f64,
    /// SBP, mmHg.
    pub sbp: f64,
    /// BMI, kg/m².
    pub bmi: f64,
    /// Current smoker.
    pub current_smoker: bool,
}

/// Flags of a WHO 2019 result.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WhoFlags {
    /// Age ≥ 75: outside the printed charts (40–74) though inside the model's 40–80.
    pub outside_chart_age: bool,
    /// Age outside 40–80, computed under [`RangePolicy::Flag`].
    pub outside_age_range: bool,
}

impl WhoFlags {
    /// True when any flag is set.
    pub fn any(&self) -> bool {
        self.outside_chart_age || self.outside_age_range
    }
}

/// Result of a WHO 2019 evaluation.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct WhoResult {
    /// Model id (RM-GEN-6).
    pub model_id: &'static str,
    /// 10-year CVD risk, percent: `1 − (1 − CHD)(1 − stroke)`.
    pub cvd_pct: f64,
    /// Recalibrated CHD component, percent.
    pub chd_pct: f64,
    /// Recalibrated stroke component, percent.
    pub stroke_pct: f64,
    /// `cvd_pct` rounded half up to an integer percent (the charts' display).
    pub chart_int: u8,
    /// Flags.
    pub flags: WhoFlags,
}

/// Kernel inputs: `x2` is TC (mmol/L) or BMI.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Prepared {
    pub female: bool,
    pub lab: bool,
    pub age: f64,
    pub sbp: f64,
    pub x2: f64,
    pub diabetes: bool,
    pub smoker: bool,
}

/// The linear predictor of one Cox model.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn lp(c: &Cox, cage: f64, cx2: f64, csbp: f64, dm: f64, smk: f64) -> f64 {
    c.age * cage
        + c.x2 * cx2
        + c.sbp * csbp
        + c.diabetes * dm
        + c.smoker * smk
        + c.age_x2 * cage * cx2
        + c.age_sbp * cage * csbp
        + c.age_diabetes * cage * dm
        + c.age_smoker * cage * smk
}

/// The cumulative hazard `h = −ln(1 − p_raw)` of one Cox model:
/// p_raw = 1 − S0^exp(lp), so −ln(1 − p_raw) = −exp(lp)·ln S0.
#[cfg(test)]
fn raw(c: &Cox, cage: f64, cx2: f64, csbp: f64, dm: f64, smk: f64) -> f64 {
    -math::exp(lp(c, cage, cx2, csbp, dm, smk)) * c.ln_s0
}

/// `ln(−ln S0)` of each model, `[men, women]` (checked against `ln_s0` by a unit test):
/// `ln h = lp + ln(−ln S0)`, so the kernel takes the logarithm of the cumulative hazard
/// without computing `h` (no `exp` then `ln` round trip).
pub(crate) const LAB_CHD_LN_H0: [f64; 2] = [-3.055900903932055, -4.54308686651879];
/// See [`LAB_CHD_LN_H0`].
pub(crate) const LAB_STROKE_LN_H0: [f64; 2] = [-4.187179048688775, -4.50954949504277];
/// See [`LAB_CHD_LN_H0`].
pub(crate) const NONLAB_CHD_LN_H0: [f64; 2] = [-3.065181480436569, -4.478379975992559];
/// See [`LAB_CHD_LN_H0`].
pub(crate) const NONLAB_STROKE_LN_H0: [f64; 2] = [-4.180536431857399, -4.465824193031777];

/// Recalibrated cumulative hazard from `ln h`, the logarithm of the raw cumulative hazard
/// `h = −ln(1 − p_raw)`: `H = exp(cons + slope · ln h)`, the probability being
/// `1 − exp(−H)`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn recal(r: &Recal, ln_h: f64) -> f64 {
    math::exp(r.cons + r.slope * ln_h)
}

/// `1 − exp(−H)`, accurate for small `H`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn prob(hazard: f64) -> f64 {
    -math::exp_m1(-hazard)
}

impl Cox {
    /// `a` where `pick_a`, else `b`, field by field (exact; per lane in the batch kernel
    /// loop, where rows of both sexes share one vectorised loop).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn select(pick_a: bool, a: &Self, b: &Self) -> Self {
        select_fields!(
            pick_a,
            a,
            b,
            Cox {
                age,
                x2,
                sbp,
                diabetes,
                smoker,
                age_x2,
                age_sbp,
                age_diabetes,
                age_smoker,
                s0,
                ln_s0,
            }
        )
    }
}

impl Recal {
    /// `a` where `pick_a`, else `b` (exact, as [`Cox::select`]).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn select(pick_a: bool, a: &Self, b: &Self) -> Self {
        select_fields!(pick_a, a, b, Recal { cons, slope })
    }
}

/// The coefficients of one row: the CHD and stroke models of its sex and model
/// (laboratory or not), their recalibration pairs, and the centre of the second variable
/// (TC 6 mmol/L or BMI 25).
#[derive(Copy, Clone, Debug)]
pub(crate) struct Set<'a> {
    pub chd: &'a Cox,
    pub stroke: &'a Cox,
    pub rc: &'a Recal,
    pub rs: &'a Recal,
    /// `ln(−ln S0)` of `chd` and of `stroke`.
    pub chd_ln_h0: f64,
    pub stroke_ln_h0: f64,
    pub x2_centre: f64,
}

/// The kernel on one row: (cvd, chd, stroke) as probabilities. Straight-line, on the
/// branch-free [`math`] functions, so that a loop over rows vectorises; the scalar API
/// and [`batch`](super::batch) both call it (the batch with a per-lane blend of the
/// coefficients, the same values), so their results are the same bits.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn kernel_set(
    s: &Set<'_>,
    age: f64,
    sbp: f64,
    x2: f64,
    dm: f64,
    smk: f64,
) -> (f64, f64, f64) {
    let cage = age - 60.0;
    let csbp = sbp - 120.0;
    let cx2 = x2 - s.x2_centre;
    let h_chd = recal(s.rc, lp(s.chd, cage, cx2, csbp, dm, smk) + s.chd_ln_h0);
    let h_stroke = recal(
        s.rs,
        lp(s.stroke, cage, cx2, csbp, dm, smk) + s.stroke_ln_h0,
    );
    // 1 − (1 − CHD)(1 − stroke) with 1 − p = exp(−H): the CVD risk from the summed
    // hazard, one exp_m1 (the batch, which only needs the CVD risk, skips the other two)
    // and no cancellation for small risks.
    let cvd = prob(h_chd + h_stroke);
    let (chd, stroke) = (prob(h_chd), prob(h_stroke));
    (cvd, chd, stroke)
}

/// Centre of TC (mmol/L) in the laboratory model.
pub(crate) const TC_CENTRE: f64 = 6.0;
/// Centre of BMI in the non-laboratory model.
pub(crate) const BMI_CENTRE: f64 = 25.0;

/// Returns (cvd, chd, stroke) as probabilities.
#[inline]
pub(crate) fn kernel(p: &Prepared, cal: &SexCalibration) -> (f64, f64, f64) {
    let s = usize::from(p.female);
    let set = if p.lab {
        Set {
            chd: &LAB_CHD[s],
            stroke: &LAB_STROKE[s],
            rc: &cal.lab_chd,
            rs: &cal.lab_stroke,
            chd_ln_h0: LAB_CHD_LN_H0[s],
            stroke_ln_h0: LAB_STROKE_LN_H0[s],
            x2_centre: TC_CENTRE,
        }
    } else {
        Set {
            chd: &NONLAB_CHD[s],
            stroke: &NONLAB_STROKE[s],
            rc: &cal.nonlab_chd,
            rs: &cal.nonlab_stroke,
            chd_ln_h0: NONLAB_CHD_LN_H0[s],
            stroke_ln_h0: NONLAB_STROKE_LN_H0[s],
            x2_centre: BMI_CENTRE,
        }
    };
    let dm = if p.diabetes { 1.0 } else { 0.0 };
    let smk = if p.smoker { 1.0 } else { 0.0 };
    kernel_set(&set, p.age, p.sbp, p.x2, dm, smk)
}

fn check_age(age: f64, policy: RangePolicy) -> Result<WhoFlags, ModelError> {
    let out = check2(MODEL_NAME, age, &plausible::AGE, &AGE, policy)?;
    Ok(WhoFlags {
        outside_chart_age: age >= 75.0,
        outside_age_range: out,
    })
}

pub(crate) fn prepare_lab(
    i: &WhoLabInput,
    policy: RangePolicy,
) -> Result<(Prepared, WhoFlags), ModelError> {
    let flags = check_age(i.age, policy)?;
    plausible::SBP.check(MODEL_NAME, i.sbp, RangePolicy::Strict)?;
    let tc = match i.tc {
        Conc::MmolL(v) => {
            plausible::TC_MMOL.check(MODEL_NAME, v.value(), RangePolicy::Strict)?;
            v.value()
        }
        Conc::MgDl(v) => {
            plausible::TC_MGDL.check(MODEL_NAME, v.value(), RangePolicy::Strict)?;
            v.to_mmol().value()
        }
    };
    Ok((
        Prepared {
            female: i.sex == Sex::Female,
            lab: true,
            age: i.age,
            sbp: i.sbp,
            x2: tc,
            diabetes: i.diabetes,
            smoker: i.current_smoker,
        },
        flags,
    ))
}

pub(crate) fn prepare_nonlab(
    i: &WhoNonLabInput,
    policy: RangePolicy,
) -> Result<(Prepared, WhoFlags), ModelError> {
    let flags = check_age(i.age, policy)?;
    plausible::SBP.check(MODEL_NAME, i.sbp, RangePolicy::Strict)?;
    plausible::BMI.check(MODEL_NAME, i.bmi, RangePolicy::Strict)?;
    Ok((
        Prepared {
            female: i.sex == Sex::Female,
            lab: false,
            age: i.age,
            sbp: i.sbp,
            x2: i.bmi,
            diabetes: false,
            smoker: i.current_smoker,
        },
        flags,
    ))
}

/// The calibration row for a sex (errors only if the compiled-in table is broken).
pub(crate) fn calibration_row(
    cal: Calibration,
    sex: Sex,
) -> Result<&'static SexCalibration, ModelError> {
    Ok(cal.row(tables()?, sex))
}

fn finish(
    p: &Prepared,
    flags: WhoFlags,
    cal: Calibration,
    sex: Sex,
) -> Result<WhoResult, ModelError> {
    let (cvd, chd, stroke) = kernel(p, calibration_row(cal, sex)?);
    let cvd_pct = clamp_pct(cvd);
    let model_id = match (p.lab, cal) {
        (true, Calibration::Region2017(_)) => MODEL_ID_LAB,
        (false, Calibration::Region2017(_)) => MODEL_ID_NONLAB,
        (true, Calibration::ChinaCountry2017) => MODEL_ID_LAB_COUNTRY,
        (false, Calibration::ChinaCountry2017) => MODEL_ID_NONLAB_COUNTRY,
    };
    Ok(WhoResult {
        model_id,
        cvd_pct,
        chd_pct: clamp_pct(chd),
        stroke_pct: clamp_pct(stroke),
        // cvd_pct ∈ [0, 100], so the cast is exact.
        chart_int: round_half_up(cvd_pct, 0) as u8,
        flags,
    })
}

/// WHO 2019 laboratory model.
pub fn who2019_lab(
    input: &WhoLabInput,
    cal: Calibration,
    policy: RangePolicy,
) -> Result<WhoResult, ModelError> {
    let (p, flags) = prepare_lab(input, policy)?;
    finish(&p, flags, cal, input.sex)
}

/// WHO 2019 non-laboratory model.
pub fn who2019_nonlab(
    input: &WhoNonLabInput,
    cal: Calibration,
    policy: RangePolicy,
) -> Result<WhoResult, ModelError> {
    let (p, flags) = prepare_nonlab(input, policy)?;
    finish(&p, flags, cal, input.sex)
}

/// Chart band midpoints (RM-WHO19-5): ages 42.5…72.5.
pub const AGE_MIDPOINTS: [f64; 7] = [42.5, 47.5, 52.5, 57.5, 62.5, 67.5, 72.5];
/// SBP midpoints for bands < 120, 120–139, 140–159, 160–179, ≥ 180.
pub const SBP_MIDPOINTS: [f64; 5] = [110.0, 130.0, 150.0, 170.0, 190.0];
/// TC midpoints (mmol/L) for bands < 4, 4–4.9, 5–5.9, 6–6.9, ≥ 7.
pub const TC_MIDPOINTS: [f64; 5] = [3.5, 4.5, 5.5, 6.5, 7.5];
/// BMI midpoints for bands < 20, 20–24, 25–29, 30–35, ≥ 35.
pub const BMI_MIDPOINTS: [f64; 5] = [17.5, 22.5, 27.5, 32.5, 37.5];

fn band(v: f64, lower_edges: &[f64]) -> usize {
    lower_edges.iter().filter(|&&e| v >= e).count()
}

/// A chart lookup: the band midpoints used and the printed cell value.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct ChartCell {
    /// Age midpoint used.
    pub age: f64,
    /// SBP midpoint used.
    pub sbp: f64,
    /// TC (laboratory) or BMI (non-laboratory) midpoint used.
    pub x2: f64,
    /// The model evaluated at the midpoints; `chart_int` is the printed cell.
    pub result: WhoResult,
}

fn chart_age(age: f64) -> Result<f64, ModelError> {
    // Chart ages 40–74 (bands 40–44 … 70–74): [40, 75), written as the largest f64
    // below 75 so that the closed-interval check and message stay exact.
    let hi = f64::from_bits(75f64.to_bits() - 1);
    InputRange::new("age", 40.0, hi, "years", RangeKind::Policy).check(
        MODEL_NAME,
        age,
        RangePolicy::Strict,
    )?;
    Ok(AGE_MIDPOINTS[band(age, &[45.0, 50.0, 55.0, 60.0, 65.0, 70.0])])
}

/// Reproduces a printed laboratory chart cell (RM-WHO19-5): each input is mapped to
/// its chart band and the model is evaluated at the band midpoints. Ages must be in
/// the chart's 40–<75; TC in mg/dL is converted with UNIT-1a first.
pub fn chart_cell_lab(input: &WhoLabInput, cal: Calibration) -> Result<ChartCell, ModelError> {
    let (p, _) = prepare_lab(input, RangePolicy::Strict)?;
    let mid = WhoLabInput {
        age: chart_age(input.age)?,
        sbp: SBP_MIDPOINTS[band(p.sbp, &[120.0, 140.0, 160.0, 180.0])],
        tc: Conc::mmol(TC_MIDPOINTS[band(p.x2, &[4.0, 5.0, 6.0, 7.0])]),
        ..*input
    };
    let result = who2019_lab(&mid, cal, RangePolicy::Strict)?;
    Ok(ChartCell {
        age: mid.age,
        sbp: mid.sbp,
        x2: mid.tc.raw(),
        result,
    })
}

/// Reproduces a printed non-laboratory chart cell (RM-WHO19-5).
pub fn chart_cell_nonlab(
    input: &WhoNonLabInput,
    cal: Calibration,
) -> Result<ChartCell, ModelError> {
    prepare_nonlab(input, RangePolicy::Strict)?;
    let mid = WhoNonLabInput {
        age: chart_age(input.age)?,
        sbp: SBP_MIDPOINTS[band(input.sbp, &[120.0, 140.0, 160.0, 180.0])],
        bmi: BMI_MIDPOINTS[band(input.bmi, &[20.0, 25.0, 30.0, 35.0])],
        ..*input
    };
    let result = who2019_nonlab(&mid, cal, RangePolicy::Strict)?;
    Ok(ChartCell {
        age: mid.age,
        sbp: mid.sbp,
        x2: mid.bmi,
        result,
    })
}

#[cfg(test)]
mod calibration_parse_tests {
    use super::*;

    #[test]
    fn parse_codes_names_and_country() {
        assert_eq!(
            Calibration::parse("A05GBDR_012_EAS"),
            Some(Calibration::Region2017(Region::EastAsia))
        );
        assert_eq!(
            Calibration::parse("east-asia"),
            Some(Calibration::Region2017(Region::EastAsia))
        );
        assert_eq!(
            Calibration::parse("Western Europe"),
            Some(Calibration::Region2017(Region::WesternEurope))
        );
        assert_eq!(
            Calibration::parse("china-country"),
            Some(Calibration::ChinaCountry2017)
        );
        assert_eq!(Calibration::parse("atlantis"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(sex: Sex, age: f64, sbp: f64, tc: f64, diabetes: bool, smoker: bool) -> WhoLabInput {
        WhoLabInput {
            sex,
            age,
            sbp,
            tc: Conc::mmol(tc),
            diabetes,
            current_smoker: smoker,
        }
    }

    #[test]
    fn ln_h0_literals_match() {
        for (models, lits) in [
            (&LAB_CHD, &LAB_CHD_LN_H0),
            (&LAB_STROKE, &LAB_STROKE_LN_H0),
            (&NONLAB_CHD, &NONLAB_CHD_LN_H0),
            (&NONLAB_STROKE, &NONLAB_STROKE_LN_H0),
        ] {
            for (c, lit) in models.iter().zip(lits) {
                let v = (-c.ln_s0).ln();
                assert!((lit - v).abs() <= lit.abs() * f64::EPSILON, "{lit} vs {v}");
                assert_eq!(lit.to_bits(), math::ln(-c.ln_s0).to_bits());
            }
        }
    }

    #[test]
    fn ln_s0_literals_match() {
        for c in LAB_CHD
            .iter()
            .chain(&LAB_STROKE)
            .chain(&NONLAB_CHD)
            .chain(&NONLAB_STROKE)
        {
            assert!((c.ln_s0 - c.s0.ln()).abs() <= c.ln_s0.abs() * f64::EPSILON);
        }
    }

    /// The compiled table is the CSV: every row of both files, parsed here
    /// independently of `build.rs`, equals the table entry bit for bit.
    #[test]
    fn compiled_tables_match_the_csv() {
        let t = tables().unwrap();
        let mut seen = 0;
        for (csv, prefix) in [(REGIONS_CSV, "cal2_"), (CHINA_CSV, "cal1_")] {
            let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
            let header: Vec<&str> = lines.next().unwrap().trim().split(',').collect();
            let col = |name: &str| {
                header
                    .iter()
                    .position(|h| *h == format!("{prefix}{name}"))
                    .unwrap_or_else(|| panic!("no column {prefix}{name}"))
            };
            for line in lines {
                let f: Vec<&str> = line.trim().split(',').collect();
                let sex = match f[2] {
                    "Men" => 0,
                    "Women" => 1,
                    other => panic!("sex {other}"),
                };
                let row = if f[0] == "CHN" {
                    &t.china[sex]
                } else {
                    &t.regions[Region::from_code(f[0]).unwrap().index()][sex]
                };
                let v = |name: &str| f[col(name)].parse::<f64>().unwrap().to_bits();
                for (recal, m, ep) in [
                    (row.lab_chd, "m1", "chdmi"),
                    (row.nonlab_chd, "m2", "chdmi"),
                    (row.lab_stroke, "m1", "crbv"),
                    (row.nonlab_stroke, "m2", "crbv"),
                ] {
                    assert_eq!(
                        recal.cons.to_bits(),
                        v(&format!("{m}_cons_ep_{ep}")),
                        "{line}"
                    );
                    assert_eq!(
                        recal.slope.to_bits(),
                        v(&format!("{m}_slope_ep_{ep}")),
                        "{line}"
                    );
                }
                seen += 1;
            }
        }
        assert_eq!(seen, t.region_rows + t.china_rows);
        for (i, r) in Region::ALL.iter().enumerate() {
            assert_eq!(r.code(), GENERATED_REGION_CODES[i]);
        }
    }

    #[test]
    fn tables_rows_and_spot_values() {
        let t = tables().unwrap();
        assert_eq!((t.region_rows, t.china_rows), (42, 2));
        let eas = &t.regions[Region::EastAsia.index()];
        assert_eq!(
            eas[0].lab_chd,
            Recal {
                cons: -0.3625042140,
                slope: 1.0812404156
            }
        );
        assert_eq!(
            eas[0].lab_stroke,
            Recal {
                cons: 0.1388986558,
                slope: 0.7126161456
            }
        );
        assert_eq!(
            eas[1].lab_chd,
            Recal {
                cons: -0.4210042953,
                slope: 0.7736376524
            }
        );
        assert_eq!(
            eas[1].nonlab_stroke,
            Recal {
                cons: -0.1744001955,
                slope: 0.6109179258
            }
        );
        assert_eq!(
            eas[0].nonlab_chd,
            Recal {
                cons: -0.3592473567,
                slope: 1.1810823679
            }
        );
        assert_eq!(
            t.china[0].lab_chd,
            Recal {
                cons: -0.3919492364,
                slope: 1.1027959585
            }
        );
        assert_eq!(
            t.china[1].nonlab_stroke,
            Recal {
                cons: -0.1860111654,
                slope: 0.6115956903
            }
        );
        assert_eq!(
            t.regions[0][0].lab_chd,
            Recal {
                cons: 0.2415885478,
                slope: 0.8756304383
            }
        );
        for r in Region::ALL {
            assert_eq!(Region::from_code(r.code()), Some(r));
            for s in &t.regions[r.index()] {
                assert!(s.lab_chd.slope.is_finite() && s.nonlab_stroke.cons.is_finite());
            }
        }
        assert_eq!(Region::default().code(), "A05GBDR_012_EAS");
        assert_eq!(Region::EastAsia.name(), "East Asia");
    }

    #[test]
    fn worked_examples() {
        let c = Calibration::default();
        let r = who2019_lab(
            &lab(Sex::Male, 60.0, 140.0, 6.0, false, true),
            c,
            RangePolicy::Strict,
        )
        .unwrap();
        assert!((r.chd_pct - 6.0668).abs() < 5e-5 && (r.stroke_pct - 10.7627).abs() < 5e-5);
        assert!((r.cvd_pct - 16.1766).abs() < 5e-5);
        assert_eq!(r.model_id, MODEL_ID_LAB);
        let r = who2019_lab(
            &lab(Sex::Female, 55.0, 130.0, 5.0, true, false),
            c,
            RangePolicy::Strict,
        )
        .unwrap();
        assert!((r.chd_pct - 3.0854).abs() < 5e-5 && (r.stroke_pct - 7.3292).abs() < 5e-5);
        assert!((r.cvd_pct - 10.1884).abs() < 5e-5);
        assert_eq!(r.chart_int, 10);
        let n = WhoNonLabInput {
            sex: Sex::Male,
            age: 60.0,
            sbp: 140.0,
            bmi: 25.0,
            current_smoker: true,
        };
        let r = who2019_nonlab(&n, c, RangePolicy::Strict).unwrap();
        assert!((r.cvd_pct - 15.4618).abs() < 5e-5);
        assert_eq!(r.model_id, MODEL_ID_NONLAB);
    }

    /// The kernel as it was before `models::math`: the same expressions with the
    /// platform's `exp` / `ln` / `exp_m1`. Returns (cvd, chd, stroke) in percent.
    fn libm_kernel(p: &Prepared, cal: &SexCalibration) -> (f64, f64, f64) {
        let s = usize::from(p.female);
        let raw = |c: &Cox, cage: f64, cx2: f64, csbp: f64, dm: f64, smk: f64| {
            let lp = c.age * cage
                + c.x2 * cx2
                + c.sbp * csbp
                + c.diabetes * dm
                + c.smoker * smk
                + c.age_x2 * cage * cx2
                + c.age_sbp * cage * csbp
                + c.age_diabetes * cage * dm
                + c.age_smoker * cage * smk;
            -lp.exp() * c.ln_s0
        };
        let recal = |r: &Recal, h: f64| -(-(r.cons + r.slope * h.ln()).exp()).exp_m1();
        let (cage, csbp) = (p.age - 60.0, p.sbp - 120.0);
        let dm = if p.diabetes { 1.0 } else { 0.0 };
        let smk = if p.smoker { 1.0 } else { 0.0 };
        let (chd_m, str_m, cx2, rc, rs) = if p.lab {
            (
                &LAB_CHD[s],
                &LAB_STROKE[s],
                p.x2 - 6.0,
                &cal.lab_chd,
                &cal.lab_stroke,
            )
        } else {
            (
                &NONLAB_CHD[s],
                &NONLAB_STROKE[s],
                p.x2 - 25.0,
                &cal.nonlab_chd,
                &cal.nonlab_stroke,
            )
        };
        let chd = recal(rc, raw(chd_m, cage, cx2, csbp, dm, smk));
        let stroke = recal(rs, raw(str_m, cage, cx2, csbp, dm, smk));
        let cvd = 1.0 - (1.0 - chd) * (1.0 - stroke);
        (clamp_pct(cvd), clamp_pct(chd), clamp_pct(stroke))
    }

    /// `models::math` moves the risks by rounding noise only, and no printed chart cell:
    /// every cell of the laboratory and non-laboratory charts (7 ages × 5 SBP × 5 TC or
    /// BMI bands × diabetes × smoking × sex) of all 21 regions and the China country
    /// calibration has the same `chart_int` as with the libm formulas, and over those
    /// cells and a random sample of every accepted input (`RangePolicy::Flag`) the
    /// largest difference (printed with `--nocapture`) stays below 1e-11 percentage points.
    #[test]
    fn kernel_matches_the_libm_formulas_and_every_chart_cell() {
        use std::cell::Cell;
        let cals: Vec<Calibration> = Region::ALL
            .iter()
            .map(|r| Calibration::Region2017(*r))
            .chain([Calibration::ChinaCountry2017])
            .collect();
        let (d, changed, mut cells) = (Cell::new(0f64), Cell::new(0usize), 0usize);
        // Largest distance in ulps of a CVD percentage (both positive).
        let ulps = Cell::new(0u64);
        let compare = |p: &Prepared, flags: WhoFlags, cal: Calibration, sex: Sex| {
            let new = finish(p, flags, cal, sex).unwrap();
            let (cvd, chd, stroke) = libm_kernel(p, calibration_row(cal, sex).unwrap());
            ulps.set(
                ulps.get()
                    .max(new.cvd_pct.to_bits().abs_diff(cvd.to_bits())),
            );
            for (a, b) in [
                (new.cvd_pct, cvd),
                (new.chd_pct, chd),
                (new.stroke_pct, stroke),
            ] {
                d.set(d.get().max((a - b).abs()));
                changed.set(changed.get() + usize::from(a.to_bits() != b.to_bits()));
            }
            (new, round_half_up(cvd, 0) as u8)
        };
        for &cal in &cals {
            for sex in [Sex::Male, Sex::Female] {
                for age in AGE_MIDPOINTS {
                    for sbp in SBP_MIDPOINTS {
                        for smoker in [false, true] {
                            for tc in TC_MIDPOINTS {
                                for diabetes in [false, true] {
                                    let i = WhoLabInput {
                                        sex,
                                        age,
                                        sbp,
                                        tc: Conc::mmol(tc),
                                        diabetes,
                                        current_smoker: smoker,
                                    };
                                    let (p, f) = prepare_lab(&i, RangePolicy::Strict).unwrap();
                                    let (new, old_int) = compare(&p, f, cal, sex);
                                    assert_eq!(new.chart_int, old_int, "{i:?} {cal:?}");
                                    cells += 1;
                                }
                            }
                            for bmi in BMI_MIDPOINTS {
                                let i = WhoNonLabInput {
                                    sex,
                                    age,
                                    sbp,
                                    bmi,
                                    current_smoker: smoker,
                                };
                                let (p, f) = prepare_nonlab(&i, RangePolicy::Strict).unwrap();
                                let (new, old_int) = compare(&p, f, cal, sex);
                                assert_eq!(new.chart_int, old_int, "{i:?} {cal:?}");
                                cells += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(cells, 22 * (2 * 7 * 5 * 2) * (5 * 2 + 5));
        let (d_cells, ulps_cells) = (d.get(), ulps.get());
        // xorshift64* in [0, 1).
        let mut state = 0x0DD5_EED5_u64;
        let mut u = || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
        };
        let n = if cfg!(debug_assertions) {
            200_000
        } else {
            2_000_000
        };
        for k in 0..n {
            let bit = |j: usize| (k >> j) & 1 == 1;
            let sex = if bit(0) { Sex::Male } else { Sex::Female };
            let cal = cals[k % cals.len()];
            let (age, sbp) = (15.0 + 105.0 * u(), 70.0 + 200.0 * u());
            let i = WhoLabInput {
                sex,
                age,
                sbp,
                tc: Conc::mmol(1.75 + 18.25 * u()),
                diabetes: bit(1),
                current_smoker: bit(2),
            };
            let (p, f) = prepare_lab(&i, RangePolicy::Flag).unwrap();
            compare(&p, f, cal, sex);
            let i = WhoNonLabInput {
                sex,
                age,
                sbp,
                bmi: 10.0 + 70.0 * u(),
                current_smoker: bit(2),
            };
            let (p, f) = prepare_nonlab(&i, RangePolicy::Flag).unwrap();
            compare(&p, f, cal, sex);
        }
        println!(
            "WHO 2019 max |math − libm|, pp: {d_cells:e} over {cells} chart cells (CVD at most \
             {ulps_cells} ulps apart), {:e} with {n} random rows of each model (CVD at most {} \
             ulps apart); values not \
             bit-identical: {} of {}",
            d.get(),
            ulps.get(),
            changed.get(),
            3 * (cells + 2 * n)
        );
        assert!(d.get() < 1e-11, "{:e}", d.get());
    }

    #[test]
    fn raw_chd_component() {
        // RM-WHO19-6: CHD raw 10.2169 %, stroke raw 3.8264 %.
        let h = raw(&LAB_CHD[0], 0.0, 0.0, 20.0, 0.0, 1.0);
        assert!((100.0 * -(-h).exp_m1() - 10.2169).abs() < 5e-5);
        let h = raw(&LAB_STROKE[0], 0.0, 0.0, 20.0, 0.0, 1.0);
        assert!((100.0 * -(-h).exp_m1() - 3.8264).abs() < 5e-5);
    }

    #[test]
    fn country_calibration_differs() {
        let i = lab(Sex::Male, 55.0, 150.0, 5.5, false, true);
        let r = who2019_lab(&i, Calibration::default(), RangePolicy::Strict).unwrap();
        let c = who2019_lab(&i, Calibration::ChinaCountry2017, RangePolicy::Strict).unwrap();
        assert_eq!(c.model_id, MODEL_ID_LAB_COUNTRY);
        let d = (r.cvd_pct - c.cvd_pct).abs();
        assert!(d > 0.3 && d < 2.0, "{d}");
    }

    #[test]
    fn age_range() {
        let c = Calibration::default();
        for ok in [40.0, 74.9, 75.0, 80.0] {
            assert!(who2019_lab(
                &lab(Sex::Male, ok, 140.0, 6.0, false, true),
                c,
                RangePolicy::Strict
            )
            .is_ok());
        }
        assert!(
            !who2019_lab(
                &lab(Sex::Male, 74.9, 140.0, 6.0, false, true),
                c,
                RangePolicy::Strict
            )
            .unwrap()
            .flags
            .outside_chart_age
        );
        assert!(
            who2019_lab(
                &lab(Sex::Male, 75.0, 140.0, 6.0, false, true),
                c,
                RangePolicy::Strict
            )
            .unwrap()
            .flags
            .outside_chart_age
        );
        for bad in [39.9, 80.1] {
            assert!(matches!(
                who2019_lab(
                    &lab(Sex::Male, bad, 140.0, 6.0, false, true),
                    c,
                    RangePolicy::Strict
                ),
                Err(ModelError::OutOfRange {
                    field: "age",
                    lo: 40.0,
                    hi: 80.0,
                    ..
                })
            ));
            assert!(
                who2019_lab(
                    &lab(Sex::Male, bad, 140.0, 6.0, false, true),
                    c,
                    RangePolicy::Flag
                )
                .unwrap()
                .flags
                .outside_age_range
            );
        }
        let n = WhoNonLabInput {
            sex: Sex::Female,
            age: 39.0,
            sbp: 140.0,
            bmi: 25.0,
            current_smoker: true,
        };
        assert!(who2019_nonlab(&n, c, RangePolicy::Strict).is_err());
    }

    #[test]
    fn nan_and_implausible() {
        let c = Calibration::default();
        assert!(matches!(
            who2019_lab(
                &lab(Sex::Male, 60.0, f64::NAN, 6.0, false, true),
                c,
                RangePolicy::Flag
            ),
            Err(ModelError::NotFinite { field: "sbp", .. })
        ));
        assert!(matches!(
            who2019_lab(
                &lab(Sex::Male, 60.0, 140.0, f64::INFINITY, false, true),
                c,
                RangePolicy::Flag
            ),
            Err(ModelError::NotFinite {
                field: "tc_mmol",
                ..
            })
        ));
        assert!(matches!(
            who2019_lab(
                &lab(Sex::Male, 60.0, 140.0, 25.0, false, true),
                c,
                RangePolicy::Flag
            ),
            Err(ModelError::OutOfRange {
                field: "tc_mmol",
                ..
            })
        ));
        let n = WhoNonLabInput {
            sex: Sex::Female,
            age: 60.0,
            sbp: 140.0,
            bmi: f64::NAN,
            current_smoker: true,
        };
        assert!(matches!(
            who2019_nonlab(&n, c, RangePolicy::Flag),
            Err(ModelError::NotFinite { field: "bmi", .. })
        ));
    }

    #[test]
    fn chart_cell_maps_bands_to_midpoints() {
        let c = Calibration::default();
        // Band edges: SBP 140 is in 140–159, TC 5 in 5–5.9, age 69.99 in 65–69.
        let cell = chart_cell_lab(&lab(Sex::Male, 69.99, 140.0, 5.0, false, true), c).unwrap();
        assert_eq!((cell.age, cell.sbp, cell.x2), (67.5, 150.0, 5.5));
        let direct = who2019_lab(
            &lab(Sex::Male, 67.5, 150.0, 5.5, false, true),
            c,
            RangePolicy::Strict,
        )
        .unwrap();
        assert_eq!(cell.result, direct);
        let cell = chart_cell_lab(&lab(Sex::Female, 40.0, 119.9, 3.99, true, false), c).unwrap();
        assert_eq!((cell.age, cell.sbp, cell.x2), (42.5, 110.0, 3.5));
        let cell = chart_cell_lab(&lab(Sex::Female, 74.0, 180.0, 7.0, true, false), c).unwrap();
        assert_eq!((cell.age, cell.sbp, cell.x2), (72.5, 190.0, 7.5));
        assert!(chart_cell_lab(&lab(Sex::Female, 75.0, 180.0, 7.0, true, false), c).is_err());
        let n = WhoNonLabInput {
            sex: Sex::Male,
            age: 52.0,
            sbp: 125.0,
            bmi: 24.99,
            current_smoker: false,
        };
        let cell = chart_cell_nonlab(&n, c).unwrap();
        assert_eq!((cell.age, cell.sbp, cell.x2), (52.5, 130.0, 22.5));
        let cell = chart_cell_nonlab(&WhoNonLabInput { bmi: 35.0, ..n }, c).unwrap();
        assert_eq!(cell.x2, 37.5);
    }
}
