"""Checked by `mypy --strict` (tests/test_typing.py): the public API as a typed
notebook would use it."""

from typing import Dict, List, Optional

import numpy as np
import numpy.typing as npt
import pandas as pd

import cvdscreen
from cvdscreen import Assessment, Finding, InputError, models
from cvdscreen.models import ModelResult, RowStatus


def record_api() -> Optional[float]:
    a: Assessment = cvdscreen.assess({"id": "A", "sex": "male", "age": 61}, region="east-asia")
    status: str = a.qc_status
    findings: List[Finding] = cvdscreen.check(id="A", age=61)
    reasons: List[str] = [r.id for r in a.reasons]
    d: Dict[str, object] = a.to_dict()
    plan: str = a.plan
    stratum: str = a.risk_level
    ldl_target: Optional[float] = a.ldl_target_mmol
    print(plan, stratum, ldl_target, a.bp_grade, a.lipid_risk_level, a.urgent_referral, a.next_follow_up)
    print(status, findings, reasons, d, a.missing_fields, cvdscreen.OUTPUT_COLUMNS)
    return a.china_par_10y_pct


def table_api(df: pd.DataFrame) -> pd.DataFrame:
    out: pd.DataFrame = cvdscreen.screen(df, profile="mpp-national", threads=2)
    first: Assessment = cvdscreen.assess(df.iloc[0])
    print(first.high_risk)
    ind: pd.DataFrame = cvdscreen.indicators(out, by=["site_id", "sex"])
    return ind


def models_api(age: npt.NDArray[np.float64]) -> float:
    v = models.china_par_10y(sex="male", age=age, sbp=140, bp_treated=0, tc_mmol=5.0, hdl_mmol=1.2, waist_cm=85, current_smoker=1, diabetes=0, north=1, urban=1, family_history_ascvd=0)
    r: ModelResult = models.pce_10y(sex=1, age=age, tc_mgdl=200, hdl_mgdl=50, sbp=130, bp_treated=0, current_smoker=0, diabetes=0, errors="report")
    bad: bool = bool((r.status == RowStatus.OUT_OF_RANGE).any())
    try:
        s = models.prevent_10y(sex="F", age=50.0, sbp=160, bp_treated=1, tc_mgdl=200, hdl_mgdl=45, statin=0, diabetes=1, current_smoker=0, egfr=90, bmi=35, outcome="ascvd")
    except InputError as e:
        print(e.field, e.value, e.row, e.rule_id)
        s = float("nan")
    print(v, bad, r.messages)
    return float(np.nanmean(v)) + float(s)
