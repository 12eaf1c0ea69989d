//! Python bindings of cvdscreen (`cvdscreen._cvdscreen`). Only conversions live
//! here: Python values to exchange-format cells, numpy arrays to the core's
//! struct-of-slices model API, core results to Python objects. The public Python API
//! (`cvdscreen`) wraps these functions in `python/cvdscreen/`.

mod convert;
mod models;
mod par;
mod record;
mod table;

use pyo3::prelude::*;

/// The module's Rust allocations (cell text, output buffers, the core's per-record
/// values) go to mimalloc instead of the C library's allocator: screening allocates and
/// frees small blocks for every record on every thread. Python's own objects are not
/// affected. Built with mimalloc's `no_thp`: it does not ask for transparent huge pages
/// (nothing changes for the rest of the process). With them, a million-row `screen`
/// spent 1.1–2.0 s of system time zeroing 2 MiB pages, against 0.3 s with 4 KiB pages
/// (benches/README.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _cvdscreen(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(record::check, m)?)?;
    m.add_function(wrap_pyfunction!(record::assess, m)?)?;
    m.add_function(wrap_pyfunction!(record::input_columns, m)?)?;
    m.add_function(wrap_pyfunction!(record::output_columns, m)?)?;
    m.add_function(wrap_pyfunction!(record::rules, m)?)?;
    m.add_function(wrap_pyfunction!(table::screen_columns, m)?)?;
    m.add_function(wrap_pyfunction!(table::screen_columns_arrow, m)?)?;
    m.add_class::<convert::Utf8Column>()?;
    m.add_function(wrap_pyfunction!(table::indicator_rows, m)?)?;
    m.add_function(wrap_pyfunction!(models::model_batch, m)?)?;
    m.add_function(wrap_pyfunction!(models::simd_level, m)?)?;
    m.add_function(wrap_pyfunction!(models::model_explain, m)?)?;
    m.add_function(wrap_pyfunction!(models::row_status_codes, m)?)?;
    Ok(())
}
