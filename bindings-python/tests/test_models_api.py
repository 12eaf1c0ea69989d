"""Model functions: broadcasting, dtypes, error modes, garbage, threads."""

import threading
import time

import numpy as np
import pandas as pd
import pytest

import cvdscreen
from cvdscreen import InputError, models
from cvdscreen.models import ModelResult, RowStatus

CP = dict(sbp=145.0, bp_treated=0, tc_mmol=5.2, hdl_mmol=1.3, waist_cm=80.0, current_smoker=0, diabetes=0, north=1, urban=1, family_history_ascvd=1)
GUIDE = 4.717198504057151  # GUIDE-2019-A1 (4.7 %), full precision


def test_row_status_mirrors_core():
    assert {n: c for n, c in cvdscreen._cvdscreen.row_status_codes()} == {
        "Ok": 0, "Flagged": 1, "OutOfRange": 2, "NotFinite": 3, "MissingInput": 4, "InvalidCode": 5, "DataTable": 6,
    }
    assert [s.value for s in RowStatus] == list(range(7))


def test_scalar_returns_float_and_raises_input_error():
    v = models.china_par_10y(sex="male", age=40, **CP)
    assert isinstance(v, float) and v == GUIDE
    with pytest.raises(InputError) as e:
        models.china_par_10y(sex="male", age=90, **CP)
    assert (e.value.field, e.value.value, e.value.row, e.value.rule_id) == ("age", 90.0, None, "OUT_OF_RANGE")
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize("sex", ["male", "M", "m", "男", 1, True, np.int8(1), 1.0])
def test_sex_spellings(sex):
    assert models.china_par_10y(sex=sex, age=40, **CP) == GUIDE


def test_broadcasting_and_sex_arrays():
    age = np.array([40.0, 40.0, 40.0, 40.0])
    sex = np.array(["male", "F", "女", "M"])
    v = models.china_par_10y(sex=sex, age=age, **CP)
    assert v.shape == (4,) and v[0] == GUIDE and v[3] == GUIDE and v[1] == v[2] != v[0]
    v2 = models.china_par_10y(sex=np.array([1, 0, 0, 1]), age=40, **CP)
    v3 = models.china_par_10y(sex=np.array([True, False, False, True]), age=age, **CP)
    assert np.array_equal(v, v2) and np.array_equal(v, v3)
    with pytest.raises(ValueError, match="broadcast") as e:
        models.china_par_10y(sex=np.array([1, 0]), age=np.array([40.0, 50.0, 60.0]), **CP)
    # The message names the inputs and their lengths (one-element inputs broadcast).
    assert "`sex` has 2 rows" in str(e.value) and "`age` has 3 rows" in str(e.value) and "`sbp`" not in str(e.value)
    with pytest.raises(TypeError, match=r"1-D arrays: `age` has shape \(2, 2\)"):
        models.china_par_10y(sex=1, age=np.full((2, 2), 40.0), **CP)


def test_non_contiguous_and_int_arrays_are_converted():
    big = np.full(10, 40.0)
    strided = big[::2]
    assert not strided.flags.c_contiguous
    a = models.china_par_10y(sex=1, age=strided, **CP)
    b = models.china_par_10y(sex=1, age=np.full(5, 40, dtype=np.int64), **CP)
    c = models.china_par_10y(sex=1, age=np.full(5, 40.0), **CP)  # float64, read in place
    d = models.china_par_10y(sex=1, age=pd.Series([40, 40, 40, 40, 40], dtype="Int64"), **CP)
    assert np.array_equal(a, c) and np.array_equal(b, c) and np.array_equal(d, c)
    assert (c == GUIDE).all()


def test_inputs_are_not_modified():
    age = np.array([40.0, np.nan, 200.0])
    before = age.copy()
    models.china_par_10y(sex=1, age=age, **CP)
    assert np.array_equal(age, before, equal_nan=True)


