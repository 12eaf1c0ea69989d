"""Python benchmark of cvdscreen (a script, not a test).

    python benches/python/bench.py [--rows 1000000] [--seed 20240501] [--repeat 3] [--model-repeat 5]

On one generated file (`cvdscreen generate`, written to benches/out/):
1. `pandas.read_csv` of the file vs `cvdscreen.screen` of the resulting DataFrame (best of
   `--repeat` interleaved timings of each);
2. model throughput on the records' inputs (records with a missing input give NaN in
   every implementation): cvdscreen batch vs a vectorised numpy implementation of
   the same China-PAR equation written here, and vs the installable peers on the
   models they share (`pyprevent` PREVENT fastest raw-numpy path, `ascvd` PCE scalar
   loop, `cvd-risk` pandas batch for PREVENT, PCE and Framingham), with their outputs
   checked against ours; numpy implementations of China-PAR, PCE and PREVENT written here.
   Each comparison with a ratio target (China-PAR and PCE vs numpy; PREVENT vs numpy and
   pyprevent) runs its sides in turns, best of `--model-repeat` timings of each.
Prints records/s and ratios. Peers that are not installed are skipped
(`pip install cvd-risk==0.1.48 pyprevent==0.1.6 ascvd==0.5`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

# No implementation timed here calls BLAS, but numpy's OpenBLAS starts a worker thread per
# core at import, and on this 2-core machine they spin on the cores the threaded batch runs
# need (perf: `blas_thread_server` 5-7 % of the samples). One BLAS thread: none started.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import cvdscreen  # noqa: E402
from cvdscreen import models  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def best(f, repeat=3):
    ts = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return min(ts), out


def interleaved(*fs, repeat=5):
    """Each of `fs` timed `repeat` times, taking turns (f0, f1, …, f0, f1, …): the
    best time and last output of each. A model's comparison runs its sides in turns
    so that both see the same drift of this shared VM's speed (±15-40 % from one
    minute to the next), as read_csv and screen do."""
    ts = [float("inf")] * len(fs)
    outs = [None] * len(fs)
    for _ in range(repeat):
        for i, f in enumerate(fs):
            t = time.perf_counter()
            outs[i] = f()
            ts[i] = min(ts[i], time.perf_counter() - t)
    return list(zip(ts, outs))


def cpu_times():
    """(steal, all) CPU time in clock ticks summed over the cores, from Linux's
    /proc/stat; None elsewhere. Steal is time the hypervisor ran something else while
    this VM's virtual CPUs wanted to run: on a shared host it is what makes the same
    code run at different speeds from one minute to the next."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal (guest time is inside user).
    return (ticks[7], sum(ticks[:8])) if len(ticks) >= 8 else None


def steal_note(before, after, what):
    """A line on the share of CPU time stolen by the host between two `cpu_times()`."""
    if before is None or after is None or after[1] <= before[1]:
        return f"# host steal time during {what}: not measured (no /proc/stat)"
    pct = 100 * (after[0] - before[0]) / (after[1] - before[1])
    return f"# host steal time during {what}: {pct:.1f} % of the CPU time (/proc/stat)"


