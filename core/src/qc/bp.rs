//! Blood-pressure protocol rules (spec/domain.md §12.6, BP-5…BP-10).
//!
//! Per record ([`super::check`]): DQ-BP-1 (a reading with SBP ≤ DBP), DQ-BP-3 (too
//! few valid readings), DQ-BP-4 (third reading required but absent), DQ-BP-6 (final
//! values without readings), DQ-BP-7 (final values disagree with the readings). These
//! are protocol findings: they mask nothing (BP-9 already excludes invalid readings
//! from averaging, and BP-8 leaves the derived BP unknown when too few remain).
//!
//! Site level: DQ-BP-5 digit preference, a streaming accumulator
//! ([`DigitPreference`]) fed with every record of a site and period; its findings are
//! reported per site, never written to a row's `qc_findings`.
//!
//! Not evaluable: DQ-BP-2 (readings out of chronological order or with identical
//! timestamps) needs reading timestamps, which the exchange format does not carry;
//! it is not run and not declared in the registry.

use super::{fmt_conv, QcReport};
use crate::finding::{fmt_num, Finding, Severity};
use crate::profile::Profile;
use crate::record::{BpProtocol, BpSource, DerivedBp, ScreeningRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::define_rules! {
    DQ_BP_1 = "DQ-BP-1", "qc", [ConfirmedP], "domain.md §12.6 DQ-BP-1, DQ-XF-1; S19",
        "A reading with SBP ≤ DBP", "单次读数收缩压≤舒张压";
    DQ_BP_3 = "DQ-BP-3", "qc", [Decision], "domain.md §12.6 DQ-BP-3, BP-8, BP-10",
        "Fewer than `min_readings` valid readings on a record that supplies readings",
        "提供了血压读数但有效读数少于规定次数";
    DQ_BP_4 = "DQ-BP-4", "qc", [Decision], "domain.md §12.6 DQ-BP-4, BP-3, BP-4, BP-5",
        "The first two readings differ by more than 10 mmHg but there is no third reading",
        "前两次读数相差超过 10 mmHg 但没有第三次读数";
    DQ_BP_5 = "DQ-BP-5", "qc", [Decision], "domain.md §12.6 DQ-BP-5",
        "Site-level digit preference: share of readings ending in 0 or 5 above the threshold",
        "筛查点尾数偏好：末位为 0 或 5 的读数比例超过阈值";
    DQ_BP_6 = "DQ-BP-6", "qc", [Decision], "domain.md §12.6 DQ-BP-6, BP-10",
        "Final SBP/DBP supplied without readings", "仅提供最终血压值，未提供读数";
    DQ_BP_7 = "DQ-BP-7", "qc", [Decision], "domain.md §12.6 DQ-BP-7, BP-10",
        "Final SBP/DBP differ from the mean of the readings by more than 1 mmHg",
        "最终血压值与读数平均值相差超过 1 mmHg";
}

/// DQ-BP-7 tolerance, mmHg.
pub const FINAL_TOLERANCE_MMHG: f64 = 1.0;

/// Runs DQ-BP-1, -3, -4, -6, -7 on a record.
/// `bp` is the record's derived BP under `profile`.
pub(crate) fn run(rec: &ScreeningRecord, profile: &Profile, bp: &DerivedBp, out: &mut QcReport) {
    // DQ-BP-1.
    for (i, r) in rec.readings.iter().enumerate() {
        if let (Some(s), Some(d)) = (r.sbp, r.dbp) {
            if s.0 <= d.0 {
                let n = i + 1;
                out.push(Finding::new(
                    DQ_BP_1,
                    Severity::Reject,
                    format!("sbp_{n}"),
                    Some(fmt_num(s.0)),
                    format!(
                        "reading {n}: `sbp_{n}` {} mmHg ≤ `dbp_{n}` {} mmHg; the reading is excluded",
                        fmt_num(s.0),
                        fmt_num(d.0)
                    ),
                    format!(
                        "第 {n} 次读数：`sbp_{n}` {} mmHg ≤ `dbp_{n}` {} mmHg；该读数不予采用",
                        fmt_num(s.0),
                        fmt_num(d.0)
                    ),
                ));
            }
        }
    }
    match bp.source {
        BpSource::Readings => {
            // DQ-BP-3.
            let min = profile.min_readings.max(1);
            if bp.valid_readings < min {
                out.push(Finding::new(
                    DQ_BP_3,
                    Severity::Reject,
                    "sbp_1",
                    Some(bp.valid_readings.to_string()),
                    format!(
                        "{} valid BP reading(s) (`sbp_n`/`dbp_n`), at least {min} required: the derived BP is unknown",
                        bp.valid_readings
                    ),
                    format!("有效血压读数（`sbp_n`/`dbp_n`）{} 次，至少需要 {min} 次：血压按未知处理", bp.valid_readings),
                ));
            }
            // DQ-BP-4.
            if bp.third_reading_missing {
                let which_en = match bp.protocol {
                    BpProtocol::Cn2024MeanOf2Or3 => "SBP or DBP",
                    _ => "SBP",
                };
                let which_zh = match bp.protocol {
                    BpProtocol::Cn2024MeanOf2Or3 => "收缩压或舒张压",
                    _ => "收缩压",
                };
                out.push(Finding::new(
                    DQ_BP_4,
                    Severity::Warn,
                    "sbp_3",
                    None,
                    format!(
                        "the {which_en} of the first two valid readings differ by more than 10 mmHg but `sbp_3`/`dbp_3` gives no further valid reading; the mean of the two is used"
                    ),
                    format!("前两次有效读数的{which_zh}相差超过 10 mmHg，但 `sbp_3`/`dbp_3` 无有效的第三次读数；采用两次平均值"),
                ));
            }
            // DQ-BP-7.
            for (col, fin, der) in [("sbp", rec.sbp, bp.sbp), ("dbp", rec.dbp, bp.dbp)] {
                if let (Some(f), Some(d)) = (fin, der) {
                    let diff = (f.0 - d.0).abs();
                    if diff > FINAL_TOLERANCE_MMHG || diff.is_nan() {
                        out.push(Finding::new(
                            DQ_BP_7,
                            Severity::Warn,
                            col,
                            Some(fmt_num(f.0)),
                            format!(
                                "`{col}` is {} mmHg but the mean of the readings is {} mmHg (difference > 1 mmHg); the readings are used",
                                fmt_num(f.0),
                                fmt_conv(d.0)
                            ),
                            format!(
                                "`{col}` 为 {} mmHg，而读数平均值为 {} mmHg（相差 > 1 mmHg）；采用读数",
                                fmt_num(f.0),
                                fmt_conv(d.0)
                            ),
                        ));
                    }
                }
            }
        }
        BpSource::Final => {
            // DQ-BP-6.
            let shown =
                |v: Option<crate::units::MmHg>| v.map_or("empty".to_string(), |v| fmt_num(v.0));
            out.push(Finding::new(
                DQ_BP_6,
                Severity::Info,
                "sbp",
                rec.sbp.map(|v| fmt_num(v.0)),
                format!(
                    "only the final `sbp` {} / `dbp` {} were supplied, no readings `sbp_n`/`dbp_n`",
                    shown(rec.sbp),
                    shown(rec.dbp)
                ),
                format!(
                    "仅提供最终血压 `sbp` {} / `dbp` {}，未提供读数 `sbp_n`/`dbp_n`",
                    shown(rec.sbp),
                    shown(rec.dbp)
                ),
            ));
        }
        BpSource::None => {}
    }
}

/// Options of the DQ-BP-5 digit-preference check.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DigitPreferenceOptions {
    /// `digit_pref_threshold`: a share of last digits 0 or 5 **above** this warns
    /// (default 0.40; expected ≈ 0.20 for electronic devices).
    pub threshold: f64,
    /// `digit_pref_min_n`: minimum number of readings before a site is judged
    /// (default 100).
    pub min_n: u64,
}

