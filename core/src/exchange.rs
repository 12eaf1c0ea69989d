//! The exchange format (spec/csv-schema.md): column names, value spellings and cell
//! parsing. One parser serves every front end (CLI, Python, WASM); it does no IO.
//!
//! ```
//! use cvdscreen::exchange::{parse_record, Header};
//! let header = Header::new(&["id", "sex", "age", "tc_mgdl"]);
//! let (rec, findings) = parse_record(&header, &["A1", "男", "61", "<100"]);
//! assert_eq!(rec.id.as_deref(), Some("A1"));
//! assert!(findings.is_empty());
//! ```

use crate::date::Date;
use crate::finding::{Finding, Severity};
use crate::record::{CkdStage, HtnCvRisk, LipidDevice, Race, ScreeningRecord, Sex};
use crate::units::{Analyte, Cm, Kg, KgPerM2, MgDl, MmHg, MmolL, Years};
use crate::value::{Censor, Obs};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

crate::define_rules! {
    DQ_PARSE_1 = "DQ-PARSE-1", "qc", [Decision], "domain.md §12.9; csv-schema.md",
        "A cell that cannot be parsed for its column, or a row with the wrong number of fields",
        "单元格无法按该列格式解析，或该行字段数不正确";
}

macro_rules! columns {
    ($( $v:ident = $name:literal : $kind:ident ),* $(,)?) => {
        /// An input column of the exchange format.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[allow(missing_docs)]
        pub enum Col { $($v),* }

        impl Col {
            /// Every input column, in the order of spec/csv-schema.md.
            pub const ALL: &'static [Col] = &[$(Col::$v),*];
            /// The exchange-format column name.
            pub fn name(self) -> &'static str {
                match self { $(Col::$v => $name),* }
            }
            /// The kind of value the column holds.
            // Always inlined: a table look-up once the `match` is one, but too large for
            // the inliner before (a call per cell on the parsers' paths). Not on wasm32,
            // which is built for size (bindings-wasm's budget) and parses one record at
            // a time; the same for the setters below.
            #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
            pub fn kind(self) -> Kind {
                match self { $(Col::$v => Kind::$kind),* }
            }
            /// Looks a column up by its exact (case-sensitive) name.
            pub fn from_name(s: &str) -> Option<Col> {
                match s { $($name => Some(Col::$v),)* _ => None }
            }
        }
    };
}

/// What a column holds, for parsing and for form hints.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Free text.
    Text,
    /// ISO date.
    Date,
    /// `male`/`female` (also `M`/`F`, `男`/`女`).
    Sex,
    /// A finite decimal number.
    Number,
    /// A number, or a device-censored `<b` / `>b`.
    Lab,
    /// 0/1, true/false, yes/no, 是/否.
    Bool,
    /// A non-negative integer.
    Count,
    /// `white` / `african_american` / `other`.
    Race,
    /// `1`–`5`, `3a`, `3b`.
    CkdStage,
    /// `low` / `medium` / `high` / `very_high`.
    HtnCvRisk,
    /// `cardiochek_pa` or another device name.
    Device,
    /// 18-character resident identity number.
    IdNumber,
}

columns! {
    Id = "id": Text,
    SiteId = "site_id": Text,
    ScreenDate = "screen_date": Date,
    Sex = "sex": Sex,
    Age = "age": Number,
    BirthDate = "birth_date": Date,
    Sbp1 = "sbp_1": Number,
    Dbp1 = "dbp_1": Number,
    Sbp2 = "sbp_2": Number,
    Dbp2 = "dbp_2": Number,
    Sbp3 = "sbp_3": Number,
    Dbp3 = "dbp_3": Number,
    Sbp = "sbp": Number,
    Dbp = "dbp": Number,
    HeightCm = "height_cm": Number,
    WeightKg = "weight_kg": Number,
    WaistCm = "waist_cm": Number,
    Bmi = "bmi": Number,
    TcMmol = "tc_mmol": Lab,
    TcMgdl = "tc_mgdl": Lab,
    HdlMmol = "hdl_mmol": Lab,
    HdlMgdl = "hdl_mgdl": Lab,
    LdlMmol = "ldl_mmol": Lab,
    LdlMgdl = "ldl_mgdl": Lab,
    TgMmol = "tg_mmol": Lab,
    TgMgdl = "tg_mgdl": Lab,
    FbgMmol = "fbg_mmol": Lab,
    FbgMgdl = "fbg_mgdl": Lab,
    CurrentSmoker = "current_smoker": Bool,
    Diabetes = "diabetes": Bool,
    BpTreated = "bp_treated": Bool,
    LipidTreated = "lipid_treated": Bool,
    GlucoseTreated = "glucose_treated": Bool,
    HistoryMi = "history_mi": Bool,
    HistoryPci = "history_pci": Bool,
    HistoryCabg = "history_cabg": Bool,
    HistoryIschaemicStroke = "history_ischaemic_stroke": Bool,
    HistoryHaemorrhagicStroke = "history_haemorrhagic_stroke": Bool,
    FamilyHistoryAscvd = "family_history_ascvd": Bool,
    North = "north": Bool,
    Urban = "urban": Bool,
    Egfr = "egfr": Number,
    Race = "race": Race,
    SmokingQuitDate = "smoking_quit_date": Date,
    HistoryTia = "history_tia": Bool,
    Statin = "statin": Bool,
    HipCm = "hip_cm": Number,
    Hba1cPct = "hba1c_pct": Number,
    CreatinineUmol = "creatinine_umol": Number,
    IdNumber = "id_number": IdNumber,
    Consent = "consent": Bool,
    ResidenceMonths = "residence_months": Number,
    HukouLocal = "hukou_local": Bool,
    UnableToComply = "unable_to_comply": Bool,
    LipidDevice = "lipid_device": Device,
    LipidNotDoneReason = "lipid_not_done_reason": Text,
    EntryDate = "entry_date": Date,
    HighRiskRecorded = "high_risk_recorded": Bool,
    HrExamDate = "hr_exam_date": Date,
    HrQuestionnaireDone = "hr_questionnaire_done": Bool,
    HrChecklistDone = "hr_checklist_done": Bool,
    EcgDone = "ecg_done": Bool,
    CarotidUsDone = "carotid_us_done": Bool,
    EchoDone = "echo_done": Bool,
    BloodSampleDone = "blood_sample_done": Bool,
    UrineSampleDone = "urine_sample_done": Bool,
    InterventionDate = "intervention_date": Date,
    Hypertension = "hypertension": Bool,
    FamilyHistoryHtn = "family_history_htn": Bool,
    HighSaltDiet = "high_salt_diet": Bool,
    LiquorMlPerDay = "liquor_ml_per_day": Number,
    AcsWithin12m = "acs_within_12m": Bool,
    HistoryPad = "history_pad": Bool,
    HistoryPadRevasc = "history_pad_revasc": Bool,
    SevereAscvdEvents = "severe_ascvd_events": Count,
    AscvdRecurrenceAtLowLdl = "ascvd_recurrence_at_low_ldl": Bool,
    ChdOnsetAge = "chd_onset_age": Number,
    FamilialHypercholesterolaemia = "familial_hypercholesterolaemia": Bool,
    CkdStage = "ckd_stage": CkdStage,
    LdlBaselineMmol = "ldl_baseline_mmol": Number,
    LdlBaselineMgdl = "ldl_baseline_mgdl": Number,
    ManageAsHighRisk = "manage_as_high_risk": Bool,
    BleedingRiskHigh = "bleeding_risk_high": Bool,
    HtnCvRisk = "htn_cv_risk": HtnCvRisk,
}

