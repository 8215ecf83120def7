// JavaScript batch throughput (issue 6): the WebAssembly package against two hand-written
// baselines for the same plan, in the same process, on the same generated data.
//
//   ./scripts/build-wasm.sh                       # once: builds js/dist
//   node js/bench/throughput.mjs                  # 1,000, 100,000 and 1,000,000 transactions
//   node js/bench/throughput.mjs --quick          # 1,000 and 10,000 (a few seconds)
//   node js/bench/throughput.mjs 5000 20000       # any sizes
//   node js/bench/throughput.mjs --per-payee=10   # transactions per payee (default 100)
//   node js/bench/throughput.mjs --full-max=N     # full-detail rows up to N transactions (200,000)
//   node js/bench/throughput.mjs --warm-ms=N      # warm-up per implementation (1,000 ms)
//   node js/bench/throughput.mjs --sample-ms=N    # shortest timed sample (20 ms; 0: one call each)
//
// The plan is the sample plan widened as examples/bench_native.rs does: `size / per-payee` AEs
// under one manager (marginal tiers on attainment with accelerators above quota, a period cap with
// carry-forward, a SPIFF on new Platform deals, a split rule and a manager roll-up with a 1%
// override). The transactions come from a port of the crate's generator (bench/baselines.mjs), Q1,
// 10% of them split 50/50. Every implementation gets the same transaction objects (amounts as
// decimal strings); the package's JSON-string row gets them already serialized.
//
// Rows: the package with JSON text in and out (`evaluateJson`), the package with objects in and
// out (`evaluate`: JSON.stringify + evaluateJson + JSON.parse), summaries (JSON text; a
// `TransactionTable` built beforehand; a table built from the objects in the run), decimal.js,
// plain numbers. Each
// baseline statement's payout is compared with the package's (byte-identical to the native
// crate's): decimal.js must differ on none; the float version's differences are counted.
//
// Timing: every implementation is warmed up on 1,000 transactions first, for about a second each
// (--warm-ms=N to change it; see the warm-up below); then each size is timed in samples of at
// least 20 ms (a batch of calls where one call is shorter, see `measure`), at least four times
// and until about 2 s have passed (at most 15 samples); the table shows the median time per call
// of the samples after the first call, and the first call apart. Prints the machine, then one
// Markdown table (the one in BENCHMARKS.md).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compilePlan, TransactionTable } from '../dist/node.mjs';
import {
  aeIds,
  benchPlan,
  evaluateDecimal,
  evaluateFloat,
  generateTransactions,
  payoutDifferences,
  payLineDifferences,
} from './baselines.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const perPayee = Number(args.find((a) => a.startsWith('--per-payee='))?.split('=')[1] ?? 100);
const given = args.filter((a) => /^\d+$/.test(a)).map(Number);
const sizes = given.length ? given : quick ? [1_000, 10_000] : [1_000, 100_000, 1_000_000];
const budgetMs = 2_000;
// (the shortest sample: see `measure`; --sample-ms=0 times every call alone, as before 2026-12-07)
const minSampleMs = Number(args.find((a) => a.startsWith('--sample-ms='))?.split('=')[1] ?? 20);
// Above this many transactions the full-detail rows are left out: their JSON (about 1 KB a
// transaction, 1 GB at 1,000,000) is beyond the longest string V8 makes (2^29 - 24 characters).
// The summary is then the reference of the baselines' payouts (it has no pay lines to compare).
const fullMax = Number(args.find((a) => a.startsWith('--full-max='))?.split('=')[1] ?? 200_000);

