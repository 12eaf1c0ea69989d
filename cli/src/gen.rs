//! `cvdscreen generate`: deterministic synthetic screening records.
//!
//! Every record is invented. The generator uses its own SplitMix64 generator and
//! only exact floating-point operations (+, −, ×, ÷, floor, round; normal deviates
//! as a sum of 12 uniforms), so the same `--rows` and `--seed` give byte-identical
//! files on every platform.

use anyhow::{Context, Result};
use cvdscreen::date::Date;
use cvdscreen::qc::id_number;
use std::io::Write;
use std::path::Path;

/// SplitMix64 (Steele, Lea & Flood 2014).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5EED_C0DE_CAFE_F00D)
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform integer in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }
    /// Approximately standard normal (Irwin–Hall, 12 uniforms): exact arithmetic only.
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }
    fn gauss(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.normal()
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.int(0, items.len() as i64 - 1) as usize]
    }
}

/// Day number (days since 1970-01-01) of a civil date, via the core's calendar.
fn day_number(y: i64, m: i64, d: i64) -> i64 {
    Date::new(y as i32, m as u8, d as u8).map_or(0, Date::to_days)
}

fn iso(day: i64) -> String {
    Date::from_days(day).to_string()
}

/// Completed years between two day numbers (UNIT-10, as the core computes it).
fn completed_years(birth: i64, at: i64) -> i64 {
    i64::from(Date::from_days(birth).completed_years_until(Date::from_days(at)))
}

struct Site {
    id: &'static str,
    /// Administrative division code (first 6 characters of an identity number).
    region: &'static str,
    north: bool,
    urban: bool,
    /// Lipids reported in mmol/L instead of mg/dL.
    mmol: bool,
    /// First screening day and number of days of the campaign.
    start: (i64, i64, i64),
    days: i64,
    /// Relative share of the records.
    weight: f64,
}

const SITES: &[Site] = &[
    Site {
        id: "S01",
        region: "110101",
        north: true,
        urban: true,
        mmol: false,
        start: (2024, 3, 4),
        days: 180,
        weight: 0.20,
    },
    Site {
        id: "S02",
        region: "130425",
        north: true,
        urban: false,
        mmol: false,
        start: (2024, 5, 6),
        days: 240,
        weight: 0.18,
    },
    Site {
        id: "S03",
        region: "320402",
        north: false,
        urban: true,
        mmol: false,
        start: (2024, 9, 2),
        days: 200,
        weight: 0.17,
    },
    Site {
        id: "S04",
        region: "530124",
        north: false,
        urban: false,
        mmol: false,
        start: (2025, 1, 6),
        days: 210,
        weight: 0.15,
    },
    Site {
        id: "S05",
        region: "620102",
        north: true,
        urban: false,
        mmol: false,
        start: (2025, 3, 3),
        days: 230,
        weight: 0.15,
    },
    Site {
        id: "S06",
        region: "440104",
        north: false,
        urban: true,
        mmol: true,
        start: (2024, 4, 1),
        days: 420,
        weight: 0.15,
    },
];

/// Output columns of the generated file, in order.
const COLUMNS: &[&str] = &[
    "id",
    "site_id",
    "screen_date",
    "sex",
    "age",
    "birth_date",
    "id_number",
    "sbp_1",
    "dbp_1",
    "sbp_2",
    "dbp_2",
    "sbp_3",
    "dbp_3",
    "height_cm",
    "weight_kg",
    "waist_cm",
    "tc_mgdl",
    "hdl_mgdl",
    "ldl_mgdl",
    "tg_mgdl",
    "tc_mmol",
    "hdl_mmol",
    "ldl_mmol",
    "tg_mmol",
    "fbg_mmol",
    "current_smoker",
    "diabetes",
    "bp_treated",
    "lipid_treated",
    "glucose_treated",
    "history_mi",
    "history_pci",
    "history_cabg",
    "history_ischaemic_stroke",
    "history_haemorrhagic_stroke",
    "family_history_ascvd",
    "north",
    "urban",
    "egfr",
    "hr_exam_date",
    "hr_questionnaire_done",
    "hr_checklist_done",
    "ecg_done",
    "carotid_us_done",
    "echo_done",
    "blood_sample_done",
    "urine_sample_done",
    "intervention_date",
    "note",
];

fn col(name: &str) -> usize {
    COLUMNS
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| unreachable!("generator column `{name}` is listed in COLUMNS"))
}

