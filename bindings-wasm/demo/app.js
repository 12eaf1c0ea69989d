// The screening form: every input column from fieldRules(), live QC from checkRecord(),
// the decision from assess(). No rule lives here — the page only renders what the
// WebAssembly module returns.
import init, { assess, checkRecord, fieldRules, outputColumns } from '../pkg/cvdscreen_wasm.js';

const UI = {
  en: {
    title: 'Cardiovascular high-risk screening',
    subtitle: 'China PEACE MPP · runs entirely in your browser',
    example: 'Load example', clear: 'Clear', toggle: '中文', loading: 'Loading…',
    footer: 'Research and programme-management tool, not a medical device. Empty fields mean “not measured”.',
    groups: { person: 'Person', bp: 'Blood pressure', body: 'Body measurements', lab: 'Laboratory',
      history: 'History and risk factors', more: 'Further items (guidelines, programme follow-up)' },
    decision: 'High-risk decision',
    status: { yes: 'High risk', no: 'Not high risk', indeterminate: 'Indeterminate' },
    reasons: 'Criteria that fired', none: 'none', missing: 'Needed for a decision',
    band: 'WHO/ISH 2007 chart (WPR B)', bandEmpty: 'not determined by the values entered',
    qc: 'Data quality', qcStatus: { ok: 'ok', warn: 'warnings', reject: 'unqualified record' },
    noFindings: 'No findings.', criteria: 'All criteria (mpp-2014)',
    outcome: { fired: 'fired', not_fired: 'not fired', indeterminate: 'indeterminate' },
    more: 'Further results', yes: 'yes', no: 'no', select: '—',
    range: (f) => `outside the plausible range ${fmtRange(f)}`, profile: 'Profile',
  },
  zh: {
    title: '心血管病高危人群筛查',
    subtitle: '心血管病高危人群早期筛查与综合干预项目 · 全部在浏览器本地计算',
    example: '载入示例', clear: '清空', toggle: 'English', loading: '加载中…',
    footer: '科研与项目管理工具，不是医疗器械。空白表示“未测量”。',
    groups: { person: '基本信息', bp: '血压', body: '体格测量', lab: '实验室检查',
      history: '病史与危险因素', more: '其他项目（指南、项目随访）' },
    decision: '高危判定',
    status: { yes: '高危', no: '非高危', indeterminate: '无法判定' },
    reasons: '满足的标准', none: '无', missing: '判定所需项目',
    band: 'WHO/ISH 2007 风险预测图（WPR B）', bandEmpty: '根据已填写的数值无法确定',
    qc: '数据质量', qcStatus: { ok: '合格', warn: '有警告', reject: '不合格数据' },
    noFindings: '无问题。', criteria: '全部标准（mpp-2014）',
    outcome: { fired: '满足', not_fired: '不满足', indeterminate: '无法判定' },
    more: '其他结果', yes: '是', no: '否', select: '—',
    range: (f) => `超出合理范围 ${fmtRange(f)}`, profile: '方案',
  },
};

// Where each group starts, in exchange-format order; later columns fall into the
// group before them, so columns the core adds still appear.
const GROUP_STARTS = [['id', 'person'], ['sbp_1', 'bp'], ['height_cm', 'body'], ['tc_mmol', 'lab'],
  ['current_smoker', 'history'], ['egfr', 'more']];
// Output columns shown in their own sections; every other one is rendered generically.
const SHOWN = new Set(['qc_status', 'qc_findings', 'high_risk', 'high_risk_reasons', 'who_ish_2007_band']);

const EXAMPLE = {
  id: 'P-001', screen_date: '2025-05-10', sex: 'male', age: '58',
  sbp_1: '150', dbp_1: '92', sbp_2: '146', dbp_2: '90', height_cm: '170', weight_kg: '72',
  tc_mgdl: '250', hdl_mgdl: '42', ldl_mgdl: '165', current_smoker: '0', diabetes: '0',
  history_mi: '0', history_pci: '0', history_cabg: '0', history_ischaemic_stroke: '0',
  history_haemorrhagic_stroke: '0',
};

