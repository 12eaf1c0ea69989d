//! Eligibility for initial screening (spec/domain.md §3): versions `elig-2014` and
//! `elig-national`, combined with Kleene AND (ELIG-AND).

use crate::exchange::Col;
use crate::profile::{EligibilityVersion, Profile};
use crate::record::ScreeningRecord;
use crate::value::{Interval, Outcome};
use serde::Serialize;

crate::define_rules! {
    ELIG_2014_1 = "ELIG-2014-1", "elig-2014", [ConfirmedP, Decision], "domain.md §3.1; S1",
        "Born in the window Y−75 ≤ birth year ≤ Y−40 (1939-01-01 to 1974-12-31 for 2014)",
        "出生年份在 Y−75 至 Y−40 之间（2014 年为 1939-01-01 至 1974-12-31）";
    ELIG_2014_2 = "ELIG-2014-2", "elig-2014", [ConfirmedP], "domain.md §3.1; S1",
        "Household-registered resident of the site (registration, residence and site coincide)",
        "项目点户籍居民（户口、居住地与项目点一致）";
    ELIG_2014_3 = "ELIG-2014-3", "elig-2014", [ConfirmedP], "domain.md §3.1; S1",
        "Voluntary participation with signed written informed consent", "本人自愿并签署书面知情同意";
    ELIG_2014_4 = "ELIG-2014-4", "elig-2014", [ConfirmedP, Decision], "domain.md §3.1; S1",
        "Not unable to comply with screening or follow-up", "能够配合筛查及随访";
    ELIG_NAT_1 = "ELIG-NAT-1", "elig-national", [ConfirmedP, ConfirmedS, Decision], "domain.md §3.2; S4, S5",
        "Age 35–75 years (completed years at the screening date, inclusive)",
        "年龄 35–75 岁（筛查日期时的周岁，含两端）";
    ELIG_NAT_2 = "ELIG-NAT-2", "elig-national", [ConfirmedS, Decision], "domain.md §3.2; S7 Huanren 2025",
        "Lived in the village or community for more than 6 months", "在本村（社区）居住超过 6 个月";
    ELIG_NAT_3 = "ELIG-NAT-3", "elig-national", [ConfirmedS], "domain.md §3.2; S7",
        "Voluntary participation with signed consent", "本人自愿并签署知情同意";
    ELIG_NAT_4 = "ELIG-NAT-4", "elig-national", [Decision], "domain.md §3.2",
        "Not unable to comply with screening or follow-up", "能够配合筛查及随访";
}

/// ELIG-NAT-1: completed years at the screening date, inclusive at both ends.
pub const NATIONAL_AGE_YEARS: std::ops::RangeInclusive<i32> = 35..=75;

/// ELIG-NAT-1: a completed-years age inside 35–75.
pub fn national_age_eligible(completed_years: i32) -> bool {
    NATIONAL_AGE_YEARS.contains(&completed_years)
}

/// ELIG-2014-1: the eligible birth years `(Y − 75, Y − 40)`, inclusive, for screening
/// year `Y` (1939–1974 for 2014).
pub fn birth_year_window(screening_year: i32) -> (i32, i32) {
    (screening_year - 75, screening_year - 40)
}

/// ELIG-2014-1 from an age only: the two birth years a person of `completed_years` at
/// some date of `screening_year` may have (TV-2).
pub fn birth_years_from_age(screening_year: i32, completed_years: i32) -> [i32; 2] {
    [
        screening_year - completed_years - 1,
        screening_year - completed_years,
    ]
}

/// One criterion's outcome (`Fired` = criterion met).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Criterion {
    /// Rule id.
    pub rule_id: &'static str,
    /// Met / not met / indeterminate.
    pub outcome: Outcome,
}

/// Eligibility result (ELIG-AND).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Eligibility {
    /// `Fired` = eligible, `NotFired` = not eligible, `Indeterminate` = unknown input.
    pub outcome: Outcome,
    /// Criteria evaluated.
    pub criteria: Vec<Criterion>,
    /// Criteria whose input column is absent from the whole source (ELIG-AND).
    pub criteria_not_evaluated: Vec<&'static str>,
}

fn optional(
    rec: &ScreeningRecord,
    col: Col,
    id: &'static str,
    outcome: Outcome,
    out: &mut Eligibility,
) {
    if rec.has_column(col) {
        out.criteria.push(Criterion {
            rule_id: id,
            outcome,
        });
    } else {
        out.criteria_not_evaluated.push(id);
    }
}

