//! End-to-end tests of `cvdscreen report --visits` on a small hand-computed fixture.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

const HEAD: &str = "id,site_id,screen_date,sex,age,sbp_1,dbp_1,sbp_2,dbp_2,height_cm,weight_kg,tc_mmol,hdl_mmol,ldl_mmol,tg_mmol,current_smoker,diabetes,history_mi,history_pci,history_cabg,history_ischaemic_stroke,history_haemorrhagic_stroke,hr_exam_date,intervention_date\n";

/// A1, A2 (S1) and A3 (S2) are high risk (SBP ≥ 160, MPP2014-HR-5) with a survey;
/// B1 is not high risk.
fn fixture(dir: &Path) -> (String, String) {
    let rec = |id: &str, site: &str, bp: &str, exam: &str, int: &str| {
        format!("{id},{site},2025-01-05,male,60,{bp},{bp},170,70,5.0,1.3,3.0,1.5,0,0,0,0,0,0,0,{exam},{int}\n")
    };
    let screening = format!(
        "{HEAD}{}{}{}{}",
        rec("A1", "S1", "170,100", "2025-01-10", "2025-01-12"),
        rec("A2", "S1", "170,100", "2025-01-10", "2025-01-15"),
        rec("A3", "S2", "170,100", "2025-02-01", ""),
        rec("B1", "S1", "130,80", "2025-01-10", ""),
    );
    // Window of A1/A2: due 2025-04-10, on time 2025-03-10 … 2025-05-10 (FU-5).
    let visits = "id,visit_date,visit_kind,mode,site_id,sbp,dbp,died\n\
                  A1,2025-04-12,short_term,face_to_face,,150,90,\n\
                  A2,2025-05-20,short_term,phone,,,,\n\
                  A3,2025-04-01,short_term,,,,,1\n\
                  Z9,2025-04-15,short_term,面对面,S3,140,85,\n\
                  ,2025-04-16,short_term,phone,S1,,,\n";
    let s = dir.join("screening.csv");
    let v = dir.join("visits.csv");
    std::fs::write(&s, screening).unwrap();
    std::fs::write(&v, visits).unwrap();
    (s.display().to_string(), v.display().to_string())
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cvdscreen-visits-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `table|site|period|id|key` → (numerator, denominator, value).
fn rows(csv_text: &str) -> HashMap<String, (String, String, String)> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                format!("{}|{}|{}|{}|{}", &x[0], &x[1], &x[2], &x[5], &x[6]),
                (x[7].to_string(), x[8].to_string(), x[9].to_string()),
            )
        })
        .collect()
}

