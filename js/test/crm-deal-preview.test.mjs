// The CRM deal preview (examples/crm-deal-preview): the <commission-preview> web component next to a
// fake CRM deal form, served by examples/serve.mjs and driven in headless Chromium. The amount is
// typed keystroke by keystroke; after every keystroke the preview must update, and its figures must
// equal a full evaluation by the built package (../dist/node.mjs) over the rep's existing deals
// plus the typed deal. One value is also checked by hand. Screenshot in js/test-artifacts/.
//
// Needs Chromium: Debian's /usr/bin/chromium or CHROMIUM_PATH (../../scripts/test-js-extra.sh).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertChromium, launchChromium, watchPage } from './chromium.mjs';
import { compilePlan } from '../dist/node.mjs';
import { startServer } from '../../examples/serve.mjs';

const jsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(jsRoot, '..');
const artifacts = join(jsRoot, 'test-artifacts');
const planDoc = JSON.parse(readFileSync(join(repo, 'examples', 'plans', 'account-executive.json'), 'utf8'));
const existing = JSON.parse(readFileSync(join(repo, 'examples', 'crm-deal-preview', 'deals.json'), 'utf8')).transactions;
// the deal on the page's form (its amount is what the test types)
const dealWith = (amount, extra = {}) => ({ id: 'OPP-1093', owner: 'ae-ana', amount, closeDate: '2025-03-20', product: 'Platform', type: 'new', ...extra });

