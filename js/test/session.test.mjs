// Live preview sessions through the built package: previews equal full evaluations, edits,
// typed errors, and the instance survives bad input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compilePlan, PayplanError, PreviewSession } from '../dist/preview.node.mjs';
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
