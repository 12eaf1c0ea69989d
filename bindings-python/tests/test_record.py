"""The record API: check / assess, the T-HR boundary cases (domain.md §6.5), value
conversion and type errors."""

import datetime
import math
import pickle

import numpy as np
import pytest

import cvdscreen
from cvdscreen import Assessment, Finding, InputError

NORMAL = dict(
    id="N1", site_id="S1", screen_date="2025-05-10", sex="female", age=50,
    sbp_1=122, dbp_1=78, sbp_2=118, dbp_2=76, height_cm=160, weight_kg=58, waist_cm=78,
    tc_mmol=4.6, hdl_mmol=1.4, ldl_mmol=2.6, tg_mmol=1.2, current_smoker=0, diabetes=0,
    history_mi=0, history_pci=0, history_cabg=0, history_ischaemic_stroke=0,
    history_haemorrhagic_stroke=0,
)


def run(drop=(), profile="mpp-national", **over):
    rec = {k: v for k, v in NORMAL.items() if k not in drop}
    rec.update(over)
    return cvdscreen.assess(rec, profile=profile)


def test_normal_person_is_not_high_risk():
    a = run()
    assert (a.qc_status, a.high_risk, a.high_risk_reasons) == ("ok", "no", "")
    assert a.findings == [] and a.reasons == [] and a.missing_fields == []


@pytest.mark.parametrize(
    "case,drop,over,status,reason",
    [
        ("T-HR-1", (), dict(sbp_1=160, dbp_1=90, sbp_2=158, dbp_2=90), "no", None),
        ("T-HR-2", (), dict(sbp_1=160, dbp_1=90, sbp_2=159, dbp_2=90), "no", None),
        ("T-HR-3", (), dict(sbp_1=160, dbp_1=99, sbp_2=160, dbp_2=100), "yes", "MPP2014-HR-5"),
        ("T-HR-4", (), dict(sbp_1=130, dbp_1=100, sbp_2=130, dbp_2=100), "yes", "MPP2014-HR-5"),
        ("T-HR-5", ("ldl_mmol", "tc_mmol", "hdl_mmol"), dict(tc_mgdl=240, hdl_mgdl=50, ldl_mgdl=160), "yes", "MPP2014-HR-6"),
        ("T-HR-6", ("ldl_mmol", "tc_mmol", "hdl_mmol"), dict(tc_mgdl=240, hdl_mgdl=50, ldl_mgdl=159.9), "no", None),
        ("T-HR-7", (), dict(tc_mmol=6.2, ldl_mmol=4.14), "yes", "MPP2014-HR-6"),
        ("T-HR-8", (), dict(tc_mmol=6.2, ldl_mmol=4.139), "no", None),
        ("T-HR-9", ("hdl_mmol",), dict(hdl_mgdl=30), "no", None),
        ("T-HR-10", ("hdl_mmol",), dict(hdl_mgdl=29.9), "yes", "MPP2014-HR-7"),
        ("T-HR-11", (), dict(hdl_mmol=0.78), "no", None),
        ("T-HR-12", (), dict(hdl_mmol=0.777), "yes", "MPP2014-HR-7"),
        ("T-HR-13", ("ldl_mmol", "tg_mmol"), dict(tg_mgdl=450), "indeterminate", None),
        ("T-HR-14", ("ldl_mmol",), dict(sbp_1=165, sbp_2=165), "yes", "MPP2014-HR-5"),
        ("T-HR-15", (), dict(history_tia=1), "no", None),
        ("T-HR-18", (), dict(sbp_1=150, dbp_1=90, sbp_2=162, dbp_2=88, sbp_3=158, dbp_3=86), "yes", "MPP2014-HR-5"),
        ("T-HR-19", ("hdl_mmol",), dict(hdl_mgdl="<15"), "yes", "MPP2014-HR-7"),
        ("T-HR-21", (), dict(history_haemorrhagic_stroke=None), "indeterminate", None),
    ],
)
def test_t_hr_cases(case, drop, over, status, reason):
    a = run(drop, **over)
    assert a.high_risk == status, (case, a)
    if reason:
        assert reason in a.high_risk_reasons.split(";"), (case, a)
        assert reason in [r.id for r in a.reasons]
        assert all(r.text and r.text_zh for r in a.reasons)
    if status == "indeterminate":
        assert a.missing_fields, case
    if case == "T-HR-19":
        ids = {f.rule_id for f in a.findings}
        assert "DQ-DEV-1" in ids and "DQ-RANGE-11" not in ids


def test_t_hr_18_pilot_profile_means_two_readings():
    a = run(profile="mpp-2014-pilot", sbp_1=150, dbp_1=90, sbp_2=162, dbp_2=88, sbp_3=158, dbp_3=86)
    assert a.high_risk == "no"


