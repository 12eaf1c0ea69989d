//! The self-contained HTML report: inline CSS and SVG, no scripts, no links.
//!
//! Every number shown comes from a [`Row`] of the CSV output. Each table cell holding
//! one carries `data-ref` (the row's `table|site|period|sex|age_band|id|key`) and
//! `data-value` (the CSV cell: full precision), and displays the value rounded half up
//! to one decimal (percentages, IND-GEN-4) or the count itself.

use super::svg::{self, esc, Bar, Month};
use super::{Report, Row};
use cvdscreen::finding::{fmt_num, Finding, Severity};
use cvdscreen::indicators::quota::QuotaPeriod;
use cvdscreen::indicators::IND_GEN_6;
use cvdscreen::models::round_half_up;
use cvdscreen::output::fmt_pct;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// Findings listed in full in the findings section; the rest are counted.
const MAX_FINDINGS_LISTED: usize = 300;

const CSS: &str = r#"
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",system-ui,sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#222;font-size:14px;line-height:1.45}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid #2c7fb8;padding-bottom:3px;margin-top:32px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #ccc;padding:3px 7px;vertical-align:top}td.sev-reject,td.sev-warn,td.sev-info,td code,td.id{white-space:nowrap}th{background:#eef4f9;text-align:left;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr:nth-child(even) td{background:#fafafa}
.anom{color:#fff;background:#c0392b;border-radius:3px;padding:0 4px;margin-left:4px;font-size:12px;white-space:nowrap}
.sev-reject{color:#c0392b;font-weight:600}.sev-warn{color:#b9770e;font-weight:600}.sev-info{color:#555}
.note{color:#555;font-size:13px}.meta td{border:none;padding:1px 10px 1px 0}.kpi{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.kpi div{border:1px solid #ccc;border-radius:4px;padding:6px 12px;min-width:120px}.kpi b{display:block;font-size:20px}
.charts{display:flex;flex-wrap:wrap;gap:12px}svg.chart{border:1px solid #e3e3e3;background:#fff;font-size:12px}
svg .ct{font-size:13px;font-weight:600}svg .tick{font-size:11px;fill:#444}svg .lbl{font-size:12px}svg .val{font-size:12px}
code{background:#f3f3f3;padding:0 3px}.msg-en{color:#444}
"#;

/// Percentage as displayed: rounded half up to one decimal (IND-GEN-4, RM-GEN-3).
pub(crate) fn disp_pct(v: f64) -> String {
    let r = round_half_up(v, 1);
    let s = format!("{r:.1}");
    if s == "-0.0" {
        "0.0".into()
    } else {
        s
    }
}

struct Ctx<'a> {
    r: &'a Report,
    idx: HashMap<String, &'a Row>,
}

fn key(table: &str, site: &str, period: &str, sex: &str, band: &str, id: &str, k: &str) -> String {
    [table, site, period, sex, band, id, k].join("|")
}

impl<'a> Ctx<'a> {
    fn get(&self, k: &str) -> Option<&'a Row> {
        self.idx.get(k).copied()
    }

    fn badge(row: &Row) -> String {
        if !row.anomaly {
            return String::new();
        }
        let n = row.numerator.map_or("—".into(), fmt_num);
        let d = row.denominator.map_or("—".into(), fmt_num);
        format!(
            r#"<span class="anom" title="{IND_GEN_6} 异常 anomaly: numerator {n}, denominator {d}">⚠ {IND_GEN_6}</span>"#
        )
    }

    /// A percentage cell (with CI when present).
    fn pct(&self, k: &str) -> String {
        match self.get(k) {
            None => r#"<td class="num">—</td>"#.into(),
            Some(row) => {
                let shown = row
                    .value
                    .map_or("—".into(), |v| format!("{} %", disp_pct(v)));
                let ci = match (row.ci_low, row.ci_high) {
                    (Some(a), Some(b)) => format!(" ({}–{})", disp_pct(a), disp_pct(b)),
                    _ => String::new(),
                };
                format!(
                    r#"<td class="num" data-ref="{}" data-value="{}">{shown}{ci}{}</td>"#,
                    esc(&row.reference()),
                    row.value.map(fmt_pct).unwrap_or_default(),
                    Self::badge(row)
                )
            }
        }
    }

    /// A count cell (the row's numerator).
    fn count(&self, k: &str) -> String {
        match self.get(k).and_then(|row| row.numerator.map(|n| (row, n))) {
            None => r#"<td class="num">—</td>"#.into(),
            // A rate's anomaly is marked next to its percentage; a plain count
            // (no value) carries its own mark (IND-GEN-6: negative count).
            Some((row, n)) => format!(
                r#"<td class="num" data-ref="{}" data-count="{}">{}{}</td>"#,
                esc(&row.reference()),
                fmt_num(n),
                fmt_num(n),
                if row.value.is_none() {
                    Self::badge(row)
                } else {
                    String::new()
                }
            ),
        }
    }

    /// A bar for a percentage row.
    fn bar(&self, label: &str, k: &str) -> Bar {
        let row = self.get(k);
        let value = row.and_then(|r| r.value);
        Bar {
            label: label.to_string(),
            value,
            text: value.map_or("—".into(), |v| format!("{} %", disp_pct(v))),
            ci: row.and_then(|r| r.ci_low.zip(r.ci_high)),
            anomaly: row.is_some_and(|r| r.anomaly),
        }
    }
}

fn groups(r: &Report, table: &str, pick: impl Fn(&Row) -> Option<String>) -> Vec<String> {
    let set: BTreeSet<String> = r
        .rows
        .iter()
        .filter(|x| x.table == table)
        .filter_map(pick)
        .collect();
    set.into_iter().collect()
}

fn finding_row(f: &Finding) -> String {
    let sev = f.severity.as_str();
    format!(
        r#"<tr><td class="sev-{sev}">{sev}</td><td><code>{}</code></td><td>{}<br><span class="msg-en">{}</span></td></tr>"#,
        esc(f.rule_id),
        esc(&f.message_zh),
        esc(&f.message_en)
    )
}

/// Renders the report.
pub(crate) fn render(r: &Report) -> String {
    let c = Ctx {
        r,
        idx: r.rows.iter().map(|x| (x.reference(), x)).collect(),
    };
    let mut h = String::with_capacity(1 << 18);
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    h.push_str("<title>心血管病高危人群早期筛查 月度质控与进度报告 · Monthly QC and progress report</title>");
    let _ = write!(h, "<style>{CSS}</style></head><body>");
    header(&mut h, &c);
    findings(&mut h, &c);
    unqualified(&mut h, &c);
    visit_rows(&mut h, &c);
    detection(&mut h, &c);
    standardised(&mut h, &c);
    progress(&mut h, &c);
    structure(&mut h, &c);
    followup(&mut h, &c);
    formulas(&mut h, &c);
    h.push_str("</body></html>\n");
    h
}

fn header(h: &mut String, c: &Ctx) {
    let r = c.r;
    h.push_str("<h1>心血管病高危人群早期筛查与综合干预项目 · 月度质控与进度报告</h1>");
    h.push_str("<p class=\"note\">China PEACE Million Persons Project — monthly data-quality (QC) and progress report. Generated by <code>cvdscreen report</code>; all numbers are computed from the input file below.</p>");
    let as_of = match r.as_of {
        Some(d) if r.as_of_given => format!("{d} (--as-of)"),
        Some(d) if r.visits.is_some() => format!(
            "{d} (latest screen_date or visit_date in the inputs 输入中最晚的筛查或随访日期)"
        ),
        Some(d) => format!("{d} (latest screen_date in the input 输入中最晚的筛查日期)"),
        None => "— (no dated record 无有效日期)".into(),
    };
    let _ = write!(
        h,
        "<table class=\"meta\"><tr><td>输入 Input</td><td><code>{}</code> ({} rows 行)</td></tr><tr><td>方案 Profile</td><td><code>{}</code></td></tr><tr><td>统计截止日 As of</td><td>{}</td></tr><tr><td>任务量 Quota file</td><td>{}</td></tr><tr><td>人口 Population file</td><td>{}</td></tr></table>",
        esc(&r.input),
        r.rows_read,
        esc(&r.profile),
        esc(&as_of),
        r.quota_file.as_deref().map_or("—".into(), |p| format!("<code>{}</code>", esc(p))),
        r.population_file.as_deref().map_or("—".into(), |p| format!("<code>{}</code>", esc(p))),
    );
    if let Some(v) = &r.visits {
        let _ = write!(
            h,
            "<p class=\"note\">随访记录 Follow-up visits: <code>{}</code> ({} rows 行, {} used by the indicators 用于指标计算)</p>",
            esc(&v.file),
            v.rows_read,
            v.rows_used
        );
    }
    if r.rows_after_as_of > 0 {
        let _ = write!(
            h,
            "<p class=\"note\">{} rows screened after the as-of date were left out (截止日之后的记录不计).</p>",
            r.rows_after_as_of
        );
    }
    let o = |id: &str, k: &str| key("overall", "", "", "", "", id, k);
    h.push_str("<div class=\"kpi\">");
    let kpi = |h: &mut String, zh: &str, en: &str, cell: String| {
        // Reuse the table cell markup inside a KPI box.
        let inner = cell
            .replacen("<td class=\"num\"", "<b", 1)
            .replace("</td>", "</b>");
        let _ = write!(
            h,
            "<div>{zh}<br><span class=\"note\">{en}</span>{inner}</div>"
        );
    };
    kpi(h, "上报记录", "records", c.count_den(&o("IND-MPP-18", "")));
    kpi(
        h,
        "不合格记录",
        "unqualified",
        c.count(&o("IND-MPP-18", "")),
    );
    kpi(
        h,
        "不合格率",
        "unqualified rate",
        c.pct(&o("IND-MPP-18", "")),
    );
    kpi(
        h,
        "初筛完成人数",
        "screened (IND-MPP-1)",
        c.count(&o("IND-MPP-1", "")),
    );
    kpi(
        h,
        "高危人数",
        "high risk (IND-MPP-3)",
        c.count(&o("IND-MPP-3", "")),
    );
    kpi(
        h,
        "高危检出率",
        "detection rate (IND-MPP-4)",
        c.pct(&o("IND-MPP-4", "")),
    );
    kpi(
        h,
        "高血压患病率",
        "hypertension (IND-HTN-1)",
        c.pct(&o("IND-HTN-1", "")),
    );
    h.push_str("</div>");
}

impl Ctx<'_> {
    /// A count cell showing a row's denominator.
    fn count_den(&self, k: &str) -> String {
        match self
            .get(k)
            .and_then(|row| row.denominator.map(|d| (row, d)))
        {
            None => r#"<td class="num">—</td>"#.into(),
            Some((row, d)) => format!(
                r#"<td class="num" data-ref="{}" data-denominator="{}">{}</td>"#,
                esc(&row.reference()),
                fmt_num(d),
                fmt_num(d)
            ),
        }
    }
}

fn findings(h: &mut String, c: &Ctx) {
    let r = c.r;
    h.push_str("<h2>1. 需说明的异常与提示 · Findings to explain</h2>");
    let anomalous: Vec<&Row> = r.rows.iter().filter(|x| x.anomaly).collect();
    let _ = write!(
        h,
        "<p>{n} 个指标异常（IND-GEN-6：率超过100%、分子大于分母或计数为负；照实报告，不截断）· {n} indicator anomalies (rate above 100 %, numerator above denominator or a negative count; shown as computed, never clamped: over-quota work, duplicate records or a wrong denominator need an explanation). Each is also marked <span class=\"anom\">⚠ {IND_GEN_6}</span> next to its value in the tables below.</p>",
        n = anomalous.len()
    );
    if !anomalous.is_empty() {
        h.push_str("<table><tr><th>表 Table</th><th>分组 Group</th><th>指标 Indicator</th><th>分子 Numerator</th><th>分母 Denominator</th><th>值 Value</th></tr>");
        for x in &anomalous {
            let group: Vec<String> = [
                ("site", &x.site),
                ("period", &x.period),
                ("sex", &x.sex),
                ("age_band", &x.age_band),
            ]
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", esc(v))))
            .collect();
            let ind = if x.key.is_empty() {
                x.id.to_string()
            } else {
                format!("{} [{}]", x.id, x.key)
            };
            let k = x.reference();
            let den = x.denominator.map_or("—".into(), fmt_num);
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td>{}<td class=\"num\">{den}</td>{}</tr>",
                x.table,
                group.join("; "),
                esc(&ind),
                c.count(&k),
                c.pct(&k)
            );
        }
        h.push_str("</table>");
    }
    let others: Vec<&Finding> = {
        let mut v: Vec<&Finding> = r
            .findings
            .iter()
            .filter(|f| f.rule_id != IND_GEN_6)
            .collect();
        v.sort_by_key(|f| std::cmp::Reverse(f.severity));
        v
    };
    let _ = write!(
        h,
        "<h3>其他提示 · Other findings: quota and population files, sites without a quota ({})</h3>",
        others.len()
    );
    if others.is_empty() {
        h.push_str("<p>无 None.</p>");
        return;
    }
    h.push_str("<table><tr><th>级别 Severity</th><th>规则 Rule</th><th>说明 Message</th></tr>");
    for f in others.iter().take(MAX_FINDINGS_LISTED) {
        h.push_str(&finding_row(f));
    }
    h.push_str("</table>");
    if others.len() > MAX_FINDINGS_LISTED {
        let _ = write!(
            h,
            "<p class=\"note\">… {} more; all findings are in <code>--format json</code> (<code>findings</code>).</p>",
            others.len() - MAX_FINDINGS_LISTED
        );
    }
}

fn unqualified(h: &mut String, c: &Ctx) {
    let r = c.r;
    h.push_str("<h2>2. 不合格数据清单（退回整改）· Unqualified records to send back for rectification</h2>");
    h.push_str("<p class=\"note\">Records with at least one <span class=\"sev-reject\">reject</span> finding (不合格数据, IND-MPP-18), per site, in input order, with every reject and warn finding. They are not counted as screened until corrected (IND-MPP-1).</p>");
    let sites = groups(r, "site", |x| x.site.clone());
    h.push_str("<table><tr><th>筛查点 Site</th><th>上报记录 Records</th><th>不合格 Unqualified</th><th>不合格率 Rate</th><th>需复核率 Warned rate</th><th>主要规则 Most frequent rules</th></tr>");
    for s in &sites {
        let k = |id: &str, kk: &str| key("site", s, "", "", "", id, kk);
        let mut rules: Vec<(&Row, f64)> = r
            .rows
            .iter()
            .filter(|x| x.table == "site" && x.site.as_deref() == Some(s) && x.id == "IND-MPP-18")
            .filter(|x| x.key.starts_with("rule:"))
            .filter_map(|x| x.numerator.map(|n| (x, n)))
            .collect();
        rules.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.key.cmp(&b.0.key)));
        let top: Vec<String> = rules
            .iter()
            .take(5)
            .map(|(x, n)| format!("<code>{}</code> ×{}", esc(&x.key[5..]), fmt_num(*n)))
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td>{}{}{}{}<td>{}</td></tr>",
            esc(s),
            c.count_den(&k("IND-MPP-18", "")),
            c.count(&k("IND-MPP-18", "")),
            c.pct(&k("IND-MPP-18", "")),
            c.pct(&k("IND-QC-WARN", "")),
            top.join(", ")
        );
    }
    h.push_str("</table>");
    for (site, list) in &r.unqualified {
        let label = if site.is_empty() {
            "(no site_id 无筛查点)"
        } else {
            site
        };
        let _ = write!(
            h,
            "<h3>{} — {} 条不合格记录 unqualified record(s)</h3>",
            esc(label),
            list.total
        );
        h.push_str("<table><tr><th>行 Line</th><th>编号 id</th><th>规则 Rules</th><th>问题 Problems (中文 / English)</th></tr>");
        for u in &list.listed {
            let rules: Vec<String> = u
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "<code class=\"sev-{}\">{}</code>",
                        f.severity.as_str(),
                        esc(f.rule_id)
                    )
                })
                .collect();
            let msgs: Vec<String> = u
                .findings
                .iter()
                .map(|f| {
                    let sev = if f.severity == Severity::Reject {
                        ""
                    } else {
                        " (warn)"
                    };
                    format!(
                        "{}{sev}<br><span class=\"msg-en\">{}</span>",
                        esc(&f.message_zh),
                        esc(&f.message_en)
                    )
                })
                .collect();
            let _ = write!(
                h,
                "<tr><td class=\"num\">{}</td><td class=\"id\">{}</td><td>{}</td><td>{}</td></tr>",
                u.line,
                esc(&u.id),
                rules.join(" "),
                msgs.join("<br>")
            );
        }
        h.push_str("</table>");
        if list.total > list.listed.len() as u64 {
            let more = list.total - list.listed.len() as u64;
            let full = match &r.unqualified_file {
                Some(p) => format!("the full list is in <code>{}</code>", esc(p)),
                None => format!(
                    "for the full list run <code>cvdscreen report {} --unqualified unqualified.csv</code> (or <code>cvdscreen screen</code> and keep the rows with qc_status = reject)",
                    esc(&r.input)
                ),
            };
            let _ = write!(
                h,
                "<p class=\"note\">仅列出前 {} 条，另有 {more} 条未列出 · First {} listed, {more} more not shown; {full}.</p>",
                r.max_listed, r.max_listed
            );
        }
    }
}

