//! The table API: columns in, the output columns of `cvdscreen screen` (or the
//! indicator table) out. Rows are screened on worker threads with the GIL released.

use crate::convert::{ColRef, Column, Utf8Column};
use crate::par;
use crate::record::profile;
use cvdscreen::assess::{assess_with, Screener};
use cvdscreen::exchange::{self, Cell, Col, Header};
use cvdscreen::indicators::screening::{
    AccumulatorOptions, GroupBy, IndicatorRow, ScreeningAccumulator,
};
use cvdscreen::output;
use cvdscreen::profile::Profile;
use cvdscreen::qc::{DuplicateIndex, DuplicateIndexBuilder};
use numpy::PyArray1;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::collections::HashMap;

/// The columns of a table, borrowed, with their header.
struct Table<'a> {
    header: Header,
    cols: Vec<ColRef<'a>>,
    rows: usize,
}

impl<'a> Table<'a> {
    fn new(names: &[String], cols: &'a [Column<'_>]) -> PyResult<Self> {
        if names.len() != cols.len() {
            return Err(PyValueError::new_err(format!(
                "{} column names for {} columns",
                names.len(),
                cols.len()
            )));
        }
        let views = cols
            .iter()
            .map(Column::view)
            .collect::<PyResult<Vec<_>>>()?;
        let rows = views.first().map_or(0, ColRef::len);
        for (n, v) in names.iter().zip(&views) {
            if v.len() != rows {
                return Err(PyValueError::new_err(format!(
                    "column `{n}` has {} rows, expected {rows}",
                    v.len()
                )));
            }
        }
        let header = Header::new(names);
        if !views.is_empty() && header.position(Col::Id).is_none() {
            return Err(PyValueError::new_err(
                "required column `id` missing (column names are matched exactly, case-sensitive)",
            ));
        }
        Ok(Table {
            header,
            cols: views,
            rows,
        })
    }

    /// Calls `f` with the cells of every row of `lo..hi`, in order. The cells are read
    /// in blocks of rows, column by column ([`ColRef::scatter`]: numbers as numbers,
    /// text borrowed where it is), into a row-major block of cells whose rows are
    /// handed to `f` as they are.
    fn for_each_row(&self, lo: usize, hi: usize, mut f: impl FnMut(&[Cell<'_>])) {
        const BLOCK: usize = 1024;
        let width = self.cols.len();
        if width == 0 {
            (lo..hi).for_each(|_| f(&[]));
            return;
        }
        let mut cells = vec![Cell::Text(""); BLOCK.min(hi - lo) * width];
        for a in (lo..hi).step_by(BLOCK) {
            let b = (a + BLOCK).min(hi);
            let block = &mut cells[..(b - a) * width];
            for (c, col) in self.cols.iter().enumerate() {
                col.scatter(a, b - a, &mut block[c..], width);
            }
            block.chunks_exact(width).for_each(&mut f);
        }
    }

    /// The DQ-PRG-6 index over every row, built like the CLI's first pass (on `k`
    /// threads, one builder per block of rows, merged).
    fn duplicates(&self, k: usize) -> Option<DuplicateIndex> {
        let id = self.header.position(Col::Id).map(|p| self.cols[p]);
        let idn = self.header.position(Col::IdNumber).map(|p| self.cols[p]);
        let parts = par::blocks(
            self.rows,
            k,
            (16_384, usize::MAX),
            || (),
            |(), lo, hi| {
                let mut b = DuplicateIndexBuilder::default();
                let (mut a, mut c) = (String::new(), String::new());
                for i in lo..hi {
                    a.clear();
                    c.clear();
                    if let Some(col) = id {
                        col.push(i, &mut a);
                    }
                    if let Some(col) = idn {
                        col.push(i, &mut c);
                    }
                    let idn = exchange::id_number_syntax(c.trim());
                    b.add(id.map(|_| a.trim()), idn.as_deref());
                }
                b
            },
        );
        let mut it = parts.into_iter();
        let mut b = it.next().unwrap_or_default();
        for part in it {
            b.merge(part);
        }
        let index = b.finish();
        (!index.is_empty()).then_some(index)
    }
}

fn threads(requested: Option<usize>) -> usize {
    requested
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

fn read_columns<'py>(
    names: &[String],
    columns: &[Bound<'py, PyAny>],
) -> PyResult<Vec<Column<'py>>> {
    // Columns the exchange format does not know are carried through untouched by the
    // Python side; here only their length counts (a list, a dict or any other value in
    // them is not a reason to reject the table).
    let header = Header::new(names);
    names
        .iter()
        .zip(columns)
        .enumerate()
        .map(|(j, (n, c))| {
            if header.col(j).is_some() {
                return Column::extract(n, c);
            }
            let len = match c.cast::<Utf8Column>() {
                Ok(u) => u.get().len(),
                Err(_) => c.len().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "column `{n}`: expected a sequence of values, got {}",
                        c.get_type()
                            .name()
                            .map_or_else(|_| "?".into(), |t| t.to_string())
                    ))
                })?,
            };
            Ok(Column::Skipped(len))
        })
        .collect()
}

