//! The table API: columns in, the output columns of `cvdscreen screen` (or the
//! indicator table) out. Rows are screened on worker threads with the GIL released.

use crate::convert::{ColRef, Column};
use crate::record::profile;
use cvdscreen::assess::{assess_with, Screener};
use cvdscreen::exchange::{self, Col, Header};
use cvdscreen::indicators::screening::{
    AccumulatorOptions, GroupBy, IndicatorRow, ScreeningAccumulator,
};
use cvdscreen::output;
use cvdscreen::qc::{DuplicateIndex, DuplicateIndexBuilder};
use numpy::PyArray1;
use pyo3::exceptions::PyValueError;
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

    /// Writes the cells of row `i` into `line` and returns them as slices.
    fn row<'b>(&self, i: usize, line: &'b mut String, ends: &mut Vec<usize>) -> Vec<&'b str> {
        line.clear();
        ends.clear();
        for c in &self.cols {
            c.push(i, line);
            ends.push(line.len());
        }
        let mut start = 0;
        let line: &'b str = line;
        ends.iter()
            .map(|&e| {
                let s = &line[start..e];
                start = e;
                s
            })
            .collect()
    }

    /// The DQ-PRG-6 index over every row, built like the CLI's first pass.
    fn duplicates(&self) -> Option<DuplicateIndex> {
        let id = self.header.position(Col::Id).map(|p| self.cols[p]);
        let idn = self.header.position(Col::IdNumber).map(|p| self.cols[p]);
        let mut b = DuplicateIndexBuilder::default();
        let (mut a, mut c) = (String::new(), String::new());
        for i in 0..self.rows {
            a.clear();
            c.clear();
            if let Some(col) = id {
                col.push(i, &mut a);
            }
            if let Some(col) = idn {
                col.push(i, &mut c);
            }
            let idn = exchange::parse_id_number(c.trim());
            b.add(id.map(|_| a.trim()), idn.as_deref());
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

/// Splits `0..n` into `k` contiguous ranges and runs `f` on each in its own thread,
/// returning the results in order.
fn par_ranges<T: Send>(n: usize, k: usize, f: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
    let k = k.min(n.div_ceil(1024)).max(1);
    if k == 1 {
        return vec![f(0, n)];
    }
    let step = n.div_ceil(k);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..k)
            .map(|t| {
                let (lo, hi) = ((t * step).min(n), ((t + 1) * step).min(n));
                let f = &f;
                s.spawn(move || f(lo, hi))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("screening thread panicked"))
            .collect()
    })
}

fn read_columns<'py>(
    names: &[String],
    columns: &[Bound<'py, PyAny>],
) -> PyResult<Vec<Column<'py>>> {
    names
        .iter()
        .zip(columns)
        .map(|(n, c)| Column::extract(n, c))
        .collect()
}

/// Python str objects for one output column; repeated values share one object.
fn strings_column<'py>(py: Python<'py>, cells: &[Vec<String>], j: usize) -> Bound<'py, PyAny> {
    const MAX_INTERNED: usize = 4096;
    let mut cache: HashMap<&str, Py<PyAny>> = HashMap::new();
    let mut out: Vec<Py<PyAny>> = Vec::with_capacity(cells.len());
    for row in cells {
        let s = row.get(j).map_or("", String::as_str);
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
    let cells: Vec<Vec<String>> = py.detach(|| {
        let screener = match table.duplicates() {
            Some(index) => Screener::with_duplicates(p, index),
            None => Screener::new(p),
        };
        let parts = par_ranges(table.rows, k, |lo, hi| {
            let (mut line, mut ends) = (String::new(), Vec::new());
            (lo..hi)
                .map(|i| {
                    let row = table.row(i, &mut line, &mut ends);
                    output::cells(&screener.screen_cells(&table.header, &row))
                })
                .collect::<Vec<_>>()
        });
        parts.into_iter().flatten().collect()
    });
    Ok(output::OUTPUT_COLUMNS
        .iter()
        .enumerate()
        .map(|(j, name)| (*name, strings_column(py, &cells, j)))
        .collect())
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
        let dups = table.duplicates();
        let parts = par_ranges(table.rows, k, |lo, hi| {
            let mut acc = ScreeningAccumulator::new(options.clone());
            let (mut line, mut ends) = (String::new(), Vec::new());
            for i in lo..hi {
                let row = table.row(i, &mut line, &mut ends);
                let (rec, findings) = exchange::parse_record(&table.header, &row);
                let a = assess_with(&rec, findings, &p, dups.as_ref());
                acc.add(&IndicatorRow::from_assessment(&rec, &a));
            }
            acc
        });
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
