//! Model inputs from a screening record (spec/risk-models.md RM-GEN-8) and the risk
//! of every model for one assessed person.
//!
//! Inputs are the values QC lets the rules see ([`EvaluatedRecord`]): the derived SBP
//! (the same value as for MPP2014-HR-5/8), the smoker and diabetes status of
//! csv-schema.md, BMI from height and weight, lipids as reported. A value that is
//! unknown, censored (RM-GEN-5) or made unknown by QC (QC-USE-2) is a
//! [`ModelError::MissingInput`] naming the exchange-format field; a value outside the
//! model's range under the profile's `range_policy` is [`ModelError::OutOfRange`].
//! Risks are computed whatever the person's QC status or CVD history.

use super::china_par::{self, ChinaParInput, ChinaParResult};
use super::error::ModelError;
use super::framingham2008::{self, FraminghamInput, FraminghamResult};
use super::math::ln_normal;
use super::pce2013::{self, PceInput, PceResult};
use super::prevent2023::{self, Horizon, PreventInput, PreventResult};
use super::who2019::{self, WhoLabInput, WhoNonLabInput, WhoResult};
use super::{cox_pct2, Logs};
use crate::evaluated::EvaluatedRecord;
use crate::profile::Profile;
use crate::record::{Race, ScreeningRecord, Sex};
use crate::units::{Cholesterol, Conc};
use crate::value::Obs;
use serde::Serialize;

/// The risk of every model for one person; each either a result or why not.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelResults {
    /// China-PAR 10-year ASCVD (with the ideal risk).
    pub china_par: Result<ChinaParResult, ModelError>,
    /// WHO 2019 laboratory model.
    pub who2019_lab: Result<WhoResult, ModelError>,
    /// WHO 2019 non-laboratory model.
    pub who2019_nonlab: Result<WhoResult, ModelError>,
    /// ACC/AHA Pooled Cohort Equations.
    pub pce: Result<PceResult, ModelError>,
    /// AHA PREVENT base model, 10 years.
    pub prevent_10y: Result<PreventResult, ModelError>,
    /// Framingham 2008 general CVD.
    pub framingham: Result<FraminghamResult, ModelError>,
    /// PREVENT's `statin` came from `lipid_treated` (csv-schema.md `statin` DECISION).
    pub statin_from_lipid_treated: bool,
}

fn need<T>(model: &'static str, field: &'static str, v: Option<T>) -> Result<T, ModelError> {
    v.ok_or(ModelError::MissingInput { model, field })
}

/// A known lipid value; unknown or censored → missing (RM-GEN-5). The field named is
/// the `*_mmol` column when it was filled, else `*_mgdl`.
fn lipid(
    model: &'static str,
    names: (&'static str, &'static str),
    o: Obs<Conc<Cholesterol>>,
) -> Result<Conc<Cholesterol>, ModelError> {
    match o {
        Obs::Known(c) => Ok(c),
        Obs::Censored { bound, .. } => Err(ModelError::MissingInput {
            model,
            field: if bound.unit() == crate::units::ConcUnit::MmolL {
                names.0
            } else {
                names.1
            },
        }),
        Obs::Unknown => Err(ModelError::MissingInput {
            model,
            field: names.0,
        }),
    }
}

const TC: (&str, &str) = ("tc_mmol", "tc_mgdl");
const HDL: (&str, &str) = ("hdl_mmol", "hdl_mgdl");

/// China-PAR inputs (RM-CPAR-1; women need neither `urban` nor `family_history_ascvd`).
pub fn china_par_input(
    rec: &ScreeningRecord,
    ev: &EvaluatedRecord,
) -> Result<ChinaParInput, ModelError> {
    const M: &str = "China-PAR model";
    let sex = need(M, "sex", ev.sex)?;
    let male = sex == Sex::Male;
    Ok(ChinaParInput {
        sex,
        age: need(M, "age", ev.age.map(|a| a.years))?,
        sbp: need(M, "sbp", ev.sbp())?,
        bp_treated: need(M, "bp_treated", rec.bp_treated)?,
        tc: lipid(M, TC, ev.tc)?,
        hdl: lipid(M, HDL, ev.hdl)?,
        waist_cm: need(M, "waist_cm", ev.waist.map(|w| w.0))?,
        current_smoker: need(M, "current_smoker", ev.smoker)?,
        diabetes: need(M, "diabetes", ev.diabetes)?,
        north: need(M, "north", rec.north)?,
        urban: if male {
            Some(need(M, "urban", rec.urban)?)
        } else {
            rec.urban
        },
        family_history_ascvd: if male {
            Some(need(M, "family_history_ascvd", rec.family_history_ascvd)?)
        } else {
            rec.family_history_ascvd
        },
    })
}

