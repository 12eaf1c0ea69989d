//! Basic public health indicators IND-BPHS-1…10 over follow-up visit rows (§11.2).
//!
//! The input is a minimal typed [`Visit`] per follow-up row (the CSV parser for the
//! visit format is not part of this module). Rows with a row-level `Reject`
//! (DQ-VIS-1…3, DQ-PRG-5) must be left out by the caller (§12.10). Each patient is
//! grouped by the `site_id` of their latest visit of the kind in the management
//! window (\[DECISION\]; a caller that knows the screening site overwrites `site_id`,
//! IND-GEN-1). When no age is known for the deciding visit, the general BP target
//! < 140/90 is used (\[DECISION\]: IND-BPHS-7's general rule is the confirmed one).

use super::screening::fbg_below_target;
use super::*;
use crate::date::Date;
use crate::units::{Conc, Glucose};
use crate::value::Obs;
use std::collections::BTreeMap;

/// `visit_kind`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// Programme short-term (or 1-month) follow-up.
    ShortTerm,
    /// Programme long-term follow-up.
    LongTerm,
    /// Basic-public-health hypertension visit.
    BphsHtn,
    /// Basic-public-health diabetes visit.
    BphsDm,
}

/// `mode`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitMode {
    /// Face to face (clinic or home).
    FaceToFace,
    /// Telephone.
    Phone,
    /// Other.
    Other,
}

/// One follow-up visit row, typed (csv-schema.md, follow-up visit records).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Visit {
    /// Person id.
    pub id: String,
    /// `site_id` (empty = `""`).
    pub site_id: String,
    /// `visit_date`.
    pub visit_date: Date,
    /// `visit_kind`.
    pub kind: VisitKind,
    /// `mode` (`None` = unknown = not face to face).
    pub mode: Option<VisitMode>,
    /// Derived visit SBP (BPHS-ENG-5).
    pub sbp: Option<f64>,
    /// Derived visit DBP.
    pub dbp: Option<f64>,
    /// Fasting glucose as reported.
    pub fbg: Obs<Conc<Glucose>>,
    /// `died` = 1: an outcome row, not a visit.
    pub died: bool,
    /// `withdrawn` = 1: an outcome row, not a visit.
    pub withdrawn: bool,
    /// `birth_date`.
    pub birth_date: Option<Date>,
    /// `age` (completed years at `visit_date`).
    pub age: Option<f64>,
}

impl Visit {
    fn is_done(&self) -> bool {
        !self.died && !self.withdrawn
    }
    fn age_at_visit(&self) -> Option<f64> {
        self.birth_date
            .map(|b| f64::from(b.completed_years_until(self.visit_date)))
            .or(self.age)
    }
}

/// Area parameters for IND-BPHS-1 and -4 (IND-BPHS-10 f).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AreaParams {
    /// Resident adult population.
    pub resident_adult_population: Option<f64>,
    /// Adult hypertension prevalence, percent.
    pub htn_prevalence_pct: Option<f64>,
    /// Adult diabetes prevalence, percent.
    pub dm_prevalence_pct: Option<f64>,
}

/// Options of the BPHS indicators.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BphsOptions {
    /// Period start (inclusive).
    pub start: Date,
    /// Period end (inclusive).
    pub end: Date,
    /// `min_visits` (default 4).
    pub min_visits: u32,
    /// Area parameters by `site_id`.
    pub areas: BTreeMap<String, AreaParams>,
}

/// IND-BPHS-9: `max(1, floor(min_visits × d ÷ 360))` for a period of `d` days.
pub fn required_visits(min_visits: u32, days: u32) -> u32 {
    ((u64::from(min_visits) * u64::from(days)) / 360).max(1) as u32
}

/// FU-7: dead on `t` (a `died` row dated on or before `t`), or withdrawn on `t` (the
/// latest of the person's withdrawal rows and done visits up to `t` is a withdrawal;
/// on equal dates the visit counts as later).
pub fn off_register(rows: &[&Visit], t: Date) -> bool {
    if rows.iter().any(|v| v.died && v.visit_date <= t) {
        return true;
    }
    let latest = rows
        .iter()
        .filter(|v| v.visit_date <= t && (v.withdrawn || v.is_done()))
        .max_by_key(|v| (v.visit_date, v.is_done()));
    latest.is_some_and(|v| v.withdrawn && !v.is_done())
}

