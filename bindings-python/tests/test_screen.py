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
