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
    let mut s = String::new();
    push_pct(&mut s, v);
    s
}

/// As [`fmt_pct`], appending to `s` (no allocation when `s` has room).
pub fn push_pct(s: &mut String, v: f64) {
    // The digits `write!(s, "{v}")` writes, without `core::fmt` (crate::shortest).
    crate::shortest::push(s, v, 4);
}

/// Joins `items` with `;` into `s`.
fn push_joined<'a>(s: &mut String, items: impl IntoIterator<Item = &'a str>) {
    for (i, it) in items.into_iter().enumerate() {
        if i > 0 {
            s.push(';');
        }
        s.push_str(it);
    }
}

/// The output cells of one assessment, aligned with [`OUTPUT_COLUMNS`].
pub fn cells(a: &Assessment) -> Vec<String> {
    let mut out = Vec::new();
    cells_into(a, &mut out);
    out
}

/// As [`cells`], written into `out` (resized to [`OUTPUT_COLUMNS`]`.len()`), reusing
/// its strings: a front end that screens many rows keeps one buffer and allocates
/// nothing here once the strings have grown.
pub fn cells_into(a: &Assessment, out: &mut Vec<String>) {
    out.resize_with(OUTPUT_COLUMNS.len(), String::new);
    for c in out.iter_mut() {
        c.clear();
    }
    if let Ok(cols) = <&mut [String; N_OUTPUT]>::try_from(&mut out[..]) {
        cells_append(a, cols);
    }
}

/// Number of output columns.
pub const N_OUTPUT: usize = OUTPUT_COLUMNS.len();

/// Appends each output cell of `a` to the text of its column, `cols[j]` taking the
/// cell of [`OUTPUT_COLUMNS`]`[j]`: a front end that builds columns (Arrow's layout:
/// the cells' text end to end, plus offsets) writes the cells in place, without a
/// buffer per cell. Each cell is appended whole, so the column stays valid UTF-8.
pub fn cells_append(a: &Assessment, cols: &mut [String; N_OUTPUT]) {
    let hr = &a.high_risk;
    let m = &a.models;
    let g = &a.guideline;
    // Every risk column is empty when its model cannot be computed (csv-schema.md).
    fn pct<T, E>(s: &mut String, r: &Result<T, E>, f: impl Fn(&T) -> f64) {
        if let Ok(v) = r {
            push_pct(s, f(v));
        }
    }
    let [qc_status, qc_findings, high_risk, high_risk_reasons, china_par, who_lab, who_nonlab, who_ish, pce, prevent_cvd, prevent_ascvd, framingham, risk_level, bp_grade, lipid_level, ldl_target, urgent, plan, next_fu] =
        cols;
    qc_status.push_str(a.qc_status().as_str());
    {
        // The distinct rule ids in sorted order (QcReport::rule_ids without its Vec).
        let f = &a.qc.findings;
        let mut last: Option<&str> = None;
        loop {
            let next = f
                .iter()
                .map(|x| x.rule_id)
                .filter(|id| last.is_none_or(|l| *id > l))
                .min();
            match next {
                Some(id) => {
                    if last.is_some() {
                        qc_findings.push(';');
                    }
                    qc_findings.push_str(id);
                    last = Some(id);
                }
                None => break,
            }
        }
    }
    high_risk.push_str(hr.status.as_str());
    push_joined(high_risk_reasons, hr.reasons.iter().copied());
    pct(china_par, &m.china_par, |r| r.risk10_pct);
    pct(who_lab, &m.who2019_lab, |r| r.cvd_pct);
    pct(who_nonlab, &m.who2019_nonlab, |r| r.cvd_pct);
    if let Some(c) = hr.whoish.range.category() {
        who_ish.push_str(c.as_str());
    }
    pct(pce, &m.pce, |r| r.risk10_pct);
    pct(prevent_cvd, &m.prevent_10y, |r| r.total_cvd.pct);
    pct(prevent_ascvd, &m.prevent_10y, |r| r.ascvd.pct);
    pct(framingham, &m.framingham, |r| r.risk10_pct);
    // Guideline columns (csv-schema.md, "Guideline output columns").
    if let Some(l) = g.risk_level.level {
        risk_level.push_str(l.as_str());
    }
    if let Some(b) = g.bp_grade {
        bp_grade.push_str(b.as_str());
    }
    if let Some(l) = g.lipid.level {
        lipid_level.push_str(l.as_str());
    }
    if let Some(t) = g.ldl_target.target() {
        // LdlTarget::column: the shortest decimal.
        crate::shortest::push(ldl_target, t.ldl_mmol, 0);
    }
    urgent.push_str(g.plan.urgent.column());
    push_joined(
        plan,
        g.plan
            .items
            .iter()
            .filter(|i| i.status == crate::intervention::ItemStatus::Recommended)
            .map(|i| i.id),
    );
    if let Some(d) = g.next_follow_up {
        d.push_iso(next_fu);
    }
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
        let mut s = "x;".to_string();
        push_pct(&mut s, 12.0);
        assert_eq!(s, "x;12.0000");
    }
}
