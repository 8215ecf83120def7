// The bad-input table (tests/data/bad-inputs.json, docs/bad-inputs.md) through the built package:
// every row gives its typed PayplanError (code and JSON pointer), rejected transaction or warning,
// and after each row the same WebAssembly instance still compiles and evaluates the sample plan
// (a panic inside WebAssembly would leave the instance unusable).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compilePlan, PayplanError, validatePlan } from '../dist/node.mjs';
import { runOperationJson } from '../dist/operations.node.mjs';

const read = (p) => readFileSync(new URL(p, import.meta.url), 'utf8');
const samplePlan = read('../../examples/plans/account-executive.json');
const { rows } = JSON.parse(read('../../tests/data/bad-inputs.json'));
const deals = JSON.stringify({
  transactions: [
    { id: 'D-1', owner: 'ae-ana', amount: '150000', closeDate: '2025-01-20', product: 'Platform', type: 'new' },
    { id: 'D-2', owner: 'ae-ana', amount: '100000', closeDate: '2025-02-20', product: 'Platform', type: 'renewal' },
  ],
});

// RFC 7386 merge patch, as tests/common/mod.rs applies it
function mergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function doc(spec) {
  if (typeof spec === 'string') return spec;
  if ('json' in spec) return JSON.stringify(spec.json);
  if ('sample' in spec) return JSON.stringify(mergePatch(JSON.parse(samplePlan), spec.sample));
  if ('repeat' in spec) {
    const [prefix, unit, times, suffix] = spec.repeat;
    return prefix + unit.repeat(times) + suffix;
  }
  throw new Error(`bad document spec ${JSON.stringify(spec)}`);
}

function errorOutcome(e) {
  // (payplan/operations is a separate bundle with its own PayplanError class)
  assert.ok(e instanceof PayplanError || e?.name === 'PayplanError', `a PayplanError, not ${e}`);
  assert.equal(typeof e.code, 'string');
  const out = { kind: 'error', code: e.code, path: e.path };
  const first = (e.details.diagnostics ?? []).find((d) => d.severity === 'error');
  if (first) out.diagnostic = first.code;
  return out;
}

function outcome(row) {
  switch (row.call) {
    case 'compile': {
      let plan;
      try {
        plan = compilePlan(doc(row.plan));
      } catch (e) {
        return errorOutcome(e);
      }
      try {
        if (row.inputs === undefined && row.period === undefined) {
          const w = plan.warnings[0];
          return { kind: 'warning', code: w.code, path: w.path };
        }
        let evaluation;
        try {
          evaluation = plan.evaluate(row.inputs === undefined ? '{}' : doc(row.inputs), row.period ?? 'Q1');
        } catch (e) {
          return errorOutcome(e);
        }
        const r = evaluation.rejected[0];
        return { kind: 'rejected', code: r.code, path: r.path };
      } finally {
        plan.free();
      }
    }
    case 'validate': {
      const first = validatePlan(doc(row.plan)).find((d) => d.severity === 'error');
      return { kind: 'error', code: first.code, path: first.path };
    }
    case 'operation':
      try {
        runOperationJson(row.op, doc(row.request));
      } catch (e) {
        return errorOutcome(e);
      }
      return { kind: 'ok' };
    default:
      throw new Error(`unknown call ${row.call}`);
  }
}

function stillWorks() {
  const plan = compilePlan(samplePlan);
  try {
    const ana = plan.evaluate(deals, 'Q1').statements.find((s) => s.payee === 'ae-ana');
    assert.equal(ana.payout, '22500.00');
  } finally {
    plan.free();
  }
  const design = JSON.parse(runOperationJson('designPlan', '{"base": "90000", "targetIncentive": "60000", "quota": "900000"}'));
  assert.equal(design.onTargetEarnings, '150000');
}

for (const row of rows) {
  test(`bad input: ${row.name}`, () => {
    const want = { path: null, ...row.expect };
    assert.deepEqual(outcome(row), want);
    stillWorks();
  });
}

test('the table has rows', () => assert.ok(rows.length >= 40));