/// Picks a row's group key.
type GroupPick = fn(&Row) -> Option<String>;

fn detection(h: &mut String, c: &Ctx) {
    let r = c.r;
    h.push_str("<h2>3. 高危对象检出率 · Detection rate by site, sex and age band</h2>");
    h.push_str("<p class=\"note\">Detection rate IND-MPP-4 = 100 × high-risk persons ÷ screened persons (qualified records, distinct ids). Upper bound: indeterminate persons counted as high risk. Hypertension prevalence IND-HTN-1 among persons with a known status.</p>");
    let specs: [(&str, &str, &str, GroupPick); 3] = [
        ("site", "筛查点 Site", "按筛查点 by site", |x| {
            x.site.clone()
        }),
        ("sex", "性别 Sex", "按性别 by sex", |x| x.sex.clone()),
        (
            "age_band",
            "年龄组 Age band",
            "按年龄组 by age band",
            |x| x.age_band.clone(),
        ),
    ];
    let mut charts = Vec::new();
    for (table, head, title, pick) in specs {
        let gs = groups(r, table, pick);
        let k = |g: &str, id: &str, kk: &str| match table {
            "site" => key(table, g, "", "", "", id, kk),
            "sex" => key(table, "", "", g, "", id, kk),
            _ => key(table, "", "", "", g, id, kk),
        };
        let _ = write!(h, "<h3>{title}</h3><table><tr><th>{head}</th><th>上报记录 Records</th><th>不合格率 Unqualified</th><th>初筛人数 Screened</th><th>高危人数 High risk</th><th>检出率 Detection rate</th><th>上限 Upper bound</th><th>无法判定 Indeterminate</th><th>高血压患病率 Hypertension</th></tr>");
        let mut bars = Vec::new();
        for g in &gs {
            let _ = write!(
                h,
                "<tr><td>{}</td>{}{}{}{}{}{}{}{}</tr>",
                esc(if g.is_empty() { "(empty)" } else { g }),
                c.count_den(&k(g, "IND-MPP-18", "")),
                c.pct(&k(g, "IND-MPP-18", "")),
                c.count(&k(g, "IND-MPP-1", "")),
                c.count(&k(g, "IND-MPP-3", "")),
                c.pct(&k(g, "IND-MPP-4", "")),
                c.pct(&k(g, "IND-MPP-4", "upper_bound")),
                c.count(&k(g, "IND-MPP-4", "indeterminate")),
                c.pct(&k(g, "IND-HTN-1", "")),
            );
            bars.push(c.bar(g, &k(g, "IND-MPP-4", "")));
        }
        let o = |id: &str, kk: &str| key("overall", "", "", "", "", id, kk);
        let _ = write!(
            h,
            "<tr><th>合计 All</th>{}{}{}{}{}{}{}{}</tr></table>",
            c.count_den(&o("IND-MPP-18", "")),
            c.pct(&o("IND-MPP-18", "")),
            c.count(&o("IND-MPP-1", "")),
            c.count(&o("IND-MPP-3", "")),
            c.pct(&o("IND-MPP-4", "")),
            c.pct(&o("IND-MPP-4", "upper_bound")),
            c.count(&o("IND-MPP-4", "indeterminate")),
            c.pct(&o("IND-HTN-1", "")),
        );
        bars.push(c.bar("合计 All", &o("IND-MPP-4", "")));
        charts.push(svg::hbar(
            &format!("高危检出率 Detection rate, {title}"),
            "检出率 detection rate (%)",
            &bars,
        ));
    }
    let _ = write!(h, "<div class=\"charts\">{}</div>", charts.join(""));
}

