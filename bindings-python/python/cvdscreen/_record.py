"""The record API: one screening record (a dict or keyword arguments) at a time."""

from __future__ import annotations

from dataclasses import dataclass, asdict
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Protocol, Tuple, Union

from . import _cvdscreen

__all__ = ["Finding", "Reason", "Assessment", "check", "assess", "OUTPUT_COLUMNS", "INPUT_COLUMNS"]

#: Output columns of ``cvdscreen screen`` in order, read from the core (more may be
#: appended in later versions).
OUTPUT_COLUMNS: Tuple[str, ...] = tuple(_cvdscreen.output_columns())
#: Input columns of the exchange format, in specification order.
INPUT_COLUMNS: Tuple[str, ...] = tuple(_cvdscreen.input_columns())

#: Suffixes of numeric output columns (their values are floats or ``None``).
_NUMERIC_SUFFIXES = ("_pct", "_mmol")

Value = Union[str, float, None]


@dataclass(frozen=True)
class Finding:
    """One QC finding about a record."""

    rule_id: str
    severity: str
    field: str
    value: Optional[str]
    message_en: str
    message_zh: str

    def to_dict(self) -> Dict[str, Optional[str]]:
        return asdict(self)


@dataclass(frozen=True)
class Reason:
    """A high-risk criterion that fired."""

    id: str
    text: str
    text_zh: str


def _typed(name: str, cell: str) -> Value:
    if name.endswith(_NUMERIC_SUFFIXES):
        return float(cell) if cell != "" else None
    return cell


class Assessment:
    """Everything cvdscreen concludes about one record.

    Every output column of ``cvdscreen screen`` is an attribute of the same name:
    risk and target columns (names ending in ``_pct`` or ``_mmol``) are floats or
    ``None``; the others are the CLI's cell text (``""`` when empty).
    """

    if TYPE_CHECKING:
        qc_status: str
        qc_findings: str
        high_risk: str
        high_risk_reasons: str
        china_par_10y_pct: Optional[float]
        who2019_lab_pct: Optional[float]
        who2019_nonlab_pct: Optional[float]
        who_ish_2007_band: str
        pce_10y_pct: Optional[float]
        prevent_cvd_10y_pct: Optional[float]
        prevent_ascvd_10y_pct: Optional[float]
        framingham_cvd_10y_pct: Optional[float]
        risk_level: str
        bp_grade: str
        lipid_risk_level: str
        ldl_target_mmol: Optional[float]
        urgent_referral: str
        plan: str
        next_follow_up: str

    id: Optional[str]
    profile: str
    cells: Dict[str, str]
    findings: List[Finding]
    missing_fields: List[str]
    reasons: List[Reason]
    model_errors: Dict[str, str]

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.cells = dict(raw["columns"])
        self.id = raw["id"]
        self.profile = raw["profile"]
        self.findings = [Finding(*f) for f in raw["findings"]]
        self.missing_fields = list(raw["missing_fields"])
        self.reasons = [Reason(*r) for r in raw["reasons"]]
        self.model_errors = dict(raw["model_errors"])

    def __getattr__(self, name: str) -> Value:
        cells = self.__dict__.get("cells")
        if cells is not None and name in cells:
            return _typed(name, cells[name])
        raise AttributeError(f"'Assessment' object has no attribute '{name}'")

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self.cells))

    @property
    def columns(self) -> Dict[str, Value]:
        """The output columns, typed (see the class docs), in output order."""
        return {k: _typed(k, v) for k, v in self.cells.items()}

    def to_dict(self) -> Dict[str, Any]:
        """A plain dict: the typed output columns plus ``id``, ``findings``,
        ``missing_fields``, ``reasons`` and ``model_errors``."""
        d: Dict[str, Any] = {"id": self.id}
        d.update(self.columns)
        d["findings"] = [f.to_dict() for f in self.findings]
        d["missing_fields"] = list(self.missing_fields)
        d["reasons"] = [asdict(r) for r in self.reasons]
        d["model_errors"] = dict(self.model_errors)
        return d

    def __repr__(self) -> str:
        parts = [f"id={self.id!r}", f"qc_status={self.cells['qc_status']!r}"]
        if self.cells.get("qc_findings"):
            parts.append(f"qc_findings={self.cells['qc_findings']!r}")
        parts.append(f"high_risk={self.cells['high_risk']!r}")
        if self.cells.get("high_risk_reasons"):
            parts.append(f"reasons={self.cells['high_risk_reasons']!r}")
        if self.missing_fields:
            parts.append(f"missing_fields={self.missing_fields!r}")
        risks = [
            f"{k}={float(v):.1f}"
            for k, v in self.cells.items()
            if k.endswith("_pct") and v != ""
        ]
        parts.extend(risks)
        return f"Assessment({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Assessment) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]


class RowLike(Protocol):
    """A row with a ``to_dict()`` (a pandas Series, e.g. ``df.iloc[0]``)."""

    def to_dict(self) -> Any: ...


Record = Union[Mapping[str, Any], RowLike, None]


def _record(record: Record, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    if record is None:
        merged: Dict[str, Any] = {}
    elif isinstance(record, Mapping):
        merged = dict(record)
    elif hasattr(record, "to_dict") and callable(record.to_dict):  # a pandas Series
        merged = dict(record.to_dict())
    else:
        raise TypeError(
            f"record must be a mapping of exchange-format column names to values, "
            f"got {type(record).__name__}"
        )
    merged.update(kwargs)
    return merged


def check(
    record: Record = None, *, profile: str = "mpp-national", **kwargs: Any
) -> List[Finding]:
    """QC findings of one record, given as a dict and/or keyword arguments keyed by
    exchange-format column names. Unknown keys are ignored; ``None``/NaN mean not
    measured; an unparseable value is a DQ-PARSE-1 finding, not an exception."""
    return [Finding(*f) for f in _cvdscreen.check(_record(record, kwargs), profile)]


def assess(
    record: Record = None,
    *,
    profile: str = "mpp-national",
    region: Optional[str] = None,
    **kwargs: Any,
) -> Assessment:
    """Screens one record: QC, high-risk status, every risk model (see ``Assessment``).

    ``region`` selects the WHO 2019 calibration (GBD region code or name, or
    ``"china-country"``); the default is East Asia.
    """
    return Assessment(_cvdscreen.assess(_record(record, kwargs), profile, region))