/// The deliberate data-quality problems, each injected into about 0.45 % of rows.
#[derive(Copy, Clone, Debug)]
enum Flaw {
    SbpOutOfRange,
    HeightOutOfRange,
    WeightOutOfRange,
    DbpNotBelowSbp,
    HdlNotBelowTc,
    LdlAboveTc,
    ReadingsApartNoThird,
    LdlWithHighTg,
    UnitsDisagree,
    AgeOutsideEligibility,
    AgeBirthDateMismatch,
    MissingMandatory,
    DuplicateId,
    Unparseable,
    WrongFieldCount,
    BadIdNumberCheck,
}

const FLAWS: &[Flaw] = &[
    Flaw::SbpOutOfRange,
    Flaw::HeightOutOfRange,
    Flaw::WeightOutOfRange,
    Flaw::DbpNotBelowSbp,
    Flaw::HdlNotBelowTc,
    Flaw::LdlAboveTc,
    Flaw::ReadingsApartNoThird,
    Flaw::LdlWithHighTg,
    Flaw::UnitsDisagree,
    Flaw::AgeOutsideEligibility,
    Flaw::AgeBirthDateMismatch,
    Flaw::MissingMandatory,
    Flaw::DuplicateId,
    Flaw::Unparseable,
    Flaw::WrongFieldCount,
    Flaw::BadIdNumberCheck,
];

/// Share of rows that carry one deliberate flaw.
const FLAW_RATE: f64 = 0.07;

/// CardioChek PA measuring ranges, mg/dL (domain.md DQ-DEV-1).
const TC_RANGE: (f64, f64) = (100.0, 400.0);
const HDL_RANGE: (f64, f64) = (15.0, 100.0);
const TG_RANGE: (f64, f64) = (50.0, 500.0);
/// mg/dL per mmol/L (UNIT-1a, UNIT-2).
const CHOL_FACTOR: f64 = 38.67;
const TG_FACTOR: f64 = 88.57;

fn fmt0(v: f64) -> String {
    format!("{}", v.round() as i64)
}
fn fmt1(v: f64) -> String {
    format!("{:.1}", (v * 10.0).round() / 10.0)
}
fn fmt2(v: f64) -> String {
    format!("{:.2}", (v * 100.0).round() / 100.0)
}
fn flag(b: bool) -> String {
    if b { "1" } else { "0" }.to_string()
}

/// A lipid value as the device would show it: a number, or censored outside its range.
fn device_mgdl(v: f64, range: (f64, f64)) -> (String, bool) {
    if v < range.0 {
        (format!("<{}", range.0), true)
    } else if v > range.1 {
        (format!(">{}", range.1), true)
    } else {
        (fmt0(v), false)
    }
}

fn device_mmol(v_mgdl: f64, range: (f64, f64), factor: f64) -> (String, bool) {
    if v_mgdl < range.0 {
        (format!("<{}", fmt2(range.0 / factor)), true)
    } else if v_mgdl > range.1 {
        (format!(">{}", fmt2(range.1 / factor)), true)
    } else {
        (fmt2(v_mgdl / factor), false)
    }
}

struct Generator {
    rng: Rng,
    seq: Vec<u64>,
    site_start: Vec<i64>,
}

impl Generator {
    fn new(seed: u64) -> Self {
        Generator {
            rng: Rng::new(seed),
            seq: vec![0; SITES.len()],
            site_start: SITES
                .iter()
                .map(|s| day_number(s.start.0, s.start.1, s.start.2))
                .collect(),
        }
    }

    fn pick_site(&mut self) -> usize {
        let total: f64 = SITES.iter().map(|s| s.weight).sum();
        let mut r = self.rng.unit() * total;
        for (i, s) in SITES.iter().enumerate() {
            if r < s.weight {
                return i;
            }
            r -= s.weight;
        }
        SITES.len() - 1
    }

