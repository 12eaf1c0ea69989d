//! Blood-pressure classification (spec/domain.md §9.4): scheme `bpc-cn2018` (BPC-1…7,
//! default of the `bp_grade` column) and scheme `bpc-cn2022` (BPC2022-1/2), never mixed.
//! A classification of one BP level, not a diagnosis (BPC-8).
//!
//! ```
//! use cvdscreen::guideline::bp_class::{classify, BpScheme};
//! assert_eq!(classify(BpScheme::Cn2018, Some(159.5), Some(85.0)).unwrap().as_str(), "grade_1_ish");
//! assert_eq!(classify(BpScheme::Cn2022, Some(120.0), Some(95.0)).unwrap().as_str(), "grade_2");
//! assert_eq!(classify(BpScheme::Cn2018, Some(120.0), None), None);
//! ```

use serde::{Deserialize, Serialize};

crate::define_rules! {
    BPC_1 = "BPC-1", "bpc-cn2018", [ConfirmedP], "domain.md §9.4; 2019 primary-care hypertension guideline Table 1",
        "Normal: SBP < 120 and DBP < 80", "正常血压：收缩压<120且舒张压<80";
    BPC_2 = "BPC-2", "bpc-cn2018", [ConfirmedP], "domain.md §9.4",
        "High-normal: SBP 120–139 and/or DBP 80–89", "正常高值：收缩压120–139和（或）舒张压80–89";
    BPC_3 = "BPC-3", "bpc-cn2018", [ConfirmedP], "domain.md §9.4",
        "Grade 1: SBP 140–159 and/or DBP 90–99", "1级高血压：收缩压140–159和（或）舒张压90–99";
    BPC_4 = "BPC-4", "bpc-cn2018", [ConfirmedP], "domain.md §9.4",
        "Grade 2: SBP 160–179 and/or DBP 100–109", "2级高血压：收缩压160–179和（或）舒张压100–109";
    BPC_5 = "BPC-5", "bpc-cn2018", [ConfirmedP], "domain.md §9.4",
        "Grade 3: SBP ≥ 180 and/or DBP ≥ 110", "3级高血压：收缩压≥180和（或）舒张压≥110";
    BPC_6 = "BPC-6", "bpc-cn2018", [ConfirmedP], "domain.md §9.4",
        "Isolated systolic hypertension: SBP ≥ 140 and DBP < 90", "单纯收缩期高血压：收缩压≥140且舒张压<90";
    BPC_7 = "BPC-7", "bpc-cn2018", [ConfirmedP, Decision], "domain.md §9.4 BPC-7; BND-2",
        "Half-open bands; the overall category is the higher of the SBP and DBP categories; ISH graded by SBP",
        "采用左闭右开区间；收缩压与舒张压分属不同级别时取较高级别；单纯收缩期高血压按收缩压分级";
    BPC_8 = "BPC-8", "bpc-cn2018", [ConfirmedP, ConfirmedS, Decision], "domain.md §9.4 BPC-8",
        "A classification of one BP level, never a diagnosis", "仅为单次血压水平分类，不作诊断";
    BPC2022_1 = "BPC2022-1", "bpc-cn2022", [ConfirmedS, Decision], "domain.md §9.4; S18",
        "2022 scheme: normal < 130 and < 80; grade 1 SBP 130–139 and/or DBP 80–89; grade 2 SBP ≥ 140 and/or DBP ≥ 90; higher category wins",
        "2022方案：正常<130且<80；1级收缩压130–139和（或）舒张压80–89；2级收缩压≥140和（或）舒张压≥90；取较高级别";
    BPC2022_2 = "BPC2022-2", "bpc-cn2022", [Decision], "domain.md §9.4",
        "The 2022 scheme is separate and never mixed with bpc-cn2018", "2022方案独立使用，不与2018方案混用";
}

/// BP classification scheme (profile option `bp_scheme`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum BpScheme {
    /// `bpc-cn2018` (default).
    #[default]
    Cn2018,
    /// `bpc-cn2022`.
    Cn2022,
}

impl BpScheme {
    /// Rule-set id.
    pub fn as_str(self) -> &'static str {
        match self {
            BpScheme::Cn2018 => "bpc-cn2018",
            BpScheme::Cn2022 => "bpc-cn2022",
        }
    }
}

/// A BP category; `grade` 0 = normal, 1 = high-normal (cn2018 only), 2–4 = grades 1–3
/// under cn2018; under cn2022 0 = normal, 2 = grade 1, 3 = grade 2.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct BpGrade {
    /// Scheme.
    pub scheme: BpScheme,
    /// Ordinal category (see type docs).
    pub level: u8,
    /// Isolated systolic hypertension (BPC-6, cn2018 only).
    pub isolated_systolic: bool,
    /// The rule that gave the category.
    pub rule: &'static str,
}

