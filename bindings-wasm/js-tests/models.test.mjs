// The public test vectors (tests/vectors/*.csv at the repository root, see its README)
// through the per-record model functions of the JS API, each row within its stated
// tolerance; plus typed errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cvd, readCsv } from './load.mjs';

const lipid = (value, unit, base) => (unit === 'mmol/L'
  ? { [`${base}_mmol`]: Number(value) }
  : { [`${base}_mgdl`]: Number(value) });

const close = (got, want, tol, what) => assert.ok(
  Math.abs(got - want) <= tol + 1e-12,
  `${what}: got ${got}, expected ${want} ± ${tol}`,
);

for (const r of readCsv('china_par_10y.csv')) {
  test(`China-PAR vector ${r.case_id}`, () => {
    const out = cvd.chinaPar10y({
      sex: r.sex, age: Number(r.age), sbp: Number(r.sbp_mmhg), bp_treated: r.bp_treated,
      ...lipid(r.tc_value, r.tc_unit, 'tc'), ...lipid(r.hdl_value, r.hdl_unit, 'hdl'),
      waist_cm: Number(r.waist_cm), current_smoker: r.current_smoker, diabetes: r.diabetes,
      north: r.north, urban: r.urban, family_history_ascvd: r.family_history_ascvd,
    });
    close(out.pct, Number(r.expected_risk10_pct), Number(r.tolerance_pp), r.case_id);
    assert.equal(out.model_id, 'china-par-10y@tjpma2024-3dp');
    if (r.expected_ideal10_pct) assert.equal(out.ideal_display, Number(r.expected_ideal10_pct));
  });
}

for (const r of readCsv('pce_2013.csv')) {
  test(`PCE vector ${r.case_id}`, () => {
    const out = cvd.pce10y({
      race: r.race === 'aa' ? 'african_american' : r.race, sex: r.sex, age: Number(r.age),
      tc_mgdl: Number(r.tc_mgdl), hdl_mgdl: Number(r.hdl_mgdl), sbp: Number(r.sbp_mmhg),
      bp_treated: r.bp_treated, current_smoker: r.current_smoker, diabetes: r.diabetes,
    });
    close(out.pct, Number(r.expected_risk10_pct), Number(r.tolerance_pp), r.case_id);
  });
}

for (const r of readCsv('prevent_2023_base.csv').filter((x) => x.years === '10')) {
  test(`PREVENT vector ${r.case_id}`, () => {
    const out = cvd.prevent10y({
      sex: r.sex, age: Number(r.age), sbp: Number(r.sbp_mmhg), bp_treated: r.bp_treated,
      tc_mgdl: Number(r.tc_mgdl), hdl_mgdl: Number(r.hdl_mgdl), statin: r.statin,
      diabetes: r.diabetes, current_smoker: r.current_smoker, egfr: Number(r.egfr),
      bmi: Number(r.bmi),
    });
    const tol = 100 * Number(r.tolerance);
    for (const k of ['total_cvd', 'ascvd', 'heart_failure', 'chd', 'stroke']) {
      close(out[k].pct, 100 * Number(r[k]), tol, `${r.case_id} ${k}`);
    }
  });
}

for (const r of readCsv('who2019_east_asia.csv')) {
  test(`WHO 2019 vector ${r.case_id}`, () => {
    const options = { region: r.calibration.startsWith('country') ? 'china-country' : 'east-asia' };
    const common = { sex: r.sex, age: Number(r.age), sbp: Number(r.sbp_mmhg), current_smoker: r.current_smoker };
    const out = r.model === 'lab'
      ? cvd.who2019Lab({ ...common, tc_mmol: Number(r.tc_mmol), diabetes: r.diabetes }, options)
      : cvd.who2019NonLab({ ...common, bmi: Number(r.bmi) }, options);
    const tol = Number(r.tolerance_pp);
    close(out.pct, Number(r.expected_cvd_pct), tol, `${r.case_id} cvd`);
    if (r.expected_chd_pct) close(out.chd_pct, Number(r.expected_chd_pct), tol, `${r.case_id} chd`);
    if (r.expected_stroke_pct) close(out.stroke_pct, Number(r.expected_stroke_pct), tol, `${r.case_id} stroke`);
  });
}

for (const r of readCsv('framingham_2008_cvd.csv')) {
  test(`Framingham vector ${r.case_id}`, () => {
    const out = cvd.framinghamCvd10y({
      sex: r.sex, age: Number(r.age), tc_mgdl: Number(r.tc_mgdl), hdl_mgdl: Number(r.hdl_mgdl),
      sbp: Number(r.sbp_mmhg), bp_treated: r.bp_treated, current_smoker: r.current_smoker,
      diabetes: r.diabetes,
    });
    close(out.pct, Number(r.expected_risk10_pct), Number(r.tolerance_pp), r.case_id);
  });
}

test('modelInfo lists every model with ranges', () => {
  const ids = cvd.modelInfo().map((m) => m.id);
  for (const id of ['china-par-10y@tjpma2024-3dp', 'pce-2013@goff-3dp', 'prevent-2023-base', 'frs-2008-cvd']) {
    assert.ok(ids.includes(id), id);
  }
  assert.ok(cvd.modelInfo().every((m) => Array.isArray(m.ranges) && m.citation.length > 0));
});

test('bad model input throws a typed error naming the field, never a trap', () => {
  const cases = [
    [{ sex: 'male' }, 'age'],
    [{ sex: 'male', age: 39, sbp: 120, tc_mgdl: 200, hdl_mgdl: 50, bp_treated: 0, current_smoker: 0, diabetes: 0 }, 'age'],
    [{ sex: 'male', age: { nested: 1 } }, 'age'],
  ];
  for (const [input, field] of cases) {
    assert.throws(() => cvd.pce10y(input), (e) => cvd.isCvdscreenError(e) && e.field === field);
  }
  // Flag computes outside the range and says so.
  const flagged = cvd.pce10y(cases[1][0], { range_policy: 'Flag' });
  assert.equal(flagged.flags.outside_age_range, true);
});
