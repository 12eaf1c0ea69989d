//! Every columnar model function on arbitrary floats and codes: never panics, and a
//! row is NaN exactly when its status says it failed.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use cvdscreen::models::batch::*;
use cvdscreen::models::prevent2023::{Horizon, Outcome};
use cvdscreen::models::who2019::Calibration;
use cvdscreen::profile::RangePolicy;
use cvdscreen::units::ConcUnit;
use libfuzzer_sys::fuzz_target;

struct Cols {
    f: Vec<Vec<f64>>,
    b: Vec<Vec<u8>>,
}

fn floats(u: &mut Unstructured<'_>, n: usize) -> arbitrary::Result<Vec<f64>> {
    (0..n)
        .map(|_| {
            Ok(if u.ratio(1, 3)? {
                f64::arbitrary(u)?
            } else {
                f64::from(u.int_in_range(0u16..=4000)?) / 10.0
            })
        })
        .collect()
}

fn codes(u: &mut Unstructured<'_>, n: usize) -> arbitrary::Result<Vec<u8>> {
    (0..n)
        .map(|_| Ok(if u.ratio(1, 8)? { u8::arbitrary(u)? } else { u.int_in_range(0u8..=1)? }))
        .collect()
}

fn check(s: Result<BatchSummary, cvdscreen::models::error::ModelError>, out: &[f64], st: &[u8]) {
    if let Ok(s) = s {
        assert_eq!(s.ok + s.flagged + s.failed, out.len());
        for (v, c) in out.iter().zip(st) {
            let failed = *c != RowStatus::Ok as u8 && *c != RowStatus::Flagged as u8;
            assert_eq!(v.is_nan(), failed, "value {v} status {c}");
            if !failed {
                assert!((0.0..=100.0).contains(v), "risk {v} out of 0-100");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(n) = u.int_in_range(0usize..=16) else { return };
    // A length mismatch must be an error, not a panic.
    let m = if u.ratio(1, 16).unwrap_or(false) { n + 1 } else { n };
    let mut c = Cols { f: Vec::new(), b: Vec::new() };
    for _ in 0..8 {
        let Ok(v) = floats(&mut u, n) else { return };
        c.f.push(v);
    }
    for _ in 0..8 {
        let Ok(v) = codes(&mut u, if c.b.is_empty() { m } else { n }) else { return };
        c.b.push(v);
    }
    let unit = |u: &mut Unstructured<'_>| if u.arbitrary::<bool>().unwrap_or(false) { ConcUnit::MgDl } else { ConcUnit::MmolL };
    let (tcu, hdlu) = (unit(&mut u), unit(&mut u));
    let policy = if u.arbitrary::<bool>().unwrap_or(false) { RangePolicy::Flag } else { RangePolicy::Strict };
    let (f, b) = (&c.f, &c.b);
    let mut out = vec![0.0; n];
    let mut st = vec![0u8; n];

    let s = china_par_10y(&ChinaParColumns {
        sex: &b[0], age: &f[0], sbp: &f[1], bp_treated: &b[1], tc: &f[2], tc_unit: tcu,
        hdl: &f[3], hdl_unit: hdlu, waist_cm: &f[4], current_smoker: &b[2], diabetes: &b[3],
        north: &b[4], urban: &b[5], family_history_ascvd: &b[6],
    }, policy, &mut out, &mut st);
    check(s, &out, &st);
    let s = pce(&PceColumns {
        race: &b[7], sex: &b[0], age: &f[0], tc: &f[2], tc_unit: tcu, hdl: &f[3], hdl_unit: hdlu,
        sbp: &f[1], bp_treated: &b[1], current_smoker: &b[2], diabetes: &b[3],
    }, policy, &mut out, &mut st);
    check(s, &out, &st);
    let pc = PreventColumns {
        sex: &b[0], age: &f[0], sbp: &f[1], bp_treated: &b[1], tc: &f[2], tc_unit: tcu,
        hdl: &f[3], hdl_unit: hdlu, statin: &b[4], diabetes: &b[3], current_smoker: &b[2],
        egfr: &f[5], bmi: &f[6],
    };
    for horizon in [Horizon::Years10, Horizon::Years30] {
        for outcome in [Outcome::TotalCvd, Outcome::Ascvd, Outcome::HeartFailure] {
            let s = prevent(&pc, horizon, outcome, policy, &mut out, &mut st);
            check(s, &out, &st);
        }
    }
    let cal = Calibration::default();
    let s = who2019_lab(&WhoLabColumns {
        sex: &b[0], age: &f[0], sbp: &f[1], tc: &f[2], tc_unit: tcu, diabetes: &b[3], current_smoker: &b[2],
    }, cal, policy, &mut out, &mut st);
    check(s, &out, &st);
    let s = who2019_nonlab(&WhoNonLabColumns {
        sex: &b[0], age: &f[0], sbp: &f[1], bmi: &f[6], current_smoker: &b[2],
    }, Calibration::ChinaCountry2017, policy, &mut out, &mut st);
    check(s, &out, &st);
    let s = framingham(&FraminghamColumns {
        sex: &b[0], age: &f[0], tc: &f[2], tc_unit: tcu, hdl: &f[3], hdl_unit: hdlu, sbp: &f[1],
        bp_treated: &b[1], current_smoker: &b[2], diabetes: &b[3],
    }, policy, &mut out, &mut st);
    check(s, &out, &st);
});