const sample = JSON.parse(readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8'));

function dataset(size) {
  const payees = Math.max(1, Math.ceil(size / perPayee));
  const plan = benchPlan(sample, payees);
  const transactions = generateTransactions({ count: size, owners: aeIds(payees), days: 90, cancelEvery: 0 });
  return { payees, plan, transactions };
}

const gc = () => globalThis.gc?.();

/**
 * Wall times of `fn`, per call: the first call alone, and the median of the samples after it (at
 * least three more, until about `budgetMs` have passed, at most 15 samples in all). The first call
 * of the package at a larger size than before grows the WebAssembly memory, which costs much more
 * than the evaluation itself (see BENCHMARKS.md): it is shown apart, not in the median.
 *
 * A sample is a batch of calls that takes at least `minSampleMs` (as many calls as the first one
 * says), timed together and divided by their number; garbage is collected before each sample,
 * not inside it. A single call of well under a millisecond, timed alone right after a forced
 * collection, measured the caches that collection had just emptied and the timer's resolution
 * more than the call: at 1,000 transactions such single calls of the package took 0.5–1.1 ms
 * where back-to-back calls took 0.33–0.36 ms. In a batch, a baseline also pays for collecting the
 * garbage it makes, as it would in a service running it again and again.
 */
function measure(fn) {
  const times = [];
  let result;
  let spent = 0;
  let batch = 1;
  // (three samples after the first at least: at 1,000,000 transactions a call takes longer than
  // the budget, and a single sample was as much the state of the module's memory as the call — the
  // package's second call there took 0.4 to 1.3 s, as its buffers landed in memory used before
  // or in memory the module had to grow, at about 0.8 ms per MB touched for the first time)
  while (times.length < 4 || (spent < budgetMs && times.length < 15)) {
    gc();
    const t0 = performance.now();
    for (let k = 0; k < batch; k++) result = fn();
    const ms = performance.now() - t0;
    times.push(ms / batch);
    spent += ms;
    if (times.length === 1) batch = Math.max(1, Math.ceil(minSampleMs / Math.max(ms, 0.001)));
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  return { first: times[0] / 1000, seconds: rest[Math.floor(rest.length / 2)] / 1000, runs: rest.length, batch, result };
}

function implementations(plan, transactions, full = true) {
  const compiled = compilePlan(plan);
  const inputs = { transactions };
  const inputsJson = full ? JSON.stringify(inputs) : '';
  const summaryJson = JSON.stringify({ transactions, options: { detail: 'summary' } });
  const summary = { options: { detail: 'summary' } };
  const table = TransactionTable.from(transactions);
  return {
    compiled,
    impls: [
      ...(full
        ? [
            { name: 'payplan (WebAssembly) `evaluateJson`: JSON text in and out', key: 'json', run: () => compiled.evaluateJson(inputsJson, 'Q1') },
            { name: 'payplan (WebAssembly) `evaluate`: objects in and out', key: 'object', run: () => compiled.evaluate(inputs, 'Q1') },
          ]
        : []),
      { name: 'payplan (WebAssembly) `evaluateJson`, `detail: "summary"` (same figures, no per-line detail)', key: 'summary', run: () => compiled.evaluateJson(summaryJson, 'Q1') },
      {
        name: 'payplan (WebAssembly) `evaluateTableJson`, summary, of a `TransactionTable` built beforehand (read into the module on the first run, evaluated in place after)',
        key: 'table',
        run: () => compiled.evaluateTableJson(table, 'Q1', summary),
      },
      {
        name: 'payplan (WebAssembly) `TransactionTable.from(objects)` + `evaluateTableJson`, summary (the table built in every run)',
        key: 'tableBuild',
        run: () => {
          // (freed at once, as a table built for one evaluation should be: its copy in the module
          // would otherwise wait for garbage collection)
          const built = TransactionTable.from(transactions);
          try {
            return compiled.evaluateTableJson(built, 'Q1', summary);
          } finally {
            built.free();
          }
        },
      },
      { name: 'hand-written JavaScript, decimal.js', key: 'decimal', run: () => evaluateDecimal(plan, transactions) },
      { name: 'hand-written JavaScript, numbers (floats)', key: 'float', run: () => evaluateFloat(plan, transactions) },
    ],
  };
}

// Warm-up: every implementation runs on 1,000 transactions for about `warmMs` (at least 3 runs),
// so that each cell measures steady-state code. V8 first runs WebAssembly through its baseline
// compiler (Liftoff) and optimizes hot functions in the background (TurboFan); after a single
// warm-up run the package's first dozen runs at 10,000 transactions were 24 ms down to 5.3 ms while
// it tiered up, which the median then included. JavaScript's JIT warms up the same way.
const warmMs = Number(args.find((a) => a.startsWith('--warm-ms='))?.split('=')[1] ?? 1_000);
{
  const { plan, transactions } = dataset(1_000);
  const { compiled, impls } = implementations(plan, transactions);
  for (const i of impls) {
    const until = performance.now() + warmMs;
    for (let n = 0; n < 3 || performance.now() < until; n++) i.run();
  }
  compiled.free();
}

const cpuModel = (() => {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  } catch {
    return cpus()[0]?.model;
  }
})();
console.log(`machine: ${cpus().length} cores (${cpuModel}), Node ${process.version}, ${process.platform}/${process.arch}`);
console.log(`plan: the sample plan widened to size/${perPayee} AEs under one manager; Q1; medians over repeated runs (about ${budgetMs / 1000} s per cell)`);
console.log();

const fmtInt = (n) => n.toLocaleString('en-US');
const fmtSec = (s) => (s < 0.001 ? s.toFixed(5) : s < 0.01 ? s.toFixed(4) : s < 1 ? s.toFixed(3) : s.toFixed(2));
const fmtRatio = (r) => (r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)) + '×';
const rows = [];
const notes = [];

