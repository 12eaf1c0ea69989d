//! Risk models (spec/risk-models.md), one module per model. Each model takes its own
//! typed inputs; none reads a `ScreeningRecord` directly.
//!
//! Conventions shared by the risk equations (RM-GEN):
//! - every public risk is a percentage `100 · p` in full `f64` precision, plus a display
//!   value rounded half up with [`round_half_up`] (RM-GEN-2/3);
//! - inputs are checked against the model's closed ranges in the unit supplied; a
//!   [`RangePolicy`](crate::profile::RangePolicy) chooses between an error and a flag
//!   (RM-GEN-4); NaN/∞ and physiologically implausible values are always errors;
//! - [`batch`] evaluates columns through the same kernels, bit for bit.

/// Builds a coefficient struct field by field from two sets of the same type: the field
/// of `$a` where `$pick_a`, else that of `$b`. No arithmetic, so the values are exact;
/// and no branch, so a loop over rows with mixed sets vectorises (one blend per field
/// and lane). The struct literal names every field, so a field added to the struct and
/// forgotten here is a compile error.
macro_rules! select_fields {
    ($pick_a:expr, $a:expr, $b:expr, $T:ident { $($f:ident),* $(,)? }) => {{
        let (pick_a, a, b): (bool, &$T, &$T) = ($pick_a, $a, $b);
        $T { $($f: if pick_a { a.$f } else { b.$f }),* }
    }};
}

pub mod batch;
pub mod china_par;
pub mod error;
pub mod framingham2008;
pub mod math;
pub mod meta;
pub mod pce2013;
pub mod prevent2023;
pub mod who2019;
pub mod who_ish2007;

pub use error::{InputRange, ModelError, RangeKind};

/// Rounds half up to `decimals` decimal places, deciding on the exact binary value of
/// `x` (RM-GEN-3): `1.15` is stored as 1.149999…, so it displays as `1.1`, while
/// `0.125` (exact in binary) displays as `0.13` at 2 decimals.
///
/// Ties go towards +∞. `decimals` above 15 and non-finite `x` return `x` unchanged.
///
/// ```
/// use cvdscreen::models::round_half_up;
/// assert_eq!(round_half_up(1.15, 1), 1.1);
/// assert_eq!(round_half_up(0.125, 2), 0.13);
/// assert_eq!(round_half_up(4.7172, 1), 4.7);
/// assert_eq!(round_half_up(2.5, 0), 3.0);
/// ```
// `!(|p| < 4e15)` on purpose: true for a NaN too.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
pub fn round_half_up(x: f64, decimals: u32) -> f64 {
    if decimals > 15 {
        return x;
    }
    // 10^d is exact in f64 for d ≤ 22; the product x·s is recovered exactly as p + e
    // with a fused multiply-add, so the tie test below is exact.
    let s = 10f64.powi(decimals as i32);
    let p = x * s;
    // One test for a NaN or infinite x (p is NaN or infinite) and |p| ≥ 4e15.
    if !(p.abs() < 4.0e15) {
        return x;
    }
    let e = if decimals == 1 {
        // The same e without the `fma` call (a libm routine where the target has no
        // FMA instruction, as the x86-64 baseline): 10x = 8x + 2x with both products
        // exact (|x| < 4e14 here, so no overflow; scaling by a power of two is exact
        // even for subnormals), |8x| ≥ |2x|, so Fast2Sum gives the rounding error of
        // p = fl(8x + 2x) = fl(10x) exactly: e = 2x − (p − 8x).
        x * 2.0 - (p - x * 8.0)
    } else {
        x.mul_add(s, -p)
    };
    let k = floor_below_2_52(p);
    // frac = p − k is exact (|p| < 2^52); compare frac + e with 1/2 without rounding:
    // frac − 0.5 is exact whenever frac ≥ 0.25, and for frac < 0.25 the sum is < 0.5
    // because |e| ≤ ulp(p)/2.
    let frac = p - k;
    let up = if frac >= 0.25 {
        (frac - 0.5) >= -e
    } else {
        false
    };
    let k = if up { k + 1.0 } else { k };
    k / s
}