    /// One record (an empty cell means not measured), and whether the row must be
    /// written with a wrong number of fields.
    fn record(&mut self) -> (Vec<String>, bool) {
        let si = self.pick_site();
        let rng = &mut self.rng;
        let mut row = vec![String::new(); COLUMNS.len()];
        let site = &SITES[si];
        let flaw = if rng.chance(FLAW_RATE) {
            Some(*rng.pick(FLAWS))
        } else {
            None
        };

        self.seq[si] += 1;
        let seq = self.seq[si];
        let id_seq = match flaw {
            Some(Flaw::DuplicateId) if seq > 1 => rng.int(1, seq as i64 - 1) as u64,
            _ => seq,
        };
        row[col("id")] = format!("{}-{:06}", site.id, id_seq);
        row[col("site_id")] = site.id.to_string();
        let screen_day = self.site_start[si] + rng.int(0, site.days - 1);
        row[col("screen_date")] = iso(screen_day);

        let male = rng.chance(0.45);
        row[col("sex")] = if male { "male" } else { "female" }.to_string();

        // Age: triangular 35–75 peaking at 55; a few outside the eligible range.
        let mut age_years = 35.0 + 40.0 * (rng.unit() + rng.unit()) / 2.0;
        if let Some(Flaw::AgeOutsideEligibility) = flaw {
            age_years = if rng.chance(0.5) {
                28.0 + 6.0 * rng.unit()
            } else {
                76.0 + 8.0 * rng.unit()
            };
        }
        let birth_day = screen_day - (age_years * 365.2425).floor() as i64;
        let age = completed_years(birth_day, screen_day);
        let presentation = rng.unit();
        let (give_age, give_birth) = match flaw {
            Some(Flaw::AgeBirthDateMismatch) => (true, true),
            _ if presentation < 0.6 => (true, false),
            _ if presentation < 0.9 => (false, true),
            _ => (true, true),
        };
        if give_age {
            let shown = match flaw {
                Some(Flaw::AgeBirthDateMismatch) => age + rng.int(2, 5),
                _ => age,
            };
            row[col("age")] = shown.to_string();
        }
        if give_birth {
            row[col("birth_date")] = iso(birth_day);
        }
        if rng.chance(0.4) || matches!(flaw, Some(Flaw::BadIdNumberCheck)) {
            let b = Date::from_days(birth_day);
            let (by, bm, bd) = (b.year(), b.month(), b.day());
            let order = 2 * rng.int(0, 498) + if male { 1 } else { 2 };
            let first17 = format!("{}{by:04}{bm:02}{bd:02}{order:03}", site.region);
            // The digits are generated, so the check character always exists.
            let mut check = id_number::check_char(&first17).unwrap_or('0');
            if let Some(Flaw::BadIdNumberCheck) = flaw {
                check = if check == '0' { '1' } else { '0' };
            }
            row[col("id_number")] = format!("{first17}{check}");
        }

        // Blood pressure: usual SBP rises with age, higher in men, right-skewed.
        let a = age_years.clamp(30.0, 85.0);
        let skew = rng.unit();
        let usual_sbp = 114.0
            + 0.85 * (a - 35.0)
            + if male { 4.0 } else { 0.0 }
            + 18.0 * rng.normal()
            + if skew > 0.9 { 12.0 * rng.unit() } else { 0.0 };
        let usual_dbp = 26.0 + 0.40 * usual_sbp - 0.12 * (a - 55.0)
            + if male { 3.0 } else { 0.0 }
            + 7.0 * rng.normal();
        let usual_dbp = usual_dbp.min(usual_sbp - 25.0);
        let mut reading = |first: bool| {
            let s = usual_sbp + if first { 3.0 } else { 0.0 } + 5.0 * rng.normal();
            let d = usual_dbp + if first { 1.0 } else { 0.0 } + 3.0 * rng.normal();
            (s.round(), d.round())
        };
        let r1 = reading(true);
        let mut r2 = reading(false);
        let r3 = reading(false);
        if let Some(Flaw::ReadingsApartNoThird) = flaw {
            r2.0 = r1.0 + 12.0 + (rng.int(0, 12) as f64);
        }
        let needs_third = (r1.0 - r2.0).abs() > 10.0;
        row[col("sbp_1")] = fmt0(r1.0);
        row[col("dbp_1")] = fmt0(r1.1);
        row[col("sbp_2")] = fmt0(r2.0);
        row[col("dbp_2")] = fmt0(r2.1);
        if needs_third && !matches!(flaw, Some(Flaw::ReadingsApartNoThird)) {
            row[col("sbp_3")] = fmt0(r3.0);
            row[col("dbp_3")] = fmt0(r3.1);
        }
        let hypertensive = usual_sbp >= 140.0 || usual_dbp >= 90.0;
        let bp_treated = rng.chance(if hypertensive { 0.38 } else { 0.04 });

        // Anthropometry.
        let height = if male {
            rng.gauss(167.5, 6.3)
        } else {
            rng.gauss(156.5, 5.8)
        } - 0.06 * (a - 35.0);
        let bmi = rng.gauss(if male { 24.4 } else { 24.1 }, 3.3).max(15.5);
        let weight = bmi * (height / 100.0) * (height / 100.0);
        let waist = 22.0 + 2.45 * bmi + if male { 4.0 } else { 0.0 } + 4.5 * rng.normal();
        row[col("height_cm")] = fmt1(height);
        row[col("weight_kg")] = fmt1(weight);
        row[col("waist_cm")] = fmt1(waist);

        // Lipids (mg/dL), CardioChek PA style: LDL calculated, absent when TG ≥ 400
        // or any of TC, HDL, TG is out of the measuring range.
        let tc = rng.gauss(178.0 + 0.4 * (a - 35.0), 34.0);
        let hdl = if male {
            rng.gauss(46.0, 11.5)
        } else {
            rng.gauss(54.0, 12.5)
        };
        let tg = if rng.chance(0.02) {
            rng.gauss(520.0, 110.0).max(401.0)
        } else {
            let root = rng.gauss(11.2, 2.6).max(4.0);
            root * root
        };
        let (mut tc_s, tc_c) = if site.mmol {
            device_mmol(tc, TC_RANGE, CHOL_FACTOR)
        } else {
            device_mgdl(tc, TC_RANGE)
        };
        let (mut hdl_s, hdl_c) = if site.mmol {
            device_mmol(hdl, HDL_RANGE, CHOL_FACTOR)
        } else {
            device_mgdl(hdl, HDL_RANGE)
        };
        let (mut tg_s, tg_c) = if site.mmol {
            device_mmol(tg, TG_RANGE, TG_FACTOR)
        } else {
            device_mgdl(tg, TG_RANGE)
        };
        let ldl = tc - hdl - tg / 5.0;
        let mut ldl_s = if tc_c || hdl_c || tg_c || tg >= 400.0 || ldl < 10.0 {
            String::new()
        } else if site.mmol {
            fmt2(ldl / CHOL_FACTOR)
        } else {
            fmt0(ldl)
        };
        let mut second_unit: Option<(&str, String)> = None;
        match flaw {
            Some(Flaw::HdlNotBelowTc) => std::mem::swap(&mut tc_s, &mut hdl_s),
            Some(Flaw::LdlAboveTc) => {
                let v = tc.clamp(120.0, 380.0);
                tc_s = if site.mmol {
                    fmt2(v / CHOL_FACTOR)
                } else {
                    fmt0(v)
                };
                let l = v + 15.0 + (rng.int(0, 30) as f64);
                ldl_s = if site.mmol {
                    fmt2(l / CHOL_FACTOR)
                } else {
                    fmt0(l)
                };
            }
            Some(Flaw::LdlWithHighTg) => {
                let t = 400.0 + (rng.int(5, 90) as f64);
                tg_s = if site.mmol {
                    fmt2(t / TG_FACTOR)
                } else {
                    fmt0(t)
                };
                let l = 100.0 + (rng.int(0, 60) as f64);
                ldl_s = if site.mmol {
                    fmt2(l / CHOL_FACTOR)
                } else {
                    fmt0(l)
                };
            }
            Some(Flaw::UnitsDisagree) => {
                // TC typed in both units, the second 8–20 % off.
                let v = tc.clamp(120.0, 380.0);
                let off = 1.08 + 0.12 * rng.unit();
                tc_s = if site.mmol {
                    fmt2(v / CHOL_FACTOR)
                } else {
                    fmt0(v)
                };
                let other = if site.mmol {
                    ("tc_mgdl", fmt0(v * off))
                } else {
                    ("tc_mmol", fmt2(v * off / CHOL_FACTOR))
                };
                second_unit = Some(other);
            }
            _ => {}
        }
        let unit = |base: &str| {
            if site.mmol {
                format!("{base}_mmol")
            } else {
                format!("{base}_mgdl")
            }
        };
        row[col(&unit("tc"))] = tc_s;
        row[col(&unit("hdl"))] = hdl_s;
        row[col(&unit("ldl"))] = ldl_s;
        row[col(&unit("tg"))] = tg_s;
        if let Some((name, v)) = second_unit {
            row[col(name)] = v;
        }

        // Risk factors and history.
        let diabetes = rng.chance(0.035 + 0.0028 * (a - 35.0));
        let fbg = if diabetes {
            rng.gauss(8.6, 2.4).max(4.5)
        } else {
            rng.gauss(5.4, 0.65).max(3.6)
        };
        row[col("fbg_mmol")] = fmt1(fbg);
        let smoker = rng.chance(if male { 0.50 } else { 0.025 });
        row[col("current_smoker")] = flag(smoker);
        row[col("diabetes")] = flag(diabetes);
        row[col("bp_treated")] = flag(bp_treated);
        row[col("lipid_treated")] = flag(rng.chance(0.045));
        row[col("glucose_treated")] = flag(diabetes && rng.chance(0.6));
        let old = (a - 35.0) / 40.0;
        let mi = rng.chance(0.004 + 0.012 * old + if male { 0.004 } else { 0.0 });
        let pci = if mi {
            rng.chance(0.45)
        } else {
            rng.chance(0.002)
        };
        let cabg = if mi {
            rng.chance(0.08)
        } else {
            rng.chance(0.0005)
        };
        let isch = rng.chance(0.006 + 0.03 * old);
        let haem = rng.chance(0.001 + 0.006 * old);
        row[col("history_mi")] = flag(mi);
        row[col("history_pci")] = flag(pci);
        row[col("history_cabg")] = flag(cabg);
        row[col("history_ischaemic_stroke")] = flag(isch);
        row[col("history_haemorrhagic_stroke")] = flag(haem);
        row[col("family_history_ascvd")] = flag(rng.chance(0.11));
        row[col("north")] = flag(site.north);
        row[col("urban")] = flag(site.urban);
        // eGFR (mL/min/1.73 m²) is recorded at some sites' screening only: about 60 %
        // of rows, falling with age (≈ 1 per year after 40).
        if rng.chance(0.6) {
            let egfr = rng
                .gauss(105.0 - (a - 40.0).max(0.0), 14.0)
                .clamp(20.0, 140.0);
            row[col("egfr")] = fmt0(egfr);
        }
        // High-risk survey at the technical-support hospital (HRS-8) for about a third of
        // the rows, 1–6 weeks after screening; each of its seven items is occasionally
        // missing (an incomplete survey, DQ-PRG-4 when the person is high risk).
        if rng.chance(0.33) {
            let exam = screen_day + rng.int(7, 42);
            row[col("hr_exam_date")] = iso(exam);
            for item in [
                "hr_questionnaire_done",
                "hr_checklist_done",
                "ecg_done",
                "carotid_us_done",
                "echo_done",
                "blood_sample_done",
                "urine_sample_done",
            ] {
                row[col(item)] = flag(!rng.chance(0.02));
            }
            if rng.chance(0.85) {
                row[col("intervention_date")] = iso(exam + rng.int(0, 14));
            }
        }
        let note = rng.unit();
        if note < 0.02 {
            row[col("note")] = "re-measured, left arm".to_string();
        } else if note < 0.025 {
            row[col("note")] = "said \"no breakfast\"".to_string();
        }

        // Remaining flaws.
        let mut short_row = false;
        match flaw {
            Some(Flaw::SbpOutOfRange) => row[col("sbp_1")] = "400".into(),
            Some(Flaw::HeightOutOfRange) => row[col("height_cm")] = "30".into(),
            Some(Flaw::WeightOutOfRange) => row[col("weight_kg")] = fmt1(weight / 20.0),
            Some(Flaw::DbpNotBelowSbp) => {
                let s = r2.0;
                row[col("dbp_2")] = fmt0(s + (rng.int(0, 6) as f64));
            }
            Some(Flaw::MissingMandatory) => {
                let which = *rng.pick(&[
                    "sex",
                    "height_cm",
                    "weight_kg",
                    "current_smoker",
                    "diabetes",
                    "history_mi",
                    "screen_date",
                ]);
                row[col(which)].clear();
            }
            Some(Flaw::Unparseable) => {
                let (c, v) = *rng.pick(&[
                    ("sbp_1", "12o"),
                    ("sex", "x"),
                    ("screen_date", "2024/13/01"),
                    ("diabetes", "maybe"),
                    ("weight_kg", "6l.5"),
                    ("hdl_mgdl", "4O"),
                ]);
                row[col(c)] = v.to_string();
            }
            Some(Flaw::WrongFieldCount) => short_row = true,
            _ => {}
        }
        (row, short_row)
    }
}

