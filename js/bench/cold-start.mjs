// Cold start in Node: a fresh process imports the package (which reads and instantiates the
// WebAssembly module) and compiles the sample plan. Median of several fresh processes.
//
//   node bench/cold-start.mjs [runs]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--child') {
  const { performance } = await import('node:perf_hooks');
  const { readFileSync } = await import('node:fs');
  const plan = readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8');
  const t0 = performance.now();
  const m = await import('../dist/node.mjs');
  const t1 = performance.now();
  const compiled = m.compilePlan(plan);
  const t2 = performance.now();
  compiled.evaluate({ transactions: [] }, 'Q1');
  const t3 = performance.now();
  compiled.free();
  console.log(JSON.stringify({ instantiate: t1 - t0, compile: t2 - t1, firstEvaluate: t3 - t2 }));
} else {
  const runs = Number(process.argv[2] ?? 15);
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  for (let i = 0; i < runs; i++) rows.push(JSON.parse(execFileSync(process.execPath, [self, '--child'], { encoding: 'utf8' })));
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const med = (k) => median(rows.map((r) => r[k]));
  const both = median(rows.map((r) => r.instantiate + r.compile));
  console.log(`cold start over ${runs} fresh Node ${process.version} processes (median):`);
  console.log(`  import + instantiate the module  ${med('instantiate').toFixed(2)} ms`);
  console.log(`  compile the sample plan          ${med('compile').toFixed(2)} ms`);
  console.log(`  instantiate + compile            ${both.toFixed(2)} ms`);
  console.log(`  first evaluation (empty inputs)  ${med('firstEvaluate').toFixed(2)} ms`);
}