fn standardised(h: &mut String, c: &Ctx) {
    let r = c.r;
    h.push_str(
        "<h2>4. 年龄标化率 · Age-standardised detection rate and hypertension prevalence</h2>",
    );
    let first = cvdscreen::indicators::screening::AGE_BANDS
        .iter()
        .find(|b| b.1 as u32 >= r.min_age)
        .map_or("", |b| b.0);
    let (std_en, std_zh, last_band) = if r.standard == "china-2010-census" {
        (
            "the 2010 population census of China (National Bureau of Statistics, 《中国2010年人口普查资料》, population by sex and single year of age), sex-specific weights for each sex and male + female for both sexes",
            "标准人口为2010年全国人口普查分年龄、性别人口",
            "the last band holds the 75-year-olds, weighted by the census's own 70–75 single years",
        )
    } else {
        (
            "the WHO World Standard Population 2000–2025 (Ahmad et al., GPE Discussion Paper 31, WHO 2001), both sexes",
            "标准人口为WHO 2000–2025世界标准人口",
            "the last band holds the 75-year-olds and takes one fifth of the standard's 75–79 weight",
        )
    };
    let _ = write!(
        h,
        "<p class=\"note\">方法 Method (IND-POP-4): direct standardisation to {std_en}, over the age bands {first} … 70-75 (IND-POP-1; {last_band}). Rate = Σ w<sub>b</sub> r<sub>b</sub> ÷ Σ w<sub>b</sub>; 95 % CI by the normal approximation Var = Σ w<sub>b</sub>² r<sub>b</sub>(1 − r<sub>b</sub>) ÷ n<sub>b</sub> ÷ (Σ w<sub>b</sub>)², not clamped. A band without screenees gives no value. 直接法标化，{std_zh}；95%置信区间为正态近似。</p>"
    );
    h.push_str("<table><tr><th>分组 Group</th><th>性别 Sex</th><th>标化检出率 Std. detection rate (95 % CI)</th><th>粗率 Crude</th><th>标化高血压患病率 Std. hypertension prevalence (95 % CI)</th><th>粗率 Crude</th><th>说明 Note</th></tr>");
    let sites = groups(r, "standardised_site", |x| x.site.clone());
    let mut det_bars = Vec::new();
    let mut htn_bars = Vec::new();
    let mut line = |h: &mut String, table: &str, site: &str, label: &str| {
        for sex in ["both", "male", "female"] {
            let k = |kk: &str| key(table, site, "", sex, "", "IND-POP-4", kk);
            // The band label is part of the key: find it from the row itself.
            let find = |kk: &str| {
                r.rows
                    .iter()
                    .find(|x| {
                        x.table == table
                            && x.site.as_deref().unwrap_or("") == site
                            && x.sex.as_deref() == Some(sex)
                            && x.key == kk
                    })
                    .map(|x| x.reference())
                    .unwrap_or_else(|| k(kk))
            };
            let note = r
                .rows
                .iter()
                .find(|x| x.reference() == find("detection_rate"))
                .filter(|x| x.value.is_none())
                .map(|x| esc(&x.note))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{sex}</td>{}{}{}{}<td class=\"note\">{note}</td></tr>",
                esc(label),
                c.pct(&find("detection_rate")),
                c.pct(&find("detection_rate:crude")),
                c.pct(&find("hypertension_prevalence")),
                c.pct(&find("hypertension_prevalence:crude")),
            );
            if sex == "both" {
                det_bars.push(c.bar(label, &find("detection_rate")));
                htn_bars.push(c.bar(label, &find("hypertension_prevalence")));
            }
        }
    };
    line(h, "standardised_overall", "", "合计 All");
    for s in &sites {
        line(h, "standardised_site", s, s);
    }
    h.push_str("</table>");
    let _ = write!(
        h,
        "<div class=\"charts\">{}{}</div>",
        svg::hbar(
            "年龄标化检出率 Age-standardised detection rate (both sexes, 95 % CI)",
            "标化率 standardised rate (%)",
            &det_bars
        ),
        svg::hbar(
            "年龄标化高血压患病率 Age-standardised hypertension prevalence (95 % CI)",
            "标化率 standardised rate (%)",
            &htn_bars
        )
    );
}

