//! Programme rules (spec/domain.md §12.7, \[DECISION\] unless marked).
//!
//! Run by [`super::check`] on every record: DQ-PRG-1 (age outside the profile's
//! eligibility range), DQ-PRG-2 (residence, household registration, consent),
//! DQ-PRG-3 (mandatory items missing), DQ-PRG-8 (entered after the visit). These are
//! record-level findings: they make the record unqualified (or put it on the review
//! list) but never mask a value (QC-USE-1).
//!
//! Run by the caller, because they need what one record does not carry:
//! - DQ-PRG-4 [`survey_incomplete`] needs the recomputed high-risk status;
//! - DQ-PRG-6 [`DuplicateIndex`] needs the whole file;
//! - DQ-PRG-10 [`recorded_status_differs`] needs the recomputed high-risk status.
//!
//! Out of scope for [`super::check`] (no screening-record columns):
//! DQ-PRG-5 (follow-up dated before the high-risk exam, short-term window) and
//! DQ-PRG-11 (long-term follow-up before its earliest date) concern follow-up visit
//! records and are checked over the visit file ([`crate::visits`]); DQ-PRG-7 (barcode binding and coding rule) needs the platform's barcode
//! tables; DQ-PRG-9 (questionnaire completeness of six forms) is a site-level
//! indicator over forms the exchange format does not carry. Those two are not
//! declared in the registry until implemented.
//!
//! The once-per-file Info notices of DQ-PRG-3 / DQ-PRG-4 (a column absent from the
//! whole file) belong to the file summary, not to a row, and are not produced here.

use super::QcReport;
use crate::criteria::eligibility;
use crate::exchange::Col;
use crate::finding::{fmt_num, Finding, Severity};
use crate::profile::{EligibilityVersion, Profile};
use crate::record::ScreeningRecord;
use std::collections::HashSet;

crate::define_rules! {
    DQ_PRG_1 = "DQ-PRG-1", "qc", [Decision], "domain.md §12.7 DQ-PRG-1; §3 ELIG-NAT-1, ELIG-2014-1",
        "Age outside the eligibility range of the profile on the screening date",
        "筛查日期时年龄不在项目方案规定的筛查对象年龄范围内";
    DQ_PRG_2 = "DQ-PRG-2", "qc", [Decision], "domain.md §12.7 DQ-PRG-2; §3 ELIG-NAT-2/3, ELIG-2014-2/3",
        "Not a local resident (residence ≤ 6 months; household registration not local) or no consent",
        "非本地居民（居住不超过 6 个月；户籍不符）或未签署知情同意";
    DQ_PRG_3 = "DQ-PRG-3", "qc", [Decision], "domain.md §12.7 DQ-PRG-3",
        "A mandatory initial-screening item is missing", "初筛必填项目缺失";
    DQ_PRG_4 = "DQ-PRG-4", "qc", [Decision], "domain.md §12.7 DQ-PRG-4; §8.1 HRS-8; S2",
        "High-risk person with an examination date but an incomplete high-risk survey",
        "高危对象已有调查日期，但高危调查项目未全部完成";
    DQ_PRG_6 = "DQ-PRG-6", "qc", [ConfirmedP, Decision], "domain.md §12.7 DQ-PRG-6; S2",
        "Duplicate person: the same id or identity number appears on more than one record",
        "重复对象：同一编号或身份证号出现在多条记录中";
    DQ_PRG_8 = "DQ-PRG-8", "qc", [Decision], "domain.md §12.7 DQ-PRG-8; DQ-CTX-2",
        "Data entered after the visit day", "数据录入日期晚于筛查日期";
    DQ_PRG_10 = "DQ-PRG-10", "qc", [Decision], "domain.md §12.7 DQ-PRG-10",
        "The high-risk status stored in the record differs from the recomputed status",
        "记录中的高危状态与重新计算的结果不一致";
}

/// Runs DQ-PRG-1, -2, -3, -8 on a record.
pub(crate) fn run(rec: &ScreeningRecord, profile: &Profile, out: &mut QcReport) {
    eligibility_age(rec, profile, out);
    residence_consent(rec, profile, out);
    mandatory_items(rec, profile, out);
    entry_date(rec, out);
}

fn version_name(v: EligibilityVersion) -> &'static str {
    match v {
        EligibilityVersion::Elig2014 => "elig-2014",
        EligibilityVersion::EligNational => "elig-national",
    }
}

/// DQ-PRG-1.
fn eligibility_age(rec: &ScreeningRecord, profile: &Profile, out: &mut QcReport) {
    // An age rejected by DQ-RANGE-18 is unknown: nothing to compare.
    if out.masked.contains(crate::evaluated::Field::Age) {
        return;
    }
    let ver = version_name(profile.eligibility);
    match profile.eligibility {
        EligibilityVersion::EligNational => {
            let Some(a) = rec.age_info() else { return };
            if !a.years.is_finite() {
                return;
            }
            let y = a.completed;
            if !eligibility::national_age_eligible(y) {
                let (field, src_en, src_zh) = if a.from_birth_date {
                    (
                        "birth_date",
                        "from `birth_date` at `screen_date`",
                        "由 `birth_date` 推算至 `screen_date`",
                    )
                } else {
                    ("age", "from `age`", "据 `age`")
                };
                out.push(Finding::new(
                    DQ_PRG_1,
                    Severity::Reject,
                    field,
                    Some(y.to_string()),
                    format!("age {y} completed years ({src_en}) is outside 35–75 years ({ver}): not eligible"),
                    format!("年龄 {y} 周岁（{src_zh}）不在 35–75 岁范围内（{ver}）：不符合筛查对象条件"),
                ));
            }
        }
        EligibilityVersion::Elig2014 => {
            // ELIG-2014-1: Y−75 ≤ birth_year ≤ Y−40, Y the screening year.
            let Some(s) = rec.screen_date else { return };
            let yr = s.year();
            let (lo, hi) = eligibility::birth_year_window(yr);
            let (field, shown, years): (&str, String, Vec<i32>) = match (rec.birth_date, rec.age) {
                (Some(b), _) => ("birth_date", b.to_string(), vec![b.year()]),
                (None, Some(a)) if a.0.is_finite() && a.0.abs() < 1e6 => {
                    let c = a.0.floor() as i32;
                    (
                        "age",
                        fmt_num(a.0),
                        eligibility::birth_years_from_age(yr, c).to_vec(),
                    )
                }
                _ => return,
            };
            // Fires only when every compatible birth year is outside (TV-2).
            if years.iter().all(|by| *by < lo || *by > hi) {
                let by = if years.len() == 1 {
                    years[0].to_string()
                } else {
                    format!("{} or {}", years[0], years[1])
                };
                let by_zh = by.replace(" or ", " 或 ");
                out.push(Finding::new(
                    DQ_PRG_1,
                    Severity::Reject,
                    field,
                    Some(shown.clone()),
                    format!("`{field}` {shown} gives birth year {by}, outside {lo}–{hi} for screening year {yr} ({ver}): not eligible"),
                    format!("`{field}` {shown} 对应出生年份 {by_zh}，不在筛查年份 {yr} 的 {lo}–{hi} 范围内（{ver}）：不符合筛查对象条件"),
                ));
            }
        }
    }
}

