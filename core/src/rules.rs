//! The rule registry: every rule id with its rule set, evidence label, citation and
//! bilingual text, so that a report or a form can show *why*.
//!
//! Rules are declared next to the code that implements them with
//! [`define_rules!`](crate::define_rules);
//! each module exports a `RULES` slice and [`all`] walks the list of them (a test checks
//! that every declared rule is on it). A rule id literal
//! appears once in the code base, in its declaration.

use serde::Serialize;

/// Evidence label of a rule (spec/README.md, "Evidence labels").
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Evidence {
    /// Checked against a primary source.
    #[serde(rename = "CONFIRMED-P")]
    ConfirmedP,
    /// Checked against a secondary source only.
    #[serde(rename = "CONFIRMED-S")]
    ConfirmedS,
    /// Best knowledge, not checked against the source text; verify before a release
    /// that claims conformity.
    #[serde(rename = "UNVERIFIED")]
    Unverified,
    /// A design decision of this library, not a claim about a source.
    #[serde(rename = "DECISION")]
    Decision,
}

impl Evidence {
    /// The label as printed in the specification (`CONFIRMED-P`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::ConfirmedP => "CONFIRMED-P",
            Evidence::ConfirmedS => "CONFIRMED-S",
            Evidence::Unverified => "UNVERIFIED",
            Evidence::Decision => "DECISION",
        }
    }
}

/// One rule of the registry.
#[derive(Copy, Clone, Debug, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `MPP2014-HR-5`.
    pub id: &'static str,
    /// Rule set or group, e.g. `mpp-2014`, `qc`.
    pub rule_set: &'static str,
    /// Evidence labels; the first is the rule's main label.
    pub evidence: &'static [Evidence],
    /// Source citation (spec section and source-register ids).
    pub citation: &'static str,
    /// Short English text.
    pub en: &'static str,
    /// Short Chinese text.
    pub zh: &'static str,
}

impl Rule {
    /// True when any part of the rule is labelled `[UNVERIFIED]`.
    pub fn is_unverified(&self) -> bool {
        self.evidence.contains(&Evidence::Unverified)
    }
}

/// Declares rule-id constants and a `RULES` slice for the current module.
///
/// ```ignore
/// define_rules! {
///     HR_5 = "MPP2014-HR-5", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1",
///         "SBP ≥ 160 mmHg or DBP ≥ 100 mmHg", "收缩压≥160 mmHg 或舒张压≥100 mmHg";
/// }
/// ```
#[macro_export]
macro_rules! define_rules {
    ($( $(#[$m:meta])* $name:ident = $id:literal, $set:literal, [$($ev:ident),+], $cite:literal, $en:literal, $zh:literal; )*) => {
        $( $(#[$m])* #[doc = concat!("Rule `", $id, "`: ", $en)] pub const $name: &str = $id; )*
        /// The rules declared in this module.
        pub static RULES: &[$crate::rules::Rule] = &[
            $( $crate::rules::Rule {
                id: $id,
                rule_set: $set,
                evidence: &[$($crate::rules::Evidence::$ev),+],
                citation: $cite,
                en: $en,
                zh: $zh,
            }, )*
        ];
    };
}

/// The `RULES` slices of every module that declares rules, in declaration order, in
/// groups (the QC and guideline groups are their modules' own lists): one list, walked
/// by one iterator (a chain of iterators would be one more type per link, each with its
/// own `next` in the WebAssembly build).
static SETS: &[&[&&[Rule]]] = &[
    &[&crate::exchange::RULES, &crate::record::RULES],
    crate::qc::RULE_SETS,
    &[
        &crate::criteria::eligibility::RULES,
        &crate::criteria::mpp2014::RULES,
        &crate::models::who_ish2007::RULES,
        &crate::visits::RULES,
        &crate::indicators::RULES,
    ],
    crate::guideline::RULE_SETS,
    &[&crate::intervention::RULES, &crate::followup::RULES],
];

/// Every rule of every rule set, in declaration order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    SETS.iter().flat_map(|g| g.iter()).flat_map(|s| s.iter())
}

/// Looks a rule up by id: a binary search of the ids, sorted once per process.
pub fn get(id: &str) -> Option<&'static Rule> {
    static INDEX: std::sync::OnceLock<Vec<&'static Rule>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut v: Vec<&'static Rule> = all().collect();
        // Insertion sort, run once over a few hundred ids: microseconds, and a few
        // dozen bytes of code where a library sort would add kilobytes to the
        // WebAssembly build.
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && v[j - 1].id > v[j].id {
                v.swap(j - 1, j);
                j -= 1;
            }
        }
        v
    });
    index
        .binary_search_by(|r| r.id.cmp(id))
        .ok()
        .map(|i| index[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_texts_present() {
        let mut seen = HashSet::new();
        for r in all() {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(!r.en.is_empty() && !r.zh.is_empty(), "{} lacks text", r.id);
            assert!(!r.citation.is_empty(), "{} lacks a citation", r.id);
        }
        assert!(get("MPP2014-HR-5").is_some());
    }
}
