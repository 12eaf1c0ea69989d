//! Record QC: unqualified records (不合格数据), spec/domain.md §12.
//!
//! [`check`] runs every record-level data-quality rule and returns the findings plus
//! the set of values that value-level findings made unknown (QC-USE-1). The rules
//! live one group per module:
//!
//! | module | rules |
//! |---|---|
//! | [`ranges`] | DQ-RANGE-1…18 (plausibility ranges, §12.3) |
//! | [`cross_field`] | DQ-XF-1…7 (§12.4) |
//! | [`bp`] | DQ-BP-1, -3, -4, -6, -7 per record; DQ-BP-5 site-level ([`bp::DigitPreference`]) |
//! | [`device`] | DQ-DEV-1…4 (§12.5) |
//! | [`programme`] | DQ-PRG-1, -2, -3, -8 per record; DQ-PRG-4, -6, -10 need context the record lacks |
//! | [`id_number`] | DQ-ID-1 (§12.8) |
//!
//! Rules that need more than one record or the high-risk status are not run by
//! [`check`]; the caller runs them and pushes their findings with [`QcReport::push`]:
//!
//! - DQ-PRG-4 [`programme::survey_incomplete`] after the high-risk evaluation;
//! - DQ-PRG-6 [`programme::DuplicateIndex`] built over the whole file first;
//! - DQ-PRG-10 [`programme::recorded_status_differs`] after the high-risk evaluation;
//! - DQ-BP-5 [`bp::DigitPreference`], a site-level accumulator (not a row finding).
//!
//! DQ-PARSE-1 is raised by the parser ([`crate::exchange::parse_record`]); the caller
//! merges those findings into the report.
//!
//! Not evaluable from a screening record: DQ-BP-2 (reading timestamps: the exchange
//! format has no timestamp columns) and DQ-PRG-7, -9 (barcodes, form completeness; see
//! [`programme`]); they are not declared in the registry until they are implemented.
//! DQ-PRG-5 and -11 need a person's follow-up visit rows: they are checked with the
//! DQ-VIS rules over the visit file ([`crate::visits`], `cvdscreen report --visits`).

pub mod bp;
pub mod cross_field;
pub mod device;
pub mod id_number;
pub mod programme;
pub mod ranges;

use crate::evaluated::FieldSet;
use crate::finding::{fmt_num, Finding, Severity};
use crate::profile::Profile;
use crate::record::ScreeningRecord;
use serde::{Deserialize, Serialize};

/// QC status of a record (csv-schema.md `qc_status`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QcStatus {
    /// No finding, or `Info` only.
    Ok,
    /// At least one `Warn`, no `Reject`.
    Warn,
    /// At least one `Reject`: an unqualified record.
    Reject,
}

impl QcStatus {
    /// `ok`, `warn`, `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            QcStatus::Ok => "ok",
            QcStatus::Warn => "warn",
            QcStatus::Reject => "reject",
        }
    }
}

/// Findings about one record and the values they made unknown.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QcReport {
    /// Every finding, in rule order.
    pub findings: Vec<Finding>,
    /// Values made unknown for evaluation (QC-USE-1).
    pub masked: FieldSet,
}

impl QcReport {
    /// `reject` if any finding is `Reject`, else `warn` if any is `Warn`, else `ok`.
    pub fn status(&self) -> QcStatus {
        match self.findings.iter().map(|f| f.severity).max() {
            Some(Severity::Reject) => QcStatus::Reject,
            Some(Severity::Warn) => QcStatus::Warn,
            _ => QcStatus::Ok,
        }
    }

    /// Rule ids, each once, sorted by byte order (csv-schema.md `qc_findings`).
    pub fn rule_ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = self.findings.iter().map(|f| f.rule_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Adds a finding.
    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }
}

/// The `RULES` of every module of this group, in check order (also walked by
/// [`crate::rules::all`]).
pub(crate) static RULE_SETS: &[&&[crate::rules::Rule]] = &[
    &ranges::RULES,
    &cross_field::RULES,
    &bp::RULES,
    &device::RULES,
    &programme::RULES,
    &id_number::RULES,
];

/// Every QC rule declared by the modules of this group, in check order.
pub fn rules() -> impl Iterator<Item = &'static crate::rules::Rule> {
    RULE_SETS.iter().flat_map(|s| s.iter())
}

