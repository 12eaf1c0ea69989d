//! Inputs as they really come (issue #9): GBK CSV with Chinese headers and values,
//! BOM + CRLF, `.xlsx` workbooks, broken rows, undecodable bytes, interrupted and
//! failing writes. The fixtures are generated here, into a temporary directory:
//! GBK bytes with `encoding_rs`, workbooks with `rust_xlsxwriter`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cvdscreen"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run cvdscreen")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(bytes).expect("output is UTF-8");
    assert!(
        !text.contains('\u{fffd}'),
        "no replacement characters: {text}"
    );
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Screens `path` (extra args appended) and returns the parsed CSV output.
fn screen(path: &Path, extra: &[&str]) -> (Vec<String>, Vec<Vec<String>>, String) {
    let mut args = vec!["screen", path.to_str().unwrap(), "--no-progress"];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (h, rows) = read_csv(&o.stdout);
    (h, rows, stderr(&o))
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// The same three persons, in the exchange format (UTF-8, canonical names).
const CANONICAL: &str = "\
id,site_id,screen_date,sex,age,sbp_1,dbp_1,sbp_2,dbp_2,height_cm,weight_kg,waist_cm,tc_mgdl,hdl_mgdl,fbg_mmol,current_smoker,diabetes,备注
A1,北京01,2025-05-10,male,61,150,90,146,88,168,70.5,88,190,45,5.6,1,0,高血压家族史
A2,北京01,2025-05-10,female,55,128,80,126,78,155,58,80,200,55,6.1,0,0,无
A3,上海02,2025-05-11,male,70,182,112,178,108,170,80,95,260,38,7.2,1,1,需转诊
";

/// Chinese header names and values, dates in the forms Excel writes.
const CHINESE: &str = "\
编号,筛查点,筛查日期,性别,年龄(岁),收缩压1,舒张压1,收缩压2,舒张压2,身高,体重,腰围,总胆固醇（mg/dL）,高密度脂蛋白胆固醇(mg/dL),空腹血糖,吸烟,糖尿病,备注
A1,北京01,2025/5/10,男,61,150,90,146,88,168,70.5,88,190,45,5.6,是,否,高血压家族史
A2,北京01,45787,女,55,128,80,126,78,155,58,80,200,55,6.1,否,否,无
A3,上海02,2025年5月11日,男,70,182,112,178,108,170,80,95,260,38,7.2,是,是,需转诊
";

fn output_columns(header: &[String], rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let first = col(header, "qc_status");
    rows.iter().map(|r| r[first..].to_vec()).collect()
}

/// Screens the canonical file: the reference every other form must reproduce.
fn reference(dir: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let p = dir.join("canonical.csv");
    std::fs::write(&p, CANONICAL).unwrap();
    let (h, rows, _) = screen(&p, &[]);
    // The reference itself is meaningful: A3 is high risk (SBP >= 160), the
    // others have risk estimates.
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][col(&h, "high_risk")], "yes");
    assert!(!rows[0][col(&h, "who_ish_2007_band")].is_empty());
    assert_eq!(rows[0][col(&h, "qc_findings")], "DQ-PRG-3");
    (h, rows)
}

fn check_chinese_output(h: &[String], rows: &[Vec<String>]) {
    let ids: Vec<&str> = rows.iter().map(|r| r[col(h, "id")].as_str()).collect();
    assert_eq!(ids, ["A1", "A2", "A3"]);
    // Chinese values survive unchanged; dates are normalised to ISO.
    assert_eq!(rows[0][col(h, "sex")], "男");
    assert_eq!(rows[1][col(h, "sex")], "女");
    assert_eq!(rows[0][col(h, "site_id")], "北京01");
    assert_eq!(rows[2][col(h, "备注")], "需转诊");
    assert_eq!(rows[0][col(h, "current_smoker")], "是");
    let dates: Vec<&str> = rows
        .iter()
        .map(|r| r[col(h, "screen_date")].as_str())
        .collect();
    assert_eq!(dates, ["2025-05-10", "2025-05-10", "2025-05-11"]);
    // Header names mapped to the exchange format.
    assert!(h.iter().any(|n| n == "tc_mgdl") && h.iter().any(|n| n == "age"));
}

