// The batch functions over typed arrays: every public vector row (tests/vectors/) through
// them equals the per-record function bit for bit; bad rows get a status, never an
// exception; malformed calls (length mismatch, missing or mistyped column, bad option)
// throw a CvdscreenError naming the column or option; random garbage never traps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvd, readCsv } from './load.mjs';

const STATUS = { ok: 0, flagged: 1, outOfRange: 2, notFinite: 3, missing: 4, invalidCode: 5 };
const sexCode = (s) => (s === 'M' || s === 'male' ? 1 : 0);
const bit = (s) => (s === '' ? 255 : Number(s));
const f64 = (rows, f) => Float64Array.from(rows, f);
const u8 = (rows, f) => Uint8Array.from(rows, f);

/** Groups rows by a key (one batch per lipid unit / calibration). */
function groups(rows, key) {
  const m = new Map();
  for (const r of rows) m.set(key(r), [...(m.get(key(r)) ?? []), r]);
  return [...m.values()];
}

/** Batch values equal the per-record `pct` (or the per-record call throws and the row
 * has a failure status). */
function assertSameAsScalar(rows, out, scalar, label) {
  assert.equal(out.values.length, rows.length);
  assert.equal(out.status.length, rows.length);
  rows.forEach((r, i) => {
    let want;
    try {
      want = scalar(r);
    } catch (e) {
      assert.ok(cvd.isCvdscreenError(e), `${label} ${r.case_id}: ${e}`);
      assert.ok(out.status[i] >= 2 && Number.isNaN(out.values[i]), `${label} ${r.case_id}`);
      return;
    }
    assert.ok(Object.is(out.values[i], want), `${label} ${r.case_id}: batch ${out.values[i]} vs record ${want}`);
    assert.ok(out.status[i] <= 1, `${label} ${r.case_id}: status ${out.status[i]}`);
  });
  assert.equal(out.ok + out.flagged + out.failed, rows.length);
  assert.ok(out.ok + out.flagged > 0, `${label}: no row computed`);
}

const lipidCols = (rows, base, value, unit) => {
  const u = unit(rows[0]);
  return { [`${base}_${u === 'mmol/L' ? 'mmol' : 'mgdl'}`]: f64(rows, (r) => Number(value(r))) };
};
const lipidRec = (v, unit, base) => ({ [`${base}_${unit === 'mmol/L' ? 'mmol' : 'mgdl'}`]: Number(v) });

test('China-PAR vectors: batch equals chinaPar10y bit for bit', () => {
  for (const rows of groups(readCsv('china_par_10y.csv'), (r) => `${r.tc_unit}/${r.hdl_unit}`)) {
    const out = cvd.chinaPar10yBatch({
      sex: u8(rows, (r) => sexCode(r.sex)), age: f64(rows, (r) => Number(r.age)),
      sbp: f64(rows, (r) => Number(r.sbp_mmhg)), bp_treated: u8(rows, (r) => bit(r.bp_treated)),
      ...lipidCols(rows, 'tc', (r) => r.tc_value, (r) => r.tc_unit),
      ...lipidCols(rows, 'hdl', (r) => r.hdl_value, (r) => r.hdl_unit),
      waist_cm: f64(rows, (r) => Number(r.waist_cm)),
      current_smoker: u8(rows, (r) => bit(r.current_smoker)), diabetes: u8(rows, (r) => bit(r.diabetes)),
      north: u8(rows, (r) => bit(r.north)), urban: u8(rows, (r) => bit(r.urban)),
      family_history_ascvd: u8(rows, (r) => bit(r.family_history_ascvd)),
    });
    assertSameAsScalar(rows, out, (r) => cvd.chinaPar10y({
      sex: r.sex, age: Number(r.age), sbp: Number(r.sbp_mmhg), bp_treated: r.bp_treated,
      ...lipidRec(r.tc_value, r.tc_unit, 'tc'), ...lipidRec(r.hdl_value, r.hdl_unit, 'hdl'),
      waist_cm: Number(r.waist_cm), current_smoker: r.current_smoker, diabetes: r.diabetes,
      north: r.north, urban: r.urban, family_history_ascvd: r.family_history_ascvd,
    }).pct, 'China-PAR');
  }
});

