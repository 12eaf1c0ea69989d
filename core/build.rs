//! Compiles the data tables of `data/` (the CSV files are the source of truth) into
//! compact constants, so the library — and the 400 KB WebAssembly package — carries no
//! CSV text and no CSV parser for them. A malformed file fails the build; the modules'
//! tests parse the CSV again at test time and compare.
//!
//! - WHO/ISH 2007 WPR B chart → `who_ish_2007_chart.bin`, 768 bytes, one per chart cell.
//!   Cell index (must match `who_ish2007::index`): diabetes, male, smoker, age band
//!   (40/50/60/70), SBP band (120/140/160/180), then column 0 = no-cholesterol chart,
//!   1…5 = TC 4…8 mmol/L of the with-cholesterol chart. Byte 1…5 = `<10%` … `>=40%`,
//!   0 = no cell.
//! - WHO 2019 GBD-2017 recalibration (`who2019_recalibration_gbd2017_{regions,china_country}.csv`)
//!   → `who2019_recalibration.rs`: a `who2019::Tables` expression (regions in file
//!   order, which `who2019` checks against its `Region` order at compile time) and
//!   the region codes in that order.
//! - PREVENT base coefficients (`prevent_2023_base_{10,30}yr_coefficients.csv`) →
//!   `prevent_2023_base.rs`: a `prevent2023::Tables` expression, rows matched by
//!   position as the module documents.
//!
//! Numbers are written with `{:?}`, Rust's shortest round-trip form, so each constant
//! is bit for bit the `f64` that `str::parse` gives for the CSV text.
use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn read(path: &str) -> String {
    println!("cargo:rerun-if-changed={path}");
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn write(name: &str, bytes: &[u8]) {
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join(name);
    fs::write(&out, bytes).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

/// A finite number of a data file, else the build fails naming file and line.
fn num(file: &str, s: &str, line: &str) -> f64 {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => panic!("{file}: `{s}` is not a finite number in `{line}`"),
    }
}

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    who_ish_chart();
    who2019_recalibration();
    prevent_coefficients();
}

const CHART: &str = "data/who_ish_2007_wpr_b_chart.csv";
const CATEGORIES: [&str; 5] = ["<10%", "10-<20%", "20-<30%", "30-<40%", ">=40%"];

fn pos<T: PartialEq + std::fmt::Debug>(v: &[T], x: T, line: &str) -> usize {
    v.iter()
        .position(|y| *y == x)
        .unwrap_or_else(|| panic!("{CHART}: {x:?} is not a chart band in `{line}`"))
}

fn who_ish_chart() {
    let text = read(CHART);
    let mut table = [0u8; 768];
    for line in data_lines(&text).skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 8, "{CHART}: expected 8 fields in `{line}`");
        let n = |s: &str| -> u16 {
            s.parse()
                .unwrap_or_else(|_| panic!("{CHART}: `{s}` is not a number in `{line}`"))
        };
        let bit = |s: &str| -> usize {
            match n(s) {
                0 => 0,
                1 => 1,
                _ => panic!("{CHART}: `{s}` is not 0/1 in `{line}`"),
            }
        };
        let (dm, male, smk) = (bit(f[0]), bit(f[1]), bit(f[2]));
        let a = pos(&[40u16, 50, 60, 70], n(f[3]), line);
        let s = pos(&[120u16, 140, 160, 180], n(f[4]), line);
        let t = match f[7] {
            "no_cholesterol" if n(f[5]) == 0 => 0,
            "with_cholesterol" => pos(&[4u16, 5, 6, 7, 8], n(f[5]), line) + 1,
            _ => panic!("{CHART}: bad chart/TC column in `{line}`"),
        };
        let cat = pos(&CATEGORIES, f[6], line) as u8 + 1;
        let i = ((((dm * 2 + male) * 2 + smk) * 4 + a) * 4 + s) * 6 + t;
        assert_eq!(table[i], 0, "{CHART}: duplicate cell `{line}`");
        table[i] = cat;
    }
    write("who_ish_2007_chart.bin", &table);
}

const WHO_REGIONS: &str = "data/who2019_recalibration_gbd2017_regions.csv";
const WHO_CHINA: &str = "data/who2019_recalibration_gbd2017_china_country.csv";

/// The eight `cons`/`slope` values of one row, in the column order of the files:
/// m1 CHD, m2 CHD, m1 stroke, m2 stroke (each cons, slope).
type WhoRow = [f64; 8];

/// Parses one recalibration file (`prefix` `cal2` or `cal1`): `(ccode, [men, women])`
/// in file order; every code must have exactly one `Men` and one `Women` row.
fn who_file(file: &str, prefix: &str) -> Vec<(String, [WhoRow; 2])> {
    let text = read(file);
    let mut lines = data_lines(&text);
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_else(|| panic!("{file}: empty"))
        .split(',')
        .collect();
    let stems = [
        "m1_cons_ep_chdmi",
        "m1_slope_ep_chdmi",
        "m2_cons_ep_chdmi",
        "m2_slope_ep_chdmi",
        "m1_cons_ep_crbv",
        "m1_slope_ep_crbv",
        "m2_cons_ep_crbv",
        "m2_slope_ep_crbv",
    ];
    let want: Vec<String> = ["ccode", "country", "sex"]
        .iter()
        .map(|s| s.to_string())
        .chain(stems.iter().map(|s| format!("{prefix}_{s}")))
        .collect();
    assert_eq!(header, want, "{file}: unexpected header");
    let mut rows: Vec<(String, [Option<WhoRow>; 2])> = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 11, "{file}: expected 11 fields in `{line}`");
        let sex = match f[2] {
            "Men" => 0,
            "Women" => 1,
            _ => panic!("{file}: sex is not Men/Women in `{line}`"),
        };
        let mut v = [0.0; 8];
        for (slot, s) in v.iter_mut().zip(&f[3..]) {
            *slot = num(file, s, line);
        }
        let i = match rows.iter().position(|(c, _)| c == f[0]) {
            Some(i) => i,
            None => {
                rows.push((f[0].to_string(), [None, None]));
                rows.len() - 1
            }
        };
        assert!(rows[i].1[sex].is_none(), "{file}: duplicate row `{line}`");
        rows[i].1[sex] = Some(v);
    }
    rows.into_iter()
        .map(|(code, [m, w])| {
            let get = |r: Option<WhoRow>| r.unwrap_or_else(|| panic!("{file}: {code} lacks a sex"));
            let (m, w) = (get(m), get(w));
            (code, [m, w])
        })
        .collect()
}