/// DQ-PRG-2. A column absent from the source is never a per-row finding, and an
/// empty cell is unknown (no finding): only a recorded value can fail.
fn residence_consent(rec: &ScreeningRecord, profile: &Profile, out: &mut QcReport) {
    let present = |c: Col, has_value: bool| rec.has_column(c) || has_value;
    let ver = version_name(profile.eligibility);
    match profile.eligibility {
        EligibilityVersion::EligNational => {
            if let Some(m) = rec
                .residence_months
                .filter(|_| present(Col::ResidenceMonths, true))
            {
                let min = profile.min_residence_months_exclusive;
                if m <= min || m.is_nan() {
                    out.push(Finding::new(
                        DQ_PRG_2,
                        Severity::Reject,
                        "residence_months",
                        Some(fmt_num(m)),
                        format!(
                            "`residence_months` is {}: residence must exceed {} months ({ver}): not eligible",
                            fmt_num(m),
                            fmt_num(min)
                        ),
                        format!("`residence_months` 为 {}：居住时间须超过 {} 个月（{ver}）：不符合筛查对象条件", fmt_num(m), fmt_num(min)),
                    ));
                }
            }
        }
        EligibilityVersion::Elig2014 => {
            if rec.hukou_local == Some(false) && present(Col::HukouLocal, true) {
                out.push(Finding::new(
                    DQ_PRG_2,
                    Severity::Reject,
                    "hukou_local",
                    Some("0".into()),
                    format!("`hukou_local` is 0: household registration, residence and site do not coincide ({ver}): not eligible"),
                    format!("`hukou_local` 为 0：户籍、居住地与项目点不一致（{ver}）：不符合筛查对象条件"),
                ));
            }
        }
    }
    if rec.consent == Some(false) && present(Col::Consent, true) {
        out.push(Finding::new(
            DQ_PRG_2,
            Severity::Reject,
            "consent",
            Some("0".into()),
            "`consent` is 0: no signed informed consent: not eligible",
            "`consent` 为 0：未签署知情同意书：不符合筛查对象条件",
        ));
    }
}

fn missing(out: &mut QcReport, field: &str, en: &str, zh: &str) {
    out.push(Finding::new(
        DQ_PRG_3,
        Severity::Reject,
        field,
        None,
        super::cat(&["mandatory item missing: ", en]),
        super::cat(&["必填项目缺失：", zh]),
    ));
}

/// Empty or white space only (`s.trim().is_empty()`); a text starting with a visible
/// ASCII character, as ids do, is decided by its first byte.
fn blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.trim().is_empty(),
    }
}

/// DQ-PRG-3: one finding per missing item, naming the column.
fn mandatory_items(rec: &ScreeningRecord, profile: &Profile, out: &mut QcReport) {
    if rec.id.as_deref().is_none_or(blank) {
        missing(out, "id", "`id`", "`id`");
    }
    if rec.sex.is_none() {
        missing(out, "sex", "`sex`", "`sex`");
    }
    if rec.age.is_none() && rec.birth_date.is_none() {
        missing(out, "age", "`age` or `birth_date`", "`age` 或 `birth_date`");
    }
    if rec.screen_date.is_none() {
        missing(out, "screen_date", "`screen_date`", "`screen_date`");
    }
    let pairs = rec
        .readings
        .iter()
        .filter(|r| r.sbp.is_some() && r.dbp.is_some())
        .count();
    let min = usize::from(profile.min_readings.max(1));
    if pairs < min && !(rec.sbp.is_some() && rec.dbp.is_some()) {
        let en = format!(
            "at least {min} BP readings (`sbp_n` and `dbp_n`) or the final `sbp` and `dbp`"
        );
        let zh = format!("至少 {min} 次血压读数（`sbp_n` 和 `dbp_n`）或最终 `sbp` 和 `dbp`");
        missing(out, "sbp_1", &en, &zh);
    }
    if rec.height_cm.is_none() {
        missing(out, "height_cm", "`height_cm`", "`height_cm`");
    }
    if rec.weight_kg.is_none() {
        missing(out, "weight_kg", "`weight_kg`", "`weight_kg`");
    }
    let not_done = rec
        .lipid_not_done_reason
        .as_deref()
        .is_some_and(|s| !blank(s));
    if !not_done {
        for (base, present) in [
            ("tc", rec.tc.reported().is_present()),
            ("hdl", rec.hdl.reported().is_present()),
        ] {
            if !present {
                missing(
                    out,
                    &format!("{base}_mmol"),
                    &format!("`{base}_mmol` or `{base}_mgdl` (numeric or censored), or `lipid_not_done_reason`"),
                    &format!("`{base}_mmol` 或 `{base}_mgdl`（数值或截断值），或 `lipid_not_done_reason`"),
                );
            }
        }
    }
    if rec.smoker_status().is_none() {
        missing(
            out,
            "current_smoker",
            "`current_smoker` (or a `smoking_quit_date` that decides it)",
            "`current_smoker`（或可据以判断的 `smoking_quit_date`）",
        );
    }
    if rec.diabetes_status().is_none() {
        missing(
            out,
            "diabetes",
            "`diabetes` (or `glucose_treated` = 1)",
            "`diabetes`（或 `glucose_treated` = 1）",
        );
    }
    for (col, v) in [
        ("history_mi", rec.history_mi),
        ("history_pci", rec.history_pci),
        ("history_cabg", rec.history_cabg),
        ("history_ischaemic_stroke", rec.history_ischaemic_stroke),
        (
            "history_haemorrhagic_stroke",
            rec.history_haemorrhagic_stroke,
        ),
    ] {
        if v.is_none() {
            let c = format!("`{col}`");
            missing(out, col, &c, &c);
        }
    }
    // Profile extras (MEAS-4, MEAS-6). Unrecognised names are ignored.
    for item in &profile.mandatory_extra_items {
        match item.as_str() {
            "waist_cm" if rec.waist_cm.is_none() => {
                missing(out, "waist_cm", "`waist_cm`", "`waist_cm`")
            }
            "fbg" | "fbg_mmol" | "fbg_mgdl" if rec.fbg.reported().is_unknown() => missing(
                out,
                "fbg_mmol",
                "`fbg_mmol` or `fbg_mgdl` (numeric or censored)",
                "`fbg_mmol` 或 `fbg_mgdl`（数值或截断值）",
            ),
            _ => {}
        }
    }
}