def test_errors_nan_report_raise():
    age = np.array([40.0, 90.0, np.nan, 40.0])
    sex = np.array(["male", "male", "male", "x"], dtype=object)
    v = models.china_par_10y(sex=sex, age=age, **CP)
    assert v[0] == GUIDE and np.isnan(v[1:]).all()
    r = models.china_par_10y(sex=sex, age=age, errors="report", **CP)
    assert isinstance(r, ModelResult)
    values, status = r
    assert list(status) == [RowStatus.OK, RowStatus.OUT_OF_RANGE, RowStatus.NOT_FINITE, RowStatus.INVALID_CODE]
    assert list(r.failed) == [1, 2, 3]
    assert [e[:2] for e in r.errors] == [(1, "age"), (2, "age"), (3, "sex")]
    assert r.messages[0] is None and "20..=85" in r.messages[1]
    with pytest.raises(InputError) as e:
        models.china_par_10y(sex=sex, age=age, errors="raise", **CP)
    assert (e.value.row, e.value.field, e.value.value) == (1, "age", 90.0)
    assert "row 1" in str(e.value)
    with pytest.raises(ValueError, match="errors"):
        models.china_par_10y(sex=sex, age=age, errors="ignore", **CP)  # type: ignore[call-overload]


def test_missing_flags_and_women():
    # urban / family history are required for men only.
    kw = dict(CP, urban=None, family_history_ascvd=np.nan)
    r = models.china_par_10y(sex=np.array(["male", "female"]), age=50.0, errors="report", **kw)
    assert list(r.status) == [RowStatus.MISSING_INPUT, RowStatus.OK]
    assert r.errors[0][1] == "urban"


def test_flag_policy():
    r = models.china_par_10y(sex=1, age=np.array([90.0]), range_policy="flag", errors="report", **CP)
    assert r.status[0] == RowStatus.FLAGGED and np.isfinite(r.values[0])


@pytest.mark.parametrize(
    "bad,exc",
    [({"a": 1}, TypeError), ("forty", TypeError), (np.array(["a", "b"]), TypeError), (np.array([object(), 1], dtype=object), TypeError), ({1, 2}, TypeError)],
)
def test_garbage_ages(bad, exc):
    with pytest.raises(exc):
        models.china_par_10y(sex=1, age=bad, **CP)


def test_object_arrays_with_none_are_nan():
    v = models.china_par_10y(sex=1, age=np.array([40, None], dtype=object), **CP)
    assert v[0] == GUIDE and np.isnan(v[1])
    v = models.china_par_10y(sex=np.array(["male", None], dtype=object), age=40.0, errors="report", **CP)
    assert v.status[1] == RowStatus.MISSING_INPUT and "missing" in v.messages[1]


def test_flag_codes_outside_0_1_are_invalid():
    r = models.china_par_10y(sex=1, age=40.0, **dict(CP, diabetes=np.array([0, 2, 1])), errors="report")
    assert list(r.status) == [RowStatus.OK, RowStatus.INVALID_CODE, RowStatus.OK]
    with pytest.raises(TypeError, match="strings"):
        models.china_par_10y(sex=1, age=40.0, **dict(CP, diabetes=np.array(["yes"])))


def test_lipid_units():
    a = models.framingham_cvd_10y(sex="male", age=55, tc_mgdl=213, hdl_mgdl=50, sbp=140, bp_treated=0, current_smoker=0, diabetes=0)
    b = models.framingham_cvd_10y(sex="male", age=55, tc_mmol=213 / 38.67, hdl_mmol=50 / 38.67, sbp=140, bp_treated=0, current_smoker=0, diabetes=0)
    assert abs(a - b) < 1e-9
    with pytest.raises(TypeError, match="not both"):
        models.framingham_cvd_10y(sex=1, age=55, tc_mgdl=213, tc_mmol=5.5, hdl_mgdl=50, sbp=140, bp_treated=0, current_smoker=0, diabetes=0)
    with pytest.raises(TypeError, match="tc_mmol"):
        models.framingham_cvd_10y(sex=1, age=55, hdl_mgdl=50, sbp=140, bp_treated=0, current_smoker=0, diabetes=0)


