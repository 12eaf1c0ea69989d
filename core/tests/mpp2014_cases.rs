//! Boundary and unit test cases of `mpp-2014` (spec/domain.md §6.5, T-HR-1…21), each
//! rule's threshold tested on both sides, and the chart vectors of §7.

use cvdscreen::assess::{assess, Screener};
use cvdscreen::criteria::mpp2014::{
    HighRiskStatus, HR_1, HR_2, HR_3, HR_4, HR_5, HR_6, HR_7, HR_8,
};
use cvdscreen::exchange::{parse_pairs, Header};
use cvdscreen::profile::{CanonicalUnit, Profile, SbpBinning};
use cvdscreen::record::BpProtocol;
use cvdscreen::value::Outcome;

/// A person with every input normal and known; chart < 20 %.
const NORMAL: &[(&str, &str)] = &[
    ("id", "N1"),
    ("site_id", "S1"),
    ("screen_date", "2025-05-10"),
    ("sex", "female"),
    ("age", "50"),
    ("sbp_1", "122"),
    ("dbp_1", "78"),
    ("sbp_2", "118"),
    ("dbp_2", "76"),
    ("height_cm", "160"),
    ("weight_kg", "58"),
    ("waist_cm", "78"),
    ("tc_mmol", "4.6"),
    ("hdl_mmol", "1.4"),
    ("ldl_mmol", "2.6"),
    ("tg_mmol", "1.2"),
    ("current_smoker", "0"),
    ("diabetes", "0"),
    ("history_mi", "0"),
    ("history_pci", "0"),
    ("history_cabg", "0"),
    ("history_ischaemic_stroke", "0"),
    ("history_haemorrhagic_stroke", "0"),
];

fn with(over: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = NORMAL
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, val) in over {
        match v.iter_mut().find(|(kk, _)| kk == k) {
            Some(e) => e.1 = val.to_string(),
            None => v.push((k.to_string(), val.to_string())),
        }
    }
    v
}

fn run(over: &[(&str, &str)], profile: &Profile) -> cvdscreen::assess::Assessment {
    let pairs = with(over);
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let cells: Vec<&str> = pairs.iter().map(|(_, v)| v.as_str()).collect();
    Screener::new(profile.clone()).screen_cells(&Header::new(&names), &cells)
}

fn outcome(over: &[(&str, &str)], rule: &str) -> Outcome {
    run(over, &Profile::default())
        .high_risk
        .outcome(rule)
        .unwrap()
}

fn outcome_p(over: &[(&str, &str)], rule: &str, p: &Profile) -> Outcome {
    run(over, p).high_risk.outcome(rule).unwrap()
}

fn unit_profile(u: CanonicalUnit) -> Profile {
    Profile {
        canonical_unit: u,
        ..Profile::default()
    }
}

#[test]
fn normal_person_is_not_high_risk() {
    let a = run(&[], &Profile::default());
    assert_eq!(
        a.high_risk.status,
        HighRiskStatus::NotHighRisk,
        "{:?}",
        a.high_risk
    );
    assert!(a.high_risk.reasons.is_empty());
    assert!(a.high_risk.missing_fields.is_empty());
    assert_eq!(
        a.high_risk.whoish.range.category().map(|c| c.as_str()),
        Some("<10%")
    );
}

#[test]
fn t_hr_1_mean_159_not_fired() {
    assert_eq!(
        outcome(
            &[
                ("sbp_1", "160"),
                ("dbp_1", "90"),
                ("sbp_2", "158"),
                ("dbp_2", "90")
            ],
            HR_5
        ),
        Outcome::NotFired
    );
}

#[test]
fn t_hr_2_mean_159_5_not_fired() {
    assert_eq!(
        outcome(
            &[
                ("sbp_1", "160"),
                ("dbp_1", "90"),
                ("sbp_2", "159"),
                ("dbp_2", "90")
            ],
            HR_5
        ),
        Outcome::NotFired
    );
}

#[test]
fn t_hr_3_sbp_160_fires() {
    assert_eq!(
        outcome(
            &[
                ("sbp_1", "160"),
                ("dbp_1", "99"),
                ("sbp_2", "160"),
                ("dbp_2", "100")
            ],
            HR_5
        ),
        Outcome::Fired
    );
}

