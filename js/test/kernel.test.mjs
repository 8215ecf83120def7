// The Node entries load payplan_node_bg.wasm, which evaluates summaries through the batch kernel
// (src/engine/batch.rs); browsers and `payplan/inline` load payplan_bg.wasm, without it. Both must
// write the very same bytes: every golden vector in every period as a summary, and the
// benchmark's generated data, through both modules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compilePlan as nodeCompile } from '../dist/node.mjs';
import { compilePlan as inlineCompile } from '../dist/inline.mjs';
import { benchPlan, aeIds, generateTransactions } from '../bench/baselines.mjs';
import { loadVectors } from './vectors.mjs';

const summary = (inputsJson) => {
  const inputs = JSON.parse(inputsJson);
  inputs.options = { ...(inputs.options ?? {}), detail: 'summary' };
  return JSON.stringify(inputs);
};

/** The evaluation (or the error code) of `inputs` through one module. */
function run(compile, planJson, inputsJson, period) {
  let plan;
  try {
    plan = compile(planJson);
    return plan.evaluateJson(inputsJson, period);
  } catch (e) {
    return `error ${e.code}: ${e.message}`;
  } finally {
    plan?.free();
  }
}

test('the two modules are different files', () => {
  const dist = new URL('../dist/', import.meta.url);
  const a = readFileSync(new URL('payplan_bg.wasm', dist));
  const b = readFileSync(new URL('payplan_node_bg.wasm', dist));
  assert.notEqual(a.length, b.length, 'payplan_node_bg.wasm carries the kernel');
});

test('every golden vector, every period, as a summary: the same bytes with and without the kernel', () => {
  let compared = 0;
  for (const v of loadVectors()) {
    if (v.op || v.expectError) continue;
    const inputs = summary(v.inputsJson);
    for (const period of ['Q1', 'Q2', 'Q3', 'Q4', v.period]) {
      const a = run(nodeCompile, v.planJson, inputs, period);
      const b = run(inlineCompile, v.planJson, inputs, period);
      assert.equal(a, b, `${v.name} ${period}`);
      if (!a.startsWith('error')) compared += 1;
    }
  }
  assert.ok(compared >= 200, `${compared} evaluations compared`);
});

test("the benchmark's generated data: the same bytes with and without the kernel", () => {
  const sample = JSON.parse(readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8'));
  const payees = 20;
  const planJson = JSON.stringify(benchPlan(sample, payees));
  const transactions = generateTransactions({ count: payees * 100, owners: aeIds(payees), days: 90, cancelEvery: 0 });
  const inputs = JSON.stringify({ transactions, options: { detail: 'summary' } });
  const a = run(nodeCompile, planJson, inputs, 'Q1');
  const b = run(inlineCompile, planJson, inputs, 'Q1');
  assert.ok(a.startsWith('{'), a.slice(0, 200));
  assert.equal(a, b);
  // 21 statements (20 AEs and their manager), each with a payout
  assert.equal(JSON.parse(a).statements.length, payees + 1);
});
