//! The output columns of `cvdscreen screen` (spec/csv-schema.md, "Output columns"),
//! defined once here and used by every front end.
//!
//! ```
//! use cvdscreen::output::fmt_pct;
//! assert_eq!(fmt_pct(4.7), "4.7000");
//! assert_eq!(fmt_pct(4.717212345678901), "4.717212345678901");
//! ```

use crate::assess::Assessment;

/// Output column names, in order (csv-schema.md).
pub const OUTPUT_COLUMNS: &[&str] = &[
    "qc_status",
    "qc_findings",
    "high_risk",
    "high_risk_reasons",
    "china_par_10y_pct",
    "who2019_lab_pct",
    "who2019_nonlab_pct",
    "who_ish_2007_band",
    "pce_10y_pct",
    "prevent_cvd_10y_pct",
    "prevent_ascvd_10y_pct",
    "framingham_cvd_10y_pct",
    "risk_level",
    "bp_grade",
    "lipid_risk_level",
    "ldl_target_mmol",
    "urgent_referral",
    "plan",
    "next_follow_up",
];

/// Writes a percentage: the shortest decimal that round-trips the `f64`, in plain
/// notation, padded with zeros to at least four decimals; no rounding (csv-schema.md).
pub fn fmt_pct(v: f64) -> String {
    let mut s = format!("{v}");
    match s.find('.') {
        None => s.push_str(".0000"),
        Some(i) => {
            let decimals = s.len() - i - 1;
            for _ in decimals..4 {
                s.push('0');
            }
        }
    }
    s
}

/// The output cells of one assessment, aligned with [`OUTPUT_COLUMNS`].
pub fn cells(a: &Assessment) -> Vec<String> {
    let hr = &a.high_risk;
    let m = &a.models;
    let g = &a.guideline;
    // Every risk column is empty when its model cannot be computed (csv-schema.md).
    fn pct<T, E>(r: &Result<T, E>, f: impl Fn(&T) -> f64) -> String {
        r.as_ref().map(|v| fmt_pct(f(v))).unwrap_or_default()
    }
    vec![
        a.qc_status().as_str().to_string(),
        a.qc.rule_ids().join(";"),
        hr.status.as_str().to_string(),
        hr.reasons.join(";"),
        pct(&m.china_par, |r| r.risk10_pct),
        pct(&m.who2019_lab, |r| r.cvd_pct),
        pct(&m.who2019_nonlab, |r| r.cvd_pct),
        hr.whoish
            .range
            .category()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        pct(&m.pce, |r| r.risk10_pct),
        pct(&m.prevent_10y, |r| r.total_cvd.pct),
        pct(&m.prevent_10y, |r| r.ascvd.pct),
        pct(&m.framingham, |r| r.risk10_pct),
        // Guideline columns (csv-schema.md, "Guideline output columns").
        g.risk_level
            .level
            .map(|l| l.as_str().to_string())
            .unwrap_or_default(),
        g.bp_grade
            .map(|b| b.as_str().to_string())
            .unwrap_or_default(),
        g.lipid
            .level
            .map(|l| l.as_str().to_string())
            .unwrap_or_default(),
        g.ldl_target
            .target()
            .map(|t| t.column())
            .unwrap_or_default(),
        g.plan.urgent.column().to_string(),
        g.plan.column(),
        g.next_follow_up.map(|d| d.to_string()).unwrap_or_default(),
    ]
}

/// The output cells of one assessment paired with their column names.
pub fn named_cells(a: &Assessment) -> Vec<(&'static str, String)> {
    OUTPUT_COLUMNS.iter().copied().zip(cells(a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pct_formatting() {
        assert_eq!(fmt_pct(0.0), "0.0000");
        assert_eq!(fmt_pct(12.0), "12.0000");
        assert_eq!(fmt_pct(0.5), "0.5000");
        assert_eq!(fmt_pct(1e-7), "0.0000001");
        assert_eq!(fmt_pct(99.99999), "99.99999");
    }
}
