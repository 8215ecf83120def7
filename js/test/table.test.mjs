// TransactionTable and CompiledPlan.evaluateTable: every golden vector evaluated from a table gives
// the golden bytes (or the expected error), summaries too; rows with more than the usual fields, and
// bad values, go whole and give the list's evaluation or error; the compact form is what the Rust
// reader expects (TransactionColumns::from_wire).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePlan, PayplanError, TransactionTable } from '../dist/node.mjs';
import * as web from '../dist/inline.mjs';
import { loadVectors } from './vectors.mjs';

const vectors = loadVectors().filter((v) => !v.op);

/** The outcome of `f`: its text, or the error's code, path and message. */
function outcome(f) {
  try {
    return f();
  } catch (e) {
    assert.ok(e instanceof PayplanError, String(e));
    return `${e.code} ${e.path} ${e.message}`;
  }
}

for (const [name, api] of [
  ['Node module', { compilePlan, TransactionTable }],
  ['browser module', web],
]) {
  test(`every golden vector from a table, full and summary (${name})`, () => {
    let compared = 0;
    for (const v of vectors) {
      const plan = api.compilePlan(v.planJson);
      try {
        const { transactions = [], ...rest } = JSON.parse(v.inputsJson);
        const table = api.TransactionTable.from(transactions);
        assert.equal(table.length, transactions.length);
        for (const detail of ['full', 'summary']) {
          const inputs = { ...rest, options: { ...rest.options, detail } };
          const list = outcome(() => plan.evaluateJson(JSON.stringify({ ...inputs, transactions }), v.period));
          const fromTable = outcome(() => plan.evaluateTableJson(table, v.period, inputs));
          assert.equal(fromTable, list, `${v.name} ${detail}`);
          if (detail === 'full' && !v.expectError) assert.equal(fromTable, v.golden, v.name);
          compared += 1;
        }
      } finally {
        plan.free();
      }
    }
    assert.ok(compared >= 80, `${compared}`);
  });
}

const plan = {
  schemaVersion: 1,
  id: 'p',
  currency: 'USD',
  calendar: { yearStart: '2025-01-01', periodType: 'quarter' },
  payees: [{ id: 'ae', role: 'AE' }, { id: 'ae2', role: 'AE' }],
  measures: [{ id: 'b', kind: 'amount' }],
  quotas: [{ payee: 'ae', measure: 'b', annual: '400000' }, { payee: 'ae2', measure: 'b', annual: '400000' }],
  crediting: { rules: [{ type: 'split', id: 'own' }] },
  components: [
    {
      id: 'c', type: 'tiered', measure: 'b', basis: 'attainment', method: 'marginal',
      tiers: [{ from: '0', to: '1', rate: { percent: '5' } }, { from: '1', rate: { percent: '10' } }],
    },
  ],
};
const summary = { options: { detail: 'summary' } };

test('a hand-checked summary from a table, and rows pushed after an evaluation', () => {
  const compiled = compilePlan(plan);
  const table = TransactionTable.from([
    { id: 'a', owner: 'ae', amount: '60000.10', closeDate: '2025-01-10' },
    { id: 'b', owner: 'ae', amount: '50000.05', closeDate: '2025-02-10', product: 'X', type: 'new', region: null },
  ]);
  // a: 60,000.10 × 5% = 3,000.005 -> 3,000.00 (half-even); b: 39,999.90 × 5% + 10,000.15 × 10% = 3,000.01
  assert.equal(compiled.evaluateTable(table, 'Q1', summary).statements[0].payout, '6000.01');
  table.push({ id: 'c', owner: 'ae', amount: '0.09', closeDate: '2025-03-10' });
  // c: 0.09 × 10% = 0.009 -> 0.01
  assert.equal(compiled.evaluateTable(table, 'Q1', summary).statements[0].payout, '6000.02');
  assert.equal(table.rows.length, 3);
  compiled.free();
});

