//! Three-valued inputs and outcomes (spec/domain.md §0.3, TV-1…TV-4).

use serde::{Deserialize, Serialize};

/// Direction of a device-censored value: the device showed `<b` or `>b`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Censor {
    /// `<b`: the true value is below the bound.
    Below,
    /// `>b`: the true value is above the bound.
    Above,
}

/// An observed input (TV-1): a known value, unknown (not recorded), or censored
/// by a device limit (DEV-4).
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Obs<T> {
    /// Measured value.
    Known(T),
    /// Not recorded, unparseable, or made unknown by a value-level QC finding (QC-USE-1).
    #[default]
    Unknown,
    /// The device displayed `<bound` or `>bound`.
    Censored {
        /// The device limit, in the unit the device reported.
        bound: T,
        /// Below or above the bound.
        dir: Censor,
    },
}

impl<T: Copy> Obs<T> {
    /// The known value, if any.
    pub fn known(&self) -> Option<T> {
        match self {
            Obs::Known(v) => Some(*v),
            _ => None,
        }
    }
    /// True when nothing was recorded.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Obs::Unknown)
    }
    /// True for a numeric value or a censored device value (DQ-PRG-3 "numeric or censored").
    pub fn is_present(&self) -> bool {
        !self.is_unknown()
    }
    /// Maps the carried value(s).
    pub fn map<U>(self, f: impl Fn(T) -> U) -> Obs<U> {
        match self {
            Obs::Known(v) => Obs::Known(f(v)),
            Obs::Unknown => Obs::Unknown,
            Obs::Censored { bound, dir } => Obs::Censored {
                bound: f(bound),
                dir,
            },
        }
    }
}

impl<T> From<Option<T>> for Obs<T> {
    fn from(o: Option<T>) -> Self {
        match o {
            Some(v) => Obs::Known(v),
            None => Obs::Unknown,
        }
    }
}

/// The interval of values an observation stands for, in one unit (TV-2).
///
/// `lo`/`hi` are the bounds; `lo_open`/`hi_open` say whether the bound itself is
/// excluded (a censored `<15` is `(-inf, 15)`).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Interval {
    /// Lower bound (may be `-inf`).
    pub lo: f64,
    /// Upper bound (may be `+inf`).
    pub hi: f64,
    /// The lower bound is excluded.
    pub lo_open: bool,
    /// The upper bound is excluded.
    pub hi_open: bool,
}

impl Interval {
    /// A single value.
    pub fn point(v: f64) -> Self {
        Interval {
            lo: v,
            hi: v,
            lo_open: false,
            hi_open: false,
        }
    }
    /// A closed range `[lo, hi]` (plausibility ranges, §12.3).
    pub fn closed(lo: f64, hi: f64) -> Self {
        Interval {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
        }
    }
    /// Everything.
    pub fn all() -> Self {
        Interval::closed(f64::NEG_INFINITY, f64::INFINITY)
    }
    /// Outcome of `v >= t` for every `v` in the interval.
    pub fn ge(&self, t: f64) -> Outcome {
        if self.lo > t || (self.lo == t && !self.lo_open) {
            Outcome::Fired
        } else if self.hi < t || (self.hi == t && self.hi_open) {
            Outcome::NotFired
        } else {
            Outcome::Indeterminate
        }
    }
    /// Outcome of `v < t` for every `v` in the interval.
    pub fn lt(&self, t: f64) -> Outcome {
        self.ge(t).negate()
    }
    /// Outcome of `v > t` for every `v` in the interval.
    pub fn gt(&self, t: f64) -> Outcome {
        if self.lo > t || (self.lo == t && self.lo_open) {
            Outcome::Fired
        } else if self.hi <= t {
            Outcome::NotFired
        } else {
            Outcome::Indeterminate
        }
    }
    /// Outcome of `v <= t` for every `v` in the interval.
    pub fn le(&self, t: f64) -> Outcome {
        self.gt(t).negate()
    }
    /// Maps both bounds through a monotone increasing function (unit conversion).
    pub fn map_increasing(self, f: impl Fn(f64) -> f64) -> Self {
        Interval {
            lo: f(self.lo),
            hi: f(self.hi),
            ..self
        }
    }
}

