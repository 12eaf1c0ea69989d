//! Python values → exchange-format cell text (csv-schema.md), done once here for the
//! record API and the table API alike.
//!
//! A float is written as the shortest decimal that round-trips the `f64` (Rust's
//! `Display`, never an exponent), so the core parses back exactly the number given.
//! NaN, `None`, `pandas.NA` and `NaT` are empty cells ("not measured").

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use std::fmt::Write;

/// Appends the cell text of a finite or non-finite float.
pub fn push_f64(buf: &mut String, v: f64) {
    if v.is_nan() {
        return;
    }
    // Writing to a String cannot fail.
    let _ = write!(buf, "{v}");
}

/// Appends the cell text of an integer.
pub fn push_i64(buf: &mut String, v: i64) {
    let _ = write!(buf, "{v}");
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Appends the cell text of one Python value; `what` names the key or column for the
/// error message. Accepts `str`, `bool`, `int`, `float` (and the numpy scalars of
/// these), `None`, `pandas.NA`/`NaT`, and dates (`isoformat()`, date part).
pub fn push_value(buf: &mut String, v: &Bound<'_, PyAny>, what: &str) -> PyResult<()> {
    if v.is_none() {
        return Ok(());
    }
    if let Ok(s) = v.cast::<PyString>() {
        buf.push_str(&s.to_cow()?);
        return Ok(());
    }
    if v.is_instance_of::<PyBool>() {
        buf.push_str(if v.is_truthy()? { "1" } else { "0" });
        return Ok(());
    }
    if v.is_instance_of::<PyFloat>() {
        push_f64(buf, v.extract::<f64>()?);
        return Ok(());
    }
    if v.is_instance_of::<PyInt>() {
        match v.extract::<i64>() {
            Ok(i) => push_i64(buf, i),
            Err(_) => buf.push_str(&v.str()?.to_cow()?),
        }
        return Ok(());
    }
    let name = type_name(v);
    match name.as_str() {
        "NAType" | "NaTType" => return Ok(()),
        "bool_" | "bool" => {
            buf.push_str(if v.is_truthy()? { "1" } else { "0" });
            return Ok(());
        }
        _ => {}
    }
    let module: String = v
        .get_type()
        .getattr("__module__")
        .and_then(|m| m.extract())
        .unwrap_or_default();
    if module == "numpy" {
        if name.starts_with("int") || name.starts_with("uint") {
            if let Ok(i) = v.extract::<i64>() {
                push_i64(buf, i);
                return Ok(());
            }
        }
        if name.starts_with("float") {
            push_f64(buf, v.extract::<f64>()?);
            return Ok(());
        }
        if name == "datetime64" {
            let s = v.str()?.to_cow()?.into_owned();
            if s != "NaT" {
                buf.push_str(s.split('T').next().unwrap_or(""));
            }
            return Ok(());
        }
    }
    if v.hasattr("isoformat")? && !v.is_callable() {
        let s: String = v.call_method0("isoformat")?.extract()?;
        if s != "NaT" {
            buf.push_str(s.split('T').next().unwrap_or(""));
        }
        return Ok(());
    }
    Err(PyTypeError::new_err(format!(
        "`{what}`: unsupported value of type `{name}`; expected str, int, float, bool, None or a date"
    )))
}

/// One input column of a table, read once while holding the GIL.
pub enum Column<'py> {
    /// float64, read in place.
    F64(PyReadonlyArray1<'py, f64>),
    /// int64, read in place.
    I64(PyReadonlyArray1<'py, i64>),
    /// bool, read in place.
    Bool(PyReadonlyArray1<'py, bool>),
    /// Anything else, converted to cell text.
    Text(Vec<String>),
}

/// A borrowed view of a [`Column`] that can cross `py.detach`.
#[derive(Copy, Clone)]
pub enum ColRef<'a> {
    /// float64.
    F64(&'a [f64]),
    /// int64.
    I64(&'a [i64]),
    /// bool.
    Bool(&'a [bool]),
    /// Text.
    Text(&'a [String]),
}

impl ColRef<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColRef::F64(s) => s.len(),
            ColRef::I64(s) => s.len(),
            ColRef::Bool(s) => s.len(),
            ColRef::Text(s) => s.len(),
        }
    }
    /// Appends the cell text of row `i`.
    #[inline]
    pub fn push(&self, i: usize, buf: &mut String) {
        match self {
            ColRef::F64(s) => push_f64(buf, s[i]),
            ColRef::I64(s) => push_i64(buf, s[i]),
            ColRef::Bool(s) => buf.push_str(if s[i] { "1" } else { "0" }),
            ColRef::Text(s) => buf.push_str(&s[i]),
        }
    }
}

fn contiguous<'py, T: numpy::Element + Clone>(
    a: &Bound<'py, PyArray1<T>>,
) -> PyResult<PyReadonlyArray1<'py, T>> {
    let ro = a.try_readonly()?;
    if ro.is_contiguous() {
        Ok(ro)
    } else {
        // A strided view: copy it once into a fresh contiguous array.
        let owned = PyArray1::from_vec(a.py(), ro.as_array().to_vec());
        Ok(owned.readonly())
    }
}

impl<'py> Column<'py> {
    /// Reads a column: a 1-D float64/int64/bool numpy array in place, any other
    /// sequence (object arrays, lists) element by element.
    pub fn extract(name: &str, obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(a) = obj.cast::<PyArray1<f64>>() {
            return Ok(Column::F64(contiguous(a)?));
        }
        if let Ok(a) = obj.cast::<PyArray1<i64>>() {
            return Ok(Column::I64(contiguous(a)?));
        }
        if let Ok(a) = obj.cast::<PyArray1<bool>>() {
            return Ok(Column::Bool(contiguous(a)?));
        }
        if obj.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(format!(
                "column `{name}`: expected a sequence of values, got a str"
            )));
        }
        let mut out = Vec::new();
        let mut buf = String::new();
        if let Ok(a) = obj.cast::<PyArray1<Py<PyAny>>>() {
            let ro = a.try_readonly()?;
            let view = ro.as_array();
            out.reserve(view.len());
            for v in view.iter() {
                buf.clear();
                push_value(&mut buf, v.bind(obj.py()), name)?;
                out.push(buf.clone());
            }
            return Ok(Column::Text(out));
        }
        let it = obj.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "column `{name}`: expected a 1-D array or a sequence, got `{}`",
                type_name(obj)
            ))
        })?;
        for v in it {
            let v = v?;
            buf.clear();
            push_value(&mut buf, &v, name)?;
            out.push(buf.clone());
        }
        Ok(Column::Text(out))
    }

    /// A borrowed view.
    pub fn view(&self) -> PyResult<ColRef<'_>> {
        Ok(match self {
            Column::F64(a) => ColRef::F64(a.as_slice()?),
            Column::I64(a) => ColRef::I64(a.as_slice()?),
            Column::Bool(a) => ColRef::Bool(a.as_slice()?),
            Column::Text(v) => ColRef::Text(v),
        })
    }
}
