//! Runtime CPU dispatch for the batch risk equations of [`cvdscreen`].
//!
//! The core crate is built for the baseline of its target (SSE2 on x86-64: two `f64`
//! lanes) and has no `unsafe`, so it cannot pick wider instructions at run time itself.
//! This crate takes the core's own batch functions — China-PAR, PCE, Framingham and
//! WHO 2019 (laboratory and non-laboratory), [`cvdscreen::models::batch`] — and compiles
//! them three times: for the baseline, for x86-64-v3 (AVX2, four lanes) and for
//! x86-64-v4 (AVX-512, eight lanes); each call runs
//! the widest version the CPU supports. The core marks every function on those paths
//! `#[inline(always)]`, so each copy is the whole loop in that instruction set.
//!
//! **Same numbers, bit for bit.** The kernels are IEEE-754 `+ − × ÷` and exact bit
//! operations ([`cvdscreen::models::math`]); Rust never fuses a multiply and an add on its
//! own, so the wider registers change how many rows run at once, not any result. The
//! tests compare every level available on the test machine with the core, value for value
//! and status for status.
//!
//! Detection and the `#[target_feature]` trampolines come from the
//! [`pulp`](https://docs.rs/pulp) crate behind a safe API; this crate has no `unsafe`
//! (`unsafe_code = "forbid"`). On targets other than x86-64 every call runs the core's
//! function as it is.
//!
//! ```
//! use cvdscreen::models::batch::{BatchSummary, FraminghamColumns};
//! use cvdscreen::profile::RangePolicy;
//! use cvdscreen::units::ConcUnit;
//! let cols = FraminghamColumns {
//!     sex: &[0], age: &[61.0], tc: &[180.0], tc_unit: ConcUnit::MgDl,
//!     hdl: &[47.0], hdl_unit: ConcUnit::MgDl, sbp: &[124.0],
//!     bp_treated: &[0], current_smoker: &[1], diabetes: &[0],
//! };
//! let (mut out, mut st) = ([0.0; 1], [0u8; 1]);
//! let s = cvdscreen_simd::framingham(&cols, RangePolicy::Strict, &mut out, &mut st).unwrap();
//! assert_eq!(s, BatchSummary { ok: 1, flagged: 0, failed: 0 });
//! assert!((out[0] - 10.4842).abs() < 5e-5);
//! println!("ran with {}", cvdscreen_simd::Level::detect());
//! ```

use cvdscreen::models::batch::{
    self, BatchSummary, ChinaParColumns, FraminghamColumns, PceColumns, WhoLabColumns,
    WhoNonLabColumns,
};
use cvdscreen::models::who2019::Calibration;
use cvdscreen::models::ModelError;
use cvdscreen::profile::RangePolicy;
use std::fmt;

/// An instruction-set level, narrowest first.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64): the core's functions as compiled.
    Baseline,
    /// x86-64-v3: AVX2 and FMA (Intel Haswell, AMD Excavator and later).
    Avx2,
    /// x86-64-v4: AVX-512 F/BW/CD/DQ/VL (Intel Skylake-SP, AMD Zen 4 and later).
    Avx512,
}

impl Level {
    /// The widest level this CPU supports.
    pub fn detect() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            if pulp::x86::V4::try_new().is_some() {
                return Level::Avx512;
            }
            if pulp::x86::V3::try_new().is_some() {
                return Level::Avx2;
            }
        }
        Level::Baseline
    }

    /// Every level this CPU supports, narrowest first.
    pub fn available() -> Vec<Level> {
        [Level::Baseline, Level::Avx2, Level::Avx512]
            .into_iter()
            .filter(|l| *l <= Level::detect())
            .collect()
    }

    /// Runs `op` compiled for this level, or for the widest level below it that the CPU
    /// supports.
    fn run<Op: Batch>(self, op: Op) -> Op::Output {
        #[cfg(target_arch = "x86_64")]
        {
            if self >= Level::Avx512 {
                if let Some(simd) = pulp::x86::V4::try_new() {
                    return simd.vectorize(Simd(op));
                }
            }
            if self >= Level::Avx2 {
                if let Some(simd) = pulp::x86::V3::try_new() {
                    return simd.vectorize(Simd(op));
                }
            }
        }
        op.call()
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Baseline => "baseline (SSE2 on x86-64)",
            Level::Avx2 => "x86-64-v3 (AVX2)",
            Level::Avx512 => "x86-64-v4 (AVX-512)",
        })
    }
}

