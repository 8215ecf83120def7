// The package as users get it: `npm pack` of js/, installed from the tarball into a fresh project,
// then used by name from child processes through each entry (ESM, CommonJS, inline ESM and
// CommonJS). Each evaluates the README example (Ana's Q1 payout is 22,500.00) and reports which
// file the conditional exports resolved to.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const jsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const samplePlanPath = join(jsRoot, '..', 'examples', 'plans', 'account-executive.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const DEALS = [
  { id: 'D-1', owner: 'ae-ana', amount: '150000', closeDate: '2025-01-20', product: 'Platform', type: 'new' },
  { id: 'D-2', owner: 'ae-ana', amount: '100000', closeDate: '2025-02-20', product: 'Platform', type: 'renewal' },
];

// the body every consumer script shares: `compilePlan` is in scope, prints one JSON line
const body = (resolved) => `
const planJson = readFileSync(${JSON.stringify(samplePlanPath)}, 'utf8');
const plan = compilePlan(planJson);
let q1;
try {
  q1 = plan.evaluate({ transactions: ${JSON.stringify(DEALS)} }, 'Q1');
} finally {
  plan.free();
}
const ana = q1.statements.find((s) => s.payee === 'ae-ana');
console.log(JSON.stringify({ payout: ana.payout, resolved: ${resolved} }));
`;

const SCRIPTS = {
  'esm.mjs': {
    source: `import { readFileSync } from 'node:fs';\nimport { compilePlan } from 'payplan';\n${body("import.meta.resolve('payplan')")}`,
    entry: 'dist/node.mjs',
  },
  'cjs.cjs': {
    source: `const { readFileSync } = require('node:fs');\nconst { compilePlan } = require('payplan');\n${body("require.resolve('payplan')")}`,
    entry: 'dist/node.cjs',
  },
  'inline-esm.mjs': {
    source: `import { readFileSync } from 'node:fs';\nconst { compilePlan } = await import('payplan/inline');\n${body("import.meta.resolve('payplan/inline')")}`,
    entry: 'dist/inline.mjs',
  },
  'operations-esm.mjs': {
    source: `import { allocateQuota } from 'payplan/operations';\nconst a = allocateQuota({ target: '100000', unit: '1000', nodes: [{ id: 'x' }, { id: 'y' }, { id: 'z' }] });\nconsole.log(JSON.stringify({ allocation: a.nodes.map((n) => n.amount), resolved: import.meta.resolve('payplan/operations') }));\n`,
    entry: 'dist/operations.node.mjs',
  },
  'operations-cjs.cjs': {
    source: `const { allocateQuota } = require('payplan/operations');\nconst a = allocateQuota({ target: '100000', unit: '1000', nodes: [{ id: 'x' }, { id: 'y' }, { id: 'z' }] });\nconsole.log(JSON.stringify({ allocation: a.nodes.map((n) => n.amount), resolved: require.resolve('payplan/operations') }));\n`,
    entry: 'dist/operations.node.cjs',
  },
  // payplan/preview: the same API with live preview sessions; the payout shown is the session's
  // after previewing D-2 over D-1 (the same 22,500.00 as a full evaluation of both)
  'preview-esm.mjs': {
    source: `import { readFileSync } from 'node:fs';\nimport { compilePlan } from 'payplan/preview';\nconst plan = compilePlan(readFileSync(${JSON.stringify(samplePlanPath)}, 'utf8'));\nconst s = plan.openSession({ transactions: [${JSON.stringify(DEALS[0])}] }, 'ae-ana', 'Q1');\nconst p = s.preview(${JSON.stringify(DEALS[1])});\ns.free(); plan.free();\nconsole.log(JSON.stringify({ payout: p.payout.after, resolved: import.meta.resolve('payplan/preview') }));\n`,
    entry: 'dist/preview.node.mjs',
  },
  'preview-cjs.cjs': {
    source: `const { readFileSync } = require('node:fs');\nconst { compilePlan } = require('payplan/preview');\nconst plan = compilePlan(readFileSync(${JSON.stringify(samplePlanPath)}, 'utf8'));\nconst s = plan.openSession({ transactions: [${JSON.stringify(DEALS[0])}] }, 'ae-ana', 'Q1');\nconst p = s.preview(${JSON.stringify(DEALS[1])});\ns.free(); plan.free();\nconsole.log(JSON.stringify({ payout: p.payout.after, resolved: require.resolve('payplan/preview') }));\n`,
    entry: 'dist/preview.node.cjs',
  },
  'inline-cjs.cjs': {
    source: `const { readFileSync } = require('node:fs');\nconst { compilePlan } = require('payplan/inline');\n${body("require.resolve('payplan/inline')")}`,
    entry: 'dist/inline.cjs',
  },
};