/// The columns of the generated visit file (csv-schema.md, follow-up visit records).
const VISIT_COLUMNS: [&str; 13] = [
    "id",
    "visit_date",
    "visit_kind",
    "mode",
    "site_id",
    "sbp_1",
    "dbp_1",
    "sbp_2",
    "dbp_2",
    "weight_kg",
    "ecg_done",
    "died",
    "withdrawn",
];

/// A surveyed person, as the visit generator needs it: id, site, examination day.
struct Surveyed {
    id: String,
    site: String,
    exam: i64,
}

fn visit_row(id: &str, day: i64, kind: &str, site: &str) -> Vec<String> {
    let mut r = vec![String::new(); VISIT_COLUMNS.len()];
    r[0] = id.to_string();
    r[1] = iso(day);
    r[2] = kind.to_string();
    r[4] = site.to_string();
    r
}

/// Fills a done visit: mode, blood pressure, weight, ECG.
fn done_visit(rng: &mut Rng, r: &mut [String], long_term: bool) {
    let m = rng.unit();
    r[3] = if m < 0.8 {
        "face_to_face"
    } else if m < 0.97 {
        "phone"
    } else {
        ""
    }
    .to_string();
    if r[3] == "face_to_face" && rng.chance(0.95) {
        let (sbp, dbp) = (rng.gauss(138.0, 14.0), rng.gauss(84.0, 9.0));
        for i in 0..2 {
            let s = (sbp + rng.gauss(0.0, 3.0)).round();
            let d = (dbp + rng.gauss(0.0, 2.0)).round().min(s - 20.0);
            r[5 + 2 * i] = fmt0(s);
            r[6 + 2 * i] = fmt0(d);
        }
        if rng.chance(0.9) {
            r[9] = fmt1(rng.gauss(66.0, 10.0));
        }
        if rng.chance(if long_term { 0.8 } else { 0.2 }) {
            r[10] = "1".into();
        }
    }
}