/// DQ-PRG-8.
fn entry_date(rec: &ScreeningRecord, out: &mut QcReport) {
    if let (Some(e), Some(s)) = (rec.entry_date, rec.screen_date) {
        if e > s {
            out.push(Finding::new(
                DQ_PRG_8,
                Severity::Warn,
                "entry_date",
                Some(e.to_string()),
                format!("`entry_date` {e} is later than `screen_date` {s}: data must be entered on the visit day"),
                format!("`entry_date` {e} 晚于 `screen_date` {s}：数据应在筛查当日录入"),
            ));
        }
    }
}

/// The seven high-risk survey items of HRS-8, as `(column, value)`.
fn survey_items(rec: &ScreeningRecord) -> [(Col, Option<bool>); 7] {
    [
        (Col::HrQuestionnaireDone, rec.hr_questionnaire_done),
        (Col::HrChecklistDone, rec.hr_checklist_done),
        (Col::EcgDone, rec.ecg_done),
        (Col::CarotidUsDone, rec.carotid_us_done),
        (Col::EchoDone, rec.echo_done),
        (Col::BloodSampleDone, rec.blood_sample_done),
        (Col::UrineSampleDone, rec.urine_sample_done),
    ]
}

/// DQ-PRG-4: "incomplete high-risk survey" (`Warn`).
///
/// Run after the high-risk evaluation with the recomputed status
/// (`Some(true)` = `HighRisk`, `Some(false)` = `NotHighRisk`, `None` =
/// `Indeterminate`). Returns a finding when the status is `HighRisk`, `hr_exam_date`
/// is filled (a survey not yet held is pending, not incomplete) and any of the seven
/// HRS-8 items (`hr_questionnaire_done`, `hr_checklist_done`, `ecg_done`,
/// `carotid_us_done`, `echo_done`, `blood_sample_done`, `urine_sample_done`) is not
/// 1 (an empty cell counts as not done). Not evaluated (`None`) when the source has
/// none of the item columns. The finding lists every missing item; its `field` is
/// the first one.
pub fn survey_incomplete(
    record: &ScreeningRecord,
    recomputed_high_risk: Option<bool>,
) -> Option<Finding> {
    if recomputed_high_risk != Some(true) {
        return None;
    }
    let exam = record.hr_exam_date?;
    let items = survey_items(record);
    if !items
        .iter()
        .any(|(c, v)| record.has_column(*c) || v.is_some())
    {
        return None;
    }
    let miss: Vec<&str> = items
        .iter()
        .filter(|(_, v)| *v != Some(true))
        .map(|(c, _)| c.name())
        .collect();
    let first = *miss.first()?;
    // "`a`, `b`": one join of the names (no string per item).
    let list = format!("`{}`", miss.join("`, `"));
    Some(Finding::new(
        DQ_PRG_4,
        Severity::Warn,
        first,
        None,
        format!("high-risk person examined on `hr_exam_date` {exam} but the high-risk survey is incomplete: {list} not done"),
        format!("高危对象已于 `hr_exam_date` {exam} 调查，但高危调查未完成：{list} 未完成"),
    ))
}

/// DQ-PRG-10: the stored `high_risk_recorded` differs from the recomputed status
/// (`Warn`, both statuses reported).
///
/// `recomputed` is `Some(true)` for `HighRisk`, `Some(false)` for `NotHighRisk`,
/// `None` for `Indeterminate`, which raises nothing (IND-MPP-14 counts it). Nothing
/// is raised when `high_risk_recorded` is empty.
pub fn recorded_status_differs(
    record: &ScreeningRecord,
    recomputed: Option<bool>,
) -> Option<Finding> {
    let stored = record.high_risk_recorded?;
    let now = recomputed?;
    if stored == now {
        return None;
    }
    let t = |b: bool| if b { "yes" } else { "no" };
    let tz = |b: bool| if b { "高危" } else { "非高危" };
    Some(Finding::new(
        DQ_PRG_10,
        Severity::Warn,
        "high_risk_recorded",
        Some(t(stored).to_string()),
        format!(
            "`high_risk_recorded` is {} but the recomputed high-risk status is {}",
            t(stored),
            t(now)
        ),
        format!(
            "`high_risk_recorded` 为{}，而重新计算的高危状态为{}",
            tz(stored),
            tz(now)
        ),
    ))
}

/// The MurmurHash3 64-bit finaliser: a bijection of `u64` with full avalanche.
fn fmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    z = (z ^ (z >> 33)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    z ^ (z >> 33)
}