fn progress(h: &mut String, c: &Ctx) {
    let r = c.r;
    h.push_str("<h2>5. 任务进度 · Monthly progress against quota</h2>");
    let Some(q) = &r.quota else {
        h.push_str("<p>未提供任务量文件 No quota file given (<code>--quota quota.csv</code>, IND-QUOTA-1).</p>");
        return;
    };
    h.push_str("<p class=\"note\">Progress IND-QUOTA-3 = 100 × done ÷ quota: against a yearly quota the done count runs from the first day of the project year (January) to the as-of month; against a monthly quota, within the month. Screening done = IND-MPP-1 persons per month. IND-MPP-2 = screening completion rate; IND-MPP-6 (gwfp) = completed high-risk surveys ÷ (screening quota ÷ 5); IND-MPP-7 = surveys ÷ hr_survey quota; backlog IND-QUOTA-4 = max(0, cumulative yearly quotas − cumulative done). Values above 100 % are shown as computed with an IND-GEN-6 mark.</p>");
    h.push_str("<table><tr><th>筛查点 Site</th><th>任务 Task</th><th>期间 Period</th><th>任务量 Quota</th><th>完成 Done</th><th>进度 Progress</th><th>初筛完成率 IND-MPP-2</th><th>gwfp IND-MPP-6</th><th>调查完成率 IND-MPP-7</th><th>积压 Backlog</th><th>预计完成 Projected</th></tr>");
    for p in &q.rows {
        let k = |id: &str, kk: &str| key("quota", &p.site_id, &p.period, "", "", id, kk);
        let task = p.task.as_str();
        let cell = |id: &str| {
            if c.get(&k(id, task)).is_some() {
                c.pct(&k(id, task))
            } else {
                "<td></td>".into()
            }
        };
        let main = c.get(&k("IND-QUOTA-3", task));
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{task}</td><td>{}</td>{}{}{}{}{}{}{}<td>{}</td></tr>",
            esc(&p.site_id),
            esc(&p.period),
            c.count_den(&k("IND-QUOTA-3", task)),
            c.count(&k("IND-QUOTA-3", task)),
            c.pct(&k("IND-QUOTA-3", task)),
            cell("IND-MPP-2"),
            cell("IND-MPP-6"),
            cell("IND-MPP-7"),
            if c.get(&k("IND-QUOTA-4", task)).is_some() {
                c.count(&k("IND-QUOTA-4", task))
            } else {
                "<td></td>".into()
            },
            p.projected_completion
                .map(|d| d.to_string())
                .unwrap_or_default()
        );
        debug_assert!(main.is_some());
    }
    h.push_str("</table>");
    // Charts: screening per site.
    let as_of_ym = r.as_of.map(|d| d.year_month());
    let mut done: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for x in r
        .rows
        .iter()
        .filter(|x| x.table == "site_month" && x.id == "IND-MPP-1" && x.key.is_empty())
    {
        let (Some(site), Some(period)) = (&x.site, &x.period) else {
            continue;
        };
        // Months with screenings only: a month holding only survey or
        // intervention events has no IND-MPP-1 persons.
        if QuotaPeriod::parse(period).is_some() && x.numerator.is_some_and(|n| n > 0.0) {
            done.entry(site.clone())
                .or_default()
                .insert(period.clone(), x.numerator.unwrap_or(0.0) as u64);
        }
    }
    let mut yq: BTreeMap<(String, i32), u64> = BTreeMap::new();
    let mut mq: BTreeMap<(String, String), u64> = BTreeMap::new();
    for row in q.rows.iter().filter(|p| p.task.as_str() == "screening") {
        match QuotaPeriod::parse(&row.period) {
            Some(QuotaPeriod::Year(y)) => {
                yq.insert((row.site_id.clone(), y), row.quota);
            }
            Some(QuotaPeriod::Month(..)) => {
                mq.insert((row.site_id.clone(), row.period.clone()), row.quota);
            }
            None => {}
        }
        done.entry(row.site_id.clone()).or_default();
    }
    let mut charts = Vec::new();
    for (site, months) in &done {
        let mut labels: BTreeSet<String> = months.keys().cloned().collect();
        labels.extend(mq.keys().filter(|(s, _)| s == site).map(|(_, m)| m.clone()));
        if let Some(a) = &as_of_ym {
            labels.retain(|m| m <= a);
        }
        let (Some(first), Some(last)) = (labels.first().cloned(), labels.last().cloned()) else {
            continue;
        };
        let mut ms = Vec::new();
        let (mut y, mut m) = (
            first[..4].parse::<i32>().unwrap_or(0),
            first[5..].parse::<u8>().unwrap_or(1),
        );
        let mut cum = 0u64;
        let mut year = y;
        loop {
            let label = format!("{y:04}-{m:02}");
            if label > last || ms.len() > 240 {
                break;
            }
            if y != year {
                cum = 0;
                year = y;
            }
            let d = months.get(&label).copied().unwrap_or(0);
            cum += d;
            ms.push(Month {
                year_quota: yq.get(&(site.clone(), y)).copied(),
                month_quota: mq.get(&(site.clone(), label.clone())).copied(),
                label,
                done: d,
                cumulative: cum,
            });
            if m == 12 {
                y += 1;
                m = 1;
            } else {
                m += 1;
            }
        }
        let over = q
            .rows
            .iter()
            .any(|p| &p.site_id == site && p.progress.is_anomalous());
        let title = format!(
            "{} 初筛进度 screening progress{}",
            if site.is_empty() { "(no site)" } else { site },
            if over {
                " ⚠ IND-GEN-6 超过任务量 over quota"
            } else {
                ""
            }
        );
        charts.push(svg::progress(&title, &ms));
    }
    let _ = write!(h, "<div class=\"charts\">{}</div>", charts.join(""));
}

