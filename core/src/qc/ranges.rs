//! Plausibility ranges DQ-RANGE-1…18 (spec/domain.md §12.3, NCD-RisC protocol S19).
//!
//! Every range is closed (`[lo, hi]`, a value equal to a bound is accepted, §12.2).
//! A value in mg/dL is converted with UNIT-1a (÷ 38.67, ÷ 88.57, ÷ 18.0) before it
//! is compared with a mmol/L range. Non-finite numbers (a Rust caller can build a
//! record holding NaN or ±inf) are out of range. Censored device values are exempt
//! (QC-USE-3): they raise DQ-DEV-1/DQ-DEV-3 and keep the interval they denote.
//!
//! Every out-of-range value is `Reject` and, as a value-level finding, masks the
//! value (QC-USE-1). Derived values mask what they are computed from: DQ-RANGE-3
//! the supplied `bmi`, or height and weight when BMI is derived; DQ-RANGE-6 waist
//! and hip; DQ-RANGE-7 waist and height.
//!
//! \[DECISION\] Resolutions of points the spec leaves open:
//! - A derived value (BMI, waist-to-hip, waist-to-height) is checked only when its
//!   inputs passed their own range checks: an input already rejected is unknown, so
//!   the derived value does not exist.
//! - A supplied value that is not the one used for evaluation (a supplied `bmi` when
//!   BMI is derived from height and weight; a supplied `age` when `birth_date` and
//!   `screen_date` give it; a final `sbp`/`dbp` when readings are supplied) is still
//!   range-checked and rejected, but masks nothing: the value in use is sound.
//! - Each BP reading is checked on its own (DQ-RANGE-8 `sbp_n`, DQ-RANGE-9 `dbp_n`);
//!   the reading is already excluded from averaging by BP-9, so no mask is needed.
//!   A final `sbp`/`dbp` in use (no readings, BP-10) out of range masks SBP and DBP
//!   (BP-9 treats the pair as a unit).
//! - `ldl_baseline_*` is an LDL-C value and is checked by DQ-RANGE-12 like `ldl_*`
//!   (mask [`Field::LdlBaseline`]).

use super::{cat, fmt_conv, num_finding, within, QcReport};
use crate::evaluated::Field;
use crate::finding::{fmt_num, Severity};
use crate::record::{BpSource, DerivedBp, Dual, ScreeningRecord, DBP_RANGE, SBP_RANGE};
use crate::units::Analyte;
use crate::value::Obs;

crate::define_rules! {
    DQ_RANGE_1 = "DQ-RANGE-1", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Height outside 100–250 cm", "身高超出 100–250 cm";
    DQ_RANGE_2 = "DQ-RANGE-2", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Weight outside 12–300 kg", "体重超出 12–300 kg";
    DQ_RANGE_3 = "DQ-RANGE-3", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "BMI (supplied or derived) outside 10–80 kg/m²", "体质指数（录入或计算）超出 10–80 kg/m²";
    DQ_RANGE_4 = "DQ-RANGE-4", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Waist outside 30–300 cm", "腰围超出 30–300 cm";
    DQ_RANGE_5 = "DQ-RANGE-5", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Hip outside 40–300 cm", "臀围超出 40–300 cm";
    DQ_RANGE_6 = "DQ-RANGE-6", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Waist-to-hip ratio outside 0.4–2.0", "腰臀比超出 0.4–2.0";
    DQ_RANGE_7 = "DQ-RANGE-7", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Waist-to-height ratio outside 0.2–2.0", "腰围身高比超出 0.2–2.0";
    DQ_RANGE_8 = "DQ-RANGE-8", "qc", [ConfirmedP, Decision], "domain.md §12.3, BP-9; S19",
        "SBP (each reading or final value) outside 70–270 mmHg", "收缩压（单次读数或最终值）超出 70–270 mmHg";
    DQ_RANGE_9 = "DQ-RANGE-9", "qc", [ConfirmedP, Decision], "domain.md §12.3, BP-9; S19",
        "DBP (each reading or final value) outside 30–150 mmHg", "舒张压（单次读数或最终值）超出 30–150 mmHg";
    DQ_RANGE_10 = "DQ-RANGE-10", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Total cholesterol outside 1.75–20 mmol/L", "总胆固醇超出 1.75–20 mmol/L";
    DQ_RANGE_11 = "DQ-RANGE-11", "qc", [ConfirmedP, Decision], "domain.md §12.3, OQ-16; S19",
        "HDL-C outside 0.5–10 mmol/L", "高密度脂蛋白胆固醇超出 0.5–10 mmol/L";
    DQ_RANGE_12 = "DQ-RANGE-12", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "LDL-C below 0.4 mmol/L (no upper bound)", "低密度脂蛋白胆固醇低于 0.4 mmol/L（不设上限）";
    DQ_RANGE_13 = "DQ-RANGE-13", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Triglycerides outside 0.2–20 mmol/L", "甘油三酯超出 0.2–20 mmol/L";
    DQ_RANGE_14 = "DQ-RANGE-14", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Fasting glucose outside 2–30 mmol/L", "空腹血糖超出 2–30 mmol/L";
    DQ_RANGE_15 = "DQ-RANGE-15", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "HbA1c outside 3–18 %", "糖化血红蛋白超出 3–18 %";
    DQ_RANGE_16 = "DQ-RANGE-16", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "Serum creatinine outside 8–1800 µmol/L", "血肌酐超出 8–1800 µmol/L";
    DQ_RANGE_17 = "DQ-RANGE-17", "qc", [ConfirmedP, Decision], "domain.md §12.3; S19",
        "eGFR outside 5–250 mL/min/1.73 m²", "估算肾小球滤过率超出 5–250 mL/min/1.73 m²";
    DQ_RANGE_18 = "DQ-RANGE-18", "qc", [Decision], "domain.md §12.3 DQ-RANGE-18",
        "Age (supplied or derived from birth_date) outside 15–120 years", "年龄（录入或由出生日期推算）超出 15–120 岁";
}