/// 64-bit hash of a value with its domain tag: the tag and the length, then each
/// 8-byte little-endian word of the bytes, each folded into the state by [`fmix64`]; a
/// length that is not a multiple of 8 ends with the last 8 bytes (overlapping the
/// previous word), a value shorter than 8 bytes is one zero-padded word. Two values
/// of the same length whose differing bytes lie within one of the words hashed never
/// collide (each step is a bijection of the state); otherwise collisions are as rare
/// as for a random 64-bit function. A
/// few instructions per word, where SipHash (std `DefaultHasher`) took about 190 per
/// value.
fn hash_str(kind: u8, s: &str) -> u64 {
    let b = s.as_bytes();
    let n = b.len();
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&c[..8]);
        u64::from_le_bytes(w)
    };
    let mut h = fmix64(0x9E37_79B9_7F4A_7C15 ^ ((n as u64) << 8) ^ u64::from(kind));
    if n >= 8 {
        for c in b.chunks_exact(8) {
            h = fmix64(h ^ word(c));
        }
        if n % 8 != 0 {
            h = fmix64(h ^ word(&b[n - 8..]));
        }
    } else {
        let w = b
            .iter()
            .enumerate()
            .fold(0u64, |w, (i, &x)| w | (u64::from(x) << (8 * i)));
        h = fmix64(h ^ w);
    }
    h
}

/// DQ-PRG-6: the duplicate `id`s and `id_number`s of a file.
///
/// Built in one pass over the file ([`DuplicateIndexBuilder`]) or, in bounded memory,
/// in two ([`DuplicateFilter`]); then [`DuplicateIndex::duplicate_finding`] is
/// asked for each record ("a duplicate `id` or `id_number` raises DQ-PRG-6 on every
/// row that carries it").
///
/// Memory: building collects one 64-bit hash per non-empty value (16 MB for a
/// 1-million-row file with both columns), sorts it and keeps only the hashes seen
/// more than once with their counts, so the finished index is tiny. Trade-off: two
/// different values with the same 64-bit hash would be reported as duplicates; for
/// 1 million values the chance of any such collision is about n²/2⁶⁵ ≈ 3 × 10⁻⁸.
/// The hash (unkeyed) is an implementation detail that may change; do
/// not persist the index. Values are compared exactly as stored (the parser trims
/// cells and upper-cases `id_number`); empty values are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DuplicateIndex {
    /// Sorted `(hash, count)` of values occurring more than once, `id` and
    /// `id_number` kept apart by a domain tag inside the hash.
    dups: Vec<(u64, u32)>,
}

const TAG_ID: u8 = 1;
const TAG_ID_NUMBER: u8 = 2;

/// Streaming builder of a [`DuplicateIndex`]: add each row's `id` and `id_number`
/// as it is read (values as the parser stores them: trimmed, `id_number`
/// upper-cased), then [`finish`](DuplicateIndexBuilder::finish). Holds one 64-bit
/// hash per non-empty value until then.
#[derive(Clone, Debug, Default)]
pub struct DuplicateIndexBuilder {
    hashes: Vec<u64>,
}

impl DuplicateIndexBuilder {
    /// Adds one record's identifiers.
    pub fn add(&mut self, id: Option<&str>, id_number: Option<&str>) {
        if let Some(s) = id.filter(|s| !s.is_empty()) {
            self.hashes.push(hash_str(TAG_ID, s));
        }
        if let Some(s) = id_number.filter(|s| !s.is_empty()) {
            self.hashes.push(hash_str(TAG_ID_NUMBER, s));
        }
    }

    /// Adds every value added to `other`: builders filled from parts of a file (on
    /// several threads) merge into the builder of the whole file.
    pub fn merge(&mut self, other: DuplicateIndexBuilder) {
        self.hashes.extend(other.hashes);
    }

    /// Keeps only the values seen more than once, with their counts.
    pub fn finish(mut self) -> DuplicateIndex {
        let hashes = &mut self.hashes;
        hashes.sort_unstable();
        let mut dups = Vec::new();
        let mut i = 0;
        while i < hashes.len() {
            let mut j = i + 1;
            while j < hashes.len() && hashes[j] == hashes[i] {
                j += 1;
            }
            if j - i > 1 {
                dups.push((hashes[i], u32::try_from(j - i).unwrap_or(u32::MAX)));
            }
            i = j;
        }
        dups.shrink_to_fit();
        DuplicateIndex { dups }
    }
}

/// Bounded-memory, two-phase builder of a [`DuplicateIndex`], for files too large to
/// hold one hash per value ([`DuplicateIndexBuilder`]).
///
/// Phase 1 ([`DuplicateFilter::add`], one pass over the file): each value's 64-bit
/// hash (the same hash as [`DuplicateIndexBuilder`]) is looked up in, then added to, a
/// Bloom filter — a bit array of fixed size with [`DuplicateFilter::PROBES`] bits per
/// value. A value whose bits were all set already is a *candidate*: every value seen
/// a second time is one, plus a few false positives (values that only collide in the
/// bit array). Phase 2 ([`DuplicateFilter::into_counter`], then
/// [`DuplicateCounter::add`] on a second pass over the same rows): exact counts of the
/// candidate hashes only; [`DuplicateCounter::finish`] keeps those seen more than
/// once. The result equals [`DuplicateIndexBuilder::finish`] on the same values, hash
/// for hash and count for count: a false positive only costs a counter in phase 2
/// (its count stays 1 and it is dropped), never a wrong finding.
///
/// Memory: the bit array (fixed when created, at most [`DuplicateFilter::MAX_BYTES`])
/// plus one hash per candidate (phase 1) or one `(hash, count)` per candidate
/// (phase 2) — i.e. per distinct duplicated value, which the finished index holds
/// anyway, and per false positive. With `b` bits per value added and 6 probes the
/// false-positive rate stays below ≈ (1 − e^(−6/b))⁶: 0.2 % at 13 bits per value
/// (20 million values in 32 MB), 2 % at 8. Beyond that it grows, and so does the
/// candidate set, but the counts stay exact.
#[derive(Clone, Debug)]
pub struct DuplicateFilter {
    bits: Vec<u64>,
    /// log2 of the number of bits.
    log2_bits: u32,
    candidates: HashSet<u64>,
}