#[test]
fn t_hr_4_dbp_100_fires_and_99_9_does_not() {
    assert_eq!(
        outcome(
            &[
                ("sbp_1", "130"),
                ("dbp_1", "100"),
                ("sbp_2", "130"),
                ("dbp_2", "100")
            ],
            HR_5
        ),
        Outcome::Fired
    );
    assert_eq!(
        outcome(
            &[
                ("sbp_1", "130"),
                ("dbp_1", "100"),
                ("sbp_2", "130"),
                ("dbp_2", "99.8")
            ],
            HR_5
        ),
        Outcome::NotFired
    );
}

#[test]
fn t_hr_5_6_ldl_mgdl_boundary() {
    let base = [
        ("ldl_mmol", ""),
        ("tc_mmol", ""),
        ("tc_mgdl", "240"),
        ("hdl_mmol", ""),
        ("hdl_mgdl", "50"),
    ];
    let mut o = base.to_vec();
    o.push(("ldl_mgdl", "160"));
    assert_eq!(outcome(&o, HR_6), Outcome::Fired);
    o.pop();
    o.push(("ldl_mgdl", "159.9"));
    assert_eq!(outcome(&o, HR_6), Outcome::NotFired);
}

#[test]
fn t_hr_7_8_ldl_mmol_boundary_and_unit_policy() {
    let tc = ("tc_mmol", "6.2");
    assert_eq!(outcome(&[tc, ("ldl_mmol", "4.14")], HR_6), Outcome::Fired);
    assert_eq!(
        outcome(&[tc, ("ldl_mmol", "4.139")], HR_6),
        Outcome::NotFired
    );
    // T-HR-8: with canonical_unit = MgDl → 160.05 mg/dL → Fired.
    assert_eq!(
        outcome_p(
            &[tc, ("ldl_mmol", "4.139")],
            HR_6,
            &unit_profile(CanonicalUnit::MgDl)
        ),
        Outcome::Fired
    );
}

#[test]
fn t_hr_8b_ldl_160_mgdl_under_mmol_policy() {
    let o = [("ldl_mmol", ""), ("ldl_mgdl", "160"), ("tc_mmol", "6.2")];
    assert_eq!(
        outcome_p(&o, HR_6, &unit_profile(CanonicalUnit::MmolL)),
        Outcome::NotFired
    );
    assert_eq!(
        outcome_p(&o, HR_6, &unit_profile(CanonicalUnit::AsReported)),
        Outcome::Fired
    );
}

#[test]
fn t_hr_9_10_hdl_mgdl_boundary() {
    assert_eq!(
        outcome(&[("hdl_mmol", ""), ("hdl_mgdl", "30")], HR_7),
        Outcome::NotFired
    );
    assert_eq!(
        outcome(&[("hdl_mmol", ""), ("hdl_mgdl", "29.9")], HR_7),
        Outcome::Fired
    );
}

#[test]
fn t_hr_11_12_hdl_mmol_boundary_and_unit_policy() {
    assert_eq!(outcome(&[("hdl_mmol", "0.78")], HR_7), Outcome::NotFired);
    // 0.777 mmol/L is below the DQ-RANGE-11 bound? No: 0.5–10 accepts it.
    assert_eq!(outcome(&[("hdl_mmol", "0.777")], HR_7), Outcome::Fired);
    assert_eq!(
        outcome_p(
            &[("hdl_mmol", "0.777")],
            HR_7,
            &unit_profile(CanonicalUnit::MgDl)
        ),
        Outcome::NotFired
    );
}

#[test]
fn t_hr_13_ldl_absent_is_indeterminate() {
    let a = run(
        &[("ldl_mmol", ""), ("tg_mmol", ""), ("tg_mgdl", "450")],
        &Profile::default(),
    );
    assert_eq!(a.high_risk.status, HighRiskStatus::Indeterminate);
    assert_eq!(a.high_risk.outcome(HR_6), Some(Outcome::Indeterminate));
    assert_eq!(a.high_risk.missing_fields, vec!["ldl"]);
}

#[test]
fn t_hr_14_ldl_absent_but_sbp_165_is_high_risk() {
    let a = run(
        &[("ldl_mmol", ""), ("sbp_1", "165"), ("sbp_2", "165")],
        &Profile::default(),
    );
    assert_eq!(a.high_risk.status, HighRiskStatus::HighRisk);
    assert_eq!(a.high_risk.outcome(HR_6), Some(Outcome::Indeterminate));
    assert!(a.high_risk.reasons.contains(&HR_5));
    assert!(a.high_risk.missing_fields.is_empty());
}