/// A set of input columns (bitset).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct ColumnSet(u128);

impl ColumnSet {
    /// Every column.
    pub fn all() -> Self {
        let mut s = ColumnSet::default();
        for &c in Col::ALL {
            s.insert(c);
        }
        s
    }
    /// Adds a column.
    pub fn insert(&mut self, c: Col) {
        self.0 |= 1u128 << (c as u32);
    }
    /// Membership.
    pub fn contains(self, c: Col) -> bool {
        self.0 & (1u128 << (c as u32)) != 0
    }
}

/// A parsed header: each position mapped to a known column (or carried through).
#[derive(Clone, Debug)]
pub struct Header {
    names: Vec<String>,
    cols: Vec<Option<Col>>,
    set: ColumnSet,
}

impl Header {
    /// Builds a header from column names (a leading byte-order mark and surrounding
    /// spaces are ignored; names are otherwise matched exactly).
    pub fn new<S: AsRef<str>>(names: &[S]) -> Self {
        let names: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let n = n.as_ref();
                let n = if i == 0 {
                    n.trim_start_matches('\u{feff}')
                } else {
                    n
                };
                n.trim().to_string()
            })
            .collect();
        let cols: Vec<Option<Col>> = names.iter().map(|n| Col::from_name(n)).collect();
        let mut set = ColumnSet::default();
        for c in cols.iter().flatten() {
            set.insert(*c);
        }
        Header { names, cols, set }
    }
    /// The column names as given.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// The known column at position `i`.
    pub fn col(&self, i: usize) -> Option<Col> {
        self.cols.get(i).copied().flatten()
    }
    /// Columns present.
    pub fn columns(&self) -> ColumnSet {
        self.set
    }
    /// Number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }
    /// True for an empty header.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    /// Position of a known column.
    pub fn position(&self, c: Col) -> Option<usize> {
        self.cols.iter().position(|x| *x == Some(c))
    }
}

/// Why a cell could not be parsed (DQ-PARSE-1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{column}` = `{value}` cannot be parsed: expected {expected}")]
pub struct CellError {
    /// Column name.
    pub column: &'static str,
    /// Cell text.
    pub value: String,
    /// What the column accepts.
    pub expected: &'static str,
}

fn expected_text(k: Kind) -> (&'static str, &'static str) {
    match k {
        Kind::Text => ("text", "文本"),
        Kind::Date => ("an ISO date YYYY-MM-DD", "ISO 日期 YYYY-MM-DD"),
        Kind::Sex => (
            "`male`/`female` (or `M`/`F`, `男`/`女`)",
            "`male`/`female`（或 `M`/`F`、`男`/`女`）",
        ),
        Kind::Number => (
            "a finite number with `.` as the decimal point",
            "以 `.` 为小数点的有限数值",
        ),
        Kind::Lab => (
            "a number, or a device-censored `<b` / `>b`",
            "数值，或仪器截断值 `<b` / `>b`",
        ),
        Kind::Bool => (
            "0/1, true/false, yes/no or 是/否",
            "0/1、true/false、yes/no 或 是/否",
        ),
        Kind::Count => ("a whole number ≥ 0", "≥0 的整数"),
        Kind::Race => (
            "`white`, `african_american` or `other`",
            "`white`、`african_american` 或 `other`",
        ),
        Kind::CkdStage => ("`1`–`5`, `3a` or `3b`", "`1`–`5`、`3a` 或 `3b`"),
        Kind::HtnCvRisk => (
            "`low`, `medium`, `high` or `very_high`",
            "`low`、`medium`、`high` 或 `very_high`",
        ),
        Kind::Device => ("a device name", "仪器名称"),
        Kind::IdNumber => (
            "17 digits followed by a digit or `X`",
            "17 位数字加 1 位数字或 `X`",
        ),
    }
}

