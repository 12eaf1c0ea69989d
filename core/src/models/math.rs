//! Natural logarithm, exponential and `exp(x) − 1` in plain IEEE-754 `f64` arithmetic,
//! written without branches or tables so that a loop calling them over a column
//! auto-vectorises (SSE2 on the default x86-64 target; checked with `objdump`).
//!
//! The risk kernels use these functions in the scalar API *and* in [`batch`](super::batch),
//! so a batch value equals the scalar value bit for bit by construction: both run the same
//! sequence of correctly rounded `+ − × ÷` and exact bit manipulations (Rust never
//! contracts `a * b + c` into a fused multiply-add and has no fast-math), whatever lane of
//! a vector register the value ends up in.
//!
//! Method (the classical argument reductions; the polynomial coefficients are the
//! published minimax sets of Sun's fdlibm 5.3 — `e_log.c` `Lg1…Lg7`, `e_exp.c` `P1…P5`,
//! `s_expm1.c` `Q1…Q5` — whose derivation and error bounds are documented there; the
//! code here is this crate's own, branch-free arrangement):
//!
//! - [`ln`]: `x = 2^k · m` with `m ∈ [√2/2, √2)` found with integer operations on the bit
//!   pattern; with `f = m − 1` and `s = f / (2 + f)`,
//!   `ln m = f − f²/2 + s · (f²/2 + R(s²))`, `R` of degree 7 in `s²` (error of `R` below
//!   2^−58.45 on `s ∈ [0, 0.1716]`); `ln x = k·ln2_hi + (… + k·ln2_lo)`, `ln2_hi` with
//!   trailing zero bits so that `k · ln2_hi` is exact.
//! - [`exp`]: `x = k·ln2 + r`, `|r| ≤ ln2/2`, `k` rounded with the `1.5·2^52` trick;
//!   `r = hi − lo` kept as two parts; `exp r = 1 + r + r·c/(2 − c)` with
//!   `c = r − r²·P(r²)` (a rational form of degree 5 in `r²`); the result is scaled by
//!   `2^k` as two exact powers of two so that only the final product rounds (overflow,
//!   gradual underflow and the subnormal range come out right without a branch).
//! - [`exp_m1`]: the same reduction with the rounding error `c` of `r = hi − lo` carried;
//!   `expm1 r` by the rational form of `s_expm1.c`; then
//!   `expm1 x = 2^k · ((1 − 2^−k) + expm1 r)`, with `(1 − 2^−k) + r` summed error-free
//!   (Fast2Sum, `|1 − 2^−k| ≥ |r|` whenever `k ≠ 0`) so the cancellation for `k = ±1`
//!   costs no accuracy.
//!
//! Accuracy, measured against the platform's `f64::ln` / `exp` / `exp_m1` (glibc on the
//! test machine, itself within about half an ulp of the exact value) by the tests below on
//! millions of random arguments over the whole domain and on edge values: at most 1 ulp
//! apart (see each function). Special values follow IEEE / C99: `ln(0) = −∞`,
//! `ln(x < 0) = NaN`, `ln(+∞) = +∞`, `exp(−∞) = 0`, `exp(+∞) = +∞`, `exp_m1(−∞) = −1`,
//! NaN in → NaN out (not necessarily the same payload), overflow → `+∞`, and signed zeros
//! are kept (`ln(1) = +0`, `exp_m1(−0) = −0`).

// Coefficients are given as exact bit patterns (the hexadecimal values published with
// fdlibm), decoded at compile time.
const fn f(bits: u64) -> f64 {
    f64::from_bits(bits)
}

/// ln 2 upper part (`0x3FE62E42FEE00000`, 32 significant bits: `k · LN2_HI` is exact for
/// `|k| < 2^20`).
const LN2_HI: f64 = f(0x3FE6_2E42_FEE0_0000);
/// ln 2 − `LN2_HI`.
const LN2_LO: f64 = f(0x3DEA_39EF_3579_3C76);
/// 1 / ln 2.
const INV_LN2: f64 = f(0x3FF7_1547_652B_82FE);
/// 1.5 · 2^52: adding it to `|v| < 2^51` rounds `v` to the nearest integer, which then
/// sits in the low bits of the sum.
const ROUND: f64 = 6_755_399_441_055_744.0;
const ROUND_BITS: u64 = 0x4338_0000_0000_0000;
/// 2^52: `from_bits(2^52 bits | n) − 2^52 = n` for `0 ≤ n < 2^52`.
const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
const TWO52: f64 = 4_503_599_627_370_496.0;
/// 2^54, to lift a subnormal argument of [`ln`] into the normal range.
const TWO54: f64 = 18_014_398_509_481_984.0;
/// Bit pattern of √2/2 rounded down.
const SQRT_HALF_BITS: u64 = 0x3FE6_A09E_667F_3BCD;
const MANTISSA: u64 = 0x000F_FFFF_FFFF_FFFF;

