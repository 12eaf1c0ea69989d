//! Every row of every public vector file (tests/vectors/README.md), within its stated
//! tolerance, plus the display test where it binds.

use cvdscreen::models::china_par::{self, ChinaParInput, LifetimeLevel, LifetimeRisk};
use cvdscreen::models::framingham2008::{framingham, FraminghamInput};
use cvdscreen::models::pce2013::{pce, PceInput};
use cvdscreen::models::prevent2023::{prevent, Horizon, Outcome, PreventInput};
use cvdscreen::models::round_half_up;
use cvdscreen::models::who2019::{self, Calibration, WhoLabInput, WhoNonLabInput};
use cvdscreen::models::who_ish2007::{self, WhoIshInput};
use cvdscreen::profile::{RangePolicy, SbpBinning};
use cvdscreen::record::{Race, Sex};
use cvdscreen::units::{Conc, ConcUnit};
use cvdscreen_acceptance::vectors_dir;
use std::collections::HashMap;

type Row = HashMap<String, String>;

fn rows(file: &str) -> Vec<Row> {
    let mut r =
        csv::Reader::from_path(vectors_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let headers = r.headers().unwrap().clone();
    let out: Vec<Row> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    assert!(!out.is_empty(), "{file} has no rows");
    out
}

fn f(r: &Row, k: &str) -> f64 {
    r[k].trim()
        .parse()
        .unwrap_or_else(|_| panic!("{}: `{k}` = {:?}", r["case_id"], r[k]))
}

fn b(r: &Row, k: &str) -> bool {
    match r[k].trim() {
        "0" => false,
        "1" => true,
        v => panic!("{}: `{k}` = {v:?}", r["case_id"]),
    }
}

fn sex(r: &Row) -> Sex {
    match r["sex"].trim() {
        "M" | "male" => Sex::Male,
        "F" | "female" => Sex::Female,
        v => panic!("sex {v:?}"),
    }
}

fn unit(s: &str) -> ConcUnit {
    match s.trim() {
        "mmol/L" => ConcUnit::MmolL,
        "mg/dL" => ConcUnit::MgDl,
        v => panic!("unit {v:?}"),
    }
}

/// Decimals `d` with `tol == 0.5 · 10^-d` (the README's "half a unit" rule), if any.
fn half_unit_decimals(tol: f64) -> Option<u32> {
    (0..8u32).find(|d| (tol - 0.5 * 10f64.powi(-(*d as i32))).abs() < 1e-12)
}

/// Tolerance test, and the display test when it binds (README "Common conventions").
/// Tolerance test, and the display test when it binds (README "Common conventions":
/// the tolerance is half a unit of the printed precision — a value printed with more
/// decimals than that, such as the 4-dp COMPUTED rows at 0.0005, is tolerance-only;
/// fewer decimals are dropped trailing zeros, e.g. PREVENT's `0.53`).
fn check(case: &str, computed: f64, expected_text: &str, tol: f64, display_binds: bool) -> usize {
    let expected: f64 = expected_text.trim().parse().unwrap();
    assert!(
        (computed - expected).abs() <= tol + 1e-12,
        "{case}: computed {computed}, expected {expected} ± {tol}"
    );
    let printed = expected_text
        .trim()
        .split_once('.')
        .map_or(0, |(_, d)| d.len() as u32);
    if display_binds {
        if let Some(d) = half_unit_decimals(tol).filter(|d| printed <= *d) {
            assert_eq!(
                round_half_up(computed, d),
                expected,
                "{case}: display at {d} dp of {computed}"
            );
            return 1;
        }
    }
    0
}

#[test]
fn china_par_10y_vectors() {
    let (mut n, mut displays) = (0, 0);
    for r in rows("china_par_10y.csv") {
        let case = r["case_id"].as_str();
        let input = ChinaParInput {
            sex: sex(&r),
            age: f(&r, "age"),
            sbp: f(&r, "sbp_mmhg"),
            bp_treated: b(&r, "bp_treated"),
            tc: Conc::from_unit(f(&r, "tc_value"), unit(&r["tc_unit"])),
            hdl: Conc::from_unit(f(&r, "hdl_value"), unit(&r["hdl_unit"])),
            waist_cm: f(&r, "waist_cm"),
            current_smoker: b(&r, "current_smoker"),
            diabetes: b(&r, "diabetes"),
            north: b(&r, "north"),
            urban: Some(b(&r, "urban")),
            family_history_ascvd: Some(b(&r, "family_history_ascvd")),
        };
        let res = china_par::china_par_10y(&input, RangePolicy::Strict)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let paper = case.starts_with("PAPER-T2-");
        displays += check(
            case,
            res.risk10_pct,
            &r["expected_risk10_pct"],
            f(&r, "tolerance_pp"),
            !paper,
        );
        // reference_impl_risk10_pct is the shipped set at 4 dp.
        assert!(
            (res.risk10_pct - f(&r, "reference_impl_risk10_pct")).abs() <= 0.00005 + 1e-12,
            "{case}: reference {}",
            res.risk10_pct
        );
        if !paper {
            assert_eq!(
                res.risk10_display,
                f(&r, "expected_risk10_display"),
                "{case}: display"
            );
            displays += 1;
        }
        if !r["expected_ideal10_pct"].is_empty() {
            assert_eq!(
                res.ideal10_display,
                f(&r, "expected_ideal10_pct"),
                "{case}: ideal"
            );
        }
        n += 1;
    }
    assert_eq!(n, 29);
    assert!(displays >= 21);
}

#[test]
fn china_par_lifetime_vectors() {
    let mut n = 0;
    for r in rows("china_par_lifetime.csv") {
        let v = f(&r, "expected_lifetime_pct");
        let lt = china_par::lifetime_risk(Some(v)).unwrap();
        let want = if v >= 32.8 {
            LifetimeLevel::High
        } else {
            LifetimeLevel::Low
        };
        assert_eq!(
            lt,
            LifetimeRisk::External {
                pct: v,
                level: want
            },
            "{}",
            r["case_id"]
        );
        assert_eq!(lt.model_id(), Some("china-par-lifetime@external"));
        n += 1;
    }
    assert_eq!(n, 4);
    // A (13.7) low; B, C, A1 high.
    assert_eq!(
        china_par::lifetime_risk(Some(13.7)).unwrap(),
        LifetimeRisk::External {
            pct: 13.7,
            level: LifetimeLevel::Low
        }
    );
    assert_eq!(
        china_par::lifetime_risk(None).unwrap(),
        LifetimeRisk::Unavailable
    );
}

#[test]
fn who2019_vectors() {
    let mut n = 0;
    for r in rows("who2019_east_asia.csv") {
        let case = r["case_id"].as_str();
        let cal = match r["calibration"].as_str() {
            "region(cal2) 2017" => {
                assert_eq!(r["region_or_country"], "East Asia");
                Calibration::Region2017(who2019::Region::EastAsia)
            }
            "country(cal1) 2017" => Calibration::ChinaCountry2017,
            v => panic!("{case}: calibration {v}"),
        };
        let (res, cell) = match r["model"].as_str() {
            "lab" => {
                let i = WhoLabInput {
                    sex: sex(&r),
                    age: f(&r, "age"),
                    sbp: f(&r, "sbp_mmhg"),
                    tc: Conc::mmol(f(&r, "tc_mmol")),
                    diabetes: b(&r, "diabetes"),
                    current_smoker: b(&r, "current_smoker"),
                };
                let cell = case
                    .starts_with("CHART-")
                    .then(|| who2019::chart_cell_lab(&i, cal).unwrap());
                (
                    who2019::who2019_lab(&i, cal, RangePolicy::Strict).unwrap(),
                    cell,
                )
            }
            "nonlab" => {
                let i = WhoNonLabInput {
                    sex: sex(&r),
                    age: f(&r, "age"),
                    sbp: f(&r, "sbp_mmhg"),
                    bmi: f(&r, "bmi"),
                    current_smoker: b(&r, "current_smoker"),
                };
                let cell = case
                    .starts_with("CHART-")
                    .then(|| who2019::chart_cell_nonlab(&i, cal).unwrap());
                (
                    who2019::who2019_nonlab(&i, cal, RangePolicy::Strict).unwrap(),
                    cell,
                )
            }
            v => panic!("{case}: model {v}"),
        };
        let tol = f(&r, "tolerance_pp");
        check(case, res.cvd_pct, &r["expected_cvd_pct"], tol, false);
        check(case, res.chd_pct, &r["expected_chd_pct"], tol, false);
        check(case, res.stroke_pct, &r["expected_stroke_pct"], tol, false);
        if !r["expected_chart_int_pct"].is_empty() {
            let want: u8 = r["expected_chart_int_pct"].parse().unwrap();
            assert_eq!(res.chart_int, want, "{case}: chart_int");
            if let Some(c) = cell {
                assert_eq!(c.result.chart_int, want, "{case}: chart_cell");
            }
        }
        n += 1;
    }
    assert_eq!(n, 33);
}

#[test]
fn who_ish_2007_vectors() {
    let mut n = 0;
    for r in rows("who_ish_2007_wpr_b.csv") {
        let case = r["case_id"].as_str();
        let base = WhoIshInput {
            sex: if b(&r, "male") {
                Sex::Male
            } else {
                Sex::Female
            },
            age: f(&r, "age"),
            sbp: f(&r, "sbp_mmhg"),
            tc_mmol: Some(f(&r, "tc_mmol")),
            diabetes: b(&r, "diabetes"),
            smoker: b(&r, "current_smoker"),
        };
        for (binning, band_col, with_col, without_col) in [
            (
                SbpBinning::Floor,
                "sbp_band_floor",
                "category_with_chol_floor",
                "category_no_chol_floor",
            ),
            (
                SbpBinning::Nearest,
                "sbp_band_nearest",
                "category_with_chol_nearest",
                "category_no_chol_nearest",
            ),
        ] {
            let w = who_ish2007::evaluate(&base, binning);
            assert_eq!(
                w.cell.age_band.to_string(),
                r["age_band"],
                "{case} age band"
            );
            assert_eq!(w.cell.tc_band.to_string(), r["tc_band"], "{case} tc band");
            assert_eq!(
                w.cell.sbp_band.to_string(),
                r[band_col],
                "{case} {band_col}"
            );
            assert_eq!(w.category.as_str(), r[with_col], "{case} {with_col}");
            // The no-cholesterol chart is selected by passing no TC.
            let nc = who_ish2007::evaluate(
                &WhoIshInput {
                    tc_mmol: None,
                    ..base
                },
                binning,
            );
            assert_eq!(
                nc.cell.sbp_band.to_string(),
                r[band_col],
                "{case} {band_col} (no chol)"
            );
            assert_eq!(nc.category.as_str(), r[without_col], "{case} {without_col}");
        }
        n += 1;
    }
    assert_eq!(n, 13);
}

#[test]
fn pce_vectors() {
    let mut n = 0;
    for r in rows("pce_2013.csv") {
        let case = r["case_id"].as_str();
        let race = match r["race"].as_str() {
            "white" => Race::White,
            "aa" => Race::AfricanAmerican,
            v => panic!("{case}: race {v}"),
        };
        let i = PceInput {
            race,
            sex: sex(&r),
            age: f(&r, "age"),
            tc: Conc::mgdl(f(&r, "tc_mgdl")),
            hdl: Conc::mgdl(f(&r, "hdl_mgdl")),
            sbp: f(&r, "sbp_mmhg"),
            bp_treated: b(&r, "bp_treated"),
            current_smoker: b(&r, "current_smoker"),
            diabetes: b(&r, "diabetes"),
        };
        let res = pce(&i, RangePolicy::Strict).unwrap();
        // Display binds except GOFF-TABLEA-* and CERNER-* other than CERNER-white-female.
        let binds = !(case.starts_with("GOFF-TABLEA-")
            || (case.starts_with("CERNER-") && case != "CERNER-white-female"));
        check(
            case,
            res.risk10_pct,
            &r["expected_risk10_pct"],
            f(&r, "tolerance_pp"),
            binds,
        );
        assert!(
            (res.risk10_pct - f(&r, "reference_impl_pct")).abs() <= 0.00005 + 1e-12,
            "{case}: reference {}",
            res.risk10_pct
        );
        n += 1;
    }
    assert_eq!(n, 12);
}

#[test]
fn prevent_vectors() {
    let mut n = 0;
    for r in rows("prevent_2023_base.csv") {
        let case = r["case_id"].as_str();
        let i = PreventInput {
            sex: sex(&r),
            age: f(&r, "age"),
            sbp: f(&r, "sbp_mmhg"),
            bp_treated: b(&r, "bp_treated"),
            tc: Conc::mgdl(f(&r, "tc_mgdl")),
            hdl: Conc::mgdl(f(&r, "hdl_mgdl")),
            statin: b(&r, "statin"),
            diabetes: b(&r, "diabetes"),
            current_smoker: b(&r, "current_smoker"),
            egfr: f(&r, "egfr"),
            bmi: f(&r, "bmi"),
        };
        let h = match r["years"].as_str() {
            "10" => Horizon::Years10,
            "30" => Horizon::Years30,
            v => panic!("{case}: years {v}"),
        };
        let res = prevent(&i, h, RangePolicy::Strict).unwrap();
        for o in Outcome::ALL {
            // Vectors are probabilities; the library returns percent.
            check(
                &format!("{case} {}", o.as_str()),
                res.get(o).pct / 100.0,
                &r[o.as_str()],
                f(&r, "tolerance"),
                true,
            );
        }
        n += 1;
    }
    assert_eq!(n, 4);
}

#[test]
fn framingham_vectors() {
    let mut n = 0;
    for r in rows("framingham_2008_cvd.csv") {
        let case = r["case_id"].as_str();
        let i = FraminghamInput {
            sex: sex(&r),
            age: f(&r, "age"),
            tc: Conc::mgdl(f(&r, "tc_mgdl")),
            hdl: Conc::mgdl(f(&r, "hdl_mgdl")),
            sbp: f(&r, "sbp_mmhg"),
            bp_treated: b(&r, "bp_treated"),
            current_smoker: b(&r, "current_smoker"),
            diabetes: b(&r, "diabetes"),
        };
        let res = framingham(&i, RangePolicy::Strict).unwrap();
        assert_eq!(
            check(
                case,
                res.risk10_pct,
                &r["expected_risk10_pct"],
                f(&r, "tolerance_pp"),
                true
            ),
            1
        );
        assert!((res.risk10_pct - f(&r, "reference_impl_pct")).abs() <= 0.0005 + 1e-12);
        n += 1;
    }
    assert_eq!(n, 1);
}