test('PCE vectors: batch equals pce10y bit for bit', () => {
  const rows = readCsv('pce_2013.csv');
  const race = { other: 0, white: 1, aa: 2 };
  const out = cvd.pce10yBatch({
    sex: u8(rows, (r) => sexCode(r.sex)), race: u8(rows, (r) => race[r.race]),
    age: f64(rows, (r) => Number(r.age)), tc_mgdl: f64(rows, (r) => Number(r.tc_mgdl)),
    hdl_mgdl: f64(rows, (r) => Number(r.hdl_mgdl)), sbp: f64(rows, (r) => Number(r.sbp_mmhg)),
    bp_treated: u8(rows, (r) => bit(r.bp_treated)), current_smoker: u8(rows, (r) => bit(r.current_smoker)),
    diabetes: u8(rows, (r) => bit(r.diabetes)),
  });
  assertSameAsScalar(rows, out, (r) => cvd.pce10y({
    race: r.race === 'aa' ? 'african_american' : r.race, sex: r.sex, age: Number(r.age),
    tc_mgdl: Number(r.tc_mgdl), hdl_mgdl: Number(r.hdl_mgdl), sbp: Number(r.sbp_mmhg),
    bp_treated: r.bp_treated, current_smoker: r.current_smoker, diabetes: r.diabetes,
  }).pct, 'PCE');
});

test('PREVENT 10-year vectors: batch equals prevent10y total CVD bit for bit', () => {
  const rows = readCsv('prevent_2023_base.csv').filter((r) => r.years === '10');
  // Codes as a Float64Array too (NaN = missing): the same values.
  const out = cvd.prevent10yBatch({
    sex: f64(rows, (r) => sexCode(r.sex)), age: f64(rows, (r) => Number(r.age)),
    sbp: f64(rows, (r) => Number(r.sbp_mmhg)), bp_treated: u8(rows, (r) => bit(r.bp_treated)),
    tc_mgdl: f64(rows, (r) => Number(r.tc_mgdl)), hdl_mgdl: f64(rows, (r) => Number(r.hdl_mgdl)),
    statin: u8(rows, (r) => bit(r.statin)), diabetes: f64(rows, (r) => bit(r.diabetes)),
    current_smoker: u8(rows, (r) => bit(r.current_smoker)), egfr: f64(rows, (r) => Number(r.egfr)),
    bmi: f64(rows, (r) => Number(r.bmi)),
  });
  assertSameAsScalar(rows, out, (r) => cvd.prevent10y({
    sex: r.sex, age: Number(r.age), sbp: Number(r.sbp_mmhg), bp_treated: r.bp_treated,
    tc_mgdl: Number(r.tc_mgdl), hdl_mgdl: Number(r.hdl_mgdl), statin: r.statin,
    diabetes: r.diabetes, current_smoker: r.current_smoker, egfr: Number(r.egfr), bmi: Number(r.bmi),
  }).pct, 'PREVENT');
});

test('WHO 2019 vectors: lab and non-lab batches equal the per-record functions bit for bit', () => {
  const all = readCsv('who2019_east_asia.csv');
  for (const rows of groups(all, (r) => `${r.model}/${r.calibration}`)) {
    const options = { region: rows[0].calibration.startsWith('country') ? 'china-country' : 'east-asia' };
    const common = {
      sex: u8(rows, (r) => sexCode(r.sex)), age: f64(rows, (r) => Number(r.age)),
      sbp: f64(rows, (r) => Number(r.sbp_mmhg)), current_smoker: u8(rows, (r) => bit(r.current_smoker)),
    };
    const lab = rows[0].model === 'lab';
    const out = lab
      ? cvd.who2019LabBatch({ ...common, tc_mmol: f64(rows, (r) => Number(r.tc_mmol)), diabetes: u8(rows, (r) => bit(r.diabetes)) }, options)
      : cvd.who2019NonLabBatch({ ...common, bmi: f64(rows, (r) => Number(r.bmi)) }, options);
    assertSameAsScalar(rows, out, (r) => {
      const one = { sex: r.sex, age: Number(r.age), sbp: Number(r.sbp_mmhg), current_smoker: r.current_smoker };
      return lab
        ? cvd.who2019Lab({ ...one, tc_mmol: Number(r.tc_mmol), diabetes: r.diabetes }, options).pct
        : cvd.who2019NonLab({ ...one, bmi: Number(r.bmi) }, options).pct;
    }, `WHO ${rows[0].model} ${options.region}`);
  }
});

