//! Inline SVG charts (no scripts, no external resources).

use std::fmt::Write;

/// Escapes text for HTML/SVG content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// One bar of a horizontal bar chart.
pub(crate) struct Bar {
    /// Label left of the bar.
    pub label: String,
    /// Value (percent); `None` draws no bar and the text `—`.
    pub value: Option<f64>,
    /// The value as displayed (already rounded).
    pub text: String,
    /// 95 % interval, drawn as a whisker.
    pub ci: Option<(f64, f64)>,
    /// IND-GEN-6 anomaly: the bar is drawn in the warning colour with a mark.
    pub anomaly: bool,
}

/// A "nice" axis maximum ≥ `v` (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ) and the number
/// of tick intervals that gives round tick values.
fn nice_axis(v: f64) -> (f64, u32) {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return (10.0, 5);
    }
    let p = 10f64.powf(v.log10().floor());
    for (m, div) in [
        (1.0, 5),
        (1.5, 3),
        (2.0, 4),
        (2.5, 5),
        (3.0, 3),
        (4.0, 4),
        (5.0, 5),
        (6.0, 3),
        (8.0, 4),
        (10.0, 5),
    ] {
        if m * p >= v {
            return (m * p, div);
        }
    }
    (10.0 * p, 5)
}

/// A horizontal bar chart of percentages with a labelled axis.
pub(crate) fn hbar(title: &str, axis: &str, bars: &[Bar]) -> String {
    let (w, left, right, row) = (560.0, 110.0, 70.0, 24.0);
    let top = 34.0;
    let h = top + row * bars.len() as f64 + 34.0;
    let max = bars
        .iter()
        .flat_map(|b| [b.value, b.ci.map(|c| c.1)])
        .flatten()
        .fold(0.0f64, f64::max);
    let (max, div) = nice_axis(max);
    let plot = w - left - right;
    let x = |v: f64| left + plot * (v.clamp(0.0, max) / max);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" aria-label="{t}" viewBox="0 0 {w} {h}" width="{w}" height="{h}"><title>{t}</title><text x="{left}" y="18" class="ct">{t}</text>"#,
        t = esc(title)
    );
    let ybot = top + row * bars.len() as f64;
    for i in 0..=div {
        let v = max * f64::from(i) / f64::from(div);
        let xv = x(v);
        let _ = write!(
            s,
            r##"<line x1="{xv:.1}" y1="{top}" x2="{xv:.1}" y2="{ybot}" stroke="#ddd"/><text x="{xv:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"##,
            ybot + 14.0,
            fmt_tick(v)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
        left + plot / 2.0,
        ybot + 30.0,
        esc(axis)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="lbl" text-anchor="end">{}</text>"#,
            left - 6.0,
            y + row * 0.65,
            esc(&b.label)
        );
        let fill = if b.anomaly { "#c0392b" } else { "#2c7fb8" };
        let mut end = left;
        if let Some(v) = b.value {
            end = x(v);
            let _ = write!(
                s,
                r#"<rect x="{left}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}"/>"#,
                y + 4.0,
                (end - left).max(0.5),
                row - 8.0
            );
        }
        if let Some((lo, hi)) = b.ci {
            let (a, c) = (x(lo), x(hi));
            let ym = y + row / 2.0;
            let _ = write!(
                s,
                r##"<path d="M{a:.1} {:.1}V{:.1}M{a:.1} {ym:.1}H{c:.1}M{c:.1} {:.1}V{:.1}" stroke="#222" fill="none"/>"##,
                ym - 5.0,
                ym + 5.0,
                ym - 5.0,
                ym + 5.0
            );
            end = end.max(c);
        }
        let mark = if b.anomaly { " ⚠" } else { "" };
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="val">{}{mark}</text>"#,
            end + 4.0,
            y + row * 0.65,
            esc(&b.text)
        );
    }
    s.push_str("</svg>");
    s
}

fn fmt_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// One month of a progress chart.
pub(crate) struct Month {
    /// `YYYY-MM`.
    pub label: String,
    /// Done in the month.
    pub done: u64,
    /// Done since the start of the project year, through this month.
    pub cumulative: u64,
    /// The yearly quota of the month's project year.
    pub year_quota: Option<u64>,
    /// The month's own quota.
    pub month_quota: Option<u64>,
}

