//! Acceptance tests of the `cvdscreen` risk models; the tests live in `it/` and read
//! the vectors in `vectors/`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::PathBuf;

/// Directory holding the vector CSV files.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}
