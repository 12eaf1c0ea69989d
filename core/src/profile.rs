//! Programme profiles: every option of the evaluation and its default
//! (spec/domain.md §6.6, MPP2014-PROF-1/2). Every result echoes the profile used.

use crate::record::{BpProtocol, LipidDevice};
use serde::{Deserialize, Serialize};

/// Eligibility version (§3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EligibilityVersion {
    /// `elig-2014`: 2014 pilot, birth-year window 40–75, household registration.
    Elig2014,
    /// `elig-national`: ages 35–75, residence > 6 months (default).
    #[default]
    EligNational,
}

/// High-risk rule set (`RuleSetId`, §0.4).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum HighRiskRuleSet {
    /// `mpp-2014` (default, OQ-1).
    #[default]
    #[serde(rename = "mpp-2014")]
    Mpp2014,
}

impl HighRiskRuleSet {
    /// The rule-set id.
    pub fn as_str(self) -> &'static str {
        match self {
            HighRiskRuleSet::Mpp2014 => "mpp-2014",
        }
    }
}

/// SBP binning on the WHO/ISH chart (WHOISH-5).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SbpBinning {
    /// `< 130 → 120`, `[130,150) → 140`, `[150,170) → 160`, `≥ 170 → 180` (default, OQ-2).
    #[default]
    Nearest,
    /// `< 140 → 120`, `[140,160) → 140`, `[160,180) → 160`, `≥ 180 → 180`.
    Floor,
}

/// Unit policy for threshold comparisons (UNIT-7, UNIT-8).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum CanonicalUnit {
    /// Compare in the reported unit with that unit's published threshold (default).
    #[default]
    AsReported,
    /// Convert everything to mmol/L first.
    MmolL,
    /// Convert everything to mg/dL first.
    MgDl,
}

impl CanonicalUnit {
    /// The unit a lab value reported in `reported` (`None`: not known) is compared in
    /// when the source publishes a threshold in both units (UNIT-7, UNIT-8); an unknown
    /// value counts as mmol/L under `AsReported`. The one place this choice is made: a
    /// threshold published in mmol/L only is compared in mmol/L by its callers.
    #[inline]
    pub fn comparison_unit(
        self,
        reported: Option<crate::units::ConcUnit>,
    ) -> crate::units::ConcUnit {
        use crate::units::ConcUnit;
        match self {
            CanonicalUnit::MmolL => ConcUnit::MmolL,
            CanonicalUnit::MgDl => ConcUnit::MgDl,
            CanonicalUnit::AsReported => reported.unwrap_or(ConcUnit::MmolL),
        }
    }
}

/// Range policy for risk models (RM-GEN-4).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum RangePolicy {
    /// Outside a model's range → typed error, empty output cell (default).
    #[default]
    Strict,
    /// Compute anyway and flag.
    Flag,
}

