//! Device-range rules DQ-DEV-1…4 (spec/domain.md §12.5, DEV-2/DEV-3, S20).
//!
//! The lipid device of a record is its `lipid_device` column, else the profile's
//! device (OQ-15). The lipid rules (DQ-DEV-1, DQ-DEV-2, lipid part of DQ-DEV-4) apply
//! to CardioChek PA records only; the glucose-meter rules (DQ-DEV-3, glucose part of
//! DQ-DEV-4) apply to every record (range 20–600 mg/dL, DEV-2).
//!
//! These findings are about how a value was recorded: `Info` or `Warn`, the value is
//! used as entered and nothing is masked.
//!
//! \[DECISION\] DQ-DEV-4 for a value entered in mmol/L: the device limit is converted
//! with UNIT-1a and rounded to the device's mmol/L display resolution (lipids two
//! decimals, e.g. TC 100 mg/dL → 2.59 mmol/L; glucose one decimal, 20 mg/dL → 1.1,
//! 600 mg/dL → 33.3), because a number copied from a censored display shows the
//! rounded limit. A value in mg/dL is compared with the limit itself.
//!
//! \[DECISION\] DQ-DEV-1 covers every censored lipid column on a CardioChek record
//! (TC, HDL-C, TG and a censored LDL-C); a censored lipid from another device is
//! still exempt from the range rules (QC-USE-3) but raises no device finding.

use super::{cat, QcReport};
use crate::evaluated::FRIEDEWALD_TG_LIMIT_MGDL;
use crate::finding::{fmt_num, push_num, Finding, Severity};
use crate::profile::Profile;
use crate::record::{Dual, LipidDevice, ScreeningRecord};
use crate::units::{Analyte, Triglycerides};
use crate::value::{Censor, Obs};

crate::define_rules! {
    DQ_DEV_1 = "DQ-DEV-1", "qc", [ConfirmedP, Decision], "domain.md §12.5 DQ-DEV-1, DEV-2, OQ-15; S20",
        "CardioChek lipid result outside the measuring range, recorded as censored",
        "CardioChek 血脂结果超出测量范围，记录为截断值";
    DQ_DEV_2 = "DQ-DEV-2", "qc", [Decision], "domain.md §12.5 DQ-DEV-2, DEV-3; S20",
        "LDL-C present although the CardioChek does not report it (TG ≥ 400 mg/dL or an input censored)",
        "CardioChek 在此情况下不报告低密度脂蛋白胆固醇（甘油三酯≥400 mg/dL 或有截断值），但记录中有该值";
    DQ_DEV_3 = "DQ-DEV-3", "qc", [ConfirmedP], "domain.md §12.5 DQ-DEV-3, DEV-2; S20",
        "Glucose outside the meter range 20–600 mg/dL, recorded as censored",
        "血糖超出血糖仪测量范围 20–600 mg/dL，记录为截断值";
    DQ_DEV_4 = "DQ-DEV-4", "qc", [Decision], "domain.md §12.5 DQ-DEV-4, DEV-2; S20",
        "A numeric value equal to or beyond a device limit (ambiguous: the device shows `<`/`>` there)",
        "数值等于或超出仪器测量限（仪器在此处应显示 `<`/`>`，数值存疑）";
}

/// DEV-2 CardioChek PA measuring range of TC, mg/dL.
pub const CARDIOCHEK_TC_MGDL: (f64, f64) = (100.0, 400.0);
/// DEV-2 CardioChek PA measuring range of HDL-C, mg/dL.
pub const CARDIOCHEK_HDL_MGDL: (f64, f64) = (15.0, 100.0);
/// DEV-2 CardioChek PA measuring range of TG, mg/dL.
pub const CARDIOCHEK_TG_MGDL: (f64, f64) = (50.0, 500.0);
/// DEV-2 glucose meter measuring range, mg/dL.
pub const GLUCOSE_METER_MGDL: (f64, f64) = (20.0, 600.0);

/// True when the record's lipid device is the CardioChek PA (OQ-15).
pub fn is_cardiochek(rec: &ScreeningRecord, profile: &Profile) -> bool {
    matches!(
        rec.lipid_device.as_ref().unwrap_or(&profile.lipid_device),
        LipidDevice::CardiochekPa
    )
}

