//! Calendar dates without a time zone: parsing of ISO `YYYY-MM-DD`, completed-years
//! age (UNIT-10) and calendar-month addition clamped to the month end (UNIT-11).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A proleptic Gregorian calendar date.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a date could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not `YYYY-MM-DD`.
    #[error("`{0}` is not a date in the form YYYY-MM-DD")]
    Syntax(String),
    /// Month or day out of range for the calendar.
    #[error("`{0}` is not a valid calendar date")]
    Invalid(String),
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// A month 1–12 and a day within it.
#[inline]
fn is_valid(year: i32, month: u8, day: u8) -> bool {
    (1..=12).contains(&month) && day != 0 && day <= days_in_month(year, month)
}

/// `w` (eight text bytes, the first in the lowest byte) XOR `template`, when every byte
/// of `w` is an ASCII digit where `template` has `0` and equals `template`'s byte
/// elsewhere (template bytes are ASCII): the digits' values 0–9, zeros elsewhere.
/// Text read in every row (dates, identity numbers) is checked this way, a word at a
/// time rather than byte by byte: adding 0x76 to a digit's value (0x7f to a byte that
/// must be zero) leaves its top bit clear, and sets it for any other byte below 0x80,
/// without a carry into the next byte; a byte from 0x80 up shows its top bit before
/// the addition.
#[inline(always)]
pub(crate) fn digits_in(w: u64, template: u64) -> Option<u64> {
    const TOP: u64 = 0x8080_8080_8080_8080;
    let mut add = 0u64;
    for i in 0..8 {
        let t = (template >> (8 * i)) as u8;
        add |= (if t == b'0' { 0x76 } else { 0x7f }) << (8 * i);
    }
    let x = w ^ template;
    ((x | x.wrapping_add(add)) & TOP == 0).then_some(x)
}

/// The year, month and day of `YYYY-MM-DD` text (exactly four, two and two ASCII
/// digits), unchecked against the calendar: the ten bytes checked as two words
/// ([`digits_in`]).
#[inline]
fn iso_fields(s: &str) -> Option<(i32, u8, u8)> {
    let &[y0, y1, y2, y3, dash1, m0, m1, dash2, d0, d1] = s.as_bytes() else {
        return None;
    };
    let head = digits_in(
        u64::from_le_bytes([y0, y1, y2, y3, dash1, m0, m1, dash2]),
        u64::from_le_bytes(*b"0000-00-"),
    )?;
    // The day's two digits, padded with template zeros.
    let tail = digits_in(
        u64::from_le_bytes([d0, d1, b'0', b'0', b'0', b'0', b'0', b'0']),
        u64::from_le_bytes(*b"00000000"),
    )?;
    let digit = |w: u64, i: u32| (w >> (8 * i)) as u8;
    let year = i32::from(digit(head, 0)) * 1000
        + i32::from(digit(head, 1)) * 100
        + i32::from(digit(head, 2)) * 10
        + i32::from(digit(head, 3));
    Some((
        year,
        digit(head, 5) * 10 + digit(head, 6),
        digit(tail, 0) * 10 + digit(tail, 1),
    ))
}

/// Days in month `m` (1–12) of year `y`.
pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