/// A programme profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// Profile name (`mpp-national`, `mpp-2014-pilot`, or a custom name).
    pub name: String,
    /// Eligibility version.
    pub eligibility: EligibilityVersion,
    /// High-risk rule set.
    pub ruleset: HighRiskRuleSet,
    /// BP protocol (BP-5/BP-6).
    pub bp_protocol: BpProtocol,
    /// Minimum valid readings (BP-8).
    pub min_readings: u8,
    /// WHO/ISH sub-region (only `WPR_B` is shipped).
    pub whoish_region: String,
    /// WHO/ISH SBP binning.
    pub whoish_sbp_binning: SbpBinning,
    /// Unit policy.
    pub canonical_unit: CanonicalUnit,
    /// DEV-5: derive LDL-C by Friedewald when absent.
    pub derive_ldl_friedewald: bool,
    /// MPP2014-EV-6: use the no-cholesterol chart when TC is unknown.
    pub whoish_fallback_no_cholesterol: bool,
    /// Default lipid device when `lipid_device` is empty (OQ-15).
    pub lipid_device: LipidDevice,
    /// Risk-model range policy.
    pub range_policy: RangePolicy,
    /// ELIG-NAT-2: residence must exceed this many months.
    pub min_residence_months_exclusive: f64,
    /// DQ-PRG-3: extra mandatory items (`waist_cm`, `fbg`).
    pub mandatory_extra_items: Vec<String>,
    /// WHO 2019 recalibration (RM-WHO19-2/4): region-level 2017 parameters of a GBD
    /// region (default East Asia) or China's country-level parameters.
    pub who2019_calibration: crate::models::who2019::Calibration,
    /// Lipid-guideline rule set of the `lipid_risk_level` column (default `lip2023`).
    pub lipid_ruleset: crate::guideline::lipid::LipidRuleSet,
    /// BP classification scheme of the `bp_grade` column (default `bpc-cn2018`).
    pub bp_scheme: crate::guideline::bp_class::BpScheme,
    /// CN2020-2 aspirin risk source (default `Cn2020Stratum`).
    pub aspirin_risk_source: crate::guideline::cn2020::AspirinRiskSource,
    /// LIP-TGT-8 `reduction_inclusive` (default off: "> 50 %").
    pub reduction_inclusive: bool,
    /// Follow-up schedule options (FU-5…FU-10).
    pub followup: crate::followup::FollowUpOptions,
}

impl Default for Profile {
    fn default() -> Self {
        Profile::mpp_national()
    }
}

impl Profile {
    /// MPP2014-PROF-1 `mpp-national` (default).
    pub fn mpp_national() -> Self {
        Profile {
            name: "mpp-national".into(),
            eligibility: EligibilityVersion::EligNational,
            ruleset: HighRiskRuleSet::Mpp2014,
            bp_protocol: BpProtocol::MppMeanOfLastTwo, // BP-6
            min_readings: 2,
            whoish_region: "WPR_B".into(),
            whoish_sbp_binning: SbpBinning::Nearest,
            canonical_unit: CanonicalUnit::AsReported,
            derive_ldl_friedewald: false,
            whoish_fallback_no_cholesterol: false,
            lipid_device: LipidDevice::CardiochekPa,
            range_policy: RangePolicy::Strict,
            min_residence_months_exclusive: 6.0,
            mandatory_extra_items: Vec::new(),
            who2019_calibration: crate::models::who2019::Calibration::default(),
            lipid_ruleset: crate::guideline::lipid::LipidRuleSet::Lip2023,
            bp_scheme: crate::guideline::bp_class::BpScheme::Cn2018,
            aspirin_risk_source: crate::guideline::cn2020::AspirinRiskSource::Cn2020Stratum,
            reduction_inclusive: false,
            followup: crate::followup::FollowUpOptions::default(),
        }
    }

    /// MPP2014-PROF-2 `mpp-2014-pilot`: eligibility `elig-2014`, BP protocol `Mean2`.
    pub fn mpp_2014_pilot() -> Self {
        Profile {
            name: "mpp-2014-pilot".into(),
            eligibility: EligibilityVersion::Elig2014,
            bp_protocol: BpProtocol::Mean2,
            ..Profile::mpp_national()
        }
    }

    /// The guideline options of this profile (its unit policy included).
    pub fn guideline_options(&self) -> crate::guideline::GuidelineOptions {
        crate::guideline::GuidelineOptions {
            lipid_ruleset: self.lipid_ruleset,
            bp_scheme: self.bp_scheme,
            aspirin_risk_source: self.aspirin_risk_source,
            reduction_inclusive: self.reduction_inclusive,
            canonical_unit: self.canonical_unit,
        }
    }

    /// Looks a shipped profile up by name.
    pub fn by_name(name: &str) -> Option<Profile> {
        match name {
            "mpp-national" => Some(Profile::mpp_national()),
            "mpp-2014-pilot" => Some(Profile::mpp_2014_pilot()),
            _ => None,
        }
    }
}