/// WHO 2019 laboratory-model inputs.
pub fn who_lab_input(ev: &EvaluatedRecord) -> Result<WhoLabInput, ModelError> {
    const M: &str = "WHO 2019 laboratory model";
    Ok(WhoLabInput {
        sex: need(M, "sex", ev.sex)?,
        age: need(M, "age", ev.age.map(|a| a.years))?,
        sbp: need(M, "sbp", ev.sbp())?,
        tc: lipid(M, TC, ev.tc)?,
        diabetes: need(M, "diabetes", ev.diabetes)?,
        current_smoker: need(M, "current_smoker", ev.smoker)?,
    })
}

/// WHO 2019 non-laboratory-model inputs.
pub fn who_nonlab_input(ev: &EvaluatedRecord) -> Result<WhoNonLabInput, ModelError> {
    const M: &str = "WHO 2019 non-laboratory model";
    Ok(WhoNonLabInput {
        sex: need(M, "sex", ev.sex)?,
        age: need(M, "age", ev.age.map(|a| a.years))?,
        sbp: need(M, "sbp", ev.sbp())?,
        bmi: need(M, "bmi", ev.bmi.map(|b| b.0))?,
        current_smoker: need(M, "current_smoker", ev.smoker)?,
    })
}

/// PCE inputs (`race` empty → `Other`, RM-PCE-5).
pub fn pce_input(rec: &ScreeningRecord, ev: &EvaluatedRecord) -> Result<PceInput, ModelError> {
    const M: &str = "Pooled Cohort Equations";
    Ok(PceInput {
        race: rec.race.unwrap_or(Race::Other),
        sex: need(M, "sex", ev.sex)?,
        age: need(M, "age", ev.age.map(|a| a.years))?,
        tc: lipid(M, TC, ev.tc)?,
        hdl: lipid(M, HDL, ev.hdl)?,
        sbp: need(M, "sbp", ev.sbp())?,
        bp_treated: need(M, "bp_treated", rec.bp_treated)?,
        current_smoker: need(M, "current_smoker", ev.smoker)?,
        diabetes: need(M, "diabetes", ev.diabetes)?,
    })
}

/// PREVENT inputs and whether `statin` came from `lipid_treated`.
pub fn prevent_input(
    rec: &ScreeningRecord,
    ev: &EvaluatedRecord,
) -> Result<(PreventInput, bool), ModelError> {
    const M: &str = "PREVENT equations";
    let (statin, from_lipid) = match rec.statin {
        Some(s) => (s, false),
        None => (need(M, "statin", rec.lipid_treated)?, true),
    };
    Ok((
        PreventInput {
            sex: need(M, "sex", ev.sex)?,
            age: need(M, "age", ev.age.map(|a| a.years))?,
            sbp: need(M, "sbp", ev.sbp())?,
            bp_treated: need(M, "bp_treated", rec.bp_treated)?,
            tc: lipid(M, TC, ev.tc)?,
            hdl: lipid(M, HDL, ev.hdl)?,
            statin,
            diabetes: need(M, "diabetes", ev.diabetes)?,
            current_smoker: need(M, "current_smoker", ev.smoker)?,
            egfr: need(M, "egfr", ev.egfr)?,
            bmi: need(M, "bmi", ev.bmi.map(|b| b.0))?,
        },
        from_lipid,
    ))
}

/// Framingham inputs.
pub fn framingham_input(
    rec: &ScreeningRecord,
    ev: &EvaluatedRecord,
) -> Result<FraminghamInput, ModelError> {
    const M: &str = "Framingham general CVD model";
    Ok(FraminghamInput {
        sex: need(M, "sex", ev.sex)?,
        age: need(M, "age", ev.age.map(|a| a.years))?,
        tc: lipid(M, TC, ev.tc)?,
        hdl: lipid(M, HDL, ev.hdl)?,
        sbp: need(M, "sbp", ev.sbp())?,
        bp_treated: need(M, "bp_treated", rec.bp_treated)?,
        current_smoker: need(M, "current_smoker", ev.smoker)?,
        diabetes: need(M, "diabetes", ev.diabetes)?,
    })
}

