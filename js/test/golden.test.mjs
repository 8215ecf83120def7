// The golden vectors through the built package's ES module entry for Node: every evaluation must
// be byte-identical to the native crate's output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePlan, PayplanError } from '../dist/node.mjs';
import { runOperationJson } from '../dist/operations.node.mjs';
import { loadVectors } from './vectors.mjs';

const vectors = loadVectors();

test('there are golden vectors', () => assert.ok(vectors.length >= 40, `${vectors.length} vectors`));

for (const v of vectors) {
  test(`golden ${v.name} (ESM)`, () => {
    if (v.op) {
      assert.equal(runOperationJson(v.op, v.requestJson), v.golden);
      return;
    }
    if (v.expectError) {
      assert.throws(
        () => {
          const plan = compilePlan(v.planJson);
          try {
            plan.evaluateJson(v.inputsJson, v.period);
          } finally {
            plan.free();
          }
        },
        (e) => e instanceof PayplanError && e.code === v.expectError.code && (v.expectError.path === undefined || e.path === v.expectError.path),
      );
      return;
    }
    const plan = compilePlan(v.planJson);
    try {
      assert.equal(plan.evaluateJson(v.inputsJson, v.period), v.golden);
    } finally {
      plan.free();
    }
  });
}