/// `p.floor()` for a finite `|p| < 2^52`, bit for bit (the sign of a zero included),
/// without the libm call that `f64::floor` is on the x86-64 baseline (no SSE4.1
/// `roundsd`), and in plain `f64` arithmetic. Adding then subtracting `±2^52` (the sign
/// of `p`) rounds `p` to an integer `r`, exactly: `p ± 2^52` lies in a binade whose
/// spacing is 1, and the subtraction is exact. One step down where `r > p` gives the
/// floor; `copysign` restores the sign of `p = −0`, the one case where `r` (`+0`) has
/// the wrong sign (a negative non-zero `p` has a floor ≤ −1, a positive one ≥ +0).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn floor_below_2_52(p: f64) -> f64 {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let c = TWO52.copysign(p);
    let r = (p + c) - c;
    let k = if r > p { r - 1.0 } else { r };
    k.copysign(p)
}

/// The natural logarithms ([`math::ln_normal`]) of age, SBP, TC and HDL-C in mg/dL
/// that the Cox-form kernels (China-PAR, PCE, Framingham) take. A kernel on its own
/// computes them from its inputs ([`Logs::of`]); [`from_record::evaluate_all`] computes
/// them once per person for the three models (each model's `*_with_logs` entry), which
/// gives the same bits because each field is the same function of the same `f64`.
/// The TC and HDL-C fields are the logarithms of the mg/dL value *as the model converts
/// it*: the same for all three models when reported in mg/dL, but China-PAR converts
/// mmol/L with its own factor (RM-CPAR-3), PCE and Framingham with UNIT-1a.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(crate) struct Logs {
    /// ln age
    pub age: f64,
    /// ln SBP
    pub sbp: f64,
    /// ln TC (mg/dL)
    pub tc_mgdl: f64,
    /// ln HDL-C (mg/dL)
    pub hdl_mgdl: f64,
}

impl Logs {
    /// The logarithms of the four values (which the kernels only take once the values
    /// passed the models' range checks, so they are at least 0.5: see `ln_normal`).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn of(age: f64, sbp: f64, tc_mgdl: f64, hdl_mgdl: f64) -> Self {
        Logs {
            age: math::ln_normal(age),
            sbp: math::ln_normal(sbp),
            tc_mgdl: math::ln_normal(tc_mgdl),
            hdl_mgdl: math::ln_normal(hdl_mgdl),
        }
    }
}

/// Two-sided check that a risk is a finite percentage in [0, 100]; used by the
/// models' kernels to convert a rounding artefact into a clean bound.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn clamp_pct(p: f64) -> f64 {
    (100.0 * p).clamp(0.0, 100.0)
}

/// The survival step the Cox-form kernels (China-PAR, PCE, Framingham) share: with
/// `[X − X̄, ln S]` from the linear predictor, the risk in percent
/// `100 · (1 − S^exp(X − X̄)) = −100 · expm1(exp(X − X̄) · ln S)`, clamped to [0, 100].
/// Kept apart from the linear predictor so that the batch path can run the two halves
/// as separate loops over a chunk (see [`batch`]).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn cox_pct(h: [f64; 2]) -> f64 {
    pct_of_ln_survival(cox_ln_survival(h))
}

/// The first step of [`cox_pct`]: the logarithm of the survival probability,
/// `ln(S^exp(X − X̄)) = exp(X − X̄) · ln S`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn cox_ln_survival(h: [f64; 2]) -> f64 {
    math::exp(h[0]) * h[1]
}

/// The second step of [`cox_pct`]: the risk in percent from the logarithm `l` of the
/// survival probability, `−100 · expm1(l)`, clamped to [0, 100].
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) fn pct_of_ln_survival(l: f64) -> f64 {
    clamp_pct(-math::exp_m1(l))
}

