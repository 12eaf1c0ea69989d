// Node side of benches/wasm_vs_native.sh: reads the columns written by the native
// `china_par_columns` binary, runs them through the WebAssembly package's
// `chinaPar10yBatch` (bindings-wasm/pkg-node), prints the best-of-R rate, and compares
// every row with the native result (status equal; values: how many bit-identical and
// the largest difference — wasm's libm `ln`/`exp` need not round like the host's).
//
// Usage: node benches/wasm_vs_native.mjs FILE [RUNS] [PKG_DIR]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [file, runsArg, pkgArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node benches/wasm_vs_native.mjs FILE [RUNS] [PKG_DIR]');
const runs = Number(runsArg ?? 5);
const pkg = resolve(pkgArg ?? new URL('../bindings-wasm/pkg-node', import.meta.url).pathname);
const cvd = createRequire(import.meta.url)(`${pkg}/cvdscreen_wasm.js`);

const buf = readFileSync(file);
const n = Number(buf.readBigUInt64LE(0));
let off = 8;
// Copies, so every column is its own aligned typed array (as a caller would have).
const f64 = () => { const a = new Float64Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + 8 * n)); off += 8 * n; return a; };
const u8 = () => { const a = new Uint8Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + n)); off += n; return a; };
const [age, sbp, tc_mmol, hdl_mmol, waist_cm, nativeValues] = [f64(), f64(), f64(), f64(), f64(), f64()];
const [sex, bp_treated, current_smoker, diabetes, north, urban, family_history_ascvd, nativeStatus] =
  [u8(), u8(), u8(), u8(), u8(), u8(), u8(), u8()];
const columns = {
  sex, age, sbp, bp_treated, tc_mmol, hdl_mmol, waist_cm, current_smoker, diabetes, north, urban,
  family_history_ascvd,
};

let best = Infinity;
let out;
for (let r = 0; r < runs; r++) {
  const t = process.hrtime.bigint();
  out = cvd.chinaPar10yBatch(columns);
  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
}
let same = 0;
let maxDiff = 0;
let statusDiff = 0;
for (let i = 0; i < n; i++) {
  if (out.status[i] !== nativeStatus[i]) statusDiff++;
  const a = out.values[i];
  const b = nativeValues[i];
  if (Object.is(a, b)) same++;
  else if (!(Number.isNaN(a) && Number.isNaN(b))) maxDiff = Math.max(maxDiff, Math.abs(a - b));
  else same++;
}
console.log(
  `node    chinaPar10yBatch (wasm): ${n} rows, best of ${runs}: ${(best * 1e3).toFixed(1)} ms, ` +
  `${Math.round(n / best)} rec/s (ok ${out.ok}, flagged ${out.flagged}, failed ${out.failed})`,
);
console.log(
  `agreement with native: status differs on ${statusDiff} rows; values bit-identical on ${same} of ${n} ` +
  `rows, max |difference| ${maxDiff.toExponential(2)} percentage points`,
);
console.log(`RESULT node_rec_per_s=${Math.round(n / best)}`);
if (statusDiff > 0 || maxDiff > 1e-9) process.exit(1);