test('Framingham vectors: batch equals framinghamCvd10y bit for bit', () => {
  const rows = readCsv('framingham_2008_cvd.csv');
  const out = cvd.framinghamCvd10yBatch({
    sex: u8(rows, (r) => sexCode(r.sex)), age: f64(rows, (r) => Number(r.age)),
    tc_mgdl: f64(rows, (r) => Number(r.tc_mgdl)), hdl_mgdl: f64(rows, (r) => Number(r.hdl_mgdl)),
    sbp: f64(rows, (r) => Number(r.sbp_mmhg)), bp_treated: u8(rows, (r) => bit(r.bp_treated)),
    current_smoker: u8(rows, (r) => bit(r.current_smoker)), diabetes: u8(rows, (r) => bit(r.diabetes)),
  });
  assertSameAsScalar(rows, out, (r) => cvd.framinghamCvd10y({
    sex: r.sex, age: Number(r.age), tc_mgdl: Number(r.tc_mgdl), hdl_mgdl: Number(r.hdl_mgdl),
    sbp: Number(r.sbp_mmhg), bp_treated: r.bp_treated, current_smoker: r.current_smoker,
    diabetes: r.diabetes,
  }).pct, 'Framingham');
});

/** PCE columns of `n` copies of one in-range person, for the status tests. */
function pceColumns(n) {
  const fill = (v, T = Float64Array) => new T(n).fill(v);
  return {
    sex: fill(1, Uint8Array), race: fill(1, Uint8Array), age: fill(55), tc_mgdl: fill(213),
    hdl_mgdl: fill(50), sbp: fill(120), bp_treated: fill(0, Uint8Array),
    current_smoker: fill(0, Uint8Array), diabetes: fill(0, Uint8Array),
  };
}

test('bad rows get a status and NaN, the other rows are computed', () => {
  const c = pceColumns(8);
  c.age[1] = NaN; // not finite
  c.age[2] = 20; // outside 40-79
  c.sex[3] = 7; // not a sex code
  c.diabetes[4] = 255; // missing
  c.race[5] = 9; // not a race code
  c.sbp[6] = Infinity;
  const out = cvd.pce10yBatch(c);
  assert.deepEqual([...out.status], [
    STATUS.ok, STATUS.notFinite, STATUS.outOfRange, STATUS.invalidCode, STATUS.missing,
    STATUS.invalidCode, STATUS.notFinite, STATUS.ok,
  ]);
  out.status.forEach((s, i) => assert.equal(Number.isNaN(out.values[i]), s >= 2, `row ${i}`));
  assert.deepEqual([out.ok, out.flagged, out.failed], [2, 0, 6]);
  // Flag computes outside the range and marks the row.
  const flagged = cvd.pce10yBatch(c, { range_policy: 'Flag' });
  assert.equal(flagged.status[2], STATUS.flagged);
  assert.ok(Number.isFinite(flagged.values[2]));
  // A code column as Float64Array: NaN = missing, a fraction or negative = invalid.
  const d = { ...pceColumns(3), diabetes: Float64Array.of(0, NaN, 0.5) };
  assert.deepEqual([...cvd.pce10yBatch(d).status], [STATUS.ok, STATUS.missing, STATUS.invalidCode]);
  // Zero rows: an empty result.
  const empty = cvd.pce10yBatch(pceColumns(0));
  assert.equal(empty.values.length, 0);
  assert.deepEqual([empty.ok, empty.flagged, empty.failed], [0, 0, 0]);
});

const throwsNaming = (f, field) => assert.throws(f, (e) => {
  assert.ok(cvd.isCvdscreenError(e), String(e));
  assert.equal(e.name, 'CvdscreenError');
  assert.equal(e.field, field, e.message);
  return true;
});

