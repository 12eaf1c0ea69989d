//! Cross-field rules DQ-XF-1…7 (spec/domain.md §12.4, NCD-RisC protocol S19).
//!
//! Lipid rules compare values in mmol/L (mg/dL converted with UNIT-1a); the value of
//! an analyte is the one used for evaluation (the mmol/L column when both are filled,
//! DQ-XF-6). Unknown, censored or already-masked operands follow QC-USE-3: each
//! operand stands for the interval of values it could take (TV-2: a censored value
//! its device interval, an unknown or masked value its plausibility range, §12.3,
//! unbounded above for LDL-C), and a rule fires only if it fails for **every**
//! compatible combination; otherwise it raises nothing.
//!
//! Order: DQ-XF-6 (unit agreement) runs first, so that a disagreeing analyte is
//! unknown for DQ-XF-2…4.
//!
//! \[DECISION\] DQ-XF-1 per reading: a reading with SBP ≤ DBP raises DQ-XF-1 here and
//! DQ-BP-1 in [`super::bp`] (the spec lists the check under both ids). The final
//! `sbp`/`dbp` pair is checked like a reading whether or not it is in use (BP-10);
//! a failing pair masks SBP and DBP only when it is the derived BP. The averaged
//! readings are checked as well, although a mean of valid pairs cannot fail.

use super::{fmt_conv, QcReport};
use crate::evaluated::{lab_interval, Field};
use crate::finding::{fmt_num, Finding, Severity};
use crate::record::{BpSource, DerivedBp, Dual, ScreeningRecord};
use crate::units::{Analyte, Cholesterol, Conc, ConcUnit};
use crate::value::{Censor, Interval, Obs};

crate::define_rules! {
    DQ_XF_1 = "DQ-XF-1", "qc", [ConfirmedP], "domain.md §12.4 DQ-XF-1; S19",
        "SBP must exceed DBP (each reading and the averaged or final value)",
        "收缩压须高于舒张压（每次读数及平均值或最终值）";
    DQ_XF_2 = "DQ-XF-2", "qc", [ConfirmedP], "domain.md §12.4 DQ-XF-2; S19",
        "Total cholesterol must exceed LDL-C", "总胆固醇须高于低密度脂蛋白胆固醇";
    DQ_XF_3 = "DQ-XF-3", "qc", [ConfirmedP], "domain.md §12.4 DQ-XF-3; S19",
        "Total cholesterol must exceed HDL-C", "总胆固醇须高于高密度脂蛋白胆固醇";
    DQ_XF_4 = "DQ-XF-4", "qc", [ConfirmedP, Decision], "domain.md §12.4 DQ-XF-4, OQ-13; S19",
        "TC − (LDL-C + HDL-C) below the TC-dependent margin of error",
        "总胆固醇 −（低密度 + 高密度脂蛋白胆固醇）低于随总胆固醇变化的误差下限";
    DQ_XF_5 = "DQ-XF-5", "qc", [Decision], "domain.md §12.4 DQ-XF-5",
        "Supplied BMI differs from weight ÷ height² by more than 0.5 kg/m²",
        "录入的体质指数与体重÷身高²相差超过 0.5 kg/m²";
    DQ_XF_6 = "DQ-XF-6", "qc", [Decision], "domain.md §12.4 DQ-XF-6; UNIT-1a",
        "The same analyte in mmol/L and mg/dL disagrees by more than 1 %",
        "同一指标的 mmol/L 与 mg/dL 数值相差超过 1%";
    DQ_XF_7 = "DQ-XF-7", "qc", [Decision], "domain.md §12.4 DQ-XF-7; UNIT-10",
        "Supplied age differs from the age derived from birth_date by 1 year or more",
        "录入年龄与由出生日期推算的年龄相差 1 岁或以上";
}

/// DQ-XF-5 tolerance, kg/m².
pub const BMI_TOLERANCE: f64 = 0.5;
/// DQ-XF-6 relative tolerance.
pub const UNIT_TOLERANCE: f64 = 0.01;