/// One batch call, run by [`Level::run`].
trait Batch {
    type Output;
    /// The call itself: `#[inline(always)]` in every implementation, so that it is
    /// compiled into the caller's instruction set.
    fn call(self) -> Self::Output;
}

/// A [`Batch`] as pulp's unit of work.
#[cfg(target_arch = "x86_64")]
struct Simd<Op>(Op);

#[cfg(target_arch = "x86_64")]
impl<Op: Batch> pulp::NullaryFnOnce for Simd<Op> {
    type Output = Op::Output;
    #[inline(always)]
    fn call(self) -> Self::Output {
        self.0.call()
    }
}

/// Defines a dispatched batch function (at the detected level) and its `*_at` variant
/// (at a chosen level) with the core function's signature: the columns, any extra
/// arguments (`name: Type`, passed through as they are, e.g. WHO 2019's calibration),
/// then the policy and the output slices.
macro_rules! dispatched {
    ($(#[$doc:meta])* $name:ident, $at:ident, $columns:ident, $op:ident $(, $arg:ident: $ty:ty)*) => {
        struct $op<'c, 'a, 'o> {
            c: &'c $columns<'a>,
            $($arg: $ty,)*
            policy: RangePolicy,
            out: &'o mut [f64],
            status: &'o mut [u8],
        }

        impl Batch for $op<'_, '_, '_> {
            type Output = Result<BatchSummary, ModelError>;
            #[inline(always)]
            fn call(self) -> Self::Output {
                batch::$name(self.c, $(self.$arg,)* self.policy, self.out, self.status)
            }
        }

        $(#[$doc])*
        pub fn $name(
            c: &$columns<'_>,
            $($arg: $ty,)*
            policy: RangePolicy,
            out: &mut [f64],
            status: &mut [u8],
        ) -> Result<BatchSummary, ModelError> {
            $at(Level::detect(), c, $($arg,)* policy, out, status)
        }

        #[doc = concat!("[`", stringify!($name), "`] at `level` (or the widest level below it that \
            the CPU supports): for benchmarks and for comparing levels.")]
        pub fn $at(
            level: Level,
            c: &$columns<'_>,
            $($arg: $ty,)*
            policy: RangePolicy,
            out: &mut [f64],
            status: &mut [u8],
        ) -> Result<BatchSummary, ModelError> {
            level.run($op { c, $($arg,)* policy, out, status })
        }
    };
}

dispatched!(
    /// [`batch::china_par_10y`] at the widest level this CPU supports: the same values,
    /// statuses, summary and errors.
    china_par_10y,
    china_par_10y_at,
    ChinaParColumns,
    ChinaParOp
);
dispatched!(
    /// [`batch::pce`] at the widest level this CPU supports: the same values, statuses,
    /// summary and errors.
    pce,
    pce_at,
    PceColumns,
    PceOp
);
dispatched!(
    /// [`batch::framingham`] at the widest level this CPU supports: the same values,
    /// statuses, summary and errors.
    framingham,
    framingham_at,
    FraminghamColumns,
    FraminghamOp
);
dispatched!(
    /// [`batch::who2019_lab`] at the widest level this CPU supports: the same values,
    /// statuses, summary and errors.
    who2019_lab,
    who2019_lab_at,
    WhoLabColumns,
    WhoLabOp,
    cal: Calibration
);
dispatched!(
    /// [`batch::who2019_nonlab`] at the widest level this CPU supports: the same values,
    /// statuses, summary and errors.
    who2019_nonlab,
    who2019_nonlab_at,
    WhoNonLabColumns,
    WhoNonLabOp,
    cal: Calibration
);

#[cfg(test)]
mod tests {
    use super::*;
    use cvdscreen::models::batch::MISSING;
    use cvdscreen::units::ConcUnit;