fn censored_text<T: Copy>(o: Obs<T>, raw: impl Fn(T) -> f64) -> Option<String> {
    match o {
        Obs::Censored { bound, dir } => {
            let mut s = String::with_capacity(8);
            s.push(if dir == Censor::Below { '<' } else { '>' });
            push_num(&mut s, raw(bound));
            Some(s)
        }
        _ => None,
    }
}

/// True when a column of the analyte is censored.
fn any_censored<A: Analyte>(d: &Dual<A>) -> bool {
    matches!(d.mmol, Obs::Censored { .. }) || matches!(d.mgdl, Obs::Censored { .. })
}

/// The censored columns of an analyte: `(column, text, unit)`.
fn censored<A: Analyte>(base: &str, d: &Dual<A>) -> Vec<(String, String, &'static str)> {
    let mut v = Vec::new();
    if !any_censored(d) {
        return v;
    }
    if let Some(t) = censored_text(d.mmol, |x| x.value()) {
        v.push((cat(&[base, "_mmol"]), t, "mmol/L"));
    }
    if let Some(t) = censored_text(d.mgdl, |x| x.value()) {
        v.push((cat(&[base, "_mgdl"]), t, "mg/dL"));
    }
    v
}

fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// DQ-DEV-4 on one analyte: the comparisons inlined at each call, the finding built
/// out of line (values are inside the device range on almost every record).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn at_limit<A: Analyte>(
    out: &mut QcReport,
    base: &str,
    d: &Dual<A>,
    (lo, hi): (f64, f64),
    decimals: i32,
    device: &str,
) {
    if let Obs::Known(v) = d.mmol {
        let f = A::MGDL_PER_MMOL;
        let (v, lo, hi) = (
            v.value(),
            round_to(lo / f, decimals),
            round_to(hi / f, decimals),
        );
        // NaN is at no limit.
        if v <= lo || v >= hi {
            at_limit_finding(out, base, "mmol", v, (lo, hi), "mmol/L", device);
        }
    }
    if let Obs::Known(v) = d.mgdl {
        let v = v.value();
        if v <= lo || v >= hi {
            at_limit_finding(out, base, "mgdl", v, (lo, hi), "mg/dL", device);
        }
    }
}

/// The DQ-DEV-4 finding of a value `v` at or beyond a limit of `(lo, hi)`.
#[cold]
#[inline(never)]
fn at_limit_finding(
    out: &mut QcReport,
    base: &str,
    suffix: &str,
    v: f64,
    (lo, hi): (f64, f64),
    unit: &str,
    device: &str,
) {
    let (en, zh) = if v <= lo {
        (
            if v == lo { "equal to" } else { "below" },
            if v == lo { "等于" } else { "低于" },
        )
    } else {
        (
            if v == hi { "equal to" } else { "above" },
            if v == hi { "等于" } else { "高于" },
        )
    };
    let lim = if v <= lo { lo } else { hi };
    let col = cat(&[base, "_", suffix]);
    let (v, lim, lo, hi) = (fmt_num(v), fmt_num(lim), fmt_num(lo), fmt_num(hi));
    let en = cat(&[
        "`",
        &col,
        "` is ",
        &v,
        " ",
        unit,
        ", ",
        en,
        " the ",
        device,
        " limit ",
        &lim,
        " ",
        unit,
        " (measuring range ",
        &lo,
        "–",
        &hi,
        " ",
        unit,
        "), where the device displays `<`/`>`; the number is used as entered",
    ]);
    let zh = cat(&[
        "`",
        &col,
        "` 为 ",
        &v,
        " ",
        unit,
        "，",
        zh,
        device,
        " 测量限 ",
        &lim,
        " ",
        unit,
        "（测量范围 ",
        &lo,
        "–",
        &hi,
        " ",
        unit,
        "，超出时仪器显示 `<`/`>`）；按录入数值使用",
    ]);
    out.push(Finding::new(DQ_DEV_4, Severity::Warn, col, Some(v), en, zh));
}