/** What the engine says, by a full evaluation (not a session): Ana's Q1 statement. */
function fullEvaluation(deals) {
  const plan = compilePlan(planDoc);
  try {
    return plan.evaluate({ transactions: deals }, 'Q1').statements.find((s) => s.payee === 'ae-ana');
  } finally {
    plan.free();
  }
}
/** after - before on decimal strings with two places (test-side arithmetic, BigInt cents). */
function minus(a, b) {
  const cents = (d) => BigInt(d.replace('.', ''));
  assert.match(a, /^-?\d+\.\d\d$/);
  assert.match(b, /^-?\d+\.\d\d$/);
  const c = cents(a) - cents(b);
  const s = (c < 0n ? -c : c).toString().padStart(3, '0');
  return `${c < 0n ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
}
const group = (d) => d.replace(/^(-?\d+)/, (i) => i.replace(/\B(?=(\d{3})+(?!\d))/g, ','));

test('the CRM deal preview in headless Chromium: keystroke by keystroke, equal to the engine', { timeout: 120_000 }, async (t) => {
  assertChromium();
  assert.ok(existsSync(join(jsRoot, 'dist', 'web.mjs')), 'js/dist is missing: run ./scripts/build-wasm.sh first');
  mkdirSync(artifacts, { recursive: true });
  const requests = [];
  const { server, url } = await startServer({ port: 0, log: (line) => requests.push(line) });
  let browser = null;
  const pageErrors = [];
  try {
    browser = await launchChromium({ viewport: { width: 1180, height: 860 }, deviceScaleFactor: 1 });
    const { context } = browser;
    const page = await context.newPage();
    watchPage(page, pageErrors);

    // --- the page, as served by the example command's server ---
    assert.equal((await page.goto(`${url}/crm-deal-preview/`)).status(), 200);
    const widget = page.locator('commission-preview'); // playwright locators pierce the open shadow root
    await page.waitForSelector('commission-preview[data-state=empty]');
    assert.match(await widget.locator('.message').innerText(), /Type the deal amount/);
    assert.equal(await page.locator('#existing tbody tr').count(), 2);
    const previews = async () => Number((await widget.getAttribute('data-previews')) ?? 0);
    const read = async () => ({
      state: await widget.getAttribute('data-state'),
      change: await widget.locator('.headline .amount').getAttribute('data-value'),
      headline: (await widget.locator('.headline').innerText()).trim(),
      before: await widget.locator('.payout').getAttribute('data-before'),
      after: await widget.locator('.payout').getAttribute('data-after'),
      attainment: (await widget.locator('.attainment[data-measure=bookings]').innerText()).trim(),
      attainmentAfter: await widget.locator('.attainment[data-measure=bookings]').getAttribute('data-after'),
      bands: (await widget.locator('.bands').innerText()).trim(),
      components: Object.fromEntries(
        await widget.locator('table.components tbody tr').evaluateAll((rows) => rows.map((r) => [r.dataset.component, [r.querySelector('.after').textContent, r.querySelector('.change').textContent]])),
      ),
      trace: await widget.locator('ol.trace li').allInnerTexts(),
      traceComponents: await widget.locator('ol.trace li').evaluateAll((lis) => lis.map((li) => li.dataset.component)),
    });

    // the engine, by full evaluation: before (the existing deals) and after (plus the typed deal)
    const base = fullEvaluation(existing);
    // by hand: 90,000 + 60,000 = 150,000 of Ana's 200,000 Q1 quota (800,000 a year) = 75%, at 8%
    assert.equal(base.payout, '12000.00');
    const checkAgainstEngine = async (amount) => {
      const shown = await read();
      const st = fullEvaluation([...existing, dealWith(amount)]);
      assert.equal(shown.state, 'ready', `state after typing ${amount}`);
      assert.equal(shown.before, base.payout, `payout before, amount ${amount}`);
      assert.equal(shown.after, st.payout, `payout after, amount ${amount}`);
      assert.equal(shown.change, minus(st.payout, base.payout), `change, amount ${amount}`);
      assert.equal(shown.attainmentAfter, st.measures.find((m) => m.measure === 'bookings').period.attainment);
      for (const c of st.components) {
        const was = base.components.find((b) => b.component === c.component)?.amount ?? '0.00';
        assert.deepEqual(shown.components[c.component], [group(c.amount), /[1-9]/.test(minus(c.amount, was)) ? `+${group(minus(c.amount, was))}` : group(minus(c.amount, was))], `${c.component}, amount ${amount}`);
      }
      // the deal's pay lines, trace included, are the full evaluation's, word for word
      const lines = st.components.flatMap((c) => c.lines.filter((l) => l.transaction === 'OPP-1093').map((l) => [c.component, c.type, l.trace, l.amount]));
      assert.equal(shown.trace.length, lines.length, `trace lines, amount ${amount}`);
      for (const [i, [component, type, trace, lineAmount]] of lines.entries()) {
        assert.equal(shown.traceComponents[i], component);
        assert.equal(shown.trace[i], trace, `${component} (${type}) trace, amount ${amount}`);
        assert.ok(shown.trace[i].endsWith(`= ${lineAmount}`), `${component} trace ends with its amount`);
      }
      return shown;
    };

    // --- the rep types 100000, one keystroke at a time: a preview after each ---
    const amount = page.locator('#amount');
    await amount.click();
    let typed = '';
    const checked = [];
    for (const key of '100000') {
      const n = await previews();
      await page.keyboard.type(key);
      typed += key;
      await page.waitForFunction((k) => Number(document.querySelector('commission-preview').dataset.previews ?? 0) > k, n);
      assert.equal(await amount.inputValue(), typed);
      const shown = await checkAgainstEngine(typed);
      checked.push([typed, shown.change]);
    }
    // 1, 10, 100, 1000, 10000 stay below quota: 8% of the deal plus the 500 new-logo Platform SPIFF
    assert.deepEqual(checked, [['1', '500.08'], ['10', '500.80'], ['100', '508.00'], ['1000', '580.00'], ['10000', '1300.00'], ['100000', '10500.00']]);
    // by hand, 100,000: 50,000 to quota at 8% = 4,000, 50,000 above it at 1.5 x 8% = 6,000, and the
    // 500 SPIFF: this deal pays 10,500.00 (12,000.00 -> 22,500.00); 250,000 of 200,000 = 125%
    let shown = await read();
    assert.equal(shown.headline, 'This deal pays you 10,500.00 USD');
    assert.equal(shown.attainment, '75% → 125%');
    assert.equal(shown.bands, 'crosses into 1.5 x 8%');
    assert.deepEqual(shown.components, { commission: ['22,000.00', '+10,000.00'], 'platform-spiff': ['500.00', '+500.00'] });
    assert.equal(shown.trace[0], 'OPP-1093 credit 100000.00: 50000.00 in band 0 at 1 x 8% + 50000.00 in band 1 at 1.5 x 8% = 10000.00');
    assert.equal(shown.trace[1], 'OPP-1093 qualifies (credited 2025-03-20, window 2025-01-01 to 2025-03-31): 500 per deal = 500.00');
    await page.screenshot({ path: join(artifacts, 'crm-deal-preview.png'), fullPage: true });

    // --- a bad amount: a friendly message, no crash; the next valid keystroke works ---
    await page.keyboard.type('x');
    await page.waitForSelector('commission-preview[data-state=invalid]');
    assert.match(await widget.locator('.message').innerText(), /^“100000x” is not an amount: type digits/);
    assert.equal(await widget.locator('.headline').count(), 1, 'the last preview stays, greyed');
    let n = await previews();
    await page.keyboard.press('Backspace');
    await page.waitForFunction((k) => Number(document.querySelector('commission-preview').dataset.previews) > k, n);
    assert.equal(await widget.locator('.message').count(), 0);
    await checkAgainstEngine('100000');
    // a thousands separator is not an amount either; then 200000, typed over it
    await amount.fill('100,000');
    await page.waitForSelector('commission-preview[data-state=invalid]');
    await amount.selectText();
    for (const key of '200000') await page.keyboard.type(key);
    await page.waitForFunction(() => document.querySelector('commission-preview').dataset.state === 'ready' && document.querySelector('#amount').value === '200000');
    shown = await checkAgainstEngine('200000');
    // by hand, 200,000: 350,000 = 175%; 200,000 x 8% + 100,000 x 12% + 50,000 x 16% = 36,000, capped
    // at 25,000 (11,000 carried forward): commission +13,000.00, with the SPIFF +13,500.00
    assert.equal(shown.headline, 'This deal pays you 13,500.00 USD');
    assert.equal(shown.attainment, '75% → 175%');
    assert.equal(shown.bands, 'crosses into 2 x 8%');
    assert.deepEqual(shown.components.commission, ['25,000.00', '+13,000.00']);

    // --- another field: an Analytics upsell gets no SPIFF (a `change` event of a select) ---
    n = await previews();
    await page.selectOption('select[name=product]', 'Analytics');
    await page.waitForFunction((k) => Number(document.querySelector('commission-preview').dataset.previews) > k, n);
    const st = fullEvaluation([...existing, dealWith('200000', { product: 'Analytics' })]);
    assert.equal(await widget.locator('.payout').getAttribute('data-after'), st.payout);
    assert.equal(st.payout, '25000.00');
    assert.deepEqual((await read()).components['platform-spiff'], ['0.00', '0.00']);

    // --- another owner: the deal does not count for Ana ---
    await page.selectOption('select[name=owner]', 'ae-ben');
    await page.waitForFunction(() => document.querySelector('commission-preview').shadowRoot.querySelector('.headline')?.textContent.includes('does not count'));
    await page.selectOption('select[name=owner]', 'ae-ana');

    // --- off the page the session is freed; back on, it opens a new one ---
    await page.evaluate(() => {
      const w = document.querySelector('commission-preview');
      window.parked = w;
      w.remove();
    });
    assert.equal(await page.evaluate(() => window.parked.dataset.state), 'closed');
    await page.evaluate(() => document.querySelector('aside').prepend(window.parked));
    await page.waitForFunction(() => document.querySelector('commission-preview').dataset.state === 'ready');
    n = await previews();
    await amount.fill('100000');
    await page.waitForFunction((k) => Number(document.querySelector('commission-preview').dataset.previews) > k, n);
    assert.equal(await widget.locator('.payout').getAttribute('data-after'), fullEvaluation([...existing, dealWith('100000', { product: 'Analytics' })]).payout);

    assert.deepEqual(pageErrors, [], 'errors or warnings in the page');
    assert.deepEqual(requests.filter((r) => !/ (200|204|302)$/.test(r)), [], 'requests the server could not answer');
    t.diagnostic(`screenshot in ${join(artifacts, 'crm-deal-preview.png')}`);
  } finally {
    if (browser) await browser.close();
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(() => resolve()));
  }
});
