// The earnings calculator (examples/earnings-calculator), served by examples/serve.mjs and driven in
// headless Chromium like a rep would use it: pick a rep and a period, type deals, import a CSV.
// The numbers on the page are checked against the native engine (the Rust CLI in target/, when
// `cargo test` has built it; otherwise against the same figures, checked by hand and recorded
// here). Screenshots go to js/test-artifacts/ (git-ignored).
//
// Needs Chromium: Debian's /usr/bin/chromium or CHROMIUM_PATH (../../scripts/test-js-extra.sh).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertChromium, launchChromium, watchPage } from './chromium.mjs';
import { startServer } from '../../examples/serve.mjs';

const jsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(jsRoot, '..');
const artifacts = join(jsRoot, 'test-artifacts');
const samplePlan = join(repo, 'examples', 'plans', 'account-executive.json');

/** The native engine's evaluation (the Rust CLI built by `cargo test`), or null when it is not built. */
function nativeEvaluation(deals, period) {
  const cli = ['debug', 'release'].map((p) => join(repo, 'target', p, 'payplan')).find((p) => existsSync(p));
  if (!cli) return null;
  const dir = mkdtempSync(join(tmpdir(), 'payplan-native-'));
  try {
    const file = join(dir, 'deals.json');
    writeFileSync(file, JSON.stringify(deals));
    return JSON.parse(execFileSync(cli, ['evaluate', '--plan', samplePlan, '--transactions', file, '--period', period], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const group = (d) => d.replace(/^(-?\d+)/, (i) => i.replace(/\B(?=(\d{3})+(?!\d))/g, ','));

test('the earnings calculator in headless Chromium: typed deals, a CSV import, the payout curve', { timeout: 120_000 }, async (t) => {
  assertChromium();
  assert.ok(existsSync(join(jsRoot, 'dist', 'web.mjs')), 'js/dist is missing: run ./scripts/build-wasm.sh first');
  mkdirSync(artifacts, { recursive: true });
  const requests = [];
  const { server, url } = await startServer({ port: 0, log: (line) => requests.push(line) });
  let browser = null;
  const pageErrors = [];
  try {
    browser = await launchChromium({ viewport: { width: 1180, height: 900 }, deviceScaleFactor: 1 });
    const { context } = browser;
    const page = await context.newPage();
    watchPage(page, pageErrors);

    // --- the page as served by the example command's server: / redirects to the calculator ---
    const response = await page.goto(`${url}/`);
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/earnings-calculator/');
    await page.waitForSelector('body[data-state=ready]');
    const evaluations = async () => Number(await page.locator('body').getAttribute('data-evaluations'));
    const settled = async (before) => {
      await page.waitForFunction((n) => Number(document.body.dataset.evaluations) > n && document.body.dataset.state === 'ready', before);
    };
    const text = async (sel) => (await page.locator(sel).innerText()).trim();
    const componentAmount = (id) => text(`#components tr[data-component="${id}"] td.amount`);

    // --- the rep types her deals: Ana, Q1, the README's worked example ---
    await page.selectOption('#rep', 'ae-ana');
    await page.selectOption('#period', 'Q1');
    let n = await evaluations();
    await page.click('#clear-deals');
    await settled(n);
    const typed = [
      ['D-1', '2025-01-20', '150000', 'Platform', 'new'],
      ['D-2', '2025-02-20', '100000', 'Platform', 'renewal'],
      ['D-3', '2025-03-14', '60000', 'Analytics', 'upsell'],
    ];
    for (const [i, [id, date, amount, product, type]] of typed.entries()) {
      await page.click('#add-deal');
      const row = page.locator(`#deals tbody tr[data-row="${i}"]`);
      await row.locator('[data-field=id]').fill(id);
      await row.locator('[data-field=closeDate]').fill(date);
      await row.locator('[data-field=product]').fill(product);
      await row.locator('[data-field=type]').selectOption(type);
      n = await evaluations();
      await row.locator('[data-field=amount]').fill(amount);
      await settled(n);
    }
    const deals = typed.map(([id, closeDate, amount, product, type]) => ({ id, owner: 'ae-ana', amount, closeDate, product, type }));
    // by hand: 310,000 on a 200,000 quota = 155%; 200,000 x 8% + 100,000 x 12% + 10,000 x 16% =
    // 29,600, capped at 25,000 (4,600 carried forward); D-1 is a new Platform deal: SPIFF 500
    const expected = { payout: '25500.00', earnings: '25500.00', commission: '25000.00', spiff: '500.00', attainment: '155%' };
    const native = nativeEvaluation(deals, 'Q1');
    if (native) {
      const ana = native.statements.find((s) => s.payee === 'ae-ana');
      assert.equal(ana.payout, expected.payout, 'the native engine agrees with the hand-checked payout');
      assert.equal(ana.components.find((c) => c.component === 'commission').amount, expected.commission);
      t.diagnostic('page figures compared with the native CLI (target/*/payplan)');
    } else {
      t.diagnostic('the native CLI is not built (cargo test builds it): page figures compared with the hand-checked ones only');
    }
    assert.equal(await text('#payout'), `${group(expected.payout)} USD`);
    assert.equal(await text('#earnings'), group(expected.earnings));
    assert.equal(await componentAmount('commission'), group(expected.commission));
    assert.equal(await componentAmount('platform-spiff'), group(expected.spiff));
    assert.equal(await text('#attainment'), expected.attainment);
    assert.equal(await text('#attainment-detail'), '310,000.00 of 200,000.00 bookings; year to date 155%');
    assert.equal(await text('#band'), '2 x 8%');
    assert.equal(await text('#band-detail'), 'band 2: from 150% up');
    assert.match(await text('#components tr[data-component="commission"] td.detail'), /3 line\(s\) · bands 0, 1, 2 · cap -4,600\.00/);
    const trace = await text('#trace');
    assert.match(trace, /D-2 credit 100000\.00: 50000\.00 in band 0 at 1 x 8% \+ 50000\.00 in band 1 at 1\.5 x 8% = 10000\.00/);
    if (native) {
      const ana = native.statements.find((s) => s.payee === 'ae-ana');
      for (const line of ana.components.flatMap((c) => c.lines.map((l) => l.trace))) assert.ok(trace.includes(line), `trace line missing: ${line}`);
    }

    // --- the payout curve: 41 points evaluated by the engine; the cap flattens it ---
    const points = await page.locator('#curve circle.point').evaluateAll((cs) => cs.map((c) => ({ percent: c.dataset.percent, attainment: c.dataset.attainment, payout: c.dataset.payout })));
    assert.equal(points.length, 41);
    const at = (p) => points.find((x) => x.percent === String(p));
    assert.deepEqual(at(0), { percent: '0', attainment: '0', payout: '0.00' });
    assert.deepEqual(at(50), { percent: '50', attainment: '0.5', payout: '8000.00' }); // 100,000 x 8%
    assert.deepEqual(at(100), { percent: '100', attainment: '1', payout: '16000.00' }); // 200,000 x 8%
    assert.deepEqual(at(125), { percent: '125', attainment: '1.25', payout: '22000.00' }); // + 50,000 x 12%
    assert.deepEqual(at(150), { percent: '150', attainment: '1.5', payout: '25000.00' }); // 28,000 capped at 25,000
    assert.equal(at(200).payout, '25000.00');
    const you = page.locator('#curve circle.you');
    assert.equal(await you.getAttribute('data-payout'), '25500.00');
    assert.equal(await you.getAttribute('data-attainment'), '1.55');
    await page.screenshot({ path: join(artifacts, 'earnings-calculator.png'), fullPage: true });

    // --- a bad amount: the engine's error, with the row marked ---
    n = await evaluations();
    await page.locator('#deals tbody tr[data-row="1"] [data-field=amount]').fill('100,000');
    await page.waitForSelector('body[data-state=error]');
    assert.match(await text('#deals-status'), /^PARSE_ERROR at \/transactions\/1\/amount: /);
    assert.equal(await page.locator('#deals tbody tr.invalid').getAttribute('data-row'), '1');
    await page.locator('#deals tbody tr[data-row="1"] [data-field=amount]').fill('100000');
    await settled(n);

    // --- Ben imports the sample CSV (the engine's CSV import): Q1 with his draw ---
    await page.selectOption('#rep', 'ae-ben');
    n = await evaluations();
    await page.click('#clear-deals');
    await settled(n);
    n = await evaluations();
    await page.setInputFiles('#csv-file', join(repo, 'examples', 'data', 'deals-2025.csv'));
    await settled(n);
    assert.equal(await text('#deals-status'), '2 deal(s)');
    assert.equal(await page.locator('#deals tbody tr').count(), 2, 'D-105 (split with Chen) and D-106');
    // 15,000 (half of D-105) + 12,000.50 on a 34,444.44 prorated, ramped quota; 8% = 2,160.04;
    // half of the 500 SPIFF; the recoverable draw tops 2,410.04 up to 6,000
    assert.equal(await text('#payout'), '6,000.00 USD');
    assert.equal(await text('#earnings'), '2,410.04');
    assert.equal(await text('#attainment'), '78.39%');
    assert.equal(await text('#attainment-detail'), '27,000.50 of 34,444.44 bookings; year to date 78.39%');
    assert.equal(await text('#components tr[data-adjustment="drawTopUp"] td.amount'), '3,589.96');
    assert.equal(await componentAmount('commission'), '2,160.04');
    assert.equal(await componentAmount('platform-spiff'), '250.00');
    const nativeBen = nativeEvaluation(
      [
        { id: 'D-105', owner: 'ae-ben', amount: '30000', closeDate: '2025-02-25', product: 'Platform', type: 'new', splits: [{ payee: 'ae-ben', percent: '50' }, { payee: 'ae-chen', percent: '50' }] },
        { id: 'D-106', owner: 'ae-ben', amount: '12000.50', closeDate: '2025-03-05', product: 'Support', type: 'renewal' },
      ],
      'Q1',
    );
    // Ben's curve, on his prorated quota: the draw floors the payout at 6,000 until his commission
    // with accelerators passes it (about 171% of quota)
    const benPoints = await page.locator('#curve circle.point').evaluateAll((cs) => cs.map((c) => [c.dataset.percent, c.dataset.attainment, c.dataset.payout]));
    assert.deepEqual(benPoints.find(([p]) => p === '100'), ['100', '1', '6000.00']);
    assert.deepEqual(benPoints.find(([p]) => p === '0'), ['0', '0', '6000.00']);
    if (nativeBen) assert.equal(nativeBen.statements.find((s) => s.payee === 'ae-ben').payout, '6000.00');
    await page.screenshot({ path: join(artifacts, 'earnings-calculator-csv.png'), fullPage: true });

    assert.deepEqual(pageErrors, [], 'errors or warnings in the page');
    assert.deepEqual(requests.filter((r) => !/ (200|204|302)$/.test(r)), [], 'requests the server could not answer');
    t.diagnostic(`screenshots in ${artifacts}`);
  } finally {
    if (browser) await browser.close();
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(() => resolve()));
  }
});
