//! Resident identity number DQ-ID-1 (spec/domain.md §12.8; GB 11643-1999).
//!
//! \[UNVERIFIED\] The layout below is from general knowledge of GB 11643-1999 and must
//! be verified against the standard before a release that depends on it: 18
//! characters; characters 7–14 are the birth date `YYYYMMDD`; character 17 is odd
//! for men and even for women; character 18 is the ISO 7064 MOD 11-2 check
//! character (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 on the first 17 digits,
//! sum mod 11 = 0…10 → `1 0 X 9 8 7 6 5 4 3 2`).
//!
//! Severities \[DECISION\]: an invalid check character → `Reject`; a birth date or
//! sex inconsistent with the record → `Warn` (one finding each). Record-level: no
//! value is masked.
//!
//! \[DECISION\] An embedded birth date that is not a calendar date, or a value that is
//! not 17 digits plus a digit or `X` (only possible for records built in code; the
//! parser raises DQ-PARSE-1 for such cells), also makes the number invalid →
//! `Reject`. The consistency checks run only on a number whose check character is
//! valid.

use super::QcReport;
use crate::date::Date;
use crate::finding::{Finding, Severity};
use crate::record::{ScreeningRecord, Sex};

crate::define_rules! {
    DQ_ID_1 = "DQ-ID-1", "qc", [Unverified, Decision], "domain.md §12.8 DQ-ID-1; GB 11643-1999",
        "Identity number: invalid check character, or birth date/sex inconsistent with the record",
        "身份证号：校验码错误，或出生日期/性别与记录不一致";
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The ISO 7064 MOD 11-2 check character of the first 17 digits, or `None` when
/// `first17` is not 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    check_byte(first17.as_bytes()).map(char::from)
}

/// [`check_char`] on bytes, as an ASCII byte.
fn check_byte(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (&c, w) in first17.iter().zip(WEIGHTS) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        sum += u32::from(d) * w;
    }
    Some(CHECK[(sum % 11) as usize])
}

/// What an 18-character identity number says, when its syntax, embedded date and
/// check character are valid.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct IdNumberInfo {
    /// Birth date (characters 7–14).
    pub birth_date: Date,
    /// Sex (character 17: odd male, even female).
    pub sex: Sex,
}

/// Why an identity number is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdNumberError {
    /// Not 17 digits followed by a digit or `X`.
    Syntax,
    /// Characters 7–14 are not a calendar date.
    BirthDate(String),
    /// The check character differs from the computed one.
    CheckChar {
        /// Computed.
        expected: char,
        /// Given.
        found: char,
    },
}

/// Validates an identity number (a lower-case `x` is accepted as `X`).
pub fn validate(id_number: &str) -> Result<IdNumberInfo, IdNumberError> {
    // Anything but 18 bytes is a syntax error.
    let b: &[u8; 18] = id_number
        .as_bytes()
        .try_into()
        .map_err(|_| IdNumberError::Syntax)?;
    // Only the last character may be a letter: any other non-digit fails the check
    // character's computation (a syntax error, upper case or not).
    let found = b[17].to_ascii_uppercase();
    if !(found.is_ascii_digit() || found == b'X') {
        return Err(IdNumberError::Syntax);
    }
    let expected = check_byte(&b[..17]).ok_or(IdNumberError::Syntax)?;
    if expected != found {
        return Err(IdNumberError::CheckChar {
            expected: char::from(expected),
            found: char::from(found),
        });
    }
    // Characters 7–14, ASCII digits (checked above), as `YYYYMMDD`: the calendar
    // check of `Date::parse_iso` on `YYYY-MM-DD`, without building that text.
    let d = &b[6..14];
    let num = |r: &[u8]| r.iter().fold(0i32, |acc, c| acc * 10 + i32::from(c - b'0'));
    let birth_date = Date::new(num(&d[..4]), num(&d[4..6]) as u8, num(&d[6..]) as u8)
        .map_err(|_| IdNumberError::BirthDate(String::from_utf8_lossy(d).into_owned()))?;
    let sex = if (b[16] - b'0') % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    };
    Ok(IdNumberInfo { birth_date, sex })
}

