//! Native side of `benches/wasm_vs_native.sh`: generates N synthetic China-PAR records
//! (deterministic xorshift64*, the ranges of `benches/models.rs`), times the core's
//! columnar `batch::china_par_10y` (best of R runs, one thread), prints the rate, and
//! writes the columns plus the native results to FILE for the Node side, which runs the
//! same rows through the WebAssembly package's `chinaPar10yBatch`.
//!
//! Usage: `china_par_columns FILE [N] [R]` (default 1,000,000 rows, 5 runs).
//!
//! FILE layout (little endian): `u64` N, then the f64 columns `age`, `sbp`, `tc_mmol`,
//! `hdl_mmol`, `waist_cm`, the native output `values`, then the u8 columns `sex`,
//! `bp_treated`, `current_smoker`, `diabetes`, `north`, `urban`,
//! `family_history_ascvd`, the native `status` (N values each).

use cvdscreen::models::batch::{self, ChinaParColumns};
use cvdscreen::profile::RangePolicy;
use cvdscreen::units::ConcUnit;
use std::io::Write;
use std::time::Instant;

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

fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args().nth(i).map_or(default, |s| {
        s.parse().unwrap_or_else(|_| panic!("bad argument `{s}`"))
    })
}

fn main() -> std::io::Result<()> {
    let file: String = arg(1, String::new());
    assert!(!file.is_empty(), "usage: china_par_columns FILE [N] [RUNS]");
    let n: usize = arg(2, 1_000_000);
    let runs: usize = arg(3, 5);

    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut f: Vec<Vec<f64>> = (0..5).map(|_| Vec::with_capacity(n)).collect();
    let mut u: Vec<Vec<u8>> = (0..7).map(|_| Vec::with_capacity(n)).collect();
    for _ in 0..n {
        let row = [
            r.range(40.0, 74.0),  // age
            r.range(95.0, 180.0), // sbp
            r.range(3.5, 8.0),    // tc_mmol
            r.range(0.8, 2.4),    // hdl_mmol
            r.range(60.0, 120.0), // waist_cm
        ];
        for (c, v) in f.iter_mut().zip(row) {
            c.push(v);
        }
        for c in u.iter_mut() {
            c.push(r.bit());
        }
    }
    let cols = ChinaParColumns {
        sex: &u[0],
        age: &f[0],
        sbp: &f[1],
        bp_treated: &u[1],
        tc: &f[2],
        tc_unit: ConcUnit::MmolL,
        hdl: &f[3],
        hdl_unit: ConcUnit::MmolL,
        waist_cm: &f[4],
        current_smoker: &u[2],
        diabetes: &u[3],
        north: &u[4],
        urban: &u[5],
        family_history_ascvd: &u[6],
    };
    let (mut out, mut status) = (vec![0.0; n], vec![0u8; n]);
    let mut best = f64::INFINITY;
    let mut summary = Default::default();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        summary = batch::china_par_10y(&cols, RangePolicy::Strict, &mut out, &mut status)
            .expect("columns of equal length");
        best = best.min(t.elapsed().as_secs_f64());
    }
    let batch::BatchSummary {
        ok,
        flagged,
        failed,
    } = summary;
    println!(
        "native  china_par_10y batch: {n} rows, best of {runs}: {:.1} ms, {:.0} rec/s (ok {ok}, flagged {flagged}, failed {failed})",
        best * 1e3,
        n as f64 / best
    );

    let mut w = std::io::BufWriter::new(std::fs::File::create(&file)?);
    w.write_all(&(n as u64).to_le_bytes())?;
    for c in f.iter().chain(std::iter::once(&out)) {
        for v in c {
            w.write_all(&v.to_le_bytes())?;
        }
    }
    for c in u.iter().chain(std::iter::once(&status)) {
        w.write_all(c)?;
    }
    w.flush()
}
