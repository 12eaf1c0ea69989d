"""The table API: pandas / polars data frames and dicts of columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

import numpy as np

from . import _cvdscreen
from ._record import OUTPUT_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["screen", "indicators"]

T = TypeVar("T")


def _kind(table: object) -> str:
    mod = type(table).__module__.split(".")[0]
    name = type(table).__name__
    if mod == "pandas" and name == "DataFrame":
        return "pandas"
    if mod == "polars" and name == "DataFrame":
        return "polars"
    if isinstance(table, Mapping):
        return "dict"
    raise TypeError(
        "table must be a pandas DataFrame, a polars DataFrame or a dict of columns "
        f"(numpy arrays or lists) keyed by exchange-format names, got {type(table).__name__}"
    )


def _numpy_column(name: str, a: np.ndarray) -> Any:
    """A column as the Rust side reads it: float64 / int64 / bool in place,
    anything else as an object array converted value by value."""
    if a.ndim != 1:
        raise TypeError(f"column `{name}` must be 1-D, got {a.ndim}-D")
    k = a.dtype.kind
    if k == "f":
        return np.ascontiguousarray(a, dtype=np.float64)
    if k in "iu":
        if k == "u" and a.dtype.itemsize == 8 and a.size and a.max() > np.iinfo(np.int64).max:
            return a.astype(object)
        return np.ascontiguousarray(a, dtype=np.int64)
    if k == "b":
        return np.ascontiguousarray(a, dtype=np.bool_)
    return a.astype(object)


def _pandas_column(name: str, s: Any) -> Any:
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        return _numpy_column(name, s.to_numpy())
    # Extension dtypes (nullable Int64/boolean, str, category) and datetimes: values
    # one by one, missing as None.
    return s.to_numpy(dtype=object, na_value=None)


def _columns(table: Any, kind: str) -> Tuple[List[str], List[Any]]:
    names: List[str] = []
    cols: List[Any] = []
    if kind == "pandas":
        for name in table.columns:
            names.append(str(name))
            cols.append(_pandas_column(str(name), table[name]))
    elif kind == "polars":
        for s in table.get_columns():
            names.append(s.name)
            cols.append(_numpy_column(s.name, np.asarray(s.to_numpy())))
    else:
        for name, v in table.items():
            if not isinstance(name, str):
                raise TypeError(f"column names must be str, got {type(name).__name__}")
            if isinstance(v, np.ndarray):
                cols.append(_numpy_column(name, v))
            elif isinstance(v, (list, tuple)):
                cols.append(v)
            elif hasattr(v, "to_numpy"):
                cols.append(_pandas_column(name, v) if hasattr(v, "dtype") and hasattr(v, "index") else _numpy_column(name, np.asarray(v.to_numpy())))
            else:
                raise TypeError(
                    f"column `{name}`: expected a numpy array, list or Series, got {type(v).__name__}"
                )
            names.append(name)
    return names, cols


def screen(
    table: T,
    *,
    profile: str = "mpp-national",
    region: Optional[str] = None,
    threads: Optional[int] = None,
    keep_input: bool = True,
) -> T:
    """Screens every row of a table, like ``cvdscreen screen`` on a CSV file.

    ``table`` is a pandas DataFrame, a polars DataFrame or a dict of columns (numpy
    arrays or lists) with exchange-format column names; the result is the same kind
    of table with one row per input row, in order: the input columns (unless
    ``keep_input=False``; an input column named like an output column is replaced),
    then every output column of ``cvdscreen screen`` with the CLI's cell text.
    Duplicate ids / identity numbers (DQ-PRG-6) are found over the whole table.
    Rows are screened in Rust on ``threads`` threads (default: all cores) with the
    GIL released.
    """
    kind = _kind(table)
    names, cols = _columns(table, kind)
    out = _cvdscreen.screen_columns(names, cols, profile, region, threads)
    outputs = set(OUTPUT_COLUMNS)
    t: Any = table
    if kind == "pandas":
        import pandas as pd

        # pandas ≥ 3 has a string dtype by default; older pandas keeps str objects.
        dtype = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
        result = pd.DataFrame(
            {name: pd.Series(arr, index=t.index, dtype=dtype) for name, arr in out}, index=t.index
        )
        if keep_input:
            kept = t.drop(columns=[c for c in t.columns if str(c) in outputs])
            result = pd.concat([kept, result], axis=1)
        return result  # type: ignore[no-any-return]
    if kind == "polars":
        import polars as pl

        series = [pl.Series(name, arr, dtype=pl.String) for name, arr in out]
        if keep_input:
            kept = t.drop([c for c in t.columns if c in outputs])
            return kept.with_columns(series)  # type: ignore[no-any-return]
        return pl.DataFrame(series)  # type: ignore[return-value]
    d: Dict[str, Any] = {}
    if keep_input:
        for name, v in t.items():
            if name not in outputs:
                d[name] = np.asarray(v)
    for name, arr in out:
        d[name] = arr
    return d  # type: ignore[return-value]



def indicators(
    table: Any,
    by: Sequence[str] = ("site_id", "month", "sex", "age_band"),
    *,
    profile: str = "mpp-national",
    region: Optional[str] = None,
    threads: Optional[int] = None,
) -> "pd.DataFrame":
    """Screening indicators (IND-MPP-*, IND-HTN-*, IND-DM-*, IND-QC-*) of a table,
    grouped by any of ``site_id``, ``month`` (of ``screen_date``), ``sex`` and
    ``age_band``, from the core's streaming accumulator.

    Returns a long pandas DataFrame: the grouping columns, then ``indicator``,
    ``key`` (sub-indicator, ``""`` for the headline), ``numerator``,
    ``denominator``, ``value`` (percent) and ``anomaly`` (IND-GEN-6).
    """
    import pandas as pd

    if isinstance(by, str):
        by = [by]
    kind = _kind(table)
    names, cols = _columns(table, kind)
    rows = _cvdscreen.indicator_rows(names, cols, list(by), profile, region, threads)
    columns = ["site_id", "month", "sex", "age_band", "indicator", "key", "numerator", "denominator", "value", "anomaly"]
    df = pd.DataFrame.from_records(rows, columns=columns)
    grouped = {"site_id": "site_id" in by or "site" in by, "month": "month" in by or "period" in by, "sex": "sex" in by, "age_band": "age_band" in by}
    df = df.drop(columns=[c for c, g in grouped.items() if not g])
    df["numerator"] = df["numerator"].astype("float64")
    df["denominator"] = pd.to_numeric(df["denominator"], errors="coerce").astype("float64")
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    df["anomaly"] = df["anomaly"].astype(bool)
    return df
