//! End-to-end tests of the `cvdscreen` binary.

use cvdscreen::output::OUTPUT_COLUMNS;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SAMPLE_ROWS: &str = "2000";
const SAMPLE_SEED: &str = "20240501";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cvdscreen"))
}

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn sample() -> PathBuf {
    repo_file("examples/data/screening_sample.csv")
}

fn malformed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/malformed.csv")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run cvdscreen")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Reads a CSV leniently (rows may have any number of fields).
fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(|s| s.trim_start_matches('\u{feff}').to_string())
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn sample_file_rows_ids_header_and_summary() {
    let input = std::fs::read(sample()).unwrap();
    let (in_header, in_rows) = read_csv(&input);
    let o = run(&["screen", sample().to_str().unwrap(), "--no-progress"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (out_header, out_rows) = read_csv(&o.stdout);

    let mut expected = in_header.clone();
    expected.extend(OUTPUT_COLUMNS.iter().map(|s| s.to_string()));
    assert_eq!(out_header, expected);

    assert_eq!(out_rows.len(), in_rows.len());
    assert_eq!(in_rows.len(), 2000);
    let id = column(&in_header, "id");
    for (i, (a, b)) in in_rows.iter().zip(&out_rows).enumerate() {
        assert_eq!(a[id], b[id], "row {i}");
        assert_eq!(b.len(), expected.len(), "row {i} has the wrong width");
        // Input cells repeated unchanged (missing ones empty, surplus dropped).
        for (j, cell) in a.iter().enumerate().take(in_header.len()) {
            assert_eq!(&b[j], cell, "row {i} column {}", in_header[j]);
        }
    }
    let status = column(&out_header, "qc_status");
    let hr = column(&out_header, "high_risk");
    assert!(out_rows
        .iter()
        .all(|r| ["ok", "warn", "reject"].contains(&r[status].as_str())));
    let high = out_rows.iter().filter(|r| r[hr] == "yes").count();
    let share = high as f64 / out_rows.len() as f64;
    assert!((0.18..0.33).contains(&share), "high-risk share {share}");

    let err = stderr(&o);
    for word in [
        "records",
        "rejected",
        "screened",
        "high-risk",
        "indeterminate",
        "detection %",
        "S01",
        "S06",
        "DQ-PARSE-1",
    ] {
        assert!(err.contains(word), "summary lacks {word}:\n{err}");
    }
    let all = err
        .lines()
        .find(|l| l.starts_with("all "))
        .expect("total row");
    assert!(all.split_whitespace().nth(1) == Some("2000"), "{all}");
}

#[test]
fn sample_file_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("regen.csv");
    let o = run(&[
        "generate",
        "--rows",
        SAMPLE_ROWS,
        "--seed",
        SAMPLE_SEED,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let regenerated = std::fs::read(&out).unwrap();
    let shipped = std::fs::read(sample()).unwrap();
    assert!(
        regenerated == shipped,
        "examples/data/screening_sample.csv differs from `generate --rows {SAMPLE_ROWS} --seed {SAMPLE_SEED}`"
    );
    // Another seed gives another file.
    let o = run(&["generate", "--rows", "50", "--seed", "7"]);
    assert_ne!(&o.stdout[..], &shipped[..o.stdout.len().min(shipped.len())]);
}

#[test]
fn malformed_rows_are_kept_in_order_and_rejected() {
    let o = run(&["screen", malformed().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (h, rows) = read_csv(&o.stdout);
    assert_eq!(h[0], "id", "the byte-order mark is not part of the name");
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let expected_ids: Vec<String> = (1..=13).map(|i| format!("M{i:02}")).collect();
    assert_eq!(ids, expected_ids, "one row per record, blank line skipped");
    let width = h.len();
    assert!(rows.iter().all(|r| r.len() == width));
    let status = column(&h, "qc_status");
    let findings = column(&h, "qc_findings");
    let note = column(&h, "note");
    let parse_rejected = ["M02", "M03", "M04", "M05", "M06", "M07", "M10"];
    for r in &rows {
        let has_parse = r[findings].split(';').any(|f| f == "DQ-PARSE-1");
        if parse_rejected.contains(&r[0].as_str()) {
            assert!(has_parse, "{} should carry DQ-PARSE-1: {:?}", r[0], r);
            assert_eq!(r[status], "reject", "{}", r[0]);
        } else {
            assert!(!has_parse, "{} should parse: {:?}", r[0], r);
        }
    }
    let by_id = |id: &str| rows.iter().find(|r| r[0] == id).unwrap();
    // Short row: its cells as far as they exist, the rest empty.
    let m04 = by_id("M04");
    assert_eq!(m04[column(&h, "sbp_1")], "138");
    assert_eq!(m04[column(&h, "dbp_1")], "86");
    assert!(m04[column(&h, "sbp_2")..note + 1]
        .iter()
        .all(String::is_empty));
    assert_eq!(m04[findings], "DQ-PARSE-1");
    // Long row: surplus cells dropped.
    let m05 = by_id("M05");
    assert_eq!(m05[note], "long row");
    assert_eq!(m05[note + 1], "reject");
    // Quoted cells come back unchanged.
    assert_eq!(by_id("M08")[note], "quoted, with a comma");
    assert_eq!(by_id("M12")[note], "multi-line\nnote with \"quotes\"");
    assert_eq!(by_id("M13")[note], "\"only quotes\"");
    assert_eq!(by_id("M11")[column(&h, "age")], " 62 ");
    // Spaces are ignored by the parser: M11 is screened like a clean row.
    assert_ne!(by_id("M11")[status], "reject");
    let hr = column(&h, "high_risk");
    assert_eq!(by_id("M12")[hr], "yes", "SBP 163 mean fires MPP2014-HR-5");
}

#[test]
fn json_lines_one_object_per_row() {
    let o = run(&["screen", malformed().to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let objs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert_eq!(objs.len(), 13);
    for (i, v) in objs.iter().enumerate() {
        assert_eq!(v["id"], format!("M{:02}", i + 1));
        for c in OUTPUT_COLUMNS {
            assert!(v[*c].is_string(), "{c} missing in {v}");
        }
        assert!(v["findings"].is_array());
    }
    let m03 = &objs[2];
    assert_eq!(m03["sex"], "x");
    let f = &m03["findings"][0];
    assert_eq!(f["rule_id"], "DQ-PARSE-1");
    assert_eq!(f["severity"], "reject");
    assert_eq!(f["field"], "sex");
    assert_eq!(f["value"], "x");
    assert!(f["message_en"].as_str().unwrap().contains("sex"));
    assert!(!f["message_zh"].as_str().unwrap().is_empty());
    assert_eq!(objs[0]["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn duplicate_ids_flag_every_copy() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dup.csv");
    std::fs::write(
        &input,
        "id,sex,age\nA,male,50\nB,female,60\nA,male,51\nC,female,44\n c ,female,44\nD,male\n",
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    let o = run(&[
        "screen",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (h, rows) = read_csv(&std::fs::read(&out).unwrap());
    let f = column(&h, "qc_findings");
    let dup: Vec<bool> = rows
        .iter()
        .map(|r| r[f].split(';').any(|x| x == "DQ-PRG-6"))
        .collect();
    // A twice; `C` and ` c ` differ after trimming only by case: not duplicates.
    assert_eq!(dup, [true, false, true, false, false, false]);
    assert!(stderr(&o).contains("DQ-PRG-6"));
}

#[test]
fn input_column_named_like_an_output_column_is_not_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "qc_status,id,extra\nold,A,x\n").unwrap();
    let o = run(&["screen", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (h, rows) = read_csv(&o.stdout);
    assert_eq!(h[..2], ["id".to_string(), "extra".to_string()]);
    assert_eq!(h.iter().filter(|c| *c == "qc_status").count(), 1);
    assert_eq!(rows[0][..2], ["A".to_string(), "x".to_string()]);
    assert_ne!(rows[0][column(&h, "qc_status")], "old");
}

#[test]
fn threads_do_not_change_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.csv");
    let o = run(&[
        "generate",
        "--rows",
        "20000",
        "--seed",
        "3",
        "-o",
        input.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let one = run(&["screen", input.to_str().unwrap(), "--threads", "1"]);
    let three = run(&["screen", input.to_str().unwrap(), "--threads", "3"]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert!(one.stdout == three.stdout, "output differs with 3 threads");
    let (_, rows) = read_csv(&one.stdout);
    assert_eq!(rows.len(), 20000);
    let summary_lines = |o: &Output| -> Vec<String> {
        stderr(o)
            .lines()
            .skip(1) // timing line
            .map(String::from)
            .collect()
    };
    assert_eq!(summary_lines(&one), summary_lines(&three));
}

#[test]
fn missing_file_exits_2_naming_the_path() {
    let o = run(&["screen", "no/such/file.csv"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no/such/file.csv"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn empty_file_and_header_without_id_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let o = run(&["screen", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty.csv"), "{}", stderr(&o));

    let noid = dir.path().join("noid.csv");
    // `ID` and `编号` are aliases of `id` (issue #9); `pid` is not.
    std::fs::write(&noid, "pid,sex,age\nA,male,50\n").unwrap();
    let out = dir.path().join("out.csv");
    let o = run(&[
        "screen",
        noid.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("required column `id` missing"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "no output before the header is accepted");
}

#[test]
fn unwritable_output_fails_without_leaving_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing-dir").join("out.csv");
    let o = run(&[
        "screen",
        malformed().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("out.csv"), "{}", stderr(&o));
    if Path::new("/dev/full").exists() {
        let o = run(&["screen", sample().to_str().unwrap(), "-o", "/dev/full"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn help_documents_json_lines() {
    let o = run(&["screen", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("JSON Lines"), "{text}");
    assert!(text.contains("findings"), "{text}");
}

#[test]
fn risk_columns_are_filled_and_region_selects_the_who_calibration() {
    let s = sample();
    let sample_path = s.to_str().unwrap();
    let default = run(&["screen", sample_path]);
    assert!(default.status.success(), "{}", stderr(&default));
    let (h, rows) = read_csv(&default.stdout);
    for name in [
        "china_par_10y_pct",
        "who2019_lab_pct",
        "who2019_nonlab_pct",
        "pce_10y_pct",
        "prevent_cvd_10y_pct",
        "prevent_ascvd_10y_pct",
        "framingham_cvd_10y_pct",
    ] {
        let c = column(&h, name);
        let filled = rows.iter().filter(|r| !r[c].is_empty()).count();
        assert!(filled > rows.len() / 3, "{name}: only {filled} rows filled");
        // At least four decimals, plain notation (csv-schema.md).
        for r in rows.iter().filter(|r| !r[c].is_empty()) {
            let dec = r[c].split('.').nth(1).map_or(0, str::len);
            assert!(dec >= 4 && !r[c].contains('e'), "{name} = {}", r[c]);
        }
    }
    let country = run(&["screen", sample_path, "--region", "china-country"]);
    assert!(country.status.success());
    let (_, rows2) = read_csv(&country.stdout);
    let c = column(&h, "who2019_lab_pct");
    let differ = rows
        .iter()
        .zip(&rows2)
        .filter(|(a, b)| a[c] != b[c])
        .count();
    assert!(
        differ > 0,
        "--region china-country changed no WHO 2019 value"
    );
    let cp = column(&h, "china_par_10y_pct");
    assert!(rows.iter().zip(&rows2).all(|(a, b)| a[cp] == b[cp]));

    let bad = run(&["screen", sample_path, "--region", "atlantis"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("east-asia"));
}

#[test]
fn explain_prints_one_persons_reasoning_in_both_languages() {
    let s = sample();
    let p = s.to_str().unwrap();
    let screened = run(&["screen", p]);
    let (h, rows) = read_csv(&screened.stdout);
    let (id, hr) = (column(&h, "id"), column(&h, "high_risk"));
    let person = rows
        .iter()
        .find(|r| r[hr] == "yes")
        .expect("a high-risk person");
    let en = run(&["explain", "--id", &person[id], p]);
    assert!(en.status.success(), "{}", stderr(&en));
    let text = String::from_utf8(en.stdout).unwrap();
    for needle in [
        "QC:",
        "High-risk criteria (mpp-2014):",
        "MPP2014-HR-8",
        "Risk models:",
        "Plan:",
        "handbook_lifestyle",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
    assert!(text.contains("fired"));
    let zh = run(&["explain", "--id", &person[id], "--lang", "zh", p]);
    let text = String::from_utf8(zh.stdout).unwrap();
    assert!(
        text.contains("高危标准") && text.contains("干预计划"),
        "{text}"
    );
    let missing = run(&["explain", "--id", "no-such-id", p]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no-such-id"));
}

#[test]
fn readme_explain_output_is_current() {
    // The README shows `cvdscreen explain` for one sample person; keep it true.
    let readme = std::fs::read_to_string(repo_file("README.md")).unwrap();
    let start = readme
        .find("prints (English")
        .expect("explain example in README");
    let block = &readme[start..];
    let open = block.find("```text\n").unwrap() + "```text\n".len();
    let close = block[open..].find("\n```").unwrap();
    let shown = &block[open..open + close];
    let o = bin()
        .current_dir(repo_file(""))
        .args([
            "explain",
            "--id",
            "S04-000003",
            "examples/data/screening_sample.csv",
        ])
        .output()
        .expect("run cvdscreen");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap().trim_end(), shown);
}