#[derive(Default)]
struct SiteCounts {
    managed: [u64; 2],
    standard: [u64; 2],
    controlled: [u64; 2],
}

/// A BPHS indicator of one site.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BphsRow {
    /// Site.
    pub site_id: String,
    /// Indicator.
    pub indicator: Indicator,
}

/// IND-BPHS-1…6 per site, with IND-GEN-6 findings.
pub fn bphs_indicators(visits: &[Visit], opts: &BphsOptions) -> (Vec<BphsRow>, Vec<Finding>) {
    let window_start = opts.end.add_months(-12); // exclusive
    let days = (opts.end.to_days() - opts.start.to_days() + 1).max(0) as u32;
    let need = required_visits(opts.min_visits, days);
    let mut by_person: BTreeMap<&str, Vec<&Visit>> = BTreeMap::new();
    for v in visits {
        by_person.entry(v.id.as_str()).or_default().push(v);
    }
    let mut sites: BTreeMap<String, SiteCounts> = BTreeMap::new();
    for rows in by_person.values() {
        if off_register(rows, opts.end) {
            continue;
        }
        for (k, kind) in [VisitKind::BphsHtn, VisitKind::BphsDm].iter().enumerate() {
            let mut in_window: Vec<&Visit> = rows
                .iter()
                .copied()
                .filter(|v| {
                    v.kind == *kind
                        && v.is_done()
                        && v.visit_date > window_start
                        && v.visit_date <= opts.end
                })
                .collect();
            if in_window.is_empty() {
                continue;
            }
            in_window.sort_by_key(|v| v.visit_date);
            let site = in_window
                .last()
                .map(|v| v.site_id.clone())
                .unwrap_or_default();
            let c = sites.entry(site).or_default();
            c.managed[k] += 1;
            let f2f = in_window
                .iter()
                .filter(|v| v.visit_date >= opts.start && v.mode == Some(VisitMode::FaceToFace))
                .count() as u32;
            if f2f >= need {
                c.standard[k] += 1;
            }
            let controlled = if *kind == VisitKind::BphsHtn {
                in_window
                    .iter()
                    .rev()
                    .find_map(|v| Some((v.sbp?, v.dbp?, v.age_at_visit())))
                    .is_some_and(|(s, d, age)| {
                        let sbp_target = if age.is_some_and(|a| a >= 65.0) {
                            150.0
                        } else {
                            140.0
                        };
                        s < sbp_target && d < 90.0
                    })
            } else {
                in_window
                    .iter()
                    .rev()
                    .find_map(|v| fbg_below_target(v.fbg))
                    .unwrap_or(false)
            };
            if controlled {
                c.controlled[k] += 1;
            }
        }
    }
    let mut out = Vec::new();
    let mut findings = Vec::new();
    for (site, c) in &sites {
        let area = opts.areas.get(site);
        let pop = area.and_then(|a| a.resident_adult_population);
        let est = |prev: Option<f64>| match (pop, prev) {
            (Some(p), Some(r)) => Some(p * r / 100.0),
            _ => None,
        };
        let ids = [
            (
                IND_BPHS_1,
                IND_BPHS_2,
                IND_BPHS_3,
                area.and_then(|a| a.htn_prevalence_pct),
            ),
            (
                IND_BPHS_4,
                IND_BPHS_5,
                IND_BPHS_6,
                area.and_then(|a| a.dm_prevalence_pct),
            ),
        ];
        for (k, (mgmt, std, ctrl, prev)) in ids.into_iter().enumerate() {
            let m = c.managed[k] as f64;
            for i in [
                Indicator::rate_opt(mgmt, "", m, est(prev)),
                Indicator::rate(std, "", c.standard[k] as f64, m),
                Indicator::rate(ctrl, "", c.controlled[k] as f64, m),
            ] {
                findings.extend(i.anomaly(&format!("site={site}")));
                out.push(BphsRow {
                    site_id: site.clone(),
                    indicator: i,
                });
            }
        }
    }
    (out, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn v(id: &str, date: &str, kind: VisitKind, mode: Option<VisitMode>) -> Visit {
        Visit {
            id: id.into(),
            site_id: "S1".into(),
            visit_date: d(date),
            kind,
            mode,
            sbp: None,
            dbp: None,
            fbg: Obs::Unknown,
            died: false,
            withdrawn: false,
            birth_date: None,
            age: None,
        }
    }

    #[test]
    fn bphs_9_required_visits() {
        assert_eq!(required_visits(4, 365), 4);
        assert_eq!(required_visits(4, 366), 4);
        assert_eq!(required_visits(4, 90), 1);
        assert_eq!(required_visits(4, 181), 2);
        assert_eq!(required_visits(4, 30), 1);
    }

    #[test]
    fn hand_computed_year() {
        use VisitKind::*;
        use VisitMode::*;
        let f = Some(FaceToFace);
        let mut rows = Vec::new();
        // H1: 4 face-to-face visits, latest 145/85 at age 66 → standardised, controlled.
        for (i, m) in ["02", "05", "08", "11"].iter().enumerate() {
            let mut x = v("H1", &format!("2025-{m}-10"), BphsHtn, f);
            x.sbp = Some(150.0 + i as f64);
            x.dbp = Some(85.0);
            x.birth_date = Some(d("1959-01-01"));
            rows.push(x);
        }
        rows.last_mut().unwrap().sbp = Some(145.0);
        // H2: 3 face-to-face visits + a later phone call without BP; latest measured
        // 145/85 at age 64 → not standardised, not controlled.
        for m in ["03", "06", "09"] {
            let mut x = v("H2", &format!("2025-{m}-01"), BphsHtn, f);
            x.sbp = Some(145.0);
            x.dbp = Some(85.0);
            x.age = Some(64.0);
            rows.push(x);
        }
        rows.push(v("H2", "2025-12-01", BphsHtn, Some(Phone)));
        // H3: seen once by phone, never measured → managed, lost to follow-up (not controlled).
        rows.push(v("H3", "2025-04-01", BphsHtn, Some(Phone)));
        // H4: visited, then died → off the register.
        rows.push(v("H4", "2025-02-01", BphsHtn, f));
        let mut died = v("H4", "2025-06-01", BphsHtn, None);
        died.died = true;
        rows.push(died);
        // H5: withdrawn, then came back → on the register.
        let mut w = v("H5", "2025-03-01", BphsHtn, None);
        w.withdrawn = true;
        rows.push(w);
        let mut back = v("H5", "2025-07-01", BphsHtn, f);
        back.sbp = Some(120.0);
        back.dbp = Some(70.0);
        rows.push(back);
        // D1: diabetes, latest fbg 126 mg/dL → not controlled; earlier 6.0 mmol/L.
        let mut a = v("D1", "2025-03-01", BphsDm, f);
        a.fbg = Obs::Known(Conc::mmol(6.0));
        let mut b = v("D1", "2025-09-01", BphsDm, f);
        b.fbg = Obs::Known(Conc::mgdl(126.0));
        rows.extend([a, b]);
        let mut areas = BTreeMap::new();
        areas.insert(
            "S1".to_string(),
            AreaParams {
                resident_adult_population: Some(100.0),
                htn_prevalence_pct: Some(2.0),
                dm_prevalence_pct: None,
            },
        );
        let opts = BphsOptions {
            start: d("2025-01-01"),
            end: d("2025-12-31"),
            min_visits: 4,
            areas,
        };
        let (out, findings) = bphs_indicators(&rows, &opts);
        let get = |id: &str| {
            out.iter()
                .find(|r| r.indicator.id == id)
                .unwrap()
                .indicator
                .clone()
        };
        // Managed hypertensives: H1, H2, H3, H5 = 4; estimated 100 × 2 % = 2 → 200 %.
        assert_eq!(get(IND_BPHS_1).numerator, 4.0);
        assert_eq!(get(IND_BPHS_1).denominator, Some(2.0));
        assert_eq!(get(IND_BPHS_1).value, Some(200.0));
        assert_eq!(findings.len(), 1);
        // Standardised: H1 only → 25 %.
        assert_eq!(get(IND_BPHS_2).value, Some(25.0));
        // Controlled: H1 (145/85 at 66) and H5 (120/70) → 50 %.
        assert_eq!(get(IND_BPHS_3).value, Some(50.0));
        // Diabetes: 1 managed, estimated unknown → None; not standardised; not controlled.
        assert_eq!(get(IND_BPHS_4).value, None);
        assert_eq!(get(IND_BPHS_5).value, Some(0.0));
        assert_eq!(get(IND_BPHS_6).value, Some(0.0));
    }
}