/// One output column of one thread's rows in the Arrow `large_string` layout: the
/// UTF-8 bytes of every cell and `rows + 1` offsets.
struct StrCol {
    data: String,
    offsets: Vec<i64>,
}

impl StrCol {
    fn rows(&self) -> usize {
        self.offsets.len() - 1
    }
    /// Cell `i`. Whole cells were appended, so every offset is a character boundary.
    fn get(&self, i: usize) -> &str {
        let (a, b) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        self.data.get(a..b).unwrap_or_default()
    }
}

/// Screens every row on `k` threads: per block of rows (contiguous, in order), the
/// output columns in [`output::OUTPUT_COLUMNS`] order.
///
/// Each thread writes a block's cells into its own scratch columns, which grow to the
/// largest block's size once and are reused, then copies them into columns of exactly
/// the block's size. The kept output (some 350 MB for a million rows) is then all the
/// fresh memory a call touches: growing every output column by doubling touched about
/// twice that, and first-touch page faults cost more than the copy, most of all in
/// virtual machines.
fn screen_table(table: &Table<'_>, p: Profile, k: usize) -> Vec<Vec<StrCol>> {
    let screener = match table.duplicates(k) {
        Some(index) => Screener::with_duplicates(p, index),
        None => Screener::new(p),
    };
    par::blocks(
        table.rows,
        k,
        (1024, 16_384),
        Scratch::default,
        |Scratch { texts, offsets }, lo, hi| {
            for (t, o) in texts.iter_mut().zip(offsets.iter_mut()) {
                t.clear();
                o.clear();
                o.push(0);
            }
            table.for_each_row(lo, hi, |row| {
                // Each output cell appended to its column's text, then each column's
                // offset: `cells_append` writes exactly one cell per column.
                output::cells_append(&screener.screen_typed(&table.header, row).1, texts);
                for (o, t) in offsets.iter_mut().zip(texts.iter()) {
                    // A String never holds more than isize::MAX bytes.
                    o.push(t.len() as i64);
                }
            });
            // `clone` allocates exactly the length.
            texts
                .iter()
                .zip(offsets.iter())
                .map(|(t, o)| StrCol {
                    data: t.clone(),
                    offsets: o.clone(),
                })
                .collect()
        },
    )
}

/// One thread's output columns for the block it is screening (text and offsets of
/// each column, in [`output::OUTPUT_COLUMNS`] order), reused from block to block.
#[derive(Default)]
struct Scratch {
    texts: [String; output::N_OUTPUT],
    offsets: [Vec<i64>; output::N_OUTPUT],
}

/// Python str objects for output column `j`; repeated values share one object.
fn strings_column<'py>(py: Python<'py>, parts: &[Vec<StrCol>], j: usize) -> Bound<'py, PyAny> {
    const MAX_INTERNED: usize = 4096;
    let mut cache: HashMap<&str, Py<PyAny>> = HashMap::new();
    let rows = parts.iter().map(|p| p[j].rows()).sum();
    let mut out: Vec<Py<PyAny>> = Vec::with_capacity(rows);
    for col in parts.iter().map(|p| &p[j]) {
        for i in 0..col.rows() {
            let s = col.get(i);
            if let Some(o) = cache.get(s) {
                out.push(o.clone_ref(py));
                continue;
            }
            let o: Py<PyAny> = PyString::new(py, s).into_any().unbind();
            if cache.len() < MAX_INTERNED {
                cache.insert(s, o.clone_ref(py));
            }
            out.push(o);
        }
    }
    PyArray1::from_vec(py, out).into_any()
}

