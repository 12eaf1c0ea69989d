//! The shortest round-trip decimal of an `f64`, written exactly as `f64`'s `Display`
//! writes it (`format!("{v}")`), without going through `core::fmt`.
//!
//! The output columns write every risk percentage this way (csv-schema.md), about six
//! numbers per record, and `core::fmt`'s Grisu path with its formatter plumbing was
//! the largest single cost of a screened row. This is the Ryū algorithm (Ulf Adams,
//! "Ryū: fast float-to-string conversion", PLDI 2018; the code follows the `ryu`
//! crate's translation of the reference C, Apache-2.0 / BSL-1.0) restricted to its
//! common case, where the shortest decimal in the rounding interval is unique and the
//! interval's bounds are never exactly a shorter decimal — so every correct
//! shortest-closest algorithm, `core::fmt`'s included, yields the same digits. Every
//! other value (zero, negatives, subnormals, infinities and NaN, powers of two,
//! values ≥ 2^52 or below about 1e-38, and the rare values whose decimal expansion
//! stops within the first removed digits) is handed to `core::fmt` itself.

/// Number of entries of [`POW5_SPLIT`]: 5^i fits in a `u128` up to i = 55, which
/// covers every exponent down to about 1e-38.
const POW5_TABLE_LEN: usize = 56;
/// Bits kept of each power of five.
const POW5_BITCOUNT: i32 = 125;

/// `ceil(log2(5^e))` (1 for e = 0).
const fn pow5bits(e: i32) -> i32 {
    (((e as u32) * 1_217_359) >> 19) as i32 + 1
}

/// `floor(log10(5^e))`.
const fn log10_pow5(e: i32) -> u32 {
    ((e as u32) * 732_923) >> 20
}

/// 5^i scaled to [`POW5_BITCOUNT`] bits (truncated), as (low, high) 64-bit halves:
/// the first entries of Ryū's `DOUBLE_POW5_SPLIT`, computed at compile time.
static POW5_SPLIT: [(u64, u64); POW5_TABLE_LEN] = pow5_split();

const fn pow5_split() -> [(u64, u64); POW5_TABLE_LEN] {
    let mut t = [(0u64, 0u64); POW5_TABLE_LEN];
    let mut p: u128 = 1;
    let mut i = 0;
    while i < POW5_TABLE_LEN {
        let bits = pow5bits(i as i32);
        let v = if bits <= POW5_BITCOUNT {
            p << (POW5_BITCOUNT - bits)
        } else {
            p >> (bits - POW5_BITCOUNT)
        };
        t[i] = (v as u64, (v >> 64) as u64);
        i += 1;
        if i < POW5_TABLE_LEN {
            p *= 5;
        }
    }
    t
}

fn mul_shift_64(m: u64, mul: &(u64, u64), j: u32) -> u64 {
    let b0 = u128::from(m) * u128::from(mul.0);
    let b2 = u128::from(m) * u128::from(mul.1);
    (((b0 >> 64) + b2) >> (j - 64)) as u64
}

/// The shortest decimal `digits × 10^exp` of a finite `v > 0` in Ryū's common case
/// (see the module documentation); `None` for every other value.
fn shortest(v: f64) -> Option<(u64, i32)> {
    let bits = v.to_bits();
    let ieee_mantissa = bits & ((1u64 << 52) - 1);
    let ieee_exponent = (bits >> 52) as u32;
    // Sign bit set, zero or subnormal, infinite or NaN, or an exact power of two
    // (asymmetric interval).
    if ieee_exponent == 0 || ieee_exponent >= 0x7ff || ieee_mantissa == 0 {
        return None;
    }
    let e2 = ieee_exponent as i32 - 1023 - 52 - 2;
    if e2 >= 0 {
        return None;
    }
    let m2 = (1u64 << 52) | ieee_mantissa;
    let q = log10_pow5(-e2) - u32::from(-e2 > 1);
    let mv = 4 * m2;
    // Ryū's general case: the value (or a bound) may have at most q decimals.
    if q <= 1 || (q < 63 && mv & ((1u64 << q) - 1) == 0) {
        return None;
    }
    let e10 = q as i32 + e2;
    let i = -e2 - q as i32;
    let mul = POW5_SPLIT.get(i as usize)?;
    let j = (q as i32 - (pow5bits(i) - POW5_BITCOUNT)) as u32;
    let mut vr = mul_shift_64(mv, mul, j);
    let mut vp = mul_shift_64(mv + 2, mul, j);
    // The interval is symmetric (the mantissa is not zero): mm_shift = 1.
    let mut vm = mul_shift_64(mv - 2, mul, j);
    let mut removed = 0i32;
    let mut round_up = false;
    if vp / 100 > vm / 100 {
        let vr_div100 = vr / 100;
        round_up = vr - 100 * vr_div100 >= 50;
        vr = vr_div100;
        vp /= 100;
        vm /= 100;
        removed += 2;
    }
    loop {
        let vp_div10 = vp / 10;
        let vm_div10 = vm / 10;
        if vp_div10 <= vm_div10 {
            break;
        }
        let vr_div10 = vr / 10;
        round_up = vr - 10 * vr_div10 >= 5;
        vr = vr_div10;
        vp = vp_div10;
        vm = vm_div10;
        removed += 1;
    }
    let mut out = vr + u64::from(vr == vm || round_up);
    let mut exp = e10 + removed;
    // The shortest decimal has no trailing zero.
    while out % 10 == 0 {
        out /= 10;
        exp += 1;
    }
    Some((out, exp))
}