impl DuplicateFilter {
    /// Bits set and tested per value.
    pub const PROBES: u32 = 6;
    /// Smallest bit array (64 KiB).
    pub const MIN_BYTES: usize = 1 << 16;
    /// Largest bit array (32 MiB = 2²⁸ bits).
    pub const MAX_BYTES: usize = 1 << 25;

    /// A filter whose bit array takes `bytes` rounded down to a power of two, within
    /// [`MIN_BYTES`](Self::MIN_BYTES)..=[`MAX_BYTES`](Self::MAX_BYTES).
    pub fn with_bytes(bytes: usize) -> Self {
        let bytes = bytes.clamp(Self::MIN_BYTES, Self::MAX_BYTES);
        let bytes = 1usize << (usize::BITS - 1 - bytes.leading_zeros());
        DuplicateFilter {
            bits: vec![0; bytes / 8],
            log2_bits: (bytes * 8).trailing_zeros(),
            candidates: HashSet::new(),
        }
    }

    /// A filter sized for a file of `file_bytes` bytes: one bit per two bytes of the
    /// file (rounded down to a power of two, 64 KiB to 32 MiB), i.e. 8 or more bits
    /// per value when the rows carry at least 32 bytes per non-empty `id` /
    /// `id_number` (the generated files have 144 bytes per row and two values: 8 MiB
    /// at 1 million rows, the 32 MiB cap from about 3.7 million rows). Shorter rows
    /// or a larger file only mean more false positives, not a wrong result.
    pub fn for_file_size(file_bytes: u64) -> Self {
        Self::with_bytes(usize::try_from(file_bytes / 16).unwrap_or(usize::MAX))
    }

    /// Bytes of the bit array.
    pub fn filter_bytes(&self) -> usize {
        self.bits.len() * 8
    }

    /// Distinct candidate hashes so far (true duplicates and false positives).
    pub fn candidates(&self) -> usize {
        self.candidates.len()
    }

    fn insert(&mut self, h: u64) {
        let mut all_set = true;
        let mut x = h;
        for _ in 0..Self::PROBES {
            // splitmix64 steps from the value's hash: independent probe positions.
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let bit = z >> (64 - self.log2_bits);
            let (word, mask) = ((bit >> 6) as usize, 1u64 << (bit & 63));
            all_set &= self.bits[word] & mask != 0;
            self.bits[word] |= mask;
        }
        if all_set {
            self.candidates.insert(h);
        }
    }

    /// Phase 1: adds one record's identifiers (as [`DuplicateIndexBuilder::add`]).
    pub fn add(&mut self, id: Option<&str>, id_number: Option<&str>) {
        if let Some(s) = id.filter(|s| !s.is_empty()) {
            self.insert(hash_str(TAG_ID, s));
        }
        if let Some(s) = id_number.filter(|s| !s.is_empty()) {
            self.insert(hash_str(TAG_ID_NUMBER, s));
        }
    }

    /// No candidate at all: no value can be duplicated, phase 2 can be skipped
    /// (its result would be the empty index).
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// Ends phase 1: frees the bit array and returns the exact counter of the
    /// candidates, to be given the same rows again.
    pub fn into_counter(self) -> DuplicateCounter {
        let DuplicateFilter {
            bits, candidates, ..
        } = self;
        drop(bits);
        let mut counts: Vec<(u64, u32)> = candidates.into_iter().map(|h| (h, 0)).collect();
        counts.sort_unstable();
        DuplicateCounter { counts }
    }
}

/// Phase 2 of a [`DuplicateFilter`]: exact counts of the candidate hashes.
#[derive(Clone, Debug, Default)]
pub struct DuplicateCounter {
    /// Sorted `(hash, count)` of the candidates.
    counts: Vec<(u64, u32)>,
}

impl DuplicateCounter {
    fn count(&mut self, h: u64) {
        if let Ok(i) = self.counts.binary_search_by_key(&h, |e| e.0) {
            self.counts[i].1 = self.counts[i].1.saturating_add(1);
        }
    }

    /// Adds one record's identifiers: the same rows, in any order, as in phase 1.
    pub fn add(&mut self, id: Option<&str>, id_number: Option<&str>) {
        if self.counts.is_empty() {
            return;
        }
        if let Some(s) = id.filter(|s| !s.is_empty()) {
            self.count(hash_str(TAG_ID, s));
        }
        if let Some(s) = id_number.filter(|s| !s.is_empty()) {
            self.count(hash_str(TAG_ID_NUMBER, s));
        }
    }

    /// Number of candidate hashes being counted.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// No candidate.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Keeps only the candidates seen more than once, with their counts: the same
    /// index as [`DuplicateIndexBuilder::finish`] on the same values.
    pub fn finish(mut self) -> DuplicateIndex {
        self.counts.retain(|e| e.1 > 1);
        self.counts.shrink_to_fit();
        DuplicateIndex { dups: self.counts }
    }
}

impl DuplicateIndex {
    /// Builds the index from `(id, id_number)` of every record of a file.
    pub fn new<'a, I>(records: I) -> Self
    where
        I: IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
    {
        let mut b = DuplicateIndexBuilder::default();
        for (id, idn) in records {
            b.add(id, idn);
        }
        b.finish()
    }

    /// Builds the index from records.
    pub fn from_records<'a, I>(records: I) -> Self
    where
        I: IntoIterator<Item = &'a ScreeningRecord>,
    {
        Self::new(
            records
                .into_iter()
                .map(|r| (r.id.as_deref(), r.id_number.as_deref())),
        )
    }

    fn count(&self, tag: u8, s: &str) -> u32 {
        let h = hash_str(tag, s);
        match self.dups.binary_search_by_key(&h, |e| e.0) {
            Ok(i) => self.dups[i].1,
            Err(_) => 1,
        }
    }

    /// Number of records carrying `id` (1 when it is not duplicated).
    pub fn id_count(&self, id: &str) -> u32 {
        self.count(TAG_ID, id)
    }

    /// Number of records carrying `id_number` (1 when it is not duplicated).
    pub fn id_number_count(&self, id_number: &str) -> u32 {
        self.count(TAG_ID_NUMBER, id_number)
    }