/// DQ-XF-4 margin for a TC value (mmol/L): −0.7125 below 4.040, −0.8821 below
/// 4.714, −0.9700 below 5.465, −1.7520 from 5.465.
pub fn xf4_margin(tc_mmol: f64) -> f64 {
    if tc_mmol < 4.040 {
        -0.7125
    } else if tc_mmol < 4.714 {
        -0.8821
    } else if tc_mmol < 5.465 {
        -0.9700
    } else {
        -1.7520
    }
}

/// The margin just below `x` (the left limit of [`xf4_margin`]), for open bounds.
fn xf4_margin_left(x: f64) -> f64 {
    if x <= 4.040 {
        -0.7125
    } else if x <= 4.714 {
        -0.8821
    } else if x <= 5.465 {
        -0.9700
    } else {
        -1.7520
    }
}

/// One lipid operand: its interval in mmol/L and how to name it in messages.
/// One lipid operand of DQ-XF-2…4: its interval, and what to write about it when a
/// finding fires (built only then: most records raise nothing).
struct Operand<'a, A: Analyte> {
    iv: Interval,
    base: &'a str,
    d: &'a Dual<A>,
    o: Obs<Conc<A>>,
    masked: bool,
    range: (f64, f64),
}

/// How an operand is named in a finding.
struct Described {
    /// Column name (the reported column, or the analyte base when unknown).
    field: String,
    en: String,
    zh: String,
    /// The shown value, if any.
    value: Option<String>,
}

fn obs_text<A: Analyte>(o: Obs<Conc<A>>) -> Option<String> {
    match o {
        Obs::Known(c) => Some(format!("{} {}", fmt_num(c.raw()), c.unit().as_str())),
        Obs::Censored { bound, dir } => {
            let s = if dir == Censor::Below { "<" } else { ">" };
            Some(format!(
                "{s}{} {}",
                fmt_num(bound.raw()),
                bound.unit().as_str()
            ))
        }
        Obs::Unknown => None,
    }
}

fn operand<'a, A: Analyte>(
    base: &'a str,
    d: &'a Dual<A>,
    masked: bool,
    range: (f64, f64),
) -> Operand<'a, A> {
    let o = if masked { Obs::Unknown } else { d.reported() };
    Operand {
        iv: lab_interval(o, ConcUnit::MmolL, range),
        base,
        d,
        o,
        masked,
        range,
    }
}

impl<A: Analyte> Operand<'_, A> {
    /// A value (known or censored) was given and is in use.
    fn has_value(&self) -> bool {
        !self.o.is_unknown()
    }

    fn describe(&self) -> Described {
        let base = self.base;
        let col = match self.d.mmol {
            Obs::Unknown => format!("{base}_mgdl"),
            _ => format!("{base}_mmol"),
        };
        match obs_text(self.o) {
            Some(t) => Described {
                en: format!("`{col}` {t}"),
                zh: format!("`{col}` {t}"),
                field: col,
                value: Some(t),
            },
            None => {
                let hi = if self.range.1.is_infinite() {
                    "∞".to_string()
                } else {
                    fmt_num(self.range.1)
                };
                let why_en = if self.masked { "rejected" } else { "unknown" };
                let why_zh = if self.masked { "已剔除" } else { "未知" };
                Described {
                    en: format!(
                        "`{base}` {why_en} (any of {}–{hi} mmol/L)",
                        fmt_num(self.range.0)
                    ),
                    zh: format!(
                        "`{base}` {why_zh}（取 {}–{hi} mmol/L 内任意值）",
                        fmt_num(self.range.0)
                    ),
                    field: base.to_string(),
                    value: None,
                }
            }
        }
    }
}

/// `a > b` fails (a ≤ b) for every value of the two intervals.
fn always_le(a: &Interval, b: &Interval) -> bool {
    a.hi <= b.lo
}

/// Two intervals share no value.
fn disjoint(a: &Interval, b: &Interval) -> bool {
    let before =
        |x: &Interval, y: &Interval| x.hi < y.lo || (x.hi == y.lo && (x.hi_open || y.lo_open));
    before(a, b) || before(b, a)
}

/// DQ-XF-6 on one analyte: returns true when it fired (the analyte is masked). Inlined
/// up to the test that both columns are filled (rarely true).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn unit_agreement<A: Analyte>(out: &mut QcReport, base: &str, d: &Dual<A>, mask: Field) -> bool {
    d.mmol.is_present() && d.mgdl.is_present() && both_units(out, base, d, mask)
}

