//! Python values → exchange-format cell text (csv-schema.md), done once here for the
//! record API and the table API alike.
//!
//! A number is written as the core writes a number cell ([`Cell::push_text`]: the
//! shortest decimal that reads back to the `f64`, an integer's digits), so the core
//! parses back exactly the number given. NaN, `None`, `pandas.NA` and `NaT` are empty
//! cells ("not measured").
//!
//! Text columns backed by Arrow (pandas' `str` dtype with pyarrow storage, Arrow
//! string arrays) are read in place from their buffers ([`Utf8Column`]): no Python
//! object per cell.

use cvdscreen::exchange::Cell;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

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
        Cell::Float(v.extract::<f64>()?).push_text(buf);
        return Ok(());
    }
    if v.is_instance_of::<PyInt>() {
        match v.extract::<i64>() {
            Ok(i) => Cell::Int(i).push_text(buf),
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
                Cell::Int(i).push_text(buf);
                return Ok(());
            }
        }
        if name.starts_with("float") {
            Cell::Float(v.extract::<f64>()?).push_text(buf);
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
    if name == "Decimal" {
        // Its exact decimal text, as the same cell would read in a CSV file.
        buf.push_str(&v.str()?.to_cow()?);
        return Ok(());
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

/// A text column in the Arrow `string` / `large_string` layout, read in place: the
/// UTF-8 bytes, the `length + 1` offsets (from `offset`) and an optional validity
/// bitmap (a null is an empty cell). Built by the Python side from the buffers of an
/// Arrow array (`cvdscreen._table`).
#[pyclass(frozen, module = "cvdscreen._cvdscreen")]
pub struct Utf8Column {
    data: Py<PyArray1<u8>>,
    offsets: Py<PyAny>,
    validity: Option<Py<PyArray1<u8>>>,
    offset: usize,
    len: usize,
}

impl Utf8Column {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }
}

#[pymethods]
impl Utf8Column {
    #[new]
    #[pyo3(signature = (data, offsets, validity, offset, length))]
    fn new(
        data: Bound<'_, PyArray1<u8>>,
        offsets: Bound<'_, PyAny>,
        validity: Option<Bound<'_, PyArray1<u8>>>,
        offset: usize,
        length: usize,
    ) -> PyResult<Self> {
        let n_off = if let Ok(o) = offsets.cast::<PyArray1<i64>>() {
            o.len()
        } else if let Ok(o) = offsets.cast::<PyArray1<i32>>() {
            o.len()
        } else {
            return Err(PyTypeError::new_err(
                "Utf8Column offsets must be a 1-D int32 or int64 array",
            ));
        };
        if n_off < offset + length + 1 {
            return Err(PyValueError::new_err(format!(
                "Utf8Column: {n_off} offsets for {length} values from {offset}"
            )));
        }
        if let Some(v) = &validity {
            if v.len() * 8 < offset + length {
                return Err(PyValueError::new_err(
                    "Utf8Column: validity bitmap too short",
                ));
            }
        }
        Ok(Utf8Column {
            data: data.unbind(),
            offsets: offsets.unbind(),
            validity: validity.map(Bound::unbind),
            offset,
            len: length,
        })
    }

    fn __len__(&self) -> usize {
        self.len
    }
}

/// Offsets of a [`Utf8Column`], kept alive for the call.
pub enum Offsets<'py> {
    /// Arrow `string`.
    I32(PyReadonlyArray1<'py, i32>),
    /// Arrow `large_string`.
    I64(PyReadonlyArray1<'py, i64>),
}

/// Borrowed offsets.
#[derive(Copy, Clone)]
pub enum OffsetsRef<'a> {
    /// Arrow `string`.
    I32(&'a [i32]),
    /// Arrow `large_string`.
    I64(&'a [i64]),
}

impl OffsetsRef<'_> {
    #[inline]
    fn at(&self, j: usize) -> usize {
        // Checked non-negative in `Column::view`.
        match self {
            OffsetsRef::I32(o) => o[j] as usize,
            OffsetsRef::I64(o) => o[j] as usize,
        }
    }
}

/// A borrowed, validated [`Utf8Column`].
#[derive(Copy, Clone)]
pub struct Utf8Ref<'a> {
    data: &'a str,
    offsets: OffsetsRef<'a>,
    validity: Option<&'a [u8]>,
    offset: usize,
    len: usize,
}

impl<'a> Utf8Ref<'a> {
    /// The text of row `i` (empty for a null).
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        let j = self.offset + i;
        if let Some(v) = self.validity {
            if v[j >> 3] & (1 << (j & 7)) == 0 {
                return "";
            }
        }
        // Bounds and char boundaries checked in `Column::view`.
        &self.data[self.offsets.at(j)..self.offsets.at(j + 1)]
    }

    fn validate(&self) -> PyResult<()> {
        let bad = |what: &str| PyValueError::new_err(format!("Utf8Column: {what}"));
        let mut prev = None;
        for j in self.offset..=self.offset + self.len {
            let o = match self.offsets {
                OffsetsRef::I32(o) => i64::from(o[j]),
                OffsetsRef::I64(o) => o[j],
            };
            let o = usize::try_from(o).map_err(|_| bad("negative offset"))?;
            if o > self.data.len() || !self.data.is_char_boundary(o) {
                return Err(bad("offset outside the data or inside a character"));
            }
            if prev.is_some_and(|p| o < p) {
                return Err(bad("decreasing offsets"));
            }
            prev = Some(o);
        }
        Ok(())
    }
}

