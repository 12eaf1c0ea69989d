//! Property tests of the risk equations: finite percentages in [0, 100] for in-range
//! inputs, the monotonicity that the equations actually have, and batch == scalar bit
//! for bit.

use cvdscreen::models::batch::{self, RowStatus};
use cvdscreen::models::china_par::{china_par_10y, ChinaParInput};
use cvdscreen::models::framingham2008::{framingham, FraminghamInput};
use cvdscreen::models::pce2013::{pce, PceInput};
use cvdscreen::models::prevent2023::{prevent, Horizon, Outcome, PreventInput};
use cvdscreen::models::who2019::{
    who2019_lab, who2019_nonlab, Calibration, Region, WhoLabInput, WhoNonLabInput,
};
use cvdscreen::profile::RangePolicy;
use cvdscreen::record::{Race, Sex};
use cvdscreen::units::{Conc, ConcUnit};
use proptest::prelude::*;

const S: RangePolicy = RangePolicy::Strict;

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

fn cpar() -> impl Strategy<Value = ChinaParInput> {
    (
        sex(),
        20.0..=85.0f64,
        70.0..=200.0f64,
        any::<[bool; 6]>(),
        80.0..=400.0f64,
        20.0..=130.0f64,
        50.0..=130.0f64,
    )
        .prop_map(|(sex, age, sbp, bits, tc, hdl, waist)| ChinaParInput {
            sex,
            age,
            sbp,
            bp_treated: bits[0],
            tc: Conc::mgdl(tc),
            hdl: Conc::mgdl(hdl),
            waist_cm: waist,
            current_smoker: bits[1],
            diabetes: bits[2],
            north: bits[3],
            urban: Some(bits[4]),
            family_history_ascvd: Some(bits[5]),
        })
}

fn pce_in() -> impl Strategy<Value = PceInput> {
    (
        prop_oneof![
            Just(Race::White),
            Just(Race::AfricanAmerican),
            Just(Race::Other)
        ],
        sex(),
        40.0..=79.0f64,
        130.0..=320.0f64,
        20.0..=100.0f64,
        90.0..=200.0f64,
        any::<[bool; 3]>(),
    )
        .prop_map(|(race, sex, age, tc, hdl, sbp, b)| PceInput {
            race,
            sex,
            age,
            tc: Conc::mgdl(tc),
            hdl: Conc::mgdl(hdl),
            sbp,
            bp_treated: b[0],
            current_smoker: b[1],
            diabetes: b[2],
        })
}

fn prv_in() -> impl Strategy<Value = PreventInput> {
    (
        sex(),
        30.0..=79.0f64,
        90.0..=200.0f64,
        130.0..=320.0f64,
        20.0..=100.0f64,
        15.0..=140.0f64,
        18.5..=39.9f64,
        any::<[bool; 4]>(),
    )
        .prop_map(|(sex, age, sbp, tc, hdl, egfr, bmi, b)| PreventInput {
            sex,
            age,
            sbp,
            bp_treated: b[0],
            tc: Conc::mgdl(tc),
            hdl: Conc::mgdl(hdl),
            statin: b[1],
            diabetes: b[2],
            current_smoker: b[3],
            egfr,
            bmi,
        })
}

fn who_lab() -> impl Strategy<Value = WhoLabInput> {
    (
        sex(),
        40.0..=80.0f64,
        70.0..=270.0f64,
        1.75..=20.0f64,
        any::<[bool; 2]>(),
    )
        .prop_map(|(sex, age, sbp, tc, b)| WhoLabInput {
            sex,
            age,
            sbp,
            tc: Conc::mmol(tc),
            diabetes: b[0],
            current_smoker: b[1],
        })
}

fn who_nonlab() -> impl Strategy<Value = WhoNonLabInput> {
    (
        sex(),
        40.0..=80.0f64,
        70.0..=270.0f64,
        10.0..=80.0f64,
        any::<bool>(),
    )
        .prop_map(|(sex, age, sbp, bmi, smk)| WhoNonLabInput {
            sex,
            age,
            sbp,
            bmi,
            current_smoker: smk,
        })
}

fn frs_in() -> impl Strategy<Value = FraminghamInput> {
    (
        sex(),
        30.0..=74.0f64,
        70.0..=700.0f64,
        20.0..=300.0f64,
        70.0..=270.0f64,
        any::<[bool; 3]>(),
    )
        .prop_map(|(sex, age, tc, hdl, sbp, b)| FraminghamInput {
            sex,
            age,
            tc: Conc::mgdl(tc),
            hdl: Conc::mgdl(hdl),
            sbp,
            bp_treated: b[0],
            current_smoker: b[1],
            diabetes: b[2],
        })
}