def test_assessment_attributes_cover_every_output_column():
    a = run()
    for name in cvdscreen.OUTPUT_COLUMNS:
        v = getattr(a, name)
        if name.endswith("_pct"):
            assert v is None or isinstance(v, float)
        d = a.to_dict()
        assert name in d
    assert a.china_par_10y_pct is None  # bp_treated etc. unknown
    assert "china_par" in a.model_errors
    assert repr(a).startswith("Assessment(id='N1'")
    with pytest.raises(AttributeError):
        a.no_such_column
    assert set(cvdscreen.OUTPUT_COLUMNS) <= set(dir(a))


def test_risk_columns_are_floats_matching_the_models():
    a = run(sex="male", age=55, bp_treated=0, north=1, urban=1, family_history_ascvd=0, egfr=90, statin=0)
    assert isinstance(a.china_par_10y_pct, float)
    direct = cvdscreen.models.china_par_10y(
        sex="male", age=55, sbp=120, bp_treated=0, tc_mmol=4.6, hdl_mmol=1.4, waist_cm=78,
        current_smoker=0, diabetes=0, north=1, urban=1, family_history_ascvd=0,
    )
    assert a.china_par_10y_pct == direct  # mean SBP (122 + 118) / 2 = 120, full precision


def test_kwargs_and_dict_merge_and_value_types():
    a = cvdscreen.assess(
        {"id": "X", "sex": "男"},
        age=np.int64(61), sbp=np.float32(150.5), dbp=np.float64(95), current_smoker=np.bool_(True),
        diabetes=False, screen_date=datetime.date(2025, 5, 10), tc_mgdl=float("nan"),
        unknown_column={"ignored": True},
    )
    assert a.id == "X" and a.qc_status in ("ok", "warn", "reject")
    assert not any(f.rule_id == "DQ-PARSE-1" for f in a.findings), a.findings


def test_float_text_round_trips():
    # 0.1 + 0.2 must reach the core as 0.30000000000000004, not a rounded text.
    f = cvdscreen.check(id="A", hdl_mmol=0.1 + 0.2, tc_mmol=0.30000000000000004)
    assert isinstance(f, list) and all(isinstance(x, Finding) for x in f)
    xf = [x for x in f if x.rule_id == "DQ-XF-3" or x.field == "hdl_mmol"]
    assert all(x.value != "0.3" for x in xf)


def test_check_reports_parse_findings_not_exceptions():
    f = cvdscreen.check(id="A", age="sixty", sbp=True)
    parse = [x for x in f if x.rule_id == "DQ-PARSE-1"]
    assert [x.field for x in parse] == ["age"]
    assert parse[0].value == "sixty" and parse[0].message_en and parse[0].message_zh
    assert parse[0].severity == "reject"


@pytest.mark.parametrize("bad", [{"a": 1}, [1, 2], object(), {1, 2}, b"61"])
def test_wrong_python_types_raise_type_error(bad):
    with pytest.raises(TypeError, match="age"):
        cvdscreen.assess(id="A", age=bad)


def test_bad_record_and_profile():
    with pytest.raises(TypeError):
        cvdscreen.assess([("id", "A")])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="profile"):
        cvdscreen.assess(id="A", profile="nope")
    with pytest.raises(ValueError, match="region"):
        cvdscreen.assess(id="A", region="atlantis")
    with pytest.raises(TypeError, match="keys"):
        cvdscreen.check({1: "x"})  # type: ignore[dict-item]


def test_region_changes_who2019():
    base = dict(NORMAL, sex="male", age=60, bp_treated=0)
    east = cvdscreen.assess(base).who2019_lab_pct
    china = cvdscreen.assess(base, region="china-country").who2019_lab_pct
    assert east is not None and china is not None and east != china


def test_none_and_nan_are_not_measured():
    a = cvdscreen.assess(NORMAL, tc_mmol=None)
    b = cvdscreen.assess(NORMAL, tc_mmol=math.nan)
    assert a == b
    assert "DQ-PARSE-1" not in a.qc_findings


def test_errors_hierarchy_and_pickle():
    assert issubclass(InputError, cvdscreen.Error) and issubclass(InputError, ValueError)
    e = InputError("x", field="age", value=1.0, rule_id="OUT_OF_RANGE", row=3)
    e2 = pickle.loads(pickle.dumps(e))
    assert (e2.field, e2.value, e2.rule_id, e2.row, str(e2)) == ("age", 1.0, "OUT_OF_RANGE", 3, "x")


def test_assessment_type():
    assert isinstance(run(), Assessment)
