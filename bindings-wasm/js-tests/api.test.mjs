import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvd, finalBp, normalPerson } from './load.mjs';

test('assess returns every output column plus details', () => {
  const r = cvd.assess(normalPerson(), { lang: 'en' });
  for (const c of cvd.outputColumns()) {
    assert.equal(typeof r[c], 'string', c);
  }
  assert.equal(r.qc_status, 'ok');
  assert.equal(r.high_risk, 'no');
  assert.equal(r.high_risk_reasons, '');
  assert.equal(r.who_ish_2007_band, '<10%');
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.reasons, []);
  assert.deepEqual(r.missing_fields, []);
  assert.equal(r.rules.length, 8);
  assert.equal(r.profile, 'mpp-national');
  // A plain object: keys in output-column order, then the details.
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  const keys = Object.keys(r);
  assert.deepEqual(keys.slice(0, cvd.outputColumns().length), cvd.outputColumns());
  assert.deepEqual(keys.slice(-5), ['findings', 'reasons', 'missing_fields', 'rules', 'profile']);
});

test('reasons carry text in the requested language', () => {
  const p = normalPerson({ sbp_1: 172, dbp_1: 96, sbp_2: 170, dbp_2: 94 });
  const en = cvd.assess(p, { lang: 'en' });
  const zh = cvd.assess(p, { lang: 'zh' });
  assert.equal(en.high_risk, 'yes');
  assert.equal(en.reasons[0].id, 'MPP2014-HR-5');
  assert.match(en.reasons[0].text, /SBP/);
  assert.match(zh.reasons[0].text, /收缩压/);
  assert.equal(en.high_risk_reasons, en.reasons.map((r) => r.id).join(';'));
});

test('DQ-PARSE-1 for an unreadable cell, message per language', () => {
  const en = cvd.checkRecord(normalPerson({ sbp_1: '12o' }), { lang: 'en' });
  assert.equal(en.qc_status, 'reject');
  const f = en.findings.find((x) => x.field === 'sbp_1');
  assert.equal(f.rule_id, 'DQ-PARSE-1');
  assert.equal(f.severity, 'reject');
  assert.equal(f.value, '12o');
  assert.match(f.message, /cannot be read/);
  const zh = cvd.checkRecord(normalPerson({ sbp_1: '12o' }), { lang: 'zh' });
  assert.match(zh.findings.find((x) => x.field === 'sbp_1').message, /无法解析/);
  // The same findings reach assess, and the field is unknown there.
  const a = cvd.assess(normalPerson({ sbp_1: '12o' }));
  assert.ok(a.qc_findings.split(';').includes('DQ-PARSE-1'));
});

test('values: numbers keep full precision, booleans are 1/0, null/NaN are not measured', () => {
  // 159.99999999999997 < 160: a lossy conversion would fire HR-5.
  const p = normalPerson(finalBp(159.99999999999997, 80));
  assert.equal(cvd.assess(p).rules[4].outcome, 'not_fired');
  assert.equal(cvd.assess(normalPerson(finalBp(160, 80))).rules[4].outcome, 'fired');
  // history_mi true → HR-1 fired; '1', 1 and 'yes' alike.
  for (const v of [true, 1, '1', 'yes', '是']) {
    assert.equal(cvd.assess(normalPerson({ history_mi: v })).rules[0].outcome, 'fired', String(v));
  }
  for (const v of [null, undefined, NaN, '']) {
    const r = cvd.assess(normalPerson({ history_mi: v }));
    assert.equal(r.rules[0].outcome, 'indeterminate', String(v));
    assert.equal(r.high_risk, 'indeterminate');
    assert.deepEqual(r.missing_fields, ['history_mi']);
  }
  // Infinity is unreadable, not silently dropped.
  const inf = cvd.checkRecord(normalPerson({ sbp_1: Infinity }));
  assert.equal(inf.findings[0].rule_id, 'DQ-PARSE-1');
  assert.equal(inf.findings[0].value, 'Infinity');
  // BigInt is an exact integer.
  assert.equal(cvd.assess(normalPerson(finalBp(165n, 80n))).rules[4].outcome, 'fired');
  // Keys that are not input columns are ignored, whatever their value.
  assert.equal(cvd.assess(normalPerson({ note: { any: 'thing' } })).high_risk, 'no');
});

