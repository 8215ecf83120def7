// The public API through the built Node ES module entry: plain-object results, typed errors,
// resilience after bad input, freeing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compilePlan, evaluate, PayplanError, validatePlan, version, isReady, init, initSync } from '../dist/node.mjs';

const planJson = readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8');
const plan = JSON.parse(planJson);
const deals = [
  { id: 'D-1', owner: 'ae-ana', amount: '150000', closeDate: '2025-01-20', product: 'Platform', type: 'new' },
  { id: 'D-2', owner: 'ae-ana', amount: '100000', closeDate: '2025-02-20', product: 'Platform', type: 'renewal' },
];

test('the README example: Ana earns 22,500.00 in Q1', () => {
  const compiled = compilePlan(plan);
  const q1 = compiled.evaluate({ transactions: deals }, 'Q1');
  compiled.free();
  const ana = q1.statements.find((s) => s.payee === 'ae-ana');
  assert.equal(ana.payout, '22500.00');
  assert.equal(ana.components[0].amount, '22000.00');
  assert.equal(ana.components[0].lines[1].trace, 'D-2 credit 100000.00: 50000.00 in band 0 at 1 x 8% + 50000.00 in band 1 at 1.5 x 8% = 10000.00');
  // plain objects and arrays, never Map
  assert.equal(Object.getPrototypeOf(q1), Object.prototype);
  assert.ok(Array.isArray(q1.statements));
  assert.equal(Object.getPrototypeOf(q1.accounting.input.amounts), Object.prototype);
  assert.equal(q1.accounting.input.amounts.USD, '250000.00');
});

test('text beyond ASCII reaches the engine byte for byte (the glue writes strings with encodeInto)', () => {
  // ids after a long ASCII stretch, two- to four-byte UTF-8 characters, and a whole document
  // past the first non-ASCII character
  const ids = ['x'.repeat(5000) + '-Müller', '交易-2', '🚀-3', 'Ω'];
  const compiled = compilePlan(plan);
  try {
    const inputs = { transactions: ids.map((id, i) => ({ ...deals[0], id, amount: String(10000 * (i + 1)), closeDate: `2025-01-1${i}` })) };
    const full = JSON.parse(compiled.evaluateJson(JSON.stringify(inputs), 'Q1'));
    const ana = full.statements.find((s) => s.payee === 'ae-ana');
    // 10,000 + 20,000 + 30,000 + 40,000 = 100,000 at 8% in band 0, and a 500 SPIFF on each new Platform deal
    assert.equal(ana.payout, '10000.00');
    assert.deepEqual(ana.components[0].lines.map((l) => l.transaction), ids);
    assert.deepEqual(ana.credits.map((c) => c.transaction), ids);
    assert.match(ana.credits[2].trace, /^ae-ana 100% of 🚀-3 30000 USD/);
  } finally {
    compiled.free();
  }
});

test('one-shot evaluate and the ready state', async () => {
  assert.equal(isReady(), true);
  await init();
  initSync(new Uint8Array());
  assert.equal(evaluate(planJson, JSON.stringify({ transactions: deals }), 'Q1').statements.length, 4);
  assert.match(version(), /^\d+\.\d+\.\d+$/);
});

test('a JS number where money is expected is refused with a clear error and path', () => {
  const compiled = compilePlan(plan);
  try {
    assert.throws(
      () => compiled.evaluate({ transactions: [{ ...deals[0], amount: 150000 }] }, 'Q1'),
      (e) =>
        e instanceof PayplanError &&
        e instanceof Error &&
        e.code === 'PARSE_ERROR' &&
        e.path === '/transactions/0/amount' &&
        /decimal string/.test(e.message),
    );
    // the instance still works
    assert.equal(compiled.evaluate({ transactions: deals }, 'Q1').statements[1].payout, '22500.00');
  } finally {
    compiled.free();
  }
});

test('an invalid plan gives INVALID_PLAN with every diagnostic, and validatePlan lists them', () => {
  const bad = structuredClone(plan);
  bad.components[0].tiers[1].from = '1.2';
  bad.quotas[0].payee = 'nobody';
  const diags = validatePlan(bad);
  assert.deepEqual(
    diags.filter((d) => d.severity === 'error').map((d) => [d.code, d.path]),
    [
      ['UNKNOWN_PAYEE', '/quotas/0/payee'],
      ['TIER_GAP', '/components/0/tiers/1/from'],
    ],
  );
  assert.throws(
    () => compilePlan(bad),
    (e) => e instanceof PayplanError && e.code === 'INVALID_PLAN' && e.path === '/quotas/0/payee' && e.details.diagnostics.length === diags.length,
  );
  assert.equal(validatePlan(plan).length, 0);
  assert.deepEqual(validatePlan('{ not json').map((d) => d.code), ['PARSE_ERROR']);
});

test('errors of every kind, each followed by a working call on the same instance', () => {
  const compiled = compilePlan(plan);
  const cases = [
    [() => compiled.evaluate({}, 'Q9'), 'UNKNOWN_PERIOD'],
    [() => compiled.evaluate('{"transactions": [', 'Q1'), 'PARSE_ERROR'],
    [() => compiled.evaluate({ transactions: [{ id: 'X', amount: 10n }] }, 'Q1'), 'PARSE_ERROR'],
    [() => compiled.evaluate({ transactions: [{ id: 'X', amount: 'NaN', closeDate: '2025-01-01' }] }, 'Q1'), 'PARSE_ERROR'],
    [() => compiled.evaluate({ transactions: [{ ...deals[0], currency: 'XXX' }], options: { strict: true } }, 'Q1'), 'TRANSACTION_REJECTED'],
    [() => compiled.evaluate({ closedStatements: [{ payee: 'ae-ana', period: 'Q1', payout: '1.00' }] }, 'Q1'), 'CLOSED_PERIOD'],
    [() => compilePlan('[]'), 'PARSE_ERROR'],
  ];
  for (const [call, code] of cases) {
    assert.throws(call, (e) => e instanceof PayplanError && e.code === code, code);
    assert.equal(compiled.evaluate({ transactions: deals }, 'Q1').statements[1].payout, '22500.00');
  }
  compiled.free();
});