/// Follow-up visits of the surveyed persons up to `cutoff` (FU-5, FU-6 timing with
/// realistic scatter, some deaths and withdrawals, and a few flawed rows: duplicate
/// visit (DQ-VIS-2), empty `visit_kind` (DQ-VIS-1), visit before the examination
/// (DQ-PRG-5), visits of ids without a screening record (DQ-VIS-5)). Uses its own
/// generator stream (seed-derived), so the screening file does not change.
fn visits(persons: &[Surveyed], seed: u64, cutoff: i64) -> Vec<Vec<String>> {
    let mut rng = Rng::new(seed ^ 0x0F01_10F0_0F01_10F0);
    let mut out: Vec<Vec<String>> = Vec::new();
    let day = |d: Date| d.to_days();
    for p in persons {
        let exam = Date::from_days(p.exam);
        let end_event = if rng.chance(0.015) {
            Some((p.exam + rng.int(20, 300), 11))
        } else if rng.chance(0.02) {
            Some((p.exam + rng.int(20, 300), 12))
        } else {
            None
        };
        let alive_until = end_event.map_or(i64::MAX, |e| e.0);
        // Short-term visit around exam + 3 months (FU-5).
        let due = day(exam.add_months(3));
        let mut short_done = None;
        if rng.chance(0.88) {
            let d = due + rng.gauss(0.0, 18.0).round() as i64;
            if d < alive_until && d <= cutoff {
                let mut r = visit_row(&p.id, d, "short_term", &p.site);
                done_visit(&mut rng, &mut r, false);
                if rng.chance(0.01) {
                    out.push(r.clone()); // DQ-VIS-2
                }
                if rng.chance(0.005) {
                    r[2].clear(); // DQ-VIS-1
                }
                out.push(r);
                short_done = Some(d);
            }
        }
        // Long-term visit in the following project year (FU-6).
        let earliest = match short_done {
            Some(d) => day(Date::from_days(d).add_months(3)),
            None => day(exam.add_months(6)),
        };
        let next_year = day(Date::new(exam.year() + 1, 1, 1).unwrap_or(exam));
        if rng.chance(0.75) {
            let d = earliest.max(next_year) + rng.int(0, 250);
            if d < alive_until && d <= cutoff {
                let mut r = visit_row(&p.id, d, "long_term", &p.site);
                done_visit(&mut rng, &mut r, true);
                out.push(r);
            }
        }
        if rng.chance(0.005) {
            // A visit typed with a date before the examination (DQ-PRG-5).
            let mut r = visit_row(&p.id, p.exam - rng.int(1, 60), "short_term", &p.site);
            done_visit(&mut rng, &mut r, false);
            out.push(r);
        }
        if let Some((d, which)) = end_event {
            if d <= cutoff {
                let mut r = visit_row(
                    &p.id,
                    d,
                    if short_done.is_some() {
                        "long_term"
                    } else {
                        "short_term"
                    },
                    &p.site,
                );
                r[which] = "1".into();
                out.push(r);
            }
        }
    }
    // Visits of persons without a screening record (DQ-VIS-5).
    for i in 1..=3 {
        if let Some(p) = persons.get(i * 7 % persons.len().max(1)) {
            let d = (p.exam + 100).min(cutoff);
            let mut r = visit_row(&format!("X-{i:05}"), d, "short_term", &p.site);
            done_visit(&mut rng, &mut r, false);
            out.push(r);
        }
    }
    // As exported: by date, then id.
    out.sort_by(|a, b| (&a[1], &a[0]).cmp(&(&b[1], &b[0])));
    out
}

