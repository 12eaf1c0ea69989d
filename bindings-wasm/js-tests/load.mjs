// Loads the Node build of the package (bindings-wasm/pkg-node, CommonJS).
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../pkg-node/cvdscreen_wasm.js', import.meta.url));
if (!existsSync(entry)) {
  throw new Error(`${entry} is missing: run bindings-wasm/build.sh first`);
}
export const cvd = createRequire(import.meta.url)(entry);

/** A person for whom every `mpp-2014` criterion is known and does not fire. */
export function normalPerson(extra = {}) {
  return {
    id: 'N1',
    screen_date: '2025-05-10',
    sex: 'female',
    age: 45,
    sbp_1: 120, dbp_1: 80, sbp_2: 118, dbp_2: 78,
    height_cm: 160, weight_kg: 58,
    // TC high enough that every LDL-C of the T-HR cases stays below it (DQ-XF-2).
    tc_mmol: 6.2, ldl_mmol: 2.5, hdl_mmol: 1.3,
    current_smoker: false, diabetes: false,
    history_mi: 0, history_pci: 0, history_cabg: 0,
    history_ischaemic_stroke: 0, history_haemorrhagic_stroke: 0,
    ...extra,
  };
}

/** The outcome of one criterion (`MPP2014-HR-n`). */
export function outcome(result, n) {
  const r = result.rules.find((x) => x.rule_id === `MPP2014-HR-${n}`);
  if (!r) throw new Error(`no outcome for MPP2014-HR-${n}`);
  return r.outcome;
}

/** Record keys for a final BP value (`sbp`/`dbp`) without readings, which would take
 * precedence (BP-5). */
export function finalBp(sbp, dbp) {
  return { sbp_1: null, dbp_1: null, sbp_2: null, dbp_2: null, sbp, dbp };
}

/** RFC 4180 rows of a small CSV file of tests/vectors/ (quoted fields may hold commas). */
export function readCsv(name) {
  const text = readFileSync(new URL(`../../tests/vectors/${name}`, import.meta.url), 'utf8');
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.some((c) => c !== '')) rows.push(row);
      row = [];
    } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
