// Memory stays flat over thousands of compile + evaluate + free cycles (including failing
// evaluations and invalid plans, whose error paths allocate too).
//
// What is measured: the WebAssembly linear memory (exact: its byte length only ever grows, so a leak
// inside the module shows as growth; reached by observing `WebAssembly.Instance` while dist/node.mjs
// instantiates, nothing in the package is changed), the JS heap after a full gc, and
// process.memoryUsage().arrayBuffers and rss (printed; V8 does not count wasm memory in arrayBuffers,
// and rss moves by several MB with the JIT and GC, so it only gets a coarse bound).
//
// Needs `node --expose-gc`; under plain `node --test` this file re-runs itself with that flag as a
// child process and asserts that it passed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;
const ROUNDS = 3;
const PER_ROUND = 2000;
// bounds on growth between the end of round 2 and the end of round 3 (after warm-up)
const MAX_WASM_GROWTH = 1 * MiB;
const MAX_HEAP_GROWTH = 5 * MiB;
const MAX_ARRAY_BUFFERS_GROWTH = 5 * MiB;
const MAX_RSS_GROWTH = 32 * MiB;

if (typeof globalThis.gc !== 'function') {
  test('memory (re-run with --expose-gc)', { timeout: 180_000 }, (t) => {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
      encoding: 'utf8',
      timeout: 170_000,
      env: { ...process.env, NODE_TEST_CONTEXT: undefined },
    });
    for (const line of `${child.stdout}`.split('\n')) if (/^# (wasm|round|leak|figures)|^not ok|^ok/.test(line)) t.diagnostic(line.replace(/^# /, ''));
    assert.equal(child.error, undefined, `the child process failed to run: ${child.error}`);
    assert.equal(child.status, 0, `node --expose-gc ${fileURLToPath(import.meta.url)} failed:\n${child.stdout}\n${child.stderr}`);
  });
} else {
  // observe the module's instance to read its linear memory
  let wasmMemory = null;
  const OriginalInstance = WebAssembly.Instance;
  WebAssembly.Instance = new Proxy(OriginalInstance, {
    construct(target, args, newTarget) {
      const instance = Reflect.construct(target, args, newTarget);
      if (instance.exports.memory instanceof WebAssembly.Memory) wasmMemory = instance.exports.memory;
      return instance;
    },
  });
  let api;
  try {
    api = await import('../dist/node.mjs');
  } finally {
    WebAssembly.Instance = OriginalInstance;
  }
  const { compilePlan, PayplanError } = api;
  assert.ok(wasmMemory, 'could not observe the WebAssembly memory of dist/node.mjs');

  const planJson = readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8');
  const invalidPlan = JSON.parse(planJson);
  invalidPlan.components[0].tiers[1].from = '1.2';
  const invalidPlanJson = JSON.stringify(invalidPlan);

  // deterministic generated deals: owners, amounts with cents, dates across the year, products, types
  const OWNERS = ['ae-ana', 'ae-ben', 'ae-chen', 'mgr-maya'];
  function inputsOf(n, seed) {
    let x = seed >>> 0 || 1;
    const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const transactions = [];
    for (let i = 0; i < n; i++) {
      const month = 1 + Math.floor(rnd() * 6);
      const day = 1 + Math.floor(rnd() * 28);
      transactions.push({
        id: `G-${seed}-${i}`,
        owner: OWNERS[Math.floor(rnd() * 3)],
        amount: `${1000 + Math.floor(rnd() * 90000)}.${String(Math.floor(rnd() * 100)).padStart(2, '0')}`,
        closeDate: `2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        product: rnd() < 0.6 ? 'Platform' : 'Services',
        type: rnd() < 0.5 ? 'new' : 'renewal',
      });
    }
    return JSON.stringify({ transactions });
  }
  // a mix of sizes, up to a few hundred transactions; Q1 and Q2 (Q2 replays Q1 too)
  const CASES = [
    ...[5, 10, 20, 40, 80].flatMap((n, k) => [
      { inputs: inputsOf(n, 100 + k), period: 'Q1' },
      { inputs: inputsOf(n, 200 + k), period: 'Q2' },
    ]),
    { inputs: inputsOf(300, 300), period: 'Q1' },
  ];
  const badInputs = JSON.stringify({ transactions: [{ id: 'X', owner: 'ae-ana', amount: 150000, closeDate: '2025-01-20' }] });

  // the reference output of each case, from a plan that is then freed
  const expected = CASES.map(({ inputs, period }) => {
    const plan = compilePlan(planJson);
    try {
      return plan.evaluateJson(inputs, period);
    } finally {
      plan.free();
    }
  });

  async function fullGc() {
    for (let i = 0; i < 3; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve)); // let FinalizationRegistry callbacks run
    }
  }

  async function snapshot() {
    await fullGc();
    const m = process.memoryUsage();
    return { wasm: wasmMemory.buffer.byteLength, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss };
  }

  const fmt = (b) => `${(b / MiB).toFixed(2)} MiB`;
  const fmtDelta = (b) => `${b >= 0 ? '+' : ''}${(b / MiB).toFixed(2)} MiB`;
  const show = (s) => `wasm ${fmt(s.wasm)}, heapUsed ${fmt(s.heapUsed)}, arrayBuffers ${fmt(s.arrayBuffers)}, rss ${fmt(s.rss)}`;

  function round() {
    let evaluations = 0;
    let errors = 0;
    for (let i = 0; i < PER_ROUND; i++) {
      const c = i % CASES.length;
      const plan = compilePlan(planJson);
      try {
        const out = plan.evaluateJson(CASES[c].inputs, CASES[c].period);
        if (out !== expected[c]) assert.fail(`iteration ${i}: the output of case ${c} changed`);
        evaluations++;
        if (i % 50 === 0) {
          // an error path: a JS number where money is expected, then the same plan still works
          assert.throws(() => plan.evaluateJson(badInputs, 'Q1'), (e) => e instanceof PayplanError && e.code === 'PARSE_ERROR');
          assert.throws(() => plan.evaluateJson(CASES[c].inputs, 'Q9'), (e) => e instanceof PayplanError && e.code === 'UNKNOWN_PERIOD');
          errors += 2;
        }
      } finally {
        plan.free();
      }
      if (i % 100 === 0) {
        assert.throws(() => compilePlan(invalidPlanJson), (e) => e instanceof PayplanError && e.code === 'INVALID_PLAN');
        errors++;
      }
    }
    return { evaluations, errors };
  }

  test(`memory stays flat over ${ROUNDS} rounds of ${PER_ROUND} compile + evaluate + free`, { timeout: 170_000 }, async () => {
    const start = await snapshot();
    console.log(`# figures: start: ${show(start)}`);
    const snaps = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const t0 = performance.now();
      const { evaluations, errors } = round();
      const s = await snapshot();
      snaps.push(s);
      console.log(`# round ${r}: ${evaluations} evaluations, ${errors} errors in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${show(s)}`);
    }
    const [, r2, r3] = snaps;
    const growth = {
      wasm: r3.wasm - r2.wasm,
      heapUsed: r3.heapUsed - r2.heapUsed,
      arrayBuffers: r3.arrayBuffers - r2.arrayBuffers,
      rss: r3.rss - r2.rss,
    };
    console.log(
      `# figures: growth round 2 -> 3: wasm ${fmtDelta(growth.wasm)} (bound ${fmt(MAX_WASM_GROWTH)}), heapUsed ${fmtDelta(growth.heapUsed)} (bound ${fmt(MAX_HEAP_GROWTH)}), ` +
        `arrayBuffers ${fmtDelta(growth.arrayBuffers)} (bound ${fmt(MAX_ARRAY_BUFFERS_GROWTH)}), rss ${fmtDelta(growth.rss)} (bound ${fmt(MAX_RSS_GROWTH)})`,
    );
    assert.ok(growth.wasm < MAX_WASM_GROWTH, `WebAssembly memory grew by ${fmtDelta(growth.wasm)} after warm-up`);
    assert.ok(growth.heapUsed < MAX_HEAP_GROWTH, `the JS heap grew by ${fmtDelta(growth.heapUsed)} after warm-up`);
    assert.ok(growth.arrayBuffers < MAX_ARRAY_BUFFERS_GROWTH, `arrayBuffers grew by ${fmtDelta(growth.arrayBuffers)} after warm-up`);
    assert.ok(growth.rss < MAX_RSS_GROWTH, `rss grew by ${fmtDelta(growth.rss)} after warm-up`);
    // the whole run stays small: the module never needed much beyond its warm-up size
    assert.ok(r3.wasm - start.wasm < 8 * MiB, `WebAssembly memory grew by ${fmtDelta(r3.wasm - start.wasm)} in all`);
  });

  test('the measure sees a leak: plans kept without free() grow the WebAssembly memory, free() makes it reusable', { timeout: 60_000 }, async () => {
    const before = await snapshot();
    const kept = [];
    for (let i = 0; i < 1500; i++) kept.push(compilePlan(planJson));
    const held = await snapshot();
    const perPlan = (held.wasm - before.wasm) / kept.length;
    console.log(`# leak check: 1500 plans kept alive: wasm ${fmt(before.wasm)} -> ${fmt(held.wasm)} (~${Math.round(perPlan)} B per compiled plan)`);
    assert.ok(held.wasm - before.wasm >= 1 * MiB, `keeping 1500 compiled plans grew the wasm memory by only ${fmtDelta(held.wasm - before.wasm)}`);
    for (const p of kept) p.free();
    kept.length = 0;
    // the freed space is reused: the same again does not grow the memory further
    for (let i = 0; i < 1500; i++) kept.push(compilePlan(planJson));
    for (const p of kept) p.free();
    const again = await snapshot();
    console.log(`# leak check: after free() and the same again: wasm ${fmt(again.wasm)}`);
    assert.ok(again.wasm - held.wasm < MAX_WASM_GROWTH, `freed plans' memory was not reused: ${fmt(held.wasm)} -> ${fmt(again.wasm)}`);
  });
}
