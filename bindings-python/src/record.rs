//! The record API: one dict in, findings or an assessment out.

use crate::convert::push_value;
use cvdscreen::assess::{assess_with, Assessment};
use cvdscreen::exchange::{parse_pairs, Col};
use cvdscreen::finding::Finding;
use cvdscreen::models::who2019::Calibration;
use cvdscreen::models::ModelError;
use cvdscreen::output;
use cvdscreen::profile::Profile;
use cvdscreen::record::ScreeningRecord;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// The profile named `name`, with the WHO 2019 calibration `region` when given.
pub fn profile(name: &str, region: Option<&str>) -> PyResult<Profile> {
    let mut p = Profile::by_name(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown profile `{name}`, expected `mpp-national` or `mpp-2014-pilot`"
        ))
    })?;
    if let Some(r) = region {
        p.who2019_calibration = Calibration::parse(r).ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown region `{r}`: expected a GBD region code (`A05GBDR_012_EAS`), a region name (`east-asia`) or `china-country`"
            ))
        })?;
    }
    Ok(p)
}

/// `(key, cell text)` pairs of the known columns of a dict; other keys are ignored.
fn pairs(record: &Bound<'_, PyDict>) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::with_capacity(record.len());
    for (k, v) in record.iter() {
        let key = k.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "record keys must be str (exchange-format column names), got `{}`",
                k.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        let key = key.to_cow()?.into_owned();
        if Col::from_name(key.trim()).is_none() {
            continue;
        }
        let mut text = String::new();
        push_value(&mut text, &v, &key)?;
        out.push((key, text));
    }
    Ok(out)
}

fn parse(record: &Bound<'_, PyDict>) -> PyResult<(ScreeningRecord, Vec<Finding>)> {
    Ok(parse_pairs(&pairs(record)?))
}

/// A finding as a tuple `(rule_id, severity, field, value, message_en, message_zh)`.
pub type FindingTuple = (String, String, String, Option<String>, String, String);

fn finding_tuple(f: &Finding) -> FindingTuple {
    (
        f.rule_id.to_string(),
        f.severity.as_str().to_string(),
        f.field.clone(),
        f.value.clone(),
        f.message_en.clone(),
        f.message_zh.clone(),
    )
}

/// QC findings of one record (parse findings included).
#[pyfunction]
#[pyo3(signature = (record, profile="mpp-national"))]
pub fn check(record: &Bound<'_, PyDict>, profile: &str) -> PyResult<Vec<FindingTuple>> {
    let p = self::profile(profile, None)?;
    let (rec, findings) = parse(record)?;
    // The full pipeline, so that findings raised after the assessment (e.g. a
    // recorded high-risk status that disagrees, DQ-PRG-10) are included.
    let a = assess_with(&rec, findings, &p, None);
    Ok(a.qc.findings.iter().map(finding_tuple).collect())
}

fn model_error(r: &Result<impl Sized, ModelError>) -> Option<String> {
    r.as_ref().err().map(ToString::to_string)
}

fn assessment_dict<'py>(py: Python<'py>, a: &Assessment) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let columns = PyDict::new(py);
    for (name, cell) in output::named_cells(a) {
        columns.set_item(name, cell)?;
    }
    d.set_item("columns", columns)?;
    d.set_item("id", a.id.clone())?;
    d.set_item("profile", a.profile.clone())?;
    d.set_item(
        "findings",
        a.qc.findings.iter().map(finding_tuple).collect::<Vec<_>>(),
    )?;
    d.set_item("missing_fields", a.high_risk.missing_fields.clone())?;
    let reasons: Vec<(&str, &str, &str)> = a
        .high_risk
        .reasons
        .iter()
        .map(|id| {
            let r = cvdscreen::rules::get(id);
            (*id, r.map_or("", |r| r.en), r.map_or("", |r| r.zh))
        })
        .collect();
    d.set_item("reasons", reasons)?;
    let m = &a.models;
    let errors = PyDict::new(py);
    for (name, err) in [
        ("china_par", model_error(&m.china_par)),
        ("who2019_lab", model_error(&m.who2019_lab)),
        ("who2019_nonlab", model_error(&m.who2019_nonlab)),
        ("pce", model_error(&m.pce)),
        ("prevent_10y", model_error(&m.prevent_10y)),
        ("framingham", model_error(&m.framingham)),
    ] {
        if let Some(e) = err {
            errors.set_item(name, e)?;
        }
    }
    d.set_item("model_errors", errors)?;
    Ok(d)
}

/// Assesses one record; returns a dict that the Python `Assessment` wraps.
#[pyfunction]
#[pyo3(signature = (record, profile="mpp-national", region=None))]
pub fn assess<'py>(
    py: Python<'py>,
    record: &Bound<'py, PyDict>,
    profile: &str,
    region: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let p = self::profile(profile, region)?;
    let (rec, findings) = parse(record)?;
    let a = assess_with(&rec, findings, &p, None);
    assessment_dict(py, &a)
}

/// Every input column name of the exchange format, in specification order.
#[pyfunction]
pub fn input_columns() -> Vec<&'static str> {
    Col::ALL.iter().map(|c| c.name()).collect()
}

/// Output column names of `cvdscreen screen`, in order.
#[pyfunction]
pub fn output_columns() -> Vec<&'static str> {
    output::OUTPUT_COLUMNS.to_vec()
}

/// Every rule: `(id, rule_set, citation, en, zh)`.
#[pyfunction]
pub fn rules() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)> {
    cvdscreen::rules::all()
        .map(|r| (r.id, r.rule_set, r.citation, r.en, r.zh))
        .collect()
}
