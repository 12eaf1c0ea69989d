#!/usr/bin/env bash
# Runs every check and test of the project: formatting, clippy, rustdoc links, the
# Rust test suites of every workspace crate, the WebAssembly package (Node and
# headless-Chromium tests) and the Python package (pytest). Installs what it needs
# itself: rustup components and targets, wasm-bindgen-cli (cargo install), npm
# packages, Chromium (apt), a Python virtual environment with maturin and the test
# dependencies (pip), cargo-fuzz.
# Usage: scripts/test.sh            (from anywhere inside the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
cargo --version

step "cargo fetch: every dependency of Cargo.lock, for every platform"
# A build downloads only the crates this machine's target needs; the licence test runs
# `cargo metadata --offline`, which reads the manifests of all of them (Windows-only
# ones too), so a fresh machine fetches the whole graph first.
cargo fetch --locked

step "system packages: Chromium for the browser and report tests (Debian apt)"
# The report test (cargo test) and the WASM browser test drive headless Chromium.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends chromium fonts-wqy-microhei
  else
    echo "error: /usr/bin/chromium is missing; install Debian's chromium (apt-get install chromium)" >&2
    exit 1
  fi
fi
/usr/bin/chromium --version

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc -D warnings (public and private items: no broken links)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
RUSTDOCFLAGS="-D warnings" cargo doc -p cvdscreen --no-deps --document-private-items --locked

step "cargo test (workspace)"
cargo test --workspace --locked

step "WebAssembly package: build, Node tests, browser test"
bindings-wasm/test.sh

step "Python package: build the wheel, pytest"
bindings-python/test.sh

step "fuzzing: every cargo-fuzz target for a short run"
fuzz/run.sh "${FUZZ_SECONDS:-15}"

printf '\nAll checks passed.\n'
