// Cold start in Node: a fresh process imports the package (which reads and instantiates the
// WebAssembly module) and compiles the sample plan. Median of several fresh processes.
//
//   node bench/cold-start.mjs [runs] [--flags]
//
// The same for the other Node entries (CommonJS, the inline module with the bytes embedded, the
// preview module).
//
// Then a breakdown, also from fresh processes: reading the .wasm file and compiling the module
// (what the import spends in V8), and the plan compile run again with V8 diagnostic flags in the
// child process only (the package never sets V8 flags): with every function compiled ahead of
// time, what remains is our own work; and how many functions the compile path calls for the first
// time, which V8 compiles on that first call (lazy compilation, Liftoff). With --flags, the same
// two steps under several V8 flags (diagnostics, in child processes only).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const mode = process.argv[2];
if (mode === '--child') {
  const { performance } = await import('node:perf_hooks');
  const { readFileSync } = await import('node:fs');
  const plan = readFileSync(new URL('../../examples/plans/account-executive.json', import.meta.url), 'utf8');
  const t0 = performance.now();
  const entry = process.argv[3] ?? 'node.mjs';
  // a CommonJS entry through require, as a CommonJS program loads it
  const m = entry.endsWith('.cjs')
    ? (await import('node:module')).createRequire(import.meta.url)(`../dist/${entry}`)
    : await import(`../dist/${entry}`);
  const t1 = performance.now();
  if (process.argv[4] === 'import-only') process.exit(0);
  const compiled = m.compilePlan(plan);
  const t2 = performance.now();
  if (process.argv[4] === 'compile-only') {
    console.log(JSON.stringify({ instantiate: t1 - t0, compile: t2 - t1 }));
    process.exit(0);
  }
  compiled.evaluate({ transactions: [] }, 'Q1');
  const t3 = performance.now();
  compiled.free();
  console.log(JSON.stringify({ instantiate: t1 - t0, compile: t2 - t1, firstEvaluate: t3 - t2 }));
} else if (mode === '--child-module') {
  // the two steps of the Node entry that are V8's: read the file, compile (decode and validate) it
  const { performance } = await import('node:perf_hooks');
  const { readFileSync } = await import('node:fs');
  const t0 = performance.now();
  const bytes = readFileSync(new URL('../dist/payplan_bg.wasm', import.meta.url));
  const t1 = performance.now();
  new WebAssembly.Module(bytes);
  const t2 = performance.now();
  console.log(JSON.stringify({ read: t1 - t0, module: t2 - t1, bytes: bytes.length }));
} else {
  const runs = Number(mode === undefined || mode === '--flags' ? 15 : mode);
  const self = fileURLToPath(import.meta.url);
  const child = (args, flags = []) =>
    JSON.parse(execFileSync(process.execPath, [...flags, self, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const ms = (x) => `${x.toFixed(2).padStart(6)} ms`;
  const rows = [];
  for (let i = 0; i < runs; i++) rows.push(child(['--child']));
  const med = (k, rs = rows) => median(rs.map((r) => r[k]));
  const both = median(rows.map((r) => r.instantiate + r.compile));
  console.log(`cold start over ${runs} fresh Node ${process.version} processes (median):`);
  console.log(`  import + instantiate the module  ${ms(med('instantiate'))}`);
  console.log(`  compile the sample plan          ${ms(med('compile'))}`);
  console.log(`  instantiate + compile            ${ms(both)}   (goal <= 5 ms)`);
  console.log(`  first evaluation (empty inputs)  ${ms(med('firstEvaluate'))}`);

  // the other entries, the same way
  console.log('other entries, instantiate + compile (median):');
  for (const entry of ['node.cjs', 'inline.mjs', 'preview.node.mjs']) {
    const rs = [];
    for (let i = 0; i < runs; i++) rs.push(child(['--child', entry, 'compile-only']));
    console.log(`  ${entry.padEnd(17)} import ${ms(med('instantiate', rs))}, compile ${ms(med('compile', rs))}, together ${ms(median(rs.map((r) => r.instantiate + r.compile)))}`);
  }

  // breakdown (fresh processes as well, interleaved so that other load on the machine hits both)
  const mods = [];
  const eager = [];
  for (let i = 0; i < runs; i++) {
    mods.push(child(['--child-module']));
    eager.push(child(['--child'], ['--no-wasm-lazy-compilation']));
  }
  // the functions V8 compiles on their first call during the plan compile: those of a run that
  // imports and compiles, less those of a run that only imports (V8 prints one line per function)
  const compiledFunctions = (args) =>
    [...execFileSync(process.execPath, ['--trace-wasm-compilation-times', self, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .matchAll(/function \S+#(\d+) using Liftoff.*bodysize (\d+)/g)].map((m) => [m[1], Number(m[2])]);
  const before = new Set(compiledFunctions(['--child', 'node.mjs', 'import-only']).map(([f]) => f));
  const lazy = compiledFunctions(['--child', 'node.mjs', 'compile-only']).filter(([f]) => !before.has(f)).map(([, size]) => size);
  const lazyBytes = lazy.reduce((a, b) => a + b, 0);
  console.log('breakdown (median):');
  console.log(`  import: read the .wasm file (${mods[0].bytes} B)            ${ms(med('read', mods))}`);
  console.log(`  import: new WebAssembly.Module (decode, validate)  ${ms(med('module', mods))}`);
  console.log(`  compile the plan with every function compiled ahead`);
  console.log(`    (--no-wasm-lazy-compilation, in this child only)       ${ms(med('compile', eager))}`);
  console.log(`  functions the plan compile calls for the first time: ${lazy.length}, ${lazyBytes} B of`);
  console.log(`    WebAssembly that V8 compiles (Liftoff) on that first call`);

  if (process.argv.includes('--flags')) {
    console.log('V8 flags, in the child process only (diagnostics; median):');
    const flagSets = [[], ['--no-wasm-lazy-compilation'], ['--wasm-lazy-validation'], ['--liftoff-only'], ['--no-wasm-tier-up'], ['--no-wasm-dynamic-tiering']];
    for (const flags of flagSets) {
      const rs = [];
      for (let i = 0; i < runs; i++) rs.push(child(['--child', 'node.mjs', 'compile-only'], flags));
      console.log(`  ${(flags.join(' ') || '(none)').padEnd(28)} import ${ms(med('instantiate', rs))}, compile ${ms(med('compile', rs))}, together ${ms(median(rs.map((r) => r.instantiate + r.compile)))}`);
    }
  }
}
