"""cvdscreen: China's cardiovascular high-risk screening programme (China PEACE MPP)
as typed, tested, explained functions, backed by a Rust core.

- ``check(record)`` / ``assess(record)``: one record (dict or keyword arguments);
- ``screen(table)``: a pandas / polars DataFrame or a dict of columns, like the
  ``cvdscreen screen`` CLI;
- ``indicators(table, by=...)``: programme indicators as a pandas DataFrame;
- ``cvdscreen.models``: risk equations over scalars or numpy arrays.
"""

from . import models
from ._cvdscreen import __version__
from ._errors import Error, InputError
from ._record import INPUT_COLUMNS, OUTPUT_COLUMNS, Assessment, Finding, Reason, assess, check
from ._table import indicators, screen

__all__ = [
    "__version__",
    "Error",
    "InputError",
    "Assessment",
    "Finding",
    "Reason",
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "check",
    "assess",
    "screen",
    "indicators",
    "models",
]