// e_log.c: R(z) ≈ Lg1·s² + … + Lg7·s^14.
const LG1: f64 = f(0x3FE5_5555_5555_5593); // 6.666666666666735130e-01
const LG2: f64 = f(0x3FD9_9999_9997_FA04); // 3.999999999940941908e-01
const LG3: f64 = f(0x3FD2_4924_9422_9359); // 2.857142874366239149e-01
const LG4: f64 = f(0x3FCC_71C5_1D8E_78AF); // 2.222219843214978396e-01
const LG5: f64 = f(0x3FC7_4664_96CB_03DE); // 1.818357216161805012e-01
const LG6: f64 = f(0x3FC3_9A09_D078_C69F); // 1.531383769920937332e-01
const LG7: f64 = f(0x3FC2_F112_DF3E_5244); // 1.479819860511658591e-01

// e_exp.c: r − r²·(P1 + P2·r² + … + P5·r^8) ≈ r·(eʳ + 1)/(eʳ − 1) − 2 … (see fdlibm).
const P1: f64 = f(0x3FC5_5555_5555_553E); // 1.66666666666666019037e-01
const P2: f64 = f(0xBF66_C16C_16BE_BD93); // -2.77777777770155933842e-03
const P3: f64 = f(0x3F11_566A_AF25_DE2C); // 6.61375632143793436117e-05
const P4: f64 = f(0xBEBB_BD41_C5D2_6BF1); // -1.65339022054652515390e-06
const P5: f64 = f(0x3E66_3769_72BE_A4D0); // 4.13813679705723846039e-08

// s_expm1.c: 1 + Q1·r²/2 + … + Q5·(r²/2)^5.
const Q1: f64 = f(0xBFA1_1111_1111_10F4); // -3.33333333333331316428e-02
const Q2: f64 = f(0x3F5A_01A0_19FE_5585); // 1.58730158725481460165e-03
const Q3: f64 = f(0xBF14_CE19_9EAA_DBB7); // -7.93650757867487942473e-05
const Q4: f64 = f(0x3ED0_CFCA_86E6_5239); // 4.00821782732936239552e-06
const Q5: f64 = f(0xBE8A_FDB7_6E09_C32D); // -2.01099218183624371326e-07

/// `2^k` for an integer `k ∈ [−1022, 1023]` given as `k + 1023` in `biased`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn pow2_biased(biased: u64) -> f64 {
    f64::from_bits(biased << 52)
}

/// Rounds `v` (|v| < 2^50) to the nearest integer: returns it as `f64` and as
/// `k + 2048` in a `u64` (non-negative for `k ≥ −2048`).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn round_int(v: f64) -> (f64, u64) {
    let t = v + ROUND;
    (
        t - ROUND,
        t.to_bits().wrapping_sub(ROUND_BITS).wrapping_add(2048),
    )
}

/// `y · 2^k` for `k + 2048` in `kb`, `k ∈ [−1076, 1024]`, `y ∈ [0.5, 2]`: split into two
/// halves so that both factors are normal powers of two, the first product is exact and
/// only the second rounds (into the subnormal range or to ∞ where the result lies).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn scale(y: f64, kb: u64) -> f64 {
    let k1b = kb >> 1; // ⌊k/2⌋ + 1024
    let k2b = kb.wrapping_sub(k1b); // k − ⌊k/2⌋ + 1024
    y * pow2_biased(k1b.wrapping_sub(1)) * pow2_biased(k2b.wrapping_sub(1))
}