fn sex_calibration(s: &mut String, v: &WhoRow) {
    let recal = |s: &mut String, name: &str, i: usize| {
        let _ = write!(
            s,
            "{name}: Recal {{ cons: {:?}, slope: {:?} }}, ",
            v[i],
            v[i + 1]
        );
    };
    s.push_str("SexCalibration { ");
    recal(s, "lab_chd", 0);
    recal(s, "nonlab_chd", 2);
    recal(s, "lab_stroke", 4);
    recal(s, "nonlab_stroke", 6);
    s.push('}');
}

fn who2019_recalibration() {
    let regions = who_file(WHO_REGIONS, "cal2");
    assert_eq!(regions.len(), 21, "{WHO_REGIONS}: expected 21 regions");
    let china = who_file(WHO_CHINA, "cal1");
    assert!(
        china.len() == 1 && china[0].0 == "CHN",
        "{WHO_CHINA}: expected the two CHN rows only"
    );
    let mut s = String::from(
        "// Generated by core/build.rs from data/who2019_recalibration_gbd2017_*.csv.\n",
    );
    s.push_str("/// GBD codes of the region rows, in file order.\n");
    s.push_str("const GENERATED_REGION_CODES: [&str; 21] = [");
    for (code, _) in &regions {
        let _ = write!(s, "{code:?}, ");
    }
    s.push_str(
        "];\n/// The recalibration tables.\nstatic TABLES: Tables = Tables {\n    regions: [\n",
    );
    for (_, rows) in &regions {
        s.push_str("        [");
        for r in rows {
            sex_calibration(&mut s, r);
            s.push_str(", ");
        }
        s.push_str("],\n");
    }
    s.push_str("    ],\n    china: [");
    for r in &china[0].1 {
        sex_calibration(&mut s, r);
        s.push_str(", ");
    }
    let _ = write!(
        s,
        "],\n    region_rows: {},\n    china_rows: {},\n}};\n",
        2 * regions.len(),
        2 * china.len()
    );
    write("who2019_recalibration.rs", s.as_bytes());
}

const PREVENT_10: &str = "data/prevent_2023_base_10yr_coefficients.csv";
const PREVENT_30: &str = "data/prevent_2023_base_30yr_coefficients.csv";
const OUTCOMES: [&str; 5] = ["total_cvd", "ascvd", "heart_failure", "chd", "stroke"];
const N_TERMS: usize = 24;

/// `[outcome][sex][term]` of one file, sex 0 = female; the 10-year file (23 rows)
/// has no age² row, so its rows 1… go to terms 2….
fn prevent_file(file: &str, n_rows: usize) -> [[[f64; N_TERMS]; 2]; 5] {
    let text = read(file);
    let mut lines = data_lines(&text);
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_else(|| panic!("{file}: empty"))
        .split(',')
        .collect();
    let mut want = vec!["beta_coefficients".to_string()];
    for o in OUTCOMES {
        want.push(format!("female_{o}"));
        want.push(format!("male_{o}"));
    }
    assert_eq!(header, want, "{file}: unexpected header");
    let mut out = [[[0.0; N_TERMS]; 2]; 5];
    let mut n = 0;
    for line in lines {
        // The label may be quoted and contain commas: the ten numbers are on the right.
        let f: Vec<&str> = line.rsplitn(11, ',').collect();
        assert_eq!(f.len(), 11, "{file}: expected 10 numbers in `{line}`");
        assert!(n < n_rows, "{file}: more than {n_rows} rows");
        let term = if n_rows == 23 && n >= 1 { n + 1 } else { n };
        for (col, s) in f[..10].iter().rev().enumerate() {
            out[col / 2][col % 2][term] = num(file, s, line);
        }
        n += 1;
    }
    assert_eq!(n, n_rows, "{file}: expected {n_rows} rows");
    out
}

fn prevent_coefficients() {
    let tables = [prevent_file(PREVENT_10, 23), prevent_file(PREVENT_30, 24)];
    let mut s = String::from(
        "// Generated by core/build.rs from data/prevent_2023_base_{10,30}yr_coefficients.csv.\n",
    );
    s.push_str("/// The coefficient tables.\nstatic TABLES: Tables = Tables {\n    beta: [\n");
    for h in &tables {
        s.push_str("        [\n");
        for o in h {
            s.push_str("            [\n");
            for sex in o {
                s.push_str("                [");
                for v in sex {
                    let _ = write!(s, "{v:?}, ");
                }
                s.push_str("],\n");
            }
            s.push_str("            ],\n");
        }
        s.push_str("        ],\n");
    }
    s.push_str("    ],\n    rows: (23, 24),\n};\n");
    write("prevent_2023_base.rs", s.as_bytes());
}
