// Compile-time check of the shipped declarations (bindings-wasm/test.sh runs
// `tsc -p bindings-wasm`): the types accept what the API accepts and reject what it
// throws on. Every `@ts-expect-error` fails the build if the line stops being an error.
import type * as api from '../pkg/cvdscreen_wasm.js';
import type {
  Assessment, BatchResult, CheckResult, ChinaParResult, CvdscreenError, FieldRule, Finding, InputColumn,
  ModelInfo, PreventResult, Rule, ScreeningRecord,
} from '../pkg/cvdscreen_wasm.js';

declare const cvd: typeof api;

const rec: ScreeningRecord = {
  id: 12, sex: 'male', age: 58, sbp_1: 150, dbp_1: '92', tc_mgdl: '<100', hdl_mmol: null,
  history_mi: true, diabetes: 0, current_smoker: '否', screen_date: '2025-05-10', ckd_stage: '3a',
};
// @ts-expect-error an object is not a cell value
const nested: ScreeningRecord = { sbp_1: { value: 150 } };
// @ts-expect-error a misspelt column is caught
const typo: ScreeningRecord = { sbp1: 150 };

const a: Assessment = cvd.assess(rec, { lang: 'zh', profile: { canonical_unit: 'MgDl' } });
const status: 'yes' | 'no' | 'indeterminate' = a.high_risk;
const qc: 'ok' | 'warn' | 'reject' = a.qc_status;
const cells: string[] = [a.qc_findings, a.high_risk_reasons, a.who_ish_2007_band, a.china_par_10y_pct];
const first: Finding | undefined = a.findings[0];
const reasonIds: string[] = a.reasons.map((r) => r.id);
const outcomes: ('fired' | 'not_fired' | 'indeterminate')[] = a.rules.map((r) => r.outcome);
// @ts-expect-error not an output column
const nope = a.not_a_column;
// @ts-expect-error lang is en or zh
cvd.assess(rec, { lang: 'fr' });
// @ts-expect-error profile names are the shipped ones
cvd.assess(rec, { profile: 'mpp-2099' });

const c: CheckResult = cvd.checkRecord(rec);
const fr: FieldRule[] = cvd.fieldRules({ lang: 'en' });
const names: InputColumn[] = fr.map((f) => f.name);
const lo: number | null = fr[0].min;
const reg: Rule[] = cvd.rules();

try {
  cvd.assess(rec);
} catch (e: unknown) {
  if (cvd.isCvdscreenError(e)) {
    const err: CvdscreenError = e;
    const field: string | null = err.field;
    const rule: string | null = err.ruleId;
    const value: unknown = err.value;
    void [field, rule, value];
  }
}

// Model functions: typed inputs and results.
const cp: ChinaParResult = cvd.chinaPar10y({ sex: 'male', age: 40, sbp: 145 }, { range_policy: 'Flag' });
const lvl: 'low' | 'medium' | 'high' = cp.level;
const pv: PreventResult = cvd.prevent10y({ sex: 'female', age: 50 });
const hf: number = pv.heart_failure.pct;
const info: ModelInfo[] = cvd.modelInfo();
// @ts-expect-error range_policy takes only 'Strict' or 'Flag'.
cvd.pce10y({ age: 55 }, { range_policy: 'Lenient' });

// Batch functions: typed arrays in, typed arrays out; each lipid in exactly one unit.
const n = 3;
const f = (): Float64Array => new Float64Array(n);
const u = (): Uint8Array => new Uint8Array(n);
const b: BatchResult = cvd.chinaPar10yBatch({
  sex: u(), age: f(), sbp: f(), bp_treated: u(), tc_mmol: f(), hdl_mgdl: f(), waist_cm: f(),
  current_smoker: u(), diabetes: f(), north: u(), urban: u(), family_history_ascvd: u(),
}, { range_policy: 'Flag' });
const values: Float64Array = b.values;
const st: Uint8Array = b.status;
const counts: number[] = [b.ok, b.flagged, b.failed];
cvd.who2019NonLabBatch({ sex: u(), age: f(), sbp: f(), bmi: f(), current_smoker: u() }, { region: 'china-country' });
// @ts-expect-error TC in both units is rejected
cvd.who2019LabBatch({ sex: u(), age: f(), sbp: f(), diabetes: u(), current_smoker: u(), tc_mmol: f(), tc_mgdl: f() });
// @ts-expect-error a missing column is caught
cvd.framinghamCvd10yBatch({ sex: u(), age: f(), sbp: f(), bp_treated: u(), current_smoker: u(), tc_mgdl: f(), hdl_mgdl: f() });
// @ts-expect-error plain arrays are not columns
cvd.pce10yBatch({ sex: u(), race: u(), age: [55], sbp: f(), bp_treated: u(), current_smoker: u(), diabetes: u(), tc_mgdl: f(), hdl_mgdl: f() });

void [values, st, counts];
void [nested, typo, status, qc, cells, first, reasonIds, outcomes, nope, c, names, lo, reg, lvl, hf, info];