/// Evaluates eligibility under the profile's version.
pub fn evaluate(rec: &ScreeningRecord, profile: &Profile) -> Eligibility {
    let mut out = Eligibility {
        outcome: Outcome::Indeterminate,
        // Four criteria at most: one allocation, no regrowth.
        criteria: Vec::with_capacity(4),
        criteria_not_evaluated: Vec::new(),
    };
    // ELIG-2014-4 / ELIG-NAT-4: recorded only when the exclusion applies (empty = No).
    let comply = Outcome::from_bool(rec.unable_to_comply != Some(true));
    match profile.eligibility {
        EligibilityVersion::EligNational => {
            // ELIG-NAT-1 on completed years (UNIT-10).
            let o = match rec.age_info() {
                Some(a) => Outcome::from_bool(national_age_eligible(a.completed)),
                None => Outcome::Indeterminate,
            };
            out.criteria.push(Criterion {
                rule_id: ELIG_NAT_1,
                outcome: o,
            });
            let res = rec
                .residence_months
                .map_or(Interval::closed(0.0, f64::INFINITY), Interval::point)
                .gt(profile.min_residence_months_exclusive);
            optional(rec, Col::ResidenceMonths, ELIG_NAT_2, res, &mut out);
            optional(
                rec,
                Col::Consent,
                ELIG_NAT_3,
                Outcome::from_opt(rec.consent),
                &mut out,
            );
            out.criteria.push(Criterion {
                rule_id: ELIG_NAT_4,
                outcome: comply,
            });
        }
        EligibilityVersion::Elig2014 => {
            // ELIG-2014-1: Y−75 ≤ birth year ≤ Y−40; from an age only, the birth year is
            // Y − a − 1 or Y − a (TV-2).
            let o = match (rec.screen_date, rec.birth_date, rec.age) {
                (Some(s), Some(b), _) => {
                    let (lo, hi) = birth_year_window(s.year());
                    Outcome::from_bool((lo..=hi).contains(&b.year()))
                }
                (Some(s), None, Some(a)) => {
                    let (lo, hi) = birth_year_window(s.year());
                    let [older, younger] = birth_years_from_age(s.year(), a.0.floor() as i32);
                    let ok = |by: i32| (lo..=hi).contains(&by);
                    match (ok(older), ok(younger)) {
                        (true, true) => Outcome::Fired,
                        (false, false) => Outcome::NotFired,
                        _ => Outcome::Indeterminate,
                    }
                }
                _ => Outcome::Indeterminate,
            };
            out.criteria.push(Criterion {
                rule_id: ELIG_2014_1,
                outcome: o,
            });
            optional(
                rec,
                Col::HukouLocal,
                ELIG_2014_2,
                Outcome::from_opt(rec.hukou_local),
                &mut out,
            );
            optional(
                rec,
                Col::Consent,
                ELIG_2014_3,
                Outcome::from_opt(rec.consent),
                &mut out,
            );
            out.criteria.push(Criterion {
                rule_id: ELIG_2014_4,
                outcome: comply,
            });
        }
    }
    // ELIG-AND: Kleene AND of the evaluated criteria.
    out.outcome = out
        .criteria
        .iter()
        .fold(Outcome::Fired, |acc, c| acc.and(c.outcome));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::parse_pairs;

    fn elig(pairs: &[(&str, &str)], p: &Profile) -> Eligibility {
        evaluate(&parse_pairs(pairs).0, p)
    }

    #[test]
    fn elig_nat_1_both_ends_inclusive() {
        let p = Profile::default();
        for (age, want) in [
            ("34.9", Outcome::NotFired),
            ("35", Outcome::Fired),
            ("75.9", Outcome::Fired),
            ("76", Outcome::NotFired),
        ] {
            assert_eq!(elig(&[("age", age)], &p).outcome, want, "age {age}");
        }
        let e = elig(&[("age", "50")], &p);
        assert_eq!(e.criteria_not_evaluated, vec![ELIG_NAT_2, ELIG_NAT_3]);
    }

    #[test]
    fn elig_nat_2_strictly_more_than_six_months() {
        let p = Profile::default();
        assert_eq!(
            elig(&[("age", "50"), ("residence_months", "6")], &p).outcome,
            Outcome::NotFired
        );
        assert_eq!(
            elig(&[("age", "50"), ("residence_months", "6.1")], &p).outcome,
            Outcome::Fired
        );
        assert_eq!(
            elig(&[("age", "50"), ("residence_months", "")], &p).outcome,
            Outcome::Indeterminate
        );
    }

    #[test]
    fn elig_2014_1_birth_window_and_age_edges() {
        let p = Profile::mpp_2014_pilot();
        let e = |b: &str| elig(&[("screen_date", "2014-10-01"), ("birth_date", b)], &p).outcome;
        assert_eq!(e("1939-01-01"), Outcome::Fired);
        assert_eq!(e("1938-12-31"), Outcome::NotFired);
        assert_eq!(e("1974-12-31"), Outcome::Fired);
        assert_eq!(e("1975-01-01"), Outcome::NotFired);
        let a = |age: &str| elig(&[("screen_date", "2014-10-01"), ("age", age)], &p).outcome;
        assert_eq!(a("50"), Outcome::Fired);
        assert_eq!(a("39"), Outcome::Indeterminate);
        assert_eq!(a("75"), Outcome::Indeterminate);
        assert_eq!(a("30"), Outcome::NotFired);
    }

    #[test]
    fn unable_to_comply_excludes() {
        let p = Profile::default();
        assert_eq!(
            elig(&[("age", "50"), ("unable_to_comply", "1")], &p).outcome,
            Outcome::NotFired
        );
    }
}