/// [`cox_pct`] of two independent rows (one person's PCE and Framingham, from
/// [`from_record::evaluate_all`]), side by side: the two chains are the same
/// operations, which LLVM evaluates in the two lanes of one SSE2 register (lane-wise
/// IEEE arithmetic, so the same bits as two calls; about half the instructions).
#[inline(always)]
pub(crate) fn cox_pct2(h: [[f64; 2]; 2]) -> [f64; 2] {
    [cox_pct(h[0]), cox_pct(h[1])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::xorshift64;

    #[test]
    fn round_half_up_exact_binary() {
        assert_eq!(round_half_up(1.15, 1), 1.1); // 1.1499999999999999
        assert_eq!(round_half_up(1.25, 1), 1.3); // exact tie → up
        assert_eq!(round_half_up(2.675, 2), 2.67); // 2.67499999…
        assert_eq!(round_half_up(0.0005, 3), 0.001); // 0.000500000000000000010…
        assert_eq!(round_half_up(4.75, 1), 4.8);
        assert_eq!(round_half_up(4.7499999, 1), 4.7);
        assert_eq!(round_half_up(99.95, 1), 100.0); // 99.9500000000000028…
        assert_eq!(round_half_up(16.1766, 0), 16.0);
        assert_eq!(round_half_up(33.5, 0), 34.0);
        assert_eq!(round_half_up(0.0, 1), 0.0);
        assert!(round_half_up(f64::NAN, 1).is_nan());
    }

    #[test]
    fn one_decimal_error_term_is_the_fused_one() {
        // The Fast2Sum error of round_half_up(x, 1) against x.mul_add(10, −p), over
        // every binade a display can meet and ties of every kind.
        let mut r = 0x0123_4567_89AB_CDEFu64;
        let mut xs: Vec<f64> = (0..400_000)
            .map(|_| f64::from_bits(xorshift64(&mut r)))
            .filter(|x| x.is_finite() && (x * 10.0).abs() < 4.0e15)
            .collect();
        xs.extend((0..200_000).map(|i| f64::from(i) * 0.05 - 5000.0));
        xs.extend((0..200_000).map(|i| f64::from(i) * 0.0005));
        xs.extend([
            0.0,
            -0.0,
            f64::from_bits(1),
            -f64::from_bits(1),
            3.9e14,
            -3.9e14,
        ]);
        for x in xs {
            let p = x * 10.0;
            let fused = x.mul_add(10.0, -p);
            let f2s = x * 2.0 - (p - x * 8.0);
            assert!(fused == f2s, "{x:e}: {fused:e} vs {f2s:e}");
        }
    }

    #[test]
    fn floor_below_2_52_is_floor() {
        let mut v = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            1e-300,
            -1e-300,
            f64::from_bits(1),
            -f64::from_bits(1),
            4.0e15,
            -4.0e15,
            4_503_599_627_370_495.5,
            -4_503_599_627_370_495.5,
            4_503_599_627_370_495.0,
            -4_503_599_627_370_495.0,
        ];
        let mut r = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            xorshift64(&mut r);
            let x = f64::from_bits(r);
            if x.is_finite() && x.abs() < 4_503_599_627_370_496.0 {
                v.push(x);
            }
            // Values near integers and ties at every scale.
            let m = (r >> 12) as f64 / f64::from(1u32 << ((r & 31) as u32));
            v.extend([m, -m, m + 0.5, -m - 0.5]);
        }
        for i in -3000..3000 {
            let x = f64::from(i) * 0.25;
            v.extend([
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits().wrapping_sub(1)),
            ]);
        }
        for x in v {
            if x.is_finite() && x.abs() < 4_503_599_627_370_496.0 {
                assert_eq!(floor_below_2_52(x).to_bits(), x.floor().to_bits(), "{x:e}");
            }
        }
    }

    #[test]
    fn round_half_up_matches_decimal_expansion() {
        // Reference: decide on the exact decimal expansion of the f64 (Rust prints it
        // exactly with enough precision).
        for i in 0..20000u32 {
            let x = f64::from(i) * 0.005 + 0.0001 * f64::from(i % 7);
            for d in 0..4u32 {
                let exact = format!("{x:.60}");
                let (int, frac) = exact.split_once('.').unwrap();
                let digits: Vec<u8> = frac.bytes().map(|b| b - b'0').collect();
                let keep: String = format!("{int}.{}", &frac[..d as usize]);
                let mut v: f64 = keep.trim_end_matches('.').parse().unwrap();
                if digits[d as usize] >= 5 {
                    v += 10f64.powi(-(d as i32));
                }
                let want: f64 = format!("{v:.*}", d as usize).parse().unwrap();
                assert_eq!(round_half_up(x, d), want, "x = {x:.20}, d = {d}");
            }
        }
    }
}
pub mod from_record;