/// [`unit_agreement`] when both columns are filled. Generic only in what needs the
/// analyte (the intervals, the cell texts, the factor); the test and the finding are
/// [`units_disagree`] and [`push_unit_finding`], one copy each for every analyte.
#[inline(never)]
fn both_units<A: Analyte>(out: &mut QcReport, base: &str, d: &Dual<A>, mask: Field) -> bool {
    let mm = lab_interval(d.mmol.map(Conc::MmolL), ConcUnit::MmolL, (0.0, 0.0));
    let mg = lab_interval(d.mgdl.map(Conc::MgDl), ConcUnit::MmolL, (0.0, 0.0));
    let fired = units_disagree(&mm, &mg);
    if fired {
        let a = obs_text(d.mmol.map(Conc::MmolL)).unwrap_or_default();
        let b = obs_text(d.mgdl.map(Conc::MgDl)).unwrap_or_default();
        let conv = match d.mgdl {
            Obs::Known(v) => Some(v.to_mmol().value()),
            _ => None,
        };
        push_unit_finding(out, base, &a, &b, conv, A::MGDL_PER_MMOL);
        out.masked.insert(mask);
    }
    fired
}

/// DQ-XF-6's test on the two columns' intervals, both in mmol/L.
#[inline(never)]
fn units_disagree(mm: &Interval, mg: &Interval) -> bool {
    let nan = [mm.lo, mm.hi, mg.lo, mg.hi].iter().any(|v| v.is_nan());
    // Values of the mg/dL column compatible with some mmol/L value x: within
    // [0.99 x, 1.01 x] (|x − y| ≤ 0.01 x; nothing is compatible with x < 0).
    if nan || mm.hi < 0.0 {
        return true;
    }
    let hull = Interval {
        lo: (1.0 - UNIT_TOLERANCE) * mm.lo.max(0.0),
        hi: (1.0 + UNIT_TOLERANCE) * mm.hi,
        lo_open: mm.lo_open && mm.lo > 0.0,
        hi_open: mm.hi_open,
    };
    disjoint(&hull, mg)
}

/// The DQ-XF-6 finding: cells `a` (mmol/L) and `b` (mg/dL, `conv` in mmol/L when known)
/// of analyte `base` disagree under the conversion factor `factor`.
#[inline(never)]
fn push_unit_finding(
    out: &mut QcReport,
    base: &str,
    a: &str,
    b: &str,
    conv: Option<f64>,
    factor: f64,
) {
    let conv = conv.map_or(String::new(), |v| format!(" = {} mmol/L", fmt_conv(v)));
    let field = format!("{base}_mgdl");
    out.push(Finding::new(
        DQ_XF_6,
        Severity::Reject,
        field.clone(),
        Some(b.to_string()),
        format!(
            "`{base}_mmol` {a} and `{field}` {b}{conv} disagree by more than 1 % (÷ {}): {base} is treated as unknown",
            fmt_num(factor)
        ),
        format!(
            "`{base}_mmol` {a} 与 `{field}` {b}{conv} 相差超过 1%（÷ {}）：{base} 按未知处理",
            fmt_num(factor)
        ),
    ));
}