impl BpGrade {
    /// The `bp_grade` column value.
    pub fn as_str(&self) -> &'static str {
        match (self.scheme, self.level, self.isolated_systolic) {
            (_, 0, _) => "normal",
            (BpScheme::Cn2018, 1, _) => "high_normal",
            (BpScheme::Cn2018, 2, false) | (BpScheme::Cn2022, 2, _) => "grade_1",
            (BpScheme::Cn2018, 2, true) => "grade_1_ish",
            (BpScheme::Cn2018, 3, false) | (BpScheme::Cn2022, 3, _) => "grade_2",
            (BpScheme::Cn2018, 3, true) => "grade_2_ish",
            (_, _, false) => "grade_3",
            (_, _, true) => "grade_3_ish",
        }
    }
    /// Chinese label.
    pub fn zh(&self) -> &'static str {
        match (self.scheme, self.level) {
            (_, 0) => "正常血压",
            (BpScheme::Cn2018, 1) => "正常高值",
            (BpScheme::Cn2018, 2) | (BpScheme::Cn2022, 2) => "1级高血压",
            (BpScheme::Cn2018, 3) | (BpScheme::Cn2022, 3) => "2级高血压",
            _ => "3级高血压",
        }
    }
}

fn band(v: f64, cuts: &[f64]) -> u8 {
    cuts.iter().take_while(|c| v >= **c).count() as u8
}

/// Classifies a derived BP (BP-5…BP-10) under a scheme; `None` when SBP or DBP is unknown.
pub fn classify(scheme: BpScheme, sbp: Option<f64>, dbp: Option<f64>) -> Option<BpGrade> {
    let (s, d) = (sbp?, dbp?);
    Some(match scheme {
        BpScheme::Cn2018 => {
            let level =
                band(s, &[120.0, 140.0, 160.0, 180.0]).max(band(d, &[80.0, 90.0, 100.0, 110.0]));
            let isolated_systolic = s >= 140.0 && d < 90.0;
            let rule = if isolated_systolic {
                BPC_6
            } else {
                [BPC_1, BPC_2, BPC_3, BPC_4, BPC_5][usize::from(level)]
            };
            BpGrade {
                scheme,
                level,
                isolated_systolic,
                rule,
            }
        }
        BpScheme::Cn2022 => {
            let l = band(s, &[130.0, 140.0]).max(band(d, &[80.0, 90.0]));
            BpGrade {
                scheme,
                level: if l == 0 { 0 } else { l + 1 },
                isolated_systolic: false,
                rule: BPC2022_1,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(s: f64, d: f64) -> &'static str {
        classify(BpScheme::Cn2018, Some(s), Some(d))
            .unwrap()
            .as_str()
    }
    fn g22(s: f64, d: f64) -> &'static str {
        classify(BpScheme::Cn2022, Some(s), Some(d))
            .unwrap()
            .as_str()
    }

    #[test]
    fn bpc_1_to_5_sbp_edges() {
        assert_eq!(g(119.9, 70.0), "normal");
        assert_eq!(g(120.0, 70.0), "high_normal");
        assert_eq!(g(139.9, 70.0), "high_normal");
        assert_eq!(g(140.0, 70.0), "grade_1_ish");
        assert_eq!(g(159.5, 70.0), "grade_1_ish");
        assert_eq!(g(159.9, 95.0), "grade_1");
        assert_eq!(g(160.0, 95.0), "grade_2");
        assert_eq!(g(179.9, 95.0), "grade_2");
        assert_eq!(g(180.0, 95.0), "grade_3");
    }

    #[test]
    fn bpc_1_to_5_dbp_edges_and_higher_category() {
        assert_eq!(g(110.0, 79.9), "normal");
        assert_eq!(g(110.0, 80.0), "high_normal");
        assert_eq!(g(110.0, 89.9), "high_normal");
        assert_eq!(g(110.0, 90.0), "grade_1");
        assert_eq!(g(125.0, 99.9), "grade_1");
        assert_eq!(g(125.0, 100.0), "grade_2");
        assert_eq!(g(125.0, 109.9), "grade_2");
        assert_eq!(g(125.0, 110.0), "grade_3");
        // Higher of the two categories (BPC-7).
        assert_eq!(g(150.0, 105.0), "grade_2");
    }

    #[test]
    fn bpc_6_isolated_systolic_keeps_grade_digit() {
        assert_eq!(g(140.0, 89.9), "grade_1_ish");
        assert_eq!(g(140.0, 90.0), "grade_1");
        assert_eq!(g(165.0, 85.0), "grade_2_ish");
        assert_eq!(g(185.0, 60.0), "grade_3_ish");
        assert_eq!(g(139.9, 60.0), "high_normal");
        assert_eq!(
            classify(BpScheme::Cn2018, Some(185.0), Some(60.0))
                .unwrap()
                .rule,
            BPC_6
        );
    }

    #[test]
    fn bpc2022_edges() {
        assert_eq!(g22(129.9, 79.9), "normal");
        assert_eq!(g22(130.0, 79.9), "grade_1");
        assert_eq!(g22(129.9, 80.0), "grade_1");
        assert_eq!(g22(139.9, 89.9), "grade_1");
        assert_eq!(g22(140.0, 70.0), "grade_2");
        assert_eq!(g22(125.0, 90.0), "grade_2");
        assert_eq!(g22(120.0, 95.0), "grade_2");
        // No high-normal or ISH under cn2022.
        assert_eq!(g22(185.0, 60.0), "grade_2");
    }

    #[test]
    fn unknown_gives_empty() {
        assert_eq!(classify(BpScheme::Cn2018, None, Some(80.0)), None);
        assert_eq!(classify(BpScheme::Cn2022, Some(120.0), None), None);
    }
}