/// Runs DQ-DEV-1…4 on a record.
pub(crate) fn run(rec: &ScreeningRecord, profile: &Profile, out: &mut QcReport) {
    let cardiochek = is_cardiochek(rec, profile);
    if cardiochek {
        // DQ-DEV-1: TC, HDL-C, TG, then a censored LDL-C. Nothing is built unless a
        // lipid is censored (the common case).
        let lipid_censored =
            any_censored(&rec.tc) || any_censored(&rec.hdl) || any_censored(&rec.tg);
        if lipid_censored {
            dev_1(out, "tc", &rec.tc);
            dev_1(out, "hdl", &rec.hdl);
            dev_1(out, "tg", &rec.tg);
        }
        if any_censored(&rec.ldl) {
            dev_1(out, "ldl", &rec.ldl);
        }
        // DQ-DEV-2.
        if rec.ldl.reported().is_present() {
            let tg_limit_mmol = FRIEDEWALD_TG_LIMIT_MGDL / Triglycerides::MGDL_PER_MMOL;
            let tg_high = match rec.tg.reported().known() {
                Some(c) => {
                    let (v, lim) = match c {
                        crate::units::Conc::MmolL(m) => (m.value(), tg_limit_mmol),
                        crate::units::Conc::MgDl(m) => (m.value(), FRIEDEWALD_TG_LIMIT_MGDL),
                    };
                    (v >= lim).then(|| {
                        let t = cat(&[&fmt_num(c.raw()), " ", c.unit().as_str()]);
                        let lim = super::fmt_conv(tg_limit_mmol);
                        (
                            cat(&["TG ", &t, " ≥ 400 mg/dL (", &lim, " mmol/L)"]),
                            cat(&["甘油三酯 ", &t, " ≥ 400 mg/dL（", &lim, " mmol/L）"]),
                        )
                    })
                }
                None => None,
            };
            let reason = tg_high.or_else(|| {
                // The first censored column of TC, HDL-C and TG.
                let first = lipid_censored.then(|| {
                    [
                        censored("tc", &rec.tc),
                        censored("hdl", &rec.hdl),
                        censored("tg", &rec.tg),
                    ]
                    .into_iter()
                    .flatten()
                    .next()
                });
                first.flatten().map(|(col, t, unit)| {
                    (
                        cat(&["`", &col, "` is censored (", &t, " ", unit, ")"]),
                        cat(&["`", &col, "` 为截断值（", &t, " ", unit, "）"]),
                    )
                })
            });
            if let Some((why_en, why_zh)) = reason {
                let col = match rec.ldl.mmol {
                    Obs::Unknown => "ldl_mgdl",
                    _ => "ldl_mmol",
                };
                let shown = match rec.ldl.mmol {
                    Obs::Unknown => rec.ldl.mgdl.map(|v| v.value()),
                    _ => rec.ldl.mmol.map(|v| v.value()),
                };
                let shown = match shown {
                    Obs::Known(v) => fmt_num(v),
                    o => censored_text(o, |x| x).unwrap_or_default(),
                };
                let en = cat(&[
                    "`",
                    col,
                    "` is ",
                    &shown,
                    " although the CardioChek PA does not report LDL-C when ",
                    &why_en,
                    "; the value may have been typed in",
                ]);
                let zh = cat(&[
                    "`",
                    col,
                    "` 为 ",
                    &shown,
                    "，但",
                    &why_zh,
                    "时 CardioChek PA 不报告低密度脂蛋白胆固醇；该值可能为手工录入",
                ]);
                out.push(Finding::new(
                    DQ_DEV_2,
                    Severity::Warn,
                    col,
                    Some(shown),
                    en,
                    zh,
                ));
            }
        }
        // DQ-DEV-4, lipids.
        at_limit(out, "tc", &rec.tc, CARDIOCHEK_TC_MGDL, 2, "CardioChek PA");
        at_limit(
            out,
            "hdl",
            &rec.hdl,
            CARDIOCHEK_HDL_MGDL,
            2,
            "CardioChek PA",
        );
        at_limit(out, "tg", &rec.tg, CARDIOCHEK_TG_MGDL, 2, "CardioChek PA");
    }
    // DQ-DEV-3.
    if any_censored(&rec.fbg) {
        censored_findings(
            out,
            DQ_DEV_3,
            "fbg",
            &rec.fbg,
            ": outside the glucose meter range 20–600 mg/dL, kept as a censored value",
            "：超出血糖仪测量范围 20–600 mg/dL，按截断值处理",
        );
    }
    // DQ-DEV-4, glucose.
    at_limit(out, "fbg", &rec.fbg, GLUCOSE_METER_MGDL, 1, "glucose meter");
}

