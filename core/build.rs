//! Compiles the WHO/ISH 2007 WPR B chart (`data/who_ish_2007_wpr_b_chart.csv`, the
//! source of truth) into a 768-byte table, one byte per chart cell, so the library
//! (and the 400 KB WebAssembly package) carries 768 B instead of the 29 KB text.
//!
//! Cell index (must match `who_ish2007::index`): diabetes, male, smoker, age band
//! (40/50/60/70), SBP band (120/140/160/180), then column 0 = no-cholesterol chart,
//! 1…5 = TC 4…8 mmol/L of the with-cholesterol chart. Byte 1…5 = `<10%` … `>=40%`,
//! 0 = no cell. A malformed or duplicate row fails the build; `who_ish2007`'s tests
//! compare the table with the CSV parsed at test time.
use std::{env, fs, path::Path};

const CSV: &str = "data/who_ish_2007_wpr_b_chart.csv";
const CATEGORIES: [&str; 5] = ["<10%", "10-<20%", "20-<30%", "30-<40%", ">=40%"];

fn pos<T: PartialEq + std::fmt::Debug>(v: &[T], x: T, line: &str) -> usize {
    v.iter()
        .position(|y| *y == x)
        .unwrap_or_else(|| panic!("{CSV}: {x:?} is not a chart band in `{line}`"))
}

fn main() {
    println!("cargo:rerun-if-changed={CSV}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = fs::read_to_string(CSV).unwrap_or_else(|e| panic!("{CSV}: {e}"));
    let mut table = [0u8; 768];
    for line in text
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 8, "{CSV}: expected 8 fields in `{line}`");
        let n = |s: &str| -> u16 {
            s.parse()
                .unwrap_or_else(|_| panic!("{CSV}: `{s}` is not a number in `{line}`"))
        };
        let bit = |s: &str| -> usize {
            match n(s) {
                0 => 0,
                1 => 1,
                _ => panic!("{CSV}: `{s}` is not 0/1 in `{line}`"),
            }
        };
        let (dm, male, smk) = (bit(f[0]), bit(f[1]), bit(f[2]));
        let a = pos(&[40u16, 50, 60, 70], n(f[3]), line);
        let s = pos(&[120u16, 140, 160, 180], n(f[4]), line);
        let t = match f[7] {
            "no_cholesterol" if n(f[5]) == 0 => 0,
            "with_cholesterol" => pos(&[4u16, 5, 6, 7, 8], n(f[5]), line) + 1,
            _ => panic!("{CSV}: bad chart/TC column in `{line}`"),
        };
        let cat = pos(&CATEGORIES, f[6], line) as u8 + 1;
        let i = ((((dm * 2 + male) * 2 + smk) * 4 + a) * 4 + s) * 6 + t;
        assert_eq!(table[i], 0, "{CSV}: duplicate cell `{line}`");
        table[i] = cat;
    }
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("who_ish_2007_chart.bin");
    fs::write(&out, table).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
