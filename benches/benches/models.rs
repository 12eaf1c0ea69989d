//! Scalar loop vs columnar batch over 1M synthetic in-range records per model.
//! Criterion reports time and throughput (records/s); a final plain timing pass prints
//! records/s and the batch/scalar ratio for each model.
//!
//! A second data set, "mixed validity", is the same records with about 30 % of the ages
//! NaN and 1 % outside every model's age range (deterministic), the share of rows that
//! fail in real screening data: it measures the rows the batch path does not compute.
//! With `MODELS_CP_NPY=DIR` (a directory of `.npy` files, `sex.npy`, `age.npy`, … as
//! numpy's `np.savez` writes them, little-endian `<f8` / `|u1`, unzipped), the summary
//! also times China-PAR on those columns under `RangePolicy::Flag`. `MODELS_SETS=in,mixed`
//! keeps the data sets whose name starts with one of the words ("in range", "mixed
//! validity", "MODELS_CP_NPY").
//!
//! The scalar loops index several input columns by row number on purpose: they stand
//! for a caller making one scalar call per record.
#![allow(clippy::needless_range_loop)]

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use cvdscreen::models::batch::{
    self, ChinaParColumns, FraminghamColumns, PceColumns, PreventColumns, WhoLabColumns,
};
use cvdscreen::models::china_par::{china_par_10y, ChinaParInput};
use cvdscreen::models::framingham2008::{framingham, FraminghamInput};
use cvdscreen::models::pce2013::{pce, PceInput};
use cvdscreen::models::prevent2023::{prevent, Horizon, Outcome, PreventInput};
use cvdscreen::models::who2019::{who2019_lab, Calibration, WhoLabInput};
use cvdscreen::profile::RangePolicy;
use cvdscreen::record::{Race, Sex};
use cvdscreen::units::{Conc, ConcUnit};
use std::hint::black_box;
use std::time::Instant;

const N: usize = 1_000_000;

/// Deterministic xorshift64* generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
    fn bit(&mut self) -> u8 {
        u8::from(self.next() < 0.5)
    }
}

struct Data {
    sex: Vec<u8>,
    race: Vec<u8>,
    age: Vec<f64>,
    sbp: Vec<f64>,
    tc_mg: Vec<f64>,
    hdl_mg: Vec<f64>,
    tc_mmol: Vec<f64>,
    waist: Vec<f64>,
    egfr: Vec<f64>,
    bmi: Vec<f64>,
    b: [Vec<u8>; 7],
}

fn data() -> Data {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut d = Data {
        sex: vec![],
        race: vec![],
        age: vec![],
        sbp: vec![],
        tc_mg: vec![],
        hdl_mg: vec![],
        tc_mmol: vec![],
        waist: vec![],
        egfr: vec![],
        bmi: vec![],
        b: Default::default(),
    };
    for _ in 0..N {
        d.sex.push(r.bit());
        d.race.push((r.next() * 3.0) as u8);
        d.age.push(r.range(40.0, 74.0));
        d.sbp.push(r.range(95.0, 180.0));
        d.tc_mg.push(r.range(140.0, 300.0));
        d.hdl_mg.push(r.range(30.0, 95.0));
        d.tc_mmol.push(r.range(3.5, 8.0));
        d.waist.push(r.range(60.0, 120.0));
        d.egfr.push(r.range(30.0, 130.0));
        d.bmi.push(r.range(19.0, 39.0));
        for v in d.b.iter_mut() {
            v.push(r.bit());
        }
    }
    d
}

/// [`data`] with about 30 % of the ages NaN and 1 % of them 90 or 10 years (outside the
/// age range of every model), drawn by their own deterministic generator.
fn data_mixed() -> Data {
    let mut d = data();
    let mut r = Rng(0xD1B5_4A32_D192_ED03);
    for a in d.age.iter_mut() {
        let u = r.next();
        if u < 0.30 {
            *a = f64::NAN;
        } else if u < 0.31 {
            *a = if r.bit() == 1 { 90.0 } else { 10.0 };
        }
    }
    d
}