    /// xorshift64*.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        /// Mostly 0/1, one in `bad` missing or invalid.
        fn codes(&mut self, n: usize, bad: u64) -> Vec<u8> {
            (0..n)
                .map(|_| match self.next() % bad {
                    0 => [2, 7, MISSING][(self.next() % 3) as usize],
                    _ => (self.next() & 1) as u8,
                })
                .collect()
        }
        /// Mostly inside `lo..hi`; three in `bad` on or past a bound, implausible or not
        /// finite.
        fn values(&mut self, n: usize, lo: f64, hi: f64, bad: u64) -> Vec<f64> {
            (0..n)
                .map(|_| {
                    let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
                    match self.next() % bad {
                        0 => [f64::NAN, f64::INFINITY, -1.0, 0.0][(self.next() % 4) as usize],
                        1 => [lo, hi, lo * 0.999_999, hi * 1.000_001][(self.next() % 4) as usize],
                        2 => hi + u * hi,
                        _ => lo + (hi - lo) * u,
                    }
                })
                .collect()
        }
    }

    /// Every level this machine has against the core: values bit for bit, statuses,
    /// summaries, over rows that pass, are flagged or fail in every way, for both
    /// policies and both units, with a length that is not a multiple of the chunk.
    #[test]
    fn every_level_equals_the_core() {
        const N: usize = 5000 + 77;
        let levels = Level::available();
        assert_eq!(levels[0], Level::Baseline);
        assert_eq!(*levels.last().unwrap(), Level::detect());
        eprintln!("levels on this machine: {levels:?}");
        let mut r = Rng(0xC0DE_5EED);
        // Rounds 4–7 with rare errors: most chunks pass the common-row check whole, the
        // others take the status pass after it (the core's two chunk layouts).
        for round in 0..8 {
            let policy = [RangePolicy::Strict, RangePolicy::Flag][round % 2];
            let unit = [ConcUnit::MgDl, ConcUnit::MmolL][round / 2 % 2];
            let (bad, bad_code) = if round < 4 {
                (24, 20)
            } else {
                (12_000, 12_000)
            };
            let (tc, hdl) = match unit {
                ConcUnit::MgDl => (r.values(N, 80.0, 400.0, bad), r.values(N, 20.0, 130.0, bad)),
                ConcUnit::MmolL => (r.values(N, 2.0, 11.0, bad), r.values(N, 0.5, 4.0, bad)),
            };
            let (age, sbp, waist) = (
                r.values(N, 20.0, 85.0, bad),
                r.values(N, 70.0, 200.0, bad),
                r.values(N, 50.0, 130.0, bad),
            );
            let b: Vec<Vec<u8>> = (0..7).map(|_| r.codes(N, bad_code)).collect();
            let race: Vec<u8> = (0..N).map(|_| (r.next() % 4) as u8).collect();
            let cp = ChinaParColumns {
                sex: &b[0],
                age: &age,
                sbp: &sbp,
                bp_treated: &b[1],
                tc: &tc,
                tc_unit: unit,
                hdl: &hdl,
                hdl_unit: unit,
                waist_cm: &waist,
                current_smoker: &b[2],
                diabetes: &b[3],
                north: &b[4],
                urban: &b[5],
                family_history_ascvd: &b[6],
            };
            let pc = PceColumns {
                race: &race,
                sex: &b[0],
                age: &age,
                tc: &tc,
                tc_unit: unit,
                hdl: &hdl,
                hdl_unit: unit,
                sbp: &sbp,
                bp_treated: &b[1],
                current_smoker: &b[2],
                diabetes: &b[3],
            };
            let fr = FraminghamColumns {
                sex: &b[0],
                age: &age,
                tc: &tc,
                tc_unit: unit,
                hdl: &hdl,
                hdl_unit: unit,
                sbp: &sbp,
                bp_treated: &b[1],
                current_smoker: &b[2],
                diabetes: &b[3],
            };
            type Run<'a> = Box<dyn Fn(Option<Level>, &mut [f64], &mut [u8]) -> BatchSummary + 'a>;
            let bmi = r.values(N, 15.0, 45.0, bad);
            let wl = WhoLabColumns {
                sex: &b[0],
                age: &age,
                sbp: &sbp,
                tc: &tc,
                tc_unit: unit,
                diabetes: &b[3],
                current_smoker: &b[2],
            };
            let wn = WhoNonLabColumns {
                sex: &b[0],
                age: &age,
                sbp: &sbp,
                bmi: &bmi,
                current_smoker: &b[2],
            };
            let cal = [
                Calibration::default(),
                Calibration::Region2017(cvdscreen::models::who2019::Region::SouthAsia),
                Calibration::ChinaCountry2017,
            ][round % 3];
            let runs: [(&str, Run); 5] = [
                (
                    "china_par",
                    Box::new(|l, o, s| {
                        match l {
                            None => batch::china_par_10y(&cp, policy, o, s),
                            Some(l) => china_par_10y_at(l, &cp, policy, o, s),
                        }
                        .unwrap()
                    }),
                ),
                (
                    "pce",
                    Box::new(|l, o, s| {
                        match l {
                            None => batch::pce(&pc, policy, o, s),
                            Some(l) => pce_at(l, &pc, policy, o, s),
                        }
                        .unwrap()
                    }),
                ),
                (
                    "framingham",
                    Box::new(|l, o, s| {
                        match l {
                            None => batch::framingham(&fr, policy, o, s),
                            Some(l) => framingham_at(l, &fr, policy, o, s),
                        }
                        .unwrap()
                    }),
                ),
                (
                    "who2019_lab",
                    Box::new(|l, o, s| {
                        match l {
                            None => batch::who2019_lab(&wl, cal, policy, o, s),
                            Some(l) => who2019_lab_at(l, &wl, cal, policy, o, s),
                        }
                        .unwrap()
                    }),
                ),
                (
                    "who2019_nonlab",
                    Box::new(|l, o, s| {
                        match l {
                            None => batch::who2019_nonlab(&wn, cal, policy, o, s),
                            Some(l) => who2019_nonlab_at(l, &wn, cal, policy, o, s),
                        }
                        .unwrap()
                    }),
                ),
            ];
            for (name, run) in &runs {
                let (mut out0, mut st0) = (vec![0.0; N], vec![0u8; N]);
                let s0 = run(None, &mut out0, &mut st0);
                assert!(
                    s0.ok + s0.flagged > N / 10 && (s0.failed > 0 || round >= 4),
                    "{name}: {s0:?}"
                );
                for &level in &levels {
                    let (mut out, mut st) = (vec![1.0; N], vec![9u8; N]);
                    assert_eq!(run(Some(level), &mut out, &mut st), s0, "{name} {level}");
                    for i in 0..N {
                        assert_eq!(st[i], st0[i], "{name} {level} row {i}");
                        assert_eq!(
                            out[i].to_bits(),
                            out0[i].to_bits(),
                            "{name} {level} row {i}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn errors_pass_through() {
        let cols = FraminghamColumns {
            sex: &[0, 1],
            age: &[61.0, 50.0],
            tc: &[180.0],
            tc_unit: ConcUnit::MgDl,
            hdl: &[47.0, 50.0],
            hdl_unit: ConcUnit::MgDl,
            sbp: &[124.0, 120.0],
            bp_treated: &[0, 0],
            current_smoker: &[1, 0],
            diabetes: &[0, 0],
        };
        let (mut out, mut st) = ([0.0; 2], [0u8; 2]);
        let e = framingham(&cols, RangePolicy::Strict, &mut out, &mut st).unwrap_err();
        assert!(
            matches!(e, ModelError::LengthMismatch { field: "tc", .. }),
            "{e}"
        );
    }

    #[test]
    fn levels_are_ordered_and_named() {
        assert!(Level::Baseline < Level::Avx2 && Level::Avx2 < Level::Avx512);
        assert_eq!(Level::Avx512.to_string(), "x86-64-v4 (AVX-512)");
        // Asking for more than the CPU has runs the widest level it has.
        assert!(Level::available().contains(&Level::detect()));
    }
}