/// Natural logarithm; at most 1 ulp from `f64::ln` (tested), branch-free.
///
/// ```
/// use cvdscreen::models::math::ln;
/// assert_eq!(ln(1.0), 0.0);
/// assert!((ln(10.0) - std::f64::consts::LN_10).abs() <= f64::EPSILON * 2.5);
/// assert_eq!(ln(0.0), f64::NEG_INFINITY);
/// assert!(ln(-1.0).is_nan());
/// ```
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn ln(x: f64) -> f64 {
    // Subnormals: scale by 2^54 and take 54 off the exponent.
    let tiny = x < f64::MIN_POSITIVE;
    let xs = if tiny { x * TWO54 } else { x };
    let v = ln_parts(xs, if tiny { 54.0 } else { 0.0 });
    // Outside (0, ∞): ln 0 = −∞; √ gives +∞ for +∞ and NaN for x < 0, −∞ and NaN.
    let special = if x == 0.0 {
        f64::NEG_INFINITY
    } else {
        x.sqrt()
    };
    if x > 0.0 && x < f64::INFINITY {
        v
    } else {
        special
    }
}

/// [`ln`] of a positive, finite, normal `x` (≥ 2^−1022), without the selects for the
/// other cases: what the risk kernels use, whose inputs are validated (every argument of
/// a logarithm there is at least 0.5). Bit for bit equal to `ln(x)` on that domain
/// (tested); for any other `x` the value is meaningless (but no panic).
///
/// A `const fn` (IEEE arithmetic and bit casts only), so that the logarithm of a
/// constant input is a compile-time constant with the very bits of a run-time call
/// (const evaluation rounds `+ − × ÷` exactly as the hardware does; tested).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub(crate) const fn ln_normal(x: f64) -> f64 {
    ln_parts(x, 0.0)
}

/// ln(xs) − k_adj · ln 2 for a positive, finite, normal `xs`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
const fn ln_parts(xs: f64, k_adj: f64) -> f64 {
    // Shift the bit pattern so that the exponent field of `iy` is k + 1023 with the
    // mantissa m in [√2/2, √2): adding 1.0 − √2/2 (as bit patterns) carries into the
    // exponent exactly when the mantissa of x is ≥ √2.
    let iy = xs
        .to_bits()
        .wrapping_add(0x3FF0_0000_0000_0000 - SQRT_HALF_BITS);
    let kf = (f64::from_bits((iy >> 52) | TWO52_BITS) - (TWO52 + 1023.0)) - k_adj;
    let m = f64::from_bits((iy & MANTISSA) + SQRT_HALF_BITS);
    let f = m - 1.0; // exact (Sterbenz)
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    (((s * (hfsq + r) + kf * LN2_LO) - hfsq) + f) + kf * LN2_HI
}

/// `e^x`; at most 1 ulp from `f64::exp` (tested), branch-free.
///
/// ```
/// use cvdscreen::models::math::exp;
/// assert_eq!(exp(0.0), 1.0);
/// assert!((exp(1.0) - std::f64::consts::E).abs() <= f64::EPSILON * 2.0);
/// assert_eq!(exp(-800.0), 0.0);
/// assert_eq!(exp(800.0), f64::INFINITY);
/// ```
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn exp(x: f64) -> f64 {
    // Beyond these bounds the result is 0 or ∞ anyway; NaN passes both comparisons.
    let x = if x > 710.0 { 710.0 } else { x };
    let x = if x < -746.0 { -746.0 } else { x };
    let (kf, kb) = round_int(x * INV_LN2);
    let hi = x - kf * LN2_HI; // exact
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    scale(y, kb)
}

