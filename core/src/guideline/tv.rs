//! Exhaustive three-valued evaluation (spec/domain.md TV-2) by lazy enumeration.
//!
//! A guideline procedure is written once as ordinary Rust over concrete values and
//! asks an [`Oracle`] every time it compares an input with a threshold or reads a
//! boolean. A known input is answered directly. An unknown or censored input makes the
//! oracle *branch*: the procedure is re-run once per piece of the input's interval
//! (split at the thresholds the procedure actually uses, in the order it uses them)
//! and once per value of an unknown boolean. Comparisons of the same input on one run
//! are consistent, because the oracle narrows the input's interval as it branches.
//! [`enumerate`] collects the results of every run: if all agree the result is
//! determined, otherwise the outcome depends on the inputs that were branched on.
//!
//! This is exactly TV-2 ("evaluate over every value the unknown input could take")
//! with one representative per piece, and it needs no hand-written Kleene algebra, so
//! an input used twice (hypertension as table row *and* as a COND-8 factor, smoking
//! as a table factor *and* a lifetime factor) is never treated as two independent
//! unknowns. The only approximation: non-HDL-C of an unknown TC or HDL-C is a variable
//! of its own, bounded by the current TC and HDL-C intervals.
//!
//! ```
//! use cvdscreen::guideline::tv::{enumerate, Enumerated};
//! use cvdscreen::value::Interval;
//! // "SBP ≥ 140 or treated", SBP unknown in its plausible range, treated = No.
//! let r = enumerate(|q| {
//!     q.ge("sbp", Interval::closed(70.0, 270.0), 140.0) || q.flag("bp_treated", Some(false))
//! }, |v| *v);
//! assert_eq!(r, Enumerated::Indeterminate { missing: vec!["sbp"] });
//! ```

use crate::value::{Interval, Outcome};

/// Upper bound on the number of runs of one enumeration; beyond it the result is
/// Indeterminate (never reached by the procedures of this crate, whose paths are few).
pub const MAX_RUNS: usize = 1 << 16;

/// The comparison a procedure asks for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `v ≥ t`
    Ge,
    /// `v > t`
    Gt,
    /// `v < t`
    Lt,
    /// `v ≤ t`
    Le,
}

impl Op {
    /// Applies the comparison to a known value.
    pub fn apply(self, v: f64, t: f64) -> bool {
        match self {
            Op::Ge => v >= t,
            Op::Gt => v > t,
            Op::Lt => v < t,
            Op::Le => v <= t,
        }
    }
}

/// Name equality of the oracle's `&'static str` keys: the same literal is usually the
/// same pointer, so that is tried before comparing the bytes, which are compared in
/// line (the names are a few bytes long, and many have the same length: `age`,
/// `sbp`, `dbp`, `bmi`, `ldl`, `hdl`, so a call to `memcmp` per pair would dominate).
///
/// Different names of one length mostly differ in their first byte (`sbp`, `dbp`) or
/// in their last (`history_tia`, `history_pad`), so those two are compared first.
#[inline]
pub(crate) fn same(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    x.len() == y.len()
        && (std::ptr::eq(x.as_ptr(), y.as_ptr())
            || (x.first() == y.first()
                && x.last() == y.last()
                && x.iter().zip(y).all(|(p, q)| p == q)))
}

fn push_new(list: &mut Vec<&'static str>, name: &'static str) {
    if !list.iter().any(|n| same(n, name)) {
        list.push(name);
    }
}

