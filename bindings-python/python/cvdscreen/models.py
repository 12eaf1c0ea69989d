"""Risk models over scalars or numpy arrays.

Keyword arguments are named as the exchange-format columns (``sex``, ``age``,
``sbp``, ``tc_mmol`` or ``tc_mgdl``, ...). Scalars and arrays broadcast together;
a 1-D contiguous float64 array of the full length is read in place by the Rust
core (no copy), as are uint8 code arrays and bool arrays (viewed as uint8); int64
values and int64 / float64 flags are converted chunk by chunk in Rust; scalars are
broadcast without building full-length arrays; anything else is converted once
here. The GIL is released while computing, and large inputs are split across
``threads`` threads (default: every core; the result does not depend on it).
Results are percentages.

Invalid rows are never dropped: with ``errors="nan"`` (default) they are NaN,
with ``errors="report"`` a :class:`ModelResult` carries per-row status codes and
messages, with ``errors="raise"`` the first one raises :class:`InputError`
(``.field``, ``.value``, ``.row``). Scalar calls return a float and raise
``InputError`` when the inputs cannot be used, unless ``errors="report"``, which
returns a one-row :class:`ModelResult` and never raises.

``sex`` is ``"male"``/``"female"`` (also ``"M"``/``"F"``, ``"男"``/``"女"``) or a
number/boolean with 1 = male. Booleans are 0/1, ``True``/``False``; NaN or
``None`` means not known.
"""

from __future__ import annotations

import enum
from typing import Any, Dict, Iterator, List, Literal, Mapping, Optional, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

from . import _cvdscreen
from ._errors import InputError, _check_threads

__all__ = [
    "RowStatus",
    "ModelResult",
    "china_par_10y",
    "who2019_lab",
    "who2019_nonlab",
    "pce_10y",
    "prevent_10y",
    "prevent_30y",
    "framingham_cvd_10y",
    "simd_level",
]

Risk = Union[float, npt.NDArray[np.float64]]
Errors = Literal["nan", "raise", "report"]

_MISSING = 255
_INVALID = 254


class RowStatus(enum.IntEnum):
    """Per-row status codes (the core's ``models::batch::RowStatus``)."""

    OK = 0
    FLAGGED = 1
    OUT_OF_RANGE = 2
    NOT_FINITE = 3
    MISSING_INPUT = 4
    INVALID_CODE = 5
    DATA_TABLE = 6


class ModelResult:
    """Values with per-row status (``errors="report"``); unpacks as
    ``values, status = result``."""

    values: npt.NDArray[np.float64]
    status: npt.NDArray[np.uint8]

    def __init__(
        self,
        values: npt.NDArray[np.float64],
        status: npt.NDArray[np.uint8],
        explain: Any,
    ) -> None:
        self.values = values
        self.status = status
        self._explain = explain
        self._errors: Optional[List[Tuple[int, str, Any, str]]] = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.values, self.status))

    def __len__(self) -> int:
        return len(self.values)

    @property
    def failed(self) -> npt.NDArray[np.intp]:
        """Indices of the rows that were not computed."""
        return np.flatnonzero(self.status >= RowStatus.OUT_OF_RANGE)

    @property
    def errors(self) -> List[Tuple[int, str, Any, str]]:
        """``(row, field, value, message)`` of every failed row."""
        if self._errors is None:
            rows = [int(i) for i in self.failed]
            whys = self._explain(rows) if rows else []
            self._errors = [
                (r, w[0], w[1], w[2]) for r, w in zip(rows, whys) if w is not None
            ]
        return self._errors

    @property
    def messages(self) -> List[Optional[str]]:
        """One entry per row: why it was not computed, or ``None``."""
        out: List[Optional[str]] = [None] * len(self.values)
        for row, _, _, msg in self.errors:
            out[row] = msg
        return out

    def __repr__(self) -> str:
        n = len(self.values)
        return f"ModelResult(rows={n}, failed={len(self.failed)})"


def simd_level() -> str:
    """The instruction set that China-PAR, PCE, Framingham and WHO 2019 batches use here.

    Chosen at run time: the baseline of the platform, ``x86-64-v3 (AVX2)`` or
    ``x86-64-v4 (AVX-512)``. The values are the same bits at every level; only the
    speed differs.
    """
    return _cvdscreen.simd_level()