test('length mismatch, missing or mistyped columns and bad options throw a CvdscreenError', () => {
  const c = pceColumns(4);
  throwsNaming(() => cvd.pce10yBatch({ ...c, sbp: new Float64Array(3) }), 'sbp');
  throwsNaming(() => cvd.pce10yBatch({ ...c, diabetes: new Uint8Array(5) }), 'diabetes');
  throwsNaming(() => cvd.pce10yBatch({ ...c, hdl_mgdl: new Float64Array(2) }), 'hdl_mgdl');
  const mismatch = (() => { try { cvd.pce10yBatch({ ...c, sbp: new Float64Array(3) }); } catch (e) { return e; } })();
  assert.equal(mismatch.value, 3);
  assert.match(mismatch.message, /`sbp` has 3 rows, expected 4/);
  const { race, ...noRace } = c;
  void race;
  throwsNaming(() => cvd.pce10yBatch(noRace), 'race');
  throwsNaming(() => cvd.pce10yBatch({ ...c, age: [55, 55, 55, 55] }), 'age');
  throwsNaming(() => cvd.pce10yBatch({ ...c, sex: new Int32Array(4) }), 'sex');
  throwsNaming(() => cvd.pce10yBatch({ ...c, tc_mmol: new Float64Array(4) }), 'tc_mmol');
  const { tc_mgdl, ...noTc } = c;
  void tc_mgdl;
  throwsNaming(() => cvd.pce10yBatch(noTc), 'tc_mmol');
  throwsNaming(() => cvd.pce10yBatch(c, { range_policy: 'Lenient' }), 'range_policy');
  throwsNaming(() => cvd.who2019NonLabBatch({ sex: c.sex, age: c.age, sbp: c.sbp, bmi: c.age, current_smoker: c.sex }, { region: 'Atlantis' }), 'region');
  throwsNaming(() => cvd.pce10yBatch(c, 'Flag'), null);
  throwsNaming(() => cvd.pce10yBatch(null), null);
  throwsNaming(() => cvd.chinaPar10yBatch([]), null);
});

// Deterministic PRNG (mulberry32), as in fuzz.test.mjs.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  'sex', 'race', 'age', 'sbp', 'bp_treated', 'tc_mmol', 'tc_mgdl', 'hdl_mmol', 'hdl_mgdl', 'waist_cm',
  'current_smoker', 'diabetes', 'north', 'urban', 'family_history_ascvd', 'statin', 'egfr', 'bmi',
];
const BATCH = ['chinaPar10yBatch', 'pce10yBatch', 'prevent10yBatch', 'who2019LabBatch', 'who2019NonLabBatch', 'framinghamCvd10yBatch'];
const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 1, 2, 255, 1e308, -1e-308, 5e-324, 40, 120, 5.2, 200];

test('random garbage through every batch function: a result or a CvdscreenError, never a trap', () => {
  const seed = Number(process.env.CVDSCREEN_FUZZ_SEED ?? 20261130);
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  for (let k = 0; k < 1500; k++) {
    const n = r() < 0.9 ? Math.floor(r() * 20) : Math.floor(r() * 2000);
    const cols = {};
    for (const name of NAMES) {
      if (r() < 0.1) continue; // missing column
      const len = r() < 0.05 ? n + 1 : n;
      const kind = r();
      let col;
      if (kind < 0.45) col = Float64Array.from({ length: len }, () => (r() < 0.3 ? pick(SPECIAL) : (r() - 0.3) * 10 ** Math.floor(r() * 6)));
      else if (kind < 0.9) col = Uint8Array.from({ length: len }, () => (r() < 0.7 ? Math.floor(r() * 2) : Math.floor(r() * 256)));
      else col = pick([null, undefined, 'abc', 42, [1, 2], {}, new Int8Array(len), new Float32Array(len), new DataView(new ArrayBuffer(8)), Symbol('x'), () => 1]);
      cols[name] = col;
    }
    const options = pick([undefined, null, {}, { range_policy: 'Flag' }, { range_policy: 'Strict', region: 'china-country' }, { region: 'A05GBDR_012_EAS' }, { range_policy: 7 }, 'x', []]);
    const f = pick(BATCH);
    try {
      const out = cvd[f](cols, options);
      assert.equal(out.values.length, out.status.length);
      assert.equal(out.ok + out.flagged + out.failed, out.values.length);
      out.status.forEach((s, i) => {
        assert.ok(s <= 6, `status ${s}`);
        assert.equal(Number.isNaN(out.values[i]), s >= 2, `${f} row ${i} status ${s} value ${out.values[i]}`);
        if (s < 2) assert.ok(out.values[i] >= 0 && out.values[i] <= 100, `${f} row ${i}: ${out.values[i]}`);
      });
    } catch (e) {
      assert.ok(cvd.isCvdscreenError(e), `seed ${seed}, iteration ${k}, ${f}: ${e?.stack ?? e}`);
    }
  }
});