/// Parses a boolean spelling (csv-schema.md; case-insensitive).
pub fn parse_bool(s: &str) -> Option<bool> {
    // The usual spellings first.
    match s {
        "0" => return Some(false),
        "1" => return Some(true),
        _ => {}
    }
    // ASCII case-insensitive without lower-casing into a new string.
    let any = |words: &[&str]| words.iter().any(|w| s.eq_ignore_ascii_case(w));
    if any(&["1", "true", "yes", "y"]) {
        Some(true)
    } else if any(&["0", "false", "no", "n"]) {
        Some(false)
    } else {
        match s {
            "是" => Some(true),
            "否" => Some(false),
            _ => None,
        }
    }
}

/// Parses a sex spelling (csv-schema.md; case-insensitive).
pub fn parse_sex(s: &str) -> Option<Sex> {
    // The usual spellings first.
    match s {
        "male" => return Some(Sex::Male),
        "female" => return Some(Sex::Female),
        _ => {}
    }
    let any = |words: &[&str]| words.iter().any(|w| s.eq_ignore_ascii_case(w));
    if any(&["male", "m"]) {
        Some(Sex::Male)
    } else if any(&["female", "f"]) {
        Some(Sex::Female)
    } else {
        match s {
            "男" => Some(Sex::Male),
            "女" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// `str::trim`, without its Unicode search when the cell starts and ends with an
/// ASCII character that is not white space (almost every cell).
fn trim(raw: &str) -> &str {
    // ASCII white space as `char::is_whitespace` has it (vertical tab included).
    // (Every byte above b' ' and below 0x80 is such; the rest are tested in full.)
    let solid = |b: u8| {
        (b' ' + 1..0x80).contains(&b) || (b.is_ascii() && !matches!(b, b' ' | b'\t'..=b'\r'))
    };
    match raw.as_bytes() {
        [] => raw,
        [first, .., last] if solid(*first) && solid(*last) => raw,
        [only] if solid(*only) => raw,
        _ => raw.trim(),
    }
}

/// A plain decimal (`138`, `161.1`, `-0.5`: an optional `-`, at most 15 digits and at
/// most one `.`) as `str::parse::<f64>` reads it: the digits are an exact integer and
/// the quotient by an exact power of ten is correctly rounded (the fast path of every
/// correct parser, Rust's included), so the value is the same bit for bit. `None`
/// for anything else, which takes the general parser.
fn parse_plain_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, b) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        b => (false, b),
    };
    // At most 15 digits and a point: 16 digits fit a `u64` and are refused below.
    if b.len() > 16 {
        return None;
    }
    let mut m: u64 = 0;
    let mut point: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            m = m * 10 + u64::from(d);
        } else if c == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let digits = b.len() - usize::from(point.is_some());
    if digits == 0 || digits > 15 {
        return None;
    }
    let frac = point.map_or(0, |p| b.len() - p - 1);
    // `m` < 10^16 < 2^63: as `i64`, one instruction converts it (the same value).
    let v = m as i64 as f64 / POW10[frac];
    Some(if neg { -v } else { v })
}

/// Parses a finite decimal number (`.` decimal point; no `inf`/`NaN`, no exponent
/// trickery beyond what Rust's parser accepts for plain decimals).
pub fn parse_number(s: &str) -> Option<f64> {
    // The fast path is left out of wasm32, built for size (the values are the same).
    if !cfg!(target_arch = "wasm32") {
        if let Some(v) = parse_plain_decimal(s) {
            return Some(v);
        }
    }
    let ok_chars = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !ok_chars || !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses a laboratory cell: a number, or `<b` / `>b` (device-censored, TV-1).
pub fn parse_lab(s: &str) -> Option<Obs<f64>> {
    if let Some(rest) = s.strip_prefix('<') {
        return parse_number(rest.trim()).map(|b| Obs::Censored {
            bound: b,
            dir: Censor::Below,
        });
    }
    if let Some(rest) = s.strip_prefix('>') {
        return parse_number(rest.trim()).map(|b| Obs::Censored {
            bound: b,
            dir: Censor::Above,
        });
    }
    parse_number(s).map(Obs::Known)
}

/// Parses an 18-character resident identity number's syntax (DQ-ID-1: a lower-case
/// `x` is accepted as `X`). The check character is verified by QC, not here.
pub fn parse_id_number(s: &str) -> Option<String> {
    id_number_syntax(s).map(Cow::into_owned)
}

/// [`parse_id_number`] without an allocation when `s` is already in its normal form
/// (17 digits and a digit or upper-case `X`): borrowed then, owned only for a
/// lower-case `x`. For passes that look at every row's number (the duplicate index).
pub fn id_number_syntax(s: &str) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    if b.len() != 18 {
        return None;
    }
    // The first 16 digits as two words, not byte by byte (a number in every row).
    let word = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
    if !(eight_digits(word(0)) && eight_digits(word(8)) && b[16].is_ascii_digit()) {
        return None;
    }
    match b[17] {
        b'0'..=b'9' | b'X' => Some(Cow::Borrowed(s)),
        b'x' => Some(Cow::Owned(s.to_ascii_uppercase())),
        _ => None,
    }
}

/// Whether the eight bytes of `w` are all ASCII digits.
#[inline]
fn eight_digits(w: u64) -> bool {
    crate::date::digits_in(w, u64::from_le_bytes(*b"00000000")).is_some()
}