test('rows beyond the usual fields go whole: the same evaluation or error as the list', () => {
  const compiled = compilePlan(plan);
  const rows = [
    { id: 's', amount: '1000', closeDate: '2025-01-05', splits: [{ payee: 'ae', percent: '60' }, { payee: 'ae2', percent: '40' }] },
    { id: 'q', owner: 'ae', amount: '10', quantity: '2', closeDate: '2025-01-06', attributes: { tier: 'gold' } },
    { id: 'u', owner: 'ae2', amount: '5', closeDate: '2025-01-07', refundAmount: '1', cancellationDate: '2025-01-09' },
    { id: 'plain', owner: 'ae', amount: '7.5', closeDate: '2025-02-01' },
  ];
  const cases = [
    rows,
    [...rows, { id: 'n', owner: 'ae', amount: 12, closeDate: '2025-01-08' }], // a number amount
    [...rows, { id: 'x', owner: 'ae', amount: '1', closeDate: '2025-01-08', extra: true }], // unknown field
    [...rows, { id: 'd', owner: 'ae', amount: '1', closeDate: '2025-02-30' }], // no such date
    [...rows, { id: 'e', owner: 'ae', amount: '1e3', closeDate: '2025-01-08' }], // an exponent
    [...rows, { id: 'o', owner: 'ae', amount: '1', closeDate: new Date(Date.UTC(2025, 0, 8)) }], // a Date
    [...rows, Object.assign(Object.create({ owner: 'ae' }), { id: 'i', amount: '1', closeDate: '2025-01-08' })], // an inherited owner
    [...rows, { id: 'plain', owner: 'ae', amount: '2', closeDate: '2025-01-08' }], // a repeated id
  ];
  for (const [k, list] of cases.entries()) {
    for (const inputs of [summary, {}]) {
      const expected = outcome(() => compiled.evaluateJson(JSON.stringify({ ...inputs, transactions: list }), 'Q1'));
      const actual = outcome(() => compiled.evaluateTableJson(TransactionTable.from(list), 'Q1', inputs));
      assert.equal(actual, expected, `case ${k}`);
    }
  }
  // the split deal: 600 and 400 credited; the refund row counts too (5, cancelled later)
  const ev = compiled.evaluateTable(TransactionTable.from(rows), 'Q1', summary);
  assert.equal(ev.accounting.input.count, 4);
  assert.equal(ev.accounting.input.amounts.USD, '1022.50');
  compiled.free();
});

test('transactions in the table and in the inputs are refused', () => {
  const compiled = compilePlan(plan);
  const table = TransactionTable.from([{ id: 'a', owner: 'ae', amount: '1', closeDate: '2025-01-10' }]);
  assert.throws(
    () => compiled.evaluateTable(table, 'Q1', { transactions: [] }),
    (e) => e instanceof PayplanError && e.code === 'TRANSACTIONS_TWICE' && e.path === '/transactions',
  );
  compiled.free();
});

test('the compact form: twelve numbers a row, the rest as JSON with the ids and amounts end to end', () => {
  const none = 0xffffffff;
  const table = TransactionTable.from([
    { id: 'a', owner: 'ae', amount: '1.50', closeDate: '2025-01-10', product: 'P' },
    { id: 'b', amount: '2', quantity: '3' },
    { id: 'c', owner: 'ae', amount: '3', closeDate: '2025-01-10', currency: null },
    { id: 'dé😀', amount: '4', splits: [{ payee: 'ae', percent: '60' }, { payee: 'ae2', percent: '40.0' }] },
    { id: 'e', amount: '5', splits: [{ payee: 'ae', percent: 60 }] },
  ]);
  const { refs, text } = table.wire();
  const blank = [...Array(10).fill(none), 0, 0];
  assert.deepEqual(
    [...refs],
    [
      ...[0, none, 2, none, none, 1, none, none, none, none, 1, 4],
      ...blank,
      ...[0, none, none, none, none, 1, none, none, none, none, 1, 1],
      // (the id's length in UTF-16 code units: 'd', 'é', and the two halves of '😀')
      ...[none, none, none, none, none, none, none, none, none, none, 4, 1],
      ...blank,
    ],
  );
  assert.deepEqual(JSON.parse(text), {
    strings: ['ae', '2025-01-10', 'P', 'ae2'],
    ids: 'acdé😀',
    amounts: '1.5034',
    splits: [[3, 0, '60'], [3, 3, '40.0']],
    whole: [[1, { id: 'b', amount: '2', quantity: '3' }], [4, { id: 'e', amount: '5', splits: [{ payee: 'ae', percent: 60 }] }]],
  });
});