let lang = 'en';
let fields = [];
const values = new Map();
const form = document.getElementById('form');
const panel = document.getElementById('result');

function fmtNum(v) { return Number.isInteger(v) ? String(v) : String(+v.toFixed(4)); }
function fmtRange(f) {
  const lo = f.min == null ? '' : fmtNum(f.min);
  const hi = f.max == null ? '' : fmtNum(f.max);
  const r = f.max == null ? `≥ ${lo}` : `${lo}–${hi}`;
  return f.unit ? `${r} ${f.unit}` : r;
}
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function control(f) {
  const t = UI[lang];
  const common = { id: `f-${f.name}`, name: f.name, 'data-col': f.name };
  if (f.kind === 'bool' || f.kind === 'sex') {
    const opts = f.kind === 'bool' ? [['', t.select], ['1', t.yes], ['0', t.no]]
      : [['', t.select], ['male', lang === 'zh' ? '男' : 'male'], ['female', lang === 'zh' ? '女' : 'female']];
    return el('select', common, ...opts.map(([v, l]) => el('option', { value: v, text: l })));
  }
  if (f.kind === 'number' || f.kind === 'count') {
    return el('input', { ...common, type: 'number', step: 'any', min: f.min, max: f.max, inputmode: 'decimal' });
  }
  if (f.kind === 'date') return el('input', { ...common, type: 'date' });
  // Lab values may be device-censored ("<15"), so they stay text; the range is kept
  // in data attributes for the hint.
  return el('input', { ...common, type: 'text', 'data-min': f.min, 'data-max': f.max,
    inputmode: f.kind === 'lab' ? 'decimal' : null, placeholder: f.kind === 'lab' ? '<b, >b' : null });
}

function buildForm() {
  const t = UI[lang];
  form.replaceChildren();
  let grid = null;
  for (const f of fields) {
    const start = GROUP_STARTS.find(([c]) => c === f.name);
    if (start || !grid) {
      const key = start ? start[1] : 'person';
      grid = el('div', { class: 'grid' });
      const box = key === 'more'
        ? el('details', { class: 'group', 'data-group': key }, el('summary', { text: t.groups[key] }), grid)
        : el('fieldset', { 'data-group': key }, el('legend', { text: t.groups[key] }), grid);
      form.append(box);
    }
    const input = control(f);
    if (values.has(f.name)) input.value = values.get(f.name);
    const label = el('label', { for: input.id }, f.label, f.mandatory ? el('span', { class: 'req', text: '*' }) : null,
      el('span', { class: 'col', text: f.name }));
    grid.append(el('div', { class: 'field', 'data-field': f.name }, label, input,
      el('span', { class: 'unit', text: f.unit }), el('ul', { class: 'findings', 'data-findings-for': f.name })));
  }
}

function record() {
  const rec = {};
  for (const [k, v] of values) if (v !== '') rec[k] = v;
  return rec;
}

// A form-side hint from the field's own metadata (the same min/max the core's range
// rule uses), shown only until the core reports that rule for the field itself.
function rangeHint(f, raw, coreIds) {
  if (raw === '' || f.range_rule == null || coreIds.has(f.range_rule)) return null;
  if (/^[<>]/.test(raw.trim())) return null;
  const v = Number(raw);
  if (!Number.isFinite(v)) return null;
  if ((f.min != null && v < f.min) || (f.max != null && v > f.max)) {
    return { rule_id: f.range_rule, severity: 'form', message: UI[lang].range(f) };
  }
  return null;
}

function findingItem(f) {
  return el('li', { class: `sev-${f.severity}`, 'data-rule': f.rule_id },
    el('span', { class: 'rid', text: f.rule_id }), f.message);
}

