//! Programme criteria: eligibility (§3) and the versioned high-risk rule sets (§6).

pub mod eligibility;
pub mod mpp2014;