/// Writes the visit file for the generated screening rows.
fn write_visits(path: &Path, persons: &[Surveyed], seed: u64, cutoff: i64) -> Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot create visit file `{}`", path.display()))?;
    let describe = || format!("cannot write `{}`", path.display());
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record(VISIT_COLUMNS).with_context(describe)?;
    for r in visits(persons, seed, cutoff) {
        w.write_record(&r).with_context(describe)?;
    }
    w.flush().with_context(describe)?;
    Ok(())
}

/// Writes `rows` records generated from `seed` to `output` (standard output when
/// `None`) and, when `visits_out` is given, follow-up visit rows for the surveyed
/// persons up to the latest screening date.
pub fn run(rows: u64, seed: u64, output: Option<&Path>, visits_out: Option<&Path>) -> Result<()> {
    let sink: Box<dyn Write> = match output {
        Some(p) => Box::new(
            std::fs::File::create(p)
                .with_context(|| format!("cannot create output file `{}`", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let describe = || match output {
        Some(p) => format!("cannot write `{}`", p.display()),
        None => "cannot write to standard output".to_string(),
    };
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_writer(sink);
    w.write_record(COLUMNS).with_context(describe)?;
    let mut g = Generator::new(seed);
    let mut surveyed: Vec<Surveyed> = Vec::new();
    let mut cutoff = i64::MIN;
    let date = |s: &str| Date::parse_iso(s).ok().map(Date::to_days);
    for _ in 0..rows {
        let (row, short) = g.record();
        if visits_out.is_some() && !short {
            if let Some(d) = date(&row[col("screen_date")]) {
                cutoff = cutoff.max(d);
            }
            if let (Some(exam), false) =
                (date(&row[col("hr_exam_date")]), row[col("id")].is_empty())
            {
                surveyed.push(Surveyed {
                    id: row[col("id")].clone(),
                    site: row[col("site_id")].clone(),
                    exam,
                });
            }
        }
        if short {
            // A row cut short by an export error: the last fields are missing.
            let keep = COLUMNS.len() - 1 - (g.rng.int(2, 8) as usize);
            w.write_record(&row[..keep]).with_context(describe)?;
        } else {
            w.write_record(&row).with_context(describe)?;
        }
    }
    w.flush().with_context(describe)?;
    if let Some(p) = visits_out {
        write_visits(p, &surveyed, seed, cutoff)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_and_completed_years() {
        assert_eq!(day_number(1970, 1, 1), 0);
        assert_eq!(iso(day_number(2024, 2, 29)), "2024-02-29");
        let b = day_number(1960, 6, 15);
        assert_eq!(completed_years(b, day_number(2024, 6, 14)), 63);
        assert_eq!(completed_years(b, day_number(2024, 6, 15)), 64);
    }

    #[test]
    fn rng_is_deterministic_and_uniformish() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut r = Rng::new(1);
        let mean = (0..10_000).map(|_| r.unit()).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        let n: Vec<f64> = (0..10_000).map(|_| r.normal()).collect();
        let m = n.iter().sum::<f64>() / n.len() as f64;
        let var = n.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n.len() as f64;
        assert!(m.abs() < 0.05 && (var - 1.0).abs() < 0.08, "{m} {var}");
    }
}