def _type_error(name: str, v: object) -> TypeError:
    return TypeError(
        f"`{name}`: expected a number, a boolean, None or a 1-D numeric array, "
        f"got {type(v).__name__}"
    )


def _as_array(name: str, v: object) -> np.ndarray:
    """Any accepted input as a numpy array (0-d for scalars), without copying
    arrays that are already numpy."""
    if v is None:
        return np.array(np.nan)
    if isinstance(v, np.ndarray):
        return v
    if isinstance(v, (str, bytes)):
        return np.array(v, dtype=object)
    if isinstance(v, (Mapping, set, frozenset)):
        raise _type_error(name, v)
    if hasattr(v, "to_numpy"):  # pandas / polars Series
        try:
            return np.asarray(v.to_numpy(dtype=np.float64, na_value=np.nan))  # type: ignore[attr-defined]
        except (TypeError, ValueError):  # text (sex, race labels), or values to check one by one
            return np.asarray(v.to_numpy(), dtype=object)  # type: ignore[attr-defined]
    try:
        a = np.asarray(v)
    except (TypeError, ValueError) as e:
        raise _type_error(name, v) from e
    if a.dtype.kind == "O" and a.ndim == 0:
        raise _type_error(name, v)
    return a


def _floats(name: str, a: np.ndarray) -> np.ndarray:
    k = a.dtype.kind
    if a.dtype == np.float64 or a.dtype == np.int64:
        return a  # int64 is converted (exactly as astype) chunk by chunk in Rust
    if k in "fiub":
        return a.astype(np.float64)
    if k == "O":
        try:
            return np.asarray(
                [np.nan if x is None else x for x in a.ravel()], dtype=np.float64
            ).reshape(a.shape)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"`{name}`: object array with non-numeric values cannot be used as a number"
            ) from e
    raise TypeError(f"`{name}`: expected numbers, got an array of dtype {a.dtype}")


def _codes_from_floats(f: np.ndarray) -> np.ndarray:
    out = np.full(f.shape, _INVALID, dtype=np.uint8)
    out[f == 0] = 0
    out[f == 1] = 1
    out[np.isnan(f)] = _MISSING
    return out


def _flag(name: str, a: np.ndarray) -> np.ndarray:
    """Codes for a flag or numeric sex: uint8 arrays are codes already (0/1, 255 =
    missing, others invalid per row); bool arrays are viewed as uint8 (no copy);
    int64 and float64 arrays go to Rust as they are and are mapped to codes there
    (0 and 1, NaN missing, anything else invalid), like ``_codes_from_floats``."""
    if a.dtype == np.uint8 or a.dtype == np.int64 or a.dtype == np.float64:
        return a
    if a.dtype == np.bool_:
        return a.view(np.uint8)
    if a.dtype.kind in "OU" and a.size and all(isinstance(x, str) for x in a.ravel()):
        raise TypeError(f"`{name}`: expected 0/1 or booleans, got strings")
    return _codes_from_floats(_floats(name, a))


def _scalar_code(a: np.ndarray) -> int:
    """The code of a one-element code input (see ``_flag``)."""
    v = a.reshape(-1)[:1]
    if v.dtype == np.uint8:
        return int(v[0])
    return int(_codes_from_floats(v.astype(np.float64))[0])


_SEX = {"male": 1, "m": 1, "男": 1, "1": 1, "female": 0, "f": 0, "女": 0, "0": 0}
_RACE = {"white": 1, "african_american": 2, "black": 2, "other": 0, "": 0}


def _is_missing(x: object) -> bool:
    """None, NaN, pandas ``NA`` / ``NaT``."""
    return x is None or (isinstance(x, float) and x != x) or type(x).__name__ in ("NAType", "NaTType")


def _labels(a: np.ndarray, table: Mapping[str, int], missing: int) -> np.ndarray:
    flat = a.ravel()
    out = np.empty(flat.shape, dtype=np.uint8)
    for i, x in enumerate(flat):
        if _is_missing(x):
            out[i] = missing
        elif isinstance(x, str):
            out[i] = table.get(x.strip().lower(), _INVALID)
        else:
            out[i] = _INVALID
    return out.reshape(a.shape)


