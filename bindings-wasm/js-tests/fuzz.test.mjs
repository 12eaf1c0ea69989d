// Garbage in, never a trap: 2,000 random records and options through every entry
// point. The only acceptable outcomes are a result or a CvdscreenError; a
// `RuntimeError: unreachable` (a Rust panic in wasm) or any other error fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvd, normalPerson } from './load.mjs';

// Deterministic PRNG (mulberry32) so a failure reproduces; the seed is printed.
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

const SEED = Number(process.env.CVDSCREEN_FUZZ_SEED ?? 20261129);
const N = 2000;
const columns = cvd.inputColumns();
const strings = [
  '', ' ', '0', '1', '-0', '是', '否', '男', '女', 'male', 'F', '<15', '>600', '<', '>', '12o',
  'NaN', 'Infinity', '1e309', '-1e-400', '1.7976931348623157e308', '１２０', '💥🫀👩🏽‍⚕️', '\u0000',
  '\ud800', 'a\udfffb', '\ufeff160', '2025-02-29', '2024-02-29', '2025-13-40', '9999-12-31',
  '0000-00-00', '3a', '3B', 'very_high', 'cardiochek_pa', '11010519491231002x', '110105194912310021',
  'x'.repeat(10000), '160 mmHg', '1,5', '+.5e', '--1', 'true', 'YES', 'n',
];
const keys = [...columns, ...columns, 'not_a_column', '__proto__', 'constructor', 'toString', '', '💥'];

// Usable types (null, undefined, boolean, string, number, bigint) most of the time;
// about 2 % unusable ones (objects, arrays, functions, symbols, Dates, boxed numbers).
function randomValue(r, depth = 0) {
  const bad = [7, 8, 9, 10, 12, 14];
  const good = [0, 1, 2, 3, 4, 5, 6, 11, 13, 15];
  const pool = r() < 0.02 ? bad : good;
  const k = pool[Math.floor(r() * pool.length)];
  switch (k) {
    case 0: return null;
    case 1: return undefined;
    case 2: return r() < 0.5;
    case 3: return strings[Math.floor(r() * strings.length)];
    case 4: return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 10);
    case 5: return [NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2, 1e21, -1e300][Math.floor(r() * 9)];
    case 6: return Math.floor(r() * 400);
    case 7: return depth < 3 ? randomObject(r, depth + 1) : {};
    case 8: return depth < 3 ? [randomValue(r, depth + 1), randomValue(r, depth + 1)] : [];
    case 9: return () => 150;
    case 10: return Symbol('s');
    case 11: return BigInt(Math.floor(r() * 1e6)) * (r() < 0.5 ? -1n : 10n ** 30n);
    case 12: return new Date(2025, 4, 10);
    case 13: return String.fromCodePoint(...Array.from({ length: Math.floor(r() * 12) }, () => Math.floor(r() * 0x10ffff) & ~0x800 | 0));
    case 14: return new Number(150);
    default: return (Math.floor(r() * 3000) / 10).toString();
  }
}

function randomObject(r, depth = 0) {
  const o = r() < 0.05 ? Object.create(null) : {};
  const n = Math.floor(r() * 30);
  for (let i = 0; i < n; i++) {
    o[keys[Math.floor(r() * keys.length)]] = randomValue(r, depth);
  }
  return o;
}

function randomRecord(r) {
  const k = r();
  if (k < 0.04) return randomValue(r); // not an object at all, usually
  if (k < 0.5) return { ...normalPerson(), ...randomObject(r) };
  return randomObject(r);
}

const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const goodLang = [undefined, 'en', 'zh', 'EN', '中文', null];
const badLang = ['fr', 7, {}, [], Symbol('l')];
const goodProfile = [undefined, 'mpp-national', 'mpp-2014-pilot', { canonical_unit: 'MgDl' },
  { bp_protocol: 'Mean2', name: '💥' }, { whoish_sbp_binning: 'Floor', whoish_fallback_no_cholesterol: true },
  { min_readings: 0 }, { min_readings: 255 }, { min_residence_months_exclusive: NaN }, { whoish_region: 'AFR_D' },
  { derive_ldl_friedewald: true, lipid_device: { other: 'x' } }];
const badProfile = ['nope', { canonical_unit: 'bad' }, { min_readings: 1e300 }, { min_readings: -1 },
  { mandatory_extra_items: ['waist_cm', 5] }, [], 42, () => 1];

// Valid options most of the time; about 10 % malformed ones.
function randomOptions(r) {
  const k = r();
  if (k < 0.05) return randomValue(r);
  if (k < 0.1) return { lang: pick(r, badLang), profile: pick(r, badProfile) };
  return { lang: pick(r, goodLang), profile: pick(r, goodProfile) };
}

test(`${N} random records never trap (seed ${SEED})`, (t) => {
  const r = rng(SEED);
  const counts = { results: 0, errors: 0 };
  for (let i = 0; i < N; i++) {
    const rec = randomRecord(r);
    const opts = randomOptions(r);
    const fn = [cvd.assess, cvd.checkRecord][i % 2];
    try {
      const out = fn(rec, opts);
      assert.ok(['ok', 'warn', 'reject'].includes(out.qc_status), `case ${i}`);
      assert.ok(Array.isArray(out.findings));
      if (fn === cvd.assess) {
        assert.ok(['yes', 'no', 'indeterminate'].includes(out.high_risk));
        assert.equal(out.rules.length, 8);
      }
      counts.results++;
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || !cvd.isCvdscreenError(e)) {
        assert.fail(`case ${i} (seed ${SEED}) threw ${e?.name}: ${e?.message}`);
      }
      assert.equal(typeof e.message, 'string');
      assert.ok(e.field === null || typeof e.field === 'string');
      counts.errors++;
    }
    if (i % 250 === 0) {
      try { cvd.fieldRules(randomOptions(r)); } catch (e) { assert.ok(cvd.isCvdscreenError(e), String(e)); }
    }
  }
  t.diagnostic(`results ${counts.results}, CvdscreenError ${counts.errors}`);
  // Both outcomes were exercised, and the module still answers correctly.
  assert.ok(counts.results > 200 && counts.errors > 100, JSON.stringify(counts));
  assert.equal(cvd.assess(normalPerson()).high_risk, 'no');
});

test("an exception from the caller's own getter passes through, module keeps working", () => {
  const rec = normalPerson();
  Object.defineProperty(rec, 'sbp_1', { enumerable: true, get() { throw new RangeError('mine'); } });
  assert.throws(() => cvd.assess(rec), (e) => e instanceof RangeError && e.message === 'mine');
  const proxy = new Proxy({}, { ownKeys() { throw new TypeError('no keys'); } });
  assert.throws(() => cvd.checkRecord(proxy), (e) => e instanceof TypeError && e.message === 'no keys');
  assert.equal(cvd.assess(normalPerson()).high_risk, 'no');
});
