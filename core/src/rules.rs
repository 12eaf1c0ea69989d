//! The rule registry: every rule id with its rule set, evidence label, citation and
//! bilingual text, so that a report or a form can show *why*.
//!
//! Rules are declared next to the code that implements them with
//! [`define_rules!`](crate::define_rules);
//! each module exports a `RULES` slice and [`all`] chains them. A rule id literal
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

/// Every rule of every rule set, in declaration order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    crate::exchange::RULES
        .iter()
        .chain(crate::record::RULES.iter())
        .chain(crate::qc::rules())
        .chain(crate::criteria::eligibility::RULES.iter())
        .chain(crate::criteria::mpp2014::RULES.iter())
        .chain(crate::models::who_ish2007::RULES.iter())
        .chain(crate::visits::RULES.iter())
        .chain(crate::indicators::RULES.iter())
        .chain(crate::guideline::all_rules())
}

/// Looks a rule up by id (an index built once over [`all`]).
pub fn get(id: &str) -> Option<&'static Rule> {
    type Index = std::collections::HashMap<&'static str, &'static Rule, IdHash>;
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| all().map(|r| (r.id, r)).collect())
        .get(id)
        .copied()
}

/// FNV-1a over the id bytes: the index is looked up on every plan item of every
/// record, and its keys are fixed, short, trusted strings, so the DoS-resistant
/// default hasher buys nothing there.
#[derive(Clone, Copy, Default)]
struct IdHash;

impl std::hash::BuildHasher for IdHash {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
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