fn lab_mmol<A: Analyte>(o: Obs<f64>) -> Obs<MmolL<A>> {
    o.map(MmolL::new)
}
fn lab_mgdl<A: Analyte>(o: Obs<f64>) -> Obs<MgDl<A>> {
    o.map(MgDl::new)
}

/// The error for cell `s` of column `col` (out of line: the rare path).
#[cold]
#[inline(never)]
fn cell_error(col: Col, s: &str) -> CellError {
    CellError {
        column: col.name(),
        value: s.to_string(),
        expected: expected_text(col.kind()).0,
    }
}

/// Assigns one cell to the record. `Err` means DQ-PARSE-1 (the field stays unknown).
pub fn set_cell(rec: &mut ScreeningRecord, col: Col, raw: &str) -> Result<(), CellError> {
    let s = trim(raw);
    if s.is_empty() {
        return Ok(());
    }
    let err = || cell_error(col, s);
    macro_rules! num {
        () => {
            parse_number(s).ok_or_else(err)?
        };
    }
    macro_rules! boolean {
        () => {
            Some(parse_bool(s).ok_or_else(err)?)
        };
    }
    macro_rules! date {
        () => {
            Some(Date::parse_iso_opt(s).ok_or_else(err)?)
        };
    }
    macro_rules! lab {
        () => {
            parse_lab(s).ok_or_else(err)?
        };
    }
    match col.kind() {
        Kind::Bool => {
            if let Some(slot) = bool_slot(rec, col) {
                *slot = boolean!();
            }
            return Ok(());
        }
        Kind::Number => {
            set_number(rec, col, num!());
            return Ok(());
        }
        Kind::Lab => {
            set_lab(rec, col, lab!());
            return Ok(());
        }
        _ => {}
    }
    use Col as C;
    match col {
        C::Id => rec.id = Some(s.to_string()),
        C::SiteId => rec.site_id = Some(s.to_string()),
        C::ScreenDate => rec.screen_date = date!(),
        C::Sex => rec.sex = Some(parse_sex(s).ok_or_else(err)?),
        C::BirthDate => rec.birth_date = date!(),
        C::Race => {
            rec.race = Some(match s.to_ascii_lowercase().as_str() {
                "white" => Race::White,
                "african_american" => Race::AfricanAmerican,
                "other" => Race::Other,
                _ => return Err(err()),
            })
        }
        C::SmokingQuitDate => rec.smoking_quit_date = date!(),
        C::IdNumber => rec.id_number = Some(parse_id_number(s).ok_or_else(err)?),
        C::LipidDevice => {
            rec.lipid_device = Some(match s.to_ascii_lowercase().as_str() {
                "cardiochek_pa" => LipidDevice::CardiochekPa,
                _ => LipidDevice::Other(s.to_string()),
            })
        }
        C::LipidNotDoneReason => rec.lipid_not_done_reason = Some(s.to_string()),
        C::EntryDate => rec.entry_date = date!(),
        C::HrExamDate => rec.hr_exam_date = date!(),
        C::InterventionDate => rec.intervention_date = date!(),
        C::SevereAscvdEvents => {
            rec.severe_ascvd_events = Some(count_value(num!()).ok_or_else(err)?)
        }
        C::CkdStage => {
            rec.ckd_stage = Some(match s.to_ascii_lowercase().as_str() {
                "1" => CkdStage::S1,
                "2" => CkdStage::S2,
                "3" => CkdStage::S3,
                "3a" => CkdStage::S3a,
                "3b" => CkdStage::S3b,
                "4" => CkdStage::S4,
                "5" => CkdStage::S5,
                _ => return Err(err()),
            })
        }
        C::HtnCvRisk => {
            rec.htn_cv_risk = Some(match s.to_ascii_lowercase().as_str() {
                "low" => HtnCvRisk::Low,
                "medium" => HtnCvRisk::Medium,
                "high" => HtnCvRisk::High,
                "very_high" => HtnCvRisk::VeryHigh,
                _ => return Err(err()),
            })
        }
        // The `Bool`, `Number` and `Lab` columns, taken above.
        _ => {}
    }
    Ok(())
}

/// Sets the field of a `Number` column to `v`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn set_number(rec: &mut ScreeningRecord, col: Col, v: f64) {
    use Col as C;
    match col {
        C::Age => rec.age = Some(Years(v)),
        C::Sbp1 => rec.readings[0].sbp = Some(MmHg(v)),
        C::Dbp1 => rec.readings[0].dbp = Some(MmHg(v)),
        C::Sbp2 => rec.readings[1].sbp = Some(MmHg(v)),
        C::Dbp2 => rec.readings[1].dbp = Some(MmHg(v)),
        C::Sbp3 => rec.readings[2].sbp = Some(MmHg(v)),
        C::Dbp3 => rec.readings[2].dbp = Some(MmHg(v)),
        C::Sbp => rec.sbp = Some(MmHg(v)),
        C::Dbp => rec.dbp = Some(MmHg(v)),
        C::HeightCm => rec.height_cm = Some(Cm(v)),
        C::WeightKg => rec.weight_kg = Some(Kg(v)),
        C::WaistCm => rec.waist_cm = Some(Cm(v)),
        C::Bmi => rec.bmi = Some(KgPerM2(v)),
        C::Egfr => rec.egfr = Some(v),
        C::HipCm => rec.hip_cm = Some(Cm(v)),
        C::Hba1cPct => rec.hba1c_pct = Some(v),
        C::CreatinineUmol => rec.creatinine_umol = Some(v),
        C::ResidenceMonths => rec.residence_months = Some(v),
        C::LiquorMlPerDay => rec.liquor_ml_per_day = Some(v),
        C::ChdOnsetAge => rec.chd_onset_age = Some(v),
        C::LdlBaselineMmol => rec.ldl_baseline.mmol = Obs::Known(MmolL::new(v)),
        C::LdlBaselineMgdl => rec.ldl_baseline.mgdl = Obs::Known(MgDl::new(v)),
        _ => {}
    }
}

