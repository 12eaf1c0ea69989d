//! Guideline rules around the programme (spec/domain.md §9): the conditions they
//! name (COND), blood-pressure classification (`bpc-cn2018`, `bpc-cn2022`), lipid
//! stratification and targets (`lip2016`, `lip2023`), the 2019 China-PAR guideline
//! (`cn2019`) and the 2020 primary-prevention guideline (`cn2020`, UNVERIFIED).
//!
//! All outputs are advisory (`guideline_derived`): every result names its rule set
//! and the rule ids that decided it.

pub mod bp_class;
pub mod cn2019;
pub mod cn2020;
pub mod conditions;
pub mod explain;
pub mod lipid;
pub mod tv;

/// The `RULES` of every guideline module, in declaration order (also walked by
/// [`crate::rules::all`]).
pub(crate) static RULE_SETS: &[&&[crate::rules::Rule]] = &[
    &conditions::RULES,
    &bp_class::RULES,
    &lipid::RULES,
    &cn2019::RULES,
    &cn2020::RULES,
];

/// Every rule of the guideline modules, in declaration order.
pub fn all_rules() -> impl Iterator<Item = &'static crate::rules::Rule> {
    RULE_SETS.iter().flat_map(|s| s.iter())
}

/// Guideline options of the profile (MPP2014-PROF-1 follow-up/guideline options) with
/// their defaults.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct GuidelineOptions {
    /// `lipid_ruleset` (default `lip2023`).
    pub lipid_ruleset: lipid::LipidRuleSet,
    /// `bp_scheme` (default `bpc-cn2018`).
    pub bp_scheme: bp_class::BpScheme,
    /// `aspirin_risk_source` (default `Cn2020Stratum`).
    pub aspirin_risk_source: cn2020::AspirinRiskSource,
    /// LIP-TGT-8 `reduction_inclusive` (default off).
    pub reduction_inclusive: bool,
    /// UNIT-7/UNIT-8 unit policy (default `AsReported`).
    pub canonical_unit: crate::profile::CanonicalUnit,
}

impl Default for GuidelineOptions {
    fn default() -> Self {
        GuidelineOptions {
            lipid_ruleset: lipid::LipidRuleSet::Lip2023,
            bp_scheme: bp_class::BpScheme::Cn2018,
            aspirin_risk_source: cn2020::AspirinRiskSource::Cn2020Stratum,
            reduction_inclusive: false,
            canonical_unit: crate::profile::CanonicalUnit::AsReported,
        }
    }
}

pub use explain::{explain, rule_sets, RuleSetInfo};