/// The logarithms the Cox-form kernels take ([`Logs`]), computed once per person from
/// the values the input builders above read: `[UNIT-1a, China-PAR]`, the two differing
/// only in the lipids reported in mmol/L (China-PAR converts them with its own factor,
/// RM-CPAR-3). An unknown value gets NaN, which no model reads: a model whose input
/// lacks the value fails in its input builder.
fn shared_logs(ev: &EvaluatedRecord) -> [Logs; 2] {
    let known = |o: Obs<Conc<Cholesterol>>| match o {
        Obs::Known(c) => Some(c),
        Obs::Censored { .. } | Obs::Unknown => None,
    };
    let (tc, hdl) = (known(ev.tc), known(ev.hdl));
    let mgdl = |c: Option<Conc<Cholesterol>>| c.map_or(f64::NAN, |c| c.to_mgdl().value());
    let unit_1a = Logs::of(
        ev.age.map_or(f64::NAN, |a| a.years),
        ev.sbp().unwrap_or(f64::NAN),
        mgdl(tc),
        mgdl(hdl),
    );
    // The same value, so the same logarithm, unless reported in mmol/L.
    let cp = |c: Option<Conc<Cholesterol>>, ln_mgdl: f64| match c {
        Some(c @ Conc::MmolL(_)) => ln_normal(china_par::to_mgdl(c)),
        _ => ln_mgdl,
    };
    let china_par = Logs {
        tc_mgdl: cp(tc, unit_1a.tc_mgdl),
        hdl_mgdl: cp(hdl, unit_1a.hdl_mgdl),
        ..unit_1a
    };
    [unit_1a, china_par]
}