/// DQ-RANGE-1 height, cm.
pub const HEIGHT_CM: (f64, f64) = (100.0, 250.0);
/// DQ-RANGE-2 weight, kg.
pub const WEIGHT_KG: (f64, f64) = (12.0, 300.0);
/// DQ-RANGE-3 BMI, kg/m².
pub const BMI: (f64, f64) = (10.0, 80.0);
/// DQ-RANGE-4 waist, cm.
pub const WAIST_CM: (f64, f64) = (30.0, 300.0);
/// DQ-RANGE-5 hip, cm.
pub const HIP_CM: (f64, f64) = (40.0, 300.0);
/// DQ-RANGE-6 waist-to-hip ratio.
pub const WAIST_HIP: (f64, f64) = (0.4, 2.0);
/// DQ-RANGE-7 waist-to-height ratio.
pub const WAIST_HEIGHT: (f64, f64) = (0.2, 2.0);
/// DQ-RANGE-10 total cholesterol, mmol/L.
pub const TC_MMOL: (f64, f64) = (1.75, 20.0);
/// DQ-RANGE-11 HDL-C, mmol/L.
pub const HDL_MMOL: (f64, f64) = (0.5, 10.0);
/// DQ-RANGE-12 LDL-C, mmol/L: lower bound only.
pub const LDL_MMOL: (f64, f64) = (0.4, f64::INFINITY);
/// DQ-RANGE-13 triglycerides, mmol/L.
pub const TG_MMOL: (f64, f64) = (0.2, 20.0);
/// DQ-RANGE-14 fasting glucose, mmol/L.
pub const FBG_MMOL: (f64, f64) = (2.0, 30.0);
/// DQ-RANGE-15 HbA1c, %.
pub const HBA1C_PCT: (f64, f64) = (3.0, 18.0);
/// DQ-RANGE-16 serum creatinine, µmol/L.
pub const CREATININE_UMOL: (f64, f64) = (8.0, 1800.0);
/// DQ-RANGE-17 eGFR, mL/min/1.73 m².
pub const EGFR: (f64, f64) = (5.0, 250.0);
/// DQ-RANGE-18 age, years.
pub const AGE_YEARS: (f64, f64) = (15.0, 120.0);

/// The unit as written after a number: the separator, then the unit in English and
/// in Chinese (nothing for a unitless ratio).
fn unit_texts(unit: &str) -> (&str, &str, &str) {
    match unit {
        "" => ("", "", ""),
        "years" => (" ", "years", "岁"),
        u => (" ", u, u),
    }
}

fn range_text(lo: f64, hi: f64, unit: &str) -> (String, String) {
    let (sep, ue, uz) = unit_texts(unit);
    let lo = fmt_num(lo);
    if hi.is_infinite() {
        (
            cat(&["must be ≥ ", &lo, sep, ue]),
            cat(&["应 ≥ ", &lo, sep, uz]),
        )
    } else {
        let hi = fmt_num(hi);
        (
            cat(&["must be in ", &lo, "..=", &hi, sep, ue]),
            cat(&["应在 ", &lo, "–", &hi, sep, uz, " 之间"]),
        )
    }
}

/// No label; the label of a derived value.
const PLAIN: (&str, &str) = ("", "");
const DERIVED: (&str, &str) = ("derived ", "计算得出的 ");

