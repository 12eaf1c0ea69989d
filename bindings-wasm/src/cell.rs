//! One record value as it arrives from JavaScript, turned into the cell text the core's
//! exchange parser reads (spec/csv-schema.md). Host-testable: no JS types here.

/// A record value after its JS type has been checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// `null`, `undefined`: not measured (an empty cell).
    Empty,
    /// A JS number (`NaN` is "not measured", ±Infinity is unreadable).
    Number(f64),
    /// A JS string, passed through unchanged (the core trims and parses it).
    Text(String),
    /// A JS boolean: `1` / `0`.
    Bool(bool),
}

impl Cell {
    /// The cell text for the core parser.
    ///
    /// Numbers keep full precision: Rust's `Display` for `f64` writes the shortest
    /// decimal that round-trips, without an exponent, which is what the exchange
    /// format's number parser reads. `NaN` is an empty cell (the JS convention for a
    /// missing number); ±Infinity becomes `Infinity` / `-Infinity`, which the core
    /// rejects with DQ-PARSE-1 rather than silently dropping.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Number(v) if v.is_nan() => String::new(),
            Cell::Number(v) if v.is_infinite() => {
                if *v > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
            }
            Cell::Number(v) => format!("{v}"),
            Cell::Text(s) => s.clone(),
            Cell::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cvdscreen::exchange::parse_number;

    #[test]
    fn numbers_round_trip_through_the_core_parser() {
        for v in [
            0.0,
            -0.0,
            159.5,
            0.1 + 0.2,
            4.139,
            1e-7,
            5e-324,
            1e21,
            f64::MAX,
            -f64::MAX,
            123_456_789.123_456_78,
        ] {
            let t = Cell::Number(v).to_text();
            assert!(!t.contains('e'), "{t}");
            assert_eq!(parse_number(&t), Some(v), "{v} -> {t}");
        }
    }

    #[test]
    fn missing_and_special_values() {
        assert_eq!(Cell::Empty.to_text(), "");
        assert_eq!(Cell::Number(f64::NAN).to_text(), "");
        assert_eq!(Cell::Number(f64::INFINITY).to_text(), "Infinity");
        assert_eq!(Cell::Number(f64::NEG_INFINITY).to_text(), "-Infinity");
        assert_eq!(parse_number(&Cell::Number(f64::INFINITY).to_text()), None);
        assert_eq!(Cell::Bool(true).to_text(), "1");
        assert_eq!(Cell::Bool(false).to_text(), "0");
        assert_eq!(Cell::Text(" 男 ".into()).to_text(), " 男 ");
    }
}