def _sex(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "UO":
        flat = a.ravel()
        if a.dtype.kind == "U" or any(isinstance(x, str) for x in flat) or all(_is_missing(x) for x in flat):
            return _labels(a.astype(object), _SEX, _MISSING)
    if a.dtype.kind == "O":
        return _codes_from_floats(_floats("sex", a))
    if a.dtype.kind not in "fiub":
        raise TypeError(f"`sex`: expected 'male'/'female' or 1/0, got dtype {a.dtype}")
    return _flag("sex", a)


def _race(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "UO":
        return _labels(a.astype(object), _RACE, 0)
    if a.dtype.kind in "iuf":
        f = a.astype(np.float64)
        out = np.full(f.shape, _INVALID, dtype=np.uint8)
        for code in (0, 1, 2):
            out[f == code] = code
        out[np.isnan(f)] = 0
        return out
    raise TypeError(f"`race`: expected 'white'/'african_american'/'other', got dtype {a.dtype}")


class _Unset:
    """The default of the lipid arguments: not passed (``None`` passed means not known)."""

    def __repr__(self) -> str:
        return "<not passed>"


_UNSET: Any = _Unset()


def _lipid(stem: str, mmol: object, mgdl: object) -> Tuple[str, str, object]:
    has_mmol = mmol is not _UNSET and mmol is not None
    has_mgdl = mgdl is not _UNSET and mgdl is not None
    if has_mmol and has_mgdl:
        raise TypeError(f"give one of `{stem}_mmol` or `{stem}_mgdl`, not both")
    if mmol is _UNSET and mgdl is _UNSET:
        raise TypeError(f"missing required argument `{stem}_mmol` or `{stem}_mgdl`")
    if has_mgdl or (not has_mmol and mmol is _UNSET):
        return (f"{stem}_mgdl", "mgdl", mgdl)
    # The value given, or an explicit None (not known: NaN, reported per row).
    return (f"{stem}_mmol", "mmol", mmol)


def _run(
    model: str,
    floats: Dict[str, Tuple[str, object]],
    codes: Dict[str, Tuple[str, object, str]],
    *,
    errors: str,
    tc_unit: str = "mmol",
    hdl_unit: str = "mmol",
    range_policy: str = "strict",
    region: Optional[str] = None,
    horizon: int = 10,
    outcome: str = "cvd",
    threads: Optional[int] = None,
) -> Any:
    """``floats``: batch name → (public name, value); ``codes``: batch name →
    (public name, value, kind) with kind ``flag``/``sex``/``race``."""
    if errors not in ("nan", "raise", "report"):
        raise ValueError(f"errors={errors!r}: expected 'nan', 'raise' or 'report'")
    _check_threads(threads)
    arrays: Dict[str, np.ndarray] = {}
    public: Dict[str, str] = {}
    raw: Dict[str, np.ndarray] = {}
    for key, (pub, v) in floats.items():
        a = _as_array(pub, v)
        raw[key] = a
        arrays[key] = _floats(pub, a)
        public[key] = pub
    for key, (pub, v, kind) in codes.items():
        a = _as_array(pub, v)
        raw[key] = a
        if kind == "sex":
            arrays[key] = _sex(a)
        elif kind == "race":
            arrays[key] = _race(a)
        else:
            arrays[key] = _flag(pub, a)
        public[key] = pub
    scalar = all(a.ndim == 0 for a in raw.values())
    # Errors name the inputs (numpy's own message numbers the arguments).
    for key, a in arrays.items():
        if a.ndim > 1:
            raise TypeError(f"inputs must be scalars or 1-D arrays: `{public[key]}` has shape {a.shape}")
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        lengths = ", ".join(f"`{public[k]}` has {a.shape[0]} rows" for k, a in arrays.items() if a.ndim == 1 and a.shape[0] != 1)
        raise ValueError(f"inputs cannot be broadcast together: {lengths} (a scalar or a one-element array goes with any length)") from None
    n = shape[0] if shape else 1
    # Full-length arrays of the dtypes Rust reads (float64 / int64 values; uint8,
    # int64, float64 codes) go in place; a scalar or one-element array is passed as
    # one value and broadcast in Rust, never materialised at full length.
    cols: Dict[str, Any] = {}
    for key, a in arrays.items():
        if key in floats:
            native = a.dtype == np.float64 or a.dtype == np.int64
        else:
            native = a.dtype == np.uint8 or a.dtype == np.int64 or a.dtype == np.float64
        if a.size == 1 and a.ndim <= 1:
            cols[key] = float(a.reshape(-1)[0]) if key in floats else _scalar_code(a)
        elif native and a.ndim == 1:
            cols[key] = np.ascontiguousarray(a)  # the array itself when contiguous
        else:
            dtype = np.float64 if key in floats else np.uint8
            cols[key] = np.ascontiguousarray(np.broadcast_to(a, (n,)), dtype=dtype)
    opts: Dict[str, Any] = dict(
        tc_unit=tc_unit,
        hdl_unit=hdl_unit,
        range_policy=range_policy,
        region=region,
        horizon=horizon,
        outcome=outcome,
        n=n,
    )
    values, status = _cvdscreen.model_batch(model, cols, threads=threads, **opts)

    def given(key: str, row: int) -> Any:
        """The value the caller passed for code input ``key`` at ``row``."""
        flat = raw[key].reshape(-1)
        v = flat[row if flat.size > 1 else 0]
        return v.item() if isinstance(v, np.generic) else v

    def explain(rows: List[int]) -> List[Optional[Tuple[str, Any, str]]]:
        whys = _cvdscreen.model_explain(model, cols, rows, **opts)
        # Rust sees a code input (sex, race, a flag) as its code; name what was passed.
        out: List[Optional[Tuple[str, Any, str]]] = []
        for row, why in zip(rows, whys):
            if why is not None and why[0] in codes and status[row] == RowStatus.INVALID_CODE:
                field, _, message = why
                v = given(field, row)
                expected = message.partition(": ")[2]
                why = (field, v, f"`{codes[field][0]}` value {v!r} is invalid" + (f": {expected}" if expected else ""))
            elif why is not None and why[0] in codes:
                why = (why[0], None, why[2])
            out.append(why)
        return out

    def error(row: int) -> InputError:
        why = explain([row])[0]
        field, value, message = why if why is not None else ("", None, "not computed")
        code = RowStatus(int(status[row])).name
        return InputError(
            message if scalar else f"row {row}: {message}",
            field=field or None,
            value=value,
            rule_id=code,
            row=None if scalar else row,
        )

    if scalar:
        # errors="report" asks for the status, failed or not: it never raises.
        if errors == "report":
            return ModelResult(values, status, explain)
        if status[0] >= RowStatus.OUT_OF_RANGE:
            raise error(0)
        return float(values[0])
    if errors == "raise":
        bad = np.flatnonzero(status >= RowStatus.OUT_OF_RANGE)
        if bad.size:
            raise error(int(bad[0]))
    if errors == "report":
        return ModelResult(values, status, explain)
    return values


Num = Any  # a number, None, or an array-like of numbers
Flag = Any  # 0/1, bool, None, or an array-like of them
Sex = Any  # "male"/"female"/"M"/"F"/"男"/"女", 1/0, bool, or an array-like of them


@overload
def china_par_10y(*, sex: Sex, age: Num, sbp: Num, bp_treated: Flag, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., waist_cm: Num, current_smoker: Flag, diabetes: Flag, north: Flag, urban: Flag = ..., family_history_ascvd: Flag = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["report"]) -> ModelResult: ...
@overload
def china_par_10y(*, sex: Sex, age: Num, sbp: Num, bp_treated: Flag, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., waist_cm: Num, current_smoker: Flag, diabetes: Flag, north: Flag, urban: Flag = ..., family_history_ascvd: Flag = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["nan", "raise"] = ...) -> Risk: ...
def china_par_10y(
    *,
    sex: Sex,
    age: Num,
    sbp: Num,
    bp_treated: Flag,
    tc_mmol: Num = _UNSET,
    tc_mgdl: Num = _UNSET,
    hdl_mmol: Num = _UNSET,
    hdl_mgdl: Num = _UNSET,
    waist_cm: Num,
    current_smoker: Flag,
    diabetes: Flag,
    north: Flag,
    urban: Flag = None,
    family_history_ascvd: Flag = None,
    range_policy: str = "strict",
    threads: Optional[int] = None,
    errors: Errors = "nan",
) -> Union[Risk, ModelResult]:
    """China-PAR 10-year ASCVD risk, percent (RM-CPAR). ``urban`` and
    ``family_history_ascvd`` are required for men only."""
    tc_name, tu, tc = _lipid("tc", tc_mmol, tc_mgdl)
    hdl_name, hu, hdl = _lipid("hdl", hdl_mmol, hdl_mgdl)
    return _run(  # type: ignore[no-any-return]
        "china_par",
        {"age": ("age", age), "sbp": ("sbp", sbp), "tc": (tc_name, tc), "hdl": (hdl_name, hdl), "waist_cm": ("waist_cm", waist_cm)},
        {
            "sex": ("sex", sex, "sex"),
            "bp_treated": ("bp_treated", bp_treated, "flag"),
            "current_smoker": ("current_smoker", current_smoker, "flag"),
            "diabetes": ("diabetes", diabetes, "flag"),
            "north": ("north", north, "flag"),
            "urban": ("urban", urban, "flag"),
            "family_history_ascvd": ("family_history_ascvd", family_history_ascvd, "flag"),
        },
        errors=errors,
        tc_unit=tu,
        hdl_unit=hu,
        range_policy=range_policy,
        threads=threads,
    )


@overload
def pce_10y(*, sex: Sex, age: Num, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., sbp: Num, bp_treated: Flag, current_smoker: Flag, diabetes: Flag, race: Any = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["report"]) -> ModelResult: ...
@overload
def pce_10y(*, sex: Sex, age: Num, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., sbp: Num, bp_treated: Flag, current_smoker: Flag, diabetes: Flag, race: Any = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["nan", "raise"] = ...) -> Risk: ...
def pce_10y(
    *,
    sex: Sex,
    age: Num,
    tc_mmol: Num = _UNSET,
    tc_mgdl: Num = _UNSET,
    hdl_mmol: Num = _UNSET,
    hdl_mgdl: Num = _UNSET,
    sbp: Num,
    bp_treated: Flag,
    current_smoker: Flag,
    diabetes: Flag,
    race: Any = None,
    range_policy: str = "strict",
    threads: Optional[int] = None,
    errors: Errors = "nan",
) -> Union[Risk, ModelResult]:
    """ACC/AHA Pooled Cohort Equations 10-year ASCVD risk, percent. ``race``:
    ``"white"``, ``"african_american"`` or ``"other"`` (default; white equations)."""
    tc_name, tu, tc = _lipid("tc", tc_mmol, tc_mgdl)
    hdl_name, hu, hdl = _lipid("hdl", hdl_mmol, hdl_mgdl)
    return _run(  # type: ignore[no-any-return]
        "pce",
        {"age": ("age", age), "tc": (tc_name, tc), "hdl": (hdl_name, hdl), "sbp": ("sbp", sbp)},
        {
            "race": ("race", race, "race"),
            "sex": ("sex", sex, "sex"),
            "bp_treated": ("bp_treated", bp_treated, "flag"),
            "current_smoker": ("current_smoker", current_smoker, "flag"),
            "diabetes": ("diabetes", diabetes, "flag"),
        },
        errors=errors,
        tc_unit=tu,
        hdl_unit=hu,
        range_policy=range_policy,
        threads=threads,
    )


def _prevent(horizon: int, outcome: str, errors: str, range_policy: str, threads: Optional[int], sex: Sex, age: Num, sbp: Num, bp_treated: Flag, tc: Tuple[str, str, object], hdl: Tuple[str, str, object], statin: Flag, diabetes: Flag, current_smoker: Flag, egfr: Num, bmi: Num) -> Any:
    return _run(
        "prevent",
        {"age": ("age", age), "sbp": ("sbp", sbp), "tc": (tc[0], tc[2]), "hdl": (hdl[0], hdl[2]), "egfr": ("egfr", egfr), "bmi": ("bmi", bmi)},
        {
            "sex": ("sex", sex, "sex"),
            "bp_treated": ("bp_treated", bp_treated, "flag"),
            "statin": ("statin", statin, "flag"),
            "diabetes": ("diabetes", diabetes, "flag"),
            "current_smoker": ("current_smoker", current_smoker, "flag"),
        },
        errors=errors,
        tc_unit=tc[1],
        hdl_unit=hdl[1],
        range_policy=range_policy,
        horizon=horizon,
        outcome=outcome,
        threads=threads,
    )


PreventOutcome = Literal["cvd", "ascvd", "hf", "chd", "stroke"]


@overload
def prevent_10y(*, sex: Sex, age: Num, sbp: Num, bp_treated: Flag, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., statin: Flag, diabetes: Flag, current_smoker: Flag, egfr: Num, bmi: Num, outcome: PreventOutcome = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["report"]) -> ModelResult: ...
@overload
def prevent_10y(*, sex: Sex, age: Num, sbp: Num, bp_treated: Flag, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., statin: Flag, diabetes: Flag, current_smoker: Flag, egfr: Num, bmi: Num, outcome: PreventOutcome = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["nan", "raise"] = ...) -> Risk: ...
def prevent_10y(
    *,
    sex: Sex,
    age: Num,
    sbp: Num,
    bp_treated: Flag,
    tc_mmol: Num = _UNSET,
    tc_mgdl: Num = _UNSET,
    hdl_mmol: Num = _UNSET,
    hdl_mgdl: Num = _UNSET,
    statin: Flag,
    diabetes: Flag,
    current_smoker: Flag,
    egfr: Num,
    bmi: Num,
    outcome: PreventOutcome = "cvd",
    range_policy: str = "strict",
    threads: Optional[int] = None,
    errors: Errors = "nan",
) -> Union[Risk, ModelResult]:
    """AHA PREVENT base model, 10-year risk of ``outcome`` (``"cvd"`` total CVD,
    ``"ascvd"``, ``"hf"`` heart failure, ``"chd"``, ``"stroke"``), percent.
    ``bmi`` is required by the core for every outcome (it checks BMI's range even
    where its coefficient is zero)."""
    return _prevent(10, outcome, errors, range_policy, threads, sex, age, sbp, bp_treated, _lipid("tc", tc_mmol, tc_mgdl), _lipid("hdl", hdl_mmol, hdl_mgdl), statin, diabetes, current_smoker, egfr, bmi)  # type: ignore[no-any-return]


@overload
def prevent_30y(*, sex: Sex, age: Num, sbp: Num, bp_treated: Flag, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., statin: Flag, diabetes: Flag, current_smoker: Flag, egfr: Num, bmi: Num, outcome: PreventOutcome = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["report"]) -> ModelResult: ...
@overload
def prevent_30y(*, sex: Sex, age: Num, sbp: Num, bp_treated: Flag, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., statin: Flag, diabetes: Flag, current_smoker: Flag, egfr: Num, bmi: Num, outcome: PreventOutcome = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["nan", "raise"] = ...) -> Risk: ...
def prevent_30y(
    *,
    sex: Sex,
    age: Num,
    sbp: Num,
    bp_treated: Flag,
    tc_mmol: Num = _UNSET,
    tc_mgdl: Num = _UNSET,
    hdl_mmol: Num = _UNSET,
    hdl_mgdl: Num = _UNSET,
    statin: Flag,
    diabetes: Flag,
    current_smoker: Flag,
    egfr: Num,
    bmi: Num,
    outcome: PreventOutcome = "cvd",
    range_policy: str = "strict",
    threads: Optional[int] = None,
    errors: Errors = "nan",
) -> Union[Risk, ModelResult]:
    """AHA PREVENT base model, 30-year risk of ``outcome``, percent."""
    return _prevent(30, outcome, errors, range_policy, threads, sex, age, sbp, bp_treated, _lipid("tc", tc_mmol, tc_mgdl), _lipid("hdl", hdl_mmol, hdl_mgdl), statin, diabetes, current_smoker, egfr, bmi)  # type: ignore[no-any-return]


@overload
def who2019_lab(*, sex: Sex, age: Num, sbp: Num, tc_mmol: Num = ..., tc_mgdl: Num = ..., diabetes: Flag, current_smoker: Flag, region: Optional[str] = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["report"]) -> ModelResult: ...
@overload
def who2019_lab(*, sex: Sex, age: Num, sbp: Num, tc_mmol: Num = ..., tc_mgdl: Num = ..., diabetes: Flag, current_smoker: Flag, region: Optional[str] = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["nan", "raise"] = ...) -> Risk: ...
def who2019_lab(
    *,
    sex: Sex,
    age: Num,
    sbp: Num,
    tc_mmol: Num = _UNSET,
    tc_mgdl: Num = _UNSET,
    diabetes: Flag,
    current_smoker: Flag,
    region: Optional[str] = None,
    range_policy: str = "strict",
    threads: Optional[int] = None,
    errors: Errors = "nan",
) -> Union[Risk, ModelResult]:
    """WHO 2019 laboratory 10-year CVD risk, percent; ``region`` is a GBD region
    code or name (default East Asia) or ``"china-country"``."""
    tc_name, tu, tc = _lipid("tc", tc_mmol, tc_mgdl)
    return _run(  # type: ignore[no-any-return]
        "who2019_lab",
        {"age": ("age", age), "sbp": ("sbp", sbp), "tc": (tc_name, tc)},
        {
            "sex": ("sex", sex, "sex"),
            "diabetes": ("diabetes", diabetes, "flag"),
            "current_smoker": ("current_smoker", current_smoker, "flag"),
        },
        errors=errors,
        tc_unit=tu,
        range_policy=range_policy,
        region=region,
        threads=threads,
    )


@overload
def who2019_nonlab(*, sex: Sex, age: Num, sbp: Num, bmi: Num, current_smoker: Flag, region: Optional[str] = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["report"]) -> ModelResult: ...
@overload
def who2019_nonlab(*, sex: Sex, age: Num, sbp: Num, bmi: Num, current_smoker: Flag, region: Optional[str] = ..., range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["nan", "raise"] = ...) -> Risk: ...
def who2019_nonlab(
    *,
    sex: Sex,
    age: Num,
    sbp: Num,
    bmi: Num,
    current_smoker: Flag,
    region: Optional[str] = None,
    range_policy: str = "strict",
    threads: Optional[int] = None,
    errors: Errors = "nan",
) -> Union[Risk, ModelResult]:
    """WHO 2019 non-laboratory 10-year CVD risk, percent."""
    return _run(  # type: ignore[no-any-return]
        "who2019_nonlab",
        {"age": ("age", age), "sbp": ("sbp", sbp), "bmi": ("bmi", bmi)},
        {"sex": ("sex", sex, "sex"), "current_smoker": ("current_smoker", current_smoker, "flag")},
        errors=errors,
        range_policy=range_policy,
        region=region,
        threads=threads,
    )


@overload
def framingham_cvd_10y(*, sex: Sex, age: Num, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., sbp: Num, bp_treated: Flag, current_smoker: Flag, diabetes: Flag, range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["report"]) -> ModelResult: ...
@overload
def framingham_cvd_10y(*, sex: Sex, age: Num, tc_mmol: Num = ..., tc_mgdl: Num = ..., hdl_mmol: Num = ..., hdl_mgdl: Num = ..., sbp: Num, bp_treated: Flag, current_smoker: Flag, diabetes: Flag, range_policy: str = ..., threads: Optional[int] = ..., errors: Literal["nan", "raise"] = ...) -> Risk: ...
def framingham_cvd_10y(
    *,
    sex: Sex,
    age: Num,
    tc_mmol: Num = _UNSET,
    tc_mgdl: Num = _UNSET,
    hdl_mmol: Num = _UNSET,
    hdl_mgdl: Num = _UNSET,
    sbp: Num,
    bp_treated: Flag,
    current_smoker: Flag,
    diabetes: Flag,
    range_policy: str = "strict",
    threads: Optional[int] = None,
    errors: Errors = "nan",
) -> Union[Risk, ModelResult]:
    """Framingham 2008 general CVD 10-year risk, percent."""
    tc_name, tu, tc = _lipid("tc", tc_mmol, tc_mgdl)
    hdl_name, hu, hdl = _lipid("hdl", hdl_mmol, hdl_mgdl)
    return _run(  # type: ignore[no-any-return]
        "framingham",
        {"age": ("age", age), "tc": (tc_name, tc), "hdl": (hdl_name, hdl), "sbp": ("sbp", sbp)},
        {
            "sex": ("sex", sex, "sex"),
            "bp_treated": ("bp_treated", bp_treated, "flag"),
            "current_smoker": ("current_smoker", current_smoker, "flag"),
            "diabetes": ("diabetes", diabetes, "flag"),
        },
        errors=errors,
        tc_unit=tu,
        hdl_unit=hu,
        range_policy=range_policy,
        threads=threads,
    )