/// Checks one plain number; pushes a Reject and masks `masks` when out of range.
/// Returns true when the value is in range. The check is inlined at every call (on
/// native targets); the finding is built out of line (values are in range on almost
/// every record).
#[allow(clippy::too_many_arguments)]
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn plain(
    out: &mut QcReport,
    id: &'static str,
    field: &str,
    label: (&str, &str),
    v: f64,
    range: (f64, f64),
    unit: &str,
    masks: &[Field],
) -> bool {
    if within(v, range.0, range.1) {
        return true;
    }
    out_of_range(out, id, field, label, v, range, unit, masks);
    false
}

/// The finding of [`plain`] for a value out of range.
#[allow(clippy::too_many_arguments)]
#[cold]
#[inline(never)]
fn out_of_range(
    out: &mut QcReport,
    id: &'static str,
    field: &str,
    (label_en, label_zh): (&str, &str),
    v: f64,
    (lo, hi): (f64, f64),
    unit: &str,
    masks: &[Field],
) {
    let (sep, ue, uz) = unit_texts(unit);
    let (ren, rzh) = range_text(lo, hi, unit);
    // A computed value is shown with at most four decimals; an entered one as is.
    let shown = if label_en.is_empty() {
        fmt_num(v)
    } else {
        fmt_conv(v)
    };
    out.push(num_finding(
        id,
        Severity::Reject,
        field,
        v,
        cat(&[label_en, "`", field, "` is ", &shown, sep, ue, ", ", &ren]),
        cat(&[label_zh, "`", field, "` 为 ", &shown, sep, uz, "，", &rzh]),
    ));
    for m in masks {
        out.masked.insert(*m);
    }
}

/// Checks both columns of a laboratory analyte against a mmol/L range (the checks
/// inlined, the findings built out of line).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn lab<A: Analyte>(
    out: &mut QcReport,
    id: &'static str,
    base: &str,
    d: &Dual<A>,
    range: (f64, f64),
    mask: Field,
) {
    if let Obs::Known(v) = d.mmol {
        if !within(v.value(), range.0, range.1) {
            lab_out_of_range(out, id, base, v.value(), None, range, mask);
        }
    }
    if let Obs::Known(v) = d.mgdl {
        let m = v.to_mmol().value();
        if !within(m, range.0, range.1) {
            lab_out_of_range(out, id, base, v.value(), Some(m), range, mask);
        }
    }
}

/// The finding of [`lab`]: `v` entered in mmol/L (`mgdl_as_mmol` `None`), or in mg/dL
/// with its conversion `mgdl_as_mmol`.
#[cold]
#[inline(never)]
fn lab_out_of_range(
    out: &mut QcReport,
    id: &'static str,
    base: &str,
    v: f64,
    mgdl_as_mmol: Option<f64>,
    (lo, hi): (f64, f64),
    mask: Field,
) {
    let (ren, rzh) = range_text(lo, hi, "mmol/L");
    let shown = fmt_num(v);
    match mgdl_as_mmol {
        None => {
            let field = cat(&[base, "_mmol"]);
            out.push(num_finding(
                id,
                Severity::Reject,
                &field,
                v,
                cat(&["`", &field, "` is ", &shown, " mmol/L, ", &ren]),
                cat(&["`", &field, "` 为 ", &shown, " mmol/L，", &rzh]),
            ));
        }
        Some(m) => {
            let field = cat(&[base, "_mgdl"]);
            let m = fmt_conv(m);
            out.push(num_finding(
                id,
                Severity::Reject,
                &field,
                v,
                cat(&[
                    "`",
                    &field,
                    "` is ",
                    &shown,
                    " mg/dL (",
                    &m,
                    " mmol/L), ",
                    &ren,
                ]),
                cat(&[
                    "`",
                    &field,
                    "` 为 ",
                    &shown,
                    " mg/dL（",
                    &m,
                    " mmol/L），",
                    &rzh,
                ]),
            ));
        }
    }
    out.masked.insert(mask);
}