test('ids beyond ASCII read as the list reads them, and a surrogate pair cut in two falls back to the list', () => {
  const compiled = compilePlan(plan);
  const rows = (ids) =>
    ids.map((id, i) => ({ id, owner: 'ae', amount: `${1000 + i}.25`, closeDate: '2025-01-10', product: 'Platform' }));
  for (const ids of [
    ['é-1', '😀', 'x', 'ünï-çødé', '日本-2'],
    // (two ids with one half each of a surrogate pair: end to end they read as one character)
    ['\ud83d', '\ude00', 'y'],
  ]) {
    const list = rows(ids);
    // (the text the list is sent as: the other inputs, then the transactions)
    const expected = outcome(() => compiled.evaluateJson(JSON.stringify({ ...summary, transactions: list }), 'Q1'));
    assert.equal(outcome(() => compiled.evaluateTableJson(TransactionTable.from(list), 'Q1', summary)), expected, `${ids}`);
  }
  compiled.free();
});

test('a table read into the module once per plan: evaluated again, by another plan, for another period, after free() and after a push', () => {
  const a = compilePlan(plan);
  const b = compilePlan({ ...plan, components: [{ id: 'c', type: 'rate', measure: 'b', rate: { percent: '3' } }] });
  const list = [
    { id: 'x', owner: 'ae', amount: '150000.10', closeDate: '2025-01-10' },
    { id: 'y', owner: 'ae2', amount: '20000', closeDate: '2025-02-10' },
    { id: 'z', owner: 'ae', amount: '1000', closeDate: '2025-04-02' },
  ];
  const expected = (compiled, rows, period) =>
    compiled.evaluateJson(JSON.stringify({ ...summary, transactions: rows }), period);
  const table = TransactionTable.from(list);
  for (let i = 0; i < 3; i++) {
    assert.equal(a.evaluateTableJson(table, 'Q1', summary), expected(a, list, 'Q1'));
    assert.equal(b.evaluateTableJson(table, 'Q1', summary), expected(b, list, 'Q1'));
    assert.equal(a.evaluateTableJson(table, 'Q2', summary), expected(a, list, 'Q2'));
  }
  // b's 3% of 150,000.10 + 3% of 20,000: 4,500.00 (4,500.003) and 600.00
  assert.deepEqual(JSON.parse(b.evaluateTableJson(table, 'Q1', summary)).statements.map((s) => s.payout), ['4500.00', '600.00']);
  table.free();
  assert.equal(a.evaluateTableJson(table, 'Q1', summary), expected(a, list, 'Q1'));
  // a row pushed after evaluations: the next one reads the table again, with the new row
  const more = [...list, { id: 'w', owner: 'ae2', amount: '5000', closeDate: '2025-03-01' }];
  table.push(more[3]);
  assert.equal(a.evaluateTableJson(table, 'Q1', summary), expected(a, more, 'Q1'));
  assert.equal(b.evaluateTableJson(table, 'Q1', summary), expected(b, more, 'Q1'));
  // a plan freed leaves the others' copies alone
  b.free();
  assert.equal(a.evaluateTableJson(table, 'Q1', summary), expected(a, more, 'Q1'));
  // (`using` calls this; Node 20 has no `using` syntax in plain JavaScript)
  const scoped = TransactionTable.from(list);
  assert.equal(a.evaluateTableJson(scoped, 'Q1', summary), expected(a, list, 'Q1'));
  scoped[Symbol.dispose]();
  assert.equal(a.evaluateTableJson(scoped, 'Q1', summary), expected(a, list, 'Q1'));
  a.free();
});

test('one plan evaluates larger and smaller tables in turn, each as the list', () => {
  const a = compilePlan(plan);
  const rows = (n, tag) =>
    Array.from({ length: n }, (_, i) => ({
      id: `${tag}-${i}`,
      owner: i % 3 ? 'ae' : 'ae2',
      amount: `${(i * 7919) % 100000}.${String(i % 100).padStart(2, '0')}`,
      closeDate: `2025-0${1 + (i % 6)}-${String(1 + (i % 28)).padStart(2, '0')}`,
    }));
  const big = rows(3000, 'b');
  const small = rows(40, 's');
  const tables = new Map([[big, TransactionTable.from(big)], [small, TransactionTable.from(small)]]);
  for (const [list, period] of [[big, 'Q1'], [small, 'Q1'], [big, 'Q2'], [small, 'Q2'], [big, 'Q1']]) {
    const want = a.evaluateJson(JSON.stringify({ ...summary, transactions: list }), period);
    assert.equal(a.evaluateTableJson(tables.get(list), period, summary), want, `${list.length} rows, ${period}`);
  }
  a.free();
});