impl Default for DigitPreferenceOptions {
    fn default() -> Self {
        DigitPreferenceOptions {
            threshold: 0.40,
            min_n: 100,
        }
    }
}

/// DQ-BP-5: streaming digit-preference accumulator, one counter pair per site.
///
/// Feed every record of one reporting period with [`DigitPreference::add_record`]
/// (or single values with [`DigitPreference::add_reading`]), then call
/// [`DigitPreference::findings`]. Use one accumulator per period ("over ≥ 100
/// readings in the period"). Memory is two counters per site.
///
/// \[DECISION\] Every finite SBP and DBP value entered counts (readings `sbp_n`/`dbp_n`,
/// or the final `sbp`/`dbp` when a record has no readings): digit preference is a
/// property of how values were written down, so out-of-range or invalid readings
/// count too. A value's last digit is that of its nearest integer. Records without
/// a `site_id` are grouped under the empty site.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DigitPreference {
    options: DigitPreferenceOptions,
    /// site → (readings, readings ending in 0 or 5).
    sites: BTreeMap<String, (u64, u64)>,
}

impl DigitPreference {
    /// An empty accumulator with `options`.
    pub fn new(options: DigitPreferenceOptions) -> Self {
        DigitPreference {
            options,
            sites: BTreeMap::new(),
        }
    }

