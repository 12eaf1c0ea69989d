//! End-to-end tests of `cvdscreen report`.

use cvdscreen::models::round_half_up;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn sample() -> String {
    repo_file("examples/data/screening_sample.csv")
        .display()
        .to_string()
}

fn quota() -> String {
    repo_file("examples/data/quota_sample.csv")
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cvdscreen"))
        .args(args)
        .output()
        .expect("run cvdscreen")
}

fn ok(o: Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// CSV rows keyed by `table|site|period|sex|age_band|id|key`, as column → cell.
fn csv_rows(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "table",
            "site",
            "period",
            "sex",
            "age_band",
            "id",
            "key",
            "numerator",
            "denominator",
            "value",
            "ci_low",
            "ci_high",
            "anomaly",
            "note"
        ]
    );
    let mut out = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let m: HashMap<String, String> = header
            .iter()
            .cloned()
            .zip(rec.iter().map(String::from))
            .collect();
        let k = header[..7]
            .iter()
            .map(|c| m[c].as_str())
            .collect::<Vec<_>>()
            .join("|");
        assert!(out.insert(k.clone(), m).is_none(), "duplicate row {k}");
    }
    out
}

/// Every `<td … data-ref="R" data-ATTR="V">TEXT</td>` of the HTML: (R, ATTR, V, TEXT).
fn html_cells(html: &str) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for part in html.split("<td class=\"num\" data-ref=\"").skip(1) {
        let (r, rest) = part.split_once('"').unwrap();
        let rest = rest
            .trim_start()
            .strip_prefix("data-")
            .expect("data attribute");
        let (attr, rest) = rest.split_once("=\"").unwrap();
        let (v, rest) = rest.split_once('"').unwrap();
        let text = rest[1..rest.find("</td>").unwrap()].to_string();
        out.push((
            r.replace("&amp;", "&"),
            attr.to_string(),
            v.to_string(),
            text,
        ));
    }
    out
}

fn disp(cell: &str) -> String {
    format!("{:.1}", round_half_up(cell.parse::<f64>().unwrap(), 1))
}

#[test]
fn html_is_self_contained_has_the_sections_and_the_csv_numbers() {
    let html = ok(run(&["report", &sample(), "--quota", &quota()]));
    let csv = ok(run(&[
        "report",
        &sample(),
        "--quota",
        &quota(),
        "--format",
        "csv",
    ]));
    assert!(html.starts_with("<!DOCTYPE html>"));
    for banned in ["http://", "https://", "<script", "<link", "@import", "url("] {
        assert!(!html.contains(banned), "HTML contains `{banned}`");
    }
    for section in [
        "Findings to explain",
        "Unqualified records to send back for rectification",
        "Detection rate by site, sex and age band",
        "Age-standardised detection rate and hypertension prevalence",
        "WHO World Standard Population 2000–2025",
        "95 % CI",
        "Monthly progress against quota",
        "Indicator formulas used",
        "不合格数据清单",
        "年龄标化率",
    ] {
        assert!(html.contains(section), "section `{section}` missing");
    }
    // Charts: three detection-rate bar charts, two standardised, one per site of the quota file.
    assert!(html.matches("<svg class=\"chart\"").count() >= 5 + 6);
    // Formulas come from the registry.
    let r4 = cvdscreen::rules::get("IND-MPP-4").unwrap();
    assert!(html.contains(r4.en) && html.contains(r4.zh));

    let rows = csv_rows(&csv);
    let cells = html_cells(&html);
    assert!(cells.len() > 200, "only {} numeric cells", cells.len());
    for (r, attr, v, text) in &cells {
        let row = rows
            .get(r)
            .unwrap_or_else(|| panic!("HTML cell {r} has no CSV row"));
        let col = match attr.as_str() {
            "value" => "value",
            "count" => "numerator",
            "denominator" => "denominator",
            a => panic!("unexpected attribute {a}"),
        };
        assert_eq!(&row[col], v, "{r} {col}");
        if col == "value" && !v.is_empty() {
            // Displayed rounded half up to one decimal (IND-GEN-4).
            assert!(
                text.starts_with(&format!("{} %", disp(v))),
                "{r}: `{text}` vs {v}"
            );
        } else if !v.is_empty() {
            assert!(text.starts_with(v.as_str()), "{r}: `{text}` vs {v}");
        }
    }
    // The detection rate of every site is in the HTML with the CSV's value.
    for s in ["S01", "S02", "S03", "S04", "S05", "S06"] {
        let k = format!("site|{s}||||IND-MPP-4|");
        let v = &rows[&k]["value"];
        assert!(!v.is_empty());
        assert!(
            cells.iter().any(|c| c.0 == k && &c.2 == v),
            "detection rate of {s} not shown"
        );
    }
    // Sample totals (examples/data/README.md): 527 high risk of 1,851 screened.
    let all = &rows["overall|||||IND-MPP-4|"];
    assert_eq!(
        (all["numerator"].as_str(), all["denominator"].as_str()),
        ("527", "1851")
    );
    assert!(html.contains(">28.5 %"));
    // Standardised rates carry a CI.
    let std = rows
        .values()
        .find(|m| {
            m["table"] == "standardised_overall"
                && m["sex"] == "both"
                && m["key"] == "detection_rate"
        })
        .unwrap();
    let (v, lo, hi): (f64, f64, f64) = (
        std["value"].parse().unwrap(),
        std["ci_low"].parse().unwrap(),
        std["ci_high"].parse().unwrap(),
    );
    assert!(lo < v && v < hi, "{lo} {v} {hi}");
}