fn structure(h: &mut String, c: &Ctx) {
    let r = c.r;
    if r.population_file.is_none() {
        return;
    }
    h.push_str("<h2>6. 年龄性别构成 · Age/sex structure of screenees vs resident population (IND-MPP-19)</h2>");
    h.push_str("<p class=\"note\">Observed % = screenees in the cell ÷ screenees in all cells; expected % = population of the cell ÷ population of all cells (IND-POP-3); difference in percentage points. No pass/fail threshold is defined.</p>");
    h.push_str("<table><tr><th>筛查点 Site</th><th>性别 Sex</th><th>年龄 Age</th><th>实际 Observed</th><th>期望 Expected</th><th>差值 Difference (pp)</th></tr>");
    for x in r
        .rows
        .iter()
        .filter(|x| x.table == "structure" && x.key == "observed")
    {
        let site = x.site.as_deref().unwrap_or("");
        let sex = x.sex.as_deref().unwrap_or("");
        let band = x.age_band.as_deref().unwrap_or("");
        let k = |kk: &str| key("structure", site, "", sex, band, "IND-MPP-19", kk);
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td>{}{}{}</tr>",
            esc(site),
            esc(sex),
            esc(band),
            c.pct(&k("observed")),
            c.pct(&k("expected")),
            c.pct(&k("difference_pp")).replace(" %", " pp"),
        );
    }
    h.push_str("</table>");
}