/// The payload of a numpy `.npy` file (format 1.0 or 2.0) whose header names `descr`.
fn npy(dir: &std::path::Path, name: &str, descr: &str) -> Vec<u8> {
    let b = std::fs::read(dir.join(format!("{name}.npy")))
        .unwrap_or_else(|e| panic!("{name}.npy: {e}"));
    assert!(b.starts_with(b"\x93NUMPY"), "{name}.npy: not a .npy file");
    let (len, start) = if b[6] == 1 {
        (usize::from(u16::from_le_bytes([b[8], b[9]])), 10)
    } else {
        (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12)
    };
    let header = String::from_utf8_lossy(&b[start..start + len]);
    assert!(
        header.contains(&format!("'descr': '{descr}'")) && header.contains("False"),
        "{name}.npy: expected {descr}, C order: {header}"
    );
    b[start + len..].to_vec()
}

/// China-PAR columns read from `MODELS_CP_NPY` (the other models' columns stay synthetic).
fn data_npy(dir: &std::path::Path) -> Data {
    let f = |name| -> Vec<f64> {
        npy(dir, name, "<f8")
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect()
    };
    let u = |name| npy(dir, name, "|u1");
    let mut d = data();
    d.sex = u("sex");
    d.age = f("age");
    d.sbp = f("sbp");
    d.tc_mg = f("tc_mgdl");
    d.hdl_mg = f("hdl_mgdl");
    d.waist = f("waist_cm");
    for (k, name) in [
        "bp_treated",
        "current_smoker",
        "diabetes",
        "north",
        "urban",
        "family_history_ascvd",
    ]
    .into_iter()
    .enumerate()
    {
        d.b[k] = u(name);
    }
    for v in [&d.sex, &d.b[0], &d.b[5]] {
        assert_eq!(v.len(), N, "MODELS_CP_NPY: {N} rows expected");
    }
    assert!(d.age.len() == N && d.waist.len() == N);
    d
}

fn sx(b: u8) -> Sex {
    if b == 1 {
        Sex::Male
    } else {
        Sex::Female
    }
}

fn cp_cols(d: &Data) -> ChinaParColumns<'_> {
    ChinaParColumns {
        sex: &d.sex,
        age: &d.age,
        sbp: &d.sbp,
        bp_treated: &d.b[0],
        tc: &d.tc_mg,
        tc_unit: ConcUnit::MgDl,
        hdl: &d.hdl_mg,
        hdl_unit: ConcUnit::MgDl,
        waist_cm: &d.waist,
        current_smoker: &d.b[1],
        diabetes: &d.b[2],
        north: &d.b[3],
        urban: &d.b[4],
        family_history_ascvd: &d.b[5],
    }
}

fn pce_cols(d: &Data) -> PceColumns<'_> {
    PceColumns {
        race: &d.race,
        sex: &d.sex,
        age: &d.age,
        tc: &d.tc_mg,
        tc_unit: ConcUnit::MgDl,
        hdl: &d.hdl_mg,
        hdl_unit: ConcUnit::MgDl,
        sbp: &d.sbp,
        bp_treated: &d.b[0],
        current_smoker: &d.b[1],
        diabetes: &d.b[2],
    }
}

fn frs_cols(d: &Data) -> FraminghamColumns<'_> {
    FraminghamColumns {
        sex: &d.sex,
        age: &d.age,
        tc: &d.tc_mg,
        tc_unit: ConcUnit::MgDl,
        hdl: &d.hdl_mg,
        hdl_unit: ConcUnit::MgDl,
        sbp: &d.sbp,
        bp_treated: &d.b[0],
        current_smoker: &d.b[1],
        diabetes: &d.b[2],
    }
}

fn who_lab_cols(d: &Data) -> WhoLabColumns<'_> {
    WhoLabColumns {
        sex: &d.sex,
        age: &d.age,
        sbp: &d.sbp,
        tc: &d.tc_mmol,
        tc_unit: ConcUnit::MmolL,
        diabetes: &d.b[0],
        current_smoker: &d.b[1],
    }
}

type Run<'a> = Box<dyn Fn(&mut [f64], &mut [u8]) + 'a>;