/// Screens a table given as column names and columns; returns the output columns
/// (in [`output::OUTPUT_COLUMNS`] order) as numpy object arrays of str.
#[pyfunction]
#[pyo3(signature = (names, columns, profile="mpp-national", region=None, threads=None))]
pub fn screen_columns<'py>(
    py: Python<'py>,
    names: Vec<String>,
    columns: Vec<Bound<'py, PyAny>>,
    profile: &str,
    region: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Vec<(&'static str, Bound<'py, PyAny>)>> {
    let p = self::profile(profile, region)?;
    let cols = read_columns(&names, &columns)?;
    let table = Table::new(&names, &cols)?;
    let k = self::threads(threads);
    let parts = py.detach(|| screen_table(&table, p, k));
    Ok(output::OUTPUT_COLUMNS
        .iter()
        .enumerate()
        .map(|(j, name)| (*name, strings_column(py, &parts, j)))
        .collect())
}

/// One chunk of an Arrow `large_string` array: `(offsets int64, data uint8)`.
type ArrowChunk<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<u8>>);

/// Like [`screen_columns`], but each output column comes back as the buffers of an
/// Arrow `large_string` array, one chunk per block of rows (in row order), moved
/// into numpy arrays without a copy: no Python object per cell.
#[pyfunction]
#[pyo3(signature = (names, columns, profile="mpp-national", region=None, threads=None))]
pub fn screen_columns_arrow<'py>(
    py: Python<'py>,
    names: Vec<String>,
    columns: Vec<Bound<'py, PyAny>>,
    profile: &str,
    region: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Vec<(&'static str, Vec<ArrowChunk<'py>>)>> {
    let p = self::profile(profile, region)?;
    let cols = read_columns(&names, &columns)?;
    let table = Table::new(&names, &cols)?;
    let k = self::threads(threads);
    let parts = py.detach(|| screen_table(&table, p, k));
    let mut out: Vec<(&'static str, Vec<ArrowChunk<'py>>)> = output::OUTPUT_COLUMNS
        .iter()
        .map(|name| (*name, Vec::with_capacity(parts.len())))
        .collect();
    for part in parts {
        for (j, col) in part.into_iter().enumerate() {
            out[j].1.push((
                PyArray1::from_vec(py, col.offsets),
                PyArray1::from_vec(py, col.data.into_bytes()),
            ));
        }
    }
    Ok(out)
}

fn group_by(by: &[String]) -> PyResult<GroupBy> {
    let mut g = GroupBy::default();
    for b in by {
        match b.as_str() {
            "site_id" | "site" => g.site = true,
            "month" | "period" => g.month = true,
            "sex" => g.sex = true,
            "age_band" => g.age_band = true,
            other => {
                return Err(PyValueError::new_err(format!(
                "cannot group by `{other}`: expected any of `site_id`, `month`, `sex`, `age_band`"
            )))
            }
        }
    }
    Ok(g)
}

/// One row of the indicator table.
pub type IndicatorTuple = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    &'static str,
    String,
    f64,
    Option<f64>,
    Option<f64>,
    bool,
);

/// Screening indicators (§11.1) of a table, grouped by `by`, as a long table.
#[pyfunction]
#[pyo3(signature = (names, columns, by, profile="mpp-national", region=None, threads=None))]
pub fn indicator_rows<'py>(
    py: Python<'py>,
    names: Vec<String>,
    columns: Vec<Bound<'py, PyAny>>,
    by: Vec<String>,
    profile: &str,
    region: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Vec<IndicatorTuple>> {
    let p = self::profile(profile, region)?;
    let options = AccumulatorOptions {
        group_by: group_by(&by)?,
        ..Default::default()
    };
    let cols = read_columns(&names, &columns)?;
    let table = Table::new(&names, &cols)?;
    let k = self::threads(threads);
    let acc = py.detach(|| {
        let dups = table.duplicates(k);
        // One accumulator per block, merged in row order.
        let parts = par::blocks(
            table.rows,
            k,
            (1024, usize::MAX),
            || (),
            |(), lo, hi| {
                let mut acc = ScreeningAccumulator::new(options.clone());
                table.for_each_row(lo, hi, |row| {
                    let (rec, findings) = exchange::parse_typed(&table.header, row);
                    let a = assess_with(&rec, findings, &p, dups.as_ref());
                    acc.add(&IndicatorRow::from_assessment(&rec, &a));
                });
                acc
            },
        );
        let mut it = parts.into_iter();
        let mut acc = it
            .next()
            .unwrap_or_else(|| ScreeningAccumulator::new(options.clone()));
        for a in it {
            acc.merge(&a);
        }
        acc
    });
    Ok(acc
        .table()
        .rows
        .into_iter()
        .map(|r| {
            (
                r.site,
                r.period,
                r.sex,
                r.age_band,
                r.id,
                r.key,
                r.numerator,
                r.denominator,
                r.value,
                r.anomaly,
            )
        })
        .collect())
}