/// Runs every record-level QC rule on one record, in a fixed order: ranges,
/// cross-field, blood-pressure protocol, device, programme, identity number.
///
/// Value-level findings (ranges, cross-field, unit disagreement) fill
/// [`QcReport::masked`]; record-level findings (programme, identity number,
/// protocol) never mask (QC-USE-1). Never panics, whatever the numbers (non-finite
/// values count as out of range).
pub fn check(record: &ScreeningRecord, profile: &Profile) -> QcReport {
    let bp = record.derived_bp(profile.bp_protocol, profile.min_readings);
    check_with_bp(record, profile, &bp)
}

/// As [`check`], with the record's derived BP under `profile` already computed
/// (`record.derived_bp(profile.bp_protocol, profile.min_readings)`), which several
/// checks read and the pipeline reuses for the evaluated record.
pub(crate) fn check_with_bp(
    record: &ScreeningRecord,
    profile: &Profile,
    bp: &crate::record::DerivedBp,
) -> QcReport {
    let mut report = QcReport::default();
    ranges::run(record, bp, &mut report);
    cross_field::run(record, bp, &mut report);
    bp::run(record, profile, bp, &mut report);
    device::run(record, profile, &mut report);
    programme::run(record, profile, &mut report);
    id_number::run(record, &mut report);
    report
}

/// `lo ≤ v ≤ hi`, false for NaN (closed intervals, §12.2).
pub(crate) fn within(v: f64, lo: f64, hi: f64) -> bool {
    v >= lo && v <= hi
}

/// A converted value for messages: at most four decimals, trailing zeros dropped.
pub(crate) fn fmt_conv(v: f64) -> String {
    if !v.is_finite() {
        return fmt_num(v);
    }
    conv_from_shortest(v).unwrap_or_else(|| fmt_conv_exact(v))
}