/// DQ-DEV-1 on one lipid: a finding per censored column.
fn dev_1<A: Analyte>(out: &mut QcReport, base: &str, d: &Dual<A>) {
    censored_findings(
        out,
        DQ_DEV_1,
        base,
        d,
        ": outside the CardioChek PA measuring range, kept as a censored value",
        "：超出 CardioChek PA 测量范围，按截断值处理",
    );
}

/// An `Info` finding of rule `id` (DQ-DEV-1, DQ-DEV-3) per censored column of `d`.
#[cold]
#[inline(never)]
fn censored_findings<A: Analyte>(
    out: &mut QcReport,
    id: &'static str,
    base: &str,
    d: &Dual<A>,
    en_tail: &str,
    zh_tail: &str,
) {
    // The columns of [`censored`], without collecting them.
    let columns = [
        (censored_text(d.mmol, |x| x.value()), "_mmol", "mmol/L"),
        (censored_text(d.mgdl, |x| x.value()), "_mgdl", "mg/dL"),
    ];
    for (t, suffix, unit) in columns {
        if let Some(t) = t {
            let col = cat(&[base, suffix]);
            let (en, zh) = censored_texts(&col, &t, unit, en_tail, zh_tail);
            out.push(Finding::new(id, Severity::Info, col, Some(t), en, zh));
        }
    }
}