#[test]
fn t_hr_15_tia_does_not_count() {
    assert_eq!(outcome(&[("history_tia", "1")], HR_4), Outcome::NotFired);
}

#[test]
fn t_hr_16_17_quit_smoking_window() {
    // Male 62, SBP 140 row, TC 6: smoker → 10-<20 %? Use a profile where smoking decides HR-8:
    // man 70, SBP ~145 (row 140), TC 6: smoker 30-<40 %, non-smoker lower (chart vector 7).
    let man70 = [
        ("sex", "male"),
        ("age", "70"),
        ("sbp_1", "144"),
        ("dbp_1", "80"),
        ("sbp_2", "146"),
        ("dbp_2", "80"),
        ("tc_mmol", "6.0"),
        ("ldl_mmol", "3.0"),
    ];
    let mut quit8 = man70.to_vec();
    quit8.push(("smoking_quit_date", "2024-09-10"));
    assert_eq!(outcome(&quit8, HR_8), Outcome::Fired);
    let mut quit12 = man70.to_vec();
    quit12.push(("smoking_quit_date", "2024-05-10"));
    let a = run(&quit12, &Profile::default());
    assert_eq!(a.evaluated.smoker, Some(false));
    let mut smoker = man70.to_vec();
    smoker.push(("current_smoker", "1"));
    assert_eq!(outcome(&smoker, HR_8), Outcome::Fired);
}

#[test]
fn t_hr_18_protocols() {
    let r = [
        ("sbp_1", "150"),
        ("dbp_1", "90"),
        ("sbp_2", "162"),
        ("dbp_2", "88"),
        ("sbp_3", "158"),
        ("dbp_3", "86"),
    ];
    assert_eq!(outcome(&r, HR_5), Outcome::Fired);
    for p in [BpProtocol::Mean2, BpProtocol::Cn2024MeanOf2Or3] {
        let prof = Profile {
            bp_protocol: p,
            ..Profile::default()
        };
        assert_eq!(outcome_p(&r, HR_5, &prof), Outcome::NotFired, "{p:?}");
    }
}

#[test]
fn t_hr_19_censored_hdl_fires() {
    let a = run(
        &[("hdl_mmol", ""), ("hdl_mgdl", "<15")],
        &Profile::default(),
    );
    assert_eq!(a.high_risk.outcome(HR_7), Some(Outcome::Fired));
    // Censored "> 100 mg/dL" does not fire.
    assert_eq!(
        outcome(&[("hdl_mmol", ""), ("hdl_mgdl", ">100")], HR_7),
        Outcome::NotFired
    );
}

#[test]
fn t_hr_20_glucose_treated_counts_as_diabetes() {
    let a = run(
        &[("diabetes", "0"), ("glucose_treated", "1")],
        &Profile::default(),
    );
    assert_eq!(a.evaluated.diabetes, Some(true));
}

#[test]
fn t_hr_21_unknown_haemorrhagic_stroke_is_indeterminate() {
    let a = run(&[("history_haemorrhagic_stroke", "")], &Profile::default());
    assert_eq!(a.high_risk.status, HighRiskStatus::Indeterminate);
    assert_eq!(
        a.high_risk.missing_fields,
        vec!["history_haemorrhagic_stroke"]
    );
}

#[test]
fn history_rules_each_fire_alone() {
    for (col, rule) in [
        ("history_mi", HR_1),
        ("history_pci", HR_2),
        ("history_cabg", HR_3),
        ("history_ischaemic_stroke", HR_4),
        ("history_haemorrhagic_stroke", HR_4),
    ] {
        let a = run(&[(col, "1")], &Profile::default());
        assert_eq!(a.high_risk.status, HighRiskStatus::HighRisk, "{col}");
        assert_eq!(a.high_risk.reasons, vec![rule]);
        assert_eq!(a.high_risk.classes(), vec!['A']);
    }
}

#[test]
fn hr_5_sbp_fires_even_when_dbp_unknown() {
    // MPP2014-EV-3: Kleene OR.
    let a = run(
        &[
            ("sbp_1", ""),
            ("dbp_1", ""),
            ("sbp_2", ""),
            ("dbp_2", ""),
            ("sbp", "170"),
            ("dbp", ""),
        ],
        &Profile::default(),
    );
    assert_eq!(a.high_risk.outcome(HR_5), Some(Outcome::Fired));
}