    /// Counts one BP value for `site`. Non-finite values are ignored.
    pub fn add_reading(&mut self, site: &str, value: f64) {
        if !value.is_finite() {
            return;
        }
        let last = (value.round() % 10.0).abs();
        let hit = last == 0.0 || last == 5.0;
        let e = match self.sites.get_mut(site) {
            Some(e) => e,
            None => self.sites.entry(site.to_string()).or_default(),
        };
        e.0 += 1;
        e.1 += u64::from(hit);
    }

    /// Counts every BP value of a record under its `site_id`.
    pub fn add_record(&mut self, rec: &ScreeningRecord) {
        let site = rec.site_id.as_deref().unwrap_or("");
        let has_readings = rec
            .readings
            .iter()
            .any(|r| r.sbp.is_some() || r.dbp.is_some());
        if has_readings {
            for r in &rec.readings {
                for v in [r.sbp, r.dbp].into_iter().flatten() {
                    self.add_reading(site, v.0);
                }
            }
        } else {
            for v in [rec.sbp, rec.dbp].into_iter().flatten() {
                self.add_reading(site, v.0);
            }
        }
    }

    /// `(readings, readings ending in 0 or 5)` counted for `site`.
    pub fn counts(&self, site: &str) -> (u64, u64) {
        self.sites.get(site).copied().unwrap_or((0, 0))
    }