#[test]
fn over_quota_is_an_ind_gen_6_finding_in_html_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("quota.csv");
    // S02 screened 335 persons in 2024: 335 ÷ 300 = 111.666… %.
    std::fs::write(&q, "site_id,period,quota\nS02,2024,300\nS03,2024,1000\n").unwrap();
    let q = q.display().to_string();
    let csv = ok(run(&[
        "report",
        &sample(),
        "--quota",
        &q,
        "--format",
        "csv",
    ]));
    let rows = csv_rows(&csv);
    let over = &rows["quota|S02|2024|||IND-QUOTA-3|screening"];
    assert_eq!(over["numerator"], "335");
    assert_eq!(over["denominator"], "300");
    assert_eq!(over["value"], "111.66666666666667");
    assert_eq!(over["anomaly"], "true");
    let under = &rows["quota|S03|2024|||IND-QUOTA-3|screening"];
    assert_eq!(under["anomaly"], "false");

    let html = ok(run(&["report", &sample(), "--quota", &q]));
    let cell_start = html
        .find("data-ref=\"quota|S02|2024|||IND-QUOTA-3|screening\" data-value")
        .expect("progress cell");
    let cell = &html[cell_start..cell_start + html[cell_start..].find("</td>").unwrap()];
    assert!(cell.contains(">111.7 %"), "{cell}");
    assert!(
        cell.contains("⚠ IND-GEN-6"),
        "anomaly not next to its value: {cell}"
    );
    let under_start = html
        .find("data-ref=\"quota|S03|2024|||IND-QUOTA-3|screening\" data-value")
        .unwrap();
    let under_cell = &html[under_start..under_start + html[under_start..].find("</td>").unwrap()];
    assert!(!under_cell.contains("IND-GEN-6"));

    let json: serde_json::Value = serde_json::from_str(&ok(run(&[
        "report",
        &sample(),
        "--quota",
        &q,
        "--format",
        "json",
    ])))
    .unwrap();
    let jrows = json["rows"].as_array().unwrap();
    assert_eq!(jrows.len(), rows.len());
    let jr = jrows
        .iter()
        .find(|r| r["table"] == "quota" && r["site"] == "S02" && r["id"] == "IND-QUOTA-3")
        .unwrap();
    assert_eq!(jr["value"], "111.66666666666667");
    assert_eq!(jr["anomaly"], true);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule_id"] == "IND-GEN-6"
                && f["message_en"]
                    .as_str()
                    .unwrap()
                    .contains("site=S02; task=screening; period=2024")
        })
        .expect("IND-GEN-6 finding in JSON");
    assert!(f["message_en"].as_str().unwrap().contains("335"));
}