def test_prevent_outcomes_and_who_regions():
    kw = dict(sex="female", age=50, sbp=160, bp_treated=1, tc_mgdl=200, hdl_mgdl=45, statin=0, diabetes=1, current_smoker=0, egfr=90, bmi=35)
    cvd, ascvd, hf = (models.prevent_10y(outcome=o, **kw) for o in ("cvd", "ascvd", "hf"))
    assert abs(cvd - 14.7) < 0.05 and ascvd < cvd and hf < cvd
    r = models.prevent_10y(**dict(kw, bmi=np.array([np.nan])), errors="report")
    assert r.status[0] == RowStatus.NOT_FINITE and r.errors[0][1] == "bmi"
    w = dict(sex="male", age=60, sbp=150, tc_mmol=6.0, diabetes=0, current_smoker=1)
    assert models.who2019_lab(**w) != models.who2019_lab(region="china-country", **w)
    with pytest.raises(ValueError, match="region"):
        models.who2019_lab(region="mars", **w)
    assert 0 < models.who2019_nonlab(sex="F", age=60, sbp=150, bmi=24, current_smoker=0) < 100
    assert 0 < models.pce_10y(sex="female", age=55, tc_mgdl=213, hdl_mgdl=50, sbp=120, bp_treated=0, current_smoker=0, diabetes=0, race="african_american") < 100


def test_gil_is_released_while_computing():
    """While a model runs on a background thread, the main thread keeps executing
    Python code: impossible if the call held the GIL."""
    n = 4_000_000
    rng = np.random.default_rng(1)
    u8 = np.zeros(n, np.uint8)
    cols = dict(sex=rng.integers(0, 2, n).astype(np.uint8), age=rng.uniform(40, 79, n), sbp=rng.uniform(100, 180, n), bp_treated=u8, tc_mmol=rng.uniform(3.5, 7.5, n), hdl_mmol=rng.uniform(0.8, 2.0, n), statin=u8, diabetes=u8, current_smoker=u8, egfr=np.full(n, 90.0), bmi=np.full(n, 25.0))

    def count_while(th):
        k, t0 = 0, time.perf_counter()
        th.start()
        while th.is_alive():
            k += 1
        return k, time.perf_counter() - t0

    k0, e0 = count_while(threading.Thread(target=time.sleep, args=(0.3,)))
    solo_rate = k0 / e0
    k, elapsed = count_while(threading.Thread(target=lambda: [models.prevent_10y(**cols) for _ in range(3)]))
    assert elapsed > 0.05
    # Holding the GIL for the whole computation would leave the main loop close to 0.
    assert k / elapsed > 0.2 * solo_rate, (k, elapsed, solo_rate)


def test_float64_uint8_inputs_are_passed_through():
    age = np.full(3, 40.0)
    sex = np.ones(3, np.uint8)
    seen = {}
    real = cvdscreen._cvdscreen.model_batch

    def spy(model, cols, **kw):
        seen.update(cols)
        return real(model, cols, **kw)

    cvdscreen.models._cvdscreen.model_batch = spy
    try:
        models.china_par_10y(sex=sex, age=age, **CP)
    finally:
        cvdscreen.models._cvdscreen.model_batch = real
    assert seen["age"] is age and seen["sex"] is sex  # no copy on the Python side
    assert seen["sbp"] == 145.0 and seen["north"] == 1  # scalars broadcast in Rust, not materialised