test('npm pack, install the tarball into a fresh project, use it through every Node entry', { timeout: 120_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'payplan-pack-'));
  try {
    // --- pack ---
    const packDir = join(work, 'pack');
    mkdirSync(packDir);
    const { stdout: packOut } = await run(npm, ['pack', '--json', '--pack-destination', packDir], {
      cwd: jsRoot,
      timeout: 60_000,
      maxBuffer: 16 << 20,
    }).catch((e) => {
      throw new Error(`npm pack failed: ${e.stderr || e.message}`);
    });
    const [packed] = JSON.parse(packOut);
    const files = packed.files.map((f) => f.path).sort();
    t.diagnostic(`${packed.filename}: ${files.join(" ")}; ${packed.size} B packed, ${packed.unpackedSize} B unpacked`);
    for (const f of ['package.json', 'dist/bin/payplan.mjs', 'dist/payplan_bg.wasm', 'dist/payplan_node_bg.wasm', 'dist/payplan_preview_bg.wasm', 'dist/payplan_preview_node_bg.wasm', 'dist/types/index.d.ts', 'dist/node.mjs', 'dist/node.cjs', 'dist/web.mjs', 'dist/inline.mjs', 'dist/inline.cjs', 'dist/payplan_ops_bg.wasm', 'dist/operations.node.mjs', 'dist/operations.node.cjs', 'dist/operations.web.mjs', 'dist/types/operations-index.d.ts']) {
      assert.ok(files.includes(f), `the tarball lacks ${f}: ${files.join(', ')}`);
    }
    const stray = files.filter((f) => /^(src|test|test-browser|scripts|wasm|node_modules)\//.test(f) || f.startsWith('tsconfig'));
    assert.deepEqual(stray, [], 'source, test or build files in the tarball');
    const tarball = join(packDir, packed.filename);

    // --- a fresh project ---
    const project = join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'payplan-consumer', version: '1.0.0', private: true }, null, 2));
    const installArgs = ['install', '--no-audit', '--no-fund', '--no-package-lock', tarball];
    try {
      await run(npm, [...installArgs, '--offline'], { cwd: project, timeout: 60_000 });
    } catch (e) {
      t.diagnostic(`npm install --offline failed (${(e.stderr || e.message).split('\n')[0]}); trying online`);
      await run(npm, installArgs, { cwd: project, timeout: 60_000 });
    }
    const installed = join(project, 'node_modules', 'payplan');
    assert.ok(lstatSync(installed).isDirectory() && !lstatSync(installed).isSymbolicLink(), 'node_modules/payplan is a real copy');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'payplan');
    assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], 'no runtime dependencies');
    const deps = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies;
    assert.match(deps.payplan, new RegExp(`^file:.*${packed.filename.replace(/\./g, '\\.')}$`), 'installed from the tarball');

    // --- each entry, as a child process of the consumer project ---
    for (const [name, { source, entry }] of Object.entries(SCRIPTS)) {
      writeFileSync(join(project, name), source);
      const { stdout, stderr } = await run(process.execPath, [name], { cwd: project, timeout: 30_000 }).catch((e) => {
        throw new Error(`${name} failed (exit ${e.code}):\n${e.stderr}`);
      });
      const out = JSON.parse(stdout.trim());
      if (out.allocation) {
        // payplan/operations: 100000 equally in units of 1000 -> 34000, 33000, 33000
        assert.deepEqual(out.allocation, ['34000', '33000', '33000'], name);
        t.diagnostic(`${name}: ${out.allocation} via ${entry}`);
        continue;
      }
      assert.equal(out.payout, '22500.00', name);
      const resolved = out.resolved.startsWith('file:') ? fileURLToPath(out.resolved) : out.resolved;
      assert.equal(resolved, join(installed, entry), `${name} resolved payplan to ${resolved}`);
      assert.equal(stderr.replace(/.*ExperimentalWarning.*\n?|.*--trace-warnings.*\n?/g, ''), '', `${name} wrote to stderr`);
      t.diagnostic(`${name}: ${out.payout} via ${entry}`);
    }

    // --- the package's command line: node_modules/.bin/payplan, and npx (offline: the installed one) ---
    const binLink = join(project, 'node_modules', '.bin', 'payplan');
    assert.ok(lstatSync(binLink).isSymbolicLink() || lstatSync(binLink).isFile(), 'node_modules/.bin/payplan');
    const brokenPlan = join(jsRoot, '..', 'examples', 'node-validate', 'plans', 'broken.json');
    const bad = await run(binLink, ['validate', samplePlanPath, brokenPlan], { cwd: project, timeout: 30_000 }).then(
      () => assert.fail('validate exited 0 on a plan with errors'),
      (e) => e,
    );
    assert.equal(bad.code, 1);
    assert.ok(bad.stdout.startsWith(`${samplePlanPath}: ok\n`), bad.stdout);
    assert.match(bad.stdout, /broken\.json: error TIER_GAP at \/components\/0\/tiers\/1\/from: /);
    assert.match(bad.stdout, /broken\.json: 4 errors\n$/);
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const { stdout: evaluated } = await run(
      npx,
      ['--offline', '--no-install', 'payplan', 'evaluate', '--plan', samplePlanPath, '--transactions', join(jsRoot, '..', 'examples', 'data', 'deals-2025.csv'), '--period', 'Q1'],
      { cwd: project, timeout: 60_000 },
    );
    assert.match(evaluated, /^Ana Lima \(ae-ana\), AE: payout 24,900\.00$/m);
    t.diagnostic('npx payplan validate / evaluate: the bin of the installed tarball');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