#[test]
fn missing_quota_file_exits_2_naming_the_path() {
    let o = run(&["report", &sample(), "--quota", "no/such/quota.csv"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no/such/quota.csv"), "{err}");
    assert!(o.stdout.is_empty());
    let o = run(&["report", &sample(), "--population", "no/such/pop.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no/such/pop.csv"));
}

#[test]
fn malformed_quota_rows_are_findings_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("quota.csv");
    std::fs::write(
        &q,
        "site_id,task,period,quota\nS01,screening,2024,400\nS02,screening,2024,-5\nS03,screening,24,10\nS04,mystery,2025,10\nS05,screening,2025,\"unterminated\nS06,screening,2024,100\nS06,screening,2024,100\n",
    )
    .unwrap();
    let q = q.display().to_string();
    let json: serde_json::Value = serde_json::from_str(&ok(run(&[
        "report",
        &sample(),
        "--quota",
        &q,
        "--format",
        "json",
    ])))
    .unwrap();
    let rejects: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "IND-QUOTA-1" && f["severity"] == "reject")
        .collect();
    // Lines 3, 4, 5, 6 and both copies of the repeated S06 row (7, 8).
    assert!(rejects.len() >= 6, "{rejects:#?}");
    // Only the one good row is used.
    let quota_sites: Vec<&str> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["table"] == "quota" && r["id"] == "IND-QUOTA-3")
        .map(|r| r["site"].as_str().unwrap())
        .collect();
    assert_eq!(quota_sites, ["S01"]);
    let html = ok(run(&["report", &sample(), "--quota", &q]));
    assert!(
        html.contains("任务量文件第3行"),
        "quota finding not shown in the HTML"
    );
}