/// Sets the field of a `Lab` column to `o`.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn set_lab(rec: &mut ScreeningRecord, col: Col, o: Obs<f64>) {
    use Col as C;
    match col {
        C::TcMmol => rec.tc.mmol = lab_mmol(o),
        C::TcMgdl => rec.tc.mgdl = lab_mgdl(o),
        C::HdlMmol => rec.hdl.mmol = lab_mmol(o),
        C::HdlMgdl => rec.hdl.mgdl = lab_mgdl(o),
        C::LdlMmol => rec.ldl.mmol = lab_mmol(o),
        C::LdlMgdl => rec.ldl.mgdl = lab_mgdl(o),
        C::TgMmol => rec.tg.mmol = lab_mmol(o),
        C::TgMgdl => rec.tg.mgdl = lab_mgdl(o),
        C::FbgMmol => rec.fbg.mmol = lab_mmol(o),
        C::FbgMgdl => rec.fbg.mgdl = lab_mgdl(o),
        _ => {}
    }
}

/// The field of a `Bool` column (`None` for every other kind).
#[inline]
fn bool_slot(rec: &mut ScreeningRecord, col: Col) -> Option<&mut Option<bool>> {
    use Col as C;
    Some(match col {
        C::CurrentSmoker => &mut rec.current_smoker,
        C::Diabetes => &mut rec.diabetes,
        C::BpTreated => &mut rec.bp_treated,
        C::LipidTreated => &mut rec.lipid_treated,
        C::GlucoseTreated => &mut rec.glucose_treated,
        C::HistoryMi => &mut rec.history_mi,
        C::HistoryPci => &mut rec.history_pci,
        C::HistoryCabg => &mut rec.history_cabg,
        C::HistoryIschaemicStroke => &mut rec.history_ischaemic_stroke,
        C::HistoryHaemorrhagicStroke => &mut rec.history_haemorrhagic_stroke,
        C::FamilyHistoryAscvd => &mut rec.family_history_ascvd,
        C::North => &mut rec.north,
        C::Urban => &mut rec.urban,
        C::HistoryTia => &mut rec.history_tia,
        C::Statin => &mut rec.statin,
        C::Consent => &mut rec.consent,
        C::HukouLocal => &mut rec.hukou_local,
        C::UnableToComply => &mut rec.unable_to_comply,
        C::HighRiskRecorded => &mut rec.high_risk_recorded,
        C::HrQuestionnaireDone => &mut rec.hr_questionnaire_done,
        C::HrChecklistDone => &mut rec.hr_checklist_done,
        C::EcgDone => &mut rec.ecg_done,
        C::CarotidUsDone => &mut rec.carotid_us_done,
        C::EchoDone => &mut rec.echo_done,
        C::BloodSampleDone => &mut rec.blood_sample_done,
        C::UrineSampleDone => &mut rec.urine_sample_done,
        C::Hypertension => &mut rec.hypertension,
        C::FamilyHistoryHtn => &mut rec.family_history_htn,
        C::HighSaltDiet => &mut rec.high_salt_diet,
        C::AcsWithin12m => &mut rec.acs_within_12m,
        C::HistoryPad => &mut rec.history_pad,
        C::HistoryPadRevasc => &mut rec.history_pad_revasc,
        C::AscvdRecurrenceAtLowLdl => &mut rec.ascvd_recurrence_at_low_ldl,
        C::FamilialHypercholesterolaemia => &mut rec.familial_hypercholesterolaemia,
        C::ManageAsHighRisk => &mut rec.manage_as_high_risk,
        C::BleedingRiskHigh => &mut rec.bleeding_risk_high,
        _ => return None,
    })
}

/// The DQ-PARSE-1 finding for a cell error.
pub fn parse_finding(e: &CellError, kind: Kind) -> Finding {
    let (en, zh) = expected_text(kind);
    Finding::new(
        DQ_PARSE_1,
        Severity::Reject,
        e.column,
        Some(e.value.clone()),
        format!(
            "`{}` is `{}`, which cannot be read: expected {}",
            e.column, e.value, en
        ),
        format!("`{}` 的值 `{}` 无法解析：应为{}", e.column, e.value, zh),
    )
}

/// The DQ-PARSE-1 finding for a row with the wrong number of fields.
pub fn field_count_finding(expected: usize, got: usize) -> Finding {
    Finding::new(
        DQ_PARSE_1,
        Severity::Reject,
        "(row)",
        Some(got.to_string()),
        format!("the row has {got} fields but the header has {expected}: the row cannot be parsed"),
        format!("该行有 {got} 个字段，表头有 {expected} 个：该行无法解析"),
    )
}

/// Parses one row of cells against a header: the typed record plus DQ-PARSE-1
/// findings for cells that could not be read. Unknown columns are ignored here
/// (front ends carry them through). Never panics.
pub fn parse_record<S: AsRef<str>>(
    header: &Header,
    cells: &[S],
) -> (ScreeningRecord, Vec<Finding>) {
    let mut rec = ScreeningRecord {
        columns: header.columns(),
        ..Default::default()
    };
    let mut findings = Vec::new();
    // Positions past the header's are not columns; unknown columns are skipped.
    for (cell, col) in cells.iter().zip(&header.cols) {
        if let Some(col) = *col {
            read_text(&mut rec, &mut findings, col, cell.as_ref());
        }
    }
    (rec, findings)
}