def test_bool_int_float_flags_are_not_converted_in_python():
    n = 50_000
    rng = np.random.default_rng(3)
    age = rng.uniform(30, 90, n)
    dm_u8 = rng.integers(0, 2, n).astype(np.uint8)
    dm_u8[::97] = 7  # invalid code
    seen = {}
    real = cvdscreen._cvdscreen.model_batch

    def spy(model, cols, **kw):
        seen.update(cols)
        return real(model, cols, **kw)

    dm_bool = dm_u8 == 1
    dm_i64 = dm_u8.astype(np.int64)
    dm_f64 = dm_u8.astype(np.float64)
    dm_f64[::89] = np.nan  # missing
    cvdscreen.models._cvdscreen.model_batch = spy
    try:
        want = models.china_par_10y(sex=1, age=age, **dict(CP, diabetes=dm_u8), errors="report")
        got_b = models.china_par_10y(sex=1, age=age, **dict(CP, diabetes=dm_bool), errors="report")
        assert np.shares_memory(seen["diabetes"], dm_bool)  # a uint8 view, no copy
        got_i = models.china_par_10y(sex=1, age=age, **dict(CP, diabetes=dm_i64), errors="report")
        assert seen["diabetes"] is dm_i64
        got_f = models.china_par_10y(sex=1, age=age, **dict(CP, diabetes=dm_f64), errors="report")
        assert seen["diabetes"] is dm_f64
    finally:
        cvdscreen.models._cvdscreen.model_batch = real
    ref_f = models.china_par_10y(sex=1, age=age, **dict(CP, diabetes=[None if np.isnan(x) else float(x) for x in dm_f64]), errors="report")
    assert np.array_equal(got_b.values, np.where(dm_u8 == 1, want.values, models.china_par_10y(sex=1, age=age, **dict(CP, diabetes=0))), equal_nan=True)
    assert np.array_equal(got_i.values, want.values, equal_nan=True) and np.array_equal(got_i.status, want.status)
    assert np.array_equal(got_f.values, ref_f.values, equal_nan=True) and np.array_equal(got_f.status, ref_f.status)
    assert (got_f.status[::89] == RowStatus.MISSING_INPUT).all()
    assert got_f.errors[0][1] == "diabetes"


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_threads_give_identical_results(threads):
    n = 100_003  # not a multiple of the chunk or thread count
    rng = np.random.default_rng(5)
    kw = dict(
        sex=rng.integers(0, 2, n).astype(np.uint8), age=rng.uniform(25, 90, n), sbp=rng.uniform(60, 210, n),
        bp_treated=rng.integers(0, 2, n), tc_mmol=rng.uniform(1.5, 12, n), hdl_mmol=rng.uniform(0.4, 4.2, n),
        waist_cm=rng.uniform(45, 135, n), current_smoker=rng.integers(0, 2, n) == 1, diabetes=0, north=1,
        urban=rng.choice([0.0, 1.0, np.nan], n), family_history_ascvd=np.uint8(0),
    )
    one = models.china_par_10y(**kw, threads=1, errors="report")
    many = models.china_par_10y(**kw, threads=threads, errors="report")
    assert np.array_equal(one.values, many.values, equal_nan=True)
    assert np.array_equal(one.status, many.status)
    assert len(set(one.status.tolist())) >= 3
    ages = np.round(kw["age"]).astype(np.int64)  # int64 values are converted exactly as astype(float64)
    a = models.pce_10y(sex=kw["sex"], age=ages, tc_mmol=kw["tc_mmol"], hdl_mmol=kw["hdl_mmol"], sbp=kw["sbp"], bp_treated=kw["bp_treated"], current_smoker=kw["current_smoker"], diabetes=0, race="white", threads=threads)
    b = models.pce_10y(sex=kw["sex"], age=ages.astype(np.float64), tc_mmol=kw["tc_mmol"], hdl_mmol=kw["hdl_mmol"], sbp=kw["sbp"], bp_treated=kw["bp_treated"].astype(np.uint8), current_smoker=kw["current_smoker"].astype(np.uint8), diabetes=np.zeros(n, np.uint8), race=np.ones(n, np.uint8), threads=1)
    assert np.array_equal(a, b, equal_nan=True)


