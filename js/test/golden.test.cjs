// The golden vectors through the built package's CommonJS entry: byte-identical to native.
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { compilePlan, PayplanError } = require('../dist/node.cjs');
const { runOperationJson } = require('../dist/operations.node.cjs');

test('golden vectors (CommonJS)', async () => {
  const { loadVectors } = await import('./vectors.mjs');
  const vectors = loadVectors();
  assert.ok(vectors.length >= 40);
  for (const v of vectors) {
    if (v.op) {
      assert.equal(runOperationJson(v.op, v.requestJson), v.golden, v.name);
      continue;
    }
    let out;
    try {
      const plan = compilePlan(v.planJson);
      try {
        out = plan.evaluateJson(v.inputsJson, v.period);
      } finally {
        plan.free();
      }
    } catch (e) {
      assert.ok(e instanceof PayplanError, `${v.name}: ${e}`);
      assert.ok(v.expectError, `${v.name}: unexpected ${e.code}: ${e.message}`);
      assert.equal(e.code, v.expectError.code, v.name);
      continue;
    }
    assert.equal(v.expectError, null, `${v.name}: expected an error`);
    assert.equal(out, v.golden, v.name);
  }
});