#[test]
fn hr_8_unknown_tc_spans_every_column_and_fallback_option() {
    // Man 60, smoker, SBP 160 row: with TC unknown the chart ranges over 5 columns.
    let o = [
        ("sex", "male"),
        ("age", "62"),
        ("current_smoker", "1"),
        ("sbp_1", "150"),
        ("dbp_1", "80"),
        ("sbp_2", "152"),
        ("dbp_2", "80"),
        ("tc_mmol", ""),
        ("hdl_mmol", "1.2"),
        ("ldl_mmol", "3.0"),
    ];
    let a = run(&o, &Profile::default());
    let r = a.high_risk.whoish.range;
    assert!(r.min < r.max, "{r:?}");
    let fb = Profile {
        whoish_fallback_no_cholesterol: true,
        ..Profile::default()
    };
    let b = run(&o, &fb);
    assert!(b.high_risk.whoish.fallback_no_cholesterol);
    assert!(b.high_risk.whoish.range.category().is_some());
}

#[test]
fn hr_8_sbp_binning_conventions_differ_for_134() {
    // WHOISH-5: SBP 134 is row 140 (Nearest) but row 120 (Floor).
    let o = [
        ("sex", "male"),
        ("age", "65"),
        ("current_smoker", "1"),
        ("diabetes", "1"),
        ("sbp_1", "134"),
        ("dbp_1", "80"),
        ("sbp_2", "134"),
        ("dbp_2", "80"),
        ("tc_mmol", "6.0"),
    ];
    let n = run(&o, &Profile::default())
        .high_risk
        .whoish
        .range
        .cell
        .unwrap();
    assert_eq!(n.sbp_band, 140);
    let f = Profile {
        whoish_sbp_binning: SbpBinning::Floor,
        ..Profile::default()
    };
    assert_eq!(
        run(&o, &f).high_risk.whoish.range.cell.unwrap().sbp_band,
        120
    );
}

#[test]
fn typed_record_goes_through_the_same_pipeline() {
    // A record built in Rust (no parsing) goes through the same pipeline.
    let (rec, _) = parse_pairs(
        &with(&[("history_mi", "1")])
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect::<Vec<_>>(),
    );
    let a = assess(&rec, &Profile::default());
    assert_eq!(a.high_risk.status, HighRiskStatus::HighRisk);
}

#[test]
fn qc_use_1_value_finding_makes_the_value_unknown_for_rules() {
    // DQ-XF-2: LDL-C 6.5 ≥ TC 6.2 → LDL-C rejected and unknown → HR-6 Indeterminate
    // (it would otherwise fire), and the record is unqualified.
    let a = run(
        &[("tc_mmol", "6.2"), ("ldl_mmol", "6.5")],
        &Profile::default(),
    );
    assert_eq!(a.qc_status().as_str(), "reject");
    assert!(a.qc.rule_ids().contains(&"DQ-XF-2"));
    assert_eq!(a.high_risk.outcome(HR_6), Some(Outcome::Indeterminate));
    assert_eq!(a.high_risk.status, HighRiskStatus::Indeterminate);
}

#[test]
fn qc_use_1_record_finding_keeps_values_in_use() {
    // DQ-PRG-1: a 30-year-old is ineligible (Reject) but the rules still run.
    let a = run(
        &[("age", "30"), ("sbp_1", "170"), ("sbp_2", "168")],
        &Profile::default(),
    );
    assert!(a.qc.rule_ids().contains(&"DQ-PRG-1"));
    assert_eq!(a.high_risk.status, HighRiskStatus::HighRisk);
}

#[test]
fn out_of_range_reading_is_excluded_and_reported() {
    // DQ-RANGE-8 on sbp_1 = 400: the pair is excluded (BP-9), one valid reading left,
    // so the derived BP is unknown (DQ-BP-3).
    let a = run(&[("sbp_1", "400")], &Profile::default());
    let ids = a.qc.rule_ids();
    assert!(
        ids.contains(&"DQ-RANGE-8") && ids.contains(&"DQ-BP-3"),
        "{ids:?}"
    );
    let f =
        a.qc.findings
            .iter()
            .find(|f| f.rule_id == "DQ-RANGE-8")
            .unwrap();
    assert_eq!(f.field, "sbp_1");
    assert_eq!(a.evaluated.sbp(), None);
}
