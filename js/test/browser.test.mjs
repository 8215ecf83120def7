// The browser entry (dist/web.mjs) in headless Chromium: a tiny static server on 127.0.0.1 serves
// dist/, two pages and the golden vectors; the page does `await init()` (which fetches
// payplan_bg.wasm next to the script) and runs EVERY golden vector; each output must be
// byte-identical to the native crate's. A second page instantiates with `initSync(bytes)`.
//
// Needs Chromium: Debian's /usr/bin/chromium or CHROMIUM_PATH. ../../scripts/test-js-extra.sh
// installs it when missing.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertChromium, launchChromium, watchPage, withTimeout } from './chromium.mjs';
import { loadVectors } from './vectors.mjs';

const jsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(jsRoot, 'dist');
const vectors = loadVectors();
const samplePlanJson = readFileSync(join(jsRoot, '..', 'examples', 'plans', 'account-executive.json'), 'utf8');

const CONTENT_TYPES = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

// The main page: imports the browser ESM entry, initializes it asynchronously and exposes a
// function that runs every vector (fetched from /vectors.json) plus the error checks.
const INIT_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>payplan init()</title></head><body>
<script type="module">
import * as payplan from '/dist/web.mjs';
import * as operations from '/dist/operations.web.mjs';
const { init, isReady, compilePlan, PayplanError, version } = payplan;
const { runOperationJson } = operations;

window.runAll = async () => {
  const readyBefore = isReady();
  let notInitialized = null;
  try { compilePlan('{}'); } catch (e) { notInitialized = { isPayplanError: e instanceof PayplanError, code: e.code }; }
  await init();
  await operations.init();
  const readyAfter = isReady() && operations.isReady();
  const vectors = await (await fetch('/vectors.json')).json();
  const results = [];
  for (const v of vectors) {
    try {
      if (v.op) {
        results.push({ name: v.name, output: runOperationJson(v.op, v.requestJson) });
        continue;
      }
      const plan = compilePlan(v.planJson);
      try {
        results.push({ name: v.name, output: plan.evaluateJson(v.inputsJson, v.period) });
      } finally {
        plan.free();
      }
    } catch (e) {
      results.push({ name: v.name, error: { isPayplanError: e instanceof PayplanError, code: e.code, path: e.path, message: String(e.message) } });
    }
  }

  // a JS number where a decimal string is required: a typed error, and the instance still works
  const sample = JSON.parse(await (await fetch('/sample-plan.json')).text());
  const deals = [
    { id: 'D-1', owner: 'ae-ana', amount: '150000', closeDate: '2025-01-20', product: 'Platform', type: 'new' },
    { id: 'D-2', owner: 'ae-ana', amount: '100000', closeDate: '2025-02-20', product: 'Platform', type: 'renewal' },
  ];
  const plan = compilePlan(sample);
  let badInput = null;
  let after = null;
  try {
    try {
      plan.evaluate({ transactions: [{ ...deals[0], amount: 150000 }] }, 'Q1');
      badInput = { threw: false };
    } catch (e) {
      badInput = {
        threw: true,
        isPayplanError: e instanceof PayplanError,
        isError: e instanceof Error,
        name: e.name,
        code: e.code,
        path: e.path,
        message: String(e.message),
      };
    }
    const q1 = plan.evaluate({ transactions: deals }, 'Q1');
    after = q1.statements.find((s) => s.payee === 'ae-ana').payout;
  } finally {
    plan.free();
  }
  let freed = null;
  try { plan.evaluate({ transactions: deals }, 'Q1'); } catch (e) { freed = { isPayplanError: e instanceof PayplanError, code: e.code }; }

  return { readyBefore, readyAfter, notInitialized, version: version(), results, badInput, after, freed, userAgent: navigator.userAgent };
};
window.pageLoaded = true;
</script></body></html>`;

// The second page: fetches the .wasm bytes itself and instantiates synchronously.
const SYNC_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>payplan initSync()</title></head><body>
<script type="module">
import { initSync, isReady, evaluate } from '/dist/web.mjs';

window.runSync = async () => {
  const readyBefore = isReady();
  const bytes = new Uint8Array(await (await fetch('/dist/payplan_bg.wasm')).arrayBuffer());
  initSync(bytes);
  const readyAfter = isReady();
  const planJson = await (await fetch('/sample-plan.json')).text();
  const inputs = { transactions: [
    { id: 'D-1', owner: 'ae-ana', amount: '150000', closeDate: '2025-01-20', product: 'Platform', type: 'new' },
    { id: 'D-2', owner: 'ae-ana', amount: '100000', closeDate: '2025-02-20', product: 'Platform', type: 'renewal' },
  ] };
  const q1 = evaluate(planJson, inputs, 'Q1');
  const ana = q1.statements.find((s) => s.payee === 'ae-ana');
  return { readyBefore, readyAfter, byteLength: bytes.byteLength, payout: ana.payout, trace: ana.components[0].lines[1].trace };
};
window.pageLoaded = true;
</script></body></html>`;

