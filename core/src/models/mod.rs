//! Risk models (spec/risk-models.md), one module per model. Each model takes its own
//! typed inputs; none reads a `ScreeningRecord` directly.

pub mod who_ish2007;