test('periods and warnings: read on first use, still readable after free()', () => {
  const compiled = compilePlan(plan);
  compiled.free();
  // read from the module when the plan is freed, not when compiled (see the cold-start benchmark)
  assert.deepEqual(compiled.periods.map((p) => `${p.id} ${p.start} ${p.end}`), [
    'Q1 2025-01-01 2025-03-31',
    'Q2 2025-04-01 2025-06-30',
    'Q3 2025-07-01 2025-09-30',
    'Q4 2025-10-01 2025-12-31',
  ]);
  assert.deepEqual(compiled.warnings, []);
  // a plan whose first component selects a role that no payee has: two warnings
  const warned = compilePlan({ ...plan, components: plan.components.map((c, i) => (i === 0 ? { ...c, roles: ['nobody'] } : c)) });
  assert.equal(warned.periods.length, 4);
  assert.deepEqual(warned.warnings.map((w) => `${w.severity} ${w.code} ${w.path}`), [
    'warning UNKNOWN_ROLE /components/0/roles/0',
    'warning NO_PAYEES /components/0',
  ]);
  assert.equal(warned.warnings, warned.warnings, 'the same array on every read');
  warned.free();
});

test('payplan/inline decodes its embedded bytes without a native decoder too', () => {
  // the inline entry decodes the bytes with Uint8Array.fromBase64 or Buffer when the runtime has
  // them (the cold start), else in JavaScript: the latter, in a child without either
  const script = `
    delete Uint8Array.fromBase64;
    delete globalThis.Buffer;
    const { compilePlan } = await import(${JSON.stringify(new URL('../dist/inline.mjs', import.meta.url).href)});
    const plan = compilePlan(${JSON.stringify(planJson)});
    const q1 = plan.evaluate({ transactions: [${JSON.stringify(deals[0])}] }, 'Q1');
    console.log(q1.statements.find((s) => s.payee === 'ae-ana').payout);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  // D-1, 150,000 of new Platform in Q1, under Ana's quarterly quota of 200,000: band 0 at 8% = 12,000
  // plus the 500 new-logo SPIFF
  assert.equal(out.trim(), '12500.00');
});

test('free() and Symbol.dispose', () => {
  const compiled = compilePlan(plan);
  compiled[Symbol.dispose]();
  compiled.free();
  assert.throws(() => compiled.evaluate({}, 'Q1'), (e) => e instanceof PayplanError && e.code === 'FREED');
});

test('limits: compilePlan(plan, { limits }) sets them for the plan and its evaluations', () => {
  // one transaction per call: the second one is over the limit, at its pointer
  const one = compilePlan(plan, { limits: { maxTransactions: 1 } });
  assert.throws(() => one.evaluate({ transactions: deals }, 'Q1'), (e) => e instanceof PayplanError && e.code === 'LIMIT_EXCEEDED' && e.path === '/transactions/1');
  // D-1 alone: 150,000 at 8% = 12,000, and the 500 SPIFF of a new Platform deal
  assert.equal(one.evaluate({ transactions: [deals[0]] }, 'Q1').statements.find((s) => s.payee === 'ae-ana').payout, '12500.00');
  one.free();
  // plan limits apply to the plan text (the sample plan has 3 components)
  assert.throws(() => compilePlan(plan, { limits: { maxComponents: 2 } }), (e) => e.code === 'LIMIT_EXCEEDED' && e.path === '/components/2');
  // the state an evaluation keeps: 4 payees × (2 measures × 4 quarters + 3 components) = 44 cells
  assert.equal(compilePlan(plan, { limits: { maxCells: 44 } }).periods.length, 4);
  assert.throws(() => compilePlan(plan, { limits: { maxCells: 43 } }), (e) => e.code === 'LIMIT_EXCEEDED' && e.path === '' && e.message.includes(': 44 cells of state'));
  // raised and unlimited: the same figures as the defaults
  for (const limits of [{}, { maxTransactions: 2_000_000, maxInputsBytes: 2 ** 29 }, { maxTransactions: Infinity, maxPayees: Infinity }]) {
    const c = compilePlan(plan, { limits });
    assert.equal(c.evaluate({ transactions: deals }, 'Q1').statements.find((s) => s.payee === 'ae-ana').payout, '22500.00');
    c.free();
  }
  // a limit that is not a non-negative integer, or a name that is not a limit
  for (const [limits, path] of [[{ maxTransactions: -1 }, '/maxTransactions'], [{ maxPayees: 1.5 }, '/maxPayees'], [{ maxDepth: 128 }, '/maxDepth'], [{ maxTransaction: 5 }, '/maxTransaction'], [{ maxBands: '10' }, '/maxBands']]) {
    assert.throws(() => compilePlan(plan, { limits }), (e) => e instanceof PayplanError && e.code === 'PARSE_ERROR' && e.path === path, JSON.stringify(limits));
  }
  // and the instance still works
  assert.equal(evaluate(plan, { transactions: deals }, 'Q1').statements.length > 0, true);
});
