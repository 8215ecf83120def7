// The TypeScript declarations as a consumer sees them: test/consumer.ts uses the whole public API
// with explicit types and must pass `tsc --strict` (its `@ts-expect-error` proves that a JS number
// is refused where money is expected); then the same file, compiled by esbuild, runs against the
// built package and checks its values. The emitted declarations must not contain `any`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const jsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = join(jsRoot, 'dist', 'types');

function run(file, args, options) {
  return new Promise((resolve) => {
    const child = execFile(file, args, { maxBuffer: 16 << 20, ...options }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, signal: error?.signal ?? null, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}

test('test/consumer.ts type-checks with tsc --strict against the package resolved by name', { timeout: 120_000 }, async (t) => {
  const tsc = join(jsRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await run(process.execPath, [tsc, '-p', 'test/tsconfig.consumer.json', '--noEmit', '--strict', '--listFiles'], { cwd: jsRoot, timeout: 110_000 });
  const files = r.stdout.split('\n').filter((l) => l.startsWith('/'));
  const errors = r.stdout.split('\n').filter((l) => !l.startsWith('/')).join('\n').trim();
  assert.equal(r.code, 0, `tsc failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}):\n${errors}\n${r.stderr}`);
  // the declarations were reached through the package's exports, not some other copy
  for (const f of ['index.d.ts', 'api.d.ts', 'errors.d.ts', 'generated.d.ts']) {
    assert.ok(files.includes(join(typesDir, f)), `tsc did not load dist/types/${f}`);
  }
  t.diagnostic(`tsc: ${files.length} files checked, no errors`);
});

test('test/consumer.ts runs against the built package (CommonJS entry, by name)', { timeout: 60_000 }, async (t) => {
  const source = readFileSync(join(jsRoot, 'test', 'consumer.ts'), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'cjs', platform: 'node', target: 'node18' });
  // run from js/ so that require('payplan') resolves through the package's own exports (node.cjs)
  const program = `${code}\nmodule.exports.main().then((report) => { console.log(JSON.stringify(report)); }, (e) => { console.error(e); process.exit(1); });\n`;
  const r = await run(process.execPath, ['--input-type=commonjs', '-'], { cwd: jsRoot, timeout: 50_000, input: program });
  assert.equal(r.code, 0, `the consumer failed:\n${r.stderr}`);
  const report = JSON.parse(r.stdout.trim());
  assert.deepEqual(report, [
    'compilePlan/using: ae-ana 22500.00',
    'evaluate: 4 statements, accounting balanced true',
    // Ana is at 125% of quota: 10,000 more pays 1.5 x 8% = 1,200.00 (no band crossed)
    'preview: 1200.00 (incremental, band none), payout now 23700.00',
  ]);
  t.diagnostic(report.join('; '));
});

test('the samplePlan literal in consumer.ts is the sample plan file', async () => {
  const source = readFileSync(join(jsRoot, 'test', 'consumer.ts'), 'utf8');
  const { code } = await transform(source.replace(/^import\b[^;]*;/gm, ''), { loader: 'ts', format: 'esm', target: 'node18' });
  const m = await import(`data:text/javascript,${encodeURIComponent(code)}`);
  const file = JSON.parse(readFileSync(join(jsRoot, '..', 'examples', 'plans', 'account-executive.json'), 'utf8'));
  assert.deepEqual(m.samplePlan, file);
});

test('the emitted declarations of the public API contain no `any`', () => {
  const files = readdirSync(typesDir).filter((f) => f.endsWith('.d.ts'));
  assert.ok(files.includes('index.d.ts') && files.length >= 4, `dist/types: ${files.join(', ')}`);
  const found = [];
  for (const f of files) {
    const text = readFileSync(join(typesDir, f), 'utf8');
    // code only: drop block and line comments (the docs may say "any")
    const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '');
    code.split('\n').forEach((line, i) => {
      if (/:\s*any\b|<any>|\bany\[\]|\bany\s*[|&,)>;]|[|&(<,]\s*any\b/.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, [], 'the public API declares `any`');
});