#[test]
fn unqualified_list_is_bounded_and_the_full_list_goes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("unqualified.csv");
    let out = dir.path().join("report.html");
    ok(run(&[
        "report",
        &sample(),
        "--max-listed",
        "2",
        "--unqualified",
        full.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let html = std::fs::read_to_string(&out).unwrap();
    // 149 unqualified records in the sample (examples/data/README.md).
    let text = std::fs::read_to_string(&full).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let recs: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(recs.len(), 149);
    assert!(recs
        .iter()
        .all(|x| !x[3].is_empty() && !x[5].is_empty() && !x[6].is_empty()));
    // Per site: two rows listed, the rest counted, and the file named.
    let s01 = recs.iter().filter(|x| &x[0] == "S01").count();
    assert!(html.contains(&format!("S01 — {s01} 条不合格记录")));
    assert!(html.contains(&format!("{} more not shown", s01 - 2)));
    assert!(html.contains(full.to_str().unwrap()));
    let listed = html.matches("<td class=\"id\">").count();
    let sites = recs
        .iter()
        .map(|x| x[0].to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert_eq!(listed, 2 * sites);
}

#[test]
fn as_of_leaves_later_screenings_out() {
    let csv = ok(run(&[
        "report",
        &sample(),
        "--as-of",
        "2024-06-30",
        "--format",
        "csv",
    ]));
    let rows = csv_rows(&csv);
    assert!(
        rows.keys().all(|k| !k.starts_with("site|S05|")),
        "S05 starts in 2025"
    );
    let months: Vec<&String> = rows
        .values()
        .filter(|m| m["table"] == "site_month")
        .map(|m| &m["period"])
        .collect();
    assert!(months
        .iter()
        .all(|p| p.as_str() <= "2024-06" || p.as_str() == "undated"));
    let bad = run(&["report", &sample(), "--as-of", "2024-13-01"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Opens the report in headless Chromium and saves a screenshot to
/// `target/report-screenshot.png`. Fails when Chromium is missing unless
/// `CVDSCREEN_SKIP_BROWSER=1`.
#[test]
fn html_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        if std::env::var("CVDSCREEN_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipped: /usr/bin/chromium missing and CVDSCREEN_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "/usr/bin/chromium not found: install it (apt-get install -y chromium) or set CVDSCREEN_SKIP_BROWSER=1 to skip this test"
        );
    }
    let target = repo_file("target");
    std::fs::create_dir_all(&target).unwrap();
    let html = target.join("report-screenshot.html");
    let png = target.join("report-screenshot.png");
    let _ = std::fs::remove_file(&png);
    ok(run(&[
        "report",
        &sample(),
        "--quota",
        &quota(),
        "-o",
        html.to_str().unwrap(),
    ]));
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1280,2000")
        .arg(format!("file://{}", html.canonicalize().unwrap().display()))
        .output()
        .expect("run chromium");
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, h), (1280, 2000));
    assert!(
        bytes.len() > 50_000,
        "screenshot suspiciously small ({} bytes)",
        bytes.len()
    );
}

/// `--standard china-2010-census`: the both-sexes standardised detection rate equals
/// Σ w_b r_b ÷ Σ w_b computed here from the report's own age-band rows and the
/// shipped census file (weights = male + female persons of the band's single years);
/// crude rates do not depend on the standard; the HTML names the census.
#[test]
fn china_2010_census_standard_by_hand_from_the_age_band_rows() {
    let csv = ok(run(&[
        "report",
        &sample(),
        "--standard",
        "china-2010-census",
        "--format",
        "csv",
        "--no-progress",
    ]));
    let rows = csv_rows(&csv);
    let census = std::fs::read_to_string(repo_file("core/data/std_pop_china_2010_census.csv"))
        .expect("census file");
    let mut by_age = [0.0f64; 101];
    for line in census.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        by_age[c[2].parse::<usize>().unwrap()] += c[4].parse::<f64>().unwrap();
    }
    let bands = [
        ("35-39", 35, 39),
        ("40-44", 40, 44),
        ("45-49", 45, 49),
        ("50-54", 50, 54),
        ("55-59", 55, 59),
        ("60-64", 60, 64),
        ("65-69", 65, 69),
        ("70-75", 70, 75),
    ];
    let (mut sw, mut swr) = (0.0, 0.0);
    for (label, lo, hi) in bands {
        let m = &rows[&format!("age_band||||{label}|IND-MPP-4|")];
        let r = m["numerator"].parse::<f64>().unwrap() / m["denominator"].parse::<f64>().unwrap();
        let w: f64 = by_age[lo..=hi].iter().sum();
        sw += w;
        swr += w * r;
    }
    let got = &rows["standardised_overall|||both|35-39…70-75|IND-POP-4|detection_rate"];
    let v: f64 = got["value"].parse().unwrap();
    assert!(
        (v - 100.0 * swr / sw).abs() < 1e-9,
        "{v} vs {}",
        100.0 * swr / sw
    );
    assert!(got["note"].contains("china-2010-census"));
    // The crude rate over the same bands is the standard-independent 527 / 1851.
    let who = csv_rows(&ok(run(&[
        "report",
        &sample(),
        "--format",
        "csv",
        "--no-progress",
    ])));
    let crude = |rs: &HashMap<String, HashMap<String, String>>| {
        let m = &rs["standardised_overall|||both|35-39…70-75|IND-POP-4|detection_rate:crude"];
        (m["numerator"].clone(), m["denominator"].clone())
    };
    assert_eq!(crude(&rows), crude(&who));
    let html = ok(run(&[
        "report",
        &sample(),
        "--standard",
        "china-2010-census",
        "--no-progress",
    ]));
    assert!(html.contains("2010 population census of China"));
    let bad = run(&["report", &sample(), "--standard", "segi"]);
    assert_eq!(bad.status.code(), Some(2));
}