#[test]
fn gbk_csv_with_chinese_headers_screens_like_the_exchange_format() {
    let dir = tempfile::tempdir().unwrap();
    let (rh, rrows) = reference(dir.path());
    let crlf = CHINESE.replace('\n', "\r\n");
    let gbk = encoding_rs::GBK.encode(&crlf).0;
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "fixture must not be UTF-8"
    );
    let p = dir.path().join("gbk.csv");
    std::fs::write(&p, &gbk).unwrap();

    let (h, rows, err) = screen(&p, &[]);
    assert!(err.contains("GB18030 CSV (detected)"), "{err}");
    assert!(err.contains("性别 → sex"), "{err}");
    check_chinese_output(&h, &rows);
    assert_eq!(output_columns(&h, &rows), output_columns(&rh, &rrows));

    // Named explicitly: the same result.
    for enc in ["gbk", "gb18030"] {
        let (h2, rows2, _) = screen(&p, &["--encoding", enc]);
        assert_eq!((h2, rows2), (h.clone(), rows.clone()));
    }
    // Declared as UTF-8, the Chinese header cannot be read: one clear error.
    let o = run(&["screen", p.to_str().unwrap(), "--encoding", "utf-8"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--encoding"), "{}", stderr(&o));
}

#[test]
fn utf8_with_bom_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let (rh, rrows) = reference(dir.path());
    let p = dir.path().join("bom-crlf.csv");
    let text = format!("\u{feff}{}", CHINESE.replace('\n', "\r\n"));
    std::fs::write(&p, text).unwrap();
    let (h, rows, err) = screen(&p, &[]);
    assert!(!err.contains("GB18030"), "{err}");
    check_chinese_output(&h, &rows);
    assert_eq!(h[0], "id", "BOM stripped from the first name");
    assert!(rows.iter().all(|r| r.iter().all(|c| !c.contains('\r'))));
    assert_eq!(output_columns(&h, &rows), output_columns(&rh, &rrows));
}

fn write_workbook(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy/m/d");
    let lines: Vec<Vec<&str>> = CHINESE
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .collect();
    let ws = wb.add_worksheet();
    ws.set_name("筛查数据").unwrap();
    for (r, cells) in lines.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r > 0 && c == 2 {
                // Screening dates: real Excel dates, except A2's plain serial.
                match *v {
                    "45787" => ws.write_number(r, c, 45787.0).map(|_| ()),
                    "2025/5/10" => ws
                        .write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(2025, 5, 10).unwrap(),
                            &date,
                        )
                        .map(|_| ()),
                    _ => ws
                        .write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(2025, 5, 11).unwrap(),
                            &date,
                        )
                        .map(|_| ()),
                }
                .unwrap();
            } else if let (true, Ok(n)) = (r > 0, v.parse::<f64>()) {
                ws.write_number(r, c, n).unwrap();
            } else {
                ws.write_string(r, c, *v).unwrap();
            }
        }
    }
    let notes = wb.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "编号").unwrap();
    notes.write_string(1, 0, "N1").unwrap();
    wb.save(path).unwrap();
}

#[test]
fn xlsx_first_sheet_or_named_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let (rh, rrows) = reference(dir.path());
    let p = dir.path().join("screening.xlsx");
    write_workbook(&p);
    let (h, rows, err) = screen(&p, &[]);
    assert!(err.contains("worksheet `筛查数据`"), "{err}");
    check_chinese_output(&h, &rows);
    // Numbers come out as written in the sheet (`61`, `70.5`), not `61.0`.
    assert_eq!(rows[0][col(&h, "age")], "61");
    assert_eq!(rows[0][col(&h, "weight_kg")], "70.5");
    assert_eq!(output_columns(&h, &rows), output_columns(&rh, &rrows));

    let (h, rows, _) = screen(&p, &["--sheet", "说明"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][col(&h, "id")], "N1");

    let o = run(&["screen", p.to_str().unwrap(), "--sheet", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("筛查数据, 说明"), "{}", stderr(&o));
}

#[test]
fn every_kind_of_broken_row_is_kept_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("broken.csv");
    let mut b: Vec<u8> = Vec::new();
    b.extend_from_slice(b"id,sex,age,sbp_1,screen_date,note\n");
    b.extend_from_slice(b"B1,male,50,120,2025-05-10,ok\n");
    b.extend_from_slice(b"B2,male,50\n"); // too few fields
    b.extend_from_slice(b"B3,male,50,120,2025-05-10,x,surplus\n"); // too many
    b.extend_from_slice(b"B4,xx,5o,120,2025-13-01,bad cells\n"); // unparseable cells
    b.extend_from_slice(b"\n\n"); // blank lines: not records
    b.extend_from_slice(b"B5,\"fe,male\",50,120,2025-05-10,\"two\nlines\"\n");
    b.extend_from_slice(b"B6,m\xFFle,50,120,2025-05-10,undecodable\n");
    b.extend_from_slice(b"B7,female,50,120,2025/5/10,\"say \"\"hi\"\"\"\n");
    b.extend_from_slice(b"\"B8,female,50\n"); // unterminated quote to end of file
    std::fs::write(&p, &b).unwrap();

    let (h, rows, err) = screen(&p, &[]);
    let ids: Vec<&str> = rows.iter().map(|r| r[col(&h, "id")].as_str()).collect();
    assert_eq!(
        ids,
        ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8,female,50\n"]
    );
    let qc: Vec<&str> = rows
        .iter()
        .map(|r| r[col(&h, "qc_status")].as_str())
        .collect();
    let findings = |i: usize| rows[i][col(&h, "qc_findings")].clone();
    for i in [1, 2, 3, 4, 5, 7] {
        assert_eq!(qc[i], "reject", "{}", ids[i]);
        assert!(findings(i).contains("DQ-PARSE-1"), "{}", ids[i]);
    }
    assert!(!findings(0).contains("DQ-PARSE-1"));
    assert!(!findings(6).contains("DQ-PARSE-1"));
    // Short rows padded, long rows cut; quoted cells unchanged.
    assert_eq!(rows[1][col(&h, "note")], "");
    assert_eq!(rows[2][col(&h, "note")], "x");
    assert_eq!(rows[4][col(&h, "note")], "two\nlines");
    assert_eq!(rows[6][col(&h, "note")], "say \"hi\"");
    assert_eq!(rows[6][col(&h, "screen_date")], "2025-05-10");
    // The undecodable cell is empty, not U+FFFD (read_csv checks), and named.
    assert_eq!(rows[5][col(&h, "sex")], "");
    assert!(err.contains("1 rows held bytes"), "{err}");

    let o = run(&["screen", p.to_str().unwrap(), "--format", "json"]);
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    let f = &lines[5]["findings"][0];
    assert_eq!(f["rule_id"], "DQ-PARSE-1");
    assert_eq!(f["field"], "sex");
    assert_eq!(f["value"], "m\\xFFle");
    assert!(
        f["message_en"]
            .as_str()
            .unwrap()
            .starts_with("line 10, column `sex`"),
        "{f}"
    );
}