/// `e^x − 1`, accurate near 0; at most 1 ulp from `f64::exp_m1` (tested), branch-free.
///
/// ```
/// use cvdscreen::models::math::exp_m1;
/// assert_eq!(exp_m1(0.0), 0.0);
/// assert_eq!(exp_m1(1e-300), 1e-300);
/// assert!((exp_m1(-0.05) - (-0.05f64).exp_m1()).abs() <= f64::EPSILON * 0.05);
/// assert_eq!(exp_m1(-1000.0), -1.0);
/// ```
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn exp_m1(x: f64) -> f64 {
    // e^x < 2^−56 below −40, so the result rounds to −1 there; beyond 710 it is ∞.
    let xc = if x > 710.0 { 710.0 } else { x };
    let xc = if xc < -40.0 { -40.0 } else { xc };
    let (kf, kb) = round_int(xc * INV_LN2);
    let hi = xc - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let c = (hi - r) - lo; // r + c = hi − lo to double precision
                           // expm1 r = r − e1 with e1 from the rational form of s_expm1.c.
    let hfx = 0.5 * r;
    let hxs = r * hfx;
    let r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    let t = 3.0 - r1 * hfx;
    let e = hxs * ((r1 - t) / (6.0 - r * t));
    // With the correction c: expm1(r + c) = r − e1.
    let e1 = (r * (e - c) - c) - hxs;
    // 1 − 2^−k (exact for −53 ≤ k ≤ 53; k is capped at 60 where it rounds to 1 anyway,
    // and k ≥ −58 here). k = 0 gives 0.
    let kt = if kf > 60.0 { 60.0 } else { kf };
    let neg_k_biased = (1023.0 - kt + TWO52).to_bits().wrapping_sub(TWO52_BITS); // −k + 1023
    let one_minus = 1.0 - pow2_biased(neg_k_biased);
    // Fast2Sum of one_minus + r (|one_minus| ≥ |r| for k ≠ 0; exact for k = 0).
    let s = one_minus + r;
    let err = r - (s - one_minus);
    let y = s + (err - e1);
    let v = scale(y, kb);
    // Keep the sign of a zero argument (expm1(−0) = −0).
    if x == 0.0 {
        x
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in ulps between two finite values of the same sign (0 when equal).
    fn ulps(a: f64, b: f64) -> u64 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        assert!(
            a.is_finite() && b.is_finite(),
            "{a:e} vs {b:e}: one is not finite"
        );
        let key = |v: f64| {
            let i = v.to_bits() as i64;
            if i < 0 {
                i64::MIN - i
            } else {
                i
            }
        };
        key(a).abs_diff(key(b))
    }

    /// xorshift64* in [0, 1).
    struct Rng(u64);
    impl Rng {
        fn u64(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn unit(&mut self) -> f64 {
            (self.u64() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    const N: usize = if cfg!(debug_assertions) {
        1_000_000
    } else {
        4_000_000
    };

    fn check(name: &str, ours: fn(f64) -> f64, std: fn(f64) -> f64, xs: &[f64], bound: u64) {
        let mut worst = (0, 0.0);
        for &x in xs {
            let (a, b) = (ours(x), std(x));
            if a.is_nan() || b.is_nan() || a.is_infinite() || b.is_infinite() {
                assert!(
                    (a.is_nan() && b.is_nan()) || a == b,
                    "{name}({x:e}) = {a:e}, std {b:e}"
                );
                continue;
            }
            let d = ulps(a, b);
            if d > worst.0 {
                worst = (d, x);
            }
        }
        assert!(
            worst.0 <= bound,
            "{name}: {} ulp at x = {:e} ({:e} vs {:e})",
            worst.0,
            worst.1,
            ours(worst.1),
            std(worst.1)
        );
    }

    fn edges() -> Vec<f64> {
        let mut v = vec![
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            f64::MIN_POSITIVE / 2.0,
            f64::from_bits(1),
            f64::from_bits(MANTISSA),
            f64::MAX,
            -f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            1.0,
            -1.0,
            0.5,
            2.0,
            std::f64::consts::SQRT_2,
            std::f64::consts::FRAC_1_SQRT_2,
            std::f64::consts::LN_2,
            -std::f64::consts::LN_2,
            0.5 * std::f64::consts::LN_2,
            -0.5 * std::f64::consts::LN_2,
            709.782712893384,
            709.7827128933841,
            -708.3964185322641,
            -745.1332191019411,
            -745.1332191019412,
            -40.0,
            -37.5,
            56.0 * std::f64::consts::LN_2,
            1e-300,
            -1e-300,
            1e-17,
            -1e-17,
        ];
        for x in v.clone() {
            if x.is_finite() && x != 0.0 {
                for d in 1..4u64 {
                    v.push(f64::from_bits(x.to_bits().wrapping_add(d)));
                    v.push(f64::from_bits(x.to_bits().wrapping_sub(d)));
                }
            }
        }
        for k in -1074..=1023 {
            let p = 2f64.powi(k);
            v.extend([p, -p, p * 1.5, -p * 1.5]);
        }
        for i in -60..=60 {
            let k = f64::from(i) * std::f64::consts::LN_2;
            v.extend([k, k * 0.5, f64::from(i), f64::from(i) * 0.25]);
        }
        v
    }

    /// Arguments drawn from the whole bit space (every binade equally likely) plus
    /// uniform draws on ranges of interest.
    fn sample(r: &mut Rng, lo: f64, hi: f64) -> Vec<f64> {
        let mut v: Vec<f64> = (0..N / 2).map(|_| f64::from_bits(r.u64())).collect();
        v.extend((0..N / 2).map(|_| lo + (hi - lo) * r.unit()));
        v.extend(edges());
        v
    }

    #[test]
    fn ln_within_one_ulp() {
        let mut r = Rng(0x1234_5678_9ABC_DEF1);
        check("ln", ln, f64::ln, &sample(&mut r, 0.0, 1000.0), 1);
        let near1: Vec<f64> = (0..N / 4).map(|_| 0.5 + 1.5 * r.unit()).collect();
        check("ln", ln, f64::ln, &near1, 1);
        assert_eq!(ln(1.0).to_bits(), 0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(-0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NEG_INFINITY).is_nan() && ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::from_bits(1)), -744.4400719213812);
        // ln_normal is ln on positive normal finite arguments.
        let normal: Vec<f64> = (0..N / 4)
            .map(|_| f64::from_bits(r.u64() & 0x7FEF_FFFF_FFFF_FFFF).max(f64::MIN_POSITIVE))
            .chain(edges().into_iter().filter(|x| x.is_normal() && *x > 0.0))
            .collect();
        for x in normal {
            assert_eq!(ln_normal(x).to_bits(), ln(x).to_bits(), "{x:e}");
        }
        // Evaluated at compile time, the same bits as at run time.
        const AT_COMPILE_TIME: [f64; 6] = [
            ln_normal(120.0),
            ln_normal(200.0),
            ln_normal(40.0),
            ln_normal(90.0),
            ln_normal(85.0),
            ln_normal(0.0259),
        ];
        for (c, x) in AT_COMPILE_TIME
            .iter()
            .zip([120.0, 200.0, 40.0, 90.0, 85.0, 0.0259])
        {
            let run = ln_normal(std::hint::black_box(x));
            assert_eq!(c.to_bits(), run.to_bits(), "{x}");
        }
    }

    #[test]
    fn exp_within_one_ulp() {
        let mut r = Rng(0x0F0E_0D0C_0B0A_0908);
        check("exp", exp, f64::exp, &sample(&mut r, -750.0, 712.0), 1);
        let small: Vec<f64> = (0..N / 4).map(|_| 40.0 * r.unit() - 20.0).collect();
        check("exp", exp, f64::exp, &small, 1);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert_eq!(exp(f64::NEG_INFINITY).to_bits(), 0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(709.7827128933841), f64::INFINITY);
        assert_eq!(exp(-745.1332191019412), 0.0);
        assert_eq!(exp(-745.1332191019411), f64::from_bits(1));
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn exp_m1_within_one_ulp() {
        let mut r = Rng(0xDEAD_BEEF_CAFE_F00D);
        check(
            "exp_m1",
            exp_m1,
            f64::exp_m1,
            &sample(&mut r, -45.0, 712.0),
            1,
        );
        // The models' domain: e^(X − mean) · ln S, negative, mostly in (−1, 0).
        let models: Vec<f64> = (0..N / 4)
            .map(|_| -(10f64.powf(12.0 * r.unit() - 10.0)))
            .collect();
        check("exp_m1", exp_m1, f64::exp_m1, &models, 1);
        let unit: Vec<f64> = (0..N / 4).map(|_| 4.0 * r.unit() - 2.0).collect();
        check("exp_m1", exp_m1, f64::exp_m1, &unit, 1);
        assert_eq!(exp_m1(0.0).to_bits(), 0);
        assert_eq!(exp_m1(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(exp_m1(f64::NEG_INFINITY), -1.0);
        assert_eq!(exp_m1(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp_m1(709.7827128933841), f64::INFINITY);
        assert_eq!(exp_m1(f64::from_bits(1)), f64::from_bits(1));
        assert!(exp_m1(f64::NAN).is_nan());
    }
}
