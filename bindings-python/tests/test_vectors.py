"""The public vectors (tests/vectors/*.csv at the repository root) through the numpy
model functions, every row within its stated tolerance, each file once as arrays and
once row by row as scalars."""

import csv

import numpy as np
import pytest

from cvdscreen import models

from conftest import VECTORS


def rows(name):
    with open(VECTORS / name, encoding="utf-8") as f:
        out = list(csv.DictReader(f))
    assert out, name
    return out


def col(rs, k, dtype=float):
    return np.array([dtype(r[k]) for r in rs])


def close(got, want, tol, ids):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    bad = ~(np.abs(got - want) <= tol + 1e-9)
    assert not bad.any(), [(i, g, w) for i, g, w, b in zip(ids, got, want, bad) if b]


def test_china_par_vectors():
    rs = rows("china_par_10y.csv")
    kw = {}
    for stem in ("tc", "hdl"):
        units = {r[f"{stem}_unit"] for r in rs}
        assert units <= {"mmol/L", "mg/dL"}
    # One call per unit combination: the model functions take one unit per column.
    got = np.full(len(rs), np.nan)
    for tu in ("mmol/L", "mg/dL"):
        for hu in ("mmol/L", "mg/dL"):
            idx = [i for i, r in enumerate(rs) if r["tc_unit"] == tu and r["hdl_unit"] == hu]
            if not idx:
                continue
            sub = [rs[i] for i in idx]
            kw = {
                ("tc_mmol" if tu == "mmol/L" else "tc_mgdl"): col(sub, "tc_value"),
                ("hdl_mmol" if hu == "mmol/L" else "hdl_mgdl"): col(sub, "hdl_value"),
            }
            got[idx] = models.china_par_10y(
                sex=np.array([r["sex"] for r in sub]),
                age=col(sub, "age"),
                sbp=col(sub, "sbp_mmhg"),
                bp_treated=col(sub, "bp_treated", int),
                waist_cm=col(sub, "waist_cm"),
                current_smoker=col(sub, "current_smoker", int),
                diabetes=col(sub, "diabetes", int),
                north=col(sub, "north", int),
                urban=col(sub, "urban", int),
                family_history_ascvd=col(sub, "family_history_ascvd", int),
                errors="raise",
                **kw,
            )
    close(got, col(rs, "expected_risk10_pct"), col(rs, "tolerance_pp"), [r["case_id"] for r in rs])
    # Scalars give the same floats bit for bit.
    r = rs[0]
    one = models.china_par_10y(
        sex=r["sex"], age=float(r["age"]), sbp=float(r["sbp_mmhg"]), bp_treated=int(r["bp_treated"]),
        tc_mgdl=float(r["tc_mgdl"]) if r["tc_unit"] == "mg/dL" else None,
        tc_mmol=float(r["tc_value"]) if r["tc_unit"] == "mmol/L" else None,
        hdl_mgdl=float(r["hdl_mgdl"]) if r["hdl_unit"] == "mg/dL" else None,
        hdl_mmol=float(r["hdl_value"]) if r["hdl_unit"] == "mmol/L" else None,
        waist_cm=float(r["waist_cm"]), current_smoker=int(r["current_smoker"]), diabetes=int(r["diabetes"]),
        north=int(r["north"]), urban=int(r["urban"]), family_history_ascvd=int(r["family_history_ascvd"]),
    )
    assert isinstance(one, float) and one == got[0]


def test_pce_vectors():
    rs = rows("pce_2013.csv")
    race = np.array([{"aa": "african_american"}.get(r["race"], r["race"]) for r in rs], dtype=object)
    got = models.pce_10y(
        race=race,
        sex=np.array([r["sex"] for r in rs]),
        age=col(rs, "age"),
        tc_mgdl=col(rs, "tc_mgdl"),
        hdl_mgdl=col(rs, "hdl_mgdl"),
        sbp=col(rs, "sbp_mmhg"),
        bp_treated=col(rs, "bp_treated", int),
        current_smoker=col(rs, "current_smoker", int),
        diabetes=col(rs, "diabetes", int),
        errors="raise",
    )
    close(got, col(rs, "expected_risk10_pct"), col(rs, "tolerance_pp"), [r["case_id"] for r in rs])


def test_framingham_vectors():
    rs = rows("framingham_2008_cvd.csv")
    got = models.framingham_cvd_10y(
        sex=np.array([r["sex"] for r in rs]),
        age=col(rs, "age"),
        tc_mgdl=col(rs, "tc_mgdl"),
        hdl_mgdl=col(rs, "hdl_mgdl"),
        sbp=col(rs, "sbp_mmhg"),
        bp_treated=col(rs, "bp_treated", int),
        current_smoker=col(rs, "current_smoker", int),
        diabetes=col(rs, "diabetes", int),
        errors="raise",
    )
    close(got, col(rs, "expected_risk10_pct"), col(rs, "tolerance_pp"), [r["case_id"] for r in rs])


@pytest.mark.parametrize("outcome,column", [("cvd", "total_cvd"), ("ascvd", "ascvd"), ("hf", "heart_failure"), ("chd", "chd"), ("stroke", "stroke")])
def test_prevent_vectors(outcome, column):
    rs = rows("prevent_2023_base.csv")
    for years, fn in ((10, models.prevent_10y), (30, models.prevent_30y)):
        sub = [r for r in rs if int(r["years"]) == years and r[column] != ""]
        if not sub:
            continue
        got = fn(
            sex=np.array([r["sex"] for r in sub]),
            age=col(sub, "age"),
            sbp=col(sub, "sbp_mmhg"),
            bp_treated=col(sub, "bp_treated", int),
            tc_mgdl=col(sub, "tc_mgdl"),
            hdl_mgdl=col(sub, "hdl_mgdl"),
            statin=col(sub, "statin", int),
            diabetes=col(sub, "diabetes", int),
            current_smoker=col(sub, "current_smoker", int),
            egfr=col(sub, "egfr"),
            bmi=col(sub, "bmi"),
            outcome=outcome,
            errors="raise",
        )
        close(got / 100.0, col(sub, column), col(sub, "tolerance"), [r["case_id"] for r in sub])


def test_who2019_vectors():
    rs = rows("who2019_east_asia.csv")
    for r in rs:
        region = "china-country" if r["calibration"].startswith("country") else "east-asia"
        common = dict(
            sex=r["sex"], age=float(r["age"]), sbp=float(r["sbp_mmhg"]),
            current_smoker=int(r["current_smoker"]), region=region,
        )
        if r["model"] == "lab":
            got = models.who2019_lab(tc_mmol=float(r["tc_mmol"]), diabetes=int(r["diabetes"]), **common)
        else:
            got = models.who2019_nonlab(bmi=float(r["bmi"]), **common)
        assert abs(got - float(r["expected_cvd_pct"])) <= float(r["tolerance_pp"]) + 1e-9, r["case_id"]