impl std::ops::Not for Outcome {
    type Output = Outcome;
    fn not(self) -> Outcome {
        self.negate()
    }
}

/// Outcome of one rule (TV-2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The rule fired.
    Fired,
    /// The rule did not fire.
    NotFired,
    /// The outcome depends on an unknown or censored input.
    Indeterminate,
}

impl Outcome {
    /// From a plain boolean.
    pub fn from_bool(b: bool) -> Self {
        if b {
            Outcome::Fired
        } else {
            Outcome::NotFired
        }
    }
    /// From a three-valued boolean input: `None` is Indeterminate (MPP2014-EV-2).
    pub fn from_opt(b: Option<bool>) -> Self {
        match b {
            Some(b) => Outcome::from_bool(b),
            None => Outcome::Indeterminate,
        }
    }
    /// Kleene OR (TV-3).
    pub fn or(self, o: Outcome) -> Outcome {
        use Outcome::*;
        match (self, o) {
            (Fired, _) | (_, Fired) => Fired,
            (NotFired, NotFired) => NotFired,
            _ => Indeterminate,
        }
    }
    /// Kleene AND (TV-3).
    pub fn and(self, o: Outcome) -> Outcome {
        use Outcome::*;
        match (self, o) {
            (NotFired, _) | (_, NotFired) => NotFired,
            (Fired, Fired) => Fired,
            _ => Indeterminate,
        }
    }
    /// Kleene NOT.
    pub fn negate(self) -> Outcome {
        match self {
            Outcome::Fired => Outcome::NotFired,
            Outcome::NotFired => Outcome::Fired,
            Outcome::Indeterminate => Outcome::Indeterminate,
        }
    }
    /// Kleene OR over many outcomes (`NotFired` for none).
    pub fn any(it: impl IntoIterator<Item = Outcome>) -> Outcome {
        it.into_iter().fold(Outcome::NotFired, Outcome::or)
    }
    /// True for `Fired`.
    pub fn fired(self) -> bool {
        self == Outcome::Fired
    }
    /// As a three-valued boolean.
    pub fn to_opt(self) -> Option<bool> {
        match self {
            Outcome::Fired => Some(true),
            Outcome::NotFired => Some(false),
            Outcome::Indeterminate => None,
        }
    }
    /// `fired`, `not_fired`, `indeterminate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fired => "fired",
            Outcome::NotFired => "not_fired",
            Outcome::Indeterminate => "indeterminate",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome::*;
    use super::*;

    #[test]
    fn tv_3_kleene_tables() {
        assert_eq!(Fired.or(Indeterminate), Fired);
        assert_eq!(NotFired.or(Indeterminate), Indeterminate);
        assert_eq!(NotFired.or(NotFired), NotFired);
        assert_eq!(NotFired.and(Indeterminate), NotFired);
        assert_eq!(Fired.and(Indeterminate), Indeterminate);
        assert_eq!(Fired.and(Fired), Fired);
    }

    #[test]
    fn interval_comparisons() {
        let below15 = Interval {
            lo: f64::NEG_INFINITY,
            hi: 15.0,
            lo_open: false,
            hi_open: true,
        };
        assert_eq!(below15.lt(30.0), Fired);
        assert_eq!(below15.lt(15.0), Fired);
        assert_eq!(below15.lt(10.0), Indeterminate);
        assert_eq!(Interval::point(160.0).ge(160.0), Fired);
        assert_eq!(Interval::point(159.9).ge(160.0), NotFired);
        assert_eq!(Interval::point(30.0).lt(30.0), NotFired);
        assert_eq!(Interval::point(3.9).le(3.9), Fired);
        assert_eq!(Interval::point(3.91).le(3.9), NotFired);
        assert_eq!(Interval::closed(1.0, 2.0).gt(2.0), NotFired);
        assert_eq!(Interval::all().ge(0.0), Indeterminate);
    }
}
