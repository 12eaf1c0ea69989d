#!/usr/bin/env bash
# Builds the WebAssembly package: pkg/ (--target web, for the demo and bundlers) and
# pkg-node/ (--target nodejs), both optimised with wasm-opt -Oz from npm binaryen
# (Debian's binaryen breaks the module: shared/toolchain.md). Installs what it needs:
# the rustup target, wasm-bindgen-cli of exactly the version in Cargo.lock, and the
# npm tools of package-lock.json. Prints raw and gzip sizes; fails over budget.
# Usage: bindings-wasm/build.sh   (from anywhere)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BUDGET=409600 # 400 KB raw, per .wasm
step() { printf '\n==> %s\n' "$*"; }

step "rustup target wasm32-unknown-unknown"
if command -v rustup >/dev/null 2>&1; then
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    rustup target add wasm32-unknown-unknown
fi

step "wasm-bindgen-cli"
WBV=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print}' "$ROOT/Cargo.lock")
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBV\$"; then
  # Not --locked: the crates mirror lacks a pinned dependency (toolchain.md).
  cargo install wasm-bindgen-cli --version "$WBV"
fi
wasm-bindgen --version

step "npm tools (binaryen, playwright-core, typescript)"
if [ ! -x "$HERE/node_modules/.bin/wasm-opt" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund)
fi
WASM_OPT="$HERE/node_modules/.bin/wasm-opt"

step "cargo build --profile wasm-release --target wasm32-unknown-unknown -p cvdscreen-wasm"
# wasm-release (root Cargo.toml): release + fat LTO, one codegen unit, opt-level z.
(cd "$ROOT" && cargo build --profile wasm-release --locked --target wasm32-unknown-unknown -p cvdscreen-wasm)
TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
W="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/cvdscreen_wasm.wasm"

size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
printf '\n%-44s %10s %10s\n' "file" "raw B" "gzip B"
printf '%-44s %10s %10s\n' "cargo output" "$(size "$W")" "$(gz "$W")"

for t in web nodejs; do
  out="$HERE/pkg"; [ "$t" = nodejs ] && out="$HERE/pkg-node"
  rm -rf "$out"
  wasm-bindgen --target "$t" --out-dir "$out" "$W"
  f="$out/cvdscreen_wasm_bg.wasm"
  printf '%-44s %10s %10s\n' "${out#"$ROOT"/} after wasm-bindgen" "$(size "$f")" "$(gz "$f")"
  "$WASM_OPT" -Oz --converge --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-multivalue --strip-debug --strip-producers "$f" -o "$f"
  printf '%-44s %10s %10s\n' "${out#"$ROOT"/} after wasm-opt -Oz" "$(size "$f")" "$(gz "$f")"
  # The TypeScript declarations are embedded (typescript_custom_section); keep a copy
  # of the source file next to them and check they made it into the package.
  cp "$HERE/types/cvdscreen.d.ts" "$out/cvdscreen-types.d.ts"
  grep -q "export interface ScreeningRecord" "$out/cvdscreen_wasm.d.ts"
  # A package manifest so each folder is importable as is (wasm-bindgen writes none).
  type=module; [ "$t" = nodejs ] && type=commonjs
  VERSION=$(awk -F'"' '/^version = /{print $2; exit}' "$ROOT/Cargo.toml")
  cat > "$out/package.json" <<JSON
{
  "name": "cvdscreen-wasm",
  "version": "$VERSION",
  "private": true,
  "license": "MIT OR Apache-2.0",
  "type": "$type",
  "main": "cvdscreen_wasm.js",
  "types": "cvdscreen_wasm.d.ts"
}
JSON
  if [ "$(size "$f")" -gt "$BUDGET" ]; then
    echo "error: $f is $(size "$f") B, over the $BUDGET B budget" >&2
    exit 1
  fi
done