impl Date {
    /// Builds a date, checking the calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !is_valid(year, month, day) {
            return Err(DateError::Invalid(format!("{year:04}-{month:02}-{day:02}")));
        }
        Ok(Date { year, month, day })
    }

    /// Parses ISO `YYYY-MM-DD` (exactly four, two and two digits).
    pub fn parse_iso(s: &str) -> Result<Date, DateError> {
        match iso_fields(s) {
            None => Err(DateError::Syntax(s.to_string())),
            Some((y, m, d)) if is_valid(y, m, d) => Ok(Date {
                year: y,
                month: m,
                day: d,
            }),
            Some(_) => Err(DateError::Invalid(s.to_string())),
        }
    }

    /// [`parse_iso`](Self::parse_iso) without the reason for a refusal, for the cell
    /// parser (which reports its own error): no error value to build and return.
    #[inline]
    pub(crate) fn parse_iso_opt(s: &str) -> Option<Date> {
        let (year, month, day) = iso_fields(s)?;
        is_valid(year, month, day).then_some(Date { year, month, day })
    }

    /// Appends `YYYY-MM-DD` as `Display` writes it; without `core::fmt` for the years
    /// 0–9999 (except on wasm32, built for size).
    pub(crate) fn push_iso(self, s: &mut String) {
        let Ok(y @ 0..=9999) = u16::try_from(self.year) else {
            return push_display(s, self);
        };
        if cfg!(target_arch = "wasm32") {
            return push_display(s, self);
        }
        let d = |v: u16| b'0' + (v % 10) as u8;
        let (m, day) = (u16::from(self.month), u16::from(self.day));
        let b = [
            d(y / 1000),
            d(y / 100),
            d(y / 10),
            d(y),
            b'-',
            d(m / 10),
            d(m),
            b'-',
            d(day / 10),
            d(day),
        ];
        // Only ASCII digits and `-`.
        s.push_str(std::str::from_utf8(&b).unwrap_or_default());
    }

    /// Year.
    pub fn year(self) -> i32 {
        self.year
    }
    /// Month 1–12.
    pub fn month(self) -> u8 {
        self.month
    }
    /// Day of month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// UNIT-11: add `n` calendar months (negative allowed), clamped to the last day
    /// of the target month (30 Nov + 3 months = 28/29 Feb).
    pub fn add_months(self, n: i32) -> Date {
        let total = self.year * 12 + i32::from(self.month) - 1 + n;
        let y = total.div_euclid(12);
        let m = (total.rem_euclid(12) + 1) as u8;
        let d = self.day.min(days_in_month(y, m));
        Date {
            year: y,
            month: m,
            day: d,
        }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        Date {
            year: y,
            month: m,
            day: d,
        }
    }

    /// Adds (or subtracts) whole days.
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }

    /// UNIT-10: completed years from `self` (a birth date) to `on`. A 29 February
    /// birthday is reached on 1 March in non-leap years. Negative when `on` is
    /// before the birth date.
    pub fn completed_years_until(self, on: Date) -> i32 {
        let mut years = on.year - self.year;
        // Birthday in the year of `on`: 29 Feb → 1 Mar in non-leap years.
        let (bm, bd) = if self.month == 2 && self.day == 29 && !is_leap(on.year) {
            (3, 1)
        } else {
            (self.month, self.day)
        };
        if (on.month, on.day) < (bm, bd) {
            years -= 1;
        }
        years
    }

    /// `YYYY-MM` of this date.
    pub fn year_month(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

fn push_display(s: &mut String, d: Date) {
    use fmt::Write;
    let _ = write!(s, "{d}");
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse_iso(s)
    }
}
impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse_iso(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::xorshift64;

    #[test]
    fn push_iso_is_display() {
        for (y, m, dd) in [
            (2025, 5, 10),
            (1, 1, 1),
            (0, 12, 31),
            (9999, 12, 31),
            (10000, 1, 2),
            (-5, 3, 4),
        ] {
            let date = Date {
                year: y,
                month: m,
                day: dd,
            };
            let mut s = "x".to_string();
            date.push_iso(&mut s);
            assert_eq!(s, format!("x{date}"));
        }
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    /// The reading of `YYYY-MM-DD` byte by byte (the parser before the word-wise
    /// check), to compare against.
    fn parse_iso_bytewise(s: &str) -> Result<Date, DateError> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10
            || b[4] != b'-'
            || b[7] != b'-'
            || !digits(0..4)
            || !digits(5..7)
            || !digits(8..10)
        {
            return Err(DateError::Syntax(s.to_string()));
        }
        let num = |r: std::ops::Range<usize>| {
            b[r].iter()
                .fold(0i32, |acc, c| acc * 10 + i32::from(c - b'0'))
        };
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        Date::new(y, m as u8, d as u8).map_err(|_| DateError::Invalid(s.to_string()))
    }

    #[test]
    fn parse_iso_is_bytewise() {
        let check = |t: &str| {
            let want = parse_iso_bytewise(t);
            assert_eq!(Date::parse_iso(t), want, "{t:?}");
            assert_eq!(Date::parse_iso_opt(t), want.ok(), "{t:?}");
        };
        // Every month 00–13 and day 00–32 of leap, common and century years.
        for y in [0, 1, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 9999] {
            for m in 0..=13 {
                for d in 0..=32 {
                    check(&format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        // Each byte of a valid date replaced by every other byte value (ASCII, or
        // the lead byte of a two-byte character), and the lengths around ten.
        let base = "2024-02-29";
        for i in 0..10 {
            for c in (0u8..0x80).map(char::from).chain(['é', '\u{80}', '\u{ff}']) {
                let mut t = String::new();
                t.push_str(&base[..i]);
                t.push(c);
                t.push_str(&base[i + 1..]);
                check(&t);
            }
        }
        for t in [
            "",
            "2024-02-2",
            "2024-02-290",
            " 2024-02-29",
            "2024-0229-",
            "２０２４-02-29",
        ] {
            check(t);
        }
        // Random near-dates: digits and `-` where a date has them, now and then
        // another byte that matters (neighbours of `0`, `9` and `-`, DEL).
        let other = b"-/:.,0123456789\x7f";
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || xorshift64(&mut x);
        for _ in 0..200_000 {
            let t: String = (0..10)
                .map(|i| {
                    let r = next();
                    char::from(match (r % 8, i) {
                        (0, _) => other[(r >> 8) as usize % other.len()],
                        (_, 4 | 7) => b'-',
                        _ => b'0' + ((r >> 8) % 10) as u8,
                    })
                })
                .collect();
            check(&t);
        }
    }

    #[test]
    fn parse_and_reject() {
        assert_eq!(d("2025-05-10").to_string(), "2025-05-10");
        assert!(Date::parse_iso("2025-02-30").is_err());
        assert!(Date::parse_iso("2025/5/10").is_err());
        assert!(Date::parse_iso("25-05-10").is_err());
        assert!(Date::parse_iso("2024-02-29").is_ok());
        assert!(Date::parse_iso("2023-02-29").is_err());
    }

    #[test]
    fn unit_11_month_addition_clamps() {
        assert_eq!(d("2025-11-30").add_months(3), d("2026-02-28"));
        assert_eq!(d("2023-11-30").add_months(3), d("2024-02-29"));
        assert_eq!(d("2025-05-10").add_months(3), d("2025-08-10"));
        assert_eq!(d("2025-01-31").add_months(-2), d("2024-11-30"));
        assert_eq!(d("2025-03-31").add_months(12), d("2026-03-31"));
    }

    #[test]
    fn unit_10_completed_years() {
        assert_eq!(d("1980-05-10").completed_years_until(d("2025-05-09")), 44);
        assert_eq!(d("1980-05-10").completed_years_until(d("2025-05-10")), 45);
        // 29 Feb birthday reaches the next year on 1 March in non-leap years.
        assert_eq!(d("1980-02-29").completed_years_until(d("2025-02-28")), 44);
        assert_eq!(d("1980-02-29").completed_years_until(d("2025-03-01")), 45);
        assert_eq!(d("1980-02-29").completed_years_until(d("2024-02-29")), 44);
    }

    #[test]
    fn days_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "1899-12-31", "2026-11-29"] {
            let x = d(s);
            assert_eq!(Date::from_days(x.to_days()), x);
        }
        assert_eq!(d("1970-01-02").to_days(), 1);
        assert_eq!(d("2025-03-01").add_days(14), d("2025-03-15"));
    }
}
