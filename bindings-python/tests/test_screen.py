"""screen(table) against the CLI, row for row, for pandas, polars and dict inputs;
indicators(table)."""

import csv
import subprocess

import numpy as np
import pandas as pd
import polars as pl
import pytest

import cvdscreen

from conftest import SAMPLE


@pytest.fixture(scope="module")
def cli_out(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out.csv"
    subprocess.run([str(cli), "screen", str(SAMPLE), "-o", str(out), "--no-progress"], check=True, capture_output=True)
    return pd.read_csv(out, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def ragged_rows():
    """Rows of the sample with a wrong number of fields: a CSV-level condition that a
    data frame cannot represent (pandas pads them), so they are left out of the
    comparison."""
    with open(SAMPLE, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return {i for i, r in enumerate(rows[1:]) if len(r) != len(rows[0])}


def assert_same(out_cols, cli_out, ragged):
    keep = [i for i in range(len(cli_out)) if i not in ragged]
    assert len(keep) > 1900
    for c in cvdscreen.OUTPUT_COLUMNS:
        got = np.asarray(out_cols[c], dtype=object)[keep]
        want = cli_out[c].to_numpy(dtype=object)[keep]
        diff = np.flatnonzero(got != want)
        assert diff.size == 0, (c, [(keep[i], got[i], want[i]) for i in diff[:5]])


def test_pandas_text_columns_equal_cli(cli_out, ragged_rows):
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    out = cvdscreen.screen(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(cli_out.columns)  # input columns, then output columns
    assert list(out.columns[-len(cvdscreen.OUTPUT_COLUMNS):]) == list(cvdscreen.OUTPUT_COLUMNS)
    assert out["id"].tolist() == df["id"].tolist()
    assert_same(out, cli_out, ragged_rows)
    assert (out["qc_findings"].to_numpy()[sorted(ragged_rows)] != "DQ-PARSE-1").all()


def test_pandas_typed_columns_equal_cli(cli_out, ragged_rows):
    # Default pandas dtypes: floats, ints, NaN for empty cells; floats reach the core
    # as round-trip text.
    df = pd.read_csv(SAMPLE, dtype={"id": str, "id_number": str, "site_id": str})
    assert (df.dtypes == "float64").sum() > 10
    out = cvdscreen.screen(df)
    assert_same(out, cli_out, ragged_rows)
    assert out.index.equals(df.index)


def test_polars_equal_cli(cli_out, ragged_rows):
    df = pl.read_csv(SAMPLE, infer_schema_length=0)  # every column as text
    out = cvdscreen.screen(df)
    assert isinstance(out, pl.DataFrame) and out.columns == list(cli_out.columns)
    assert_same({c: out[c].to_numpy() for c in cvdscreen.OUTPUT_COLUMNS}, cli_out, ragged_rows)
    typed = pl.read_csv(SAMPLE, schema_overrides={"id_number": pl.String, "id": pl.String}, infer_schema_length=10000)
    out2 = cvdscreen.screen(typed)
    assert_same({c: out2[c].to_numpy() for c in cvdscreen.OUTPUT_COLUMNS}, cli_out, ragged_rows)


def test_dict_of_numpy_and_lists_equal_cli(cli_out, ragged_rows):
    df = pd.read_csv(SAMPLE, dtype={"id": str, "id_number": str, "site_id": str})
    d = {c: df[c].to_numpy() for c in df.columns}
    d["sex"] = df["sex"].tolist()  # a plain list with NaN for missing
    out = cvdscreen.screen(d)
    assert isinstance(out, dict) and list(out)[-len(cvdscreen.OUTPUT_COLUMNS):] == list(cvdscreen.OUTPUT_COLUMNS)
    assert all(isinstance(v, np.ndarray) and len(v) == len(df) for v in out.values())
    assert_same(out, cli_out, ragged_rows)
    only = cvdscreen.screen(d, keep_input=False)
    assert list(only) == list(cvdscreen.OUTPUT_COLUMNS)


def test_duplicates_are_found_over_the_whole_table():
    t = {"id": ["A", "B", "A"], "sex": ["male", "female", "male"], "age": [50, 60, 70]}
    out = cvdscreen.screen(t)
    dup = ["DQ-PRG-6" in f.split(";") for f in out["qc_findings"]]
    assert dup == [True, False, True]
    # One row at a time cannot see them.
    assert "DQ-PRG-6" not in cvdscreen.screen({k: v[:1] for k, v in t.items()})["qc_findings"][0]


def test_input_column_named_like_an_output_column_is_replaced():
    t = pd.DataFrame({"id": ["A"], "qc_status": ["bogus"], "note": ["kept"]})
    out = cvdscreen.screen(t)
    assert out.columns.tolist() == ["id", "note", *cvdscreen.OUTPUT_COLUMNS]
    assert out["qc_status"][0] != "bogus"


def test_threads_do_not_change_results():
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    a = cvdscreen.screen(df, threads=1)
    b = cvdscreen.screen(df, threads=3)
    assert a.equals(b)
    # Many blocks taken by 3 threads in whatever order: rows stay in order.
    big = pd.concat([df] * 12, ignore_index=True)
    big["id"] = [f"R{i}" for i in range(len(big))]
    one = cvdscreen.screen(big, threads=1, keep_input=False)
    three = cvdscreen.screen(big, threads=3, keep_input=False)
    assert one.equals(three)
    assert one["plan"].tolist()[:len(df)] == a["plan"].tolist()


def test_table_errors():
    with pytest.raises(TypeError, match="table"):
        cvdscreen.screen([1, 2, 3])  # type: ignore[type-var]
    with pytest.raises(ValueError, match="`id`"):
        cvdscreen.screen({"age": [50]})
    with pytest.raises(ValueError, match="rows"):
        cvdscreen.screen({"id": ["A", "B"], "age": [50]})
    with pytest.raises(TypeError, match="age"):
        cvdscreen.screen({"id": ["A"], "age": [{"nested": 1}]})
    with pytest.raises(TypeError, match="2-D"):
        cvdscreen.screen({"id": ["A"], "age": np.zeros((1, 2))})
    with pytest.raises(ValueError, match="profile"):
        cvdscreen.screen({"id": ["A"]}, profile="x")


def test_garbage_cells_become_parse_findings():
    t = {
        "id": np.array(["A", "B", "C", None], dtype=object),
        "age": np.array([np.nan, "abc", 50, None], dtype=object),
        "sex": np.array([True, "女", 1.5, pd.NA], dtype=object),
        "screen_date": np.array(["2025-01-01", "2025-13-40", np.datetime64("2025-02-03"), pd.NaT], dtype=object),
        "sbp": np.array([120, 130, 140, 150], dtype=np.uint16),
        "bp_treated": np.array([True, False, True, False]),
    }
    out = cvdscreen.screen(t)
    f = out["qc_findings"]
    assert "DQ-PARSE-1" in f[1]  # age "abc", bad date
    assert len(f) == 4 and set(out["qc_status"]) <= {"ok", "warn", "reject"}


def test_empty_table():
    out = cvdscreen.screen(pd.DataFrame({"id": pd.Series([], dtype=str)}))
    assert len(out) == 0 and list(out.columns)[1:] == list(cvdscreen.OUTPUT_COLUMNS)


def test_indicators_long_table():
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    ind = cvdscreen.indicators(df, by=["site_id", "sex"])
    assert list(ind.columns) == ["site_id", "sex", "indicator", "key", "numerator", "denominator", "value", "anomaly"]
    sites = set(df["site_id"])
    assert set(ind["site_id"]) <= sites | {""}
    rate = ind[(ind.indicator == "IND-MPP-4") & (ind.key == "")]
    v = rate.value.dropna()
    assert len(v) > 5 and ((v >= 0) & (v <= 100)).all()
    assert rate[rate.denominator == 0].value.isna().all()
    # Grouping by nothing gives one group whose detection rate agrees with screen().
    total = cvdscreen.indicators(df, by=[])
    assert list(total.columns) == ["indicator", "key", "numerator", "denominator", "value", "anomaly"]
    out = cvdscreen.screen(df)
    ok = out[out.qc_status != "reject"]
    # Persons are deduplicated by id in the indicators; rows in screen().
    hr = total[(total.indicator == "IND-MPP-3") & (total.key == "")].numerator.iloc[0]
    assert abs(hr - (ok.high_risk == "yes").sum()) <= out["id"].duplicated().sum()
    with pytest.raises(ValueError, match="group"):
        cvdscreen.indicators(df, by=["colour"])


def test_arrow_text_columns_read_in_place_equal_object_columns():
    """pandas `str` columns backed by pyarrow are read from the Arrow buffers; the
    result equals the same table given as Python str objects, with nulls, non-ASCII
    text, sliced arrays, several chunks, 32- and 64-bit offsets."""
    pa = pytest.importorskip("pyarrow")
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).iloc[:400]
    df.loc[df.index[3], "sex"] = None
    df.loc[df.index[5], "sex"] = "女"
    obj = {c: df[c].to_numpy(dtype=object, na_value=None) for c in df.columns}
    want = cvdscreen.screen(obj, keep_input=False)
    variants = {
        "large": lambda a: pa.array(a, type=pa.large_string()),
        "small": lambda a: pa.array(a, type=pa.string()),
        "sliced": lambda a: pa.array([None, "x", *a, "y"], type=pa.large_string()).slice(2, len(a)),
        "chunked": lambda a: pa.chunked_array([pa.array(a[:150], type=pa.string()), pa.array(a[150:], type=pa.string())]),
    }
    from cvdscreen import _table

    for name, make in variants.items():
        cols = {c: _table._utf8_column(make(list(v))) for c, v in obj.items()}
        assert all(isinstance(v, cvdscreen._cvdscreen.Utf8Column) for v in cols.values())
        got = cvdscreen._cvdscreen.screen_columns(list(cols), list(cols.values()))
        for c, arr in got:
            assert list(arr) == list(want[c]), (name, c)
        via_dict = cvdscreen.screen({c: make(list(v)) for c, v in obj.items()}, keep_input=False)
        assert all(list(via_dict[c]) == list(want[c]) for c in cvdscreen.OUTPUT_COLUMNS), name
    if int(pd.__version__.split(".")[0]) >= 3:
        s = pd.Series(obj["sex"], dtype="str")
        if getattr(s.dtype, "storage", "") == "pyarrow":
            assert isinstance(_table._pandas_column("sex", s), cvdscreen._cvdscreen.Utf8Column)


def test_utf8_column_is_validated():
    with pytest.raises(ValueError, match="offsets"):
        cvdscreen._cvdscreen.Utf8Column(np.frombuffer(b"ab", np.uint8), np.array([0, 1], np.int64), None, 0, 2)
    bad = cvdscreen._cvdscreen.Utf8Column(np.frombuffer(b"ab", np.uint8), np.array([0, 5], np.int64), None, 0, 1)
    with pytest.raises(ValueError, match="offset"):
        cvdscreen._cvdscreen.screen_columns(["id"], [bad])
    inside = cvdscreen._cvdscreen.Utf8Column(np.frombuffer("女".encode(), np.uint8), np.array([0, 1], np.int32), None, 0, 1)
    with pytest.raises(ValueError, match="character"):
        cvdscreen._cvdscreen.screen_columns(["id"], [inside])


def test_float_cells_have_the_display_text():
    """Floats reach the core as the shortest round-trip text (Rust `Display`); whole
    numbers take a faster integer path that must give the same text."""
    ages = [45.0, 45.5, 0.1, -0.0, 0.0, 1e15, 999999999999999.0, 123456789.0, -7.0, 1e-7, 2.5e20, np.inf]
    text = ["45", "45.5", "0.1", "-0", "0", "1000000000000000", "999999999999999", "123456789", "-7", "0.0000001", "250000000000000000000", "inf"]
    n = len(ages)
    a = cvdscreen.screen({"id": [f"P{i}" for i in range(n)], "sex": ["male"] * n, "age": np.array(ages), "sbp_1": np.array(ages)}, keep_input=False)
    b = cvdscreen.screen({"id": [f"P{i}" for i in range(n)], "sex": ["male"] * n, "age": text, "sbp_1": text}, keep_input=False)
    for c in cvdscreen.OUTPUT_COLUMNS:
        assert list(a[c]) == list(b[c]), c
    ints = np.array([0, -1, 7, 2**62, -(2**63)], dtype=np.int64)
    c = cvdscreen.screen({"id": ["A"] * 5, "age": ints}, keep_input=False)
    d = cvdscreen.screen({"id": ["A"] * 5, "age": [str(int(v)) for v in ints]}, keep_input=False)
    for col in cvdscreen.OUTPUT_COLUMNS:
        assert list(c[col]) == list(d[col]), col


def test_pandas_result_columns_are_arrow_backed_str():
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False).iloc[:50]
    out = cvdscreen.screen(df)
    if int(pd.__version__.split(".")[0]) >= 3:
        assert all(out[c].dtype == pd.Series(["a"], dtype="str").dtype for c in cvdscreen.OUTPUT_COLUMNS)
    else:
        assert all(out[c].dtype == object for c in cvdscreen.OUTPUT_COLUMNS)
    assert all(isinstance(v, str) for v in out["plan"])


def test_unknown_columns_of_any_content_are_carried_through():
    from decimal import Decimal

    base = {"id": "a1", "sex": "male", "age": 60, "sbp_1": 150, "sbp_2": 152, "dbp_1": 90, "dbp_2": 92}
    df = pd.DataFrame([dict(base, tags=["x"], meta={"k": 1}, blob=b"\x00")])
    out = cvdscreen.screen(df)
    assert out["tags"].iloc[0] == ["x"] and out["meta"].iloc[0] == {"k": 1}
    plain = cvdscreen.screen(pd.DataFrame([base]))
    for c in cvdscreen.OUTPUT_COLUMNS:
        assert out[c].iloc[0] == plain[c].iloc[0], c
    pl_out = cvdscreen.screen(pl.DataFrame([dict(base, tags=["x", "y"])]))
    assert pl_out["tags"].to_list() == [["x", "y"]] and pl_out["qc_status"][0] == plain["qc_status"].iloc[0]
    # A Decimal in a known numeric column reads as its decimal text, as in a CSV file.
    dec = cvdscreen.screen(pd.DataFrame([dict(base, tc_mmol=Decimal("5.50"))]))
    txt = cvdscreen.screen(pd.DataFrame([dict(base, tc_mmol="5.50")]))
    for c in cvdscreen.OUTPUT_COLUMNS:
        assert dec[c].iloc[0] == txt[c].iloc[0], c


def test_repeated_column_names_use_the_first_like_the_cli():
    df = pd.DataFrame([["a1", "male", 60, 61]], columns=["id", "sex", "age", "age"])
    out = cvdscreen.screen(df)
    want = cvdscreen.screen(pd.DataFrame([["a1", "male", 60]], columns=["id", "sex", "age"]))
    for c in cvdscreen.OUTPUT_COLUMNS:
        assert out[c].iloc[0] == want[c].iloc[0], c


def test_table_level_errors():
    with pytest.raises(cvdscreen.InputError) as e:
        cvdscreen.screen(pd.DataFrame({"age": [60]}))
    assert e.value.field == "id" and isinstance(e.value, cvdscreen.Error)
    with pytest.raises(ValueError, match="threads"):
        cvdscreen.screen(pd.DataFrame({"id": ["a"]}), threads=-1)
    assert len(cvdscreen.screen(pd.DataFrame({" id ": ["a"]}))) == 1


def test_polars_lazyframe_is_collected_and_returned_lazy():
    df = pl.DataFrame({"id": ["a1", "a2"], "sex": ["male", "female"], "age": [60, 70]})
    out = cvdscreen.screen(df.lazy())
    assert isinstance(out, pl.LazyFrame)
    assert out.collect().equals(cvdscreen.screen(df))