fn pct_ok(p: f64) -> bool {
    p.is_finite() && (0.0..=100.0).contains(&p)
}

fn region() -> impl Strategy<Value = Calibration> {
    prop_oneof![
        (0usize..21).prop_map(|i| Calibration::Region2017(Region::ALL[i])),
        Just(Calibration::ChinaCountry2017)
    ]
}

fn u(b: bool) -> u8 {
    u8::from(b)
}
fn s8(s: Sex) -> u8 {
    u8::from(s == Sex::Male)
}

fn same(
    out: &[f64],
    st: &[u8],
    scalar: impl Iterator<Item = Option<(f64, bool)>>,
) -> Result<(), TestCaseError> {
    for ((o, s), want) in out.iter().zip(st).zip(scalar) {
        match want {
            Some((v, flagged)) => {
                prop_assert_eq!(o.to_bits(), v.to_bits());
                prop_assert_eq!(
                    *s,
                    if flagged {
                        RowStatus::Flagged as u8
                    } else {
                        RowStatus::Ok as u8
                    }
                );
            }
            None => prop_assert!(o.is_nan() && *s != 0),
        }
    }
    Ok(())
}

fn col<T, U>(v: &[T], f: impl Fn(&T) -> U) -> Vec<U> {
    v.iter().map(f).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn china_par_bounded_and_monotone(i in cpar(), d in 0.0..10.0f64) {
        let r = china_par_10y(&i, S).unwrap();
        prop_assert!(pct_ok(r.risk10_pct) && pct_ok(r.ideal10_pct));
        // Diabetes and north have positive coefficients for both sexes and no
        // interaction: never lower. Age and (for men) smoking are not asserted: the
        // ln age × ln SBP, ln age × smoking and ln age × family-history terms are
        // negative and can outweigh the main effect.
        let dm = china_par_10y(&ChinaParInput { diabetes: true, ..i }, S).unwrap();
        prop_assert!(dm.risk10_pct >= r.risk10_pct);
        let n = china_par_10y(&ChinaParInput { north: true, ..i }, S).unwrap();
        prop_assert!(n.risk10_pct >= r.risk10_pct);
        // Higher SBP: dX/d ln SBP = b_sbp + b_age_sbp · ln age > 0 for ages ≤ 85 (men
        // 26.148 − 5.731 · ln 85 = 0.69, treated 0.65; women 0.61, treated 0.59).
        let hi = china_par_10y(&ChinaParInput { sbp: (i.sbp + d).min(200.0), ..i }, S).unwrap();
        prop_assert!(hi.risk10_pct >= r.risk10_pct);
    }

    #[test]
    fn pce_bounded_and_dm_monotone(i in pce_in()) {
        let r = pce(&i, S).unwrap();
        prop_assert!(pct_ok(r.risk10_pct));
        // Diabetes has a positive coefficient and no interaction in every equation.
        // Age, SBP (AA women: ln age × ln SBP) and smoking (white: ln age × smoker)
        // have interactions that can reverse the sign, so they are not asserted.
        let dm = pce(&PceInput { diabetes: true, ..i }, S).unwrap();
        prop_assert!(dm.risk10_pct >= r.risk10_pct);
    }

    #[test]
    fn prevent_bounded_and_dm_monotone(i in prv_in()) {
        for h in [Horizon::Years10, Horizon::Years30] {
            let r = prevent(&i, h, S).unwrap();
            for o in Outcome::ALL {
                prop_assert!(pct_ok(r.get(o).pct));
            }
        }
        // Diabetes: β_dm + β_age·dm · age_t stays positive over ages 30–79 (age_t ≤
        // 2.4) for every outcome, e.g. female total CVD 0.8667604 − 0.27057 · 2.4 > 0.
        // Smoking (10 y: 0.5360739 − 0.078715 · age_t) likewise, but the 30-year HF and
        // age × SBP terms are not checked here.
        let r = prevent(&i, Horizon::Years10, S).unwrap();
        let dm = prevent(&PreventInput { diabetes: true, ..i }, Horizon::Years10, S).unwrap();
        prop_assert!(dm.total_cvd.pct >= r.total_cvd.pct && dm.ascvd.pct >= r.ascvd.pct);
    }

    #[test]
    fn who2019_bounded(i in who_lab(), n in who_nonlab(), cal in region()) {
        let r = who2019_lab(&i, cal, S).unwrap();
        prop_assert!(pct_ok(r.cvd_pct) && pct_ok(r.chd_pct) && pct_ok(r.stroke_pct));
        prop_assert!(r.cvd_pct >= r.chd_pct.max(r.stroke_pct) - 1e-9);
        let nr = who2019_nonlab(&n, cal, S).unwrap();
        prop_assert!(pct_ok(nr.cvd_pct));
        // Age × SBP / × smoking / × diabetes interactions are negative, so neither
        // age, SBP nor smoking is monotone over the whole plausible range.
    }

    #[test]
    fn framingham_bounded_and_monotone(i in frs_in(), d in 0.0..20.0f64) {
        let r = framingham(&i, S).unwrap();
        prop_assert!(pct_ok(r.risk10_pct));
        // No interactions, all coefficients on age, SBP, smoking, diabetes positive.
        for j in [
            FraminghamInput { age: (i.age + d).min(74.0), ..i },
            FraminghamInput { sbp: (i.sbp + d).min(270.0), ..i },
            FraminghamInput { current_smoker: true, ..i },
            FraminghamInput { diabetes: true, ..i },
        ] {
            prop_assert!(framingham(&j, S).unwrap().risk10_pct >= r.risk10_pct);
        }
    }

    #[test]
    fn batch_equals_scalar_bit_for_bit(
        cp in prop::collection::vec(cpar(), 1..40),
        pc in prop::collection::vec(pce_in(), 1..40),
        pv in prop::collection::vec(prv_in(), 1..40),
        wl in prop::collection::vec(who_lab(), 1..40),
        wn in prop::collection::vec(who_nonlab(), 1..40),
        fr in prop::collection::vec(frs_in(), 1..40),
        cal in region(),
        policy in prop_oneof![Just(RangePolicy::Strict), Just(RangePolicy::Flag)],
        age_shift in -30.0..30.0f64,
    ) {
        // Shift ages so that some rows fall outside the ranges (errors or flags).
        let cp: Vec<ChinaParInput> = cp.into_iter().map(|i| ChinaParInput { age: i.age + age_shift, ..i }).collect();
        let (mut out, mut st) = (vec![0.0; cp.len()], vec![0u8; cp.len()]);
        batch::china_par_10y(&batch::ChinaParColumns {
            sex: &col(&cp, |i| s8(i.sex)), age: &col(&cp, |i| i.age), sbp: &col(&cp, |i| i.sbp),
            bp_treated: &col(&cp, |i| u(i.bp_treated)),
            tc: &col(&cp, |i| i.tc.raw()), tc_unit: ConcUnit::MgDl, hdl: &col(&cp, |i| i.hdl.raw()), hdl_unit: ConcUnit::MgDl,
            waist_cm: &col(&cp, |i| i.waist_cm), current_smoker: &col(&cp, |i| u(i.current_smoker)), diabetes: &col(&cp, |i| u(i.diabetes)),
            north: &col(&cp, |i| u(i.north)), urban: &col(&cp, |i| u(i.urban == Some(true))), family_history_ascvd: &col(&cp, |i| u(i.family_history_ascvd == Some(true))),
        }, policy, &mut out, &mut st).unwrap();
        same(&out, &st, cp.iter().map(|i| china_par_10y(i, policy).ok().map(|r| (r.risk10_pct, r.flags.any()))))?;

        let pc: Vec<PceInput> = pc.into_iter().map(|i| PceInput { age: i.age + age_shift, ..i }).collect();
        let (mut out, mut st) = (vec![0.0; pc.len()], vec![0u8; pc.len()]);
        batch::pce(&batch::PceColumns {
            race: &col(&pc, |i| match i.race { Race::Other => 0, Race::White => 1, Race::AfricanAmerican => 2 }),
            sex: &col(&pc, |i| s8(i.sex)), age: &col(&pc, |i| i.age),
            tc: &col(&pc, |i| i.tc.raw()), tc_unit: ConcUnit::MgDl, hdl: &col(&pc, |i| i.hdl.raw()), hdl_unit: ConcUnit::MgDl,
            sbp: &col(&pc, |i| i.sbp), bp_treated: &col(&pc, |i| u(i.bp_treated)),
            current_smoker: &col(&pc, |i| u(i.current_smoker)), diabetes: &col(&pc, |i| u(i.diabetes)),
        }, policy, &mut out, &mut st).unwrap();
        same(&out, &st, pc.iter().map(|i| pce(i, policy).ok().map(|r| (r.risk10_pct, r.flags.any()))))?;

        let pv: Vec<PreventInput> = pv.into_iter().map(|i| PreventInput { age: i.age + age_shift, ..i }).collect();
        let pcols = batch::PreventColumns {
            sex: &col(&pv, |i| s8(i.sex)), age: &col(&pv, |i| i.age), sbp: &col(&pv, |i| i.sbp),
            bp_treated: &col(&pv, |i| u(i.bp_treated)),
            tc: &col(&pv, |i| i.tc.raw()), tc_unit: ConcUnit::MgDl, hdl: &col(&pv, |i| i.hdl.raw()), hdl_unit: ConcUnit::MgDl,
            statin: &col(&pv, |i| u(i.statin)), diabetes: &col(&pv, |i| u(i.diabetes)),
            current_smoker: &col(&pv, |i| u(i.current_smoker)), egfr: &col(&pv, |i| i.egfr), bmi: &col(&pv, |i| i.bmi),
        };
        for h in [Horizon::Years10, Horizon::Years30] {
            for o in Outcome::ALL {
                let (mut out, mut st) = (vec![0.0; pv.len()], vec![0u8; pv.len()]);
                batch::prevent(&pcols, h, o, policy, &mut out, &mut st).unwrap();
                same(&out, &st, pv.iter().map(|i| prevent(i, h, policy).ok().map(|r| (r.get(o).pct, r.flags.any()))))?;
            }
        }

        let wl: Vec<WhoLabInput> = wl.into_iter().map(|i| WhoLabInput { age: i.age + age_shift, ..i }).collect();
        let (mut out, mut st) = (vec![0.0; wl.len()], vec![0u8; wl.len()]);
        batch::who2019_lab(&batch::WhoLabColumns {
            sex: &col(&wl, |i| s8(i.sex)), age: &col(&wl, |i| i.age), sbp: &col(&wl, |i| i.sbp),
            tc: &col(&wl, |i| i.tc.raw()), tc_unit: ConcUnit::MmolL,
            diabetes: &col(&wl, |i| u(i.diabetes)), current_smoker: &col(&wl, |i| u(i.current_smoker)),
        }, cal, policy, &mut out, &mut st).unwrap();
        same(&out, &st, wl.iter().map(|i| who2019_lab(i, cal, policy).ok().map(|r| (r.cvd_pct, r.flags.any()))))?;

        let wn: Vec<WhoNonLabInput> = wn.into_iter().map(|i| WhoNonLabInput { age: i.age + age_shift, ..i }).collect();
        let (mut out, mut st) = (vec![0.0; wn.len()], vec![0u8; wn.len()]);
        batch::who2019_nonlab(&batch::WhoNonLabColumns {
            sex: &col(&wn, |i| s8(i.sex)), age: &col(&wn, |i| i.age), sbp: &col(&wn, |i| i.sbp),
            bmi: &col(&wn, |i| i.bmi), current_smoker: &col(&wn, |i| u(i.current_smoker)),
        }, cal, policy, &mut out, &mut st).unwrap();
        same(&out, &st, wn.iter().map(|i| who2019_nonlab(i, cal, policy).ok().map(|r| (r.cvd_pct, r.flags.any()))))?;

        let fr: Vec<FraminghamInput> = fr.into_iter().map(|i| FraminghamInput { age: i.age + age_shift, ..i }).collect();
        let (mut out, mut st) = (vec![0.0; fr.len()], vec![0u8; fr.len()]);
        batch::framingham(&batch::FraminghamColumns {
            sex: &col(&fr, |i| s8(i.sex)), age: &col(&fr, |i| i.age),
            tc: &col(&fr, |i| i.tc.raw()), tc_unit: ConcUnit::MgDl, hdl: &col(&fr, |i| i.hdl.raw()), hdl_unit: ConcUnit::MgDl,
            sbp: &col(&fr, |i| i.sbp), bp_treated: &col(&fr, |i| u(i.bp_treated)),
            current_smoker: &col(&fr, |i| u(i.current_smoker)), diabetes: &col(&fr, |i| u(i.diabetes)),
        }, policy, &mut out, &mut st).unwrap();
        same(&out, &st, fr.iter().map(|i| framingham(i, policy).ok().map(|r| (r.risk10_pct, r.flags.any()))))?;
    }
}
