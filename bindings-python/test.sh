#!/usr/bin/env bash
# Builds and tests the Python bindings in a fresh virtual environment:
#   venv (.venv-ci/ at the repository root) → pip install test dependencies (major
#   versions pinned) → pip install ./bindings-python (PEP 517, maturin, release
#   build) → the binding's Rust unit tests → release CLI binary (for the CLI comparison) → pytest.
# Usage: bindings-python/test.sh [pytest args]   (from anywhere in the repository)
# Environment: PYTHON (default python3), KEEP_VENV=1 reuses an existing venv.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
VENV="$ROOT/.venv-ci"
step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)

step "venv $VENV"
if [[ "${KEEP_VENV:-0}" != 1 || ! -x "$VENV/bin/python" ]]; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"
python -m pip install -q --upgrade "pip>=24"

step "test dependencies"
python -m pip install -q \
  "maturin>=1.16,<2" "pytest>=8,<10" "numpy>=2,<3" "pandas>=2.2,<4" "pandas-stubs>=2.2" \
  "polars>=1,<3" "pyarrow>=15,<30" "dask[dataframe]>=2024.1,<2027" "matplotlib>=3.8,<4" \
  "nbclient>=0.10,<1" "nbformat>=5,<6" "ipykernel>=6,<8" "mypy>=1.10,<3"

step "pip install ./bindings-python (maturin, release)"
python -m pip install -q ./bindings-python
python -c "import cvdscreen, sys; print('cvdscreen', cvdscreen.__version__, 'from', cvdscreen.__file__)"

step "Rust unit tests of the binding (cargo test, release)"
cargo test --release -p cvdscreen-py

step "release CLI (reference for the screen comparison)"
cargo build --release -p cvdscreen-cli
export CVDSCREEN_CLI="$ROOT/target/release/cvdscreen"

step "pytest"
# Run from outside the source tree so that the installed package is imported.
cd "$ROOT/bindings-python/tests"
python -m pytest -q -p no:cacheprovider "$@" .
printf '\nPython bindings: all tests passed in %ss.\n' "$(( $(date +%s) - start ))"