/// The visit rows with findings, per site (only with `--visits`).
fn visit_rows(h: &mut String, c: &Ctx) {
    let Some(v) = &c.r.visits else { return };
    h.push_str(
        "<h3>随访记录问题（退回整改）· Follow-up visit rows to send back for rectification</h3>",
    );
    h.push_str("<p class=\"note\">Rows of the visit file with a finding (DQ-PARSE-1, DQ-VIS-1…5, DQ-PRG-5, DQ-PRG-11), per site (the person's screening site, else the row's <code>site_id</code>), by line. Rows with a <span class=\"sev-reject\">reject</span> finding on <code>id</code>, <code>visit_date</code> or <code>visit_kind</code>, or DQ-VIS-2, DQ-VIS-3 or DQ-PRG-5 (reject), are not used by the follow-up indicators until corrected; a rejected value is unknown.</p>");
    if v.sites.is_empty() {
        h.push_str("<p>无 None.</p>");
        return;
    }
    h.push_str("<table><tr><th>筛查点 Site</th><th>有问题的随访记录 Rows with findings</th><th>不合格 Rejected</th><th>规则 Rules</th></tr>");
    for (site, l) in &v.sites {
        let rules: Vec<String> = l
            .per_rule
            .iter()
            .map(|(r, n)| format!("<code>{}</code> ×{n}", esc(r)))
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(site),
            l.rows,
            l.rejected,
            rules.join(", ")
        );
    }
    h.push_str("</table>");
    for (site, l) in &v.sites {
        let label = if site.is_empty() {
            "(no site_id 无筛查点)"
        } else {
            site
        };
        let _ = write!(
            h,
            "<h3>{} — {} 条随访记录有问题 visit row(s) with findings</h3>",
            esc(label),
            l.rows
        );
        h.push_str("<table><tr><th>行 Line</th><th>编号 id</th><th>类型 Kind</th><th>日期 Date</th><th>规则 Rules</th><th>问题 Problems (中文 / English)</th></tr>");
        for x in &l.listed {
            let rules: Vec<String> = x
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "<code class=\"sev-{}\">{}</code>",
                        f.severity.as_str(),
                        esc(f.rule_id)
                    )
                })
                .collect();
            let msgs: Vec<String> = x
                .findings
                .iter()
                .map(|f| {
                    let sev = if f.severity == Severity::Reject {
                        ""
                    } else {
                        " (warn)"
                    };
                    format!(
                        "{}{sev}<br><span class=\"msg-en\">{}</span>",
                        esc(&f.message_zh),
                        esc(&f.message_en)
                    )
                })
                .collect();
            let _ = write!(
                h,
                "<tr><td class=\"num\">{}</td><td class=\"id\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                x.line,
                esc(&x.id),
                x.visit_kind.map_or("", cvdscreen::visits::kind_str),
                x.visit_date.map(|d| d.to_string()).unwrap_or_default(),
                rules.join(" "),
                msgs.join("<br>")
            );
        }
        h.push_str("</table>");
        if l.rows > l.listed.len() as u64 {
            let _ = write!(
                h,
                "<p class=\"note\">仅列出前 {} 条，另有 {} 条未列出 · First {} listed, {} more not shown (all counted above; <code>--max-listed N</code> lists more).</p>",
                l.listed.len(),
                l.rows - l.listed.len() as u64,
                l.listed.len(),
                l.rows - l.listed.len() as u64
            );
        }
    }
}