/// Appends `v` as `write!(s, "{v}")` would, followed by zeros up to `min_decimals`
/// digits after the decimal point (a point is added when `min_decimals > 0` and the
/// number has none).
pub(crate) fn push(s: &mut String, v: f64, min_decimals: usize) {
    // wasm32 is built for size (bindings-wasm's 400 KB budget) and screens one record at
    // a time: there `core::fmt`, which the module carries anyway, writes the same text.
    if cfg!(target_arch = "wasm32") {
        return push_fallback(s, v, min_decimals);
    }
    let Some((digits, exp)) = shortest(v) else {
        return push_fallback(s, v, min_decimals);
    };
    // The text is assembled in `out`, pre-filled with zeros (leading zeros after
    // "0.", trailing zeros of an integer and the padding are never written), and
    // appended with one `push_str`.
    let mut out = [b'0'; 64];
    let n = decimal_length17(digits);
    // Digits before the decimal point.
    let kp = n as i32 + exp;
    let len;
    if kp <= 0 {
        let zeros = (-kp) as usize;
        if zeros + n + min_decimals + 2 > out.len() {
            return push_fallback(s, v, min_decimals);
        }
        out[1] = b'.';
        write_digits(&mut out[2 + zeros..2 + zeros + n], digits);
        len = 2 + zeros + n.max(min_decimals.saturating_sub(zeros));
    } else if (kp as usize) < n {
        let kp = kp as usize;
        if n + 1 + min_decimals > out.len() {
            return push_fallback(s, v, min_decimals);
        }
        write_digits(&mut out[1..n + 1], digits);
        // The integer digits one place left (a percentage has one to three: a byte
        // loop, not a `memmove` call).
        for j in 0..kp {
            out[j] = out[j + 1];
        }
        out[kp] = b'.';
        len = kp + 1 + (n - kp).max(min_decimals);
    } else {
        let kp = kp as usize;
        if kp + 1 + min_decimals > out.len() {
            return push_fallback(s, v, min_decimals);
        }
        write_digits(&mut out[..n], digits);
        if min_decimals > 0 {
            out[kp] = b'.';
            len = kp + 1 + min_decimals;
        } else {
            len = kp;
        }
    }
    // Only ASCII digits, '.' and the zeros are in `out`.
    s.push_str(std::str::from_utf8(&out[..len]).unwrap_or_default());
}

/// `core::fmt`'s text, with the same zero padding as [`push`].
#[cold]
fn push_fallback(s: &mut String, v: f64, min_decimals: usize) {
    use std::fmt::Write;
    let start = s.len();
    let _ = write!(s, "{v}");
    if min_decimals > 0 {
        match s[start..].find('.') {
            None => {
                s.push('.');
                s.extend(std::iter::repeat_n('0', min_decimals));
            }
            Some(i) => {
                let decimals = s.len() - start - i - 1;
                s.extend(std::iter::repeat_n(
                    '0',
                    min_decimals.saturating_sub(decimals),
                ));
            }
        }
    }
}

/// Number of decimal digits of `v` (1 ≤ v < 10^17), tested from the longest: most
/// percentages have 15 to 17 significant digits.
fn decimal_length17(v: u64) -> usize {
    const P: [u64; 16] = [
        10_000_000_000_000_000,
        1_000_000_000_000_000,
        100_000_000_000_000,
        10_000_000_000_000,
        1_000_000_000_000,
        100_000_000_000,
        10_000_000_000,
        1_000_000_000,
        100_000_000,
        10_000_000,
        1_000_000,
        100_000,
        10_000,
        1_000,
        100,
        10,
    ];
    for (i, &p) in P.iter().enumerate() {
        if v >= p {
            return 17 - i;
        }
    }
    1
}

/// "00" … "99".
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes the 4 decimal digits of `v < 10_000` into `out[..4]`.
fn write4(out: &mut [u8], v: u32) {
    let (hi, lo) = ((v / 100) as usize, (v % 100) as usize);
    out[0] = DIGIT_PAIRS[2 * hi];
    out[1] = DIGIT_PAIRS[2 * hi + 1];
    out[2] = DIGIT_PAIRS[2 * lo];
    out[3] = DIGIT_PAIRS[2 * lo + 1];
}

