//! The end-of-run summary printed to standard error by `cvdscreen screen`.

use cvdscreen::assess::{Counts, Summary};
use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

/// How many QC rules the summary lists.
const TOP_RULES: usize = 10;

/// What the summary reports on.
pub struct Context<'a> {
    /// Input path.
    pub input: &'a Path,
    /// Output path (`None` = standard output).
    pub output: Option<&'a Path>,
    /// Profile name.
    pub profile: &'a str,
    /// Wall time.
    pub elapsed: Duration,
    /// Counts.
    pub summary: &'a Summary,
    /// Rows with bytes that were not UTF-8 (replaced by U+FFFD).
    pub invalid_utf8_rows: u64,
}

/// `100 × num ÷ den` with one decimal, rounded half up, computed exactly on integers;
/// `-` when `den` is 0.
pub fn pct1(num: u64, den: u64) -> String {
    if den == 0 {
        return "-".to_string();
    }
    let (num, den) = (u128::from(num), u128::from(den));
    // tenths of a percent: floor(1000·num/den + 1/2)
    let tenths = (2000 * num + den) / (2 * den);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Renders the summary as aligned text.
pub fn render(c: &Context<'_>) -> String {
    let s = c.summary;
    let mut out = String::new();
    let secs = c.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        format!(", {:.0} rows/s", s.total.records as f64 / secs)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "cvdscreen screen: {} -> {} (profile {}): {} records in {:.2} s{}",
        c.input.display(),
        c.output
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "standard output".into()),
        c.profile,
        s.total.records,
        secs,
        rate
    );
    out.push('\n');

    let headings = [
        "site",
        "records",
        "rejected",
        "warned",
        "screened",
        "high-risk",
        "indeterminate",
        "detection %",
    ];
    let mut rows: Vec<[String; 8]> = s
        .sites
        .iter()
        .map(|(site, n)| {
            let label = if site.is_empty() {
                "(no site_id)".to_string()
            } else {
                site.clone()
            };
            counts_row(label, n)
        })
        .collect();
    rows.push(counts_row("all".to_string(), &s.total));
    let mut widths = headings.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w.saturating_sub(cell.chars().count());
            if i == 0 {
                l.push_str(cell);
                l.push_str(&" ".repeat(pad));
            } else {
                l.push_str("  ");
                l.push_str(&" ".repeat(pad));
                l.push_str(cell);
            }
        }
        l.push('\n');
        l
    };
    out.push_str(&line(&headings.map(String::from)));
    let rule_len: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
    let n_sites = rows.len() - 1;
    for (i, r) in rows.iter().enumerate() {
        if i == n_sites {
            out.push_str(&"-".repeat(rule_len));
            out.push('\n');
        }
        out.push_str(&line(r));
    }
    let _ = writeln!(
        out,
        "detection % = high-risk / screened; screened = records - rejected (unqualified)"
    );

    out.push('\n');
    if s.findings_by_rule.is_empty() {
        out.push_str("QC findings: none\n");
    } else {
        let mut by_count: Vec<(&str, u64)> =
            s.findings_by_rule.iter().map(|(k, v)| (*k, *v)).collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let shown = by_count.len().min(TOP_RULES);
        let _ = writeln!(
            out,
            "QC findings (records per rule, top {shown} of {}):",
            by_count.len()
        );
        let id_w = by_count[..shown]
            .iter()
            .map(|r| r.0.len())
            .max()
            .unwrap_or(0);
        let n_w = by_count[..shown]
            .iter()
            .map(|r| r.1.to_string().len())
            .max()
            .unwrap_or(0);
        for (id, n) in &by_count[..shown] {
            let text = cvdscreen::rules::get(id).map(|r| r.en).unwrap_or("");
            let _ = writeln!(
                out,
                "  {id:<id_w$}  {n:>n_w$}  {:>5} %  {text}",
                pct1(*n, s.total.records)
            );
        }
    }
    if c.invalid_utf8_rows > 0 {
        let _ = writeln!(
            out,
            "\nwarning: {} rows held bytes that are not UTF-8; they were read with U+FFFD in their place",
            c.invalid_utf8_rows
        );
    }
    out
}

fn counts_row(label: String, n: &Counts) -> [String; 8] {
    [
        label,
        n.records.to_string(),
        n.rejected.to_string(),
        n.warned.to_string(),
        n.screened.to_string(),
        n.high_risk.to_string(),
        n.indeterminate.to_string(),
        pct1(n.high_risk, n.screened),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pct1_rounds_half_up_exactly() {
        assert_eq!(pct1(1, 8), "12.5");
        // 1/16 = 6.25 % → 6.3 (half up), where a float product may round down.
        assert_eq!(pct1(1, 16), "6.3");
        assert_eq!(pct1(1, 3), "33.3");
        assert_eq!(pct1(2, 3), "66.7");
        assert_eq!(pct1(0, 5), "0.0");
        assert_eq!(pct1(5, 5), "100.0");
        assert_eq!(pct1(1, 0), "-");
        // 1/2000 = 0.05 % → 0.1
        assert_eq!(pct1(1, 2000), "0.1");
    }

    #[test]
    fn table_is_aligned_and_has_totals() {
        let total = Counts {
            records: 12,
            rejected: 2,
            warned: 1,
            screened: 10,
            high_risk: 3,
            indeterminate: 1,
        };
        let mut summary = Summary {
            total,
            ..Default::default()
        };
        summary.sites.insert("S01".into(), summary.total.clone());
        summary.findings_by_rule.insert("DQ-PARSE-1", 2);
        let text = render(&Context {
            input: Path::new("in.csv"),
            output: None,
            profile: "mpp-national",
            elapsed: Duration::from_millis(10),
            summary: &summary,
            invalid_utf8_rows: 0,
        });
        let lines: Vec<&str> = text.lines().collect();
        let head = lines.iter().position(|l| l.starts_with("site")).unwrap();
        let s01 = lines[head + 1];
        let all = lines[head + 3];
        assert!(s01.starts_with("S01"), "{text}");
        assert!(all.starts_with("all"), "{text}");
        assert_eq!(lines[head].len(), s01.len());
        assert_eq!(s01.len(), all.len());
        assert!(all.ends_with("30.0"), "{text}");
        assert!(text.contains("DQ-PARSE-1"), "{text}");
        assert!(text.contains("16.7 %"), "{text}");
    }
}
