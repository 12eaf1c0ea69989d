//! # cvdscreen
//!
//! China's national cardiovascular high-risk screening programme
//! (心血管病高危人群早期筛查与综合干预项目, China PEACE Million Persons Project) and
//! the guidelines around it, as typed, tested, explained functions.
//!
//! One flow serves every front end: [`exchange::parse_record`] → [`qc::check`] →
//! [`assess::assess`] → [`output`] columns.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod assess;
pub mod criteria;
pub mod date;
pub mod evaluated;
pub mod exchange;
pub mod explain;
pub mod fields;
pub mod finding;
pub mod followup;
pub mod guideline;
pub mod indicators;
pub mod intervention;
pub mod models;
pub mod output;
pub mod profile;
pub mod qc;
pub mod record;
pub mod rules;
mod shortest;
#[cfg(test)]
mod test_rng;
pub mod units;
pub mod value;
pub mod visits;

/// The README's Rust examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
