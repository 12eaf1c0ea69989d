// Browser test of the demo form: headless Debian Chromium driven by playwright-core,
// against bindings-wasm/ served by a static server started here on a free port.
// Run: node --test bindings-wasm/e2e/   (after bindings-wasm/build.sh)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url)); // bindings-wasm/
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOT = join(ROOT, 'e2e', 'screenshots', 'demo.png');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
};

let server;
let browser;
let base;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'pkg', 'cvdscreen_wasm_bg.wasm')), 'run bindings-wasm/build.sh first');
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(ROOT, path));
    if (!file.startsWith(ROOT)) { res.writeHead(403).end(); return; }
    if (file.endsWith(sep)) file = join(file, 'index.html');
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
});

async function openDemo() {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(new Error(m.text())); });
  await page.goto(`${base}/demo/`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  return { page, errors };
}

const HIGH_RISK = {
  id: 'E2E-1', screen_date: '2025-05-10', age: '62', sbp_1: '172', dbp_1: '96', sbp_2: '170', dbp_2: '94',
  tc_mmol: '5.0', hdl_mmol: '1.2', ldl_mmol: '3.0',
};
const SELECTS = { sex: 'female', current_smoker: '0', diabetes: '0', history_mi: '0', history_pci: '0',
  history_cabg: '0', history_ischaemic_stroke: '0', history_haemorrhagic_stroke: '0' };

test('a high-risk person: decision and reasons in both languages; SBP 400 shows its finding', async () => {
  const { page, errors } = await openDemo();
  // Every input column is on the form, with min/max from fieldRules on number inputs.
  const sbp1 = page.locator('#f-sbp_1');
  assert.equal(await sbp1.getAttribute('min'), '70');
  assert.equal(await sbp1.getAttribute('max'), '270');
  assert.ok((await page.locator('[data-field]').count()) >= 80);

  for (const [k, v] of Object.entries(HIGH_RISK)) await page.fill(`#f-${k}`, v);
  for (const [k, v] of Object.entries(SELECTS)) await page.selectOption(`#f-${k}`, v);
  const decision = page.locator('#decision');
  assert.equal(await decision.getAttribute('data-status'), 'yes');
  assert.match(await decision.innerText(), /High risk/);
  const reasonIds = await page.locator('#reasons li').evaluateAll((ls) => ls.map((l) => l.dataset.rule));
  assert.ok(reasonIds.includes('MPP2014-HR-5'), reasonIds.join());
  assert.match(await page.locator('#reasons').innerText(), /MPP2014-HR-5/);
  assert.notEqual((await page.locator('#band').innerText()).trim(), '');

  await page.click('#lang');
  assert.equal(await decision.getAttribute('data-status'), 'yes');
  assert.match(await decision.innerText(), /高危/);
  const zhReasons = await page.locator('#reasons').innerText();
  assert.match(zhReasons, /MPP2014-HR-5/);
  assert.match(zhReasons, /收缩压/);
  assert.equal(await page.locator('#f-sbp_1').inputValue(), '172', 'values survive the toggle');
  await page.click('#lang');
  assert.match(await decision.innerText(), /High risk/);

  // SBP 400: the field shows its finding with the rule id (DQ-RANGE-8).
  await page.fill('#f-sbp_1', '400');
  const f = page.locator('[data-findings-for="sbp_1"] li');
  await f.first().waitFor();
  assert.match(await f.first().innerText(), /DQ-RANGE-8.*must be in 70..=270 mmHg/);
  assert.ok(await page.locator('[data-field="sbp_1"]').evaluate((n) => n.classList.contains('has-finding')));

  // An unreadable lab value is the core's DQ-PARSE-1 beside that field.
  await page.fill('#f-ldl_mmol', '3,0');
  assert.match(await page.locator('[data-findings-for="ldl_mmol"]').innerText(), /DQ-PARSE-1/);
  await page.fill('#f-ldl_mmol', '3.0');
  assert.equal(await page.locator('[data-findings-for="ldl_mmol"] li').count(), 0);

  // SBP 400 leaves too few valid readings for HR-5 (indeterminate); LDL-C 4.5 mmol/L
  // makes the person high risk again through HR-6, with the SBP finding still shown.
  await page.fill('#f-ldl_mmol', '4.5');
  assert.equal(await decision.getAttribute('data-status'), 'yes');
  assert.match(await page.locator('#reasons').innerText(), /MPP2014-HR-6/);
  assert.match(await page.locator('[data-findings-for="sbp_1"]').innerText(), /DQ-RANGE-8/);

  await mkdir(join(ROOT, 'e2e', 'screenshots'), { recursive: true });
  await page.screenshot({ path: SHOT, fullPage: false });
  await page.click('#lang');
  assert.match(await page.locator('[data-findings-for="sbp_1"]').innerText(), /DQ-RANGE-8.*应在 70–270 mmHg 之间/);
  await page.screenshot({ path: SHOT.replace('.png', '-zh.png'), fullPage: false });
  assert.deepEqual(errors.map(String), []);
  await page.close();
});

test('an empty form is indeterminate and lists what is needed', async () => {
  const { page, errors } = await openDemo();
  assert.equal(await page.locator('#decision').getAttribute('data-status'), 'indeterminate');
  assert.match(await page.locator('#missing').innerText(), /\S/);
  await page.click('#example');
  assert.equal(await page.locator('#decision').getAttribute('data-status'), 'yes');
  assert.match(await page.locator('#reasons').innerText(), /MPP2014-HR-6/);
  assert.deepEqual(errors.map(String), []);
  await page.close();
});