def test_simd_level_is_named_and_results_do_not_depend_on_it():
    level = models.simd_level()
    assert level.startswith(("baseline", "x86-64-v3", "x86-64-v4")), level
    # Dispatched batches equal the scalar path (one row at a time) bit for bit.
    rng = np.random.default_rng(7)
    n = 3000
    cols = dict(
        sex=rng.integers(0, 2, n).astype(np.uint8), age=rng.uniform(40, 74, n), sbp=rng.uniform(100, 190, n),
        bp_treated=rng.integers(0, 2, n).astype(np.uint8), tc_mmol=rng.uniform(3, 8, n), hdl_mmol=rng.uniform(0.8, 2.2, n),
        current_smoker=rng.integers(0, 2, n).astype(np.uint8), diabetes=rng.integers(0, 2, n).astype(np.uint8),
    )
    cp_extra = dict(waist_cm=rng.uniform(60, 110, n), north=1, urban=0, family_history_ascvd=0)
    batch = models.china_par_10y(**cols, **cp_extra)
    one = [models.china_par_10y(**{k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in {**cols, **cp_extra}.items()}) for i in range(0, n, 97)]
    assert [float(x) for x in batch[::97]] == one
    pce = models.pce_10y(**cols, race="white")
    assert np.array_equal(pce[::97], [models.pce_10y(**{k: v[i] for k, v in cols.items()}, race="white") for i in range(0, n, 97)])


def test_pandas_text_columns_and_codes_name_what_was_passed():
    pd = pytest.importorskip("pandas")
    v = models.china_par_10y(sex=pd.Series(["male", "female", None, "x"]), age=50.0, errors="report", **CP)
    assert list(v.status) == [RowStatus.OK, RowStatus.OK, RowStatus.MISSING_INPUT, RowStatus.INVALID_CODE]
    row, field, value, message = v.errors[1]
    assert (row, field, value) == (3, "sex", "x") and "'x'" in message and "expected" in message
    assert "China-PAR" in v.errors[0][3]
    r = models.china_par_10y(sex=1, age=40.0, **dict(CP, diabetes=np.array([0, 3])), errors="report")
    assert r.errors[0][:3] == (1, "diabetes", 3)


def test_scalar_report_never_raises():
    r = models.china_par_10y(sex=1, age=10.0, errors="report", **CP)
    assert isinstance(r, ModelResult) and r.status[0] == RowStatus.OUT_OF_RANGE
    assert r.errors[0][1] == "age" and np.isnan(r.values[0])
    with pytest.raises(InputError):
        models.china_par_10y(sex=1, age=10.0, **CP)


def test_lipid_none_is_not_known_but_leaving_both_out_is_a_type_error():
    kw = {k: v for k, v in CP.items() if k != "tc_mmol"}
    with pytest.raises(InputError) as e:
        models.china_par_10y(sex=1, age=50.0, tc_mmol=None, **kw)
    assert e.value.field == "tc_mmol"
    r = models.china_par_10y(sex=1, age=np.array([50.0, 60.0]), tc_mmol=None, errors="report", **kw)
    assert list(r.failed) == [0, 1]
    with pytest.raises(TypeError, match="missing required argument `tc_mmol` or `tc_mgdl`"):
        models.china_par_10y(sex=1, age=50.0, **kw)
    with pytest.raises(TypeError, match="not both"):
        models.china_par_10y(sex=1, age=50.0, tc_mmol=5.0, tc_mgdl=200.0, **kw)
    # The unit not used may be passed as None.
    a = models.china_par_10y(sex=1, age=50.0, tc_mmol=None, tc_mgdl=5.2 * 38.67, **kw)
    assert a == models.china_par_10y(sex=1, age=50.0, tc_mgdl=5.2 * 38.67, **kw)


def test_threads_below_one_is_a_value_error():
    with pytest.raises(ValueError, match="threads"):
        models.china_par_10y(sex=1, age=50.0, threads=0, **CP)