/// Every model for one person under the profile's range policy and WHO calibration.
///
/// The same results as the models' public functions on the inputs built above, bit
/// for bit (tested), with less work: the logarithms China-PAR, PCE and Framingham
/// share are taken once, and the survival steps of PCE and Framingham run side by
/// side in one pair of registers.
pub fn evaluate_all(
    rec: &ScreeningRecord,
    ev: &EvaluatedRecord,
    profile: &Profile,
) -> ModelResults {
    let policy = profile.range_policy;
    let [logs, cp_logs] = shared_logs(ev);
    let prevent_in = prevent_input(rec, ev);
    let statin_from_lipid_treated = matches!(prevent_in, Ok((_, true)));
    // PCE and Framingham: the checks and linear predictors, then the two survival
    // steps together (a model that failed its checks runs on a placeholder, unused).
    let pce = pce_input(rec, ev).and_then(|i| pce2013::head_with_logs(&i, policy, &logs));
    let frs =
        framingham_input(rec, ev).and_then(|i| framingham2008::head_with_logs(&i, policy, &logs));
    const PLACEHOLDER: [f64; 2] = [0.0, 0.0];
    let [pce_pct, frs_pct] = cox_pct2([
        pce.as_ref().map_or(PLACEHOLDER, |(h, _)| *h),
        frs.as_ref().map_or(PLACEHOLDER, |(h, _)| *h),
    ]);
    ModelResults {
        china_par: china_par_input(rec, ev)
            .and_then(|i| china_par::china_par_10y_with_logs(&i, policy, &cp_logs)),
        who2019_lab: who_lab_input(ev)
            .and_then(|i| who2019::who2019_lab(&i, profile.who2019_calibration, policy)),
        who2019_nonlab: who_nonlab_input(ev)
            .and_then(|i| who2019::who2019_nonlab(&i, profile.who2019_calibration, policy)),
        pce: pce.map(|(_, flags)| pce2013::result(pce_pct, flags)),
        prevent_10y: prevent_in
            .and_then(|(i, _)| prevent2023::prevent(&i, Horizon::Years10, policy)),
        framingham: frs.map(|(_, flags)| framingham2008::result(frs_pct, flags)),
        statin_from_lipid_treated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluated::FieldSet;
    use crate::exchange::parse_pairs;
    use crate::test_rng::xorshift64;

    fn ev(pairs: &[(&str, &str)]) -> (ScreeningRecord, EvaluatedRecord) {
        let (r, _) = parse_pairs(pairs);
        let e = EvaluatedRecord::new(&r, &Profile::default(), FieldSet::default());
        (r, e)
    }

    #[test]
    fn guideline_example_through_the_record_path() {
        // RM-CPAR-6: man 40, north, urban, waist 80, TC 5.2, HDL 1.3 mmol/L, BP 145/80
        // untreated, no diabetes, non-smoker, family history → 4.7172 %.
        let (r, e) = ev(&[
            ("sex", "male"),
            ("age", "40"),
            ("sbp", "145"),
            ("dbp", "80"),
            ("bp_treated", "0"),
            ("tc_mmol", "5.2"),
            ("hdl_mmol", "1.3"),
            ("waist_cm", "80"),
            ("current_smoker", "0"),
            ("diabetes", "0"),
            ("north", "1"),
            ("urban", "1"),
            ("family_history_ascvd", "1"),
        ]);
        let m = evaluate_all(&r, &e, &Profile::default());
        let cp = m.china_par.unwrap();
        assert!((cp.risk10_pct - 4.7172).abs() < 5e-5, "{}", cp.risk10_pct);
        // PCE starts at 40 and needs no waist; WHO 2019 too; PREVENT lacks egfr.
        assert!(m.pce.is_ok());
        assert!(m.who2019_lab.is_ok());
        assert_eq!(
            m.prevent_10y,
            Err(ModelError::MissingInput {
                model: "PREVENT equations",
                field: "statin"
            })
        );
    }

    #[test]
    fn women_need_no_urban_or_family_history() {
        let (r, e) = ev(&[
            ("sex", "female"),
            ("age", "55"),
            ("sbp", "130"),
            ("dbp", "80"),
            ("bp_treated", "0"),
            ("tc_mgdl", "210"),
            ("hdl_mgdl", "55"),
            ("waist_cm", "80"),
            ("current_smoker", "0"),
            ("diabetes", "1"),
            ("north", "1"),
        ]);
        assert!(china_par_input(&r, &e).is_ok());
    }

    #[test]
    fn censored_lipid_is_a_missing_input_naming_the_column() {
        let (r, e) = ev(&[
            ("sex", "male"),
            ("age", "50"),
            ("sbp", "130"),
            ("tc_mgdl", "<100"),
        ]);
        assert_eq!(
            framingham_input(&r, &e),
            Err(ModelError::MissingInput {
                model: "Framingham general CVD model",
                field: "tc_mgdl"
            })
        );
    }

    /// The models' public functions on the inputs built above: what `evaluate_all`
    /// must return bit for bit.
    fn reference(rec: &ScreeningRecord, ev: &EvaluatedRecord, profile: &Profile) -> ModelResults {
        let policy = profile.range_policy;
        let cal = profile.who2019_calibration;
        let prevent_in = prevent_input(rec, ev);
        ModelResults {
            china_par: china_par_input(rec, ev).and_then(|i| china_par::china_par_10y(&i, policy)),
            who2019_lab: who_lab_input(ev).and_then(|i| who2019::who2019_lab(&i, cal, policy)),
            who2019_nonlab: who_nonlab_input(ev)
                .and_then(|i| who2019::who2019_nonlab(&i, cal, policy)),
            pce: pce_input(rec, ev).and_then(|i| pce2013::pce(&i, policy)),
            prevent_10y: prevent_in
                .and_then(|(i, _)| prevent2023::prevent(&i, Horizon::Years10, policy)),
            framingham: framingham_input(rec, ev)
                .and_then(|i| framingham2008::framingham(&i, policy)),
            statin_from_lipid_treated: matches!(prevent_in, Ok((_, true))),
        }
    }

    #[test]
    fn evaluate_all_is_the_models_public_functions_bit_for_bit() {
        use crate::models::who2019::Calibration;
        use crate::profile::RangePolicy;
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: u64| xorshift64(&mut state) % n;
        let profiles = [
            Profile::default(),
            Profile {
                range_policy: RangePolicy::Flag,
                who2019_calibration: Calibration::ChinaCountry2017,
                ..Profile::default()
            },
        ];
        // Unknown one time in 12.
        let flag = |v: u64| match v {
            0 => "",
            v => ["0", "1"][(v % 2) as usize],
        };
        let unknown_now_and_then = |v: String, n: u64| if n == 0 { String::new() } else { v };
        let mut tally = [[0u32; 2]; 6];
        for n in 0..6000 {
            let profile = &profiles[n % 2];
            // Values around and beyond every model's ranges, in both lipid units,
            // with missing and censored values now and then.
            let age = format!("{}.{}", 15 + next(75), next(10));
            let sbp = format!("{}", 65 + next(200));
            let (tc, hdl, tc_key, hdl_key) = if next(3) == 0 {
                let tc = format!("{}.{:02}", 1 + next(12), next(100));
                let hdl = format!("{}.{:02}", next(5), next(100));
                (tc, hdl, "tc_mmol", "hdl_mmol")
            } else {
                let tc = format!("{}", 60 + next(400));
                let hdl = format!("{}", 15 + next(130));
                (tc, hdl, "tc_mgdl", "hdl_mgdl")
            };
            let tc = if next(20) == 0 { format!("<{tc}") } else { tc };
            let pairs: Vec<(&str, String)> = vec![
                (
                    "sex",
                    ["male", "female", "male", "female", ""][next(5) as usize].into(),
                ),
                ("age", age),
                ("sbp", sbp),
                ("dbp", "80".into()),
                ("bp_treated", flag(next(12)).into()),
                (tc_key, tc),
                (hdl_key, hdl),
                // Unknown one time in 12 too (the inputs only some models take).
                (
                    "waist_cm",
                    unknown_now_and_then(format!("{}", 45 + next(100)), next(12)),
                ),
                (
                    "bmi",
                    unknown_now_and_then(format!("{}.{}", 9 + next(40), next(10)), next(12)),
                ),
                (
                    "egfr",
                    unknown_now_and_then(format!("{}", 3 + next(160)), next(12)),
                ),
                ("current_smoker", flag(next(12)).into()),
                ("diabetes", flag(next(12)).into()),
                ("north", flag(next(12)).into()),
                ("urban", flag(next(12)).into()),
                ("family_history_ascvd", flag(next(12)).into()),
                ("statin", flag(next(12)).into()),
                ("lipid_treated", flag(next(12)).into()),
                (
                    "race",
                    ["white", "african_american", "other", ""][next(4) as usize].into(),
                ),
            ];
            let pairs: Vec<(&str, &str)> = pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, v.as_str()))
                .collect();
            let (r, _) = parse_pairs(&pairs);
            let e = EvaluatedRecord::new(&r, profile, FieldSet::default());
            let got = evaluate_all(&r, &e, profile);
            let want = reference(&r, &e, profile);
            // Debug prints each f64 exactly enough to tell any two apart (and −0 from 0).
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{pairs:?}");
            let ok = [
                got.china_par.is_ok(),
                got.who2019_lab.is_ok(),
                got.who2019_nonlab.is_ok(),
                got.pce.is_ok(),
                got.prevent_10y.is_ok(),
                got.framingham.is_ok(),
            ];
            for (t, ok) in tally.iter_mut().zip(ok) {
                t[usize::from(ok)] += 1;
            }
        }
        // Each model both computed and refused often enough for the test to mean much.
        assert!(
            tally.iter().all(|t| t[0] >= 200 && t[1] >= 200),
            "{tally:?}"
        );
    }

    #[test]
    fn statin_falls_back_to_lipid_treated() {
        let (r, e) = ev(&[
            ("lipid_treated", "1"),
            ("sex", "male"),
            ("age", "50"),
            ("sbp", "130"),
            ("bp_treated", "0"),
            ("tc_mgdl", "200"),
            ("hdl_mgdl", "45"),
            ("diabetes", "0"),
            ("current_smoker", "0"),
            ("egfr", "90"),
            ("bmi", "25"),
        ]);
        let (i, from) = prevent_input(&r, &e).unwrap();
        assert!(i.statin && from);
        assert!(evaluate_all(&r, &e, &Profile::default()).statin_from_lipid_treated);
    }
}
