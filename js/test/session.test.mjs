// Live preview sessions through the built package: previews equal full evaluations, edits,
// typed errors, and the instance survives bad input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compilePlan, parseDealPreview, PayplanError, PreviewSession } from '../dist/preview.node.mjs';
import * as plain from '../dist/node.mjs';

const plan = JSON.parse(readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8'));
const deals = [
  { id: 'D-1', owner: 'ae-ana', amount: '150000', closeDate: '2025-01-20', product: 'Platform', type: 'renewal' },
];
const deal = { id: 'D-2', owner: 'ae-ana', amount: '100000', closeDate: '2025-02-20', product: 'Platform', type: 'new' };

test('a preview: the change per component, the band crossed, attainment and the trace', () => {
  const compiled = compilePlan(plan);
  const session = compiled.openSession({ transactions: deals }, 'ae-ana', 'Q1');
  assert.ok(session instanceof PreviewSession);
  compiled.free(); // the session keeps its own copy of the plan
  // Ana has 150,000 of a 200,000 quarterly quota (75%): 12,000.00 at 8%
  assert.equal(session.summary().payout, '12000.00');
  const p = session.preview(deal);
  assert.equal(p.mode, 'incremental');
  // 50,000 at 8% to quota = 4,000 + 50,000 at 1.5 x 8% = 6,000, and the 500 new-logo SPIFF
  assert.deepEqual(
    p.components.map((c) => [c.component, c.change]),
    [['commission', '10000.00'], ['platform-spiff', '500.00']],
  );
  assert.equal(p.payout.before, '12000.00');
  assert.equal(p.payout.after, '22500.00');
  assert.equal(p.payout.change, '10500.00');
  assert.deepEqual(p.bandsCrossed, [{ component: 'commission', from: 0, to: 1, rate: '1.5 x 8%' }]);
  const bookings = p.measures.find((m) => m.measure === 'bookings');
  assert.equal(bookings.before.attainment, '0.75');
  assert.equal(bookings.after.attainment, '1.25');
  assert.equal(p.lines[0].trace, 'D-2 credit 100000.00: 50000.00 in band 0 at 1 x 8% + 50000.00 in band 1 at 1.5 x 8% = 10000.00');
  // a preview changes nothing
  assert.equal(session.summary().payout, '12000.00');
  session.free();
});

test('edits give the same statement as a full evaluation', () => {
  const compiled = compilePlan(plan);
  const session = compiled.openSession({ transactions: deals }, 'ae-ana', 'Q1');
  session.upsert(deal);
  session.upsert({ ...deals[0], amount: '50000' }); // D-1 changed
  session.upsert({ id: 'D-3', owner: 'ae-ana', amount: '80000', closeDate: '2025-03-01' });
  const removed = session.remove('D-2');
  assert.equal(removed.payout.change.startsWith('-'), true);
  const full = compiled.evaluate(
    { transactions: [{ ...deals[0], amount: '50000' }, { id: 'D-3', owner: 'ae-ana', amount: '80000', closeDate: '2025-03-01' }] },
    'Q1',
  );
  const ana = full.statements.find((s) => s.payee === 'ae-ana');
  // 130,000 at 8% (65% of quota)
  assert.equal(ana.payout, '10400.00');
  assert.equal(session.summary().payout, ana.payout);
  assert.deepEqual(session.statement(), ana);
  session[Symbol.dispose]();
  compiled.free();
});

/** D-2 for 100,000 on the keystroke path, with the plan's commission and measure ids. */
const d2Preview = (commission, bookings) => ({
  mode: 'incremental',
  credited: true,
  payout: '22500.00',
  payoutChange: '10500.00',
  earningsChange: '10500.00',
  components: { [commission]: '10000.00', 'platform-spiff': '500.00' },
  attainment: { [bookings]: '1.25' },
  bandsCrossed: [{ component: commission, from: 0, to: 1 }],
});

test('the keystroke path: edit a deal once, then preview each amount typed', () => {
  const compiled = compilePlan(plan);
  const session = compiled.openSession({ transactions: deals }, 'ae-ana', 'Q1');
  assert.throws(() => session.previewAmount('1'), (e) => e instanceof PayplanError && e.code === 'NO_EDIT');
  session.edit({ ...deal, amount: '0' });
  // Ana has 150,000 of her 200,000 quota (12,000.00 at 8%). D-2 for 100,000: 50,000 at 8% = 4,000
  // + 50,000 at 1.5 x 8% = 6,000, and the 500 new-logo Platform SPIFF
  assert.deepEqual(session.previewAmount('100000'), d2Preview('commission', 'bookings'));
  // 20,000 at 8% = 1,600 + 500: 170,000 of 200,000, still in band 0
  assert.equal(session.previewAmountText('20000'), 'i|1|14100.00|2100.00|2100.00|commission=1600.00,platform-spiff=500.00|bookings=0.85|');
  // 250,000 takes her to 400,000 (200%, band 2): 4,000 + 100,000 at 12% + 100,000 at 16% = 32,000,
  // so 44,000 of commission, capped at 25,000 per period (the excess carries forward)
  const big = session.previewAmount('250000');
  assert.equal(big.components.commission, '13000.00');
  assert.equal(big.payout, '25500.00');
  assert.equal(big.attainment.bookings, '2');
  assert.deepEqual(big.bandsCrossed, [{ component: 'commission', from: 0, to: 2 }]);
  // the same as the full preview, whose lines and trace are on demand
  const full = session.previewEdited();
  assert.equal(full.payout.after, '25500.00');
  assert.equal(full.lines[0].trace, 'D-2 credit 250000.00: 50000.00 in band 0 at 1 x 8% + 100000.00 in band 1 at 1.5 x 8% + 100000.00 in band 2 at 2 x 8% = 32000.00');
  // a Services deal earns no SPIFF
  assert.equal(session.previewAmount('100000', { product: 'Services' }).components['platform-spiff'], '0.00');
  // moved to April, it credits Q2: nothing changes in Q1
  const april = session.previewAmount('100000', { closeDate: '2025-04-02' });
  assert.equal(april.credited, false);
  assert.equal(april.payoutChange, '0.00');
  // typed errors, and the session keeps working
  assert.throws(() => session.previewAmount('1e5'), (e) => e instanceof PayplanError && e.code === 'INVALID_AMOUNT' && e.path === '/amount');
  assert.throws(() => session.previewAmount('1', { closeDate: '2025-02-30' }), (e) => e instanceof PayplanError && e.code === 'INVALID_DATE');
  assert.equal(session.previewAmount('100000', { closeDate: '2025-02-20', product: 'Platform' }).payoutChange, '10500.00');
  // nothing changed in the session
  assert.equal(session.summary().payout, '12000.00');
  assert.deepEqual(parseDealPreview('r|0|1.00|0.00|0.00|c=0.00||'), {
    mode: 'replay', credited: false, payout: '1.00', payoutChange: '0.00', earningsChange: '0.00',
    components: { c: '0.00' }, attainment: {}, bandsCrossed: [],
  });
  assert.deepEqual(parseDealPreview('i|1|2.00|-1.00|-1.00|a=-1.00,b=0.00|m=0.5,n=1|a=->0,b=2>-'), {
    mode: 'incremental', credited: true, payout: '2.00', payoutChange: '-1.00', earningsChange: '-1.00',
    components: { a: '-1.00', b: '0.00' }, attainment: { m: '0.5', n: '1' },
    bandsCrossed: [{ component: 'a', from: null, to: 0 }, { component: 'b', from: 2, to: null }],
  });
  session.free();
  compiled.free();
});

test('the keystroke path reads back ids that hold its separators', () => {
  // the sample plan with its commission and measure renamed: D-2 as in the test above
  const odd = { commission: 'com,m|i=s>s%2Cion', bookings: 'book|ings=%' };
  const text = JSON.stringify(plan).replaceAll('"commission"', JSON.stringify(odd.commission)).replaceAll('"bookings"', JSON.stringify(odd.bookings));
  const compiled = compilePlan(text);
  const session = compiled.openSession({ transactions: deals }, 'ae-ana', 'Q1');
  session.edit(deal);
  assert.equal(session.previewAmountText('100000'), 'i|1|22500.00|10500.00|10500.00|com%2Cm%7Ci%3Ds%3Es%252Cion=10000.00,platform-spiff=500.00|book%7Cings%3D%25=1.25|com%2Cm%7Ci%3Ds%3Es%252Cion=0>1');
  assert.deepEqual(session.previewAmount('100000'), d2Preview(odd.commission, odd.bookings));
  session.free();
  compiled.free();
});

test('bad input is a typed error and the session keeps working', () => {
  const compiled = compilePlan(plan);
  const session = compiled.openSession({ transactions: deals }, 'ae-ana', 'Q1');
  assert.throws(() => session.preview({ ...deal, amount: 100000 }), (e) => e instanceof PayplanError && e.code === 'PARSE_ERROR' && e.path === '/amount');
  assert.throws(() => session.preview({ id: 'X', owner: 'ae-ana', amount: '1' }), (e) => e instanceof PayplanError && e.code === 'TRANSACTION_REJECTED');
  assert.throws(() => session.remove('nope'), (e) => e instanceof PayplanError && e.code === 'UNKNOWN_TRANSACTION');
  assert.throws(() => compiled.openSession({ transactions: [] }, 'nobody', 'Q1'), (e) => e instanceof PayplanError && e.code === 'UNKNOWN_PAYEE');
  assert.equal(session.preview(deal).payout.after, '22500.00');
  session.free();
  assert.throws(() => session.summary(), (e) => e instanceof PayplanError && e.code === 'FREED');
  compiled.free();
});

test("sessions live in 'payplan/preview': the plain entry says where", () => {
  const compiled = plain.compilePlan(plan);
  assert.throws(
    () => compiled.openSession({ transactions: deals }, 'ae-ana', 'Q1'),
    (e) => e instanceof plain.PayplanError && e.code === 'NOT_AVAILABLE' && /payplan\/preview/.test(e.message),
  );
  // the plain module keeps working
  assert.equal(compiled.evaluate({ transactions: [...deals, deal] }, 'Q1').statements.find((s) => s.payee === 'ae-ana').payout, '22500.00');
  compiled.free();
});

test('a PayplanError from any entry is instanceof every entry’s PayplanError', async () => {
  const ops = await import('../dist/operations.node.mjs');
  let thrown;
  try {
    ops.allocateQuota({ target: 'lots', nodes: [] });
  } catch (e) {
    thrown = e;
  }
  assert.equal(thrown?.code, 'PARSE_ERROR');
  assert.ok(thrown instanceof plain.PayplanError && thrown instanceof PayplanError && thrown instanceof ops.PayplanError);
  assert.ok(!(new Error('x') instanceof PayplanError));
  // and an error of the preview entry is one of the plain entry's
  assert.throws(() => compilePlan('{'), (e) => e instanceof plain.PayplanError && e.code === 'PARSE_ERROR');
});