/// The programme follow-up indicators (only with `--visits`).
fn followup(h: &mut String, c: &Ctx) {
    let r = c.r;
    if r.visits.is_none() {
        return;
    }
    h.push_str("<h2>7. 项目随访 · Programme follow-up (IND-MPP-9, -10, -11, -12, -15, -16)</h2>");
    h.push_str("<p class=\"note\">From the screening records (<code>hr_exam_date</code>, <code>intervention_date</code>, high-risk status) and the follow-up visit rows, through the follow-up schedule FU-5…FU-9. Periods: IND-MPP-9 by <code>intervention_date</code>, IND-MPP-10 and -15 by due date, IND-MPP-11 and -12 by <code>visit_date</code> (visits, not persons), IND-MPP-16 by project year (<code>YYYY</code>). IND-MPP-15 “pending”: due follow-ups whose window is still open on the as-of date (in neither number). — = no denominator in that period.</p>");
    for (table, title) in [
        ("followup_overall", "全部筛查点 All sites"),
        ("followup_site", "各筛查点 By site"),
    ] {
        let groups: BTreeSet<(String, String)> = r
            .rows
            .iter()
            .filter(|x| x.table == table)
            .map(|x| {
                (
                    x.site.clone().unwrap_or_default(),
                    x.period.clone().unwrap_or_default(),
                )
            })
            .collect();
        let _ = write!(h, "<h3>{title}</h3>");
        h.push_str("<table><tr><th>筛查点 Site</th><th>期间 Period</th><th>随访完成率 IND-MPP-9</th><th>随访成功率 IND-MPP-10</th><th>短期 short-term</th><th>长期 long-term</th><th>面对面随访率 IND-MPP-11</th><th>随访血压 BP</th><th>体重 Weight</th><th>心电图 ECG</th><th>短期按时率 IND-MPP-15</th><th>待定 Pending</th><th>长期随访率 IND-MPP-16</th></tr>");
        for (site, period) in &groups {
            let k = |id: &str, kk: &str| key(table, site, period, "", "", id, kk);
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td>{}{}{}{}{}{}{}{}{}{}{}</tr>",
                if table == "followup_overall" {
                    "全部".to_string()
                } else {
                    esc(site)
                },
                esc(period),
                c.pct(&k("IND-MPP-9", "")),
                c.pct(&k("IND-MPP-10", "")),
                c.pct(&k("IND-MPP-10", "short_term")),
                c.pct(&k("IND-MPP-10", "long_term")),
                c.pct(&k("IND-MPP-11", "")),
                c.pct(&k("IND-MPP-12", "fu_bp")),
                c.pct(&k("IND-MPP-12", "fu_weight")),
                c.pct(&k("IND-MPP-12", "fu_ecg")),
                c.pct(&k("IND-MPP-15", "")),
                c.count(&k("IND-MPP-15", "pending")),
                c.pct(&k("IND-MPP-16", "")),
            );
        }
        h.push_str("</table>");
    }
}