function startServer() {
  const requests = [];
  const vectorsJson = JSON.stringify(vectors.map(({ name, planJson, inputsJson, period, op, requestJson }) => ({ name, planJson, inputsJson, period, op, requestJson })));
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (status, type, body) => {
      requests.push({ path: url.pathname, status, type });
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/' || url.pathname === '/index.html') return send(200, CONTENT_TYPES['.html'], INIT_PAGE);
    if (url.pathname === '/sync.html') return send(200, CONTENT_TYPES['.html'], SYNC_PAGE);
    if (url.pathname === '/vectors.json') return send(200, CONTENT_TYPES['.json'], vectorsJson);
    if (url.pathname === '/sample-plan.json') return send(200, CONTENT_TYPES['.json'], samplePlanJson);
    if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
    if (url.pathname.startsWith('/dist/')) {
      const file = normalize(join(distDir, decodeURIComponent(url.pathname.slice('/dist/'.length))));
      if (file.startsWith(distDir + sep) && existsSync(file) && statSync(file).isFile()) {
        return send(200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
      }
    }
    return send(404, 'text/plain', 'not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, requests, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

test('the browser entry in headless Chromium: every golden vector byte-identical, typed errors, init and initSync', { timeout: 90_000 }, async (t) => {
  assertChromium();
  assert.ok(existsSync(join(distDir, 'web.mjs')), 'js/dist/web.mjs is missing: run ./scripts/build-wasm.sh first');

  const { server, requests, origin } = await startServer();
  let browser = null;
  const pageErrors = [];
  try {
    browser = await launchChromium();
    const { context } = browser;

    const open = async (path) => {
      const page = await context.newPage();
      watchPage(page, pageErrors, `${path}: `);
      const response = await page.goto(origin + path);
      assert.equal(response.status(), 200);
      await page.waitForFunction(() => window.pageLoaded === true);
      return page;
    };

    // --- init(): the .wasm fetched next to the script, every vector ---
    const page = await open('/index.html');
    const r = await page.evaluate(() => window.runAll());
    t.diagnostic(`${r.userAgent}; engine ${r.version}; ${r.results.length} vectors`);

    assert.equal(r.readyBefore, false, 'isReady() before init()');
    assert.deepEqual(r.notInitialized, { isPayplanError: true, code: 'NOT_INITIALIZED' });
    assert.equal(r.readyAfter, true, 'isReady() after init()');
    assert.match(r.version, /^\d+\.\d+\.\d+/);

    const wasmFetch = requests.find((q) => q.path === '/dist/payplan_bg.wasm');
    assert.ok(wasmFetch, 'init() fetched /dist/payplan_bg.wasm');
    assert.equal(wasmFetch.type, 'application/wasm');

    assert.equal(r.results.length, vectors.length);
    assert.ok(vectors.length >= 40, `${vectors.length} vectors`);
    let compared = 0;
    let errors = 0;
    for (const [i, v] of vectors.entries()) {
      const got = r.results[i];
      assert.equal(got.name, v.name);
      if (v.expectError) {
        assert.ok(got.error, `${v.name}: expected ${v.expectError.code}, got an output`);
        assert.equal(got.error.isPayplanError, true, `${v.name}: not a PayplanError in the page: ${got.error.message}`);
        assert.equal(got.error.code, v.expectError.code, `${v.name}: ${got.error.message}`);
        if (v.expectError.path !== undefined) assert.equal(got.error.path, v.expectError.path, v.name);
        errors++;
      } else {
        assert.ok(!got.error, `${v.name}: threw in the browser: ${got.error?.code} ${got.error?.message}`);
        assert.ok(got.output === v.golden, `${v.name}: the browser output differs from the native bytes`);
        compared++;
      }
    }
    t.diagnostic(`${compared} outputs byte-identical to native, ${errors} expected errors`);

    assert.equal(r.badInput.threw, true, 'a JS number amount was accepted');
    assert.equal(r.badInput.isPayplanError, true);
    assert.equal(r.badInput.isError, true);
    assert.equal(r.badInput.name, 'PayplanError');
    assert.equal(r.badInput.code, 'PARSE_ERROR');
    assert.equal(r.badInput.path, '/transactions/0/amount');
    assert.match(r.badInput.message, /decimal string/);
    assert.equal(r.after, '22500.00', 'the same instance works after the bad input');
    assert.deepEqual(r.freed, { isPayplanError: true, code: 'FREED' });
    await page.close();

    // --- initSync() with fetched bytes, in a fresh page ---
    const syncPage = await open('/sync.html');
    const s = await syncPage.evaluate(() => window.runSync());
    assert.equal(s.readyBefore, false);
    assert.equal(s.readyAfter, true);
    assert.equal(s.byteLength, statSync(join(distDir, 'payplan_bg.wasm')).size);
    assert.equal(s.payout, '22500.00');
    assert.equal(s.trace, 'D-2 credit 100000.00: 50000.00 in band 0 at 1 x 8% + 50000.00 in band 1 at 1.5 x 8% = 10000.00');
    await syncPage.close();

    assert.deepEqual(pageErrors, [], 'errors or warnings in the pages');
    assert.deepEqual(
      requests.filter((q) => q.status >= 400),
      [],
      'requests the server could not answer',
    );
  } finally {
    if (browser) await browser.close();
    await withTimeout(
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
      5_000,
      'closing the server',
    ).catch((e) => console.error(e.message));
  }
});