#[test]
fn mask_values_keeps_ids_and_drops_values_from_messages() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.csv");
    std::fs::write(&p, "id,sex,age,sbp_1\nP-77,male,5o,12o\n").unwrap();
    let plain = run(&["screen", p.to_str().unwrap(), "--format", "json"]);
    let plain = String::from_utf8(plain.stdout).unwrap();
    assert!(plain.contains("12o") && plain.contains("5o"));
    let o = run(&[
        "screen",
        p.to_str().unwrap(),
        "--format",
        "json",
        "--mask-values",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["id"], "P-77");
    let findings = v["findings"].as_array().unwrap();
    assert!(findings.len() >= 2);
    for f in findings {
        let text = f.to_string();
        assert!(!text.contains("12o") && !text.contains("5o"), "{text}");
        assert!(f["value"].is_null());
    }
    assert!(findings[0]["message_en"].as_str().unwrap().contains("***"));
}

fn big_input(dir: &Path, rows: &str) -> PathBuf {
    let p = dir.join("big.csv");
    let o = run(&["generate", "--rows", rows, "-o", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    p
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Starts `screen` into `out_dir/out.csv` and waits until its partial file exists.
fn start_screen(input: &Path, out_dir: &Path) -> std::process::Child {
    let out = out_dir.join("out.csv");
    let child = bin()
        .args(["screen", input.to_str().unwrap(), "--no-progress", "-o"])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while !files_in(out_dir).iter().any(|f| f.ends_with(".partial")) {
        assert!(t0.elapsed().as_secs() < 60, "no partial file appeared");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    child
}

#[test]
fn killed_or_interrupted_run_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_input(dir.path(), "60000");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();

    // SIGKILL: no cleanup possible; only the obviously partial temp file remains.
    let mut child = start_screen(&input, &out_dir);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    let left = files_in(&out_dir);
    assert!(!left.contains(&"out.csv".to_string()), "{left:?}");
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with(".out.csv.") && left[0].ends_with(".partial"));
    std::fs::remove_file(out_dir.join(&left[0])).unwrap();

    // SIGTERM (as Ctrl-C's SIGINT): clean stop, nothing left at all.
    for sig in ["-TERM", "-INT"] {
        let mut child = start_screen(&input, &out_dir);
        let k = Command::new("kill")
            .args([sig, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(k.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{sig}");
        assert_eq!(files_in(&out_dir), Vec::<String>::new(), "{sig}");
    }

    // Uninterrupted: the output is complete and nothing else is left.
    let o = run(&[
        "screen",
        input.to_str().unwrap(),
        "-o",
        out_dir.join("out.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(files_in(&out_dir), ["out.csv"]);
    let (_, rows) = read_csv(&std::fs::read(out_dir.join("out.csv")).unwrap());
    assert_eq!(rows.len(), 60000);
}

#[test]
fn disk_full_exits_1_and_keeps_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_input(dir.path(), "5000");
    // /dev/full: a device is written in place (no rename); ENOSPC → exit 1.
    let o = run(&["screen", input.to_str().unwrap(), "-o", "/dev/full"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("/dev/full"), "{}", stderr(&o));

    // A tiny tmpfs, when this process may mount one (root in a container).
    let mnt = dir.path().join("tiny");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mnt)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("note: cannot mount a tmpfs here; checked /dev/full only");
        return;
    }
    let out = mnt.join("out.csv");
    std::fs::write(&out, "previous complete output\n").unwrap();
    let o = run(&[
        "screen",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let listing = files_in(&mnt);
    let previous = std::fs::read_to_string(&out);
    let _ = Command::new("umount").arg(&mnt).status();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("out.csv") && err.contains("No space left"),
        "{err}"
    );
    assert_eq!(listing, ["out.csv"], "temporary file removed");
    assert_eq!(previous.unwrap(), "previous complete output\n");
}