/// Answers a procedure's questions on one run; see the module documentation.
#[derive(Debug, Default)]
pub struct Oracle {
    prefix: Vec<u8>,
    pos: usize,
    trail: Vec<(u8, u8)>,
    nums: Vec<(&'static str, Interval)>,
    bools: Vec<(&'static str, bool)>,
    /// Inputs branched on by any run of the current enumeration, in first-seen order
    /// (each run's choices are noted as they are made, runs one after the other).
    all_branched: Vec<&'static str>,
    /// COND-10 flags assumed absent by any run of the current enumeration.
    all_assumed: Vec<&'static str>,
    /// Answers of this oracle that depended on the run's state (a choice, a narrowed
    /// interval, an unknown flag): a procedure that added none answered exactly as it
    /// would on a fresh run, so its result may be reused (`lipid::procedure`'s memo).
    dependent: std::cell::Cell<u32>,
    /// Every [`assume`](Self::assume) call of the current run, repeated names included
    /// (the side effect a reused result must replay). The run's distinct names are
    /// only collected from it at the end of the run, and only when the caller wants
    /// them (most enumerations drop them).
    assume_log: Vec<&'static str>,
    /// Whether the current enumeration reads the runs' assumed-absent flags
    /// ([`Enumerations::drive`] with `with_assumed`): when it does not, nobody reads a
    /// memoised run's flags, and `lipid::procedure` does not replay them.
    collect_assumed: bool,
}

thread_local! {
    /// Oracles of finished enumerations, kept with their buffers' capacity: a record
    /// runs dozens of enumerations, which then allocate nothing. Boxed, so that
    /// taking one from the pool and giving it back moves a pointer, not the oracle.
    #[allow(clippy::vec_box)]
    static POOL: std::cell::RefCell<Vec<Box<Oracle>>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The oracle of the last finished enumeration, taken first: most enumerations
    /// do not nest, and a `Cell` needs no borrow flag.
    static LAST: std::cell::Cell<Option<Box<Oracle>>> = const { std::cell::Cell::new(None) };
}

impl Oracle {
    /// An oracle from the pool (or a new one); each enumeration on it clears what
    /// the previous one left ([`Enumerations::drive`]).
    fn take() -> Box<Oracle> {
        LAST.try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .or_else(|| POOL.try_with(|p| p.borrow_mut().pop()).ok().flatten())
            .unwrap_or_default()
    }

    /// Returns an oracle to the pool (nested enumerations use several at once).
    fn give(self: Box<Self>) {
        let spare = match LAST.try_with(|l| l.replace(Some(self))) {
            Ok(None) => return,
            Ok(Some(spare)) => spare,
            // The thread is ending: nothing to keep.
            Err(_) => return,
        };
        let _ = POOL.try_with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < 16 {
                p.push(spare);
            }
        });
    }

    /// Prepares the next run: everything but the prefix of choices is forgotten.
    fn reset(&mut self) {
        self.pos = 0;
        self.trail.clear();
        self.nums.clear();
        self.bools.clear();
        self.assume_log.clear();
    }

    /// Count of state-dependent answers so far (see `dependent`).
    pub(crate) fn dependent(&self) -> u32 {
        self.dependent.get()
    }

    fn note_dependent(&self) {
        self.dependent.set(self.dependent.get().wrapping_add(1));
    }

    /// Every `assume` call of this run from index `from` on.
    pub(crate) fn assumed_since(&self, from: usize) -> &[&'static str] {
        self.assume_log.get(from..).unwrap_or_default()
    }

    /// Whether the current enumeration collects the assumed-absent flags (see
    /// `collect_assumed`).
    pub(crate) fn collects_assumed(&self) -> bool {
        self.collect_assumed
    }

    /// Number of `assume` calls of this run so far.
    pub(crate) fn assume_count(&self) -> usize {
        self.assume_log.len()
    }

    fn choose(&mut self, name: &'static str, n: u8) -> u8 {
        let c = self.prefix.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        self.trail.push((c, n));
        push_new(&mut self.all_branched, name);
        c
    }

    fn find_bool(&self, name: &'static str) -> Option<bool> {
        self.bools
            .iter()
            .find(|(n, _)| same(n, name))
            .map(|(_, b)| *b)
    }

    /// A three-valued boolean input: `Some` is answered, `None` branches (both values).
    ///
    /// In line: most flags are known, and a condition reads several in a row
    /// (COND-1 reads eight), so the known case is a test and the rest a call.
    #[inline]
    pub fn flag(&mut self, name: &'static str, v: Option<bool>) -> bool {
        match v {
            Some(b) => b,
            None => self.unknown_flag(name),
        }
    }