/// The English and Chinese texts of a censored-value finding (DQ-DEV-1, DQ-DEV-3):
/// "`col` is t unit" and its translation, then the rule's own tail.
fn censored_texts(
    col: &str,
    t: &str,
    unit: &str,
    en_tail: &str,
    zh_tail: &str,
) -> (String, String) {
    (
        cat(&["`", col, "` is ", t, " ", unit, en_tail]),
        cat(&["`", col, "` 为 ", t, " ", unit, zh_tail]),
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use crate::qc::check;

    fn other_device(extra: &[(&'static str, &'static str)]) -> ScreeningRecord {
        let mut v = vec![("lipid_device", "other_meter")];
        v.extend_from_slice(extra);
        rec(&v)
    }

    #[test]
    fn dq_dev_1_t_hr_19_censored_hdl_is_info_not_range() {
        // T-HR-19: HDL "<15 mg/dL" on CardioChek → DQ-DEV-1 Info, no DQ-RANGE-11.
        let r = rec(&[("hdl_mmol", ""), ("hdl_mgdl", "<15")]);
        let q = check(&r, &Profile::default());
        let f: Vec<_> = q
            .findings
            .iter()
            .filter(|f| f.rule_id == DQ_DEV_1)
            .collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[0].field, "hdl_mgdl");
        assert!(!q.rule_ids().contains(&crate::qc::ranges::DQ_RANGE_11));
        assert!(q.masked.is_empty());
    }

    #[test]
    fn dq_dev_1_only_on_cardiochek() {
        assert!(ids(
            &other_device(&[("tc_mmol", ""), ("tc_mgdl", ">400")]),
            DQ_DEV_1
        )
        .is_empty());
        // Profile default device other, record column says CardioChek.
        let p = Profile {
            lipid_device: LipidDevice::Other("lab".into()),
            ..Profile::default()
        };
        let r = rec(&[("tg_mmol", ""), ("tg_mgdl", ">500")]);
        assert!(with_id(&r, &p, DQ_DEV_1).is_empty());
        let r = rec(&[
            ("tg_mmol", ""),
            ("tg_mgdl", ">500"),
            ("lipid_device", "cardiochek_pa"),
        ]);
        assert_eq!(with_id(&r, &p, DQ_DEV_1).len(), 1);
    }

    #[test]
    fn dq_dev_2_ldl_with_high_tg_both_units_both_sides() {
        let mg = |tg: &str| rec(&[("tg_mmol", ""), ("tg_mgdl", tg)]);
        assert!(ids(&mg("399.9"), DQ_DEV_2).is_empty());
        let f = ids(&mg("400"), DQ_DEV_2);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(f[0].field, "ldl_mmol");
        // mmol/L: 400 / 88.57 = 4.51620…; 4.516 is below, 4.5163 at or above.
        assert!(ids(&rec(&[("tg_mmol", "4.516")]), DQ_DEV_2).is_empty());
        assert_eq!(ids(&rec(&[("tg_mmol", "4.5163")]), DQ_DEV_2).len(), 1);
        // Without LDL: nothing. On another device: nothing.
        assert!(ids(&rec(&[("tg_mmol", "5"), ("ldl_mmol", "")]), DQ_DEV_2).is_empty());
        assert!(ids(&other_device(&[("tg_mmol", "5")]), DQ_DEV_2).is_empty());
    }

    #[test]
    fn dq_dev_2_ldl_with_censored_input() {
        let r = rec(&[("tc_mmol", ""), ("tc_mgdl", ">400")]);
        assert_eq!(ids(&r, DQ_DEV_2).len(), 1);
        let r = rec(&[("hdl_mmol", ""), ("hdl_mgdl", "<15")]);
        assert_eq!(ids(&r, DQ_DEV_2).len(), 1);
    }

    #[test]
    fn dq_dev_3_censored_glucose_is_info_any_device() {
        let r = other_device(&[("fbg_mgdl", ">600")]);
        let q = check(&r, &Profile::default());
        let f: Vec<_> = q
            .findings
            .iter()
            .filter(|f| f.rule_id == DQ_DEV_3)
            .collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(!q.rule_ids().contains(&crate::qc::ranges::DQ_RANGE_14));
        assert_eq!(ids(&rec(&[("fbg_mmol", "<1.1")]), DQ_DEV_3).len(), 1);
    }

    #[test]
    fn dq_dev_4_lipid_limits_mgdl_both_sides() {
        let tc = |v: &str| rec(&[("tc_mmol", ""), ("tc_mgdl", v)]);
        assert_eq!(ids(&tc("100"), DQ_DEV_4).len(), 1);
        assert!(ids(&tc("100.1"), DQ_DEV_4).is_empty());
        assert!(ids(&tc("399.9"), DQ_DEV_4).is_empty());
        assert_eq!(ids(&tc("400"), DQ_DEV_4).len(), 1);
        assert_eq!(ids(&tc("450"), DQ_DEV_4)[0].severity, Severity::Warn);
        let hdl = |v: &str| rec(&[("hdl_mmol", ""), ("hdl_mgdl", v)]);
        assert_eq!(ids(&hdl("15"), DQ_DEV_4).len(), 1);
        assert!(ids(&hdl("15.5"), DQ_DEV_4).is_empty());
        let tg = |v: &str| rec(&[("tg_mmol", ""), ("tg_mgdl", v)]);
        assert_eq!(ids(&tg("50"), DQ_DEV_4).len(), 1);
        assert!(ids(&tg("51"), DQ_DEV_4).is_empty());
        assert_eq!(ids(&tg("500"), DQ_DEV_4).len(), 1);
        // Not on another device.
        assert!(ids(
            &other_device(&[("tc_mmol", ""), ("tc_mgdl", "100")]),
            DQ_DEV_4
        )
        .is_empty());
    }

    #[test]
    fn dq_dev_4_mmol_limits_rounded_to_display() {
        // TC 100 mg/dL → 2.59 mmol/L; 400 mg/dL → 10.34 mmol/L.
        assert_eq!(ids(&rec(&[("tc_mmol", "2.59")]), DQ_DEV_4).len(), 1);
        assert!(ids(&rec(&[("tc_mmol", "2.6")]), DQ_DEV_4).is_empty());
        assert_eq!(ids(&rec(&[("tc_mmol", "10.34")]), DQ_DEV_4).len(), 1);
        assert!(ids(&rec(&[("tc_mmol", "10.33")]), DQ_DEV_4).is_empty());
    }

    #[test]
    fn dq_dev_4_glucose_meter_limits() {
        assert_eq!(ids(&rec(&[("fbg_mgdl", "600")]), DQ_DEV_4).len(), 1);
        assert!(ids(&rec(&[("fbg_mgdl", "599")]), DQ_DEV_4).is_empty());
        assert_eq!(ids(&rec(&[("fbg_mgdl", "20")]), DQ_DEV_4).len(), 1);
        assert!(ids(&rec(&[("fbg_mgdl", "21")]), DQ_DEV_4).is_empty());
        // mmol/L display limits 1.1 and 33.3, on any device.
        assert_eq!(
            ids(&other_device(&[("fbg_mmol", "33.3")]), DQ_DEV_4).len(),
            1
        );
        assert!(ids(&rec(&[("fbg_mmol", "33.2")]), DQ_DEV_4).is_empty());
        assert_eq!(ids(&rec(&[("fbg_mmol", "1.1")]), DQ_DEV_4).len(), 1);
    }
}