/// Runs DQ-ID-1 on a record.
pub(crate) fn run(rec: &ScreeningRecord, out: &mut QcReport) {
    let Some(n) = rec.id_number.as_deref() else {
        return;
    };
    let reject = |en: String, zh: String| {
        Finding::new(
            DQ_ID_1,
            Severity::Reject,
            "id_number",
            Some(n.to_string()),
            en,
            zh,
        )
    };
    match validate(n) {
        Err(IdNumberError::Syntax) => out.push(reject(
            format!("`id_number` {n} is not 17 digits followed by a digit or `X`"),
            format!("`id_number` {n} 不是 17 位数字加 1 位数字或 `X`"),
        )),
        Err(IdNumberError::CheckChar { expected, found }) => out.push(reject(
            format!("`id_number` {n}: check character is {found}, MOD 11-2 gives {expected}"),
            format!("`id_number` {n}：校验码为 {found}，按 MOD 11-2 应为 {expected}"),
        )),
        Err(IdNumberError::BirthDate(d)) => out.push(reject(
            format!("`id_number` {n}: characters 7–14 `{d}` are not a calendar date"),
            format!("`id_number` {n}：第 7–14 位 `{d}` 不是有效日期"),
        )),
        Ok(info) => {
            if let Some(b) = rec.birth_date.filter(|b| *b != info.birth_date) {
                out.push(Finding::new(
                    DQ_ID_1,
                    Severity::Warn,
                    "id_number",
                    Some(n.to_string()),
                    format!(
                        "`id_number` {n} gives birth date {} but `birth_date` is {b}",
                        info.birth_date
                    ),
                    format!(
                        "`id_number` {n} 对应出生日期 {}，而 `birth_date` 为 {b}",
                        info.birth_date
                    ),
                ));
            }
            if let Some(s) = rec.sex.filter(|s| *s != info.sex) {
                let zh = |x: Sex| if x == Sex::Male { "男" } else { "女" };
                out.push(Finding::new(
                    DQ_ID_1,
                    Severity::Warn,
                    "id_number",
                    Some(n.to_string()),
                    format!(
                        "`id_number` {n} gives sex {} but `sex` is {}",
                        info.sex.as_str(),
                        s.as_str()
                    ),
                    format!(
                        "`id_number` {n} 对应性别{}，而 `sex` 为{}",
                        zh(info.sex),
                        zh(s)
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;
    use crate::test_rng::xorshift64;

    // GB 11643-1999 example number: born 1949-12-31, character 17 = 2 (female), check X.
    const GOOD: &str = "11010519491231002X";

    /// The text-based definition [`validate`] computes on bytes: upper-case all 18,
    /// then the check character over `str` digits, then `Date::parse_iso`.
    fn validate_reference(id_number: &str) -> Result<IdNumberInfo, IdNumberError> {
        let mut buf: [u8; 18] = id_number
            .as_bytes()
            .try_into()
            .map_err(|_| IdNumberError::Syntax)?;
        buf.make_ascii_uppercase();
        let b = &buf;
        if !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdNumberError::Syntax);
        }
        let first17 = std::str::from_utf8(&b[..17]).map_err(|_| IdNumberError::Syntax)?;
        if first17.len() != 17 || !first17.bytes().all(|c| c.is_ascii_digit()) {
            return Err(IdNumberError::Syntax);
        }
        let sum: u32 = first17
            .bytes()
            .zip(WEIGHTS)
            .map(|(c, w)| u32::from(c - b'0') * w)
            .sum();
        let expected = char::from(CHECK[(sum % 11) as usize]);
        let found = char::from(b[17]);
        if expected != found {
            return Err(IdNumberError::CheckChar { expected, found });
        }
        let d = &b[6..14];
        let iso = format!(
            "{}-{}-{}",
            String::from_utf8_lossy(&d[..4]),
            String::from_utf8_lossy(&d[4..6]),
            String::from_utf8_lossy(&d[6..])
        );
        let birth_date = Date::parse_iso(&iso)
            .map_err(|_| IdNumberError::BirthDate(String::from_utf8_lossy(d).into_owned()))?;
        let sex = if (b[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        };
        Ok(IdNumberInfo { birth_date, sex })
    }

    #[test]
    fn validate_is_the_text_definition() {
        let mut r = 0x0DDB_1A5E_5BAD_5EEDu64;
        let mut next = move |n: u64| xorshift64(&mut r) % n;
        let mut kinds = [0u32; 4];
        for _ in 0..200_000 {
            // Plausible dates, impossible ones (month 13, day 31 of short months, 29
            // February), a stray letter or space now and then, any last character.
            let date = format!(
                "{:04}{:02}{:02}",
                1900 + next(130),
                next(14),
                [next(32), 29, 30, 31][next(4) as usize]
            );
            let mut s = format!("{:06}{date}{:03}", next(1_000_000), next(1000));
            if next(50) == 0 {
                let i = next(17) as usize;
                s.replace_range(i..=i, ["x", "X", " ", "a"][next(4) as usize]);
            }
            let good = check_char(&s).map_or('0', |c| c);
            let last = match next(6) {
                0 => 'x',
                1 => 'Y',
                2 => char::from(b'0' + next(10) as u8),
                _ => good,
            };
            if good == 'X' && last == 'x' || next(9) == 0 {
                s.push(last);
            } else {
                s.push(if next(7) == 0 { last } else { good });
            }
            if next(100) == 0 {
                s.push('1');
            }
            let got = validate(&s);
            assert_eq!(got, validate_reference(&s), "{s}");
            kinds[match got {
                Ok(_) => 0,
                Err(IdNumberError::Syntax) => 1,
                Err(IdNumberError::BirthDate(_)) => 2,
                Err(IdNumberError::CheckChar { .. }) => 3,
            }] += 1;
        }
        assert!(kinds.iter().all(|&k| k > 1000), "{kinds:?}");
    }

    #[test]
    fn dq_id_1_check_character() {
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert!(validate(GOOD).is_ok());
        assert!(validate("11010519491231002x").is_ok());
        let info = validate(GOOD).unwrap();
        assert_eq!(info.sex, Sex::Female);
        assert_eq!(info.birth_date.to_string(), "1949-12-31");
        let r = rec(&[
            ("id_number", GOOD),
            ("sex", "female"),
            ("birth_date", "1949-12-31"),
            ("age", ""),
        ]);
        assert!(ids(&r, DQ_ID_1).is_empty());
        // Wrong check character → Reject.
        let f = ids(&rec(&[("id_number", "110105194912310021")]), DQ_ID_1);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Reject);
        assert!(f[0].message_en.contains("MOD 11-2 gives X"));
    }

    #[test]
    fn dq_id_1_inconsistent_birth_date_and_sex_warn() {
        // Base record is male: sex mismatch; birth date differs.
        let r = rec(&[("id_number", GOOD), ("birth_date", "1950-01-01")]);
        let f = ids(&r, DQ_ID_1);
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.severity == Severity::Warn));
        let q = crate::qc::check(&r, &crate::profile::Profile::default());
        assert!(q.masked.is_empty());
    }

    #[test]
    fn dq_id_1_invalid_embedded_date_and_syntax() {
        // 1949-02-30 with a matching check character.
        let first = "11010519490230002";
        let n = format!("{first}{}", check_char(first).unwrap());
        assert!(matches!(validate(&n), Err(IdNumberError::BirthDate(_))));
        let mut r = rec(&[]);
        r.id_number = Some(n);
        assert_eq!(ids(&r, DQ_ID_1)[0].severity, Severity::Reject);
        r.id_number = Some("12345".into());
        assert_eq!(ids(&r, DQ_ID_1)[0].severity, Severity::Reject);
        r.id_number = Some("一二三四五六七八九十一二三四五六七八".into());
        assert_eq!(ids(&r, DQ_ID_1).len(), 1);
    }
}
