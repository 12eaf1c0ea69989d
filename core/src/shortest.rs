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

/// `(m × mul) >> j` for `mul` = (low, high) of [`POW5_SPLIT`], truncated to 64 bits.
/// `j` is 118 to 121 for every exponent this module handles (the `shift_range`
/// test): masking the shift to six bits tells the compiler so, which spares it a
/// branch-free select for shifts of 64 and more.
fn mul_shift_64(m: u64, mul: &(u64, u64), j: u32) -> u64 {
    let b0 = u128::from(m) * u128::from(mul.0);
    let b2 = u128::from(m) * u128::from(mul.1);
    (((b0 >> 64) + b2) >> ((j - 64) & 63)) as u64
}

/// Ryū's digit removal state: the scaled value `vr` and its interval's bounds
/// `vp`, `vm`, the digits removed so far, and whether the last removed digit was
/// 5 or more (the only one that decides the rounding in Ryū's common case).
struct Removal {
    vr: u64,
    vp: u64,
    vm: u64,
    removed: i32,
    round_up: bool,
}

impl Removal {
    /// Removes the last k digits, `p` = 10^k, when the interval still holds a number
    /// with k fewer digits: `vp / p > vm / p`. That is k single Ryū steps in one
    /// (the quotients of the bounds only merge as p grows), so the steps can be taken
    /// in any sizes.
    #[inline(always)]
    fn step(&mut self, p: u64) -> bool {
        let (vp, vm) = (self.vp / p, self.vm / p);
        if vp <= vm {
            return false;
        }
        let vr = self.vr / p;
        self.round_up = self.vr - p * vr >= p / 2;
        self.vr = vr;
        self.vp = vp;
        self.vm = vm;
        self.removed += p.ilog10() as i32;
        true
    }
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
    let mut r = Removal {
        vr: mul_shift_64(mv, mul, j),
        vp: mul_shift_64(mv + 2, mul, j),
        // The interval is symmetric (the mantissa is not zero): mm_shift = 1.
        vm: mul_shift_64(mv - 2, mul, j),
        removed: 0,
        round_up: false,
    };
    // Ryū removes one digit while `vp / 10 > vm / 10` (two at once first). A
    // percentage loses one to three digits, which that order serves; a short decimal
    // (an LDL target's 2.6) loses about sixteen, one division round each: past the
    // third, four at a time.
    r.step(100);
    if r.step(10) && r.step(10) {
        while r.step(10_000) {}
        r.step(100);
        r.step(10);
    }
    let Removal {
        vr,
        vm,
        removed,
        round_up,
        ..
    } = r;
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
    // The text is assembled in `buf[T..]`, pre-filled with zeros (leading zeros after
    // "0.", trailing zeros of an integer and the padding are never written), and
    // appended with one `push_str`. The digits are stored in blocks of eight that may
    // reach up to 16 bytes before the text's start, hence the margin `T`.
    const T: usize = 16;
    // Aligned so that the text starts on a word: `str::from_utf8` checks aligned ASCII
    // two words at a time, unaligned bytes one by one.
    #[repr(align(16))]
    struct Aligned([u8; T + 64]);
    let mut buf = Aligned([b'0'; T + 64]);
    let buf = &mut buf.0;
    let n = decimal_length17(digits);
    // Digits before the decimal point.
    let kp = n as i32 + exp;
    let md = min_decimals;
    let len = if kp <= 0 {
        let zeros = (-kp) as usize;
        2 + zeros + n.max(md.saturating_sub(zeros))
    } else if (kp as usize) < n {
        let kp = kp as usize;
        kp + 1 + (n - kp).max(md)
    } else if md > 0 {
        kp as usize + 1 + md
    } else {
        kp as usize
    };
    if len > buf.len() - T {
        return push_fallback(s, v, min_decimals);
    }
    // Where the digits end: after "0." and the zeros, after the digits and the point
    // that goes among them, or at the integer's last digit.
    let end = if kp <= 0 {
        T + 2 + (-kp) as usize + n
    } else if (kp as usize) < n {
        T + 1 + n
    } else {
        T + n
    };
    write_digits(buf, end, digits);
    if kp <= 0 {
        // After the digits, whose leading block may cover it with a zero.
        buf[T + 1] = b'.';
    } else if (kp as usize) < n {
        // The integer digits one place left and the point after them.
        let kp = kp as usize;
        if kp < 8 {
            // A percentage has one to three: the first eight bytes as one word.
            let mut w = [0u8; 8];
            w.copy_from_slice(&buf[T..T + 8]);
            let w = u64::from_le_bytes(w);
            let int = (1u64 << (8 * kp)) - 1;
            let point = 0xffu64 << (8 * kp);
            let w = ((w >> 8) & int) | (u64::from(b'.') << (8 * kp)) | (w & !(int | point));
            buf[T..T + 8].copy_from_slice(&w.to_le_bytes());
        } else {
            buf.copy_within(T + 1..T + 1 + kp, T);
            buf[T + kp] = b'.';
        }
    } else if md > 0 {
        buf[T + kp as usize] = b'.';
    }
    // Only ASCII digits, '.' and the zeros are in `buf`.
    s.push_str(std::str::from_utf8(&buf[T..T + len]).unwrap_or_default());
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

/// Number of decimal digits of `v` (1 ≤ v < 10^17): `log10(2) ≈ 1233 / 4096` times
/// its bit length, then one comparison (a short decimal's few digits cost no more
/// than a percentage's seventeen).
fn decimal_length17(v: u64) -> usize {
    const P: [u64; 18] = {
        let mut p = [1u64; 18];
        let mut i = 1;
        while i < p.len() {
            p[i] = p[i - 1] * 10;
            i += 1;
        }
        p
    };
    let t = (((64 - v.leading_zeros()) * 1233) >> 12) as usize;
    t + usize::from(v >= P[t])
}

/// The eight decimal digits of `v < 10^8`, leading zeros included, as ASCII: the
/// halves, quarters and digits are split in the lanes of one `u64` (a multiply and
/// shift stands for each division: `x * 10486 >> 20 = x / 100` for x < 10^4 and
/// `x * 103 >> 10 = x / 10` for x < 100), so the first digit lands in the lowest byte.
fn eight_digits(v: u32) -> [u8; 8] {
    let v = u64::from(v / 10_000) | (u64::from(v % 10_000) << 32);
    let hi = ((v * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let v = hi | ((v - hi * 100) << 16);
    let hi = ((v * 103) >> 10) & 0x000f_000f_000f_000f;
    let v = hi | ((v - hi * 10) << 8);
    (v | 0x3030_3030_3030_3030).to_le_bytes()
}

/// Writes the decimal digits of `v < 10^17` so that they end at `buf[end]`, in blocks
/// of eight: the bytes down to `end - 8` (or `end - 17` when `v ≥ 10^8`) before the
/// digits receive zeros.
#[inline(always)]
fn write_digits(buf: &mut [u8], end: usize, v: u64) {
    // hi < 10^9: the rest in 32 bits.
    let (hi, lo) = ((v / 100_000_000) as u32, (v % 100_000_000) as u32);
    buf[end - 8..end].copy_from_slice(&eight_digits(lo));
    if hi > 0 {
        buf[end - 16..end - 8].copy_from_slice(&eight_digits(hi % 100_000_000));
        buf[end - 17] = b'0' + (hi / 100_000_000) as u8;
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
                let mut out = [b'x'; 20];
                write_digits(&mut out, 19, v);
                let text = std::str::from_utf8(&out[19 - n..19]).unwrap();
                assert_eq!(text, v.to_string());
                // Zeros before the digits, nothing after them.
                assert!(out[..19 - n].iter().all(|&b| b == b'0' || b == b'x'));
                assert_eq!(out[19], b'x');
            }
        }
    }

    #[test]
    fn digit_count_and_blocks_at_boundaries() {
        // Both sides of every power of ten and of two, where the bit-length estimate
        // of decimal_length17 changes.
        let mut vs = Vec::new();
        for k in 0..17 {
            let p = 10u64.pow(k);
            vs.extend([p - 1, p, p + 1]);
        }
        for b in 0..57 {
            let p = 1u64 << b;
            vs.extend([p - 1, p, p + 1]);
        }
        vs.push(99_999_999_999_999_999);
        for v in vs
            .into_iter()
            .filter(|&v| (1..100_000_000_000_000_000).contains(&v))
        {
            let n = v.to_string().len();
            assert_eq!(decimal_length17(v), n, "{v}");
            let mut out = [b'x'; 24];
            write_digits(&mut out, 20, v);
            assert_eq!(
                std::str::from_utf8(&out[20 - n..20]).unwrap(),
                v.to_string()
            );
        }
    }

    #[test]
    fn eight_digits_every_lane_value() {
        // The two halves and their quarters are split in separate lanes: every value
        // of a half, beside a varying other half, covers every lane state.
        for y in 0..10_000u32 {
            for v in [y, y * 10_000, y * 10_000 + (9_999 - y), y * 10_001] {
                assert_eq!(eight_digits(v), *format!("{v:08}").as_bytes(), "{v}");
            }
        }
    }

    #[test]
    fn shift_range() {
        // mul_shift_64 masks its shift `j - 64` to 63: every exponent `shortest`
        // passes on must have j - 64 < 64.
        for ieee_exponent in 1..0x7ffu32 {
            let e2 = ieee_exponent as i32 - 1023 - 52 - 2;
            if e2 >= 0 {
                continue;
            }
            let q = log10_pow5(-e2) - u32::from(-e2 > 1);
            let i = -e2 - q as i32;
            if q <= 1 || i as usize >= POW5_TABLE_LEN {
                continue;
            }
            let j = (q as i32 - (pow5bits(i) - POW5_BITCOUNT)) as u32;
            assert!((64..128).contains(&j), "e2 {e2}: j {j}");
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
            // Any bit pattern from 1e-9 to 1e6, which holds every percentage, and
            // every layout: zeros after "0.", one to seven integer digits (the
            // word-wide point insertion), more, and integers.
            let (lo, hi) = (1e-9f64.to_bits(), 1e6f64.to_bits());
            check(f64::from_bits(lo + next(&mut x) % (hi - lo)));
            check(f64::from_bits(
                1e7f64.to_bits() + next(&mut x) % (1u64 << 56),
            ));
        }
        // Short decimals (an LDL target's 2.6, a rounded percentage): many removed
        // digits, taken four, two and one at a time.
        for k in 1..200_000u32 {
            let k = f64::from(k);
            check(k / 10.0);
            check(k / 100.0);
            check(k / 1e4);
            check(k / 1e7);
            check(k * 1e-12);
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