    /// Site-level `Warn` findings (field `site_id`, value the site), in site order,
    /// for every site with at least `min_n` readings whose share of last digits 0 or
    /// 5 exceeds `threshold`.
    pub fn findings(&self) -> Vec<Finding> {
        let o = self.options;
        self.sites
            .iter()
            .filter(|(_, (n, _))| *n > 0 && *n >= o.min_n)
            .filter_map(|(site, (n, k))| {
                let share = *k as f64 / *n as f64;
                (share > o.threshold).then(|| {
                    let pct = fmt_conv(share * 100.0);
                    let thr = fmt_conv(o.threshold * 100.0);
                    Finding::new(
                        DQ_BP_5,
                        Severity::Warn,
                        "site_id",
                        Some(site.clone()),
                        format!(
                            "site `{site}`: {k} of {n} BP readings ({pct} %) end in 0 or 5, above {thr} % (digit preference)"
                        ),
                        format!("筛查点 `{site}`：{n} 个血压读数中 {k} 个（{pct}%）末位为 0 或 5，超过 {thr}%（尾数偏好）"),
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use crate::qc::check;

    #[test]
    fn dq_bp_1_reading_sbp_not_above_dbp() {
        let f = ids(&rec(&[("sbp_2", "82"), ("dbp_2", "82")]), DQ_BP_1);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "sbp_2");
        assert_eq!(f[0].severity, Severity::Reject);
        assert!(ids(&rec(&[("sbp_2", "83"), ("dbp_2", "82")]), DQ_BP_1).is_empty());
    }

    #[test]
    fn dq_bp_3_too_few_valid_readings() {
        // Reading 2 out of range → one valid reading.
        let f = ids(&rec(&[("sbp_2", "300")]), DQ_BP_3);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Reject);
        // Only one reading supplied.
        assert_eq!(ids(&rec(&[("sbp_2", ""), ("dbp_2", "")]), DQ_BP_3).len(), 1);
        // min_readings 1 accepts it.
        let p = Profile {
            min_readings: 1,
            ..Profile::default()
        };
        assert!(with_id(&rec(&[("sbp_2", ""), ("dbp_2", "")]), &p, DQ_BP_3).is_empty());
        // Final values only: DQ-BP-3 does not apply (BP-10).
        let r = rec(&[
            ("sbp_1", ""),
            ("dbp_1", ""),
            ("sbp_2", ""),
            ("dbp_2", ""),
            ("sbp", "130"),
            ("dbp", "80"),
        ]);
        assert!(ids(&r, DQ_BP_3).is_empty());
    }

    #[test]
    fn dq_bp_4_third_reading_missing_both_sides() {
        // |130 − 140| = 10: not > 10 → no third reading needed.
        assert!(ids(&rec(&[("sbp_2", "140")]), DQ_BP_4).is_empty());
        let f = ids(&rec(&[("sbp_2", "140.5")]), DQ_BP_4);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(f[0].field, "sbp_3");
        // With a third reading: nothing.
        assert!(ids(
            &rec(&[("sbp_2", "150"), ("sbp_3", "148"), ("dbp_3", "80")]),
            DQ_BP_4
        )
        .is_empty());
        // BP-9 example: (300, 80), (150, 90), (162, 88) → DQ-BP-4.
        let r = rec(&[
            ("sbp_1", "300"),
            ("sbp_2", "150"),
            ("dbp_2", "90"),
            ("sbp_3", "162"),
            ("dbp_3", "88"),
        ]);
        assert_eq!(ids(&r, DQ_BP_4).len(), 1);
        // Cn2024: DBP gap counts too.
        let p = Profile {
            bp_protocol: BpProtocol::Cn2024MeanOf2Or3,
            ..Profile::default()
        };
        assert_eq!(with_id(&rec(&[("dbp_2", "93")]), &p, DQ_BP_4).len(), 1);
        assert!(ids(&rec(&[("dbp_2", "93")]), DQ_BP_4).is_empty());
    }

    #[test]
    fn dq_bp_6_final_values_only_is_info() {
        let r = rec(&[
            ("sbp_1", ""),
            ("dbp_1", ""),
            ("sbp_2", ""),
            ("dbp_2", ""),
            ("sbp", "130"),
            ("dbp", "80"),
        ]);
        let q = check(&r, &Profile::default());
        assert_eq!(q.rule_ids(), vec![DQ_BP_6]);
        assert_eq!(q.status(), crate::qc::QcStatus::Ok);
    }

    #[test]
    fn dq_bp_7_final_values_disagree_both_sides() {
        // Readings 130/80 and 132/82 → mean 131/81.
        assert!(ids(&rec(&[("sbp", "132"), ("dbp", "80")]), DQ_BP_7).is_empty());
        let f = ids(&rec(&[("sbp", "132.1"), ("dbp", "81")]), DQ_BP_7);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "sbp");
        let f = ids(&rec(&[("sbp", "131"), ("dbp", "79.9")]), DQ_BP_7);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "dbp");
    }

    #[test]
    fn dq_bp_5_digit_preference_threshold_and_min_n() {
        let mut dp = DigitPreference::default();
        // 99 readings all ending in 0: below min_n → nothing.
        for _ in 0..99 {
            dp.add_reading("S1", 120.0);
        }
        assert!(dp.findings().is_empty());
        dp.add_reading("S1", 125.0);
        let f = dp.findings();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].value.as_deref(), Some("S1"));
        assert_eq!(f[0].severity, Severity::Warn);
        // Exactly 40 % is not above 0.40.
        let mut dp = DigitPreference::default();
        for i in 0..100 {
            dp.add_reading("S2", if i < 40 { 130.0 } else { 131.0 });
        }
        assert!(dp.findings().is_empty());
        dp.add_reading("S2", 140.0);
        assert_eq!(dp.findings().len(), 1);
        assert_eq!(dp.counts("S2"), (101, 41));
    }

    #[test]
    fn dq_bp_5_add_record_and_options() {
        let mut dp = DigitPreference::new(DigitPreferenceOptions {
            threshold: 0.2,
            min_n: 4,
        });
        // Base record: 130, 80, 132, 82 → 2 of 4 end in 0.
        dp.add_record(&rec(&[]));
        assert_eq!(dp.counts("S1"), (4, 2));
        assert_eq!(dp.findings().len(), 1);
        dp.add_reading("S1", f64::NAN);
        assert_eq!(dp.counts("S1"), (4, 2));
    }
}