/// (model, scalar loop, batch, batch with runtime CPU dispatch where the model has it)
/// closures writing into the same output buffers.
fn runs(d: &Data, p: RangePolicy) -> Vec<(&'static str, Run<'_>, Run<'_>, Option<Run<'_>>)> {
    let cal = Calibration::default();
    vec![
        (
            "china_par",
            Box::new(move |out: &mut [f64], _: &mut [u8]| {
                for i in 0..N {
                    let x = ChinaParInput {
                        sex: sx(d.sex[i]),
                        age: d.age[i],
                        sbp: d.sbp[i],
                        bp_treated: d.b[0][i] == 1,
                        tc: Conc::mgdl(d.tc_mg[i]),
                        hdl: Conc::mgdl(d.hdl_mg[i]),
                        waist_cm: d.waist[i],
                        current_smoker: d.b[1][i] == 1,
                        diabetes: d.b[2][i] == 1,
                        north: d.b[3][i] == 1,
                        urban: Some(d.b[4][i] == 1),
                        family_history_ascvd: Some(d.b[5][i] == 1),
                    };
                    out[i] = china_par_10y(&x, p).map_or(f64::NAN, |r| r.risk10_pct);
                }
            }),
            Box::new(move |out: &mut [f64], st: &mut [u8]| {
                batch::china_par_10y(&cp_cols(d), p, out, st).unwrap();
            }),
            Some(Box::new(move |out: &mut [f64], st: &mut [u8]| {
                cvdscreen_simd::china_par_10y(&cp_cols(d), p, out, st).unwrap();
            })),
        ),
        (
            "pce",
            Box::new(move |out: &mut [f64], _: &mut [u8]| {
                for i in 0..N {
                    let race =
                        [Race::Other, Race::White, Race::AfricanAmerican][d.race[i] as usize];
                    let x = PceInput {
                        race,
                        sex: sx(d.sex[i]),
                        age: d.age[i],
                        tc: Conc::mgdl(d.tc_mg[i]),
                        hdl: Conc::mgdl(d.hdl_mg[i]),
                        sbp: d.sbp[i],
                        bp_treated: d.b[0][i] == 1,
                        current_smoker: d.b[1][i] == 1,
                        diabetes: d.b[2][i] == 1,
                    };
                    out[i] = pce(&x, p).map_or(f64::NAN, |r| r.risk10_pct);
                }
            }),
            Box::new(move |out: &mut [f64], st: &mut [u8]| {
                batch::pce(&pce_cols(d), p, out, st).unwrap();
            }),
            Some(Box::new(move |out: &mut [f64], st: &mut [u8]| {
                cvdscreen_simd::pce(&pce_cols(d), p, out, st).unwrap();
            })),
        ),
        (
            "prevent_10y_total_cvd",
            Box::new(move |out: &mut [f64], _: &mut [u8]| {
                for i in 0..N {
                    let x = PreventInput {
                        sex: sx(d.sex[i]),
                        age: d.age[i],
                        sbp: d.sbp[i],
                        bp_treated: d.b[0][i] == 1,
                        tc: Conc::mgdl(d.tc_mg[i]),
                        hdl: Conc::mgdl(d.hdl_mg[i]),
                        statin: d.b[1][i] == 1,
                        diabetes: d.b[2][i] == 1,
                        current_smoker: d.b[3][i] == 1,
                        egfr: d.egfr[i],
                        bmi: d.bmi[i],
                    };
                    // The scalar API computes all five outcomes of the horizon.
                    out[i] = prevent(&x, Horizon::Years10, p).map_or(f64::NAN, |r| r.total_cvd.pct);
                }
            }),
            Box::new(move |out: &mut [f64], st: &mut [u8]| {
                let c = PreventColumns {
                    sex: &d.sex,
                    age: &d.age,
                    sbp: &d.sbp,
                    bp_treated: &d.b[0],
                    tc: &d.tc_mg,
                    tc_unit: ConcUnit::MgDl,
                    hdl: &d.hdl_mg,
                    hdl_unit: ConcUnit::MgDl,
                    statin: &d.b[1],
                    diabetes: &d.b[2],
                    current_smoker: &d.b[3],
                    egfr: &d.egfr,
                    bmi: &d.bmi,
                };
                batch::prevent(&c, Horizon::Years10, Outcome::TotalCvd, p, out, st).unwrap();
            }),
            None,
        ),
        (
            "who2019_lab",
            Box::new(move |out: &mut [f64], _: &mut [u8]| {
                for i in 0..N {
                    let x = WhoLabInput {
                        sex: sx(d.sex[i]),
                        age: d.age[i],
                        sbp: d.sbp[i],
                        tc: Conc::mmol(d.tc_mmol[i]),
                        diabetes: d.b[0][i] == 1,
                        current_smoker: d.b[1][i] == 1,
                    };
                    out[i] = who2019_lab(&x, cal, p).map_or(f64::NAN, |r| r.cvd_pct);
                }
            }),
            Box::new(move |out: &mut [f64], st: &mut [u8]| {
                batch::who2019_lab(&who_lab_cols(d), cal, p, out, st).unwrap();
            }),
            Some(Box::new(move |out: &mut [f64], st: &mut [u8]| {
                cvdscreen_simd::who2019_lab(&who_lab_cols(d), cal, p, out, st).unwrap();
            })),
        ),
        (
            "framingham",
            Box::new(move |out: &mut [f64], _: &mut [u8]| {
                for i in 0..N {
                    let x = FraminghamInput {
                        sex: sx(d.sex[i]),
                        age: d.age[i],
                        tc: Conc::mgdl(d.tc_mg[i]),
                        hdl: Conc::mgdl(d.hdl_mg[i]),
                        sbp: d.sbp[i],
                        bp_treated: d.b[0][i] == 1,
                        current_smoker: d.b[1][i] == 1,
                        diabetes: d.b[2][i] == 1,
                    };
                    out[i] = framingham(&x, p).map_or(f64::NAN, |r| r.risk10_pct);
                }
            }),
            Box::new(move |out: &mut [f64], st: &mut [u8]| {
                batch::framingham(&frs_cols(d), p, out, st).unwrap();
            }),
            Some(Box::new(move |out: &mut [f64], st: &mut [u8]| {
                cvdscreen_simd::framingham(&frs_cols(d), p, out, st).unwrap();
            })),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let (valid, mixed) = (data(), data_mixed());
    let (mut out, mut st) = (vec![0.0; N], vec![0u8; N]);
    let all = runs(&valid, RangePolicy::Strict)
        .into_iter()
        .map(|r| (r, ""));
    let mixed = runs(&mixed, RangePolicy::Strict)
        .into_iter()
        .map(|r| (r, "/mixed"));
    for ((name, scalar, batch, dispatched), suffix) in all.chain(mixed) {
        let mut g = c.benchmark_group(format!("{name}{suffix}"));
        g.throughput(Throughput::Elements(N as u64));
        g.sample_size(10);
        g.bench_function(BenchmarkId::new("scalar", N), |b| {
            b.iter(|| scalar(black_box(&mut out), &mut st))
        });
        g.bench_function(BenchmarkId::new("batch", N), |b| {
            b.iter(|| batch(black_box(&mut out), &mut st))
        });
        if let Some(dispatched) = dispatched {
            g.bench_function(BenchmarkId::new("dispatched", N), |b| {
                b.iter(|| dispatched(black_box(&mut out), &mut st))
            });
        }
        g.finish();
    }
}

/// CPU time of this thread in ns (Linux `/proc/thread-self/schedstat`, first field): on a
/// shared machine it leaves out the time the thread waited for a core, so it measures the
/// code rather than the load. `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Plain timing (best of 5 samples, each repeating the call for at least 0.2 s) so the
/// ratio is printed in one place: records per wall second and, where the OS reports it,
/// per CPU second of the benchmark thread.
fn summary() {
    let (mut out, mut st) = (vec![0.0; N], vec![0u8; N]);
    // (best wall seconds, best thread-CPU seconds) per call, over 5 samples of at least
    // 0.2 s each (the thread's CPU clock ticks in milliseconds on some kernels).
    let best = |f: &dyn Fn(&mut [f64], &mut [u8]), out: &mut [f64], st: &mut [u8]| {
        let t = Instant::now();
        f(out, st);
        let reps = (0.2 / t.elapsed().as_secs_f64()).ceil().clamp(1.0, 100.0) as usize;
        (0..5)
            .map(|_| {
                let c = thread_cpu_ns();
                let t = Instant::now();
                for _ in 0..reps {
                    f(out, st);
                    black_box(&out[N - 1]);
                }
                let wall = t.elapsed().as_secs_f64();
                let cpu = match (c, thread_cpu_ns()) {
                    (Some(a), Some(b)) => (b - a) as f64 * 1e-9,
                    _ => wall,
                };
                (wall / reps as f64, cpu / reps as f64)
            })
            .fold((f64::INFINITY, f64::INFINITY), |(w, c), (w1, c1)| {
                (w.min(w1), c.min(c1))
            })
    };
    println!(
        "\ndispatched = cvdscreen-simd at {} (the widest level of this CPU)",
        cvdscreen_simd::Level::detect()
    );
    let same = |name: &str, what: &str, a: &[f64], b: &[f64]| {
        assert!(
            a.iter().zip(b).all(|(a, b)| a.to_bits() == b.to_bits()),
            "{name}: {what} != scalar"
        );
    };
    let mut sets = vec![
        ("in range", data(), RangePolicy::Strict, None),
        ("mixed validity", data_mixed(), RangePolicy::Strict, None),
    ];
    if let Some(dir) = std::env::var_os("MODELS_CP_NPY") {
        let d = data_npy(std::path::Path::new(&dir));
        sets.push(("MODELS_CP_NPY", d, RangePolicy::Flag, Some("china_par")));
    }
    // MODELS_SETS=in,mixed,… keeps the data sets whose name starts with one of the words.
    let keep = std::env::var("MODELS_SETS").ok();
    for (set, d, policy, only) in &sets {
        if keep
            .as_deref()
            .is_some_and(|k| !k.split(',').any(|w| set.starts_with(w)))
        {
            continue;
        }
        println!("\n{set} ({policy:?})");
        println!(
            "{:<24}{:>13}{:>13}{:>7}{:>13}{:>7}{:>15}{:>15}{:>8}",
            "model (1M records)",
            "scalar rec/s",
            "batch rec/s",
            "÷scal",
            "disp. rec/s",
            "÷scal",
            "batch rec/CPUs",
            "disp. rec/CPUs",
            "failed",
        );
        for (name, scalar, batch, dispatched) in runs(d, *policy) {
            if only.is_some_and(|m| m != name) {
                continue;
            }
            let (ts, _) = best(&*scalar, &mut out, &mut st);
            let s_out = out.clone();
            let (tb, cb) = best(&*batch, &mut out, &mut st);
            same(name, "batch", &s_out, &out);
            let failed = st.iter().filter(|&&s| s > 1).count();
            let (td, cd) = match &dispatched {
                Some(f) => {
                    let r = best(&**f, &mut out, &mut st);
                    same(name, "dispatched", &s_out, &out);
                    r
                }
                None => (f64::NAN, f64::NAN),
            };
            println!(
                "{:<24}{:>13.3e}{:>13.3e}{:>7.2}{:>13.3e}{:>7.2}{:>15.3e}{:>15.3e}{:>7.1}%",
                name,
                N as f64 / ts,
                N as f64 / tb,
                ts / tb,
                N as f64 / td,
                ts / td,
                N as f64 / cb,
                N as f64 / cd,
                100.0 * failed as f64 / N as f64,
            );
        }
    }
    if let Ok(l) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average: {}", l.trim());
    }
}

criterion_group!(benches, bench);

fn main() {
    // MODELS_SUMMARY_ONLY=1 skips criterion and prints only the best-of-5 table.
    if std::env::var_os("MODELS_SUMMARY_ONLY").is_none() {
        benches();
    }
    Criterion::default().configure_from_args().final_summary();
    summary();
}
