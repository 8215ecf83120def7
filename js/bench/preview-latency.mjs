// Preview latency from JavaScript on a live session of N transactions (issue 6).
//
//   node js/bench/preview-latency.mjs [transactions=10000] [calls=20000]
//
// The sample plan; one account executive with N deals spread over Q1 (deterministic). Each call
// previews the deal being edited with a new amount, as a CRM page does on every keystroke:
// - "closing today": the deal's close date is after every other deal of the period;
// - "back-dated (mid-period)": the deal's close date is in the middle of the period (the lines after
//   it move, within the top band);
// - "back-dated (start of quarter)": before the quota is reached (the lines after it move across the
//   band bounds).
// Prints median and 99th percentile per call for the keystroke path (`edit` once, then
// `previewAmountText` / `previewAmount` with the amount alone), the JSON-text call (`previewJson`)
// and the object call (`preview`, which adds JSON.stringify and JSON.parse).
// PREVIEW_ONLY=closing skips the back-dated rows.
import { readFileSync } from 'node:fs';
import { compilePlan, parseDealPreview } from '../dist/preview.node.mjs';

const n = Number(process.argv[2] ?? 10_000);
const calls = Number(process.argv[3] ?? 20_000);
const plan = JSON.parse(readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8'));

// SplitMix64, as in the crate's sample generator
let state = 0x5eedn;
function next() {
  state = (state + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = state;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return z ^ (z >> 31n);
}
const below = (k) => Number(next() % BigInt(k));
const day = (d) => new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10);
const transactions = [];
for (let i = 0; i < n; i++) {
  transactions.push({
    id: `T${String(i).padStart(6, '0')}`,
    owner: 'ae-ana',
    amount: `${20 + below(400)}.${String(below(100)).padStart(2, '0')}`,
    closeDate: day(below(88)),
    product: below(3) === 0 ? 'Platform' : 'Services',
    type: below(2) === 0 ? 'new' : 'renewal',
  });
}

const compiled = compilePlan(plan);
const t0 = process.hrtime.bigint();
const session = compiled.openSession({ transactions }, 'ae-ana', 'Q1');
const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
const summary = session.summary();

function measure(label, closeDate, viaObject) {
  const times = new Float64Array(calls);
  let last;
  for (let i = -2000; i < calls; i++) {
    const deal = { id: 'EDITED', owner: 'ae-ana', amount: `${1000 + (i & 1023)}.50`, closeDate, product: 'Platform', type: 'new' };
    const s = process.hrtime.bigint();
    last = viaObject ? session.preview(deal) : session.previewJson(JSON.stringify(deal));
    const e = process.hrtime.bigint();
    if (i >= 0) times[i] = Number(e - s) / 1000;
  }
  times.sort();
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const mode = (typeof last === 'string' ? JSON.parse(last) : last).mode;
  return { label, call: viaObject ? 'preview(object)' : 'previewJson(text)', mode, median: q(0.5), p99: q(0.99) };
}

// the keystroke path: the deal set once with `edit`, then only the amount typed
function measureAmount(label, closeDate, text) {
  session.edit({ id: 'EDITED', owner: 'ae-ana', amount: '1000.50', closeDate, product: 'Platform', type: 'new' });
  const times = new Float64Array(calls);
  let last;
  for (let i = -2000; i < calls; i++) {
    const amount = `${1000 + (i & 1023)}.50`;
    const s = process.hrtime.bigint();
    last = text ? session.previewAmountText(amount) : session.previewAmount(amount);
    const e = process.hrtime.bigint();
    if (i >= 0) times[i] = Number(e - s) / 1000;
  }
  times.sort();
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const mode = (typeof last === 'string' ? parseDealPreview(last) : last).mode;
  return { label, call: text ? 'previewAmountText(amount)' : 'previewAmount(amount)', mode, median: q(0.5), p99: q(0.99) };
}

const only = process.env.PREVIEW_ONLY;
const rows = [
  measureAmount('closing today', '2025-03-31', true),
  measureAmount('closing today', '2025-03-31', false),
  measure('closing today', '2025-03-31', false),
  measure('closing today', '2025-03-31', true),
  ...(only === 'closing'
    ? []
    : [
        measureAmount('back-dated (mid-period)', '2025-02-14', true),
        measureAmount('back-dated (mid-period)', '2025-02-14', false),
        measure('back-dated (mid-period)', '2025-02-14', false),
        measureAmount('back-dated (start of quarter)', '2025-01-03', true),
        measureAmount('back-dated (start of quarter)', '2025-01-03', false),
        measure('back-dated (start of quarter)', '2025-01-03', false),
      ]),
];
console.log(`preview latency: session of ${n} transactions (${summary.mode}), opened in ${openMs.toFixed(1)} ms; ${calls} calls each; node ${process.version}`);
console.log('| deal | call | mode | median µs | p99 µs |');
console.log('|---|---|---|---:|---:|');
for (const r of rows) console.log(`| ${r.label} | ${r.call} | ${r.mode} | ${r.median.toFixed(1)} | ${r.p99.toFixed(1)} |`);
session.free();
compiled.free();