    /// [`flag`](Self::flag) of an unknown input: looked up, branched on.
    #[inline(never)]
    fn unknown_flag(&mut self, name: &'static str) -> bool {
        self.note_dependent();
        if let Some(b) = self.find_bool(name) {
            return b;
        }
        let b = self.choose(name, 2) == 1;
        self.bools.push((name, b));
        b
    }

    /// A guideline-only flag (COND-10): empty counts as No and is noted under
    /// `assumed_absent`.
    #[inline]
    pub fn assumed_flag(&mut self, name: &'static str, v: Option<bool>) -> bool {
        match v {
            Some(b) => b,
            None => {
                self.assume(name);
                false
            }
        }
    }

    /// Notes that the procedure assumed `name` absent (COND-10).
    #[inline]
    pub fn assume(&mut self, name: &'static str) {
        self.assume_log.push(name);
    }

    /// [`assume`](Self::assume) of each name in turn (a memoised run's replay).
    ///
    /// One push per name: the lists are a few names long, shorter than a call to
    /// `memcpy` takes.
    pub(crate) fn assume_all(&mut self, names: &[&'static str]) {
        self.assume_log.reserve(names.len());
        for &n in names {
            self.assume_log.push(n);
        }
    }

    /// One of `n` alternatives of an unknown categorical input (e.g. sex).
    pub fn one_of(&mut self, name: &'static str, n: u8) -> u8 {
        self.note_dependent();
        if let Some(b) = self.find_bool(name) {
            return u8::from(b);
        }
        let c = self.choose(name, n);
        if n == 2 {
            self.bools.push((name, c == 1));
        }
        c
    }

    /// Compares a numeric input with `t`. `init` is the interval the input denotes
    /// (a point when known); later comparisons on the same run see it narrowed.
    ///
    /// A known input (a closed point) is answered from the value alone: every caller
    /// passes one `init` per name and person, and a point is never narrowed, so the
    /// run's record of it would only ever hold `init` itself (no look-up, no entry).
    #[inline]
    pub fn cmp(&mut self, name: &'static str, init: Interval, op: Op, t: f64) -> bool {
        if init.lo == init.hi && !init.lo_open && !init.hi_open {
            return op.apply(init.lo, t);
        }
        self.cmp_interval(name, init, op, t)
    }

    /// [`cmp`](Self::cmp) of an input that is not a known point: looked up, narrowed,
    /// branched on.
    #[inline(never)]
    fn cmp_interval(&mut self, name: &'static str, init: Interval, op: Op, t: f64) -> bool {
        let idx = match self.nums.iter().position(|(n, _)| same(n, name)) {
            Some(i) => {
                if self.nums[i].1 != init {
                    self.note_dependent();
                }
                i
            }
            None => {
                self.nums.push((name, init));
                self.nums.len() - 1
            }
        };
        let iv = self.nums[idx].1;
        let o = match op {
            Op::Ge => iv.ge(t),
            Op::Gt => iv.gt(t),
            Op::Lt => iv.lt(t),
            Op::Le => iv.le(t),
        };
        match o {
            Outcome::Fired => true,
            Outcome::NotFired => false,
            Outcome::Indeterminate => {
                self.note_dependent();
                // Pieces: for ≥/< the split is [.., t) | [t, ..]; for >/≤ it is [.., t] | (t, ..].
                let upper = self.choose(name, 2) == 1;
                let mut n = iv;
                let split_closed_upper = matches!(op, Op::Ge | Op::Lt);
                if upper {
                    n.lo = t;
                    n.lo_open = !split_closed_upper;
                } else {
                    n.hi = t;
                    n.hi_open = split_closed_upper;
                }
                self.nums[idx].1 = n;
                match op {
                    Op::Ge | Op::Gt => upper,
                    Op::Lt | Op::Le => !upper,
                }
            }
        }
    }

    /// `v ≥ t`.
    pub fn ge(&mut self, name: &'static str, init: Interval, t: f64) -> bool {
        self.cmp(name, init, Op::Ge, t)
    }

    /// The current interval of a numeric input on this run (its `init` if not yet asked).
    pub fn interval(&self, name: &'static str, init: Interval) -> Interval {
        let i = self
            .nums
            .iter()
            .find(|(n, _)| same(n, name))
            .map_or(init, |(_, i)| *i);
        if i != init {
            self.note_dependent();
        }
        i
    }
}

/// Result of [`enumerate`].
#[derive(Clone, Debug, PartialEq)]
pub enum Enumerated<R> {
    /// Every run gave the same key. `values` are the distinct results (same key,
    /// possibly different reasons), `assumed_absent` the COND-10 fields assumed No.
    Determined {
        /// The distinct results, in the order first seen.
        values: Vec<R>,
        /// Guideline-only flags read as No because they were empty (COND-10).
        assumed_absent: Vec<&'static str>,
    },
    /// Two runs disagreed: the result depends on these unknown or censored inputs.
    Indeterminate {
        /// Inputs branched on before the disagreement was found.
        missing: Vec<&'static str>,
    },
}

impl<R> Enumerated<R> {
    /// The first determined value.
    pub fn first(&self) -> Option<&R> {
        match self {
            Enumerated::Determined { values, .. } => values.first(),
            Enumerated::Indeterminate { .. } => None,
        }
    }
    /// Missing inputs (empty when determined).
    pub fn missing(&self) -> &[&'static str] {
        match self {
            Enumerated::Determined { .. } => &[],
            Enumerated::Indeterminate { missing } => missing,
        }
    }
    /// COND-10 fields assumed absent (empty when indeterminate).
    pub fn assumed_absent(&self) -> &[&'static str] {
        match self {
            Enumerated::Determined { assumed_absent, .. } => assumed_absent,
            Enumerated::Indeterminate { .. } => &[],
        }
    }
}

impl Enumerated<bool> {
    /// As a rule outcome.
    pub fn outcome(&self) -> Outcome {
        match self.first() {
            Some(true) => Outcome::Fired,
            Some(false) => Outcome::NotFired,
            None => Outcome::Indeterminate,
        }
    }
}

/// How an enumeration ended: every run agreed (with the COND-10 flags assumed
/// absent), or two runs disagreed (with the inputs branched on until then).
enum Driven {
    Agreed(Vec<&'static str>),
    Disagreed(Vec<&'static str>),
}

/// An oracle held for a series of enumerations: taken from the pool once and given
/// back when dropped, instead of once per enumeration (the plan of one record runs a
/// dozen; in a shared library every pool access is a thread-local look-up). Each
/// enumeration starts as on a fresh oracle (no choices, nothing collected), so a
/// series on one `Enumerations` gives exactly the results of the free functions
/// ([`enumerate`], [`decide`]), which use one each.
pub(crate) struct Enumerations {
    /// Always `Some` until dropped.
    q: Option<Box<Oracle>>,
}

impl Enumerations {
    /// An oracle from the pool (or a new one).
    pub(crate) fn new() -> Self {
        Enumerations {
            q: Some(Oracle::take()),
        }
    }

    /// The oracle.
    fn oracle(&mut self) -> &mut Oracle {
        let Some(q) = self.q.as_deref_mut() else {
            unreachable!("an Enumerations holds its oracle until dropped")
        };
        q
    }

    /// Starts an enumeration: forgets the previous one and makes the first run.
    fn first_run<R>(&mut self, f: &mut impl FnMut(&mut Oracle) -> R, with_assumed: bool) -> R {
        let q = self.oracle();
        q.prefix.clear();
        q.all_branched.clear();
        q.all_assumed.clear();
        q.collect_assumed = with_assumed;
        q.reset();
        f(q)
    }

    /// Whether the last run made no choice: a first run that made none is the whole
    /// enumeration (the loop of [`drive_with`] stops after it with nothing branched
    /// on and nothing to disagree with).
    fn single(&self) -> bool {
        self.q.as_deref().is_some_and(|q| q.trail.is_empty())
    }

    /// The enumeration loop shared by [`enumerate`] and [`decide`]: runs `f` on every
    /// path, hands each result to `keep`, and returns the assumed-absent flags when
    /// `key` agreed on every run, or the inputs branched on at the first disagreement.
    ///
    /// `with_assumed`: whether the caller wants the assumed-absent flags (copying them
    /// allocates, and most records leave a few guideline-only flags empty); when false,
    /// `Agreed` carries an empty list.
    fn drive<R, K: PartialEq>(
        &mut self,
        mut f: impl FnMut(&mut Oracle) -> R,
        key: impl Fn(&R) -> K,
        keep: impl FnMut(R),
        with_assumed: bool,
    ) -> Driven {
        let r = self.first_run(&mut f, with_assumed);
        self.drive_from(r, f, key, keep, with_assumed)
    }

    /// [`drive`](Self::drive) after [`first_run`](Self::first_run) gave `r`.
    fn drive_from<R, K: PartialEq>(
        &mut self,
        r: R,
        mut f: impl FnMut(&mut Oracle) -> R,
        key: impl Fn(&R) -> K,
        mut keep: impl FnMut(R),
        with_assumed: bool,
    ) -> Driven {
        let q = self.oracle();
        let agreed = drive_with(q, r, &mut f, key, &mut keep, with_assumed);
        // Copies of the names (no allocation when there are none).
        if agreed {
            Driven::Agreed(if with_assumed {
                q.all_assumed.clone()
            } else {
                Vec::new()
            })
        } else {
            Driven::Disagreed(q.all_branched.clone())
        }
    }

    /// `f`'s answer when it is a constant of the person, else `None`: a run on a
    /// fresh oracle that made no choice read only known inputs (or intervals that
    /// decided every comparison), so `f` answers the same on every run of every
    /// enumeration over the same person (each input is read with one initial
    /// interval, see [`Oracle::cmp`], and narrowing an interval never changes a
    /// decided comparison).
    ///
    /// A caller may read the answer in place of running `f` in its enumerations when
    /// they collect no assumed-absent flags (`f`'s are not replayed), outside
    /// `lipid::procedure` (whose memo watches the oracle's state).
    pub(crate) fn constant(&mut self, f: impl FnOnce(&mut Oracle) -> bool) -> Option<bool> {
        let q = self.oracle();
        q.prefix.clear();
        q.reset();
        // The answer is read by callers that collect no assumed-absent flags.
        q.collect_assumed = false;
        let b = f(q);
        q.trail.is_empty().then_some(b)
    }

    /// As [`enumerate`], keeping only the first run's result (what
    /// [`Enumerated::first`] returns) and no assumed-absent flags: `Ok(first)` when
    /// `key` agreed on every run, `Err(missing)` otherwise.
    pub(crate) fn first<R, K: PartialEq>(
        &mut self,
        mut f: impl FnMut(&mut Oracle) -> R,
        key: impl Fn(&R) -> K,
    ) -> Result<R, Vec<&'static str>> {
        let r = self.first_run(&mut f, false);
        // Most questions read known inputs only: one run.
        if self.single() {
            return Ok(r);
        }
        let mut first: Option<R> = None;
        let keep = |r| {
            if first.is_none() {
                first = Some(r);
            }
        };
        match self.drive_from(r, f, key, keep, false) {
            // Every agreed enumeration has run at least once.
            Driven::Agreed(_) => first.ok_or_else(Vec::new),
            Driven::Disagreed(missing) => Err(missing),
        }
    }

    /// As [`enumerate`] without the list of distinct results: every run's result goes
    /// to `keep` (in run order) and the outcome is `Ok(assumed_absent)` when `key`
    /// agreed on every run, `Err(missing)` otherwise. For callers that need only the
    /// first result or a fold of them, this builds no `Vec` of results.
    pub(crate) fn each<R, K: PartialEq>(
        &mut self,
        f: impl FnMut(&mut Oracle) -> R,
        key: impl Fn(&R) -> K,
        keep: impl FnMut(R),
    ) -> Result<Vec<&'static str>, Vec<&'static str>> {
        match self.drive(f, key, keep, true) {
            Driven::Agreed(assumed_absent) => Ok(assumed_absent),
            Driven::Disagreed(missing) => Err(missing),
        }
    }

    /// [`decide`] on this oracle.
    pub(crate) fn decide(
        &mut self,
        f: impl FnMut(&mut Oracle) -> bool,
    ) -> (Outcome, Vec<&'static str>, Vec<&'static str>) {
        self.decide_with(f, true)
    }

    /// As [`decide`] without the assumed-absent flags, for callers that drop them:
    /// the outcome and the missing inputs.
    pub(crate) fn decide_missing(
        &mut self,
        f: impl FnMut(&mut Oracle) -> bool,
    ) -> (Outcome, Vec<&'static str>) {
        let (o, missing, _) = self.decide_with(f, false);
        (o, missing)
    }

    fn decide_with(
        &mut self,
        mut f: impl FnMut(&mut Oracle) -> bool,
        with_assumed: bool,
    ) -> (Outcome, Vec<&'static str>, Vec<&'static str>) {
        let outcome = |b| {
            if b {
                Outcome::Fired
            } else {
                Outcome::NotFired
            }
        };
        let b = self.first_run(&mut f, with_assumed);
        // Most questions read known inputs only: one run (its assumed-absent flags are
        // collected by the loop when wanted).
        if !with_assumed && self.single() {
            return (outcome(b), Vec::new(), Vec::new());
        }
        let mut first: Option<bool> = None;
        match self.drive_from(
            b,
            f,
            |b| *b,
            |b| {
                first.get_or_insert(b);
            },
            with_assumed,
        ) {
            Driven::Agreed(assumed) => (outcome(first == Some(true)), Vec::new(), assumed),
            Driven::Disagreed(branched) => (Outcome::Indeterminate, branched, Vec::new()),
        }
    }
}

impl Drop for Enumerations {
    fn drop(&mut self) {
        if let Some(q) = self.q.take() {
            q.give();
        }
    }
}

/// [`Enumerations::drive`] on an oracle of its own.
fn drive<R, K: PartialEq>(
    f: impl FnMut(&mut Oracle) -> R,
    key: impl Fn(&R) -> K,
    keep: impl FnMut(R),
    with_assumed: bool,
) -> Driven {
    Enumerations::new().drive(f, key, keep, with_assumed)
}

/// The runs of one enumeration on `q`, the first of which gave `first` (at most
/// [`MAX_RUNS`] in all); true when `key` agreed on every run. The inputs branched on
/// and (when `with_assumed`) the flags assumed absent, each once in first-seen order,
/// are collected in `q`.
fn drive_with<R, K: PartialEq>(
    q: &mut Oracle,
    first: R,
    f: &mut impl FnMut(&mut Oracle) -> R,
    key: impl Fn(&R) -> K,
    keep: &mut impl FnMut(R),
    with_assumed: bool,
) -> bool {
    let mut first_key: Option<K> = None;
    let mut r = first;
    let mut runs = 1;
    loop {
        if with_assumed {
            for i in 0..q.assume_log.len() {
                push_new(&mut q.all_assumed, q.assume_log[i]);
            }
        }
        let k = key(&r);
        match &first_key {
            None => first_key = Some(k),
            Some(k0) if *k0 != k => return false,
            Some(_) => {}
        }
        keep(r);
        // Next run: advance the last choice that has an alternative left.
        match q.trail.iter().rposition(|&(c, n)| c + 1 < n) {
            None => return true,
            Some(i) => {
                q.prefix.clear();
                let next = q.trail[i].0 + 1;
                q.prefix.extend(q.trail[..i].iter().map(|&(c, _)| c));
                q.prefix.push(next);
            }
        }
        if runs == MAX_RUNS {
            return false;
        }
        q.reset();
        r = f(q);
        runs += 1;
    }
}

/// Runs `f` over every combination of values its unknown inputs could take (TV-2)
/// and returns the result when `key` agrees on all runs; stops at the first
/// disagreement.
pub fn enumerate<R: PartialEq, K: PartialEq>(
    f: impl FnMut(&mut Oracle) -> R,
    key: impl Fn(&R) -> K,
) -> Enumerated<R> {
    let mut values: Vec<R> = Vec::new();
    let keep = |r: R| {
        if !values.contains(&r) {
            values.push(r);
        }
    };
    match drive(f, key, keep, true) {
        Driven::Agreed(assumed_absent) => Enumerated::Determined {
            values,
            assumed_absent,
        },
        Driven::Disagreed(missing) => Enumerated::Indeterminate { missing },
    }
}

/// Shorthand: a boolean procedure as a rule outcome with its missing inputs and
/// assumed-absent flags.
pub fn decide(
    f: impl FnMut(&mut Oracle) -> bool,
) -> (Outcome, Vec<&'static str>, Vec<&'static str>) {
    Enumerations::new().decide(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_inputs_never_branch() {
        let e = enumerate(|q| q.ge("x", Interval::point(5.0), 5.0), |b| *b);
        assert_eq!(e.outcome(), Outcome::Fired);
        let e = enumerate(|q| q.ge("x", Interval::point(4.999), 5.0), |b| *b);
        assert_eq!(e.outcome(), Outcome::NotFired);
    }

    #[test]
    fn known_point_shortcut_matches_the_interval_path() {
        let vals = [
            -1.0,
            0.0,
            4.9,
            5.0,
            5.000_000_000_000_001,
            140.0,
            f64::INFINITY,
        ];
        for v in vals {
            for t in vals {
                for op in [Op::Ge, Op::Gt, Op::Lt, Op::Le] {
                    let mut a = Oracle::default();
                    let mut b = Oracle::default();
                    let iv = Interval::point(v);
                    // Twice: the second call sees the first one's record on the slow path.
                    let x = (a.cmp("x", iv, op, t), a.cmp("x", iv, op, t));
                    let y = (
                        b.cmp_interval("x", iv, op, t),
                        b.cmp_interval("x", iv, op, t),
                    );
                    assert_eq!(x, y, "{v} {op:?} {t}");
                    assert_eq!((a.dependent(), b.dependent()), (0, 0));
                    assert!(a.trail.is_empty() && b.trail.is_empty());
                    assert_eq!(a.interval("x", iv), b.interval("x", iv));
                }
            }
        }
    }

    #[test]
    fn same_input_is_consistent_within_a_run() {
        // x ≥ 5 and x < 5 can never both hold, whatever x is.
        let e = enumerate(
            |q| {
                let a = q.ge("x", Interval::all(), 5.0);
                let b = q.cmp("x", Interval::all(), Op::Lt, 5.0);
                a && b
            },
            |b| *b,
        );
        assert_eq!(e.outcome(), Outcome::NotFired);
        // x > 3 or x ≤ 3 always holds.
        let e = enumerate(
            |q| {
                q.cmp("x", Interval::all(), Op::Gt, 3.0) || q.cmp("x", Interval::all(), Op::Le, 3.0)
            },
            |b| *b,
        );
        assert_eq!(e.outcome(), Outcome::Fired);
    }

    #[test]
    fn unknown_flag_only_matters_when_it_matters() {
        let e = enumerate(|q| q.flag("a", Some(true)) || q.flag("b", None), |b| *b);
        assert_eq!(e.outcome(), Outcome::Fired);
        let e = enumerate(|q| q.flag("a", Some(false)) || q.flag("b", None), |b| *b);
        assert_eq!(e, Enumerated::Indeterminate { missing: vec!["b"] });
        let (o, _, assumed) = decide(|q| q.assumed_flag("c", None));
        assert_eq!((o, assumed), (Outcome::NotFired, vec!["c"]));
    }

    #[test]
    fn constants_are_the_enumerated_answers() {
        let mut e = Enumerations::new();
        let known = |q: &mut Oracle| {
            q.ge("x", Interval::point(5.0), 4.0) || q.flag("b", None) || q.flag("c", Some(true))
        };
        assert_eq!(e.constant(known), Some(true));
        assert_eq!(e.decide_missing(known), (Outcome::Fired, vec![]));
        // Decided without a choice on a censored input: constant too.
        let below = Interval {
            lo: f64::NEG_INFINITY,
            hi: 15.0,
            lo_open: false,
            hi_open: true,
        };
        assert_eq!(e.constant(|q| q.cmp("h", below, Op::Lt, 30.0)), Some(true));
        // Branched: not a constant, even when every run agrees.
        let agreed = |q: &mut Oracle| q.flag("b", None) || q.flag("c", Some(true));
        assert_eq!(e.constant(agreed), None);
        assert_eq!(e.decide_missing(agreed), (Outcome::Fired, vec![]));
        assert_eq!(e.constant(|q| q.ge("x", Interval::all(), 5.0)), None);
    }

    /// The single-run answers of `decide_missing` and `first` are the enumeration's
    /// (`decide` and `enumerate`, which collect the assumed-absent flags, run the
    /// loop): known, censored and unknown inputs, flags of each value, on one oracle
    /// in a series.
    #[test]
    fn decide_missing_is_decide() {
        let below = Interval {
            lo: f64::NEG_INFINITY,
            hi: 15.0,
            lo_open: false,
            hi_open: true,
        };
        let xs = [
            Interval::point(3.0),
            Interval::point(7.0),
            below,
            Interval::all(),
        ];
        let flags = [Some(true), Some(false), None];
        let mut e = Enumerations::new();
        let mut seen = [0; 3];
        for x in xs {
            for a in flags {
                for b in flags {
                    for t in [5.0, 20.0] {
                        let fs: [&dyn Fn(&mut Oracle) -> bool; 4] = [
                            &|q| q.ge("x", x, t) || q.flag("a", a),
                            &|q| q.flag("a", a) && q.cmp("x", x, Op::Lt, t),
                            &|q| (q.flag("a", a) || q.flag("b", b)) && !q.ge("x", x, t),
                            &|q| q.assumed_flag("c", b) || q.flag("a", a) == q.ge("x", x, t),
                        ];
                        for f in fs {
                            let (o, missing, _) = decide(f);
                            assert_eq!(e.decide_missing(f), (o, missing), "{x:?} {a:?} {b:?} {t}");
                            // A result with more values than its key.
                            let g = |q: &mut Oracle| (f(q), q.flag("b", b));
                            let full = match enumerate(g, |r| r.0) {
                                Enumerated::Determined { values, .. } => Ok(values[0]),
                                Enumerated::Indeterminate { missing } => Err(missing),
                            };
                            assert_eq!(e.first(g, |r| r.0), full, "{x:?} {a:?} {b:?} {t}");
                            seen[match o {
                                Outcome::Fired => 0,
                                Outcome::NotFired => 1,
                                Outcome::Indeterminate => 2,
                            }] += 1;
                        }
                    }
                }
            }
        }
        assert!(seen.iter().all(|n| *n > 10), "{seen:?}");
    }

    #[test]
    fn censored_interval_edges() {
        // "< 15" is decided for "< 30" but not for "< 10".
        let below = Interval {
            lo: f64::NEG_INFINITY,
            hi: 15.0,
            lo_open: false,
            hi_open: true,
        };
        assert_eq!(
            decide(|q| q.cmp("h", below, Op::Lt, 15.0)).0,
            Outcome::Fired
        );
        assert_eq!(
            decide(|q| q.cmp("h", below, Op::Lt, 10.0)).0,
            Outcome::Indeterminate
        );
    }
}
