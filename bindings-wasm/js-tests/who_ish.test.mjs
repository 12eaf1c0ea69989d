// WHO/ISH 2007 WPR B chart vectors (who_ish_2007_wpr_b.csv, see README.md) through
// `assess`: the `who_ish_2007_band` output column under both SBP binnings, with the
// cholesterol chart and with the no-cholesterol chart (TC unknown + the profile's
// `whoish_fallback_no_cholesterol`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cvd } from './load.mjs';

const text = readFileSync(new URL('./who_ish_2007_wpr_b.csv', import.meta.url), 'utf8');
const [header, ...lines] = text.trim().split(/\r?\n/);
const cols = header.split(',');
const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));

test('vector file has its 13 rows', () => {
  assert.equal(rows.length, 13);
});

function record(row, withTc) {
  return {
    id: row.case_id,
    sex: row.male === '1' ? 'male' : 'female',
    age: Number(row.age),
    sbp: Number(row.sbp_mmhg),
    dbp: 80,
    tc_mmol: withTc ? Number(row.tc_mmol) : null,
    diabetes: row.diabetes === '1',
    current_smoker: Number(row.current_smoker),
  };
}

for (const row of rows) {
  test(`${row.case_id} with cholesterol, nearest and floor SBP binning`, () => {
    const nearest = cvd.assess(record(row, true), { profile: { whoish_sbp_binning: 'Nearest' } });
    assert.equal(nearest.who_ish_2007_band, row.category_with_chol_nearest);
    const floor = cvd.assess(record(row, true), { profile: { whoish_sbp_binning: 'Floor' } });
    assert.equal(floor.who_ish_2007_band, row.category_with_chol_floor);
    // The default profile bins to the nearest column (OQ-2).
    assert.equal(cvd.assess(record(row, true)).who_ish_2007_band, row.category_with_chol_nearest);
  });
  test(`${row.case_id} without cholesterol, nearest and floor SBP binning`, () => {
    for (const [binning, want] of [['Nearest', row.category_no_chol_nearest], ['Floor', row.category_no_chol_floor]]) {
      const r = cvd.assess(record(row, false), {
        profile: { whoish_sbp_binning: binning, whoish_fallback_no_cholesterol: true },
      });
      assert.equal(r.who_ish_2007_band, want, binning);
    }
  });
}