test('a value of a wrong type throws CvdscreenError naming the field', () => {
  for (const [v, what] of [[{ v: 1 }, 'an object'], [[150], 'an array'], [() => 150, 'a function'], [Symbol('s'), 'a symbol']]) {
    assert.throws(() => cvd.checkRecord(normalPerson({ sbp_1: v })), (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'CvdscreenError');
      assert.ok(cvd.isCvdscreenError(e));
      assert.equal(e.field, 'sbp_1');
      assert.equal(e.value, v);
      assert.equal(e.ruleId, 'DQ-PARSE-1');
      assert.ok(e.message.includes('`sbp_1` is ' + what), e.message);
      return true;
    });
  }
});

test('bad arguments throw; bad data does not', () => {
  for (const rec of [null, undefined, 42, 'sbp_1=150', [1, 2], () => 1]) {
    assert.throws(() => cvd.assess(rec), (e) => cvd.isCvdscreenError(e) && e.field === null);
  }
  assert.throws(() => cvd.assess({}, { lang: 'fr' }), (e) => cvd.isCvdscreenError(e) && e.field === 'lang' && e.ruleId === null);
  assert.throws(() => cvd.assess({}, { lang: 7 }), (e) => cvd.isCvdscreenError(e) && e.field === 'lang');
  assert.throws(() => cvd.assess({}, { profile: 'nope' }), (e) => cvd.isCvdscreenError(e) && e.field === 'profile');
  assert.throws(() => cvd.assess({}, { profile: { canonical_unit: 'furlongs' } }), (e) => cvd.isCvdscreenError(e) && e.field === 'profile');
  assert.throws(() => cvd.assess({}, 'zh'), (e) => cvd.isCvdscreenError(e));
  assert.equal(cvd.isCvdscreenError(new Error('x')), false);
  assert.equal(cvd.isCvdscreenError(null), false);
  // An empty record is data, not a bad argument.
  const r = cvd.assess({});
  assert.equal(r.high_risk, 'indeterminate');
  assert.equal(r.profile, 'mpp-national');
  assert.equal(cvd.assess({}, { profile: 'mpp-2014-pilot' }).profile, 'mpp-2014-pilot');
});

test('fieldRules and rules come from the core', () => {
  const en = cvd.fieldRules({ lang: 'en' });
  const zh = cvd.fieldRules({ lang: 'zh' });
  assert.deepEqual(en.map((f) => f.name), cvd.inputColumns());
  const sbp = en.find((f) => f.name === 'sbp_1');
  assert.deepEqual(
    { unit: sbp.unit, min: sbp.min, max: sbp.max, kind: sbp.kind, rule: sbp.range_rule, mandatory: sbp.mandatory },
    { unit: 'mmHg', min: 70, max: 270, kind: 'number', rule: 'DQ-RANGE-8', mandatory: true },
  );
  assert.equal(zh.find((f) => f.name === 'sbp_1').label, '收缩压（第1次）');
  assert.equal(en.find((f) => f.name === 'id').min, null);
  assert.deepEqual(cvd.fieldRules(), en);

  const reg = cvd.rules();
  const hr5 = reg.find((r) => r.id === 'MPP2014-HR-5');
  assert.equal(hr5.rule_set, 'mpp-2014');
  assert.ok(Array.isArray(hr5.evidence) && hr5.evidence.length > 0);
  assert.ok(hr5.en && hr5.zh && hr5.citation);
  assert.equal(new Set(reg.map((r) => r.id)).size, reg.length);
  assert.match(cvd.version(), /^\d+\.\d+\.\d+/);
});