/// Monthly bars, the cumulative year-to-date line and the yearly quota as a dashed
/// step line; monthly quotas as short ticks over the bars.
pub(crate) fn progress(title: &str, months: &[Month]) -> String {
    let (w, h, left, right, top, bottom) = (560.0, 250.0, 56.0, 16.0, 44.0, 52.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max = months
        .iter()
        .flat_map(|m| {
            [
                Some(m.cumulative),
                m.year_quota,
                m.month_quota,
                Some(m.done),
            ]
        })
        .flatten()
        .max()
        .unwrap_or(0);
    let (max, div) = nice_axis(max as f64 * 1.05);
    let n = months.len().max(1) as f64;
    let step = plot_w / n;
    let xc = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: f64| top + plot_h * (1.0 - v / max);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" aria-label="{t}" viewBox="0 0 {w} {h}" width="{w}" height="{h}"><title>{t}</title><text x="{left}" y="16" class="ct">{t}</text>"#,
        t = esc(title)
    );
    // Legend.
    let _ = write!(
        s,
        r##"<rect x="{left}" y="26" width="12" height="10" fill="#9ecae1"/><text x="{:.0}" y="35" class="tick">月完成 monthly</text><line x1="{:.0}" y1="31" x2="{:.0}" y2="31" stroke="#08519c" stroke-width="2"/><text x="{:.0}" y="35" class="tick">年累计 year to date</text><line x1="{:.0}" y1="31" x2="{:.0}" y2="31" stroke="#c0392b" stroke-width="2" stroke-dasharray="5 3"/><text x="{:.0}" y="35" class="tick">年任务 yearly quota</text><line x1="{:.0}" y1="31" x2="{:.0}" y2="31" stroke="#e67e22" stroke-width="3"/><text x="{:.0}" y="35" class="tick">月任务 monthly quota</text>"##,
        left + 16.0,
        left + 92.0,
        left + 112.0,
        left + 116.0,
        left + 222.0,
        left + 242.0,
        left + 246.0,
        left + 350.0,
        left + 362.0,
        left + 366.0,
    );
    for i in 0..=div {
        let v = max * f64::from(i) / f64::from(div);
        let yv = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{yv:.1}" x2="{:.1}" y2="{yv:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"##,
            w - right,
            left - 4.0,
            yv + 4.0,
            fmt_tick(v)
        );
    }
    let label_every = (months.len() / 12).max(1);
    let bw = (step * 0.6).max(1.0);
    for (i, m) in months.iter().enumerate() {
        let cx = xc(i);
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="#9ecae1"><title>{}: {}</title></rect>"##,
            cx - bw / 2.0,
            y(m.done as f64),
            plot_h * m.done as f64 / max,
            esc(&m.label),
            m.done
        );
        if let Some(q) = m.month_quota {
            let _ = write!(
                s,
                r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#e67e22" stroke-width="3"/>"##,
                cx - bw / 2.0 - 2.0,
                y(q as f64),
                cx + bw / 2.0 + 2.0,
                y(q as f64)
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{:.1}" class="tick" text-anchor="end" transform="rotate(-40 {cx:.1} {:.1})">{}</text>"#,
                h - bottom + 14.0,
                h - bottom + 14.0,
                esc(&m.label)
            );
        }
    }
    // Cumulative line (broken at each new project year).
    let mut d = String::new();
    let mut prev_year = "";
    for (i, m) in months.iter().enumerate() {
        let year = &m.label[..m.label.len().min(4)];
        let cmd = if year != prev_year { 'M' } else { 'L' };
        prev_year = year;
        let _ = write!(d, "{cmd}{:.1} {:.1}", xc(i), y(m.cumulative as f64));
    }
    let _ = write!(
        s,
        r##"<path d="{d}" stroke="#08519c" stroke-width="2" fill="none"/>"##
    );
    for (i, m) in months.iter().enumerate() {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="#08519c"><title>{} year to date: {}</title></circle>"##,
            xc(i),
            y(m.cumulative as f64),
            esc(&m.label),
            m.cumulative
        );
    }
    // Yearly quota as a step line per project year.
    let mut i = 0;
    while i < months.len() {
        let year = &months[i].label[..months[i].label.len().min(4)];
        let mut j = i;
        while j + 1 < months.len() && months[j + 1].label.starts_with(year) {
            j += 1;
        }
        if let Some(q) = months[i].year_quota {
            let _ = write!(
                s,
                r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#c0392b" stroke-width="2" stroke-dasharray="5 3"/><text x="{:.1}" y="{:.1}" class="tick" fill="#c0392b">{year}: {q}</text>"##,
                xc(i) - step / 2.0,
                y(q as f64),
                xc(j) + step / 2.0,
                y(q as f64),
                xc(i) - step / 2.0 + 2.0,
                y(q as f64) - 4.0
            );
        }
        i = j + 1;
    }
    let _ = write!(
        s,
        r#"<text x="12" y="{:.1}" class="tick" transform="rotate(-90 12 {:.1})" text-anchor="middle">人数 persons</text>"#,
        top + plot_h / 2.0,
        top + plot_h / 2.0
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axis_and_escaping() {
        assert_eq!(nice_axis(28.4), (30.0, 3));
        assert_eq!(nice_axis(112.6), (150.0, 3));
        assert_eq!(nice_axis(0.0), (10.0, 5));
        assert_eq!(nice_axis(9.0), (10.0, 5));
        assert_eq!(nice_axis(380.0), (400.0, 4));
        assert_eq!(esc("<a&\"b\">"), "&lt;a&amp;&quot;b&quot;&gt;");
    }

    #[test]
    fn bars_show_anomaly_mark_and_value_text() {
        let s = hbar(
            "t",
            "%",
            &[Bar {
                label: "S01".into(),
                value: Some(112.6),
                text: "112.6 %".into(),
                ci: None,
                anomaly: true,
            }],
        );
        assert!(s.contains("112.6 % ⚠") && s.contains("#c0392b"));
    }
}