/// One input cell as a front end with typed columns holds it (a binding reading
/// numpy or Arrow columns): text, or a number that was never text.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    /// Cell text, read as by [`parse_record`].
    Text(&'a str),
    /// A float; NaN is an empty cell.
    Float(f64),
    /// An integer.
    Int(i64),
}

impl Cell<'_> {
    /// Appends the cell's text — what [`parse_typed`] reads a number as and what a front
    /// end writes a number cell as: the text itself; nothing for NaN (an empty cell);
    /// a float as the shortest decimal that reads back to it, never with an exponent
    /// (`f64`'s `Display`: `135`, `5.2`, `-0`, `inf`); an integer's digits.
    ///
    /// ```
    /// use cvdscreen::exchange::Cell;
    /// let mut s = String::new();
    /// for c in [Cell::Float(5.2), Cell::Float(f64::NAN), Cell::Int(-7), Cell::Float(1e-7)] {
    ///     c.push_text(&mut s);
    ///     s.push(',');
    /// }
    /// assert_eq!(s, "5.2,,-7,0.0000001,");
    /// ```
    pub fn push_text(&self, buf: &mut String) {
        match *self {
            Cell::Text(t) => buf.push_str(t),
            Cell::Float(v) if v.is_nan() => {}
            Cell::Float(v) => crate::shortest::push(buf, v, 0),
            Cell::Int(i) => crate::finding::push_int(buf, i),
        }
    }
}

/// [`parse_record`] over typed cells. A number is read exactly as [`parse_record`]
/// reads its text — the shortest round-trip decimal that `Display` writes, the
/// integer's digits — giving the same field values and the same findings without
/// writing the digits and reading them back: a finite number in a `Number` or `Lab`
/// column is the value (the text reads back to it), 0 and 1 in a `Bool` column,
/// a whole number in a `Count` column. Any other number (in a text column, `-0` in a
/// `Bool` column, infinities) goes through its text.
pub fn parse_typed(header: &Header, cells: &[Cell<'_>]) -> (ScreeningRecord, Vec<Finding>) {
    // Built in the pair it is returned in: with a separate record and vector the loop
    // keeps one more value on the stack (measured, ~70 more instructions a row).
    let mut out = (
        ScreeningRecord {
            columns: header.columns(),
            ..Default::default()
        },
        Vec::new(),
    );
    let (rec, findings) = &mut out;
    let mut text = String::new();
    for (cell, col) in cells.iter().zip(&header.cols) {
        let Some(col) = *col else { continue };
        let v = match *cell {
            Cell::Text(raw) => {
                read_text(rec, findings, col, raw);
                continue;
            }
            Cell::Float(v) if v.is_nan() => continue,
            Cell::Float(v) => v,
            // Correctly rounded, as the digits' parse is.
            Cell::Int(i) => i as f64,
        };
        if v.is_finite() && set_value(rec, col, v) {
            continue;
        }
        text.clear();
        cell.push_text(&mut text);
        read_text(rec, findings, col, &text);
    }
    out
}

/// Sets the field of column `col` to the finite number `v` when its text would be
/// read as `v` without a finding; `false` (nothing set) for any other column or value.
/// Inlined with the setters it calls: in the typed loop a number cell is then a jump
/// on the column and a store, not three calls.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn set_value(rec: &mut ScreeningRecord, col: Col, v: f64) -> bool {
    match col.kind() {
        Kind::Number => set_number(rec, col, v),
        Kind::Lab => set_lab(rec, col, Obs::Known(v)),
        // `-0` is not a spelling of false.
        Kind::Bool if v.to_bits() == 0 || v == 1.0 => match bool_slot(rec, col) {
            Some(slot) => *slot = Some(v == 1.0),
            None => return false,
        },
        Kind::Count if col == Col::SevereAscvdEvents => match count_value(v) {
            Some(n) => rec.severe_ascvd_events = Some(n),
            None => return false,
        },
        _ => return false,
    }
    true
}

/// A `Count` cell's value: a whole number from 0 to `u32::MAX`.
fn count_value(v: f64) -> Option<u32> {
    (v >= 0.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX)).then_some(v as u32)
}

/// Reads one cell's text into its field, or adds its DQ-PARSE-1 finding.
#[inline]
fn read_text(rec: &mut ScreeningRecord, findings: &mut Vec<Finding>, col: Col, raw: &str) {
    // An empty cell leaves its field unknown (as `set_cell` would): not a call.
    if raw.is_empty() {
        return;
    }
    // The usual cells without `set_cell`'s general path (same values): `0` / `1`
    // in a `Bool` column, a plain decimal in a `Number` or `Lab` column (not on
    // wasm32, built for size), set as numbers.
    let plain = match (col.kind(), raw.as_bytes()) {
        (Kind::Bool, [b @ (b'0' | b'1')]) => Some(f64::from(*b - b'0')),
        (Kind::Number | Kind::Lab, _) if !cfg!(target_arch = "wasm32") => parse_plain_decimal(raw),
        _ => None,
    };
    if plain.is_some_and(|v| set_value(rec, col, v)) {
        return;
    }
    if let Err(e) = set_cell(rec, col, raw) {
        findings.push(parse_finding(&e, col.kind()));
    }
}