/// Runs DQ-XF-1…7 on a record.
/// `bp` is the record's derived BP under the profile.
pub(crate) fn run(rec: &ScreeningRecord, bp: &DerivedBp, out: &mut QcReport) {
    // DQ-XF-6 first.
    unit_agreement(out, "tc", &rec.tc, Field::Tc);
    unit_agreement(out, "hdl", &rec.hdl, Field::Hdl);
    unit_agreement(out, "ldl", &rec.ldl, Field::Ldl);
    unit_agreement(out, "tg", &rec.tg, Field::Tg);
    unit_agreement(out, "fbg", &rec.fbg, Field::Fbg);
    unit_agreement(out, "ldl_baseline", &rec.ldl_baseline, Field::LdlBaseline);

    // DQ-XF-1 per reading and on the averaged or final value.
    for (i, r) in rec.readings.iter().enumerate() {
        if let (Some(s), Some(d)) = (r.sbp, r.dbp) {
            if s.0 <= d.0 {
                let n = i + 1;
                out.push(Finding::new(
                    DQ_XF_1,
                    Severity::Reject,
                    format!("sbp_{n}"),
                    Some(fmt_num(s.0)),
                    format!(
                        "`sbp_{n}` {} mmHg is not above `dbp_{n}` {} mmHg: reading {n} is excluded",
                        fmt_num(s.0),
                        fmt_num(d.0)
                    ),
                    format!(
                        "`sbp_{n}` {} mmHg 不高于 `dbp_{n}` {} mmHg：第 {n} 次读数不予采用",
                        fmt_num(s.0),
                        fmt_num(d.0)
                    ),
                ));
            }
        }
    }
    // The final pair is checked whether or not it is in use (BP-10); it masks SBP
    // and DBP only when it is the derived BP. The averaged readings are checked too
    // (a mean of valid pairs cannot fail; kept for completeness of DQ-XF-1).
    if let (Some(s), Some(d)) = (rec.sbp, rec.dbp) {
        if s.0 <= d.0 {
            out.push(Finding::new(
                DQ_XF_1,
                Severity::Reject,
                "sbp",
                Some(fmt_num(s.0)),
                format!(
                    "`sbp` {} mmHg is not above `dbp` {} mmHg",
                    fmt_num(s.0),
                    fmt_num(d.0)
                ),
                format!(
                    "`sbp` {} mmHg 不高于 `dbp` {} mmHg",
                    fmt_num(s.0),
                    fmt_num(d.0)
                ),
            ));
            if bp.source == BpSource::Final {
                out.masked.insert(Field::Sbp);
                out.masked.insert(Field::Dbp);
            }
        }
    }
    if let (BpSource::Readings, Some(s), Some(d)) = (bp.source, bp.sbp, bp.dbp) {
        if s.0 <= d.0 {
            out.push(Finding::new(
                DQ_XF_1,
                Severity::Reject,
                "sbp",
                Some(fmt_num(s.0)),
                format!(
                    "the averaged SBP {} mmHg is not above the averaged DBP {} mmHg",
                    fmt_conv(s.0),
                    fmt_conv(d.0)
                ),
                format!(
                    "平均收缩压 {} mmHg 不高于平均舒张压 {} mmHg",
                    fmt_conv(s.0),
                    fmt_conv(d.0)
                ),
            ));
        }
    }

    // DQ-XF-2…4 on the lipid panel.
    let m = out.masked;
    let tc = operand("tc", &rec.tc, m.contains(Field::Tc), super::ranges::TC_MMOL);
    let ldl = operand(
        "ldl",
        &rec.ldl,
        m.contains(Field::Ldl),
        super::ranges::LDL_MMOL,
    );
    let hdl = operand(
        "hdl",
        &rec.hdl,
        m.contains(Field::Hdl),
        super::ranges::HDL_MMOL,
    );
    if (tc.has_value() || ldl.has_value()) && always_le(&tc.iv, &ldl.iv) {
        let (tc, ldl) = (tc.describe(), ldl.describe());
        out.push(Finding::new(
            DQ_XF_2,
            Severity::Reject,
            ldl.field.clone(),
            ldl.value.clone(),
            format!(
                "{} is not below {}: LDL-C is treated as unknown",
                ldl.en, tc.en
            ),
            format!("{} 不低于 {}：低密度脂蛋白胆固醇按未知处理", ldl.zh, tc.zh),
        ));
        out.masked.insert(Field::Ldl);
    }
    if (tc.has_value() || hdl.has_value()) && always_le(&tc.iv, &hdl.iv) {
        let (tc, hdl) = (tc.describe(), hdl.describe());
        out.push(Finding::new(
            DQ_XF_3,
            Severity::Reject,
            tc.field.clone(),
            tc.value.clone(),
            format!(
                "{} is not above {}: TC and HDL-C are treated as unknown",
                tc.en, hdl.en
            ),
            format!(
                "{} 不高于 {}：总胆固醇和高密度脂蛋白胆固醇按未知处理",
                tc.zh, hdl.zh
            ),
        ));
        out.masked.insert(Field::Tc);
        out.masked.insert(Field::Hdl);
    }
    if tc.has_value() && xf4_fires(&tc.iv, &ldl.iv, &hdl.iv) {
        let detail = match (
            rec_known(&rec.tc, m, Field::Tc),
            rec_known(&rec.ldl, m, Field::Ldl),
            rec_known(&rec.hdl, m, Field::Hdl),
        ) {
            (Some(t), Some(l), Some(h)) => format!(
                "TC − (LDL-C + HDL-C) = {} mmol/L < {} mmol/L",
                fmt_conv(t - (l + h)),
                fmt_num(xf4_margin(t))
            ),
            _ => "below the margin for every compatible value".to_string(),
        };
        let (tc, ldl, hdl) = (tc.describe(), ldl.describe(), hdl.describe());
        out.push(Finding::new(
            DQ_XF_4,
            Severity::Reject,
            tc.field.clone(),
            tc.value.clone(),
            format!(
                "{}, {}, {}: {detail}; the lipid panel (TC, LDL-C, HDL-C) is treated as unknown",
                tc.en, ldl.en, hdl.en
            ),
            format!(
                "{}、{}、{}：{detail}；血脂（总胆固醇、低密度和高密度脂蛋白胆固醇）按未知处理",
                tc.zh, ldl.zh, hdl.zh
            ),
        ));
        out.masked.insert(Field::Tc);
        out.masked.insert(Field::Ldl);
        out.masked.insert(Field::Hdl);
    }

    // DQ-XF-5: supplied BMI vs weight ÷ height² (sound height and weight only).
    if let (Some(b), Some(h), Some(w)) = (rec.bmi, rec.height_cm, rec.weight_kg) {
        if h.0 > 0.0 && !out.masked.contains(Field::Height) && !out.masked.contains(Field::Weight) {
            let r = crate::units::bmi(w, h).0;
            let diff = (b.0 - r).abs();
            if diff > BMI_TOLERANCE || diff.is_nan() {
                out.push(Finding::new(
                    DQ_XF_5,
                    Severity::Warn,
                    "bmi",
                    Some(fmt_num(b.0)),
                    format!(
                        "`bmi` is {} kg/m² but `weight_kg` ÷ (`height_cm`/100)² = {} kg/m² (difference > 0.5); the computed BMI is used",
                        fmt_num(b.0),
                        fmt_conv(r)
                    ),
                    format!(
                        "`bmi` 为 {} kg/m²，而 `weight_kg` ÷ (`height_cm`/100)² = {} kg/m²（相差 > 0.5）；采用计算值",
                        fmt_num(b.0),
                        fmt_conv(r)
                    ),
                ));
            }
        }
    }

    // DQ-XF-7: supplied age vs birth_date at screen_date.
    if let (Some(a), Some(b), Some(s)) = (rec.age, rec.birth_date, rec.screen_date) {
        let y = b.completed_years_until(s);
        let diff = (a.0 - f64::from(y)).abs();
        if diff >= 1.0 || diff.is_nan() {
            out.push(Finding::new(
                DQ_XF_7,
                Severity::Warn,
                "age",
                Some(fmt_num(a.0)),
                format!(
                    "`age` is {} years but `birth_date` {b} gives {y} years at `screen_date` {s}; the birth-date age is used",
                    fmt_num(a.0)
                ),
                format!(
                    "`age` 为 {} 岁，而由 `birth_date` {b} 推算至 `screen_date` {s} 为 {y} 岁；采用出生日期推算的年龄",
                    fmt_num(a.0)
                ),
            ));
        }
    }
}