/// Runs DQ-RANGE-1…18 on a record.
/// `bp` is the record's derived BP under the profile (which of SBP/DBP is in use).
pub(crate) fn run(rec: &ScreeningRecord, bp: &DerivedBp, out: &mut QcReport) {
    // DQ-RANGE-1, -2.
    let h_ok = rec.height_cm.map(|h| {
        plain(
            out,
            DQ_RANGE_1,
            "height_cm",
            PLAIN,
            h.0,
            HEIGHT_CM,
            "cm",
            &[Field::Height],
        )
    });
    let w_ok = rec.weight_kg.map(|w| {
        plain(
            out,
            DQ_RANGE_2,
            "weight_kg",
            PLAIN,
            w.0,
            WEIGHT_KG,
            "kg",
            &[Field::Weight],
        )
    });
    // DQ-RANGE-3: derived BMI when height and weight are both known (and sound);
    // a supplied BMI is checked too, masking only when it is the BMI in use.
    let derived = rec.bmi_is_derived();
    if let (Some(h), Some(w), Some(true), Some(true)) = (rec.height_cm, rec.weight_kg, h_ok, w_ok) {
        let b = crate::units::bmi(w, h).0;
        plain(
            out,
            DQ_RANGE_3,
            "bmi",
            DERIVED,
            b,
            BMI,
            "kg/m²",
            &[Field::Height, Field::Weight, Field::Bmi],
        );
    }
    if let Some(b) = rec.bmi {
        let masks: &[Field] = if derived { &[] } else { &[Field::Bmi] };
        plain(out, DQ_RANGE_3, "bmi", PLAIN, b.0, BMI, "kg/m²", masks);
    }
    // DQ-RANGE-4, -5.
    let waist_ok = rec.waist_cm.map(|v| {
        plain(
            out,
            DQ_RANGE_4,
            "waist_cm",
            PLAIN,
            v.0,
            WAIST_CM,
            "cm",
            &[Field::Waist],
        )
    });
    let hip_ok = rec.hip_cm.map(|v| {
        plain(
            out,
            DQ_RANGE_5,
            "hip_cm",
            PLAIN,
            v.0,
            HIP_CM,
            "cm",
            &[Field::Hip],
        )
    });
    // DQ-RANGE-6, -7 (derived ratios of sound inputs).
    if let (Some(wa), Some(hi), Some(true), Some(true)) =
        (rec.waist_cm, rec.hip_cm, waist_ok, hip_ok)
    {
        plain(
            out,
            DQ_RANGE_6,
            "waist_hip_ratio",
            DERIVED,
            wa.0 / hi.0,
            WAIST_HIP,
            "",
            &[Field::Waist, Field::Hip],
        );
    }
    if let (Some(wa), Some(h), Some(true), Some(true)) =
        (rec.waist_cm, rec.height_cm, waist_ok, h_ok)
    {
        plain(
            out,
            DQ_RANGE_7,
            "waist_height_ratio",
            DERIVED,
            wa.0 / h.0,
            WAIST_HEIGHT,
            "",
            &[Field::Waist, Field::Height],
        );
    }
    // DQ-RANGE-8, -9: each reading, then the final values.
    const SBP_COLS: [&str; 3] = ["sbp_1", "sbp_2", "sbp_3"];
    const DBP_COLS: [&str; 3] = ["dbp_1", "dbp_2", "dbp_3"];
    for (i, r) in rec.readings.iter().enumerate() {
        if let Some(s) = r.sbp {
            plain(
                out,
                DQ_RANGE_8,
                SBP_COLS[i],
                PLAIN,
                s.0,
                SBP_RANGE,
                "mmHg",
                &[],
            );
        }
        if let Some(d) = r.dbp {
            plain(
                out,
                DQ_RANGE_9,
                DBP_COLS[i],
                PLAIN,
                d.0,
                DBP_RANGE,
                "mmHg",
                &[],
            );
        }
    }
    let final_in_use = bp.source == BpSource::Final;
    let final_masks: &[Field] = if final_in_use {
        &[Field::Sbp, Field::Dbp]
    } else {
        &[]
    };
    if let Some(s) = rec.sbp {
        plain(
            out,
            DQ_RANGE_8,
            "sbp",
            PLAIN,
            s.0,
            SBP_RANGE,
            "mmHg",
            final_masks,
        );
    }
    if let Some(d) = rec.dbp {
        plain(
            out,
            DQ_RANGE_9,
            "dbp",
            PLAIN,
            d.0,
            DBP_RANGE,
            "mmHg",
            final_masks,
        );
    }
    // DQ-RANGE-10…14: laboratory values (mg/dL converted with UNIT-1a).
    lab(out, DQ_RANGE_10, "tc", &rec.tc, TC_MMOL, Field::Tc);
    lab(out, DQ_RANGE_11, "hdl", &rec.hdl, HDL_MMOL, Field::Hdl);
    lab(out, DQ_RANGE_12, "ldl", &rec.ldl, LDL_MMOL, Field::Ldl);
    lab(
        out,
        DQ_RANGE_12,
        "ldl_baseline",
        &rec.ldl_baseline,
        LDL_MMOL,
        Field::LdlBaseline,
    );
    lab(out, DQ_RANGE_13, "tg", &rec.tg, TG_MMOL, Field::Tg);
    lab(out, DQ_RANGE_14, "fbg", &rec.fbg, FBG_MMOL, Field::Fbg);
    // DQ-RANGE-15…17.
    if let Some(v) = rec.hba1c_pct {
        plain(
            out,
            DQ_RANGE_15,
            "hba1c_pct",
            PLAIN,
            v,
            HBA1C_PCT,
            "%",
            &[Field::Hba1c],
        );
    }
    if let Some(v) = rec.creatinine_umol {
        plain(
            out,
            DQ_RANGE_16,
            "creatinine_umol",
            PLAIN,
            v,
            CREATININE_UMOL,
            "µmol/L",
            &[Field::Creatinine],
        );
    }
    if let Some(v) = rec.egfr {
        plain(
            out,
            DQ_RANGE_17,
            "egfr",
            PLAIN,
            v,
            EGFR,
            "mL/min/1.73 m²",
            &[Field::Egfr],
        );
    }
    // DQ-RANGE-18: the derived age (birth_date at screen_date) and the supplied age.
    let derived_age = match (rec.birth_date, rec.screen_date) {
        (Some(b), Some(s)) => Some((b, s, b.completed_years_until(s))),
        _ => None,
    };
    if let Some((b, s, y)) = derived_age {
        let v = f64::from(y);
        if !within(v, AGE_YEARS.0, AGE_YEARS.1) {
            let (ren, rzh) = range_text(AGE_YEARS.0, AGE_YEARS.1, "years");
            out.push(crate::finding::Finding::new(
                DQ_RANGE_18,
                Severity::Reject,
                "birth_date",
                Some(b.to_string()),
                format!("the age derived from `birth_date` {b} at `screen_date` {s} is {y} years, {ren}"),
                format!("由 `birth_date` {b} 推算至 `screen_date` {s} 的年龄为 {y} 岁，{rzh}"),
            ));
            out.masked.insert(Field::Age);
        }
    }
    if let Some(a) = rec.age {
        let masks: &[Field] = if derived_age.is_some() {
            &[]
        } else {
            &[Field::Age]
        };
        plain(
            out,
            DQ_RANGE_18,
            "age",
            PLAIN,
            a.0,
            AGE_YEARS,
            "years",
            masks,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use crate::profile::Profile;
    use crate::qc::check;
    use crate::units::{Cm, KgPerM2};

    fn fields(r: &ScreeningRecord, id: &str) -> Vec<String> {
        ids(r, id).into_iter().map(|f| f.field).collect()
    }

    /// `value` accepted (no finding) and `outside` rejected, for column `col`.
    fn bounds(id: &str, col: &str, inside: &[&str], outside: &[&str]) {
        for v in inside {
            assert!(
                ids(&rec(&[(col, v)]), id).is_empty(),
                "{id}: {col}={v} should pass"
            );
        }
        for v in outside {
            let f = ids(&rec(&[(col, v)]), id);
            assert_eq!(f.len(), 1, "{id}: {col}={v} should be rejected");
            assert_eq!(f[0].severity, Severity::Reject);
            assert_eq!(f[0].field, *col);
        }
    }

    #[test]
    fn dq_range_1_height_both_sides() {
        bounds(
            DQ_RANGE_1,
            "height_cm",
            &["100", "250"],
            &["99.99", "250.01"],
        );
        let q = check(&rec(&[("height_cm", "99")]), &Profile::default());
        assert!(q.masked.contains(Field::Height));
    }

    #[test]
    fn dq_range_2_weight_both_sides() {
        // Height 200 keeps the derived BMI of 12 kg plausible? No: only the weight rule is asserted.
        bounds(DQ_RANGE_2, "weight_kg", &["12", "300"], &["11.9", "300.1"]);
        let q = check(&rec(&[("weight_kg", "301")]), &Profile::default());
        assert!(q.masked.contains(Field::Weight));
    }

    #[test]
    fn dq_range_3_supplied_bmi_both_sides_and_masks_bmi() {
        for (v, bad) in [
            ("10", false),
            ("80", false),
            ("9.99", true),
            ("80.01", true),
        ] {
            let r = rec(&[("height_cm", ""), ("weight_kg", ""), ("bmi", v)]);
            let q = check(&r, &Profile::default());
            let f: Vec<_> = q
                .findings
                .iter()
                .filter(|f| f.rule_id == DQ_RANGE_3)
                .collect();
            assert_eq!(f.len(), usize::from(bad), "bmi={v}");
            assert_eq!(q.masked.contains(Field::Bmi), bad);
        }
    }

    #[test]
    fn dq_range_3_derived_bmi_masks_height_and_weight() {
        // 250 cm and 12 kg: BMI 1.92 → derived BMI rejected, height and weight masked.
        let r = rec(&[("height_cm", "250"), ("weight_kg", "12")]);
        let q = check(&r, &Profile::default());
        let f: Vec<_> = q
            .findings
            .iter()
            .filter(|f| f.rule_id == DQ_RANGE_3)
            .collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "bmi");
        assert_eq!(
            f[0].message_en,
            "derived `bmi` is 1.92 kg/m², must be in 10..=80 kg/m²"
        );
        assert_eq!(
            f[0].message_zh,
            "计算得出的 `bmi` 为 1.92 kg/m²，应在 10–80 kg/m² 之间"
        );
        assert!(q.masked.contains(Field::Height) && q.masked.contains(Field::Weight));
        // Derived BMI exactly 10: 100 kg at 316.2… no — 10 kg/m² at 1 m is 10 kg (out of
        // weight range); use 40 kg at 2 m = 10.0 exactly.
        let r = rec(&[("height_cm", "200"), ("weight_kg", "40")]);
        assert!(ids(&r, DQ_RANGE_3).is_empty());
        let r = rec(&[("height_cm", "200"), ("weight_kg", "39.9")]);
        assert_eq!(ids(&r, DQ_RANGE_3).len(), 1);
    }

    #[test]
    fn dq_range_3_supplied_bmi_beside_derived_does_not_mask() {
        let r = rec(&[("bmi", "5")]);
        let q = check(&r, &Profile::default());
        assert!(q.rule_ids().contains(&DQ_RANGE_3));
        assert!(!q.masked.contains(Field::Bmi));
    }

    #[test]
    fn dq_range_4_and_5_waist_hip_both_sides() {
        bounds(DQ_RANGE_4, "waist_cm", &["30", "300"], &["29.9", "300.1"]);
        bounds(DQ_RANGE_5, "hip_cm", &["40", "300"], &["39.9", "300.1"]);
    }

    #[test]
    fn dq_range_6_waist_hip_ratio_both_sides_masks_waist_and_hip() {
        let ok =
            |w: &str, h: &str| ids(&rec(&[("waist_cm", w), ("hip_cm", h)]), DQ_RANGE_6).is_empty();
        assert!(ok("40", "100")); // 0.4
        assert!(!ok("39.9", "100"));
        assert!(ok("200", "100")); // 2.0
        assert!(!ok("200.1", "100"));
        let q = check(
            &rec(&[("waist_cm", "100"), ("hip_cm", "300")]),
            &Profile::default(),
        );
        assert!(q.masked.contains(Field::Waist) && q.masked.contains(Field::Hip));
        assert_eq!(
            fields(&rec(&[("waist_cm", "100"), ("hip_cm", "300")]), DQ_RANGE_6),
            ["waist_hip_ratio"]
        );
    }

    #[test]
    fn dq_range_7_waist_height_ratio_both_sides_masks_waist_and_height() {
        let ok = |w: &str, h: &str| {
            ids(&rec(&[("waist_cm", w), ("height_cm", h)]), DQ_RANGE_7).is_empty()
        };
        assert!(ok("34", "170")); // 0.2
        assert!(!ok("33.9", "170"));
        assert!(ok("250", "125")); // 2.0
        assert!(!ok("250.2", "125"));
        let q = check(
            &rec(&[("waist_cm", "30"), ("height_cm", "200")]),
            &Profile::default(),
        );
        assert!(q.masked.contains(Field::Waist) && q.masked.contains(Field::Height));
    }

    #[test]
    fn dq_range_8_both_sides() {
        bounds(DQ_RANGE_8, "sbp_2", &["270"], &["270.1", "400"]);
        // 70 is inside the range (with a DBP below it).
        let r = rec(&[("sbp_1", "70"), ("dbp_1", "40")]);
        assert!(ids(&r, DQ_RANGE_8).is_empty());
        let f = ids(&rec(&[("sbp_1", "69.9"), ("dbp_1", "40")]), DQ_RANGE_8);
        assert_eq!(f.len(), 1);
        let f = ids(&rec(&[("sbp_2", "400")]), DQ_RANGE_8);
        assert_eq!(
            f[0].message_en,
            "`sbp_2` is 400 mmHg, must be in 70..=270 mmHg"
        );
        assert_eq!(
            f[0].message_zh,
            "`sbp_2` 为 400 mmHg，应在 70–270 mmHg 之间"
        );
        assert_eq!(f[0].value.as_deref(), Some("400"));
    }

    #[test]
    fn dq_range_8_reading_excluded_not_masked() {
        // BP-9 excludes the reading; the derived BP (from the other readings) stays.
        let r = rec(&[("sbp_1", "300"), ("sbp_3", "131"), ("dbp_3", "81")]);
        let q = check(&r, &Profile::default());
        assert!(q.rule_ids().contains(&DQ_RANGE_8));
        assert!(!q.masked.contains(Field::Sbp));
    }

    #[test]
    fn dq_range_9_both_sides() {
        bounds(DQ_RANGE_9, "dbp_1", &["30", "120"], &["29.9"]);
        let r = rec(&[("sbp_1", "200"), ("dbp_1", "150")]);
        assert!(ids(&r, DQ_RANGE_9).is_empty());
        let r = rec(&[("sbp_1", "200"), ("dbp_1", "150.1")]);
        assert_eq!(fields(&r, DQ_RANGE_9), ["dbp_1"]);
    }

    #[test]
    fn dq_range_8_final_values_mask_when_in_use() {
        let no_readings = [
            ("sbp_1", ""),
            ("dbp_1", ""),
            ("sbp_2", ""),
            ("dbp_2", ""),
            ("sbp", "280"),
            ("dbp", "80"),
        ];
        let q = check(&rec(&no_readings), &Profile::default());
        assert!(q
            .findings
            .iter()
            .any(|f| f.rule_id == DQ_RANGE_8 && f.field == "sbp"));
        assert!(q.masked.contains(Field::Sbp) && q.masked.contains(Field::Dbp));
        // With readings the final value is not used: finding, no mask.
        let q = check(&rec(&[("sbp", "280"), ("dbp", "80")]), &Profile::default());
        assert!(q
            .findings
            .iter()
            .any(|f| f.rule_id == DQ_RANGE_8 && f.field == "sbp"));
        assert!(!q.masked.contains(Field::Sbp));
    }

    #[test]
    fn dq_range_10_tc_both_units_both_sides() {
        bounds(DQ_RANGE_10, "tc_mmol", &["1.75", "20"], &["1.74", "20.01"]);
        let mg = |v: &str| rec(&[("tc_mmol", ""), ("tc_mgdl", v)]);
        // 1.75 mmol/L = 67.6725 mg/dL; 20 mmol/L = 773.4 mg/dL.
        assert!(ids(&mg("67.6725"), DQ_RANGE_10).is_empty());
        assert_eq!(fields(&mg("67.67"), DQ_RANGE_10), ["tc_mgdl"]);
        assert!(ids(&mg("773.4"), DQ_RANGE_10).is_empty());
        assert_eq!(ids(&mg("773.5"), DQ_RANGE_10).len(), 1);
        let f = ids(&mg("50"), DQ_RANGE_10);
        assert_eq!(
            f[0].message_en,
            "`tc_mgdl` is 50 mg/dL (1.293 mmol/L), must be in 1.75..=20 mmol/L"
        );
        let q = check(&mg("50"), &Profile::default());
        assert!(q.masked.contains(Field::Tc));
    }

    #[test]
    fn dq_range_11_hdl_both_sides_and_censored_exempt() {
        bounds(DQ_RANGE_11, "hdl_mmol", &["0.5", "4.9"], &["0.49"]);
        let mg = |v: &str| rec(&[("hdl_mmol", ""), ("hdl_mgdl", v)]);
        // 0.5 mmol/L = 19.335 mg/dL.
        assert!(ids(&mg("19.335"), DQ_RANGE_11).is_empty());
        assert_eq!(ids(&mg("19.33"), DQ_RANGE_11).len(), 1);
        // OQ-16: 15–19.3 mg/dL numeric is rejected, "<15" censored is exempt.
        assert_eq!(ids(&mg("15"), DQ_RANGE_11).len(), 1);
        assert!(ids(&mg("<15"), DQ_RANGE_11).is_empty());
        // Upper bound 10 mmol/L (TC raised so that TC > HDL).
        let r = rec(&[("hdl_mmol", "10"), ("tc_mmol", "15")]);
        assert!(ids(&r, DQ_RANGE_11).is_empty());
        let r = rec(&[("hdl_mmol", "10.01"), ("tc_mmol", "15")]);
        assert_eq!(ids(&r, DQ_RANGE_11).len(), 1);
    }

    #[test]
    fn dq_range_12_ldl_lower_bound_only() {
        bounds(DQ_RANGE_12, "ldl_mmol", &["0.4", "4.9"], &["0.39"]);
        // No upper bound: 12 mmol/L passes the range rule (XF-2 catches it against TC).
        let r = rec(&[("ldl_mmol", "12"), ("tc_mmol", "15")]);
        assert!(ids(&r, DQ_RANGE_12).is_empty());
        let mg = |v: &str| rec(&[("ldl_mmol", ""), ("ldl_mgdl", v)]);
        // 0.4 mmol/L = 15.468 mg/dL.
        assert!(ids(&mg("15.47"), DQ_RANGE_12).is_empty());
        assert_eq!(ids(&mg("15.46"), DQ_RANGE_12).len(), 1);
        assert!(ids(&mg("15"), DQ_RANGE_12)[0]
            .message_en
            .contains("must be ≥ 0.4 mmol/L"));
        // ldl_baseline is an LDL-C value too.
        let q = check(&rec(&[("ldl_baseline_mmol", "0.3")]), &Profile::default());
        assert!(q
            .findings
            .iter()
            .any(|f| f.rule_id == DQ_RANGE_12 && f.field == "ldl_baseline_mmol"));
        assert!(q.masked.contains(Field::LdlBaseline));
    }

    #[test]
    fn dq_range_13_tg_both_units() {
        bounds(DQ_RANGE_13, "tg_mmol", &["0.2", "20"], &["0.19", "20.01"]);
        let mg = |v: &str| rec(&[("tg_mmol", ""), ("tg_mgdl", v)]);
        // 0.2 mmol/L = 17.714 mg/dL.
        assert!(ids(&mg("17.714"), DQ_RANGE_13).is_empty());
        assert_eq!(ids(&mg("17.71"), DQ_RANGE_13).len(), 1);
    }

    #[test]
    fn dq_range_14_glucose_both_units() {
        bounds(DQ_RANGE_14, "fbg_mmol", &["2", "30"], &["1.99", "30.01"]);
        let mg = |v: &str| rec(&[("fbg_mgdl", v)]);
        assert!(ids(&mg("36"), DQ_RANGE_14).is_empty());
        assert_eq!(ids(&mg("35.9"), DQ_RANGE_14).len(), 1);
        assert!(ids(&mg("540"), DQ_RANGE_14).is_empty());
        assert_eq!(ids(&mg("540.1"), DQ_RANGE_14).len(), 1);
        // Censored glucose is exempt.
        assert!(ids(&mg("<20"), DQ_RANGE_14).is_empty());
    }

    #[test]
    fn dq_range_15_16_17_both_sides() {
        bounds(DQ_RANGE_15, "hba1c_pct", &["3", "18"], &["2.9", "18.1"]);
        bounds(
            DQ_RANGE_16,
            "creatinine_umol",
            &["8", "1800"],
            &["7.9", "1800.1"],
        );
        bounds(DQ_RANGE_17, "egfr", &["5", "250"], &["4.9", "250.1"]);
        let q = check(&rec(&[("egfr", "1")]), &Profile::default());
        assert!(q.masked.contains(Field::Egfr));
    }

    #[test]
    fn dq_range_18_age_supplied_and_derived() {
        bounds(DQ_RANGE_18, "age", &["15", "120"], &["14.99", "120.5"]);
        assert!(check(&rec(&[("age", "121")]), &Profile::default())
            .masked
            .contains(Field::Age));
        // Derived: a future birth date gives a negative age.
        let r = rec(&[("age", ""), ("birth_date", "2030-01-01")]);
        let q = check(&r, &Profile::default());
        let f: Vec<_> = q
            .findings
            .iter()
            .filter(|f| f.rule_id == DQ_RANGE_18)
            .collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "birth_date");
        assert!(q.masked.contains(Field::Age));
        // Derived 15 exactly (birthday on the screening day) passes; one day short fails.
        assert!(ids(
            &rec(&[("age", ""), ("birth_date", "2010-05-10")]),
            DQ_RANGE_18
        )
        .is_empty());
        assert_eq!(
            ids(
                &rec(&[("age", ""), ("birth_date", "2010-05-11")]),
                DQ_RANGE_18
            )
            .len(),
            1
        );
        // Supplied age out of range beside a sound birth date: finding, no mask.
        let q = check(
            &rec(&[("age", "200"), ("birth_date", "1965-01-01")]),
            &Profile::default(),
        );
        assert!(q.rule_ids().contains(&DQ_RANGE_18));
        assert!(!q.masked.contains(Field::Age));
    }

    #[test]
    fn non_finite_values_are_out_of_range() {
        let mut r = rec(&[]);
        r.height_cm = Some(Cm(f64::NAN));
        r.bmi = Some(KgPerM2(f64::INFINITY));
        let q = check(&r, &Profile::default());
        assert!(q.masked.contains(Field::Height));
        assert!(q
            .findings
            .iter()
            .any(|f| f.rule_id == DQ_RANGE_1 && f.value.as_deref() == Some("NaN")));
        assert!(q
            .findings
            .iter()
            .any(|f| f.rule_id == DQ_RANGE_3 && f.field == "bmi"));
    }
}
