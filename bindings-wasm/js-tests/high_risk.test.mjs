// spec/domain.md §6.5: boundary and unit test cases for `mpp-2014` (all other inputs
// normal and known), through the JS API. Each test is named after its case id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvd, finalBp, normalPerson, outcome } from './load.mjs';

const run = (extra, options) => cvd.assess(normalPerson(extra), options);
const readings = (...rs) => Object.fromEntries(
  rs.flatMap(([s, d], i) => [[`sbp_${i + 1}`, s], [`dbp_${i + 1}`, d]]),
);
const noLdl = { ldl_mmol: null };

test('baseline person is not high risk', () => {
  const r = run({});
  assert.equal(r.high_risk, 'no');
  assert.ok(r.rules.every((x) => x.outcome === 'not_fired'));
});

test('T-HR-1 mean SBP 159.0 → HR-5 not fired', () => {
  assert.equal(outcome(run(readings([160, 90], [158, 90])), 5), 'not_fired');
});
test('T-HR-2 mean SBP 159.5 → HR-5 not fired', () => {
  assert.equal(outcome(run(readings([160, 90], [159, 90])), 5), 'not_fired');
});
test('T-HR-3 SBP 160.0, DBP 99.5 → HR-5 fired', () => {
  const r = run(readings([160, 99], [160, 100]));
  assert.equal(outcome(r, 5), 'fired');
  assert.equal(r.high_risk, 'yes');
  assert.ok(r.high_risk_reasons.split(';').includes('MPP2014-HR-5'));
});
test('T-HR-4 DBP mean 100.0, SBP 130 → HR-5 fired', () => {
  assert.equal(outcome(run(readings([130, 100], [130, 100])), 5), 'fired');
});
test('T-HR-5 LDL-C 160 mg/dL → HR-6 fired', () => {
  assert.equal(outcome(run({ ...noLdl, ldl_mgdl: 160 }), 6), 'fired');
});
test('T-HR-6 LDL-C 159.9 mg/dL → HR-6 not fired', () => {
  assert.equal(outcome(run({ ...noLdl, ldl_mgdl: 159.9 }), 6), 'not_fired');
});
test('T-HR-7 LDL-C 4.14 mmol/L → HR-6 fired', () => {
  assert.equal(outcome(run({ ldl_mmol: 4.14 }), 6), 'fired');
});
test('T-HR-8 LDL-C 4.139 mmol/L: AsReported not fired, MgDl fired', () => {
  assert.equal(outcome(run({ ldl_mmol: 4.139 }), 6), 'not_fired');
  const mgdl = run({ ldl_mmol: 4.139 }, { profile: { canonical_unit: 'MgDl' } });
  assert.equal(outcome(mgdl, 6), 'fired');
});
test('T-HR-8b LDL-C 160 mg/dL: MmolL not fired, AsReported fired', () => {
  const p = { ...noLdl, ldl_mgdl: '160' };
  assert.equal(outcome(run(p, { profile: { canonical_unit: 'MmolL' } }), 6), 'not_fired');
  assert.equal(outcome(run(p, { profile: { canonical_unit: 'AsReported' } }), 6), 'fired');
});
test('T-HR-9 HDL-C 30 mg/dL → HR-7 not fired', () => {
  assert.equal(outcome(run({ hdl_mmol: null, hdl_mgdl: 30 }), 7), 'not_fired');
});
test('T-HR-10 HDL-C 29.9 mg/dL → HR-7 fired', () => {
  assert.equal(outcome(run({ hdl_mmol: null, hdl_mgdl: 29.9 }), 7), 'fired');
});
test('T-HR-11 HDL-C 0.78 mmol/L → HR-7 not fired', () => {
  assert.equal(outcome(run({ hdl_mmol: 0.78 }), 7), 'not_fired');
});
test('T-HR-12 HDL-C 0.777 mmol/L: AsReported fired, MgDl not fired', () => {
  assert.equal(outcome(run({ hdl_mmol: 0.777 }), 7), 'fired');
  assert.equal(outcome(run({ hdl_mmol: 0.777 }, { profile: { canonical_unit: 'MgDl' } }), 7), 'not_fired');
});
test('T-HR-13 LDL-C absent (TG 450 mg/dL) → indeterminate (HR-6)', () => {
  const r = run({ ...noLdl, tg_mgdl: 450 });
  assert.equal(r.high_risk, 'indeterminate');
  assert.equal(outcome(r, 6), 'indeterminate');
  assert.ok(r.missing_fields.includes('ldl'));
  assert.equal(r.high_risk_reasons, '');
});
test('T-HR-14 LDL-C absent, SBP 165 → yes (HR-5), HR-6 indeterminate reported', () => {
  const r = run({ ...noLdl, ...finalBp(165, 80) });
  assert.equal(r.high_risk, 'yes');
  assert.equal(outcome(r, 5), 'fired');
  assert.equal(outcome(r, 6), 'indeterminate');
  assert.deepEqual(r.missing_fields, []);
});
test('T-HR-15 TIA history only → HR-4 not fired', () => {
  assert.equal(outcome(run({ history_tia: 1 }), 4), 'not_fired');
});