fn rec_known(d: &Dual<Cholesterol>, m: crate::evaluated::FieldSet, f: Field) -> Option<f64> {
    if m.contains(f) {
        return None;
    }
    d.reported().known().map(|c| c.to_mmol().value())
}

/// DQ-XF-4 over intervals: `TC − (LDL + HDL) < margin(TC)` for every compatible
/// value. `TC − margin(TC)` increases with TC, so the worst case is the largest TC
/// with the smallest LDL-C and HDL-C.
fn xf4_fires(tc: &Interval, ldl: &Interval, hdl: &Interval) -> bool {
    if !(tc.hi.is_finite() && ldl.lo.is_finite() && hdl.lo.is_finite()) {
        return false;
    }
    let margin = if tc.hi_open {
        xf4_margin_left(tc.hi)
    } else {
        xf4_margin(tc.hi)
    };
    let d = tc.hi - (ldl.lo + hdl.lo);
    let attained = !tc.hi_open && !ldl.lo_open && !hdl.lo_open;
    d < margin || (d == margin && !attained)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use crate::profile::Profile;
    use crate::qc::check;

    fn masked(r: &ScreeningRecord) -> crate::evaluated::FieldSet {
        check(r, &Profile::default()).masked
    }

    #[test]
    fn dq_xf_1_per_reading_strict() {
        // SBP = DBP fails (strict), SBP = DBP + 1 passes.
        let f = ids(&rec(&[("sbp_1", "90"), ("dbp_1", "90")]), DQ_XF_1);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "sbp_1");
        assert!(ids(&rec(&[("sbp_1", "91"), ("dbp_1", "90")]), DQ_XF_1).is_empty());
        // Also DQ-BP-1.
        assert_eq!(
            ids(
                &rec(&[("sbp_2", "80"), ("dbp_2", "90")]),
                crate::qc::bp::DQ_BP_1
            )
            .len(),
            1
        );
    }

    #[test]
    fn dq_xf_1_final_values_mask_when_in_use() {
        let r = rec(&[
            ("sbp_1", ""),
            ("dbp_1", ""),
            ("sbp_2", ""),
            ("dbp_2", ""),
            ("sbp", "90"),
            ("dbp", "90"),
        ]);
        let f = ids(&r, DQ_XF_1);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "sbp");
        assert!(masked(&r).contains(Field::Sbp) && masked(&r).contains(Field::Dbp));
        // Beside readings the final pair is still checked, but not masked.
        let r = rec(&[("sbp", "90"), ("dbp", "90")]);
        assert_eq!(ids(&r, DQ_XF_1).len(), 1);
        assert!(masked(&r).is_empty());
        assert!(ids(&rec(&[("sbp", "91"), ("dbp", "90")]), DQ_XF_1).is_empty());
    }

    #[test]
    fn dq_xf_2_tc_above_ldl_strict_and_masks_ldl() {
        assert_eq!(
            ids(&rec(&[("tc_mmol", "5"), ("ldl_mmol", "5")]), DQ_XF_2).len(),
            1
        );
        assert!(ids(
            &rec(&[("tc_mmol", "5"), ("ldl_mmol", "4.99"), ("hdl_mmol", "1")]),
            DQ_XF_2
        )
        .is_empty());
        // HDL 0.6 keeps DQ-XF-4 quiet (5 − 5.6 = −0.6 ≥ −0.97): only LDL-C is masked.
        let r = rec(&[("tc_mmol", "5"), ("ldl_mmol", "5"), ("hdl_mmol", "0.6")]);
        assert!(ids(&r, DQ_XF_4).is_empty());
        assert!(masked(&r).contains(Field::Ldl));
        assert!(!masked(&r).contains(Field::Tc));
        // Mixed units: TC 193.35 mg/dL = 5.0 mmol/L vs LDL 5 mmol/L.
        let r = rec(&[("tc_mmol", ""), ("tc_mgdl", "193.35"), ("ldl_mmol", "5")]);
        assert_eq!(ids(&r, DQ_XF_2).len(), 1);
    }

    #[test]
    fn dq_xf_2_unknown_and_censored_operands() {
        // TC unknown stands for 1.75–20 mmol/L: LDL 25 fails for every TC, LDL 6 does not.
        let r = rec(&[("tc_mmol", ""), ("ldl_mmol", "25")]);
        assert_eq!(ids(&r, DQ_XF_2).len(), 1);
        assert!(ids(&rec(&[("tc_mmol", ""), ("ldl_mmol", "6")]), DQ_XF_2).is_empty());
        // TC "<100 mg/dL" (< 2.586 mmol/L) with LDL 3 mmol/L: fails for every TC.
        let r = rec(&[("tc_mmol", ""), ("tc_mgdl", "<100"), ("ldl_mmol", "3")]);
        assert_eq!(ids(&r, DQ_XF_2).len(), 1);
        // TC ">400 mg/dL" with LDL 3: compatible values pass → nothing.
        let r = rec(&[("tc_mmol", ""), ("tc_mgdl", ">400"), ("ldl_mmol", "3")]);
        assert!(ids(&r, DQ_XF_2).is_empty());
    }

    #[test]
    fn dq_xf_3_tc_above_hdl_strict_and_masks_both() {
        let r = rec(&[("tc_mmol", "2"), ("hdl_mmol", "2"), ("ldl_mmol", "")]);
        let f = ids(&r, DQ_XF_3);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "tc_mmol");
        assert!(masked(&r).contains(Field::Tc) && masked(&r).contains(Field::Hdl));
        assert!(ids(
            &rec(&[("tc_mmol", "2.01"), ("hdl_mmol", "2"), ("ldl_mmol", "")]),
            DQ_XF_3
        )
        .is_empty());
        // HDL "<15 mg/dL" with TC unknown: passes for compatible values → nothing.
        let r = rec(&[("tc_mmol", ""), ("hdl_mmol", ""), ("hdl_mgdl", "<15")]);
        assert!(ids(&r, DQ_XF_3).is_empty());
    }

    #[test]
    fn dq_xf_4_margin_bands_both_sides() {
        // TC 3.0 (< 4.040): margin −0.7125. LDL + HDL = 3.7125 → diff = −0.7125, not below.
        let r = |tc: &str, ldl: &str, hdl: &str| {
            rec(&[("tc_mmol", tc), ("ldl_mmol", ldl), ("hdl_mmol", hdl)])
        };
        assert!(ids(&r("3", "2.5", "1.2125"), DQ_XF_4).is_empty());
        assert_eq!(ids(&r("3", "2.5", "1.2126"), DQ_XF_4).len(), 1);
        // TC 4.040 is in the second band (margin −0.8821).
        assert!(ids(&r("4.04", "3.2", "1.7"), DQ_XF_4).is_empty()); // −0.86
        assert_eq!(ids(&r("4.039", "3.2", "1.6"), DQ_XF_4).len(), 1); // −0.761 < −0.7125
                                                                      // TC 5.465: margin −1.752.
        assert!(ids(&r("5.465", "4.9", "1.5"), DQ_XF_4).is_empty()); // −0.935
        assert!(ids(&r("5.465", "5.2", "1.9"), DQ_XF_4).is_empty()); // −1.635
        assert_eq!(ids(&r("5.464", "4.9", "1.55"), DQ_XF_4).len(), 1); // −0.986 < −0.97
        let q = check(&r("3", "2.5", "1.3"), &Profile::default());
        assert!(
            q.masked.contains(Field::Tc)
                && q.masked.contains(Field::Ldl)
                && q.masked.contains(Field::Hdl)
        );
        assert!(xf4_margin(4.714) == -0.97 && xf4_margin(4.7139) == -0.8821);
    }

    #[test]
    fn dq_xf_4_with_unknown_ldl_does_not_fire_unless_certain() {
        // LDL unknown (≥ 0.4): TC 3, HDL 2.9: 3 − (0.4 + 2.9) = −0.3 ≥ −0.7125 → nothing.
        let r = rec(&[("tc_mmol", "3"), ("ldl_mmol", ""), ("hdl_mmol", "2.9")]);
        assert!(ids(&r, DQ_XF_4).is_empty());
        // HDL 3.4: 3 − 3.8 = −0.8 < −0.7125 for every LDL ≥ 0.4 → fires.
        let r = rec(&[("tc_mmol", "3"), ("ldl_mmol", ""), ("hdl_mmol", "3.4")]);
        assert_eq!(ids(&r, DQ_XF_4).len(), 1);
        // Open bound at a band edge: TC "<4.04 mmol/L" uses the lower band's margin
        // (−0.7125), so a worst case of −0.8 fires; the closed bound 4.04 (−0.8821) does not.
        let open = Interval {
            lo: f64::NEG_INFINITY,
            hi: 4.04,
            lo_open: false,
            hi_open: true,
        };
        assert!(xf4_fires(
            &open,
            &Interval::point(3.0),
            &Interval::point(1.84)
        ));
        assert!(!xf4_fires(
            &Interval::point(4.04),
            &Interval::point(3.0),
            &Interval::point(1.84)
        ));
    }

    #[test]
    fn dq_xf_5_bmi_tolerance_both_sides() {
        // 70 kg at 175 cm = 22.857 kg/m².
        let r = |b: &str| rec(&[("height_cm", "175"), ("bmi", b)]);
        assert!(ids(&r("23.35"), DQ_XF_5).is_empty());
        assert_eq!(ids(&r("23.36"), DQ_XF_5)[0].severity, Severity::Warn);
        assert!(ids(&r("22.36"), DQ_XF_5).is_empty());
        assert_eq!(ids(&r("22.35"), DQ_XF_5).len(), 1);
        // Warn: nothing masked.
        assert!(masked(&r("30")).is_empty());
    }

    #[test]
    fn dq_xf_6_unit_agreement_both_units() {
        // 5.0 mmol/L = 193.35 mg/dL; 1 % of 5.0 is 0.05 mmol/L = 1.9335 mg/dL.
        let r = |mg: &str| rec(&[("tc_mmol", "5"), ("tc_mgdl", mg)]);
        assert!(ids(&r("193.35"), DQ_XF_6).is_empty());
        assert!(ids(&r("195.2"), DQ_XF_6).is_empty());
        let f = ids(&r("195.4"), DQ_XF_6);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Reject);
        assert_eq!(f[0].field, "tc_mgdl");
        assert!(masked(&r("195.4")).contains(Field::Tc));
        assert!(ids(&r("191.5"), DQ_XF_6).is_empty());
        assert_eq!(ids(&r("191.3"), DQ_XF_6).len(), 1);
        // Triglycerides, glucose, ldl_baseline.
        assert_eq!(
            ids(&rec(&[("tg_mmol", "1.5"), ("tg_mgdl", "150")]), DQ_XF_6).len(),
            1
        );
        assert!(ids(&rec(&[("tg_mmol", "1.5"), ("tg_mgdl", "132.855")]), DQ_XF_6).is_empty());
        assert!(ids(&rec(&[("fbg_mmol", "7"), ("fbg_mgdl", "126")]), DQ_XF_6).is_empty());
        let r = rec(&[("ldl_baseline_mmol", "4"), ("ldl_baseline_mgdl", "100")]);
        assert!(masked(&r).contains(Field::LdlBaseline));
        for (col, v, f) in [("hdl", "1.3", Field::Hdl), ("ldl", "3", Field::Ldl)] {
            let r = rec(&[
                (&format!("{col}_mmol") as &str, v),
                (&format!("{col}_mgdl") as &str, "10"),
            ]);
            assert!(masked(&r).contains(f), "{col}");
        }
    }

    #[test]
    fn dq_xf_6_censored_column_fires_only_when_incompatible() {
        // mmol 2.0 and "<100 mg/dL" (< 2.586): compatible → nothing.
        assert!(ids(&rec(&[("tc_mmol", "2"), ("tc_mgdl", "<100")]), DQ_XF_6).is_empty());
        // mmol 5.0 and "<100 mg/dL": incompatible → fires.
        assert_eq!(
            ids(&rec(&[("tc_mmol", "5"), ("tc_mgdl", "<100")]), DQ_XF_6).len(),
            1
        );
    }

    #[test]
    fn dq_xf_7_age_birth_date_both_sides() {
        // Birth 1965-01-01, screening 2025-05-10: 60 completed years.
        let r = |a: &str| rec(&[("age", a), ("birth_date", "1965-01-01")]);
        assert!(ids(&r("60"), DQ_XF_7).is_empty());
        assert!(ids(&r("60.99"), DQ_XF_7).is_empty());
        assert!(ids(&r("59.01"), DQ_XF_7).is_empty());
        assert_eq!(ids(&r("61"), DQ_XF_7)[0].severity, Severity::Warn);
        assert_eq!(ids(&r("59"), DQ_XF_7).len(), 1);
    }
}