function render() {
  const t = UI[lang];
  const rec = record();
  const qc = checkRecord(rec, { lang });
  const a = assess(rec, { lang });
  const byField = new Map();
  for (const f of qc.findings) {
    if (!byField.has(f.field)) byField.set(f.field, []);
    byField.get(f.field).push(f);
  }
  for (const f of fields) {
    const list = form.querySelector(`[data-findings-for="${f.name}"]`);
    const own = byField.get(f.name) ?? [];
    const hint = rangeHint(f, values.get(f.name) ?? '', new Set(own.map((x) => x.rule_id)));
    const shown = hint ? [...own, hint] : own;
    list.replaceChildren(...shown.map(findingItem));
    const box = list.parentElement;
    box.classList.toggle('has-finding', shown.some((x) => x.severity === 'reject' || x.severity === 'form'));
    box.classList.toggle('has-warn', shown.some((x) => x.severity === 'warn'));
  }

  const label = (name) => fields.find((x) => x.name === name)?.label ?? name;
  const parts = [];
  parts.push(el('h2', { text: t.decision }));
  parts.push(el('div', { class: `decision ${a.high_risk}`, id: 'decision', 'data-status': a.high_risk },
    t.status[a.high_risk], el('span', { class: 'code', text: a.high_risk })));
  parts.push(el('h2', { text: t.reasons }));
  parts.push(a.reasons.length
    ? el('ul', { class: 'reasons', id: 'reasons' }, ...a.reasons.map((r) =>
      el('li', { 'data-rule': r.id }, el('span', { class: 'rid', text: r.id }), r.text)))
    : el('p', { class: 'muted', id: 'reasons', text: t.none }));
  if (a.missing_fields.length) {
    parts.push(el('h2', { text: t.missing }));
    parts.push(el('p', { id: 'missing', text: a.missing_fields.map(label).join(' · ') }));
  }
  parts.push(el('h2', { text: t.band }));
  parts.push(el('p', { class: a.who_ish_2007_band ? 'band' : 'muted', id: 'band',
    text: a.who_ish_2007_band || t.bandEmpty }));

  parts.push(el('h2', { text: `${t.qc}: ${t.qcStatus[a.qc_status]}` }));
  parts.push(a.findings.length
    ? el('ul', { class: 'flist', id: 'qc-findings' }, ...a.findings.map((f) => {
      const li = findingItem(f);
      li.prepend(el('span', { class: 'rid muted', text: f.field }));
      return li;
    }))
    : el('p', { class: 'muted', id: 'qc-findings', text: t.noFindings }));

  parts.push(el('h2', { text: t.criteria }));
  parts.push(el('table', { id: 'criteria' }, ...a.rules.map((r) => el('tr', {},
    el('th', { class: 'mono', text: r.rule_id }),
    el('td', { text: r.text }),
    el('td', { class: `o-${r.outcome}`, text: t.outcome[r.outcome] })))));

  const extra = outputColumns().filter((c) => !SHOWN.has(c));
  if (extra.length) {
    parts.push(el('h2', { text: t.more }));
    parts.push(el('table', { id: 'more' }, ...extra.map((c) => el('tr', { 'data-col': c },
      el('th', { class: 'mono', text: c }), el('td', { text: a[c] === '' ? '—' : a[c] }))),
      el('tr', {}, el('th', { text: t.profile }), el('td', { class: 'mono', text: a.profile }))));
  }
  panel.replaceChildren(...parts);
}

function setLang(next) {
  lang = next;
  const t = UI[lang];
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const n of document.querySelectorAll('[data-i18n]')) {
    const v = t[n.dataset.i18n];
    if (typeof v === 'string') n.textContent = v;
  }
  document.getElementById('lang').textContent = t.toggle;
  document.title = `cvdscreen — ${t.title}`;
  fields = fieldRules({ lang });
  buildForm();
  render();
}

form.addEventListener('input', (e) => {
  const name = e.target?.dataset?.col;
  if (!name) return;
  values.set(name, e.target.value);
  render();
});
document.getElementById('lang').addEventListener('click', () => setLang(lang === 'en' ? 'zh' : 'en'));
document.getElementById('example').addEventListener('click', () => {
  values.clear();
  for (const [k, v] of Object.entries(EXAMPLE)) values.set(k, v);
  buildForm();
  render();
});
document.getElementById('clear').addEventListener('click', () => { values.clear(); buildForm(); render(); });

await init();
setLang(new URLSearchParams(location.search).get('lang') === 'zh' ? 'zh' : 'en');
document.body.dataset.ready = '1';