def china_par_numpy(male, age, sbp, treated, tc_mgdl, hdl_mgdl, waist, smoker, dm, north, urban, fh):
    """China-PAR 10-year risk (Yang et al. 2016; coefficients as published, TC/HDL in mg/dL)."""
    c = {
        True: dict(a=31.967, st=27.388, su=26.148, tc=0.621, hdl=-0.695, w=-0.712, smk=3.955, dm=0.357, n=0.475, u=-0.164, fh=6.221, ast=-6.018, asu=-5.731, asmk=-0.939, afh=-1.534, mean=140.68, s10=0.9707),
        False: dict(a=24.874, st=20.709, su=19.982, tc=0.058, hdl=-0.217, w=1.475, smk=0.495, dm=0.567, n=0.544, u=0.0, fh=0.0, ast=-4.528, asu=-4.360, asmk=0.0, afh=0.0, mean=117.26, s10=0.98507),
    }
    out = np.empty_like(age)
    for sex in (True, False):
        k = c[sex]
        m = male == sex
        la, ls = np.log(age[m]), np.log(sbp[m])
        t = treated[m]
        bs = np.where(t, k["st"], k["su"])
        bas = np.where(t, k["ast"], k["asu"])
        x = (k["a"] * la + bs * ls + bas * la * ls + k["tc"] * np.log(tc_mgdl[m]) + k["hdl"] * np.log(hdl_mgdl[m])
             + k["w"] * np.log(waist[m]) + k["smk"] * smoker[m] + k["dm"] * dm[m] + k["n"] * north[m] + k["u"] * urban[m]
             + k["fh"] * fh[m] + k["asmk"] * la * smoker[m] + k["afh"] * la * fh[m])
        out[m] = 100.0 * (1.0 - k["s10"] ** np.exp(x - k["mean"]))
    return out


# Goff et al. 2013 (Circulation 2014;129:S49), Appendix Table A, white equations; the same
# values as core/src/models/pce2013.rs.
PCE_WHITE = {
    True: dict(a=12.344, a2=0.0, tc=11.853, atc=-2.664, hdl=-7.990, ahdl=1.769, st=1.797, ast=0.0, su=1.764, asu=0.0, smk=7.837, asmk=-1.795, dm=0.658, mean=61.18, s0=0.9144),
    False: dict(a=-29.799, a2=4.884, tc=13.540, atc=-3.114, hdl=-13.578, ahdl=3.149, st=2.019, ast=0.0, su=1.957, asu=0.0, smk=7.574, asmk=-1.665, dm=0.661, mean=-29.18, s0=0.9665),
}


def pce_numpy(male, age, tc_mgdl, hdl_mgdl, sbp, treated, smoker, dm):
    """PCE 10-year ASCVD risk, white equations, percent."""
    out = np.empty_like(age)
    for sex in (True, False):
        k = PCE_WHITE[sex]
        m = male == sex
        la, lt, lh, ls = np.log(age[m]), np.log(tc_mgdl[m]), np.log(hdl_mgdl[m]), np.log(sbp[m])
        t = treated[m]
        x = (k["a"] * la + k["a2"] * la * la + k["tc"] * lt + k["atc"] * la * lt + k["hdl"] * lh + k["ahdl"] * la * lh
             + np.where(t, k["st"], k["su"]) * ls + np.where(t, k["ast"], k["asu"]) * la * ls
             + k["smk"] * smoker[m] + k["asmk"] * la * smoker[m] + k["dm"] * dm[m])
        out[m] = 100.0 * (1.0 - k["s0"] ** np.exp(x - k["mean"]))
    return out