for (const size of sizes) {
  const { payees, plan, transactions } = dataset(size);
  const full = size <= fullMax;
  const { compiled, impls } = implementations(plan, transactions, full);
  const results = {};
  for (const impl of impls) {
    gc();
    try {
      results[impl.key] = measure(impl.run);
    } catch (e) {
      results[impl.key] = { error: e };
      notes.push(`${fmtInt(size)} transactions, ${impl.name}: failed: ${e.code ?? e.name}: ${e.message}`);
    }
    if (impl.key === 'json' && results.json.result !== undefined) {
      // the reference statements, parsed once
      try {
        results.engine = JSON.parse(results.json.result);
      } catch (e) {
        notes.push(`${fmtInt(size)} transactions: the engine's output could not be parsed: ${e.message}`);
      }
      results.json.result = undefined;
    }
    if (impl.key === 'object' && results.object.result !== undefined) {
      results.engine ??= results.object.result;
      results.object.result = undefined;
    }
    if (impl.key === 'summary' && !full && typeof results.summary.result === 'string') {
      // (no full-detail run at this size: the summary is the reference)
      results.engine = JSON.parse(results.summary.result);
      results.summary.result = undefined;
    }
  }
  if (!full) {
    notes.push(`${fmtInt(size)} transactions: no full-detail rows above ${fmtInt(fullMax)} transactions (--full-max; their JSON, about 1 KB a transaction, is beyond the longest string V8 makes at 1,000,000); the baselines' payouts are compared with the summary's, their pay lines with nothing`);
  }
  compiled.free();
  const engine = results.engine;
  const creditLines = engine && full
    ? engine.statements.reduce((a, s) => a + s.credits.length, 0)
    : results.decimal.result.statements.reduce((a, s) => a + s.credits, 0);
  const dec = results.decimal.seconds;
  const flt = results.float.seconds;
  for (const impl of impls) {
    const r = results[impl.key];
    if (r.error) {
      rows.push([impl.name, fmtInt(size), fmtInt(payees), fmtInt(creditLines), 'failed', '', '', '', '', '', '']);
      continue;
    }
    let stmts = 'reference';
    let lines = 'reference';
    if (impl.key === 'summary' && !full) {
      stmts = 'reference';
      lines = 'not written';
    } else if (['summary', 'table', 'tableBuild'].includes(impl.key) && engine && typeof r.result === 'string') {
      const d = payoutDifferences(engine.statements, JSON.parse(r.result).statements);
      stmts = `${fmtInt(d.count)} of ${fmtInt(engine.statements.length)}`;
      lines = 'not written';
      r.result = undefined;
    }
    if (impl.key === 'decimal' || impl.key === 'float') {
      if (engine) {
        const d = payoutDifferences(engine.statements, r.result.statements);
        stmts = `${fmtInt(d.count)} of ${fmtInt(engine.statements.length)}`;
        if (full) {
          const l = payLineDifferences(engine.statements, r.result.statements);
          lines = `${fmtInt(l.count)} of ${fmtInt(l.total)}`;
        } else {
          lines = 'not compared';
        }
        for (const x of d.examples.slice(0, 2)) {
          notes.push(`${fmtInt(size)} transactions, ${impl.name}: ${x.payee} payout ${x.baseline}, engine ${x.engine}`);
        }
      } else {
        stmts = lines = 'no engine result';
      }
      r.result = undefined;
    }
    rows.push([
      impl.name,
      fmtInt(size),
      fmtInt(payees),
      fmtInt(creditLines),
      fmtSec(r.seconds) + ` (${r.runs} × ${r.batch})`,
      fmtSec(r.first),
      fmtInt(Math.round(creditLines / r.seconds)),
      fmtRatio(dec / r.seconds),
      fmtRatio(flt / r.seconds),
      stmts,
      lines,
    ]);
  }
  process.stderr.write(`done: ${fmtInt(size)} transactions\n`);
}

const header = [
  'implementation',
  'transactions',
  'AEs',
  'credit lines',
  'seconds per call (median; samples × calls)',
  'first call (s)',
  'credit lines/s',
  'speed vs decimal.js',
  'speed vs floats',
  'statements ≠ engine (payout)',
  'pay lines ≠ engine',
];
const table = [header, header.map(() => '---'), ...rows];
for (const r of table) console.log(`| ${r.join(' | ')} |`);
if (notes.length) {
  console.log();
  for (const n of notes) console.log(`- ${n}`);
}
