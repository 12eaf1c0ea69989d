#!/usr/bin/env bash
# Builds and tests the WebAssembly package: build.sh, the Node tests of the API, and
# the browser test of the demo form (headless Chromium). Called by the project's main
# test script. Installs Chromium (and a CJK font for the screenshots) via apt when
# /usr/bin/chromium is absent and we are root.
# Usage: bindings-wasm/test.sh   (from anywhere)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
step() { printf '\n==> %s\n' "$*"; }

"$HERE/build.sh"

step "node --test bindings-wasm/js-tests/"
node --test "$HERE/js-tests/"

step "tsc: the shipped TypeScript declarations"
"$HERE/node_modules/.bin/tsc" -p "$HERE"

step "browser: headless Chromium"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends chromium fonts-wqy-microhei
  else
    echo "error: $CHROMIUM is missing; install Chromium (apt-get install chromium) or set CHROMIUM" >&2
    exit 1
  fi
fi
if [ "$(id -u)" = 0 ] && command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh)" ]; then
  # Only for legible Chinese in the screenshots; the test itself reads the DOM.
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-wqy-microhei ||
    echo "warning: no CJK font; Chinese text in screenshots will show as boxes" >&2
fi
CHROMIUM="$CHROMIUM" node --test "$HERE/e2e/demo.spec.mjs"
printf '\nbindings-wasm: all checks passed (screenshots in bindings-wasm/e2e/screenshots/).\n'