/// Parses a record from `(column name, cell text)` pairs, e.g. a Python dict or a JS
/// object converted to text by a binding. Unknown names are ignored.
pub fn parse_pairs<K: AsRef<str>, V: AsRef<str>>(
    pairs: &[(K, V)],
) -> (ScreeningRecord, Vec<Finding>) {
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_ref()).collect();
    let header = Header::new(&names);
    let cells: Vec<&str> = pairs.iter().map(|(_, v)| v.as_ref()).collect();
    parse_record(&header, &cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::xorshift64;

    /// A typed cell gives the record and findings of its text, in every column: the
    /// shortest decimal `Display` writes for a float (nothing for NaN), the digits of
    /// an integer. Compared as `Debug` text, which tells `-0.0` from `0.0`.
    #[test]
    fn typed_cells_read_as_their_text() {
        let floats = [
            0.0,
            -0.0,
            1.0,
            2.0,
            0.5,
            -3.0,
            135.0,
            5.2,
            0.1 + 0.2,
            1e-7,
            1e20,
            1234567.125,
            4294967295.0,
            4294967296.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let ints = [
            0,
            1,
            -1,
            2,
            135,
            4294967296,
            (1 << 53) + 1,
            i64::MAX,
            i64::MIN,
        ];
        let mut checked = 0;
        for &col in Col::ALL {
            // The column alone, and after `id` (a second position).
            for names in [vec![col.name()], vec!["id", col.name()]] {
                let header = Header::new(&names);
                let cells = |c: Cell<'static>| -> Vec<Cell<'static>> {
                    let mut v = vec![Cell::Text("x1"); names.len() - 1];
                    v.push(c);
                    v
                };
                let texts = |t: String| -> Vec<String> {
                    let mut v = vec!["x1".to_string(); names.len() - 1];
                    v.push(t);
                    v
                };
                for &f in &floats {
                    let text = if f.is_nan() {
                        String::new()
                    } else {
                        format!("{f}")
                    };
                    let typed = parse_typed(&header, &cells(Cell::Float(f)));
                    let read = parse_record(&header, &texts(text.clone()));
                    assert_eq!(format!("{typed:?}"), format!("{read:?}"), "{col:?} {text}");
                    checked += 1;
                }
                for &i in &ints {
                    let typed = parse_typed(&header, &cells(Cell::Int(i)));
                    let read = parse_record(&header, &texts(i.to_string()));
                    assert_eq!(format!("{typed:?}"), format!("{read:?}"), "{col:?} {i}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, Col::ALL.len() * 2 * (floats.len() + ints.len()));
        // Text cells are read as text.
        let header = Header::new(&["age", "sex", "bp_treated"]);
        let typed = parse_typed(
            &header,
            &[Cell::Text("61"), Cell::Text("male"), Cell::Text("yes")],
        );
        let read = parse_record(&header, &["61", "male", "yes"]);
        assert_eq!(format!("{typed:?}"), format!("{read:?}"));
    }

    /// A cell's text is `Display`'s for a float (nothing for NaN), the digits of an
    /// integer, and the text itself: on edge values, on decimals with one to six
    /// fractional digits as a CSV holds them, and on any bit pattern.
    #[test]
    fn cell_text_is_display() {
        let text = |c: Cell<'_>| {
            let mut s = String::new();
            c.push_text(&mut s);
            s
        };
        for v in [
            0.0,
            -0.0,
            0.1,
            -0.05,
            1e-7,
            99_999_999.5,
            0.1 + 0.2,
            1e20,
            f64::MAX,
            f64::MIN_POSITIVE / 3.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(text(Cell::Float(v)), format!("{v}"));
        }
        assert_eq!(text(Cell::Float(f64::NAN)), "");
        for i in [0, 7, -7, 1_000_000, i64::MAX, i64::MIN] {
            assert_eq!(text(Cell::Int(i)), i.to_string());
        }
        assert_eq!(text(Cell::Text(" 5,2 ")), " 5,2 ");
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200_000u64 {
            xorshift64(&mut x);
            let v = if i % 2 == 0 {
                let m = (x >> 8) % 100_000_000;
                format!("{m}e-{}", 1 + x % 6).parse::<f64>().unwrap_or(0.0)
            } else {
                f64::from_bits(x)
            };
            if !v.is_nan() {
                assert_eq!(text(Cell::Float(v)), format!("{v}"), "{v:e}");
            }
        }
    }

    #[test]
    fn plain_decimals_parse_as_the_std_parser() {
        let fixed = [
            "0",
            "-0",
            "1",
            "138",
            "161.1",
            "5.9",
            "0.1",
            "0.3",
            "-0.5",
            ".5",
            "-.5",
            "5.",
            "007",
            "999999999999999",
            "9999999999999999",
            "0.000000000000001",
            "123456789.012345",
            "1.7976931348623157",
            "4.35",
            "2.675",
            "1.005",
            ".",
            "-",
            "",
            "1..2",
            "1.2.3",
            "+1",
            "1e3",
            " 1",
            "１",
        ];
        for t in fixed {
            let want = t.parse::<f64>().ok();
            match parse_plain_decimal(t) {
                Some(v) => assert_eq!(Some(v.to_bits()), want.map(f64::to_bits), "{t}"),
                None => assert!(
                    want.is_none()
                        || !t
                            .bytes()
                            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
                        || t.bytes().filter(u8::is_ascii_digit).count() > 15,
                    "{t}"
                ),
            }
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            xorshift64(&mut x);
            let int = x % 10_u64.pow((x >> 60) as u32 % 16);
            let frac = (x >> 20) % 16;
            let digits = int.to_string();
            let t = if frac as usize >= digits.len() || frac == 0 {
                digits
            } else {
                format!(
                    "{}.{}",
                    &digits[..digits.len() - frac as usize],
                    &digits[digits.len() - frac as usize..]
                )
            };
            let t = if x & 1 == 1 { format!("-{t}") } else { t };
            assert_eq!(
                parse_plain_decimal(&t).map(f64::to_bits),
                t.parse::<f64>().ok().map(f64::to_bits),
                "{t}"
            );
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for t in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{b}1",
            "1\u{b}",
            "\u{85}1",
            "1\u{3000}",
            "是",
            " 是 ",
            "12",
            "\t",
            "x\r",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }
    use crate::units::Conc;

    #[test]
    fn every_column_sets_its_field() {
        for &c in Col::ALL {
            let mut rec = ScreeningRecord::default();
            assert_eq!(
                bool_slot(&mut rec, c).is_some(),
                c.kind() == Kind::Bool,
                "{c:?}"
            );
            let cell = match c.kind() {
                Kind::Text | Kind::Device => "x",
                Kind::Date => "2025-05-10",
                Kind::Sex => "male",
                Kind::Number | Kind::Lab | Kind::Count | Kind::CkdStage => "1",
                Kind::Bool => "yes",
                Kind::Race => "white",
                Kind::HtnCvRisk => "low",
                Kind::IdNumber => "110105194912310021",
            };
            assert_eq!(set_cell(&mut rec, c, cell), Ok(()), "{c:?}");
            assert_ne!(rec, ScreeningRecord::default(), "{c:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for &c in Col::ALL {
            assert_eq!(Col::from_name(c.name()), Some(c));
        }
        assert!(Col::ALL.len() < 128);
    }

    #[test]
    fn spellings() {
        assert_eq!(parse_sex("男"), Some(Sex::Male));
        assert_eq!(parse_sex("F"), Some(Sex::Female));
        assert_eq!(parse_sex("Female"), Some(Sex::Female));
        assert_eq!(parse_sex("x"), None);
        assert_eq!(parse_bool("是"), Some(true));
        assert_eq!(parse_bool("YES"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("2"), None);
    }

    #[test]
    fn numbers_reject_non_finite() {
        assert_eq!(parse_number("12.5"), Some(12.5));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1,5"), None);
        assert_eq!(parse_number("1e999"), None);
        assert_eq!(parse_number("."), None);
    }

    #[test]
    fn censored_lab_values() {
        let h = Header::new(&["hdl_mgdl", "tc_mmol"]);
        let (rec, f) = parse_record(&h, &["<15", " 5.2 "]);
        assert!(f.is_empty());
        assert_eq!(
            rec.hdl.mgdl,
            Obs::Censored {
                bound: MgDl::new(15.0),
                dir: Censor::Below
            }
        );
        assert_eq!(rec.tc.reported(), Obs::Known(Conc::mmol(5.2)));
    }

    #[test]
    fn bad_cells_become_parse_findings() {
        let h = Header::new(&["\u{feff}id", "sex", "sbp_1", "screen_date", "extra"]);
        let (rec, f) = parse_record(&h, &["A", "unknown", "12o", "2025/05/10", "whatever"]);
        assert_eq!(rec.id.as_deref(), Some("A"));
        assert_eq!(rec.sex, None);
        assert_eq!(f.len(), 3);
        assert!(f.iter().all(|x| x.rule_id == DQ_PARSE_1));
        assert_eq!(f[0].field, "sex");
        assert!(f[1].message_en.contains("sbp_1"));
    }

    #[test]
    fn id_number_syntax() {
        assert_eq!(
            parse_id_number("11010519491231002x").as_deref(),
            Some("11010519491231002X")
        );
        assert!(parse_id_number("1101051949123100").is_none());
        assert!(parse_id_number("11010519491231002Y").is_none());
        // The normal form is borrowed; only a lower-case `x` is copied.
        assert!(matches!(
            super::id_number_syntax("110105194912310021"),
            Some(Cow::Borrowed("110105194912310021"))
        ));
        assert!(matches!(
            super::id_number_syntax("11010519491231002x"),
            Some(Cow::Owned(s)) if s == "11010519491231002X"
        ));
        assert!(super::id_number_syntax("1101051949123100２1").is_none());
    }

    /// The word-wise check accepts exactly what a byte-by-byte one does.
    #[test]
    fn id_number_syntax_is_bytewise() {
        let bytewise = |s: &str| {
            let b = s.as_bytes();
            b.len() == 18
                && b[..17].iter().all(u8::is_ascii_digit)
                && matches!(b[17], b'0'..=b'9' | b'X' | b'x')
        };
        let check = |t: &str| {
            assert_eq!(super::id_number_syntax(t).is_some(), bytewise(t), "{t:?}");
        };
        // Every byte of a valid number replaced by every ASCII byte and a few
        // characters beyond, and the lengths around 18.
        let base = "110105194912310021";
        for i in 0..18 {
            for c in (0u8..0x80).map(char::from).chain(['é', '\u{80}', '２']) {
                check(&format!("{}{c}{}", &base[..i], &base[i + 1..]));
            }
        }
        for t in [
            "",
            "11010519491231002",
            "1101051949123100211",
            " 110105194912310021",
        ] {
            check(t);
        }
        // Random near-numbers: digits, now and then a byte next to `0` or `9`.
        let other = b"/:0123456789Xx\x7f ";
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..100_000 {
            let t: String = (0..18)
                .map(|_| {
                    xorshift64(&mut x);
                    char::from(if x % 16 == 0 {
                        other[(x >> 8) as usize % other.len()]
                    } else {
                        b'0' + ((x >> 8) % 10) as u8
                    })
                })
                .collect();
            check(&t);
        }
    }
}