#[test]
fn visits_add_the_follow_up_indicators_by_hand() {
    let d = tmp("hand");
    let (s, v) = fixture(&d);
    let out = ok(run(&[
        "report",
        &s,
        "--visits",
        &v,
        "--as-of",
        "2025-06-30",
        "--format",
        "csv",
        "--no-progress",
    ]));
    let r = rows(&out);
    let get = |k: &str| r.get(k).cloned().unwrap_or_else(|| panic!("no row {k}"));
    let t = |n: &str, d: &str, v: &str| (n.to_string(), d.to_string(), v.to_string());
    // IND-MPP-9: A1 and A2 intervened in 2025-01, both seen by as_of.
    assert_eq!(
        get("followup_site|S1|2025-01|IND-MPP-9|"),
        t("2", "2", "100.0000")
    );
    // IND-MPP-15: A1 on time, A2 ten days late; B1 is not high risk (no schedule).
    assert_eq!(
        get("followup_site|S1|2025-04|IND-MPP-15|"),
        t("1", "2", "50.0000")
    );
    assert_eq!(
        get("followup_site|S1|2025-04|IND-MPP-10|short_term"),
        t("2", "2", "100.0000")
    );
    // A3 died before the due date: neither booked nor due.
    assert!(!r.keys().any(|k| k.starts_with("followup_site|S2|")));
    // IND-MPP-11: visits, grouped by the screening site, else the row's (Z9 → S3).
    assert_eq!(
        get("followup_site|S1|2025-04|IND-MPP-11|"),
        t("1", "1", "100.0000")
    );
    assert_eq!(
        get("followup_site|S1|2025-05|IND-MPP-11|"),
        t("0", "1", "0.0000")
    );
    assert_eq!(
        get("followup_site|S3|2025-04|IND-MPP-11|"),
        t("1", "1", "100.0000")
    );
    assert_eq!(
        get("followup_overall||2025-04|IND-MPP-11|"),
        t("2", "2", "100.0000")
    );
    assert_eq!(
        get("followup_site|S1|2025-05|IND-MPP-12|fu_bp"),
        t("0", "1", "0.0000")
    );

    // The same report without --visits has exactly the screening rows.
    let plain = ok(run(&[
        "report",
        &s,
        "--as-of",
        "2025-06-30",
        "--format",
        "csv",
        "--no-progress",
    ]));
    let with: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with("followup_"))
        .collect();
    assert_eq!(with, plain.lines().collect::<Vec<_>>());

    // JSON: the visit rows with findings per site, ids filled in (Z9's DQ-VIS-5 comes
    // from the person-level pass, which keeps fingerprints only).
    let json: serde_json::Value = serde_json::from_str(&ok(run(&[
        "report",
        &s,
        "--visits",
        &v,
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
        "--no-progress",
    ])))
    .unwrap();
    let sites = &json["visits"]["sites"];
    let s1 = &sites["S1"]["listed"][0];
    assert_eq!(s1["line"], 3);
    assert_eq!(s1["id"], "A2");
    let rules: Vec<&str> = s1["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["DQ-VIS-4", "DQ-PRG-5"]);
    assert_eq!(sites["S3"]["listed"][0]["id"], "Z9");
    assert_eq!(
        sites["S3"]["listed"][0]["findings"][0]["rule_id"],
        "DQ-VIS-5"
    );
    // The row without an id: DQ-VIS-1, grouped by its own site_id.
    assert_eq!(sites["S1"]["listed"][1]["line"], 6);
    assert_eq!(
        sites["S1"]["listed"][1]["findings"][0]["rule_id"],
        "DQ-VIS-1"
    );
    assert_eq!(sites["S1"]["rejected"], 1);
    assert_eq!(json["visits"]["rows_read"], 5);
    assert_eq!(json["visits"]["rows_used"], 4);
    let plain_json: serde_json::Value = serde_json::from_str(&ok(run(&[
        "report",
        &s,
        "--as-of",
        "2025-06-30",
        "--format",
        "json",
        "--no-progress",
    ])))
    .unwrap();
    assert!(plain_json.get("visits").is_none());

    // HTML: the follow-up table shows the CSV's numbers; the rectification list the rows.
    let html = ok(run(&[
        "report",
        &s,
        "--visits",
        &v,
        "--as-of",
        "2025-06-30",
        "--no-progress",
    ]));
    assert!(html.contains(
        "data-ref=\"followup_site|S1|2025-04|||IND-MPP-15|\" data-value=\"50.0000\">50.0 %"
    ));
    assert!(html.contains("Follow-up visit rows to send back for rectification"));
    assert!(html.contains("<td class=\"id\">Z9</td>"));
    assert!(html.contains("<code>DQ-VIS-5</code>"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn visits_give_the_follow_up_quota_tasks_their_done_counts() {
    let d = tmp("quota");
    let (s, v) = fixture(&d);
    let q = d.join("quota.csv");
    std::fs::write(
        &q,
        "site_id,period,quota,task\nS1,2025,4,short_term_fu\nS1,2025,4,long_term_fu\n",
    )
    .unwrap();
    let q = q.display().to_string();
    let args = |visits: bool| {
        let mut a = vec![
            "report",
            &s,
            "--quota",
            &q,
            "--as-of",
            "2025-06-30",
            "--format",
            "csv",
            "--no-progress",
        ];
        if visits {
            a.extend(["--visits", &v]);
        }
        rows(&ok(run(&a)))
    };
    // IND-QUOTA-2: short_term_fu = persons by the date of their first short-term
    // visit (A1 in April, A2 in May; Z9 has no screening record, A3 died unseen).
    let with = args(true);
    assert_eq!(with["quota|S1|2025|IND-QUOTA-3|short_term_fu"].0, "2");
    assert_eq!(with["quota|S1|2025|IND-QUOTA-3|short_term_fu"].2, "50.0000");
    assert_eq!(with["quota|S1|2025|IND-QUOTA-3|long_term_fu"].0, "0");
    // Without visits the follow-up tasks have no done counts.
    let without = args(false);
    assert_eq!(without["quota|S1|2025|IND-QUOTA-3|short_term_fu"].0, "0");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn visit_file_errors_exit_2_naming_the_file() {
    let d = tmp("err");
    let (s, _) = fixture(&d);
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "id,visit_kind\nA1,short_term\n").unwrap();
    let o = run(&[
        "report",
        &s,
        "--visits",
        bad.to_str().unwrap(),
        "--no-progress",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("visit_date") && err.contains("bad.csv"),
        "{err}"
    );
    let o = run(&[
        "report",
        &s,
        "--visits",
        d.join("nope.csv").to_str().unwrap(),
        "--no-progress",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn sample_visits_are_reproducible_and_the_sample_report_runs() {
    let d = tmp("sample");
    let s = d.join("s.csv");
    let v = d.join("v.csv");
    ok(run(&[
        "generate",
        "--rows",
        "2000",
        "--seed",
        "20240501",
        "-o",
        s.to_str().unwrap(),
        "--visits-out",
        v.to_str().unwrap(),
    ]));
    assert_eq!(
        std::fs::read(&s).unwrap(),
        std::fs::read(repo_file("examples/data/screening_sample.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read(&v).unwrap(),
        std::fs::read(repo_file("examples/data/visits_sample.csv")).unwrap()
    );
    let out = ok(run(&[
        "report",
        repo_file("examples/data/screening_sample.csv")
            .to_str()
            .unwrap(),
        "--visits",
        repo_file("examples/data/visits_sample.csv")
            .to_str()
            .unwrap(),
        "--format",
        "csv",
        "--no-progress",
    ]));
    let r = rows(&out);
    assert!(r
        .keys()
        .any(|k| k.starts_with("followup_overall||2025|IND-MPP-16|")));
    let _ = std::fs::remove_dir_all(&d);
}
