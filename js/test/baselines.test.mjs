// The throughput benchmark's hand-written baselines (bench/baselines.mjs) against the package:
// the decimal.js version must give every statement's payout, and every pay line, to the cent; the
// float version's differences are only counted. Also checks the port of the crate's generator.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compilePlan } from '../dist/node.mjs';
import {
  aeIds,
  benchPlan,
  evaluateDecimal,
  evaluateFloat,
  generateTransactions,
  payLineDifferences,
  payoutDifferences,
  Rng,
} from '../bench/baselines.mjs';

const sample = JSON.parse(readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8'));

test('the generator port gives the Rust generator’s transactions (src/sample.rs)', () => {
  // SplitMix64 from seed 0: the published reference values
  const r = new Rng(0);
  assert.equal(r.nextU64(), 0xe220a8397b1dcdafn);
  assert.equal(r.nextU64(), 0x6e789e6aa1b965f4n);
  // values printed by `payplan::sample::generate` with the default settings ...
  const d = generateTransactions();
  assert.equal(d.length, 120);
  assert.deepEqual(d[0], { id: 'S-00001', owner: 'ae-ben', amount: '10774.53', closeDate: '2025-01-02', product: 'Platform', type: 'upsell' });
  assert.deepEqual(d[6], {
    id: 'S-00007',
    owner: 'ae-chen',
    amount: '3293.75',
    closeDate: '2025-01-16',
    product: 'Support',
    type: 'upsell',
    splits: [
      { payee: 'ae-chen', percent: '50' },
      { payee: 'ae-ben', percent: '50' },
    ],
  });
  assert.deepEqual(d[24], {
    id: 'S-00025',
    owner: 'ae-chen',
    amount: '13859.36',
    closeDate: '2025-03-12',
    product: 'Platform',
    type: 'new',
    cancellationDate: '2025-05-26',
  });
  assert.deepEqual(d[119], { id: 'S-00120', owner: 'ae-ana', amount: '22984.64', closeDate: '2025-12-29', product: 'Platform', type: 'renewal' });
  // ... and with the benchmark's (30 AEs, 90 days, no cancellations)
  const b = generateTransactions({ count: 3000, owners: aeIds(30), days: 90, cancelEvery: 0 });
  assert.deepEqual(b[0], {
    id: 'S-00001',
    owner: 'ae-00013',
    amount: '2685.80',
    closeDate: '2025-01-01',
    product: 'Analytics',
    type: 'new',
    splits: [
      { payee: 'ae-00013', percent: '50' },
      { payee: 'ae-00024', percent: '50' },
    ],
  });
  assert.deepEqual(b[2999], { id: 'S-03000', owner: 'ae-00027', amount: '5285.72', closeDate: '2025-03-31', product: 'Support', type: 'renewal' });
});

// 10 deals per AE: attainment around quota (band crossings, few caps); 100: far above (the cap)
for (const perPayee of [10, 100]) {
  test(`the decimal.js baseline equals the package to the cent (${perPayee} deals per AE)`, (t) => {
    const payees = Math.ceil(1500 / perPayee);
    const plan = benchPlan(sample, payees);
    const transactions = generateTransactions({ count: 1500, owners: aeIds(payees), days: 90, cancelEvery: 0 });
    const compiled = compilePlan(plan);
    let engine;
    try {
      engine = JSON.parse(compiled.evaluateJson(JSON.stringify({ transactions }), 'Q1')).statements;
    } finally {
      compiled.free();
    }
    assert.equal(engine.length, payees + 1);
    const dec = evaluateDecimal(plan, transactions).statements;
    assert.deepEqual(payoutDifferences(engine, dec), { count: 0, examples: [] });
    const lines = payLineDifferences(engine, dec);
    assert.ok(lines.total > 1500, `${lines.total} pay lines`);
    assert.equal(lines.count, 0);
    // credit lines per payee, and the commission after the cap
    for (const s of engine) {
      const mine = dec.find((x) => x.payee === s.payee);
      assert.equal(mine.credits, s.credits.length, s.payee);
      for (const c of s.components) {
        assert.equal(mine.components.find((x) => x.component === c.component).amount.toFixed(2), c.amount, `${s.payee} ${c.component}`);
      }
    }
    // the float version: counted, not asserted
    const flt = evaluateFloat(plan, transactions).statements;
    const fd = payoutDifferences(engine, flt);
    const fl = payLineDifferences(engine, flt);
    assert.ok(fd.count >= 0 && fl.count >= 0);
    t.diagnostic(`${perPayee} deals per AE: floats differ on ${fd.count} of ${engine.length} payouts and ${fl.count} of ${fl.total} pay lines`);
  });
}