/// [`fmt_conv`] of a finite `v` through `core::fmt`'s exact rounding (`{v:.4}`).
#[cold]
fn fmt_conv_exact(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// [`fmt_conv`] from the shortest round-trip text `s` of `v` (`{v}`), without the
/// exact-decimal machinery of `{v:.4}`; `None` when that text cannot decide.
///
/// Below 10^9 the values that round to `v` span less than 10^-5, so at most one
/// five-decimal number `b` lies among them, and if one does, `s` (having the fewest
/// digits) is `b` itself. So unless `s` is such a midpoint `…dddd5`, `v` and `s` lie on
/// the same side of every midpoint between two four-decimal numbers, and rounding `s`
/// at the fourth decimal (its fifth digit decides) rounds `v` the same way. A midpoint
/// `s` (where `{v:.4}` looks at the exact binary value) is left to `core::fmt`.
fn conv_from_shortest(v: f64) -> Option<String> {
    if !v.is_finite() || v.abs() >= 1e9 {
        return None;
    }
    let mut s = String::new();
    crate::shortest::push(&mut s, v, 0);
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.as_str()),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    // The digits up to the fourth decimal, with `int.len()` of them before the point.
    let mut digits: Vec<u8> = Vec::with_capacity(int.len() + 5);
    digits.extend_from_slice(int.as_bytes());
    digits.extend_from_slice(&frac.as_bytes()[..frac.len().min(4)]);
    if frac.len() > 4 {
        let tail = &frac[4..];
        if tail == "5" {
            return None;
        }
        if tail.as_bytes()[0] >= b'5' {
            // Round up, carrying through nines (9.99996 → 10.0000).
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
    }
    let n_int = digits.len() - frac.len().min(4);
    // Trailing zeros of the decimals dropped, then the point when none is left.
    let mut end = digits.len();
    while end > n_int && digits[end - 1] == b'0' {
        end -= 1;
    }
    let zero = digits[..end].iter().all(|&d| d == b'0');
    let mut out = String::with_capacity(end + 2);
    // `{v:.4}` writes the sign of a negative value that rounds to zero ("-0.0000"),
    // which `fmt_conv` then writes as "0".
    if neg && !zero {
        out.push('-');
    }
    // ASCII digits only.
    out.push_str(std::str::from_utf8(&digits[..n_int]).unwrap_or_default());
    if end > n_int {
        out.push('.');
        out.push_str(std::str::from_utf8(&digits[n_int..end]).unwrap_or_default());
    }
    Some(out)
}

/// `parts` joined into one string (`[&str]::concat`, allocated once at its final
/// length): the messages' text without the `format!` machinery, the same bytes as
/// `format!` would write. A function, so that `&String` parts coerce to `&str`.
pub(crate) fn cat(parts: &[&str]) -> String {
    parts.concat()
}

/// Builds a finding whose value is a number.
pub(crate) fn num_finding(
    rule_id: &'static str,
    severity: Severity,
    field: &str,
    value: f64,
    en: String,
    zh: String,
) -> Finding {
    Finding::new(rule_id, severity, field, Some(fmt_num(value)), en, zh)
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Shared helpers for the QC tests.
    use crate::exchange::parse_pairs;
    use crate::finding::Finding;
    use crate::profile::Profile;
    use crate::record::ScreeningRecord;

    /// A complete, qualified record (every mandatory item, normal values).
    pub const BASE: &[(&str, &str)] = &[
        ("id", "A1"),
        ("site_id", "S1"),
        ("screen_date", "2025-05-10"),
        ("sex", "male"),
        ("age", "60"),
        ("sbp_1", "130"),
        ("dbp_1", "80"),
        ("sbp_2", "132"),
        ("dbp_2", "82"),
        ("height_cm", "170"),
        ("weight_kg", "70"),
        ("tc_mmol", "5.0"),
        ("hdl_mmol", "1.3"),
        ("ldl_mmol", "3.0"),
        ("tg_mmol", "1.5"),
        ("current_smoker", "0"),
        ("diabetes", "0"),
        ("history_mi", "0"),
        ("history_pci", "0"),
        ("history_cabg", "0"),
        ("history_ischaemic_stroke", "0"),
        ("history_haemorrhagic_stroke", "0"),
    ];

    /// The base record with `changes` applied (an empty value removes the column).
    pub fn rec(changes: &[(&str, &str)]) -> ScreeningRecord {
        let mut pairs: Vec<(String, String)> = BASE
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in changes {
            if !v.is_empty() {
                pairs.push((k.to_string(), v.to_string()));
            }
        }
        let (r, f) = parse_pairs(&pairs);
        assert!(f.is_empty(), "test record does not parse: {f:?}");
        r
    }

    /// Findings of `check` with rule `id`.
    pub fn with_id(r: &ScreeningRecord, p: &Profile, id: &str) -> Vec<Finding> {
        super::check(r, p)
            .findings
            .into_iter()
            .filter(|f| f.rule_id == id)
            .collect()
    }

    /// Findings of `check` with rule `id` under the default profile.
    pub fn ids(r: &ScreeningRecord, id: &str) -> Vec<Finding> {
        with_id(r, &Profile::default(), id)
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::*;
    use super::*;
    use crate::record::Reading;
    use crate::test_rng::xorshift64;
    use crate::units::{Cm, Kg, KgPerM2, MmHg, Years};
    use proptest::prelude::*;

    #[test]
    fn fmt_conv_is_the_exact_four_decimal_text() {
        // Midpoints (…5 at the fifth decimal, exact or not in binary), carries,
        // negatives rounding to zero, and values around the 10^9 cut.
        let mut vals = vec![
            0.0,
            -0.0,
            0.00005,
            -0.00005,
            0.00015,
            1.00005,
            2.67485,
            2.67495,
            9.99995,
            9.99996,
            -9.99996,
            99999.99996,
            0.000049999,
            -0.00004,
            1e-7,
            1e-300,
            123.456789,
            5.2,
            2.59,
            999_999_999.999_96,
            1e9,
            -1e9,
            1e9 + 0.5,
            4e8 + 0.00005,
            1.5e-5,
            2.5e-5,
        ];
        let mut r = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..300_000u32 {
            xorshift64(&mut r);
            let f = (r >> 11) as f64 / (1u64 << 53) as f64;
            // Converted values (x ÷ 38.67 and the like), random magnitudes, and exact
            // midpoints k·10^-5 with k odd·5 and their neighbours.
            vals.push(f * 1000.0 / 38.67);
            vals.push((f - 0.5) * 10f64.powi((r % 24) as i32 - 12));
            let mid = ((r % 2_000_000) as f64 * 2.0 + 1.0) * 5e-5;
            vals.push(mid);
            vals.push(f64::from_bits(mid.to_bits() + 1));
            vals.push(f64::from_bits(mid.to_bits() - 1));
            if i % 16 == 0 {
                vals.push(f64::from_bits(r));
            }
        }
        let mut fast = 0;
        for v in vals {
            assert_eq!(fmt_conv(v), fmt_conv_exact(v), "{v:e}");
            fast += usize::from(conv_from_shortest(v).is_some());
        }
        assert!(fast > 1_000_000, "{fast}");
    }

    #[test]
    fn base_record_is_qualified() {
        let r = rec(&[]);
        let q = check(&r, &Profile::default());
        assert!(q.findings.is_empty(), "{:?}", q.findings);
        assert_eq!(q.status(), QcStatus::Ok);
        assert!(q.masked.is_empty());
    }

    #[test]
    fn status_and_rule_ids_sorted_by_bytes() {
        let r = rec(&[("sbp_2", "400"), ("tc_mmol", "25")]);
        let q = check(&r, &Profile::default());
        assert_eq!(q.status(), QcStatus::Reject);
        let ids = q.rule_ids();
        let pos10 = ids.iter().position(|i| *i == ranges::DQ_RANGE_10).unwrap();
        let pos8 = ids.iter().position(|i| *i == ranges::DQ_RANGE_8).unwrap();
        assert!(pos10 < pos8);
    }

    #[test]
    fn qc_use_1_record_level_findings_do_not_mask() {
        // Age 30: DQ-PRG-1 (ineligible) but the age stays in use.
        let r = rec(&[("age", "30")]);
        let q = check(&r, &Profile::default());
        assert!(q.rule_ids().contains(&programme::DQ_PRG_1));
        assert!(q.masked.is_empty());
    }

    #[test]
    fn registry_lists_qc_rules_with_qc_set() {
        for r in rules() {
            assert_eq!(r.rule_set, "qc", "{}", r.id);
            assert!(
                crate::rules::get(r.id).is_some(),
                "{} not in registry",
                r.id
            );
        }
    }

    /// Every QC rule of the registry is raised by at least one scenario.
    #[test]
    fn every_qc_rule_is_raised_somewhere() {
        use std::collections::HashSet;
        let p = Profile::default();
        let mut seen: HashSet<&str> = HashSet::new();
        let scenarios: Vec<Vec<(&str, &str)>> = vec![
            vec![
                ("height_cm", "90"),
                ("weight_kg", "400"),
                ("waist_cm", "20"),
                ("hip_cm", "30"),
            ],
            vec![("bmi", "5"), ("height_cm", ""), ("weight_kg", "")],
            vec![("waist_cm", "100"), ("hip_cm", "300")],
            vec![("waist_cm", "30"), ("height_cm", "200")],
            vec![("sbp_2", "400"), ("dbp_2", "200")],
            vec![
                ("tc_mmol", "25"),
                ("hdl_mmol", "0.2"),
                ("ldl_mmol", "0.1"),
                ("tg_mmol", "30"),
            ],
            vec![
                ("fbg_mmol", "40"),
                ("hba1c_pct", "20"),
                ("creatinine_umol", "5000"),
                ("egfr", "1"),
            ],
            vec![("age", "130")],
            vec![("sbp_1", "80"), ("dbp_1", "90")],
            vec![("ldl_mmol", "6"), ("tc_mmol", "5")],
            vec![("hdl_mmol", "5.5"), ("tc_mmol", "5")],
            vec![("tc_mmol", "3"), ("ldl_mmol", "2.5"), ("hdl_mmol", "1.3")],
            vec![("bmi", "30")],
            vec![("tc_mgdl", "250")],
            vec![("birth_date", "1960-01-01")],
            vec![("hdl_mmol", ""), ("hdl_mgdl", "<15")],
            vec![("tg_mmol", "5")],
            vec![("fbg_mgdl", ">600")],
            vec![("tc_mmol", ""), ("tc_mgdl", "400")],
            vec![("sbp_3", ""), ("sbp_2", "150"), ("sbp_1", "130")],
            vec![
                ("sbp_1", ""),
                ("dbp_1", ""),
                ("sbp_2", ""),
                ("dbp_2", ""),
                ("sbp", "130"),
                ("dbp", "80"),
            ],
            vec![("sbp", "150"), ("dbp", "80")],
            vec![("sbp_2", "")],
            vec![
                ("age", "20"),
                ("consent", "0"),
                ("entry_date", "2025-06-01"),
                ("sex", ""),
            ],
            vec![("id_number", "110105194912310021")],
        ];
        for s in &scenarios {
            for f in check(&rec(s), &p).findings {
                seen.insert(f.rule_id);
            }
        }
        // Rules the caller runs with context.
        let r = rec(&[
            ("hr_exam_date", "2025-06-01"),
            ("ecg_done", "1"),
            ("high_risk_recorded", "no"),
        ]);
        seen.extend(programme::survey_incomplete(&r, Some(true)).map(|f| f.rule_id));
        seen.extend(programme::recorded_status_differs(&r, Some(true)).map(|f| f.rule_id));
        let idx = programme::DuplicateIndex::new([(Some("A1"), None), (Some("A1"), None)]);
        seen.extend(idx.duplicate_finding(&r).map(|f| f.rule_id));
        let mut dp = bp::DigitPreference::default();
        for _ in 0..100 {
            dp.add_reading("S1", 130.0);
        }
        seen.extend(dp.findings().into_iter().map(|f| f.rule_id));
        for r in rules() {
            assert!(seen.contains(r.id), "no test scenario raises {}", r.id);
        }
    }

    fn any_f64() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(0.0),
            Just(-0.0),
            any::<f64>(),
            -1000.0..1000.0f64,
        ]
    }

    fn opt_f64() -> impl Strategy<Value = Option<f64>> {
        prop::option::of(any_f64())
    }

    fn obs_f64() -> impl Strategy<Value = crate::value::Obs<f64>> {
        use crate::value::{Censor, Obs};
        prop_oneof![
            Just(Obs::Unknown),
            any_f64().prop_map(Obs::Known),
            any_f64().prop_map(|b| Obs::Censored {
                bound: b,
                dir: Censor::Below
            }),
            any_f64().prop_map(|b| Obs::Censored {
                bound: b,
                dir: Censor::Above
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// `check` never panics on arbitrary numbers (NaN, ±inf, negative) in every
        /// numeric field.
        #[test]
        fn check_never_panics(
            nums in prop::collection::vec(opt_f64(), 22),
            labs in prop::collection::vec(obs_f64(), 12),
            birth in prop::option::of(0i32..3000),
            ldev in any::<bool>(),
        ) {
            use crate::units::{MgDl, MmolL};
            let mut r = rec(&[("id_number", "11010519491231002X"), ("entry_date", "2025-05-11")]);
            r.age = nums[0].map(Years);
            for i in 0..3 {
                r.readings[i] = Reading { sbp: nums[1 + 2 * i].map(MmHg), dbp: nums[2 + 2 * i].map(MmHg) };
            }
            r.sbp = nums[7].map(MmHg);
            r.dbp = nums[8].map(MmHg);
            r.height_cm = nums[9].map(Cm);
            r.weight_kg = nums[10].map(Kg);
            r.waist_cm = nums[11].map(Cm);
            r.hip_cm = nums[12].map(Cm);
            r.bmi = nums[13].map(KgPerM2);
            r.egfr = nums[14];
            r.hba1c_pct = nums[15];
            r.creatinine_umol = nums[16];
            r.residence_months = nums[17];
            r.liquor_ml_per_day = nums[18];
            r.chd_onset_age = nums[19];
            r.tc.mmol = labs[0].map(MmolL::new);
            r.tc.mgdl = labs[1].map(MgDl::new);
            r.hdl.mmol = labs[2].map(MmolL::new);
            r.hdl.mgdl = labs[3].map(MgDl::new);
            r.ldl.mmol = labs[4].map(MmolL::new);
            r.ldl.mgdl = labs[5].map(MgDl::new);
            r.tg.mmol = labs[6].map(MmolL::new);
            r.tg.mgdl = labs[7].map(MgDl::new);
            r.fbg.mmol = labs[8].map(MmolL::new);
            r.fbg.mgdl = labs[9].map(MgDl::new);
            r.ldl_baseline.mmol = labs[10].map(MmolL::new);
            r.ldl_baseline.mgdl = labs[11].map(MgDl::new);
            r.birth_date = birth.and_then(|y| crate::date::Date::new(y, 2, 29).ok().or(crate::date::Date::new(y, 3, 1).ok()));
            if ldev {
                r.lipid_device = Some(crate::record::LipidDevice::Other("x".into()));
            }
            for p in [Profile::mpp_national(), Profile::mpp_2014_pilot()] {
                let q = check(&r, &p);
                let _ = q.status();
                let _ = programme::survey_incomplete(&r, Some(true));
                let _ = programme::recorded_status_differs(&r, Some(false));
            }
        }
    }
}

pub use programme::{DuplicateCounter, DuplicateFilter, DuplicateIndex, DuplicateIndexBuilder};

/// Rules that need the recomputed high-risk status or the batch: DQ-PRG-4
/// (incomplete high-risk survey), DQ-PRG-6 (duplicates) and DQ-PRG-10 (stored
/// status differs). Record-level findings: they never mask a value (QC-USE-1).
pub fn after_assessment(
    record: &ScreeningRecord,
    report: &mut QcReport,
    recomputed_high_risk: Option<bool>,
    duplicates: Option<&DuplicateIndex>,
) {
    if let Some(f) = programme::survey_incomplete(record, recomputed_high_risk) {
        report.push(f);
    }
    if let Some(f) = duplicates.and_then(|d| d.duplicate_finding(record)) {
        report.push(f);
    }
    if let Some(f) = programme::recorded_status_differs(record, recomputed_high_risk) {
        report.push(f);
    }
}
