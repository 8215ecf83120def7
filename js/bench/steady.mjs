// A steady loop of one evaluation: the benchmark plan (as in throughput.mjs) over generated
// transactions held in a `TransactionTable`, evaluated again and again as a summary
// (`evaluateTableJson`), in one process. What it measures is the package's own time per call once
// V8 has compiled the module's hot functions, without the baselines, garbage collections forced
// between samples or batches: the figure to compare two builds of the module by, alternating them
// (copy each build's payplan_node_bg.wasm into dist/ in turn).
//
//   node bench/steady.mjs [transactions] [calls]      # defaults: 1000 3000
//
// Prints one line of JSON: the transactions, the fastest and the median call in milliseconds,
// and the length of the evaluation's text (the same for two builds that agree).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { compilePlan, TransactionTable } from '../dist/node.mjs';
import { aeIds, benchPlan, generateTransactions } from './baselines.mjs';

const size = Number(process.argv[2] ?? 1000);
const calls = Number(process.argv[3] ?? 3000);
const sample = JSON.parse(readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8'));
const payees = Math.max(1, Math.ceil(size / 100));
const compiled = compilePlan(benchPlan(sample, payees));
const table = TransactionTable.from(generateTransactions({ count: size, owners: aeIds(payees), days: 90, cancelEvery: 0 }));
const summary = { options: { detail: 'summary' } };
let out = '';
// (warm-up: the table is read into the module on its first evaluation, and V8 tiers up the rest)
for (let i = 0; i < 20; i++) out = compiled.evaluateTableJson(table, 'Q1', summary);
const times = [];
for (let i = 0; i < calls; i++) {
  const t = performance.now();
  out = compiled.evaluateTableJson(table, 'Q1', summary);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
table.free();
compiled.free();
console.log(JSON.stringify({ transactions: size, minMs: Number(times[0].toFixed(4)), medianMs: Number(times[times.length >> 1].toFixed(4)), length: out.length }));