// A man whose WHO/ISH band crosses 20 % when he counts as a smoker or diabetic:
// 65 years, SBP 140, TC 7 mmol/L → 10-<20 % as non-smoking non-diabetic, 20-<30 % otherwise.
const chartMan = { sex: 'male', age: 65, tc_mmol: 7, ...finalBp(140, 80) };
test('chart person: smoking and diabetes move the band across 20 %', () => {
  assert.equal(run(chartMan).who_ish_2007_band, '10-<20%');
  assert.equal(outcome(run(chartMan), 8), 'not_fired');
  assert.equal(run({ ...chartMan, current_smoker: 1 }).who_ish_2007_band, '20-<30%');
});
test('T-HR-16 quit smoking 8 months ago → smoker for HR-8', () => {
  const r = run({ ...chartMan, current_smoker: 0, smoking_quit_date: '2024-09-10' });
  assert.equal(r.who_ish_2007_band, '20-<30%');
  assert.equal(outcome(r, 8), 'fired');
});
test('T-HR-17 quit exactly 12 months before screening → not a smoker for HR-8', () => {
  const r = run({ ...chartMan, current_smoker: 0, smoking_quit_date: '2024-05-10' });
  assert.equal(r.who_ish_2007_band, '10-<20%');
  assert.equal(outcome(r, 8), 'not_fired');
});
test('T-HR-18 readings (150,90),(162,88),(158,86): protocol decides HR-5', () => {
  const p = readings([150, 90], [162, 88], [158, 86]);
  assert.equal(outcome(run(p), 5), 'fired'); // MppMeanOfLastTwo: 160.0
  assert.equal(outcome(run(p, { profile: 'mpp-2014-pilot' }), 5), 'not_fired'); // Mean2: 156.0
  assert.equal(outcome(run(p, { profile: { bp_protocol: 'Cn2024MeanOf2Or3' } }), 5), 'not_fired'); // 156.67
});
test('T-HR-19 HDL-C "<15" mg/dL (censored) → HR-7 fired', () => {
  const r = run({ hdl_mmol: null, hdl_mgdl: '<15', lipid_device: 'cardiochek_pa' });
  assert.equal(outcome(r, 7), 'fired');
  // QC-USE-3: a censored value is no range finding.
  assert.ok(!r.findings.some((f) => f.rule_id === 'DQ-RANGE-11'));
});
test('T-HR-20 diabetes 0 with glucose_treated 1 → diabetic for HR-8', () => {
  const r = run({ ...chartMan, diabetes: 0, glucose_treated: 1 });
  assert.equal(r.who_ish_2007_band, '20-<30%');
  assert.equal(outcome(r, 8), 'fired');
});
test('T-HR-21 haemorrhagic-stroke flag empty, others 0 → indeterminate (HR-4)', () => {
  const r = run({ history_haemorrhagic_stroke: '' });
  assert.equal(r.high_risk, 'indeterminate');
  assert.equal(outcome(r, 4), 'indeterminate');
  assert.deepEqual(r.missing_fields, ['history_haemorrhagic_stroke']);
});