    /// Number of distinct duplicated values.
    pub fn len(&self) -> usize {
        self.dups.len()
    }

    /// No duplicate at all.
    pub fn is_empty(&self) -> bool {
        self.dups.is_empty()
    }

    /// DQ-PRG-6 (`Reject`) when the record's `id` or `id_number` occurs on more than
    /// one record of the file. One finding per record: `field` is `id` when the id
    /// is duplicated, else `id_number`; the message names both when both are.
    pub fn duplicate_finding(&self, record: &ScreeningRecord) -> Option<Finding> {
        if self.dups.is_empty() {
            return None;
        }
        let id = record.id.as_deref().filter(|s| !s.is_empty());
        let idn = record.id_number.as_deref().filter(|s| !s.is_empty());
        let id_n = id.map_or(1, |s| self.id_count(s));
        let idn_n = idn.map_or(1, |s| self.id_number_count(s));
        let mut en = Vec::new();
        let mut zh = Vec::new();
        if let (Some(s), true) = (id, id_n > 1) {
            en.push(format!("`id` {s} appears on {id_n} records"));
            zh.push(format!("`id` {s} 出现在 {id_n} 条记录中"));
        }
        if let (Some(s), true) = (idn, idn_n > 1) {
            en.push(format!("`id_number` {s} appears on {idn_n} records"));
            zh.push(format!("`id_number` {s} 出现在 {idn_n} 条记录中"));
        }
        if en.is_empty() {
            return None;
        }
        let (field, value) = if id_n > 1 {
            ("id", id)
        } else {
            ("id_number", idn)
        };
        Some(Finding::new(
            DQ_PRG_6,
            Severity::Reject,
            field,
            value.map(str::to_string),
            format!("duplicate person: {}", en.join("; ")),
            format!("重复对象：{}", zh.join("；")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use crate::qc::check;

    fn p2014() -> Profile {
        Profile::mpp_2014_pilot()
    }

    #[test]
    fn dq_prg_1_national_35_to_75_inclusive() {
        for (a, bad) in [
            ("35", false),
            ("75", false),
            ("75.9", false),
            ("34.99", true),
            ("76", true),
        ] {
            assert_eq!(
                ids(&rec(&[("age", a)]), DQ_PRG_1).len(),
                usize::from(bad),
                "age {a}"
            );
        }
        // From birth_date at screen_date 2025-05-10: 35th birthday that day → eligible.
        let r = |b: &str| rec(&[("age", ""), ("birth_date", b)]);
        assert!(ids(&r("1990-05-10"), DQ_PRG_1).is_empty());
        let f = ids(&r("1990-05-11"), DQ_PRG_1);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "birth_date");
        assert!(ids(&r("1949-05-11"), DQ_PRG_1).is_empty()); // 75
        assert_eq!(ids(&r("1949-05-10"), DQ_PRG_1).len(), 1); // 76
                                                              // Record-level: nothing masked.
        assert!(check(&rec(&[("age", "30")]), &Profile::default())
            .masked
            .is_empty());
        // Age rejected by DQ-RANGE-18: no DQ-PRG-1.
        assert!(ids(&rec(&[("age", "200")]), DQ_PRG_1).is_empty());
    }

    #[test]
    fn dq_prg_1_elig_2014_birth_year_window() {
        // Screening year 2025: 1950 ≤ birth year ≤ 1985.
        let r = |b: &str| rec(&[("age", ""), ("birth_date", b)]);
        assert!(with_id(&r("1950-01-01"), &p2014(), DQ_PRG_1).is_empty());
        assert!(with_id(&r("1985-12-31"), &p2014(), DQ_PRG_1).is_empty());
        assert_eq!(with_id(&r("1949-12-31"), &p2014(), DQ_PRG_1).len(), 1);
        assert_eq!(with_id(&r("1986-01-01"), &p2014(), DQ_PRG_1).len(), 1);
        // Age only: birth year 2025 − a − 1 or 2025 − a; edges are indeterminate.
        let a = |v: &str| rec(&[("age", v)]);
        assert!(with_id(&a("40"), &p2014(), DQ_PRG_1).is_empty());
        assert!(with_id(&a("39"), &p2014(), DQ_PRG_1).is_empty()); // 1985 or 1986
        assert_eq!(with_id(&a("38"), &p2014(), DQ_PRG_1).len(), 1); // 1986 or 1987
        assert!(with_id(&a("75"), &p2014(), DQ_PRG_1).is_empty()); // 1949 or 1950
        assert_eq!(with_id(&a("76"), &p2014(), DQ_PRG_1).len(), 1); // 1948 or 1949
    }

    #[test]
    fn dq_prg_2_residence_strict_and_consent() {
        assert!(ids(&rec(&[("residence_months", "6.1")]), DQ_PRG_2).is_empty());
        let f = ids(&rec(&[("residence_months", "6")]), DQ_PRG_2);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "residence_months");
        assert_eq!(ids(&rec(&[("consent", "0")]), DQ_PRG_2)[0].field, "consent");
        assert!(ids(&rec(&[("consent", "1")]), DQ_PRG_2).is_empty());
        // Column present but empty: unknown → nothing. Column absent: nothing.
        let mut r = rec(&[]);
        r.columns.insert(Col::Consent);
        assert!(ids(&r, DQ_PRG_2).is_empty());
        // Household registration only under elig-2014.
        assert!(ids(&rec(&[("hukou_local", "0")]), DQ_PRG_2).is_empty());
        assert_eq!(
            with_id(&rec(&[("hukou_local", "0")]), &p2014(), DQ_PRG_2).len(),
            1
        );
        assert!(with_id(&rec(&[("residence_months", "1")]), &p2014(), DQ_PRG_2).is_empty());
        // Record-level: no mask.
        assert!(check(&rec(&[("consent", "0")]), &Profile::default())
            .masked
            .is_empty());
    }

    #[test]
    fn dq_prg_3_one_finding_per_missing_item() {
        let empty = crate::record::ScreeningRecord::default();
        let f: Vec<String> = ids(&empty, DQ_PRG_3).into_iter().map(|f| f.field).collect();
        assert_eq!(
            f,
            [
                "id",
                "sex",
                "age",
                "screen_date",
                "sbp_1",
                "height_cm",
                "weight_kg",
                "tc_mmol",
                "hdl_mmol",
                "current_smoker",
                "diabetes",
                "history_mi",
                "history_pci",
                "history_cabg",
                "history_ischaemic_stroke",
                "history_haemorrhagic_stroke",
            ]
        );
        assert!(ids(&rec(&[]), DQ_PRG_3).is_empty());
    }

    #[test]
    fn dq_prg_3_alternatives_satisfy_items() {
        // birth_date instead of age.
        assert!(ids(&rec(&[("age", ""), ("birth_date", "1960-01-01")]), DQ_PRG_3).is_empty());
        // Final sbp/dbp instead of readings.
        let r = rec(&[
            ("sbp_1", ""),
            ("dbp_1", ""),
            ("sbp_2", ""),
            ("dbp_2", ""),
            ("sbp", "130"),
            ("dbp", "80"),
        ]);
        assert!(ids(&r, DQ_PRG_3).is_empty());
        // One reading only.
        assert_eq!(
            ids(&rec(&[("sbp_2", ""), ("dbp_2", "")]), DQ_PRG_3)[0].field,
            "sbp_1"
        );
        // Censored lipids count; a not-done reason replaces them.
        assert!(ids(&rec(&[("hdl_mmol", ""), ("hdl_mgdl", "<15")]), DQ_PRG_3).is_empty());
        let r = rec(&[
            ("tc_mmol", ""),
            ("hdl_mmol", ""),
            ("lipid_not_done_reason", "refused"),
        ]);
        assert!(ids(&r, DQ_PRG_3).is_empty());
        assert_eq!(
            ids(&rec(&[("tc_mmol", ""), ("hdl_mmol", "")]), DQ_PRG_3).len(),
            2
        );
        // Quit date decides smoking; glucose_treated decides diabetes.
        let r = rec(&[
            ("current_smoker", ""),
            ("smoking_quit_date", "2024-12-01"),
            ("diabetes", ""),
            ("glucose_treated", "1"),
        ]);
        assert!(ids(&r, DQ_PRG_3).is_empty());
        assert_eq!(
            ids(&rec(&[("current_smoker", "")]), DQ_PRG_3)[0].field,
            "current_smoker"
        );
        assert_eq!(
            ids(&rec(&[("diabetes", "")]), DQ_PRG_3)[0].field,
            "diabetes"
        );
        assert_eq!(
            ids(&rec(&[("history_pci", "")]), DQ_PRG_3)[0].field,
            "history_pci"
        );
    }

    #[test]
    fn dq_prg_3_profile_extra_items() {
        let p = Profile {
            mandatory_extra_items: vec!["waist_cm".into(), "fbg".into()],
            ..Profile::default()
        };
        let f: Vec<String> = with_id(&rec(&[]), &p, DQ_PRG_3)
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(f, ["waist_cm", "fbg_mmol"]);
        assert!(with_id(
            &rec(&[("waist_cm", "80"), ("fbg_mgdl", "<20")]),
            &p,
            DQ_PRG_3
        )
        .is_empty());
    }

    #[test]
    fn dq_prg_4_incomplete_survey() {
        let done = [
            ("hr_exam_date", "2025-06-01"),
            ("hr_questionnaire_done", "1"),
            ("hr_checklist_done", "1"),
            ("ecg_done", "1"),
            ("carotid_us_done", "1"),
            ("echo_done", "1"),
            ("blood_sample_done", "1"),
        ];
        // Urine sample empty → incomplete.
        let f = survey_incomplete(&rec(&done), Some(true)).unwrap();
        assert_eq!(f.rule_id, DQ_PRG_4);
        assert_eq!(f.severity, Severity::Warn);
        assert_eq!(f.field, "urine_sample_done");
        let mut all = done.to_vec();
        all.push(("urine_sample_done", "1"));
        assert!(survey_incomplete(&rec(&all), Some(true)).is_none());
        // Not high risk / indeterminate / no exam date / no item columns: nothing.
        assert!(survey_incomplete(&rec(&done), Some(false)).is_none());
        assert!(survey_incomplete(&rec(&done), None).is_none());
        assert!(survey_incomplete(&rec(&[("ecg_done", "0")]), Some(true)).is_none());
        assert!(survey_incomplete(&rec(&[("hr_exam_date", "2025-06-01")]), Some(true)).is_none());
        // A present but empty item column is "not done".
        let mut r = rec(&[("hr_exam_date", "2025-06-01")]);
        r.columns.insert(Col::EcgDone);
        assert_eq!(
            survey_incomplete(&r, Some(true)).unwrap().field,
            "hr_questionnaire_done"
        );
    }

    #[test]
    fn dq_prg_6_duplicates_on_every_row() {
        let rows = [
            rec(&[("id", "A1")]),
            rec(&[("id", "A1")]),
            rec(&[("id", "B2"), ("id_number", "11010519491231002X")]),
            rec(&[("id", "C3"), ("id_number", "11010519491231002X")]),
            rec(&[("id", "D4")]),
        ];
        let idx = DuplicateIndex::from_records(rows.iter());
        assert_eq!(idx.len(), 2);
        let f0 = idx.duplicate_finding(&rows[0]).unwrap();
        assert_eq!(
            (f0.rule_id, f0.severity, f0.field.as_str()),
            (DQ_PRG_6, Severity::Reject, "id")
        );
        assert!(f0.message_en.contains("appears on 2 records"));
        assert!(idx.duplicate_finding(&rows[1]).is_some());
        assert_eq!(idx.duplicate_finding(&rows[2]).unwrap().field, "id_number");
        assert_eq!(idx.duplicate_finding(&rows[3]).unwrap().field, "id_number");
        assert!(idx.duplicate_finding(&rows[4]).is_none());
        // An id equal to another row's id_number is not a duplicate (separate domains).
        let idx = DuplicateIndex::new([(Some("X"), None), (None, Some("X"))]);
        assert!(idx.is_empty());
        // Empty ids are ignored.
        assert!(DuplicateIndex::new([(Some(""), None), (Some(""), None)]).is_empty());
        // Builders of parts of a file, merged, give the index of the whole file.
        let (mut a, mut b) = (
            DuplicateIndexBuilder::default(),
            DuplicateIndexBuilder::default(),
        );
        for (i, r) in rows.iter().enumerate() {
            let part = if i < 2 { &mut a } else { &mut b };
            part.add(r.id.as_deref(), r.id_number.as_deref());
        }
        let mut c = DuplicateIndexBuilder::default();
        c.add(Some("A1"), None);
        b.merge(c);
        a.merge(b);
        let merged = a.finish();
        assert_eq!(merged.len(), 2);
        assert_eq!(merged.id_count("A1"), 3);
        assert_eq!(merged.id_number_count("11010519491231002X"), 2);
    }

    #[test]
    fn dq_prg_6_large_file_stays_small() {
        let ids: Vec<String> = (0..200_000).map(|i| format!("P{i:07}")).collect();
        let idx = DuplicateIndex::new(
            ids.iter()
                .map(|s| (Some(s.as_str()), None))
                .chain([(Some("P0000007"), None)]),
        );
        assert_eq!(idx.len(), 1);
        assert_eq!(idx.id_count("P0000007"), 2);
        assert_eq!(idx.id_count("P0000008"), 1);
    }

    /// `(id, id_number)` pairs with many duplicates: `distinct` possible ids and
    /// identity numbers, some cells empty (xorshift64*, fixed seed).
    fn random_ids(seed: u64, rows: usize, distinct: u64) -> Vec<(String, String)> {
        let mut x = seed;
        let mut next = move || {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        (0..rows)
            .map(|_| {
                let id = match next() % 10 {
                    0 => String::new(),
                    _ => format!("P{}", next() % distinct),
                };
                let idn = match next() % 4 {
                    0 => String::new(),
                    _ => format!("{:017}X", next() % (distinct * 2)),
                };
                (id, idn)
            })
            .collect()
    }

    fn two_phase(rows: &[(String, String)], filter: DuplicateFilter) -> (DuplicateIndex, usize) {
        let pairs = || {
            rows.iter()
                .map(|(a, b)| (Some(a.as_str()), Some(b.as_str())))
        };
        let mut f = filter;
        for (id, idn) in pairs() {
            f.add(id, idn);
        }
        let candidates = f.candidates();
        let mut c = f.into_counter();
        assert_eq!(c.len(), candidates);
        for (id, idn) in pairs() {
            c.add(id, idn);
        }
        (c.finish(), candidates)
    }

    #[test]
    fn dq_prg_6_two_phase_equals_one_pass() {
        for (seed, rows, distinct) in [(1, 50_000, 20_000), (2, 20_000, 1_000), (3, 5, 3)] {
            let data = random_ids(seed, rows, distinct);
            let exact = DuplicateIndex::new(
                data.iter()
                    .map(|(a, b)| (Some(a.as_str()), Some(b.as_str()))),
            );
            assert!(!exact.is_empty());
            let (idx, _) = two_phase(&data, DuplicateFilter::with_bytes(1 << 20));
            assert_eq!(idx, exact, "seed {seed}");
            let (idx, _) = two_phase(&data, DuplicateFilter::for_file_size(0));
            assert_eq!(idx, exact, "seed {seed}, smallest filter");
        }
        // No duplicates: no candidate in a large enough filter, so pass 2 can be skipped.
        let ids: Vec<String> = (0..10_000).map(|i| format!("P{i:07}")).collect();
        let mut f = DuplicateFilter::with_bytes(1 << 20);
        for s in &ids {
            f.add(Some(s), None);
        }
        assert!(f.is_empty());
        assert!(f.into_counter().finish().is_empty());
        // Same rules as the one-pass builder: empty values ignored, domains apart.
        let mut f = DuplicateFilter::with_bytes(0);
        for (id, idn) in [(Some("X"), None), (None, Some("X")), (Some(""), Some(""))] {
            f.add(id, idn);
        }
        let mut c = f.into_counter();
        for (id, idn) in [(Some("X"), None), (None, Some("X")), (Some(""), Some(""))] {
            c.add(id, idn);
        }
        assert!(c.finish().is_empty());
    }

    #[test]
    fn dq_prg_6_tiny_filter_false_positives_stay_exact() {
        // 64 KiB (2^19 bits) for ~ 500,000 values: most lookups are false positives.
        let data = random_ids(7, 300_000, 400_000);
        let exact = DuplicateIndex::new(
            data.iter()
                .map(|(a, b)| (Some(a.as_str()), Some(b.as_str()))),
        );
        let filter = DuplicateFilter::with_bytes(1);
        assert_eq!(filter.filter_bytes(), DuplicateFilter::MIN_BYTES);
        let (idx, candidates) = two_phase(&data, filter);
        assert!(
            candidates > 2 * exact.len(),
            "{candidates} candidates, {} duplicates",
            exact.len()
        );
        assert_eq!(idx, exact);
        assert_eq!(
            DuplicateFilter::with_bytes(usize::MAX).filter_bytes(),
            DuplicateFilter::MAX_BYTES
        );
        assert_eq!(
            DuplicateFilter::for_file_size(144_000_000).filter_bytes(),
            8 << 20
        );
    }

    #[test]
    fn dq_prg_8_entry_after_visit() {
        assert!(ids(&rec(&[("entry_date", "2025-05-10")]), DQ_PRG_8).is_empty());
        let f = ids(&rec(&[("entry_date", "2025-05-11")]), DQ_PRG_8);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
    }

    #[test]
    fn dq_prg_10_recorded_status() {
        let r = rec(&[("high_risk_recorded", "yes")]);
        assert!(recorded_status_differs(&r, Some(true)).is_none());
        let f = recorded_status_differs(&r, Some(false)).unwrap();
        assert_eq!((f.rule_id, f.severity), (DQ_PRG_10, Severity::Warn));
        assert!(f.message_en.contains("yes") && f.message_en.contains("no"));
        assert!(recorded_status_differs(&r, None).is_none());
        assert!(recorded_status_differs(&rec(&[]), Some(true)).is_none());
    }
}