fn formulas(h: &mut String, c: &Ctx) {
    let r = c.r;
    h.push_str("<h2>指标口径 · Indicator formulas used</h2>");
    h.push_str("<p class=\"note\">From the rule registry of the library (<code>cvdscreen::rules</code>); the spec sections are given with each rule. Tables: HTML percentages are rounded half up to one decimal; <code>--format csv|json</code> gives the same values at full precision.</p>");
    let mut ids: BTreeSet<&str> = r.rows.iter().map(|x| x.id).collect();
    ids.extend([
        "IND-GEN-1",
        "IND-GEN-2",
        "IND-GEN-3",
        "IND-GEN-4",
        "IND-GEN-6",
        "IND-POP-1",
    ]);
    if r.visits.is_some() {
        ids.extend([
            "FU-5",
            "FU-6",
            "FU-7",
            "FU-8",
            "FU-9",
            "DQ-VIS-1",
            "DQ-VIS-2",
            "DQ-VIS-3",
            "DQ-VIS-4",
            "DQ-VIS-5",
            "DQ-PRG-5",
            "DQ-PRG-11",
        ]);
    }
    if r.quota.is_some() {
        ids.extend([
            "IND-QUOTA-1",
            "IND-QUOTA-2",
            "IND-QUOTA-5",
            "IND-QUOTA-PROJ",
        ]);
    }
    h.push_str("<table><tr><th>编号 Id</th><th>口径 Definition</th><th>出处 Source</th></tr>");
    for id in ids {
        if let Some(rule) = cvdscreen::rules::get(id) {
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td>{}<br><span class=\"msg-en\">{}</span></td><td class=\"note\">{}</td></tr>",
                esc(rule.id),
                esc(rule.zh),
                esc(rule.en),
                esc(rule.citation)
            );
        }
    }
    h.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use super::disp_pct;

    #[test]
    fn display_rounds_half_up_to_one_decimal() {
        assert_eq!(disp_pct(28.25), "28.3");
        assert_eq!(disp_pct(1.15), "1.1"); // 1.15 is stored as 1.1499…
        assert_eq!(disp_pct(112.6), "112.6");
        assert_eq!(disp_pct(100.0 / 3.0), "33.3");
        assert_eq!(disp_pct(0.04), "0.0");
        assert_eq!(disp_pct(-0.04), "0.0");
    }
}
