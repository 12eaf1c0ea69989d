"""Exceptions of cvdscreen.

Validation problems of a *batch* are never raised: they come back per row (QC
findings in ``screen``, NaN plus a status code in the model functions). An
``InputError`` is raised only by single-record or scalar calls, or when the caller
asks for it (``errors="raise"``). Wrong Python types raise ``TypeError``.
"""

from __future__ import annotations

from typing import Optional

__all__ = ["Error", "InputError"]


class Error(Exception):
    """Base class of every cvdscreen exception."""


class InputError(Error, ValueError):
    """An input value the computation cannot use.

    Attributes:
        field: the exchange-format column concerned (e.g. ``"age"``, ``"tc_mgdl"``).
        value: the offending value, when there is one.
        rule_id: the rule or status that rejected it (e.g. ``"OUT_OF_RANGE"``).
        row: the 0-based row of a batch call, ``None`` for scalar calls.
    """

    field: Optional[str]
    value: object
    rule_id: Optional[str]
    row: Optional[int]

    def __init__(
        self,
        message: str,
        *,
        field: Optional[str] = None,
        value: object = None,
        rule_id: Optional[str] = None,
        row: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.rule_id = rule_id
        self.row = row

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_rebuild, (str(self), self.field, self.value, self.rule_id, self.row))


def _rebuild(
    message: str, field: Optional[str], value: object, rule_id: Optional[str], row: Optional[int]
) -> InputError:
    return InputError(message, field=field, value=value, rule_id=rule_id, row=row)


def _check_threads(threads: Optional[int]) -> None:
    """The ``threads=`` argument of the table and model functions: ``None`` or at least 1
    (a negative count would otherwise surface as Rust's ``OverflowError``)."""
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads={threads!r}: expected a positive integer or None")
