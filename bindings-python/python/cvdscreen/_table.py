"""The table API: pandas / polars data frames and dicts of columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

import numpy as np

from . import _cvdscreen
from ._errors import InputError, _check_threads
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


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        return None
    return pyarrow


def _utf8_column(arr: Any) -> Any:
    """An Arrow string array (or chunked array) as a ``Utf8Column`` that Rust reads
    in place from the Arrow buffers (no Python object per cell); ``None`` when it is
    not text."""
    pa = _pyarrow()
    if pa is None:
        return None
    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks == 1:
            arr = arr.chunk(0)
        elif arr.num_chunks == 0:
            arr = pa.array([], type=pa.large_string())
        else:
            arr = arr.combine_chunks()
    if not isinstance(arr, pa.Array):
        return None
    is_view = getattr(pa.types, "is_string_view", None)
    if is_view is not None and is_view(arr.type):
        arr = arr.cast(pa.large_string())
    if pa.types.is_large_string(arr.type):
        otype: Any = np.int64
    elif pa.types.is_string(arr.type):
        otype = np.int32
    else:
        return None
    n, off = len(arr), arr.offset
    validity, offsets, data = arr.buffers()[:3]
    if offsets is None:
        offsets_np = np.zeros(off + n + 1, dtype=otype)
    else:
        offsets_np = np.frombuffer(offsets, dtype=otype, count=off + n + 1)
    data_np = np.zeros(0, np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
    valid_np = None
    if validity is not None and arr.null_count:
        valid_np = np.frombuffer(validity, dtype=np.uint8, count=(off + n + 7) // 8)
    return _cvdscreen.Utf8Column(data_np, offsets_np, valid_np, off, n)


def _pandas_column(name: str, s: Any) -> Any:
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        return _numpy_column(name, s.to_numpy())
    # Arrow-backed text (pandas ≥ 3 `str` with pyarrow, `string[pyarrow]`,
    # ArrowDtype(string)): read in place from the Arrow buffers.
    if not isinstance(dtype, np.dtype) and hasattr(s.array, "__arrow_array__") and _pyarrow() is not None:
        if "str" in str(dtype) or "string" in str(dtype):
            col = _utf8_column(s.array.__arrow_array__())
            if col is not None:
                return col
    # Extension dtypes (nullable Int64/boolean, str, category) and datetimes: values
    # one by one, missing as None.
    return s.to_numpy(dtype=object, na_value=None)


def _columns(table: Any, kind: str) -> Tuple[List[str], List[Any]]:
    names: List[str] = []
    cols: List[Any] = []
    if kind == "pandas":
        # By position: a repeated name would select several columns (the CLI reads a
        # repeated header name too; the core uses the first).
        for j, name in enumerate(table.columns):
            names.append(str(name))
            cols.append(_pandas_column(str(name), table.iloc[:, j]))
    elif kind == "polars":
        import polars as pl

        for s in table.get_columns():
            names.append(s.name)
            col = None
            if s.dtype == pl.String and _pyarrow() is not None:
                col = _utf8_column(s.to_arrow())
            cols.append(col if col is not None else _numpy_column(s.name, np.asarray(s.to_numpy())))
    else:
        for name, v in table.items():
            if not isinstance(name, str):
                raise TypeError(f"column names must be str, got {type(name).__name__}")
            if isinstance(v, np.ndarray):
                cols.append(_numpy_column(name, v))
            elif isinstance(v, (list, tuple)):
                cols.append(v)
            elif type(v).__module__.startswith("pyarrow") and hasattr(v, "to_numpy"):
                col = _utf8_column(v)  # Arrow text in place; other Arrow types via numpy
                cols.append(col if col is not None else _numpy_column(name, np.asarray(v.to_numpy(zero_copy_only=False))))
            elif hasattr(v, "to_numpy"):
                cols.append(_pandas_column(name, v) if hasattr(v, "dtype") and hasattr(v, "index") else _numpy_column(name, np.asarray(v.to_numpy())))
            else:
                raise TypeError(
                    f"column `{name}`: expected a numpy array, list or Series, got {type(v).__name__}"
                )
            names.append(name)
    return names, cols


def _checked(names: List[str], threads: Optional[int]) -> None:
    """Table-level problems, raised before any row is read: no `id` column (names are
    matched as the core's header does: exactly, after trimming spaces and a leading
    byte-order mark) and a thread count below 1."""
    _check_threads(threads)
    trimmed = [n.lstrip("\ufeff").strip() if i == 0 else n.strip() for i, n in enumerate(names)]
    if names and "id" not in trimmed:
        raise InputError(
            "required column `id` missing (column names are matched exactly, case-sensitive; "
            "csv-schema.md: `id` is required)",
            field="id",
        )


def _large_strings(pa: Any, chunks: Sequence[Tuple[np.ndarray, np.ndarray]]) -> Any:
    """A pyarrow ``large_string`` chunked array over the (offsets, data) buffers
    built in Rust, one chunk per block of rows; no copy."""
    return pa.chunked_array(
        [pa.LargeStringArray.from_buffers(len(o) - 1, pa.py_buffer(o), pa.py_buffer(d)) for o, d in chunks],
        type=pa.large_string(),
    )


def screen(
    table: T,
    *,
    profile: str = "mpp-national",
    region: Optional[str] = None,
    threads: Optional[int] = None,
    keep_input: bool = True,
) -> T:
    """Screens every row of a table, like ``cvdscreen screen`` on a CSV file.

    ``table`` is a pandas DataFrame, a polars DataFrame (a ``LazyFrame`` is collected
    first and the result is returned as a ``LazyFrame``) or a dict of columns (numpy
    arrays, lists, Series or pyarrow arrays) with exchange-format column names; the result is the same kind
    of table with one row per input row, in order: the input columns (unless
    ``keep_input=False``; an input column named like an output column is replaced),
    then every output column of ``cvdscreen screen`` with the CLI's cell text.
    Duplicate ids / identity numbers (DQ-PRG-6) are found over the whole table.
    Rows are screened in Rust on ``threads`` threads (default: all cores) with the
    GIL released. Numeric columns are read from their numpy buffers and Arrow-backed
    text (pandas ``str`` with pyarrow, polars ``String``, pyarrow arrays) from the
    Arrow buffers; with pyarrow installed, pandas (≥ 3) and polars results are
    built from Arrow buffers filled in Rust, without a Python object per cell.
    """
    if type(table).__module__.split(".")[0] == "polars" and type(table).__name__ == "LazyFrame":
        # Screening needs every row (duplicate ids are found over the whole table): the
        # plan is collected, screened, and handed back as a LazyFrame.
        return screen(table.collect(), profile=profile, region=region, threads=threads, keep_input=keep_input).lazy()  # type: ignore[attr-defined, no-any-return]
    kind = _kind(table)
    names, cols = _columns(table, kind)
    _checked(names, threads)
    outputs = set(OUTPUT_COLUMNS)
    t: Any = table
    pa = _pyarrow()
    if kind == "pandas":
        import pandas as pd

        # pandas ≥ 3 has a string dtype by default; older pandas keeps str objects.
        dtype: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
        if dtype == "str" and pa is not None and getattr(pd.Series([], dtype="str").dtype, "storage", "") == "pyarrow":
            # The `str` dtype is Arrow-backed: wrap the Arrow buffers built in Rust.
            arrow = _cvdscreen.screen_columns_arrow(names, cols, profile, region, threads)
            data = {name: pd.Series(_large_strings(pa, chunks), index=t.index, dtype="str") for name, chunks in arrow}
        else:
            out = _cvdscreen.screen_columns(names, cols, profile, region, threads)
            data = {name: pd.Series(arr, index=t.index, dtype=dtype) for name, arr in out}
        result = pd.DataFrame(data, index=t.index)
        if keep_input:
            kept = t.drop(columns=[c for c in t.columns if str(c) in outputs])
            result = pd.concat([kept, result], axis=1)
        return result  # type: ignore[no-any-return]
    if kind == "polars":
        import polars as pl

        if pa is not None:
            arrow = _cvdscreen.screen_columns_arrow(names, cols, profile, region, threads)
            series = [pl.Series(name, _large_strings(pa, chunks), dtype=pl.String) for name, chunks in arrow]
        else:
            out = _cvdscreen.screen_columns(names, cols, profile, region, threads)
            series = [pl.Series(name, arr, dtype=pl.String) for name, arr in out]
        if keep_input:
            kept = t.drop([c for c in t.columns if c in outputs])
            return kept.with_columns(series)  # type: ignore[no-any-return]
        return pl.DataFrame(series)  # type: ignore[return-value]
    out = _cvdscreen.screen_columns(names, cols, profile, region, threads)
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
    _checked(names, threads)
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
