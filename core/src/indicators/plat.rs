//! IND-MPP-PLAT: the 2014 data platform's rounding, reproduced in exact decimal
//! arithmetic with integers (no binary floating point).
//!
//! The platform (S2, `ProgressController.divide`, Java `BigDecimal` with
//! `MathContext(4, HALF_DOWN)`) computed, for k = 100 (`csp`, `gwp`, `sfp`) or
//! k = 500 (`gwfp`): (1) `m = n × k` rounded to 4 significant digits, HALF_DOWN (an
//! exact tie rounds towards zero); (2) `q = m ÷ d`, the exact quotient rounded to 4
//! significant digits, HALF_DOWN; (3) the integer part of `q` (truncation). A zero
//! denominator gives 0.
//!
//! ```
//! use cvdscreen::indicators::plat::legacy_percent;
//! assert_eq!(legacy_percent(12_345, 12_345, 100), 99);
//! assert_eq!(legacy_percent(4_100, 20_000, 500), 102);
//! ```

/// A non-negative decimal `mantissa × 10^exp`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    /// Integer mantissa.
    pub mantissa: u128,
    /// Power of ten.
    pub exp: i32,
}

/// Rounds the exact rational `num ÷ den` (den > 0) to 4 significant digits with
/// HALF_DOWN (ties towards zero). Zero stays zero.
pub fn round_sig4_half_down(mut num: u128, mut den: u128) -> Decimal {
    assert!(den > 0, "denominator must be positive");
    if num == 0 {
        return Decimal {
            mantissa: 0,
            exp: 0,
        };
    }
    // Scale so that 1000 ≤ num ÷ den < 10000, tracking the power of ten s with
    // value = (num ÷ den) × 10^(-s).
    let mut s: i32 = 0;
    while num / den >= 10_000 {
        den *= 10;
        s -= 1;
    }
    while num / den < 1_000 {
        num *= 10;
        s += 1;
    }
    let mut q = num / den;
    let r = num % den;
    // HALF_DOWN: round up only when the discarded part is more than one half.
    if 2 * r > den {
        q += 1;
    }
    if q == 10_000 {
        q = 1_000;
        s -= 1;
    }
    Decimal {
        mantissa: q,
        exp: -s,
    }
}

/// The integer part of a decimal (Java `intValue` for non-negative values).
pub fn truncate(d: Decimal) -> u128 {
    if d.exp >= 0 {
        d.mantissa * 10u128.pow(d.exp as u32)
    } else {
        d.mantissa / 10u128.pow((-d.exp) as u32)
    }
}

/// IND-MPP-PLAT: the platform's percentage for numerator `n`, denominator `d` and
/// multiplier `k` (100, or 500 for `gwfp`). A zero denominator gives 0.
pub fn legacy_percent(n: u64, d: u64, k: u64) -> u64 {
    if d == 0 {
        return 0;
    }
    // Step 1: m = n × k to 4 significant digits.
    let m = round_sig4_half_down(u128::from(n) * u128::from(k), 1);
    // Step 2: q = m ÷ d to 4 significant digits.
    let (num, den) = if m.exp >= 0 {
        (m.mantissa * 10u128.pow(m.exp as u32), u128::from(d))
    } else {
        (m.mantissa, u128::from(d) * 10u128.pow((-m.exp) as u32))
    };
    let q = round_sig4_half_down(num, den);
    // Step 3: truncation.
    truncate(q) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_cases() {
        // 11,260 ÷ 10,000 → m = 1.126E6, q = 112.6 → 112.
        assert_eq!(legacy_percent(11_260, 10_000, 100), 112);
        // 24,999 ÷ 25,000 → m = 2.500E6, q = 100.0 → 100.
        assert_eq!(legacy_percent(24_999, 25_000, 100), 100);
        // 12,345 ÷ 12,345 → m = 1.234E6 (tie rounded down), q = 99.96 → 99.
        assert_eq!(legacy_percent(12_345, 12_345, 100), 99);
        // gwfp 4,100 ÷ 20,000 with k = 500 → 102.
        assert_eq!(legacy_percent(4_100, 20_000, 500), 102);
        assert_eq!(legacy_percent(1, 3, 100), 33);
        assert_eq!(legacy_percent(5, 0, 100), 0);
        assert_eq!(legacy_percent(0, 7, 100), 0);
    }

    #[test]
    fn intermediate_steps() {
        assert_eq!(
            round_sig4_half_down(1_234_500, 1),
            Decimal {
                mantissa: 1234,
                exp: 3
            }
        );
        assert_eq!(
            round_sig4_half_down(2_499_900, 1),
            Decimal {
                mantissa: 2500,
                exp: 3
            }
        );
        // 1.234E6 ÷ 12345 = 99.9595… → 99.96.
        assert_eq!(
            round_sig4_half_down(1_234_000, 12_345),
            Decimal {
                mantissa: 9996,
                exp: -2
            }
        );
        // Carry to a new digit: 9999.6 → 1.000E4.
        assert_eq!(
            round_sig4_half_down(99_996, 10),
            Decimal {
                mantissa: 1000,
                exp: 1
            }
        );
        // Small values: 1 ÷ 3 → 0.3333.
        assert_eq!(
            round_sig4_half_down(1, 3),
            Decimal {
                mantissa: 3333,
                exp: -4
            }
        );
        assert_eq!(truncate(round_sig4_half_down(1, 3)), 0);
    }
}