/// Writes the decimal digits of `v` right-aligned into `out` (which has exactly their
/// number of bytes): eight at a time in 32-bit arithmetic, then two at a time.
fn write_digits(out: &mut [u8], mut v: u64) {
    let mut i = out.len();
    while i >= 8 {
        let low8 = (v % 100_000_000) as u32;
        v /= 100_000_000;
        write4(&mut out[i - 8..i - 4], low8 / 10_000);
        write4(&mut out[i - 4..i], low8 % 10_000);
        i -= 8;
    }
    let mut v = v as u32;
    while i >= 2 {
        let r = (v % 100) as usize;
        v /= 100;
        out[i - 2] = DIGIT_PAIRS[2 * r];
        out[i - 1] = DIGIT_PAIRS[2 * r + 1];
        i -= 2;
    }
    if i == 1 {
        out[0] = b'0' + v as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(v: f64) {
        let mut s = String::new();
        push(&mut s, v, 0);
        assert_eq!(s, format!("{v}"), "bits {:#x}", v.to_bits());
        let mut p = String::new();
        push(&mut p, v, 4);
        let mut want = format!("{v}");
        match want.find('.') {
            None => want.push_str(".0000"),
            Some(i) => {
                for _ in want.len() - i - 1..4 {
                    want.push('0');
                }
            }
        }
        assert_eq!(p, want, "bits {:#x}", v.to_bits());
    }

    /// A small deterministic generator (xorshift64*).
    fn next(x: &mut u64) -> u64 {
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    #[test]
    fn digits() {
        let mut x = 7u64;
        for n in 1..=17usize {
            for v in [
                10u64.pow(n as u32 - 1),
                10u64.pow(n as u32) - 1,
                10u64.pow(n as u32 - 1) + next(&mut x) % (9 * 10u64.pow(n as u32 - 1)),
            ] {
                assert_eq!(decimal_length17(v), n, "{v}");
                let mut out = vec![0u8; n];
                write_digits(&mut out, v);
                assert_eq!(std::str::from_utf8(&out).unwrap(), v.to_string());
            }
        }
    }

    #[test]
    fn table_matches_ryu() {
        // Spot checks against Ryū's DOUBLE_POW5_SPLIT.
        assert_eq!(POW5_SPLIT[0], (0, 1_152_921_504_606_846_976));
        assert_eq!(POW5_SPLIT[1], (0, 1_441_151_880_758_558_720));
        assert_eq!(
            POW5_SPLIT[27],
            (4_611_686_018_427_387_904, 1_862_645_149_230_957_031)
        );
        assert_eq!(
            POW5_SPLIT[28],
            (9_799_832_789_158_199_296, 1_164_153_218_269_348_144)
        );
        assert_eq!(
            POW5_SPLIT[54],
            (3_689_030_933_889_743_652, 1_504_632_769_052_528_010)
        );
        assert_eq!(
            POW5_SPLIT[55],
            (13_834_660_704_216_955_373, 1_880_790_961_315_660_012)
        );
    }

    #[test]
    fn same_as_display() {
        for v in [
            0.0,
            -0.0,
            1.0,
            0.5,
            0.1,
            0.2,
            0.3,
            1e-7,
            4.7,
            12.0,
            99.99999,
            1e21,
            123456.0,
            2.6,
            1.8,
            1.4,
            3.4,
            1e-300,
            5e-324,
            -4.7,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.000123,
            4.717212345678901,
            1e-38,
            2.5e-39,
            9007199254740991.0,
            4503599627370495.5,
        ] {
            check(v);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            // Any positive finite bit pattern…
            let bits = next(&mut x) >> 1;
            let v = f64::from_bits(bits);
            if v.is_finite() {
                check(v);
            }
            // …and percentages as the models produce them.
            let r = (next(&mut x) >> 11) as f64 / (1u64 << 53) as f64;
            check(r * 100.0);
            check(r);
            check((r * 1e4).round() / 1e4 * 100.0);
        }
    }

    /// `cargo test -p cvdscreen --release -- --ignored shortest`: 100 million values.
    #[test]
    #[ignore]
    fn same_as_display_long() {
        let mut x = 0x1234_5678_9abc_def1u64;
        for _ in 0..25_000_000 {
            let v = f64::from_bits(next(&mut x) >> 1);
            if v.is_finite() {
                check(v);
            }
            let r = (next(&mut x) >> 11) as f64 / (1u64 << 53) as f64;
            check(r * 100.0);
            check(r);
            check(f64::from_bits(0x3f00_0000_0000_0000 + (next(&mut x) >> 14)));
        }
    }
}