/// One input column of a table, read once while holding the GIL.
pub enum Column<'py> {
    /// float64, read in place.
    F64(PyReadonlyArray1<'py, f64>),
    /// int64, read in place.
    I64(PyReadonlyArray1<'py, i64>),
    /// bool, read in place.
    Bool(PyReadonlyArray1<'py, bool>),
    /// Arrow-layout text, read in place.
    Utf8 {
        /// UTF-8 bytes.
        data: PyReadonlyArray1<'py, u8>,
        /// Offsets.
        offsets: Offsets<'py>,
        /// Validity bitmap.
        validity: Option<PyReadonlyArray1<'py, u8>>,
        /// First value.
        offset: usize,
        /// Number of values.
        len: usize,
    },
    /// Anything else, converted to cell text.
    Text(Vec<String>),
    /// A column the exchange format does not know: only its length is read (it is
    /// carried through by the Python side; no value of it is converted).
    Skipped(usize),
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
    /// Arrow-layout text.
    Utf8(Utf8Ref<'a>),
    /// Text.
    Text(&'a [String]),
    /// An unknown column of this many rows (its cells are never read).
    Skipped(usize),
}

impl ColRef<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColRef::F64(s) => s.len(),
            ColRef::I64(s) => s.len(),
            ColRef::Bool(s) => s.len(),
            ColRef::Utf8(u) => u.len,
            ColRef::Text(s) => s.len(),
            ColRef::Skipped(n) => *n,
        }
    }
    /// Appends the cell text of row `i`.
    #[inline]
    pub fn push(&self, i: usize, buf: &mut String) {
        match self {
            ColRef::F64(s) => Cell::Float(s[i]).push_text(buf),
            ColRef::I64(s) => Cell::Int(s[i]).push_text(buf),
            ColRef::Bool(s) => buf.push_str(if s[i] { "1" } else { "0" }),
            ColRef::Utf8(u) => buf.push_str(u.get(i)),
            ColRef::Text(s) => buf.push_str(&s[i]),
            ColRef::Skipped(_) => {}
        }
    }
}

impl<'a> ColRef<'a> {
    /// Writes the cells of rows `lo..lo + n` into every `stride`-th slot of `out` (row
    /// `lo + k` at `out[k * stride]`): one column of a row-major block of cells, with
    /// the column's kind matched once per block. Numbers stay numbers
    /// ([`cvdscreen::exchange::parse_typed`] reads them as their text), text is borrowed.
    pub fn scatter(&self, lo: usize, n: usize, out: &mut [Cell<'a>], stride: usize) {
        // Row `k`'s slot is the first of the `k`-th chunk of `stride` cells.
        let rows = out.chunks_mut(stride).take(n);
        match *self {
            ColRef::F64(s) => {
                for (row, &v) in rows.zip(&s[lo..lo + n]) {
                    row[0] = Cell::Float(v);
                }
            }
            ColRef::I64(s) => {
                for (row, &v) in rows.zip(&s[lo..lo + n]) {
                    row[0] = Cell::Int(v);
                }
            }
            ColRef::Bool(s) => {
                for (row, &v) in rows.zip(&s[lo..lo + n]) {
                    row[0] = Cell::Text(if v { "1" } else { "0" });
                }
            }
            ColRef::Utf8(u) => match u.offsets {
                // The offsets' width and the validity bitmap matched once per block.
                OffsetsRef::I32(o) => u.scatter(o, lo, rows),
                OffsetsRef::I64(o) => u.scatter(o, lo, rows),
            },
            ColRef::Text(s) => {
                for (row, t) in rows.zip(&s[lo..lo + n]) {
                    row[0] = Cell::Text(t);
                }
            }
            // The header maps no column here, so the core never reads these cells.
            ColRef::Skipped(_) => {}
        }
    }
}

impl<'a> Utf8Ref<'a> {
    /// [`ColRef::scatter`] of this column with its offsets `o` (`self.offsets`).
    fn scatter<'r, O: Copy + Into<i64>>(
        &self,
        o: &[O],
        lo: usize,
        rows: impl Iterator<Item = &'r mut [Cell<'a>]>,
    ) where
        'a: 'r,
    {
        let j0 = self.offset + lo;
        // Offsets checked non-negative, in order and on character boundaries in
        // `Column::view`.
        let text = |j: usize| {
            let (a, b) = (o[j].into() as usize, o[j + 1].into() as usize);
            self.data.get(a..b).unwrap_or_default()
        };
        match self.validity {
            None => {
                for (k, row) in rows.enumerate() {
                    row[0] = Cell::Text(text(j0 + k));
                }
            }
            Some(v) => {
                for (k, row) in rows.enumerate() {
                    let j = j0 + k;
                    let valid = v[j >> 3] & (1 << (j & 7)) != 0;
                    row[0] = Cell::Text(if valid { text(j) } else { "" });
                }
            }
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
        if let Ok(u) = obj.cast::<Utf8Column>() {
            let u = u.get();
            let py = obj.py();
            let offsets = u.offsets.bind(py);
            let offsets = if let Ok(o) = offsets.cast::<PyArray1<i64>>() {
                Offsets::I64(contiguous(o)?)
            } else {
                Offsets::I32(contiguous(offsets.cast::<PyArray1<i32>>()?)?)
            };
            return Ok(Column::Utf8 {
                data: contiguous(u.data.bind(py))?,
                offsets,
                validity: u
                    .validity
                    .as_ref()
                    .map(|v| contiguous(v.bind(py)))
                    .transpose()?,
                offset: u.offset,
                len: u.len,
            });
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
            Column::Utf8 {
                data,
                offsets,
                validity,
                offset,
                len,
            } => {
                let data = std::str::from_utf8(data.as_slice()?)
                    .map_err(|e| PyValueError::new_err(format!("Utf8Column: {e}")))?;
                let offsets = match offsets {
                    Offsets::I32(o) => OffsetsRef::I32(o.as_slice()?),
                    Offsets::I64(o) => OffsetsRef::I64(o.as_slice()?),
                };
                let u = Utf8Ref {
                    data,
                    offsets,
                    validity: validity.as_ref().map(|v| v.as_slice()).transpose()?,
                    offset: *offset,
                    len: *len,
                };
                u.validate()?;
                ColRef::Utf8(u)
            }
            Column::Text(v) => ColRef::Text(v),
            Column::Skipped(n) => ColRef::Skipped(*n),
        })
    }
}
