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
pub mod lipid;
pub mod tv;

/// Every rule of the guideline modules, in declaration order.
pub fn all_rules() -> impl Iterator<Item = &'static crate::rules::Rule> {
    conditions::RULES
        .iter()
        .chain(bp_class::RULES.iter())
        .chain(lipid::RULES.iter())
        .chain(cn2019::RULES.iter())
        .chain(cn2020::RULES.iter())
}