def prevent_betas():
    """PREVENT base 10-year total-CVD coefficients (Khan et al. 2024), read from the table the
    core embeds (core/data/prevent_2023_base_10yr_coefficients.csv): rows in term order."""
    import csv

    with open(ROOT / "core" / "data" / "prevent_2023_base_10yr_coefficients.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    col = {name: i for i, name in enumerate(rows[0])}
    return {sex: np.array([float(r[col[name]]) for r in rows[1:]]) for sex, name in ((True, "male_total_cvd"), (False, "female_total_cvd"))}


def prevent_numpy(betas, male, age, tc_mgdl, hdl_mgdl, sbp, dm, smoker, bmi, egfr, bptx, statin):
    """PREVENT base 10-year total CVD, percent: logistic in the 23 terms of the table."""
    out = np.empty_like(age)
    for sex in (True, False):
        m = male == sex
        a = (age[m] - 55.0) / 10.0
        nonhdl = (tc_mgdl[m] - hdl_mgdl[m]) * 0.02586 - 3.5
        hdl = (hdl_mgdl[m] * 0.02586 - 1.3) / 0.3
        s, b, e = sbp[m], bmi[m], egfr[m]
        sbp_hi = (np.maximum(s, 110.0) - 130.0) / 20.0
        bmi_hi = (np.maximum(b, 30.0) - 30.0) / 5.0
        egfr_lo = (np.minimum(e, 60.0) - 60.0) / -15.0
        d, k, t, st = dm[m], smoker[m], bptx[m], statin[m]
        terms = (a, nonhdl, hdl, (np.minimum(s, 110.0) - 110.0) / 20.0, sbp_hi, d, k, (np.minimum(b, 30.0) - 25.0) / 5.0, bmi_hi,
                 egfr_lo, (np.maximum(e, 60.0) - 90.0) / -15.0, t, st, t * sbp_hi, st * nonhdl, a * nonhdl, a * hdl, a * sbp_hi,
                 a * d, a * k, a * bmi_hi, a * egfr_lo)
        beta = betas[sex]
        x = np.full(a.shape, beta[-1])
        for bk, tk in zip(beta, terms):
            x += bk * tk
        out[m] = 100.0 / (1.0 + np.exp(-x))
    return out


def screen_breakdown(df: pd.DataFrame) -> None:
    """Where `screen(df)` spends its time: reading the columns (Python side), the
    Rust call (row text + the core's screen pipeline on every thread + output
    buffers), building the result frame. Uses the private helpers of
    `cvdscreen._table`; skipped when they are not there."""
    from cvdscreen import _cvdscreen, _table

    if not hasattr(_cvdscreen, "screen_columns_arrow"):
        return
    t = time.perf_counter()
    names, cols = _table._columns(df, "pandas")
    t_cols = time.perf_counter() - t
    t = time.perf_counter()
    arrow = _cvdscreen.screen_columns_arrow(names, cols)
    t_rust = time.perf_counter() - t
    t = time.perf_counter()
    pa = _table._pyarrow()
    out = pd.DataFrame({name: pd.Series(_table._large_strings(pa, ch), index=df.index, dtype="str") for name, ch in arrow}, index=df.index)
    out = pd.concat([df, out], axis=1)
    t_frame = time.perf_counter() - t
    print(f"  of which: columns in {t_cols:.2f} s, Rust call {t_rust:.2f} s (GIL released; core screen on every thread), result frame {t_frame:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--repeat", type=int, default=3, help="interleaved read_csv / screen timings (best of each)")
    ap.add_argument("--model-repeat", type=int, default=5, help="interleaved timings of each model comparison (best of each)")
    a = ap.parse_args()
    cli = ROOT / "target" / "release" / "cvdscreen"
    if not cli.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "cvdscreen-cli"], cwd=ROOT, check=True)
    path = ROOT / "benches" / "out" / f"bench_{a.rows}_{a.seed}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        subprocess.run([str(cli), "generate", "--rows", str(a.rows), "--seed", str(a.seed), "-o", str(path)], check=True)
    print(f"# {a.rows:,} generated records ({path.stat().st_size / 1e6:.0f} MB), nproc={os.cpu_count()}, cvdscreen {cvdscreen.__version__}")
    print(f"# load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    dtype = {"id": "str", "id_number": "str", "site_id": "str"}
    # read_csv and screen interleaved, best of --repeat each: this shared VM's speed
    # drifts by ±15 % from minute to minute, and both sides see the same drift.
    t_read = t_screen = float("inf")
    for _ in range(a.repeat):
        t, df = best(lambda: pd.read_csv(path, dtype=dtype, low_memory=False), repeat=1)
        t_read = min(t_read, t)
        t, out = best(lambda: cvdscreen.screen(df), repeat=1)
        t_screen = min(t_screen, t)
    n = len(df)
    print(f"pandas.read_csv        {t_read:7.2f} s  {n / t_read:12,.0f} rec/s")
    print(f"cvdscreen.screen(df)   {t_screen:7.2f} s  {n / t_screen:12,.0f} rec/s   screen/read_csv time ratio {t_screen / t_read:.2f} (target < 1)")
    screen_breakdown(df)

    # Model inputs from the records (first two readings' mean SBP; mg/dL lipids, the
    # mmol/L site converted ×38.67 — a benchmark, not the pipeline's derivation).
    num = lambda c: pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=np.float64)  # noqa: E731
    flag = lambda c: np.nan_to_num(num(c), nan=0.0)  # noqa: E731
    male = (df["sex"].astype(str).str.lower() == "male").to_numpy()
    age = num("age")
    sbp = np.nanmean(np.vstack([num("sbp_1"), num("sbp_2")]), axis=0)
    tc = np.where(np.isnan(num("tc_mgdl")), num("tc_mmol") * 38.67, num("tc_mgdl"))
    hdl = np.where(np.isnan(num("hdl_mgdl")), num("hdl_mmol") * 38.67, num("hdl_mgdl"))
    waist, egfr = num("waist_cm"), num("egfr")
    bmi = num("weight_kg") / (num("height_cm") / 100) ** 2
    f = {c: flag(c) for c in ("bp_treated", "current_smoker", "diabetes", "north", "urban", "family_history_ascvd")}
    u8 = {c: v.astype(np.uint8) for c, v in f.items()}
    sex_u8 = male.astype(np.uint8)

    print("\n| model | implementation | rec/s | cvdscreen speed-up | max abs diff vs cvdscreen (pp) |")
    print("|---|---|---:|---:|---:|")

    def row(model, impl, t, ratio, diff):
        print(f"| {model} | {impl} | {n / t:,.0f} | {ratio} | {diff} |")

    cp_kw = dict(sex=sex_u8, age=age, sbp=sbp, bp_treated=u8["bp_treated"], tc_mgdl=tc, hdl_mgdl=hdl, waist_cm=waist,
                 current_smoker=u8["current_smoker"], diabetes=u8["diabetes"], north=u8["north"], urban=u8["urban"],
                 family_history_ascvd=u8["family_history_ascvd"], range_policy="flag")
    mr = a.model_repeat
    notes = []  # printed after the table
    cpu0 = cpu_times()
    (t_cp, ours), (t_np, ref) = interleaved(
        lambda: models.china_par_10y(**cp_kw),
        lambda: china_par_numpy(male, age, sbp, f["bp_treated"] == 1, tc, hdl, waist, f["current_smoker"], f["diabetes"], f["north"], f["urban"], f["family_history_ascvd"]),
        repeat=mr)
    ok = np.isfinite(ours) & np.isfinite(ref)
    threaded = "threads" in models.china_par_10y.__code__.co_varnames
    cores = len(getattr(os, "sched_getaffinity", lambda _: range(os.cpu_count() or 1))(0))
    row("China-PAR 10y", f"cvdscreen batch ({cores} threads)" if threaded else "cvdscreen batch (1 thread)", t_cp, "1", "0")
    if threaded:
        t_cp1, ours1 = best(lambda: models.china_par_10y(**cp_kw, threads=1), repeat=mr)
        assert np.array_equal(ours, ours1, equal_nan=True)
        row("China-PAR 10y", "cvdscreen batch (threads=1)", t_cp1, f"{t_cp1 / t_cp:.2f}× slower than all threads", "0 (identical)")
    notes.append(steal_note(cpu0, cpu_times(), "the China-PAR timings"))
    row("China-PAR 10y", "numpy (this script, 1 thread)", t_np, f"{t_np / t_cp:.1f}× (target ≥ 20×)", f"{np.max(np.abs(ours[ok] - ref[ok])):.2e} on {ok.sum():,} rows")

    def diff(a, b):
        ok = np.isfinite(a) & np.isfinite(b)
        return f"{np.max(np.abs(a[ok] - b[ok])):.2e} on {ok.sum():,} rows"

    def cvd_risk_frame(idx):
        """The rows `idx` as a cvd-risk batch frame (mmol/L lipids, the ×38.67 factor)."""
        return pd.DataFrame(dict(
            age=age[idx], sex=np.where(male[idx], "male", "female"), race="white", systolic_bp=sbp[idx],
            total_cholesterol=tc[idx] / 38.67, hdl_cholesterol=hdl[idx] / 38.67, smoking=f["current_smoker"][idx] == 1,
            diabetes=f["diabetes"][idx] == 1, antihypertensive=f["bp_treated"][idx] == 1, statin_use=False,
            egfr=egfr[idx], bmi=bmi[idx]))

    def run_cvd_risk(model_cls, ours, idx):
        """cvd-risk's pandas batch on `idx` (timed, scaled to n rows) against ours on the same rows."""
        import logging

        logging.disable(logging.CRITICAL)
        frame = cvd_risk_frame(idx)
        t = time.perf_counter()
        theirs = model_cls().calculate_batch(frame)["risk_score"].to_numpy(dtype=np.float64)
        t_cr = (time.perf_counter() - t) * n / len(idx)
        mine = ours[idx]
        return t_cr, theirs, mine

    # cvd-risk's pandas batch is slow: time it on the first 100k computable rows and scale.
    try:
        import cvd_risk
    except ImportError:
        cvd_risk = None

    # PREVENT: our batch, numpy (same table), pyprevent's fastest path, cvd-risk.
    pv_kw = dict(sex=sex_u8, age=age, sbp=sbp, bp_treated=u8["bp_treated"], tc_mgdl=tc, hdl_mgdl=hdl, statin=np.zeros(n, np.uint8),
                 diabetes=u8["diabetes"], current_smoker=u8["current_smoker"], egfr=egfr, bmi=bmi)
    betas = prevent_betas()
    sides = [
        lambda: models.prevent_10y(**pv_kw),
        lambda: prevent_numpy(betas, male, age, tc, hdl, sbp, f["diabetes"], f["current_smoker"], bmi, egfr, f["bp_treated"], np.zeros(n)),
    ]
    try:
        import pyprevent._pyprevent as pp
    except ImportError:
        pp = None
    if pp is not None:
        import contextlib, io

        arr = np.column_stack([sex_u8, age, tc, hdl, sbp, f["diabetes"], f["current_smoker"], bmi, egfr, f["bp_treated"], np.zeros(n)]).astype(np.float64)

        def pyprevent_fastest():
            with contextlib.redirect_stdout(io.StringIO()):
                return np.asarray(pp.calculate_10_yr_cvd_rust_parallel_np(arr), dtype=np.float64)

        sides.append(pyprevent_fastest)
    timed = interleaved(*sides, repeat=mr)
    (t_pv, pv), (t_pvn, pvn) = timed[:2]
    row("PREVENT 10y CVD", "cvdscreen batch", t_pv, "1", "0")
    row("PREVENT 10y CVD", "numpy (this script, 1 thread)", t_pvn, f"{t_pvn / t_pv:.1f}×", diff(pv, pvn))
    if pp is not None:
        t_pp, theirs = timed[2]
        row("PREVENT 10y CVD", "pyprevent raw numpy (rayon)", t_pp, f"{t_pp / t_pv:.2f}× (target ≥ 2×)", f"{diff(pv, theirs)} (pyprevent NaN on {np.isnan(theirs).sum():,}: its hard ranges)")
    else:
        print("| PREVENT 10y CVD | pyprevent | not installed | | |")
    if cvd_risk is not None:
        idx = np.flatnonzero(np.isfinite(pv))[:100_000]
        t_cr, theirs, mine = run_cvd_risk(cvd_risk.Prevent, pv, idx)
        row("PREVENT 10y CVD", f"cvd-risk pandas batch ({len(idx):,} rows, scaled)", t_cr, f"{t_cr / t_pv:.0f}×", diff(mine, theirs))

    # PCE (white equations): our batch, numpy, ascvd, cvd-risk.
    pce_kw = dict(sex=sex_u8, age=age, tc_mgdl=tc, hdl_mgdl=hdl, sbp=sbp, bp_treated=u8["bp_treated"], current_smoker=u8["current_smoker"], diabetes=u8["diabetes"], race="white")
    (t_pce, pce), (t_pcen, pcen) = interleaved(
        lambda: models.pce_10y(**pce_kw),
        lambda: pce_numpy(male, age, tc, hdl, sbp, f["bp_treated"] == 1, f["current_smoker"], f["diabetes"]),
        repeat=mr)
    row("PCE 10y", "cvdscreen batch", t_pce, "1", "0")
    row("PCE 10y", "numpy (this script, 1 thread)", t_pcen, f"{t_pcen / t_pce:.1f}×", diff(pce, np.clip(pcen, 0.0, 100.0)))
    try:
        import ascvd

        m = min(n, 100_000)
        idx = np.flatnonzero(np.isfinite(pce))[:m]
        args = [(bool(male[i]), False, bool(f["current_smoker"][i]), bool(f["bp_treated"][i]), bool(f["diabetes"][i]), int(round(age[i])), float(sbp[i]), float(tc[i]), float(hdl[i])) for i in idx]
        t = time.perf_counter()
        theirs = np.array([ascvd.compute_ten_year_score(*x) for x in args], dtype=float)
        t_as = (time.perf_counter() - t) * n / len(idx)
        # ascvd takes integer ages and rounds its result to 0.1 %.
        ours_int = models.pce_10y(**dict({k: (v[idx] if isinstance(v, np.ndarray) else v) for k, v in pce_kw.items()}, age=np.round(age[idx])))
        d = np.abs(ours_int - theirs * (100 if np.nanmax(theirs) <= 1 else 1))
        row("PCE 10y", f"ascvd scalar loop ({len(idx):,} rows, scaled)", t_as, f"{t_as / t_pce:.0f}×", f"{np.nanmax(d):.3f} (ascvd rounds to 0.1)")
    except ImportError:
        print("| PCE 10y | ascvd | not installed | | |")
    if cvd_risk is not None:
        idx = np.flatnonzero(np.isfinite(pce))[:100_000]
        t_cr, theirs, mine = run_cvd_risk(cvd_risk.ASCVD, pce, idx)
        row("PCE 10y", f"cvd-risk `ASCVD` pandas batch ({len(idx):,} rows, scaled)", t_cr, f"{t_cr / t_pce:.0f}×",
            f"**disagrees**: {diff(mine, theirs)}, median {np.nanmedian(theirs):.2g} % vs ours {np.nanmedian(mine):.2g} % (its PCE table holds Framingham numbers, peers.md §5)")

    # Framingham 2008 general CVD: our batch vs cvd-risk.
    frs_kw = dict(sex=sex_u8, age=age, tc_mgdl=tc, hdl_mgdl=hdl, sbp=sbp, bp_treated=u8["bp_treated"], current_smoker=u8["current_smoker"], diabetes=u8["diabetes"])
    t_frs, frs = best(lambda: models.framingham_cvd_10y(**frs_kw))
    row("Framingham 2008 CVD", "cvdscreen batch", t_frs, "1", "0")
    if cvd_risk is not None:
        idx = np.flatnonzero(np.isfinite(frs))[:100_000]
        t_cr, theirs, mine = run_cvd_risk(cvd_risk.Framingham, frs, idx)
        row("Framingham 2008 CVD", f"cvd-risk pandas batch ({len(idx):,} rows, scaled)", t_cr, f"{t_cr / t_frs:.0f}×", diff(mine, theirs))
    else:
        print("| PREVENT, PCE, Framingham | cvd-risk | not installed | | |")
    print()
    for line in notes:
        print(line)


if __name__ == "__main__":
    main()
