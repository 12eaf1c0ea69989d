"""Native module (Rust, PyO3). The public API is in ``cvdscreen``."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt
from typing_extensions import final

__version__: str

_FindingTuple = Tuple[str, str, str, Optional[str], str, str]
_IndicatorTuple = Tuple[
    Optional[str], Optional[str], Optional[str], Optional[str], str, str, float, Optional[float], Optional[float], bool
]

def check(record: Mapping[str, Any], profile: str = "mpp-national") -> List[_FindingTuple]: ...
def assess(record: Mapping[str, Any], profile: str = "mpp-national", region: Optional[str] = None) -> Dict[str, Any]: ...
def input_columns() -> List[str]: ...
def output_columns() -> List[str]: ...
def rules() -> List[Tuple[str, str, str, str, str]]: ...
def screen_columns(
    names: Sequence[str],
    columns: Sequence[Any],
    profile: str = "mpp-national",
    region: Optional[str] = None,
    threads: Optional[int] = None,
) -> List[Tuple[str, npt.NDArray[np.object_]]]: ...
def screen_columns_arrow(
    names: Sequence[str],
    columns: Sequence[Any],
    profile: str = "mpp-national",
    region: Optional[str] = None,
    threads: Optional[int] = None,
) -> List[Tuple[str, List[Tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]]]]: ...

@final
class Utf8Column:
    """A text column in the Arrow string / large_string layout, read in place."""

    def __new__(
        cls,
        data: npt.NDArray[np.uint8],
        offsets: Union[npt.NDArray[np.int32], npt.NDArray[np.int64]],
        validity: Optional[npt.NDArray[np.uint8]],
        offset: int,
        length: int,
    ) -> "Utf8Column": ...
    def __len__(self) -> int: ...

def indicator_rows(
    names: Sequence[str],
    columns: Sequence[Any],
    by: Sequence[str],
    profile: str = "mpp-national",
    region: Optional[str] = None,
    threads: Optional[int] = None,
) -> List[_IndicatorTuple]: ...
def simd_level() -> str: ...
def model_batch(
    model: str,
    cols: Mapping[str, Union[npt.NDArray[Any], float, int]],
    tc_unit: str = "mmol",
    hdl_unit: str = "mmol",
    range_policy: str = "strict",
    region: Optional[str] = None,
    horizon: int = 10,
    outcome: str = "cvd",
    n: Optional[int] = None,
    threads: Optional[int] = None,
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.uint8]]: ...
def model_explain(
    model: str,
    cols: Mapping[str, Union[npt.NDArray[Any], float, int]],
    rows: Sequence[int],
    tc_unit: str = "mmol",
    hdl_unit: str = "mmol",
    range_policy: str = "strict",
    region: Optional[str] = None,
    horizon: int = 10,
    outcome: str = "cvd",
    n: Optional[int] = None,
) -> List[Optional[Tuple[str, Optional[float], str]]]: ...
def row_status_codes() -> List[Tuple[str, int]]: ...
