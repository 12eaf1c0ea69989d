//! Property tests of the screening pipeline: no input panics, more risk never lowers
//! the high-risk status, and a batch returns one result per input.

use cvdscreen::assess::{assess, assess_batch, Screener};
use cvdscreen::criteria::mpp2014::HighRiskStatus;
use cvdscreen::exchange::{Col, Header};
use cvdscreen::output;
use cvdscreen::profile::Profile;
use cvdscreen::record::{Reading, ScreeningRecord, Sex};
use cvdscreen::units::{Cm, Kg, MgDl, MmHg, MmolL, Years};
use cvdscreen::value::Obs;
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        -1e6..1e6f64,
        0.0..400.0f64,
    ]
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{1,3}(\\.[0-9]{1,2})?",
        "[<>][0-9]{1,3}",
        Just("NaN".to_string()),
        Just("男".to_string()),
        Just("是".to_string()),
        "\\PC{0,12}",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_cells_never_panic(cells in proptest::collection::vec(cell(), 0..(Col::ALL.len() + 3))) {
        let names: Vec<&str> = Col::ALL.iter().map(|c| c.name()).collect();
        let header = Header::new(&names);
        let a = Screener::new(Profile::default()).screen_cells(&header, &cells);
        let out = output::cells(&a);
        prop_assert_eq!(out.len(), output::OUTPUT_COLUMNS.len());
        if cells.len() != names.len() {
            prop_assert_eq!(a.qc_status().as_str(), "reject");
        }
    }

    #[test]
    fn any_floats_never_panic(v in proptest::collection::vec(any_f64(), 16), b in proptest::collection::vec(proptest::option::of(any::<bool>()), 8)) {
        let rec = ScreeningRecord {
            id: Some("x".into()),
            sex: Some(if b[0] == Some(true) { Sex::Male } else { Sex::Female }),
            age: Some(Years(v[0])),
            readings: [
                Reading { sbp: Some(MmHg(v[1])), dbp: Some(MmHg(v[2])) },
                Reading { sbp: Some(MmHg(v[3])), dbp: Some(MmHg(v[4])) },
                Reading { sbp: Some(MmHg(v[5])), dbp: None },
            ],
            sbp: Some(MmHg(v[6])),
            height_cm: Some(Cm(v[7])),
            weight_kg: Some(Kg(v[8])),
            tc: cvdscreen::record::Dual { mmol: Obs::Known(MmolL::new(v[9])), mgdl: Obs::Known(MgDl::new(v[10])) },
            hdl: cvdscreen::record::Dual { mmol: Obs::Known(MmolL::new(v[11])), mgdl: Obs::Unknown },
            ldl: cvdscreen::record::Dual { mmol: Obs::Unknown, mgdl: Obs::Known(MgDl::new(v[12])) },
            tg: cvdscreen::record::Dual { mmol: Obs::Known(MmolL::new(v[13])), mgdl: Obs::Unknown },
            egfr: Some(v[14]),
            waist_cm: Some(Cm(v[15])),
            current_smoker: b[1],
            diabetes: b[2],
            history_mi: b[3],
            history_pci: b[4],
            history_cabg: b[5],
            history_ischaemic_stroke: b[6],
            history_haemorrhagic_stroke: b[7],
            ..Default::default()
        };
        let a = assess(&rec, &Profile::default());
        let _ = output::cells(&a);
    }

    #[test]
    fn more_risk_never_lowers_status(
        sbp in 90.0..200.0f64, dbp in 50.0..89.0f64, ldl in 1.0..6.0f64, add_sbp in 0.0..60.0f64,
        add_dbp in 0.0..40.0f64, add_ldl in 0.0..3.0f64, age in 35.0..75.0f64, male in any::<bool>(),
        smoker in proptest::option::of(any::<bool>()), history in 0usize..6,
    ) {
        let base = |s: f64, d: f64, l: f64, hist: bool| ScreeningRecord {
            sex: Some(if male { Sex::Male } else { Sex::Female }),
            age: Some(Years(age)),
            sbp: Some(MmHg(s)),
            dbp: Some(MmHg(d.min(s - 1.0))),
            tc: cvdscreen::record::Dual { mmol: Obs::Known(MmolL::new(l + 2.0)), mgdl: Obs::Unknown },
            hdl: cvdscreen::record::Dual { mmol: Obs::Known(MmolL::new(1.2)), mgdl: Obs::Unknown },
            ldl: cvdscreen::record::Dual { mmol: Obs::Known(MmolL::new(l)), mgdl: Obs::Unknown },
            current_smoker: smoker,
            diabetes: Some(false),
            history_mi: Some(hist && history == 1),
            history_pci: Some(hist && history == 2),
            history_cabg: Some(hist && history == 3),
            history_ischaemic_stroke: Some(hist && history == 4),
            history_haemorrhagic_stroke: Some(hist && history == 5),
            ..Default::default()
        };
        let p = Profile::default();
        let before = assess(&base(sbp, dbp, ldl, false), &p).high_risk.status;
        let after = assess(&base((sbp + add_sbp).min(270.0), (dbp + add_dbp).min(150.0), ldl + add_ldl, true), &p).high_risk.status;
        if before == HighRiskStatus::HighRisk {
            prop_assert_eq!(after, HighRiskStatus::HighRisk);
        }
        if after == HighRiskStatus::NotHighRisk {
            prop_assert_eq!(before, HighRiskStatus::NotHighRisk);
        }
    }

    #[test]
    fn batch_returns_one_result_per_input(n in 0usize..40, dup in any::<bool>()) {
        let recs: Vec<ScreeningRecord> = (0..n)
            .map(|i| ScreeningRecord {
                id: Some(if dup && i % 3 == 0 { "same".to_string() } else { format!("P{i}") }),
                age: Some(Years(40.0 + i as f64)),
                ..Default::default()
            })
            .collect();
        let out = assess_batch(&recs, &Profile::default());
        prop_assert_eq!(out.len(), n);
        for (r, a) in recs.iter().zip(&out) {
            prop_assert_eq!(&r.id, &a.id);
        }
    }
}
